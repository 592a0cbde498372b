//! Finding units and their drop-ins the way systemd 252 does, inside a root.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::document::Document;
use super::name::UnitName;
use super::rootfs::{Resolved, Resolver, RootFs};
use super::tree::Kind;
use super::{Fragment, LoadError, LoadedUnit, Scope};

/// Unit directories in priority order (an earlier one overrides a later one), as seen from
/// inside the root. Debian 12 installs into `lib/`, Debian 13 and RPM distributions into
/// `usr/lib/`; a build root may hold either.
const SYSTEM_DIRS: &[&str] = &[
    "etc/systemd/system",
    "run/systemd/system",
    "usr/local/lib/systemd/system",
    "usr/lib/systemd/system",
    "lib/systemd/system",
];
const USER_DIRS: &[&str] =
    &["etc/systemd/user", "run/systemd/user", "usr/local/lib/systemd/user", "usr/lib/systemd/user", "lib/systemd/user"];

#[derive(Debug, Clone)]
pub enum LoadOutcome {
    Unit(Box<LoadedUnit>),
    /// Linked to /dev/null (or an empty file): systemd will not start it; nothing to harden.
    Masked {
        name: UnitName,
        path: PathBuf,
    },
}

impl LoadOutcome {
    pub fn name(&self) -> &UnitName {
        match self {
            LoadOutcome::Unit(u) => &u.name,
            LoadOutcome::Masked { name, .. } => name,
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            LoadOutcome::Unit(u) => u.path(),
            LoadOutcome::Masked { path, .. } => path,
        }
    }
}

pub struct Loader {
    fs: RootFs,
    /// The root as the user named it, for showing paths.
    given_root: Option<PathBuf>,
    /// Unit directories (and a unit file's own directory) are resolved once: every unit
    /// looks for its drop-in directories in all of them.
    resolver: Resolver,
    /// What those directories hold (by real path; None when it cannot be listed), so that
    /// looking for a drop-in directory that is not there costs no system call.
    listings: RefCell<HashMap<PathBuf, Option<Rc<Listing>>>>,
    /// The unit symlinks of each unit directory (by real path) with the files they lead to,
    /// resolved once: every unit loaded looks through all of them for its aliases.
    links: RefCell<HashMap<PathBuf, Rc<Links>>>,
    /// The root's system and user unit directories, joined once.
    search: [Vec<PathBuf>; 2],
    /// The same, looked up once: every unit loaded asks each of them for drop-ins and aliases.
    search_looked_up: [OnceCell<Vec<Rc<UnitDir>>>; 2],
    /// The directories of unit files given by path, looked up once each.
    file_dirs: RefCell<HashMap<OsString, Rc<UnitDir>>>,
}

/// Entry name -> whether it may be a symlink (a symlink, or a type the listing did not say).
type Listing = HashMap<String, bool>;

/// A directory as [`Loader::dir_view`] found it.
struct DirView {
    resolved: Result<Resolved, LoadError>,
    listing: Option<Rc<Listing>>,
}

/// A unit directory with what loading a unit asks of it: where it leads and what it holds,
/// and (when first asked) its symlinks that may be aliases.
struct UnitDir {
    path: PathBuf,
    /// `path` rebuilt from its components: two paths are equal (as `Path`s) when these are
    /// equal byte for byte, which is quicker to tell when they are not.
    components: OsString,
    view: DirView,
    links: OnceCell<Rc<Links>>,
}

/// A directory's symlinks named like units that lead to a file named like a unit, by the
/// prefix of that file's name (the only ones that can be aliases of a unit with that
/// prefix), each list in link name order: (link, name of the file it leads to).
type Links = HashMap<String, Vec<(UnitName, UnitName)>>;

impl Loader {
    /// `root`: a build root (`debian/PKG`, `%{buildroot}`), a built package (`.deb`,
    /// `.rpm`, read into memory), or None for the host.
    pub fn new(root: Option<&Path>) -> Result<Loader, LoadError> {
        match root {
            Some(r) if crate::package::Format::of(r).is_some() => Ok(Loader::with_fs(crate::package::read(r)?)),
            Some(r) => Ok(Loader { given_root: Some(r.to_owned()), ..Loader::with_fs(RootFs::new(r)?) }),
            None => Ok(Loader::with_fs(RootFs::host())),
        }
    }

