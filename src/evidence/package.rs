//! Where the package says its service writes: the directories it ships under /var and /run,
//! those its postinst and tmpfiles.d entries create, the log files its logrotate.d
//! configuration names (samba's `/var/log/samba/log.smbd`), and the paths the configuration
//! files it ships, given on the service's command line, name (pgbouncer.ini's `logfile`).
//! ProtectSystem=strict leaves only declared paths writable; these are declared by the package.
//! A configuration whose paths are known only at run time is said, so that strict keeps the
//! baseline's ProtectSystem= instead.
//!
//! The package's files: in a build root (`debian/PKG/`, `%{buildroot}`), every file of the
//! root; in an installed root (one with a dpkg database), those of the package whose file list
//! holds the unit's file and of the packages of its source it depends on (winbind's logs are
//! in samba-common's /var/log/samba).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::{Arc, OnceLock};

use super::declared::{
    configured_paths, created_directories, installed_packages, same_source_dependencies, tmpfiles_paths, Installed,
};
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
    writable: HashMap<Owner, Declared>,
    /// The dpkg status file's installed packages, read when a package's siblings are asked for.
    installed: Option<BTreeMap<String, Installed>>,
}

/// What one package declares its services write.
#[derive(Clone, Default)]
struct Declared {
    paths: Vec<(String, String)>,
    /// The files the package and its siblings ship; None in a build root, whose every file
    /// is the package's.
    files: Option<HashSet<String>>,
}

/// Where a package's service writes: the paths to keep writable, each with why, and the
/// settings that name paths no reading can know, each with why.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Writable {
    pub paths: Vec<(String, String)>,
    pub unreadable: Vec<String>,
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

    /// Paths to keep writable under ProtectSystem=strict for the service of `unit_file`, each
    /// with why, sorted; `config_files`: the files its command lines name, of which those
    /// the package ships under /etc are read for the paths their settings name.
    pub fn writable_paths(&mut self, root: &RootFs, unit_file: &str, config_files: &[String]) -> Writable {
        let Some(declared) = self.declared(root, unit_file) else { return Writable::default() };
        let mut out = Writable { paths: declared.paths.clone(), unreadable: Vec::new() };
        let shipped = |f: &str| declared.files.as_ref().is_none_or(|files| files.contains(f));
        // A directory the command line gives is read like one a configuration includes.
        for config in config_files.iter().filter(|f| f.starts_with("/etc/") && shipped(f)) {
            for file in included_files(root, config) {
                configured(root, &file, 0, &mut out);
            }
        }
        out.paths.sort();
        out.paths.dedup_by(|a, b| a.0 == b.0);
        out
    }

    fn declared(&mut self, root: &RootFs, unit_file: &str) -> Option<&Declared> {
        let shared = Arc::clone(&self.owners);
        let owners = shared.get_or_init(|| Owners::read(root));
        let (owner, list) = match owners {
            Owners::BuildRoot => (Owner::BuildRoot, None),
            Owners::Dpkg { lists, first } => {
                let resolver = self.resolver.get_or_insert_with(|| Resolver::new(root.clone()));
                let (index, text) = find_list(resolver, lists, first, unit_file)?;
                (Owner::List(index), Some((lists[index].clone(), text)))
            }
            Owners::Unknown => return None,
        };
        if !self.writable.contains_key(&owner) {
            let declared = match list {
                Some((name, text)) => self.declared_by_dpkg(root, &name, text),
                None => {
                    let mut files = Vec::new();
                    for top in ["/var", "/run", "/etc/logrotate.d", "/usr/lib/tmpfiles.d", "/lib/tmpfiles.d"] {
                        walk(root, top, 0, &mut files);
                    }
                    let whose = "the package".to_owned();
                    Declared { paths: declared_paths(root, &[(files, whose)], &[]), files: None }
                }
            };
            self.writable.insert(owner, declared);
        }
        self.writable.get(&owner)
    }

    /// What an installed package and the packages of its source it depends on declare: the
    /// files they ship and the directories their postinst creates.
    fn declared_by_dpkg(&mut self, root: &RootFs, list_name: &str, text: String) -> Declared {
        let Some(Owners::Dpkg { lists, .. }) = self.owners.get() else { return Declared::default() };
        let Some(resolver) = &self.resolver else { return Declared::default() };
        let package = package_of(list_name).to_owned();
        let installed = self.installed.get_or_insert_with(|| read_installed(root));
        let siblings = same_source_dependencies(installed, &package);
        let mut shipped = vec![(text.lines().map(str::to_owned).collect::<Vec<_>>(), format!("package {package}"))];
        for sibling in &siblings {
            let found = lists.iter().find(|l| package_of(l) == sibling).and_then(|l| read_list(resolver, l));
            if let Some(text) = found {
                let whose = format!("package {sibling} (of {package}'s source, which it depends on)");
                shipped.push((text.lines().map(str::to_owned).collect(), whose));
            }
        }
        let mut created = Vec::new();
        for name in std::iter::once(&package).chain(&siblings) {
            let script = format!("{DPKG_INFO}/{name}.postinst");
            let Some(text) = read_text(root, &script, MAX_TEXT_SIZE) else { continue };
            for dir in created_directories(&text) {
                created.push((dir.clone(), format!("{script} creates {dir}")));
            }
        }
        let files = shipped.iter().flat_map(|(files, _)| files.iter().cloned()).collect();
        Declared { paths: declared_paths(root, &shipped, &created), files: Some(files) }
    }
}

