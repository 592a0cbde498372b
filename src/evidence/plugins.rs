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

/// The plugin directories among `candidates` in the root and the shared objects in them, two
/// levels deep (symlinks followed inside the root). A directory counts when it holds a
/// shared object or is named for loadable code (`modules`), or has such a directory in it.
pub(super) fn find(resolver: &Resolver, candidates: &[String]) -> Plugins {
    let root = resolver.fs();
    let mut out = Plugins::default();
    for dir in candidates {
        let mut files = Vec::new();
        let mut named_for_code = dir.rsplit('/').next().is_some_and(names_code);
        let mut todo = vec![(dir.clone(), 0)];
        let mut is_dir = false;
        while let Some((d, level)) = todo.pop() {
            let Some((real, Kind::Dir)) = resolve(resolver, &d) else { continue };
            let Ok(entries) = root.list_dir(&real) else { continue };
            is_dir = true;
            let mut entries: Vec<String> = entries.into_iter().map(|(name, _)| name).collect();
            entries.sort();
            for name in entries {
                let inside = format!("{d}/{name}");
                let Some((_, kind)) = resolve(resolver, &inside) else { continue };
                if kind == Kind::Dir {
                    if level < 1 {
                        named_for_code |= names_code(&name);
                        todo.push((inside, level + 1));
                    }
                } else if kind == Kind::File && is_shared_object(&name) {
                    files.push(inside);
                }
            }
        }
        if is_dir && (named_for_code || !files.is_empty()) {
            out.dirs.push((dir.clone(), files.len()));
            for f in files {
                if out.files.len() >= MAX_PLUGINS {
                    out.truncated = true;
                } else if !out.files.contains(&f) {
                    out.files.push(f);
                }
            }
        }
    }
    out
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
