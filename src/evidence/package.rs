//! Where the package says its service writes: the directories it ships under /var and /run,
//! and the log files its logrotate.d configuration names (samba's `/var/log/samba/log.smbd`).
//! ProtectSystem=strict leaves only declared paths writable; these are declared by the package.
//!
//! The package's files: in a build root (`debian/PKG/`, `%{buildroot}`), every file of the
//! root; in an installed root (one with a dpkg database), those of the package whose file list
//! holds the unit's file.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault};
use std::io::Read;
use std::sync::{Arc, OnceLock};

use crate::score::syscalls::NameHasher;
use crate::unit::rootfs::{Resolved, Resolver, RootFs};
use crate::unit::tree::Kind;

/// Directories by the FHS where a daemon keeps its files, each under its own name.
pub const STATE_DIRS: &[&str] = &["/var/lib", "/var/log", "/var/cache", "/var/spool", "/run"];
const DPKG_INFO: &str = "/var/lib/dpkg/info";
const MAX_LIST_SIZE: u64 = 16 * 1024 * 1024;

/// What the packages of one root declare, read once per run and only when a unit asks: a
/// dpkg database is a thousand file lists (7.6 MB on a Debian host), which every unit read
/// again before; the writable paths of each package are worked out once.
#[derive(Default)]
pub struct Packages {
    /// Shared by the run's threads, each of which indexed the database on its own before.
    owners: SharedOwners,
    /// This thread's, for the lists a unit's search reads.
    resolver: Option<Resolver>,
    writable: HashMap<Owner, Vec<(String, String)>>,
}

/// The index of a root's dpkg database, made once by whichever thread asks first.
pub type SharedOwners = Arc<OnceLock<Owners>>;

/// How to find the package that ships a file.
pub enum Owners {
    /// No dpkg database: a build root, whose files are all the package's.
    BuildRoot,
    /// The file lists of the database (`*.list`, sorted by name), and for the hash of each
    /// path in a readable list the first list that holds a path of that hash: where the
    /// search for a unit's list can start, since no list before it holds the unit.
    Dpkg { lists: Vec<String>, first: HashMap<u64, usize, PathHash> },
    /// A database that cannot be listed: no package is known.
    Unknown,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Owner {
    BuildRoot,
    List(usize),
}

/// A hash quick on paths (a hundred thousand of them on a Debian host); a collision only
/// makes the search start early, never miss.
pub(super) type PathHash = BuildHasherDefault<NameHasher>;

impl Packages {
    /// The packages of a root whose database index `owners` is shared with other threads.
    pub fn sharing(owners: SharedOwners) -> Packages {
        Packages { owners, ..Packages::default() }
    }