/// `samba-common` of `samba-common.list`, `libfoo` of `libfoo:amd64.list`.
fn package_of(list_name: &str) -> &str {
    let name = list_name.trim_end_matches(".list");
    name.split(':').next().unwrap_or(name)
}

fn read_installed(root: &RootFs) -> BTreeMap<String, Installed> {
    read_text(root, "/var/lib/dpkg/status", MAX_LIST_SIZE).map(|text| installed_packages(&text)).unwrap_or_default()
}

/// What a maintainer script, a tmpfiles.d or logrotate.d file and the like hold at most.
const MAX_TEXT_SIZE: u64 = 1024 * 1024;

/// The text of the file `inside` the root (bytes that are not UTF-8 replaced); None when it is
/// not there, is larger than `limit` or cannot be read: such a file declares nothing.
fn read_text(root: &RootFs, inside: &str, limit: u64) -> Option<String> {
    let real = root.real_path(inside)?;
    let (bytes, _) = super::files::read_limited(root, &real, limit).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// How deep includes of includes are followed.
const MAX_INCLUDE_DEPTH: usize = 3;

/// The paths a configuration file the package ships names under /var and /run, into `out`:
/// each one's own directory there (`/var/log/postgresql` for its `pgbouncer.log`), or the file
/// alone right in /var/log or /run; the files it includes are read the same way. A setting
/// whose path is known only at run time, or a file there that cannot be read, into
/// `out.unreadable`.
fn configured(root: &RootFs, config: &str, depth: usize, out: &mut Writable) {
    // A file that is not there is read by no one.
    let Some(real) = root.real_path(config) else { return };
    let read = super::files::read_limited(root, &real, MAX_TEXT_SIZE)
        .and_then(|(bytes, _)| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned()));
    let text = match read {
        Ok(text) => text,
        Err(e) => {
            out.unreadable.push(format!("{config}, a configuration file the service reads, cannot be read: {e}"));
            return;
        }
    };
    let read = configured_paths(&text);
    for (path, line) in read.paths {
        // A file right in /var/log or /run is its own name there: only that file.
        if let Some((dir, name)) = state_dir_and_name(&path) {
            out.paths.push((format!("-{dir}/{name}"), format!("{config}:{line} names {path}")));
        }
    }
    for (line, setting) in read.unreadable {
        out.unreadable.push(format!(
            "{config}:{line} `{setting}`: a path known only when the program runs, so where it writes cannot be read"
        ));
    }
    for (target, line) in read.includes {
        if depth >= MAX_INCLUDE_DEPTH {
            out.unreadable.push(format!("{config}:{line} includes {target}, deeper than {MAX_INCLUDE_DEPTH} files"));
            continue;
        }
        for file in included_files(root, &target) {
            configured(root, &file, depth + 1, out);
        }
    }
}