    /// A loader for a root already opened. A package's paths are shown as inside it
    /// (`/lib/systemd/system/foo.service`); the package is named beside them.
    pub fn with_fs(fs: RootFs) -> Loader {
        let given_root = fs.is_in_memory().then(|| PathBuf::from("/"));
        let join = |dirs: &[&str]| dirs.iter().map(|d| fs.join_inside(d)).collect();
        Loader {
            resolver: Resolver::new(fs.clone()),
            search: [join(SYSTEM_DIRS), join(USER_DIRS)],
            fs,
            given_root,
            listings: RefCell::default(),
            links: RefCell::default(),
            search_looked_up: Default::default(),
            file_dirs: RefCell::default(),
        }
    }

    pub fn rootfs(&self) -> &RootFs {
        &self.fs
    }

    pub fn given_root(&self) -> Option<&Path> {
        self.given_root.as_deref()
    }

    /// The entries of `real_dir` (a path without symlinks), read once; None when it cannot
    /// be listed or searched, and then every name is looked at on its own.
    fn listing(&self, real_dir: &Path) -> Option<Rc<Listing>> {
        if let Some(l) = self.listings.borrow().get(real_dir) {
            return l.clone();
        }
        // A name that is not UTF-8 is never looked up.
        let listing = self.fs.list_dir(real_dir).ok().map(|entries| Rc::new(entries.into_iter().collect::<Listing>()));
        self.listings.borrow_mut().insert(real_dir.to_owned(), listing.clone());
        listing
    }

    /// `dir` resolved and, when it is a real directory, listed: looked up once for the many
    /// names asked of it (a unit's drop-in directories in every unit directory).
    fn dir_view(&self, dir: &Path) -> DirView {
        let resolved = self.resolve_dir(dir);
        let listing = match &resolved {
            Ok(Resolved::Real(real_dir)) => self.listing(real_dir),
            _ => None,
        };
        DirView { resolved, listing }
    }

    /// `self.fs.resolve(&dir.join(name))` for a plain file name, with `dir` resolved and
    /// listed once (`view`).
    fn resolve_child_in(&self, dir: &Path, view: &DirView, name: &str) -> Result<Resolved, LoadError> {
        match &view.resolved {
            Ok(Resolved::Real(real_dir)) => {
                if let Some(listing) = view.listing.as_ref().filter(|_| is_plain_name(name)) {
                    return match listing.get(name) {
                        None => Ok(Resolved::Missing),
                        Some(&may_be_link) => self.resolve_listed(dir, real_dir, name, may_be_link),
                    };
                }
                self.resolve_under(dir, real_dir, name)
            }
            // Resolving dir/name walks dir first and stops where it does.
            Ok(Resolved::Missing) if is_plain_name(name) => Ok(Resolved::Missing),
            _ => self.fs.resolve(&dir.join(name)),
        }
    }

    fn resolve_dir(&self, dir: &Path) -> Result<Resolved, LoadError> {
        self.resolver.resolve_dir(dir)
    }

    /// `self.fs.resolve(&dir.join(name))` where `real_dir` is what `dir` resolves to.
    fn resolve_under(&self, dir: &Path, real_dir: &Path, name: &str) -> Result<Resolved, LoadError> {
        self.resolver.resolve_in(&dir.join(name), real_dir, name.as_ref())
    }

    /// [`Self::resolve_under`] for a name its directory's listing says may be a symlink.
    fn resolve_link_under(&self, dir: &Path, real_dir: &Path, name: &str) -> Result<Resolved, LoadError> {
        self.resolver.resolve_link_in(&dir.join(name), real_dir, name.as_ref())
    }

    /// [`Self::resolve_under`] for an entry of a listing of `real_dir`: one the listing says
    /// is no symlink is where it stands, without a look of its own.
    fn resolve_listed(
        &self,
        dir: &Path,
        real_dir: &Path,
        name: &str,
        may_be_link: bool,
    ) -> Result<Resolved, LoadError> {
        if may_be_link {
            self.resolve_link_under(dir, real_dir, name)
        } else {
            Ok(Resolved::Real(real_dir.join(name)))
        }
    }

