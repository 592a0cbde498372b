//! Code a program loads with dlopen(3): its plugins. A program looks for them where it was
//! built to, and says so in its strings (`/usr/lib/x86_64-linux-gnu/rsyslog/`,
//! `/usr/share/nginx/`, varnishd's `/usr/lib/x86_64-linux-gnu/varnish/vmods`); the packages
//! of its plugins install them there. The shared objects found in those directories are read
//! as the program's own code. A plugin that the configuration names by another path is not
//! read: explain says which directories were.

use std::path::PathBuf;

use crate::unit::rootfs::{Resolved, Resolver};
use crate::unit::tree::Kind;

/// A program's plugins in the root.
#[derive(Debug, Default)]
pub(super) struct Plugins {
    /// Each plugin directory found, with how many shared objects it holds.
    pub dirs: Vec<(String, usize)>,
    /// The shared objects, by path inside the root, in a stable order.
    pub files: Vec<String>,
    /// Set when there were more than were read.
    pub truncated: bool,
}

/// More plugins than this are not read (the largest plugin directories of Debian daemons,
/// PHP's and MariaDB's, hold a few dozen).
const MAX_PLUGINS: usize = 256;

/// Directory names that say a directory holds loadable code, even while none is installed.
const PLUGIN_DIR_NAMES: &[&str] = &["modules", "plugins", "plugin", "vmods", "extensions"];

/// `modules`, `modules-3.4`, `plugin`.
fn names_code(dir_name: &str) -> bool {
    PLUGIN_DIR_NAMES
        .iter()
        .any(|n| dir_name.strip_prefix(n).is_some_and(|rest| rest.is_empty() || rest.starts_with('-')))
}

/// Directories every program may name that are no program's own plugin directory.
const SHARED_DIRS: &[&str] = &[
    "/usr",
    "/usr/lib",
    "/usr/lib64",
    "/usr/lib32",
    "/usr/libexec",
    "/usr/share",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local",
    "/usr/local/lib",
    "/usr/local/share",
    "/usr/include",
    "/lib",
    "/lib64",
    "/opt",
    // gettext's message catalogues and the time zone data: named by every program that
    // translates its messages or reads a zone, they hold data only, and looking through
    // them cost a run two hundred directory listings.
    "/usr/share/locale",
    "/usr/share/zoneinfo",
];

/// The directories among a program's path strings (a `:`-separated search path counts for
/// each of its parts) where plugins are installed: under /usr, /lib or /opt, not one of the
/// directories every program shares, nor a multiarch library directory itself.
pub(super) fn candidate_dirs<'a>(strings: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = strings
        .flat_map(|s| s.split(':'))
        .filter(|p| p.starts_with("/usr/") || p.starts_with("/lib/") || p.starts_with("/opt/"))
        .filter(|p| !p.contains(['%', '$', '*', ' ', '\t']) && !p.contains("/debug/") && !p.contains("/.."))
        .map(|p| p.trim_end_matches('/').to_owned())
        .filter(|p| !SHARED_DIRS.contains(&p.as_str()) && !is_library_dir(p))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `/usr/lib/x86_64-linux-gnu`, `/lib/aarch64-linux-gnu`: where every library is.
fn is_library_dir(p: &str) -> bool {
    let rest = p.strip_prefix("/usr/lib/").or_else(|| p.strip_prefix("/lib/"));
    rest.is_some_and(|r| !r.contains('/') && r.matches('-').count() >= 2 && r.ends_with("-gnu"))
}

/// `foo.so`, `libfoo.so.1.2`: not `libfoo.so.7.gz` (a manual page).
fn is_shared_object(name: &str) -> bool {
    name.split_once(".so").is_some_and(|(stem, version)| {
        !stem.is_empty()
            && version.split('.').skip(1).all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && (version.is_empty() || version.starts_with('.'))
    })
}

/// What one candidate directory holds: whether it is a directory that could be listed,
/// whether it or a directory in it is named for loadable code, and its shared objects.
#[derive(Debug, Default)]
pub(super) struct DirPlugins {
    is_dir: bool,
    named_for_code: bool,
    files: Vec<String>,
}

/// The plugin directories among `candidates` in the root and the shared objects in them, two
/// levels deep (symlinks followed inside the root). A directory counts when it holds a
/// shared object or is named for loadable code (`modules`), or has such a directory in it.
#[cfg(test)]
pub(super) fn find(resolver: &Resolver, candidates: &[String]) -> Plugins {
    let found: Vec<DirPlugins> = candidates.iter().map(|dir| find_in(resolver, dir)).collect();
    combine(candidates, found.iter())
}

/// [`find`] of `candidates` from what [`find_in`] gave for each of them, in their order.
pub(super) fn combine<'a>(candidates: &[String], found: impl Iterator<Item = &'a DirPlugins>) -> Plugins {
    let mut out = Plugins::default();
    for (dir, found) in candidates.iter().zip(found) {
        if found.is_dir && (found.named_for_code || !found.files.is_empty()) {
            out.dirs.push((dir.clone(), found.files.len()));
            for f in &found.files {
                if out.files.len() >= MAX_PLUGINS {
                    out.truncated = true;
                } else if !out.files.contains(f) {
                    out.files.push(f.clone());
                }
            }
        }
    }
    out
}