/// The regular files an include names: the file, the files of the directory, or those a `*`
/// pattern of its last part matches; sorted. One that is not there yet includes nothing.
fn included_files(root: &RootFs, target: &str) -> Vec<String> {
    let (dir, pattern) = target.rsplit_once('/').unwrap_or(("", target));
    let whole_dir = pattern.is_empty() || root.stat(&root.join_inside(target)).is_ok_and(|m| m.kind == Kind::Dir);
    let (dir, pattern) = match whole_dir {
        true => (target.trim_end_matches('/'), "*"),
        false if !pattern.contains(['*', '?']) => return vec![target.to_owned()],
        false => (dir, pattern),
    };
    let Ok(entries) = root.list_dir(&root.join_inside(dir)) else { return Vec::new() };
    let mut files: Vec<String> = entries
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| super::shell::glob_match(pattern, name) == Some(true) && !name.starts_with('.'))
        .map(|name| format!("{dir}/{name}"))
        .filter(|f| root.real_path(f).is_some_and(|real| root.stat(&real).is_ok_and(|m| m.kind == Kind::File)))
        .collect();
    files.sort();
    files
}

/// Paths to keep writable under ProtectSystem=strict, each with why, sorted: from the files
/// each package of `shipped` ships (the second field names it) and the directories its
/// maintainer scripts create (`created`: path, why).
fn declared_paths(
    root: &RootFs,
    shipped: &[(Vec<String>, String)],
    created: &[(String, String)],
) -> Vec<(String, String)> {
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for (files, whose) in shipped {
        for f in files {
            if let Some(name) = state_name(f) {
                names.insert((name.to_owned(), format!("{whose} ships {f}")));
            }
        }
    }
    // What is created, not shipped, is kept writable where it is created alone.
    let tmpfiles = shipped.iter().flat_map(|(files, _)| files).filter(|f| is_tmpfiles_conf(f));
    let tmpfiles_created = tmpfiles
        .flat_map(|f| tmpfiles_path_list(root, f).into_iter().map(move |p| (p.clone(), format!("{f} creates {p}"))));
    for (path, why) in created.iter().cloned().chain(tmpfiles_created) {
        if let Some((dir, name)) = state_dir_and_name(&path) {
            out.push((format!("-{dir}/{name}"), format!("{dir}/{name}: {why}")));
        }
    }
    for f in shipped.iter().flat_map(|(files, _)| files).filter(|f| f.starts_with("/etc/logrotate.d/")) {
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

fn is_tmpfiles_conf(path: &str) -> bool {
    ["/usr/lib/tmpfiles.d/", "/lib/tmpfiles.d/", "/etc/tmpfiles.d/"]
        .iter()
        .any(|d| path.strip_prefix(d).is_some_and(|n| !n.contains('/') && n.ends_with(".conf")))
}

fn tmpfiles_path_list(root: &RootFs, inside: &str) -> Vec<String> {
    read_text(root, inside, MAX_TEXT_SIZE).map(|text| tmpfiles_paths(&text)).unwrap_or_default()
}

/// `samba` of `/var/log/samba` or `/var/log/samba/cores`.
fn state_name(path: &str) -> Option<&str> {
    state_dir_and_name(path).map(|(_, name)| name)
}

/// (`/var/log`, `postgresql`) of `/var/log/postgresql/pgbouncer.log`.
fn state_dir_and_name(path: &str) -> Option<(&'static str, &str)> {
    STATE_DIRS.iter().find_map(|d| {
        let rest = path.strip_prefix(d)?.strip_prefix('/')?;
        rest.split('/').next().filter(|n| !n.is_empty() && !n.contains(['*', '?', '$'])).map(|n| (*d, n))
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
    match root.stat_unless_known(&real, seen) {
        Ok(meta) if meta.kind == Kind::File && meta.len <= MAX_LIST_SIZE => {
            root.read_stated_into(&real, &meta, MAX_LIST_SIZE, bytes).is_ok()
        }
        _ => false,
    }
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
    let Some(text) = read_text(root, inside, MAX_TEXT_SIZE) else { return Vec::new() };
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
            let paths = packages.writable_paths(&root, "/lib/systemd/system/food.service", &[]).paths;
            let names: Vec<&str> = paths.iter().map(|p| p.0.as_str()).collect();
            assert!(names.contains(&"-/var/lib/food"), "{names:?}");
            assert!(!names.iter().any(|n| n.contains("later") || n.contains("other") || n.contains("md5sums")));
            assert!(paths[0].1.contains("package food ships /var/lib/food"), "{paths:?}");
        }
        assert_eq!(packages.writable_paths(&root, "/usr/lib/systemd/system/none.service", &[]), Writable::default());
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
            .writable_paths(&root, "/lib/systemd/system/food.service", &[])
            .paths
            .into_iter()
            .map(|p| p.0)
            .collect();
        for p in ["-/var/lib/food", "-/var/log/food", "-/run/food", "-/var/lib/fooland", "-/var/log/food.log"] {
            assert!(paths.iter().any(|x| x == p), "{p}: {paths:?}");
        }
    }

    #[test]
    fn a_build_root_declares_its_tmpfiles_and_what_its_configuration_names() {
        let t = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let p = t.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        };
        write("usr/lib/tmpfiles.d/food.conf", "d /run/foodsock 0755 food food -\n");
        write("etc/food/food.conf", "log = /var/log/foodlogs/food.log\ninclude /etc/food/conf.d/*.conf\n");
        write("etc/food/conf.d/a.conf", "pid /var/run/foodpid/food.pid\n");
        write("etc/food/conf.d/b.conf.dpkg-old", "pid /var/run/old/food.pid\n");
        let root = RootFs::new(t.path()).unwrap();
        let unit = "/lib/systemd/system/food.service";
        write("etc/food/big.conf", &"x".repeat(1024 * 1024 + 1));
        let config = ["/etc/food/food.conf", "/etc/food/none.conf", "/etc/food/big.conf"].map(str::to_owned);
        let read = Packages::default().writable_paths(&root, unit, &config);
        let paths: Vec<&str> = read.paths.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(paths, ["-/run/foodpid", "-/run/foodsock", "-/var/log/foodlogs"], "{read:?}");
        // A file that is there but cannot be read: its paths are not known. One not there
        // is read by no one.
        assert_eq!(read.unreadable.len(), 1, "{read:?}");
        assert!(read.unreadable[0].starts_with("/etc/food/big.conf"), "{read:?}");
        // A directory given on the command line: all its files (more than a program reading
        // only `*.conf` there uses: a path more is writable, none is missed).
        let read = Packages::default().writable_paths(&root, unit, &["/etc/food/conf.d".to_owned()]);
        let paths: Vec<&str> = read.paths.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(paths, ["-/run/foodpid", "-/run/foodsock", "-/run/old"]);
        // A setting expanded at run time, and includes deeper than followed.
        write("etc/food/food.conf", "log = /var/log/food/$name.log\ninclude /etc/food/food.conf\n");
        let read = Packages::default().writable_paths(&root, unit, &config[..1]);
        assert!(read.unreadable[0].contains("food.conf:1 `log = /var/log/food/$name.log`"), "{read:?}");
        assert!(read.unreadable.iter().any(|u| u.contains("deeper than")), "{read:?}");
    }
}