    pub fn search_dirs(&self, scope: Scope) -> Vec<PathBuf> {
        self.search_dirs_of(scope).to_vec()
    }

    fn search_dirs_of(&self, scope: Scope) -> &[PathBuf] {
        &self.search[scope_index(scope)]
    }

    /// [`Self::search_dirs`], looked up.
    fn search_unit_dirs(&self, scope: Scope) -> &[Rc<UnitDir>] {
        let i = scope_index(scope);
        self.search_looked_up[i].get_or_init(|| self.search[i].iter().map(|d| Rc::new(self.unit_dir(d))).collect())
    }

    fn unit_dir(&self, dir: &Path) -> UnitDir {
        let components = dir.components().collect::<PathBuf>().into_os_string();
        UnitDir { path: dir.to_owned(), components, view: self.dir_view(dir), links: OnceCell::new() }
    }

    /// The directory of a unit file given by path, looked up once.
    fn file_dir(&self, dir: &Path) -> Rc<UnitDir> {
        if let Some(d) = self.file_dirs.borrow().get(dir.as_os_str()) {
            return d.clone();
        }
        let d = Rc::new(self.unit_dir(dir));
        self.file_dirs.borrow_mut().insert(dir.as_os_str().to_owned(), d.clone());
        d
    }

    fn links_of(&self, dir: &UnitDir) -> Rc<Links> {
        dir.links.get_or_init(|| self.links_in(&dir.path)).clone()
    }