/// What the candidate directory `dir` holds, two levels deep: looked through once per run
/// however many programs name it, each among directories of its own.
pub(super) fn find_in(resolver: &Resolver, dir: &str) -> DirPlugins {
    let root = resolver.fs();
    let mut files = Vec::new();
    let mut named_for_code = dir.rsplit('/').next().is_some_and(names_code);
    // Each directory with where it was resolved to, once known (a subdirectory is
    // resolved when its entry is looked at).
    let mut todo = vec![(dir.to_owned(), 0, None)];
    let mut is_dir = false;
    while let Some((d, level, resolved)) = todo.pop() {
        let real = match resolved {
            Some(real) => real,
            None => match resolve(resolver, &d) {
                Some((real, Kind::Dir)) => real,
                _ => continue,
            },
        };
        let Ok(mut entries) = root.list_dir_kinds(&real) else { continue };
        is_dir = true;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, listed) in entries {
            // Below the first level only a shared object counts: nothing else is looked
            // at (a data directory a program names may hold hundreds of directories).
            if level >= 1 && !is_shared_object(&name) {
                continue;
            }
            let inside = format!("{d}/{name}");
            // An entry the listing says is no symlink is where it stands: no look of its
            // own (a directory of a hundred plugins, a hundred looks).
            let found = match listed {
                Some(kind) => Some((real.join(&name), kind)),
                None => resolve(resolver, &inside),
            };
            let Some((real_entry, kind)) = found else { continue };
            if kind == Kind::Dir {
                if level < 1 {
                    named_for_code |= names_code(&name);
                    todo.push((inside, level + 1, Some(real_entry)));
                }
            } else if kind == Kind::File && is_shared_object(&name) {
                files.push(inside);
            }
        }
    }
    DirPlugins { is_dir, named_for_code, files }
}

/// Where a path inside the root leads (symlinks followed, never out of the root), and what
/// it is there.
fn resolve(resolver: &Resolver, inside: &str) -> Option<(PathBuf, Kind)> {
    let root = resolver.fs();
    let Ok((Resolved::Real(real), seen)) = resolver.resolve_stat(&root.join_inside(inside)) else { return None };
    let kind = match seen {
        Some(m) => m.kind,
        None => root.stat(&real).ok()?.kind,
    };
    Some((real, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_are_shared_objects_two_levels_down_symlinks_followed_inside_the_root() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let at = |p: &str| dir.path().join(p);
        let file = |p: &str| {
            std::fs::create_dir_all(at(p).parent().unwrap()).unwrap();
            std::fs::write(at(p), "").unwrap();
        };
        file("usr/lib/food/a.so");
        file("usr/lib/food/notes.txt");
        file("usr/lib/food/sub/b.so.1");
        file("usr/lib/food/sub/deeper/c.so"); // three levels down: not read
        std::fs::create_dir_all(at("usr/lib/food/sub/d.so")).unwrap(); // a directory named as one
        file("usr/lib/elsewhere/e.so");
        symlink("/usr/lib/elsewhere/e.so", at("usr/lib/food/sub/e.so")).unwrap();
        symlink("../elsewhere", at("usr/lib/food/linked")).unwrap();
        std::fs::create_dir_all(at("usr/share/locale/de/LC_MESSAGES")).unwrap();
        file("usr/share/locale/de/LC_MESSAGES/food.mo");
        std::fs::create_dir_all(at("usr/share/words/modules/x")).unwrap();

        let resolver = Resolver::new(crate::unit::rootfs::RootFs::new(dir.path()).unwrap());
        let dirs = ["/usr/lib/food", "/usr/share/locale", "/usr/share/words", "/usr/lib/none"].map(String::from);
        let found = find(&resolver, &dirs);
        assert_eq!(found.dirs, [("/usr/lib/food".to_owned(), 4), ("/usr/share/words".to_owned(), 0)]);
        assert_eq!(
            found.files,
            ["/usr/lib/food/a.so", "/usr/lib/food/sub/b.so.1", "/usr/lib/food/sub/e.so", "/usr/lib/food/linked/e.so"]
        );
        assert!(!found.truncated);
    }

    #[test]
    fn candidates_are_a_programs_own_directories() {
        let strings: Vec<String> = [
            "/usr/lib/x86_64-linux-gnu/rsyslog/",
            "/etc/varnish:/usr/share/varnish/vcl",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/",
            "/usr/share/nginx/",
            "/usr/lib/debug/.dwz/x86_64-linux-gnu/x.debug",
            "/usr/lib/%s/plugins",
            "/var/lib/foo",
            "/usr/share/locale",
            "/usr/share/zoneinfo/",
        ]
        .map(String::from)
        .into();
        assert!(["a.so", "libx.so.1", "libx.so.1.2.3", "vgc.so"].iter().all(|n| is_shared_object(n)));
        assert!(!["libOpenCL.so.7.gz", ".so", "x.sox", "libx.so.", "x.so.1a"].iter().any(|n| is_shared_object(n)));
        assert!(names_code("modules") && names_code("modules-3.4") && !names_code("modulesx") && !names_code("html"));
        assert_eq!(
            candidate_dirs(strings.iter()),
            ["/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/share/nginx", "/usr/share/varnish/vcl"]
        );
    }
}