    /// Paths to keep writable under ProtectSystem=strict, each with why, sorted.
    pub fn writable_paths(&mut self, root: &RootFs, unit_file: &str) -> Vec<(String, String)> {
        let owners = self.owners.get_or_init(|| Owners::read(root));
        let (owner, list) = match owners {
            Owners::BuildRoot => (Owner::BuildRoot, None),
            Owners::Dpkg { lists, first } => {
                let resolver = self.resolver.get_or_insert_with(|| Resolver::new(root.clone()));
                let Some((index, text)) = find_list(resolver, lists, first, unit_file) else { return Vec::new() };
                (Owner::List(index), Some((lists[index].as_str(), text)))
            }
            Owners::Unknown => return Vec::new(),
        };
        if let Some(known) = self.writable.get(&owner) {
            return known.clone();
        }
        let (files, whose) = match list {
            Some((name, text)) => {
                let package = name.trim_end_matches(".list").split(':').next().unwrap_or(name);
                (text.lines().map(str::to_owned).collect(), format!("package {package}"))
            }
            None => {
                let mut files = Vec::new();
                for top in ["/var", "/run", "/etc/logrotate.d"] {
                    walk(root, top, 0, &mut files);
                }
                (files, "the package".to_owned())
            }
        };
        let paths = declared_paths(root, &files, &whose);
        self.writable.insert(owner, paths.clone());
        paths
    }
}

/// Paths to keep writable under ProtectSystem=strict, each with why, sorted: from the
/// package's files (`whose` names it).
fn declared_paths(root: &RootFs, files: &[String], whose: &str) -> Vec<(String, String)> {
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for f in files {
        if let Some(name) = state_name(f) {
            names.insert((name.to_owned(), format!("{whose} ships {f}")));
        }
    }
    for f in files.iter().filter(|f| f.starts_with("/etc/logrotate.d/")) {
        for log in logrotate_paths(root, f) {
            let Some((dir, _)) = log.rsplit_once('/') else { continue };
            match state_name(dir) {
                Some(name) => {
                    names.insert((name.to_owned(), format!("{f} rotates {log}")));
                }
                // A log file right in /var/log: only that file.
                None if dir == "/var/log" => out.push((format!("-{log}"), format!("{f} rotates {log}"))),
                None => {}
            }
        }
    }
    for (name, why) in names {
        for dir in STATE_DIRS {
            out.push((format!("-{dir}/{name}"), format!("{dir}/{name}: {why}")));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// `samba` of `/var/log/samba` or `/var/log/samba/cores`.
fn state_name(path: &str) -> Option<&str> {
    STATE_DIRS.iter().find_map(|d| {
        let rest = path.strip_prefix(d)?.strip_prefix('/')?;
        rest.split('/').next().filter(|n| !n.is_empty() && !n.contains(['*', '?', '$']))
    })
}

impl Owners {
    fn read(root: &RootFs) -> Owners {
        let info = root.real_path(DPKG_INFO);
        let Some(info) = info.filter(|p| root.stat(p).is_ok_and(|m| m.kind == Kind::Dir)) else {
            return Owners::BuildRoot;
        };
        let Ok(entries) = root.list_dir(&info) else { return Owners::Unknown };
        let mut lists: Vec<String> =
            entries.into_iter().map(|(name, _)| name).filter(|n| n.ends_with(".list")).collect();
        lists.sort();
        let resolver = Resolver::new(root.clone());
        let mut first = HashMap::default();
        // One buffer for all: a list read into a new one each time costs the pages again.
        let mut bytes = Vec::new();
        for (index, name) in lists.iter().enumerate() {
            if !read_list_into(&resolver, name, &mut bytes) || indexed_lines(&bytes).next().is_none() {
                continue;
            }
            let Ok(text) = std::str::from_utf8(&bytes) else { continue };
            for line in indexed_lines(text.as_bytes()) {
                let line = &text[line];
                first.entry(PathHash::default().hash_one(line)).or_insert(index);
            }
        }
        Owners::Dpkg { lists, first }
    }
}

/// Only the lines of the file lists that end as unit files of services do are indexed (187
/// of 130 000 on a Debian host): the paths looked up are those of services. Any other path
/// is searched for in every list.
const INDEXED_SUFFIX: &[u8] = b".service";

/// Where in `text` its lines (as `str::lines` splits it) that end with [`INDEXED_SUFFIX`] are.
fn indexed_lines(text: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    memchr::memmem::find_iter(text, INDEXED_SUFFIX).filter_map(|at| {
        let end = at + INDEXED_SUFFIX.len();
        let ends_line = matches!(text.get(end..), Some([] | [b'\n', ..] | [b'\r', b'\n', ..]));
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |nl| nl + 1);
        ends_line.then_some(start..end)
    })
}

/// The first list (by name) holding the unit's file, under its name or its merged-/usr
/// twin, and its text.
fn find_list(
    resolver: &Resolver,
    lists: &[String],
    first: &HashMap<u64, usize, PathHash>,
    unit_file: &str,
) -> Option<(usize, String)> {
    let unit_paths = [unit_file.to_owned(), merged_usr(unit_file)];
    // No list before `start` holds the unit.
    let start = if unit_file.as_bytes().ends_with(INDEXED_SUFFIX) {
        *unit_paths.iter().filter_map(|u| first.get(&PathHash::default().hash_one(u.as_str()))).min()?
    } else {
        0
    };
    (start..lists.len()).find_map(|index| {
        let text = read_list(resolver, &lists[index])?;
        text.lines().any(|l| unit_paths.iter().any(|u| u == l)).then_some((index, text))
    })
}

/// A file list of the database, when it is a regular file of UTF-8 text within the limit.
fn read_list(resolver: &Resolver, name: &str) -> Option<String> {
    let mut bytes = Vec::new();
    read_list_into(resolver, name, &mut bytes).then_some(())?;
    String::from_utf8(bytes).ok()
}

/// Reads a file list of the database into `bytes`, when it is a regular file within the
/// limit; false when not.
fn read_list_into(resolver: &Resolver, name: &str, bytes: &mut Vec<u8>) -> bool {
    let root = resolver.fs();
    let (real, seen) = match resolver.resolve_stat(&root.join_inside(&format!("{DPKG_INFO}/{name}"))) {
        Ok((Resolved::Real(p), seen)) => (p, seen),
        _ => return false,
    };
    match seen.map_or_else(|| root.stat(&real), Ok) {
        Ok(meta) if meta.kind == Kind::File && meta.len <= MAX_LIST_SIZE => {}
        _ => return false,
    }
    bytes.clear();
    if root.is_in_memory() {
        return root.read_bytes(&real, MAX_LIST_SIZE).map(|(read, _)| *bytes = read).is_ok();
    }
    std::fs::File::open(&real).and_then(|f| f.take(MAX_LIST_SIZE).read_to_end(bytes)).is_ok()
}

/// `/lib/systemd/...` for `/usr/lib/systemd/...` and the other way round.
fn merged_usr(path: &str) -> String {
    match path.strip_prefix("/usr") {
        Some(rest) => rest.to_owned(),
        None => format!("/usr{path}"),
    }
}

/// Directories and files below `inside`, a few levels deep, never through a symlink.
fn walk(root: &RootFs, inside: &str, depth: usize, out: &mut Vec<String>) {
    let dir = root.join_inside(inside);
    let Ok(entries) = root.list_dir(&dir) else { return };
    let mut names: Vec<String> = entries.into_iter().map(|(name, _)| name).collect();
    names.sort();
    for name in names {
        let path = format!("{inside}/{name}");
        out.push(path.clone());
        let is_dir = root.lstat(&dir.join(&name)).is_ok_and(|m| m.kind == Kind::Dir);
        if is_dir && depth < 3 {
            walk(root, &path, depth + 1, out);
        }
    }
}

/// The absolute paths a logrotate.d file names before its `{` blocks.
fn logrotate_paths(root: &RootFs, inside: &str) -> Vec<String> {
    let Some(real) = root.real_path(inside) else { return Vec::new() };
    let Ok(text) = super::files::read_limited(root, &real, 1024 * 1024) else { return Vec::new() };
    let text = String::from_utf8_lossy(&text.0);
    let mut out = Vec::new();
    let mut depth = 0usize;
    for line in text.lines().map(str::trim) {
        if depth == 0 {
            for w in line.split_whitespace().take_while(|w| *w != "{") {
                let w = w.trim_matches('"');
                if w.starts_with('/') && !w.contains("..") {
                    out.push(w.to_owned());
                }
            }
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn state_names() {
        assert_eq!(state_name("/var/log/samba"), Some("samba"));
        assert_eq!(state_name("/var/lib/samba/private"), Some("samba"));
        assert_eq!(state_name("/var/log"), None);
        assert_eq!(state_name("/var/library"), None);
    }

    #[test]
    fn an_installed_root_declares_the_first_list_holding_the_unit() {
        let t = tempfile::tempdir().unwrap();
        let info = t.path().join("var/lib/dpkg/info");
        fs::create_dir_all(&info).unwrap();
        fs::write(info.join("aaa.list"), "/.\n/usr/lib/systemd/system/other.service\n/var/lib/other\n").unwrap();
        let food = "/.\n/usr/lib/systemd/system/food.service\n/var/lib/food\n";
        fs::write(info.join("food:amd64.list"), food).unwrap();
        fs::write(info.join("zzz.list"), format!("{food}/var/lib/later\n")).unwrap();
        fs::write(info.join("food.md5sums"), "/var/lib/md5sums\n").unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let mut packages = Packages::default();
        for _ in 0..2 {
            // Under its merged-/usr twin too; asked twice, the second answer from what was kept.
            let paths = packages.writable_paths(&root, "/lib/systemd/system/food.service");
            let names: Vec<&str> = paths.iter().map(|p| p.0.as_str()).collect();
            assert!(names.contains(&"-/var/lib/food"), "{names:?}");
            assert!(!names.iter().any(|n| n.contains("later") || n.contains("other") || n.contains("md5sums")));
            assert!(paths[0].1.contains("package food ships /var/lib/food"), "{paths:?}");
        }
        assert!(packages.writable_paths(&root, "/usr/lib/systemd/system/none.service").is_empty());
    }

    #[test]
    fn the_index_finds_the_list_a_scan_of_every_list_finds() {
        let t = tempfile::tempdir().unwrap();
        let info = t.path().join("var/lib/dpkg/info");
        fs::create_dir_all(&info).unwrap();
        let lists: &[(&str, &[u8])] = &[
            ("a.list", b"/.\n/lib/systemd/system/crlf.service\r\n/x/mid.service/not-a-unit\n"),
            ("b.list", b"/lib/systemd/system/cr.service\r"),
            ("c.list", b"/usr/lib/systemd/system/last.service"),
            ("d.list", b"/lib/systemd/system/latin1-\xe9.service\n/lib/systemd/system/in-bad.service\n"),
            (
                "e.list",
                b"/etc/x.socket\n/usr/lib/systemd/system/in-bad.service\n/usr/lib/systemd/system/crlf.service\n",
            ),
            ("f.list", b"/lib/systemd/system/cr.service\n/x/mid.service/not-a-unit\n"),
        ];
        for (name, text) in lists {
            fs::write(info.join(name), text).unwrap();
        }
        let root = RootFs::new(t.path()).unwrap();
        let Owners::Dpkg { lists: names, first } = Owners::read(&root) else { panic!("a dpkg database") };
        let resolver = Resolver::new(root.clone());
        // What reading every list, in order, for the path or its twin finds.
        let scan = |unit: &str| {
            let paths = [unit.to_owned(), merged_usr(unit)];
            names.iter().position(|n| {
                read_list(&resolver, n).is_some_and(|text| text.lines().any(|l| paths.iter().any(|p| p == l)))
            })
        };
        // CRLF ends a line as `str::lines` reads it, a bare CR does not; a list that is not
        // UTF-8 is skipped; a path that is no service's is searched for in every list.
        for (unit, list) in [
            ("/lib/systemd/system/crlf.service", Some(0)),
            ("/lib/systemd/system/cr.service", Some(5)),
            ("/lib/systemd/system/last.service", Some(2)),
            ("/lib/systemd/system/latin1-\u{e9}.service", None),
            ("/usr/lib/systemd/system/in-bad.service", Some(4)),
            ("/x/mid.service/not-a-unit", Some(0)),
            ("/etc/x.socket", Some(4)),
            ("/lib/systemd/system/none.service", None),
        ] {
            let found = find_list(&resolver, &names, &first, unit).map(|(i, _)| i);
            assert_eq!(found, scan(unit), "{unit}");
            assert_eq!(found, list, "{unit}");
        }
    }

    #[test]
    fn a_build_root_declares_its_directories_and_logs() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join("var/lib/food")).unwrap();
        fs::create_dir_all(t.path().join("etc/logrotate.d")).unwrap();
        fs::write(t.path().join("etc/logrotate.d/food"), "/var/log/fooland/*.log /var/log/food.log {\n weekly\n}\n")
            .unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let paths: Vec<String> = Packages::default()
            .writable_paths(&root, "/lib/systemd/system/food.service")
            .into_iter()
            .map(|p| p.0)
            .collect();
        for p in ["-/var/lib/food", "-/var/log/food", "-/run/food", "-/var/lib/fooland", "-/var/log/food.log"] {
            assert!(paths.iter().any(|x| x == p), "{p}: {paths:?}");
        }
    }
}