    /// Every unit whose type is in `types` found in the root's unit directories, system
    /// then user, each name once (the highest-priority directory wins). Aliases are folded
    /// into the unit they point to. Errors are returned beside the units that did load.
    pub fn discover(&self, types: &[&str]) -> (Vec<LoadOutcome>, Vec<LoadError>) {
        let mut outcomes = Vec::new();
        let mut errors = Vec::new();
        for scope in [Scope::System, Scope::User] {
            let unit_dirs = self.search_unit_dirs(scope);
            let dirs = self.search_dirs_of(scope);
            // name -> (path as found, what it resolves to)
            let mut found: BTreeMap<UnitName, (PathBuf, Resolved)> = BTreeMap::new();
            for dir in dirs {
                let real_dir = match self.resolve_dir(dir) {
                    Ok(Resolved::Real(real_dir)) => real_dir,
                    Ok(_) => continue,
                    Err(e) => {
                        errors.push(unit_dir_error(dir, e));
                        continue;
                    }
                };
                let Ok(mut entries) = self.fs.list_dir(&real_dir) else { continue };
                entries.sort();
                for (n, may_be_link) in entries {
                    let Some(name) = UnitName::parse(&n) else { continue };
                    if !types.contains(&name.unit_type()) || found.contains_key(&name) {
                        continue;
                    }
                    let shown = dir.join(&n);
                    match self.resolve_listed(dir, &real_dir, &n, may_be_link) {
                        Ok(r) => {
                            found.insert(name, (shown, r));
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
            // Aliases: a link whose target has another unit name.
            let mut aliases: BTreeMap<UnitName, Vec<String>> = BTreeMap::new();
            let mut real_units: Vec<(UnitName, PathBuf, PathBuf)> = Vec::new();
            for (name, (shown, resolved)) in &found {
                match resolved {
                    Resolved::DevNull => outcomes.push(LoadOutcome::Masked { name: name.clone(), path: shown.clone() }),
                    Resolved::Missing => errors.push(LoadError::new(
                        shown,
                        "dangling symlink: its target does not exist inside the root; not followed",
                    )),
                    Resolved::Real(real) => {
                        let target_name = real.file_name().and_then(|s| s.to_str()).and_then(UnitName::parse);
                        match target_name {
                            Some(t) if t != *name && found.contains_key(&t) => {
                                aliases.entry(t).or_default().push(name.to_string())
                            }
                            _ => real_units.push((name.clone(), shown.clone(), real.clone())),
                        }
                    }
                }
            }
            for (name, shown, real) in real_units {
                let alias_names = aliases.remove(&name).unwrap_or_default();
                match self.load_fragment_set(name, scope, &shown, &real, alias_names, unit_dirs) {
                    Ok(o) => outcomes.push(o),
                    Err(e) => errors.push(e),
                }
            }
        }
        (outcomes, errors)
    }

    /// A unit named on the command line: a path to a file, or a bare name looked up in the
    /// root's unit directories.
    pub fn load(&self, arg: &str) -> Result<LoadOutcome, LoadError> {
        if !arg.contains('/') {
            if let Some(name) = UnitName::parse(arg) {
                if !Path::new(arg).exists() || !self.fs.is_host() {
                    return self.load_name(&name);
                }
            }
        }
        self.load_path(Path::new(arg))
    }

    pub fn load_name(&self, name: &UnitName) -> Result<LoadOutcome, LoadError> {
        let lookup = if name.instance().is_some_and(|i| !i.is_empty()) { name.template() } else { None };
        for scope in [Scope::System, Scope::User] {
            let dirs = self.search_unit_dirs(scope);
            for candidate in std::iter::once(name.clone()).chain(lookup.clone()) {
                for dir in dirs {
                    let shown = dir.path.join(candidate.as_str());
                    match self.resolve_child_in(&dir.path, &dir.view, candidate.as_str())? {
                        Resolved::Missing => continue,
                        Resolved::DevNull => return Ok(LoadOutcome::Masked { name: name.clone(), path: shown }),
                        Resolved::Real(real) => {
                            let name = alias_target(name, &real).unwrap_or_else(|| name.clone());
                            let aliases = self.aliases_of(&name, dirs);
                            return self.load_fragment_set(name, scope, &shown, &real, aliases, dirs);
                        }
                    }
                }
            }
        }
        Err(LoadError::new(Path::new(name.as_str()), "no such unit in the search path"))
    }

    /// A unit file given by path: its own directory is searched first for drop-ins, then the
    /// root's unit directories, as `systemd-analyze security --offline=true FILE` does.
    pub fn load_path(&self, path: &Path) -> Result<LoadOutcome, LoadError> {
        let abs = if path.is_absolute() {
            path.to_owned()
        } else {
            std::env::current_dir().map_err(|e| LoadError::new(path, e.to_string()))?.join(path)
        };
        let abs = normalize_lexically(&abs);
        let file_name = abs.file_name().and_then(|s| s.to_str()).unwrap_or("");
        let name = UnitName::parse(file_name).ok_or_else(|| {
            if abs.is_dir() {
                LoadError::new(path, "is a directory, not a unit file (use --root DIR to scan a tree)")
            } else {
                LoadError::new(path, "not a unit file name (expected NAME.service, NAME@.service, NAME.socket, ...)")
            }
        })?;
        let parent = abs.parent().unwrap_or(Path::new("/"));
        let parent_dir = self.file_dir(parent);
        // Resolve the directory, then the file; a path outside --root is refused.
        let parent_real = match &parent_dir.view.resolved {
            Ok(Resolved::Real(p)) => p,
            Ok(_) => return Err(LoadError::new(path, "no such file or directory")),
            Err(e) => return Err(e.clone()),
        };
        let shown = path.to_owned();
        // The directory is listed anyway (its symlinks may be aliases of the unit): a file
        // there that is no symlink needs no look of its own.
        let resolved = match parent_dir.view.listing.as_ref().map(|l| l.get(file_name).copied()) {
            Some(None) => Resolved::Missing,
            Some(Some(false)) => Resolved::Real(parent_real.join(file_name)),
            _ => self
                .resolve_under(parent_real, parent_real, file_name)
                .map_err(|e| LoadError { path: shown.clone(), ..e })?,
        };
        let scope = Scope::of_unit_path(&abs);
        let mut dirs = vec![parent_dir.clone()];
        dirs.extend(self.search_unit_dirs(scope).iter().filter(|d| d.components != parent_dir.components).cloned());
        match resolved {
            Resolved::Missing => Err(LoadError::new(path, "no such file (or a dangling symlink)")),
            Resolved::DevNull => Ok(LoadOutcome::Masked { name, path: shown }),
            Resolved::Real(real) => {
                let name = alias_target(&name, &real).unwrap_or(name);
                let aliases = self.aliases_of(&name, &dirs);
                self.load_fragment_set(name, scope, &shown, &real, aliases, &dirs)
            }
        }
    }

    /// The other names of `unit`: symlinks in `dirs` of its type whose target file is named
    /// like the unit (or its template), as systemd's unit name map records them. Their
    /// drop-in directories apply to the unit too.
    fn aliases_of(&self, unit: &UnitName, dirs: &[Rc<UnitDir>]) -> Vec<String> {
        let mut aliases: Vec<String> = Vec::new();
        for dir in dirs {
            let links = self.links_of(dir);
            for (link_name, target) in links.get(unit.prefix()).into_iter().flatten() {
                if link_name == unit || aliases.iter().any(|a| a == link_name.as_str()) {
                    continue;
                }
                if alias_target_named(link_name, target.clone()).as_ref() == Some(unit) {
                    aliases.push(link_name.to_string());
                } else if let (Some(i), Some(t)) = (unit.instance().filter(|i| !i.is_empty()), unit.template()) {
                    if link_name.is_template() && alias_target_named(link_name, target.clone()).as_ref() == Some(&t) {
                        aliases.push(link_name.with_instance(i).to_string());
                    }
                }
            }
        }
        aliases
    }

    /// The symlinks of `dir` that may be aliases, resolved once per loader and directory (one
    /// reached by two paths, /lib and /usr/lib on a merged-/usr system, once). Where a link
    /// is followed from does not change where it leads, only how many links it took; the
    /// path with more (through a symlinked directory) adds no alias the other lacks.
    fn links_in(&self, dir: &Path) -> Rc<Links> {
        let Ok(Resolved::Real(real_dir)) = self.resolve_dir(dir) else { return Rc::default() };
        if let Some(links) = self.links.borrow().get(&real_dir) {
            return links.clone();
        }
        let mut links = Links::new();
        if let Some(listing) = self.listing(&real_dir) {
            let mut names: Vec<&String> =
                listing.iter().filter(|(_, may_be_link)| **may_be_link).map(|(n, _)| n).collect();
            names.sort();
            for link in names {
                let Some(link_name) = UnitName::parse(link) else { continue };
                let Ok(Resolved::Real(real)) = self.resolve_link_under(dir, &real_dir, link) else { continue };
                let Some(target) = real.file_name().and_then(|s| s.to_str()).and_then(UnitName::parse) else {
                    continue;
                };
                links.entry(target.prefix().to_owned()).or_default().push((link_name, target));
            }
        }
        let links = Rc::new(links);
        self.links.borrow_mut().insert(real_dir, links.clone());
        links
    }

    fn load_fragment_set(
        &self,
        name: UnitName,
        scope: Scope,
        shown: &Path,
        real: &Path,
        aliases: Vec<String>,
        dirs: &[Rc<UnitDir>],
    ) -> Result<LoadOutcome, LoadError> {
        let text = self.fs.read_text(shown, real)?;
        if text.trim().is_empty() && self.fs.stat(real).map(|m| m.len == 0).unwrap_or(false) {
            // systemd treats an empty unit file like a link to /dev/null.
            return Ok(LoadOutcome::Masked { name, path: shown.to_owned() });
        }
        let doc = parse(shown, &text)?;
        let mut fragments =
            vec![Fragment { path: shown.to_owned(), real_path: real.to_owned(), doc, is_dropin: false }];
        let mut names = vec![name.clone()];
        names.extend(aliases.iter().filter_map(|a| UnitName::parse(a)));
        for (shown_dropin, real_dropin) in self.dropins(&names, dirs)? {
            let text = self.fs.read_text(&shown_dropin, &real_dropin)?;
            let doc = parse(&shown_dropin, &text)?;
            fragments.push(Fragment { path: shown_dropin, real_path: real_dropin, doc, is_dropin: true });
        }
        Ok(LoadOutcome::Unit(Box::new(LoadedUnit { name, scope, aliases, fragments })))
    }

    /// `*.conf` files of every drop-in directory that applies, the first of each file name
    /// winning (drop-in directory names most specific first, then directory priority), then
    /// sorted by file name: the order systemd applies them in.
    fn dropins(&self, names: &[UnitName], dirs: &[Rc<UnitDir>]) -> Result<Vec<(PathBuf, PathBuf)>, LoadError> {
        let mut by_name: BTreeMap<String, Option<(PathBuf, PathBuf)>> = BTreeMap::new();
        // A directory met again (/lib and /usr/lib on a merged-/usr system) adds nothing:
        // every file of it is in `by_name` already.
        let mut read_dirs: Vec<PathBuf> = Vec::new();
        for name in names {
            for dropin_dir in name.dropin_dir_names() {
                for UnitDir { path: dir, view, .. } in dirs.iter().map(Rc::as_ref) {
                    let Ok(Resolved::Real(real_dir)) = self.resolve_child_in(dir, view, &dropin_dir) else { continue };
                    if read_dirs.contains(&real_dir) {
                        continue;
                    }
                    read_dirs.push(real_dir.clone());
                    let Ok(entries) = self.fs.list_dir(&real_dir) else { continue };
                    let d = dir.join(&dropin_dir);
                    let mut files: Vec<String> =
                        entries.into_iter().map(|(name, _)| name).filter(|n| n.ends_with(".conf")).collect();
                    files.sort();
                    for f in files {
                        if by_name.contains_key(&f) {
                            continue;
                        }
                        let shown = d.join(&f);
                        let entry = match self.resolve_under(&real_dir, &real_dir, &f)? {
                            Resolved::Real(r) => {
                                let file = self.fs.stat(&r).ok().filter(|m| m.kind == Kind::File);
                                file.is_some_and(|m| m.len > 0).then_some((shown, r))
                            }
                            // systemd skips a masked or dangling drop-in (and its name
                            // then hides the same name in later directories).
                            Resolved::DevNull | Resolved::Missing => None,
                        };
                        by_name.insert(f, entry);
                    }
                }
            }
        }
        Ok(by_name.into_values().flatten().collect())
    }
}

/// A file whose last assignment runs into the end of the file (a trailing backslash) is
/// read as systemd reads it; hardening refuses it (see [`open_continuation_error`]).
fn parse(shown: &Path, text: &str) -> Result<Document, LoadError> {
    Document::parse(text).map_err(|e| LoadError { path: shown.to_owned(), line: Some(e.line), message: e.message })
}

/// Why a unit is not hardened when one of its files ends inside a line continuation: systemd
/// reads what is there (and `score` does too), but such a file was most likely truncated,
/// and hardenunit does not write beside a unit whose last setting may be cut short.
pub fn open_continuation_error(unit: &LoadedUnit) -> Option<LoadError> {
    unit.fragments.iter().find_map(|f| {
        f.doc.open_continuation().map(|line| LoadError {
            path: f.path.clone(),
            line: Some(line),
            message: "line continuation (trailing backslash) runs into the end of the file; \
                      not hardened (the file looks truncated)"
                .into(),
        })
    })
}

/// A unit directory that cannot be searched (a link out of the root, a loop): said, so that
/// a root that yields no unit does not look like a package without units.
fn unit_dir_error(dir: &Path, e: LoadError) -> LoadError {
    LoadError::new(dir, format!("unit directory not searched: {}", e))
}

/// The unit `requested` really is when its file `real` (symlinks followed) has another unit
/// name of the same type: systemd loads an alias under its target's name, with the
/// target's drop-ins. An instance of an aliased template keeps its instance.
fn alias_target(requested: &UnitName, real: &Path) -> Option<UnitName> {
    alias_target_named(requested, real.file_name().and_then(|s| s.to_str()).and_then(UnitName::parse)?)
}

/// [`alias_target`] for a file named `target`.
fn alias_target_named(requested: &UnitName, target: UnitName) -> Option<UnitName> {
    if target.unit_type() != requested.unit_type() {
        return None;
    }
    let target = match requested.instance() {
        Some(i) if !i.is_empty() && target.is_template() => target.with_instance(i),
        _ if requested.instance().is_some() != target.instance().is_some() => return None,
        _ => target,
    };
    (target != *requested).then_some(target)
}

fn scope_index(scope: Scope) -> usize {
    match scope {
        Scope::System => 0,
        Scope::User => 1,
    }
}

/// A single path component that names an entry of a directory (not `.`, `..` or a path).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}

/// Removes `.` and folds `..` without touching the file system, so that a path argument is
/// judged by where it says it is, not by where a symlink would take it.
fn normalize_lexically(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
