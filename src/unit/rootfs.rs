//! A directory treated as `/`: symlinks are followed as a chroot would follow them, never
//! out of it, and every write stays inside it and is atomic.
//!
//! Packages ship alias symlinks (`foo.service -> /lib/systemd/system/bar.service`) and masks
//! (`foo.service -> /dev/null`); in a build root the absolute target means the same path inside
//! the root, exactly as `systemctl --root` and `systemd-analyze --root` read it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::tree::{Kind, MemTree, Stat};
use super::LoadError;

/// Largest unit file or drop-in read; real ones are a few KiB.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
/// Symlinks followed for one path before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A path inside the root with no symlink left in it.
    Real(PathBuf),
    /// The last link points at `/dev/null`: a masked unit or drop-in.
    DevNull,
    /// Nothing there (a missing file or a dangling link inside the root).
    Missing,
}

#[derive(Debug, Clone)]
pub struct RootFs {
    root: PathBuf,
    /// A package read into memory: `root` is then the package's path, and nothing is on disk.
    tree: Option<Arc<MemTree>>,
}

impl RootFs {
    /// `dir` must exist; it is canonicalised so that prefix checks are exact.
    pub fn new(dir: &Path) -> Result<RootFs, LoadError> {
        let root = fs::canonicalize(dir).map_err(|e| LoadError::new(dir, format!("cannot use as root: {e}")))?;
        // /proc/PID/root and links like it canonicalise to "/": a build root given that way
        // would turn every write into a write to the host's own unit directories.
        if root == Path::new("/") && dir != Path::new("/") {
            return Err(LoadError::new(
                dir,
                "cannot use as root: it leads to the host's / (give the directory itself)",
            ));
        }
        if !root.is_dir() {
            return Err(LoadError::new(dir, "cannot use as root: not a directory"));
        }
        Ok(RootFs { root, tree: None })
    }

    /// The host's own `/`.
    pub fn host() -> RootFs {
        RootFs { root: PathBuf::from("/"), tree: None }
    }

    /// A package's files, read into `tree`; paths inside it are shown under `package`.
    pub fn in_memory(package: &Path, tree: MemTree) -> RootFs {
        RootFs { root: package.to_owned(), tree: Some(Arc::new(tree)) }
    }

    /// Whether this is a package read into memory (nothing can be written to it).
    pub fn is_in_memory(&self) -> bool {
        self.tree.is_some()
    }

    pub fn dir(&self) -> &Path {
        &self.root
    }

    pub fn is_host(&self) -> bool {
        self.tree.is_none() && self.root == Path::new("/")
    }

    /// The tree's own path for `path` (which lies inside the root).
    fn in_tree<'a>(&self, path: &'a Path) -> io::Result<&'a Path> {
        path.strip_prefix(&self.root).map_err(|_| io::ErrorKind::NotFound.into())
    }

    /// `lstat(2)` of a path inside the root.
    pub fn lstat(&self, path: &Path) -> io::Result<Stat> {
        match &self.tree {
            Some(tree) => tree.lstat(self.in_tree(path)?),
            None => fs::symlink_metadata(path).map(|m| stat_of(&m)),
        }
    }

    /// `stat(2)` of a path that [`Self::resolve`] returned (in memory, no symlink is left
    /// in such a path, so it is its `lstat`).
    pub fn stat(&self, real: &Path) -> io::Result<Stat> {
        match &self.tree {
            Some(tree) => tree.lstat(self.in_tree(real)?),
            None => fs::metadata(real).map(|m| stat_of(&m)),
        }
    }

    /// [`Self::stat`] of `real`, unless the caller has it already (`known`: what a lookup
    /// that found the file saw).
    pub fn stat_unless_known(&self, real: &Path, known: Option<Stat>) -> io::Result<Stat> {
        known.map_or_else(|| self.stat(real), Ok)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        match &self.tree {
            Some(tree) => tree.read_link(self.in_tree(path)?),
            None => fs::read_link(path),
        }
    }

    /// The entries of a directory (a path without symlinks), each with whether it may be a
    /// symlink; names that are not UTF-8 are left out (no unit has one). An error when it
    /// cannot be listed or searched.
    pub fn list_dir(&self, real_dir: &Path) -> io::Result<Vec<(String, bool)>> {
        if let Some(tree) = &self.tree {
            return tree.list(self.in_tree(real_dir)?);
        }
        Ok(self.list_dir_kinds(real_dir)?.into_iter().map(|(name, kind)| (name, kind.is_none())).collect())
    }

    /// [`Self::list_dir`] with what each entry is as the listing says it: None for a symlink
    /// or an entry it does not say (then only a look at it tells), so that a caller needs no
    /// look of its own at the others.
    pub fn list_dir_kinds(&self, real_dir: &Path) -> io::Result<Vec<(String, Option<Kind>)>> {
        if let Some(tree) = &self.tree {
            let rel = self.in_tree(real_dir)?;
            let entries = tree.list(rel)?;
            let kind = |name: &str| tree.lstat(&rel.join(name)).ok().map(|m| m.kind);
            return Ok(entries.into_iter().map(|(name, link)| (name.clone(), kind(&name).filter(|_| !link))).collect());
        }
        // Looking at an entry needs search permission, listing only read permission.
        fs::symlink_metadata(real_dir.join("."))?;
        let mut out = Vec::new();
        for entry in fs::read_dir(real_dir)? {
            let entry = entry?;
            let kind = entry.file_type().ok().map(kind_of).filter(|k| *k != Kind::Symlink);
            if let Ok(name) = entry.file_name().into_string() {
                out.push((name, kind));
            }
        }
        Ok(out)
    }

    /// At most `limit` bytes of a regular file that [`Self::resolve`] returned, with its mode.
    pub fn read_bytes(&self, real: &Path, limit: u64) -> io::Result<(Vec<u8>, u32)> {
        let meta = self.stat(real)?;
        Ok((self.read_stated(real, &meta, limit)?, meta.mode))
    }

    /// [`Self::read_bytes`] of a file whose `stat` the caller has.
    pub fn read_stated(&self, real: &Path, meta: &Stat, limit: u64) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_stated_into(real, meta, limit, &mut bytes)?;
        Ok(bytes)
    }

    /// [`Self::read_stated`] into `bytes` (emptied first), whose room a caller reading many
    /// files keeps.
    pub fn read_stated_into(&self, real: &Path, meta: &Stat, limit: u64, bytes: &mut Vec<u8>) -> io::Result<()> {
        bytes.clear();
        if let Some(tree) = &self.tree {
            *bytes = tree.read(self.in_tree(real)?, limit)?;
            return Ok(());
        }
        // Read up to the size `stat` gave: the read that would only find the end is not
        // made (one system call of the four a file costs). A file that says it is empty,
        // as those of /proc do, is read to its end.
        let size = if meta.len > 0 { meta.len.min(limit) } else { limit };
        bytes.reserve(meta.len.min(limit) as usize);
        fs::File::open(real)?.take(size).read_to_end(bytes)?;
        Ok(())
    }

    /// `root/rel` for a path given as seen from inside the root (`/lib/systemd/system`).
    pub fn join_inside(&self, inside: &str) -> PathBuf {
        self.root.join(inside.trim_start_matches('/'))
    }

    /// The real path of `inside` (a path as seen from inside the root), symlinks followed
    /// within the root; `None` when it leads nowhere or would leave the root.
    pub fn real_path(&self, inside: &str) -> Option<PathBuf> {
        match self.resolve(&self.join_inside(inside)) {
            Ok(Resolved::Real(real)) => Some(real),
            _ => None,
        }
    }

    /// True when `path` (absolute, not yet resolved) lies lexically inside the root.
    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }

    /// Follows `path` (which must lie inside the root) component by component. An absolute
    /// link target restarts at the root; a `..` that would climb above the root is an error.
    pub fn resolve(&self, path: &Path) -> Result<Resolved, LoadError> {
        self.resolve_counting(path).map(|(resolved, _)| resolved)
    }

    /// [`Self::resolve`], and how many symlinks it followed.
    fn resolve_counting(&self, path: &Path) -> Result<(Resolved, usize), LoadError> {
        let rel = path
            .strip_prefix(&self.root)
            .map_err(|_| LoadError::new(path, format!("is outside the root {}", self.root.display())))?;
        self.resolve_from(path, self.root.clone(), components_rev(rel), 0)
    }

    /// The walk of [`Self::resolve`] for `path` from where it stands: `done` reached (a path
    /// without symlinks), the components `todo` left (last first), `links` followed so far.
    fn resolve_from(
        &self,
        path: &Path,
        mut done: PathBuf,
        mut todo: Vec<PathBuf>,
        mut links: usize,
    ) -> Result<(Resolved, usize), LoadError> {
        while let Some(part) = todo.pop() {
            if part == Path::new("..") {
                if done == self.root {
                    return Err(LoadError::new(path, format!("symlink leads out of the root {}", self.root.display())));
                }
                done.pop();
                continue;
            }
            let candidate = done.join(&part);
            let meta = match self.lstat(&candidate) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Resolved::Missing, links)),
                Err(e) if e.raw_os_error() == Some(20) => return Ok((Resolved::Missing, links)), // ENOTDIR
                Err(e) => return Err(LoadError::new(&candidate, e.to_string())),
            };
            if meta.kind != Kind::Symlink {
                done = candidate;
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(LoadError::new(path, "too many levels of symbolic links (a symlink loop)"));
            }
            let target = self.read_link(&candidate).map_err(|e| LoadError::new(&candidate, e.to_string()))?;
            if target == Path::new("/dev/null") {
                let resolved = if todo.is_empty() { Resolved::DevNull } else { Resolved::Missing };
                return Ok((resolved, links));
            }
            if target.is_absolute() {
                done = self.root.clone();
            }
            todo.extend(components_rev(&target));
        }
        Ok((Resolved::Real(done), links))
    }

    /// Reads a unit file or drop-in that `resolve` returned, refusing directories, special
    /// files, files over MAX_FILE_SIZE and text that is not UTF-8.
    pub fn read_text(&self, shown: &Path, real: &Path) -> Result<String, LoadError> {
        let meta = self.stat(real).map_err(|e| LoadError::new(shown, e.to_string()))?;
        if meta.kind == Kind::Dir {
            return Err(LoadError::new(shown, "is a directory, not a unit file"));
        }
        if meta.kind != Kind::File {
            return Err(LoadError::new(shown, "is not a regular file"));
        }
        if meta.len > MAX_FILE_SIZE {
            return Err(LoadError::new(
                shown,
                format!("is {} bytes; unit files over {} bytes are refused", meta.len, MAX_FILE_SIZE),
            ));
        }
        let bytes =
            self.read_stated(real, &meta, MAX_FILE_SIZE + 1).map_err(|e| LoadError::new(shown, e.to_string()))?;
        // systemd would read a NUL as a line break; a unit file with one is a binary file
        // by mistake, and hardenunit will not edit it.
        // `contains` of a byte is a memchr: the whole file is looked at only for the line.
        if let Some(pos) = bytes.contains(&0).then(|| bytes.iter().position(|b| *b == 0)).flatten() {
            let line = bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1;
            return Err(LoadError {
                path: shown.to_owned(),
                line: Some(line),
                message: "NUL byte: not a text file".into(),
            });
        }
        String::from_utf8(bytes).map_err(|e| {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            LoadError { path: shown.to_owned(), line: Some(line), message: "invalid UTF-8".into() }
        })
    }

    /// Checks that `dir` and every directory between it and the root are real directories
    /// (no symlink), creating the missing ones. Writes never pass through a symlink.
    pub fn ensure_dir(&self, dir: &Path) -> Result<(), LoadError> {
        self.walk_dirs(dir, true)
    }

    /// Checks that `dir` and every directory between it and the root that exists is a real
    /// directory (no symlink), creating nothing.
    pub fn check_dirs(&self, dir: &Path) -> Result<(), LoadError> {
        self.walk_dirs(dir, false)
    }

    /// [`Self::ensure_dir`] that returns the directories it created, outermost first, so
    /// that a failed run can remove them again.
    pub fn create_dirs(&self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        self.check_dirs(dir)?;
        let missing: Vec<PathBuf> =
            dir.ancestors().take_while(|d| fs::symlink_metadata(d).is_err()).map(Path::to_owned).collect();
        let mut created = Vec::new();
        for d in missing.into_iter().rev() {
            fs::create_dir(&d).map_err(|e| LoadError::new(&d, format!("cannot create: {e}")))?;
            created.push(d);
        }
        Ok(created)
    }

    fn walk_dirs(&self, dir: &Path, create: bool) -> Result<(), LoadError> {
        if self.is_in_memory() {
            return Err(LoadError::new(&self.root, "is a built package: it is read, never written"));
        }
        let rel = dir
            .strip_prefix(&self.root)
            .map_err(|_| LoadError::new(dir, format!("refusing to write outside the root {}", self.root.display())))?;
        let mut cur = self.root.clone();
        for c in rel.components() {
            let Component::Normal(part) = c else {
                return Err(LoadError::new(dir, "refusing a path with '..' or '.' in it"));
            };
            cur.push(part);
            match fs::symlink_metadata(&cur) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(LoadError::new(&cur, "is a symlink; refusing to write through it"));
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(LoadError::new(&cur, "is not a directory")),
                Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(&cur).map_err(|e| LoadError::new(&cur, format!("cannot create: {e}")))?;
                }
                Err(e) => return Err(LoadError::new(&cur, e.to_string())),
            }
        }
        Ok(())
    }

    /// Writes `contents` to `path` inside the root through a temporary file in the same
    /// directory and a rename, so a reader never sees half a file. An existing file keeps its
    /// permission bits; a new one gets 0644. A symlink at `path` is replaced, never followed.
    pub fn write_atomic(&self, path: &Path, contents: &[u8]) -> Result<(), LoadError> {
        let parent = path.parent().ok_or_else(|| LoadError::new(path, "has no parent directory"))?;
        self.ensure_dir(parent)?;
        let mode = match fs::symlink_metadata(path) {
            Ok(m) if m.is_file() => Some(m.permissions()),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(LoadError::new(path, "is a symlink; refusing to write through or over it"));
            }
            Ok(_) => return Err(LoadError::new(path, "exists and is not a regular file")),
            Err(_) => None,
        };
        let err = |e: io::Error| LoadError::new(path, format!("cannot write: {e}"));
        let mut tmp = tempfile::Builder::new().prefix(".hardenunit-").tempfile_in(parent).map_err(err)?;
        tmp.write_all(contents).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        let perms = mode.unwrap_or_else(|| {
            use std::os::unix::fs::PermissionsExt;
            fs::Permissions::from_mode(0o644)
        });
        fs::set_permissions(tmp.path(), perms).map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

impl RootFs {
    /// Removes a regular file inside the root (hardenunit's own drop-in, when the policy
    /// no longer adds anything to the unit).
    pub fn remove_file(&self, path: &Path) -> Result<(), LoadError> {
        let parent = path.parent().ok_or_else(|| LoadError::new(path, "has no parent directory"))?;
        self.walk_dirs(parent, false)?;
        match fs::symlink_metadata(path) {
            Ok(m) if m.is_file() => {
                fs::remove_file(path).map_err(|e| LoadError::new(path, format!("cannot remove: {e}")))
            }
            Ok(_) => Err(LoadError::new(path, "is not a regular file; refusing to remove it")),
            Err(_) => Ok(()),
        }
    }
}

/// [`RootFs::resolve`] for many paths that share directories (unit directories, /usr/bin,
/// /usr/lib/x86_64-linux-gnu): each directory is resolved once and remembered, then a path
/// in it costs one look at its last component. A last component that is a symlink is
/// followed by [`RootFs::resolve`]'s walk from the directory, with the links the directory
/// took counted, so links are counted, confined to the root and reported exactly as there.
/// For one run that reads the tree: what it remembers is not updated when the tree changes.
#[derive(Debug)]
pub struct Resolver {
    fs: RootFs,
    /// Each directory resolved, with the symlinks followed on the way; keyed by the path's
    /// bytes, which hash faster than its components (a path written another way is only
    /// resolved again).
    dirs: RefCell<HashMap<OsString, (Resolved, usize)>>,
}

impl Resolver {
    pub fn new(fs: RootFs) -> Resolver {
        Resolver { fs, dirs: RefCell::default() }
    }

    pub fn fs(&self) -> &RootFs {
        &self.fs
    }

    /// What [`RootFs::resolve`] gives for `path`.
    pub fn resolve(&self, path: &Path) -> Result<Resolved, LoadError> {
        self.resolve_counting(path).map(|(resolved, _)| resolved)
    }

    /// What [`RootFs::resolve`] gives for `path`, with the `stat` of what it leads to when
    /// the walk looked at it already (a last component that is no symlink): a caller that
    /// needs it does not look again.
    pub fn resolve_stat(&self, path: &Path) -> Result<(Resolved, Option<Stat>), LoadError> {
        self.resolve_seen(path).map(|(resolved, _, seen)| (resolved, seen))
    }

    fn resolve_counting(&self, path: &Path) -> Result<(Resolved, usize), LoadError> {
        self.resolve_seen(path).map(|(resolved, links, _)| (resolved, links))
    }

    fn resolve_seen(&self, path: &Path) -> Result<Seen, LoadError> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return self.fs.resolve_counting(path).map(unseen);
        };
        if !self.fs.contains(parent) {
            return self.fs.resolve_counting(path).map(unseen); // the root itself, or outside it: an error
        }
        match self.resolve_dir_counting(parent) {
            Ok((Resolved::Real(real_parent), links)) => self.resolve_in_seen(path, &real_parent, links, name),
            // Resolving a path walks its directory first and stops where that stops.
            Ok((Resolved::Missing, links)) => Ok((Resolved::Missing, links, None)),
            _ => self.fs.resolve_counting(path).map(unseen),
        }
    }

    /// [`Self::resolve`], remembered when it succeeds (for a directory).
    pub fn resolve_dir(&self, dir: &Path) -> Result<Resolved, LoadError> {
        self.resolve_dir_counting(dir).map(|(resolved, _)| resolved)
    }

    fn resolve_dir_counting(&self, dir: &Path) -> Result<(Resolved, usize), LoadError> {
        if let Some(r) = self.dirs.borrow().get(dir.as_os_str()) {
            return Ok(r.clone());
        }
        let r = self.resolve_counting(dir)?;
        self.dirs.borrow_mut().insert(dir.as_os_str().to_owned(), r.clone());
        Ok(r)
    }

    /// What [`RootFs::resolve`] gives for `path`, whose directory resolves to
    /// `real_parent` (a path without symlinks) and whose last component is `name`.
    pub fn resolve_in(&self, path: &Path, real_parent: &Path, name: &std::ffi::OsStr) -> Result<Resolved, LoadError> {
        // The links the directory took count towards the limit: known when it was resolved here.
        let dir = path.parent().and_then(|p| self.dirs.borrow().get(p.as_os_str()).cloned());
        match dir {
            Some((Resolved::Real(real), links)) if real == real_parent => {
                self.resolve_in_counting(path, real_parent, links, name).map(|(resolved, _)| resolved)
            }
            _ => self.resolve_in_counting(path, real_parent, usize::MAX, name).map(|(resolved, _)| resolved),
        }
    }

    /// [`Self::resolve_in`] for an entry that a listing of its directory says is a symlink
    /// (or does not say what it is): its link is read straight away, without a look at the
    /// entry first. A listing that was wrong only costs that look after all.
    pub fn resolve_link_in(
        &self,
        path: &Path,
        real_parent: &Path,
        name: &std::ffi::OsStr,
    ) -> Result<Resolved, LoadError> {
        let dir = path.parent().and_then(|p| self.dirs.borrow().get(p.as_os_str()).cloned());
        if let Some((Resolved::Real(real), links)) = dir {
            let plain = !(name == ".." || name == "." || name.is_empty() || name.as_encoded_bytes().contains(&b'/'));
            if real == real_parent && plain {
                if let Some(seen) = self.follow_link(path, &real_parent.join(name), links) {
                    return seen.map(|(resolved, _, _)| resolved);
                }
            }
        }
        self.resolve_in(path, real_parent, name)
    }

    /// `links`: followed on the way to `real_parent`; usize::MAX when not known, and then a
    /// symlink is followed from the start.
    fn resolve_in_counting(
        &self,
        path: &Path,
        real_parent: &Path,
        links: usize,
        name: &std::ffi::OsStr,
    ) -> Result<(Resolved, usize), LoadError> {
        self.resolve_in_seen(path, real_parent, links, name).map(|(resolved, links, _)| (resolved, links))
    }

    fn resolve_in_seen(
        &self,
        path: &Path,
        real_parent: &Path,
        links: usize,
        name: &std::ffi::OsStr,
    ) -> Result<Seen, LoadError> {
        if name == ".." || name == "." || name.is_empty() || name.as_encoded_bytes().contains(&b'/') {
            return self.fs.resolve_counting(path).map(unseen);
        }
        let candidate = real_parent.join(name);
        match self.fs.lstat(&candidate) {
            // No symlink: its lstat is its stat.
            Ok(m) if m.kind != Kind::Symlink => Ok((Resolved::Real(candidate), links, Some(m))),
            Ok(_) if links == usize::MAX => self.fs.resolve_counting(path).map(unseen),
            Ok(_) => match self.follow_link(path, &candidate, links) {
                Some(seen) => seen,
                // RootFs::resolve stands here after the directory: go on from there.
                None => {
                    self.fs.resolve_from(path, real_parent.to_owned(), vec![PathBuf::from(name)], links).map(unseen)
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((Resolved::Missing, links, None)),
            Err(e) if e.raw_os_error() == Some(20) => Ok((Resolved::Missing, links, None)), // ENOTDIR
            Err(e) => Err(LoadError::new(&candidate, e.to_string())),
        }
    }

    /// Where the symlink `link` (a path without symlinks before its last component, reached
    /// with `links` followed) leads, as [`RootFs::resolve`]'s walk goes on from it, with the
    /// directory of its target looked up through the directories remembered here: an
    /// absolute alias link (`/lib/systemd/system/foo.service`) costs one look at its target
    /// instead of one per component. None where the walk's own answer is needed: a link
    /// past the limit, a target with `.` or `..`, anything the walk would report as an error.
    fn follow_link(&self, path: &Path, link: &Path, links: usize) -> Option<Result<Seen, LoadError>> {
        let links = links + 1;
        if links > MAX_LINKS {
            return None;
        }
        let target = self.fs.read_link(link).ok()?;
        if target == Path::new("/dev/null") {
            return Some(Ok((Resolved::DevNull, links, None)));
        }
        let (base, rel) = match target.strip_prefix("/") {
            Ok(rel) => (self.fs.root.as_path(), rel),
            Err(_) => (link.parent()?, target.as_path()),
        };
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return None;
        }
        let name = rel.file_name()?;
        let dir = match rel.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => base.join(d),
            // A link to a file beside it: its directory is where the walk stands.
            None if !target.is_absolute() => return Some(self.resolve_in_seen(path, base, links, name)),
            None => base.to_owned(),
        };
        let dir = dir.as_path();
        match self.resolve_dir_counting(dir) {
            Ok((Resolved::Real(real_dir), more)) if links + more <= MAX_LINKS => {
                Some(self.resolve_in_seen(path, &real_dir, links + more, name))
            }
            Ok((Resolved::Missing, more)) if links + more <= MAX_LINKS => {
                Some(Ok((Resolved::Missing, links + more, None)))
            }
            _ => None,
        }
    }
}

/// A path resolved, the links followed on the way, and the `stat` of where it leads when
/// the walk saw it.
type Seen = (Resolved, usize, Option<Stat>);

fn unseen((resolved, links): (Resolved, usize)) -> Seen {
    (resolved, links, None)
}

fn stat_of(m: &fs::Metadata) -> Stat {
    use std::os::unix::fs::PermissionsExt;
    Stat { kind: kind_of(m.file_type()), len: m.len(), mode: m.permissions().mode() }
}

fn kind_of(t: fs::FileType) -> Kind {
    if t.is_symlink() {
        Kind::Symlink
    } else if t.is_dir() {
        Kind::Dir
    } else if t.is_file() {
        Kind::File
    } else {
        Kind::Other
    }
}

fn components_rev(p: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<PathBuf> = p
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(PathBuf::from(s)),
            Component::ParentDir => Some(PathBuf::from("..")),
            _ => None,
        })
        .collect();
    parts.reverse();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn follows_links_as_a_chroot() {
        let t = tempfile::tempdir().unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let d = root.join_inside("lib/systemd/system");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("real.service"), "[Service]\n").unwrap();
        symlink("/lib/systemd/system/real.service", d.join("abs.service")).unwrap();
        symlink("real.service", d.join("rel.service")).unwrap();
        symlink("/dev/null", d.join("masked.service")).unwrap();
        symlink("../../../../../../outside", d.join("escape.service")).unwrap();
        symlink("loop2.service", d.join("loop1.service")).unwrap();
        symlink("loop1.service", d.join("loop2.service")).unwrap();
        symlink("/etc/passwd", d.join("missing.service")).unwrap();
        let real = Resolved::Real(root.dir().join("lib/systemd/system/real.service"));
        assert_eq!(root.resolve(&d.join("abs.service")).unwrap(), real);
        assert_eq!(root.resolve(&d.join("rel.service")).unwrap(), real);
        assert_eq!(root.resolve(&d.join("masked.service")).unwrap(), Resolved::DevNull);
        assert!(root.resolve(&d.join("escape.service")).unwrap_err().message.contains("out of the root"));
        assert!(root.resolve(&d.join("loop1.service")).unwrap_err().message.contains("loop"));
        assert_eq!(root.resolve(&d.join("missing.service")).unwrap(), Resolved::Missing);
    }

    #[test]
    fn the_resolver_resolves_as_the_root_does() {
        let t = tempfile::tempdir().unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let d = root.join_inside("usr/lib/systemd/system");
        fs::create_dir_all(&d).unwrap();
        fs::create_dir_all(root.join_inside("etc")).unwrap();
        fs::write(d.join("real.service"), "[Service]\n").unwrap();
        fs::write(root.join_inside("etc/file"), "").unwrap();
        symlink("usr/lib", root.join_inside("lib")).unwrap();
        symlink("/lib/systemd/system/real.service", d.join("abs.service")).unwrap();
        symlink("/dev/null", d.join("masked.service")).unwrap();
        symlink("../../../../../../outside", d.join("escape.service")).unwrap();
        symlink("../../../../..", root.join_inside("etc/up")).unwrap();
        symlink("loop2", root.join_inside("etc/loop1")).unwrap();
        symlink("loop1", root.join_inside("etc/loop2")).unwrap();
        symlink("/dev/null", root.join_inside("etc/null")).unwrap();
        symlink("real.service", d.join("rel.service")).unwrap();
        // Links whose target's directory is looked up through the resolver's directories.
        fs::create_dir_all(root.join_inside("etc/sub")).unwrap();
        fs::write(root.join_inside("etc/sub/real"), "x").unwrap();
        symlink("sub/real", root.join_inside("etc/rel2")).unwrap();
        symlink("/etc/null/x", root.join_inside("etc/through-null")).unwrap();
        symlink("/nowhere/x", root.join_inside("etc/nowhere")).unwrap();
        symlink("/", root.join_inside("etc/slash")).unwrap();
        symlink("./file", root.join_inside("etc/dot")).unwrap();
        symlink("/etc/rel2", root.join_inside("etc/abs-to-rel")).unwrap();
        symlink("/lib/systemd/system/chain35", root.join_inside("etc/into-chain")).unwrap();
        // A chain of 41 links in a directory reached through one (lib), ending in a path through
        // lib again: from its fourth link on it is within the limit of 40.
        for i in 0..40 {
            symlink(format!("chain{}", i + 1), d.join(format!("chain{i}"))).unwrap();
        }
        symlink("/lib/systemd/system/real.service", d.join("chain40")).unwrap();
        let resolver = Resolver::new(root.clone());
        let mut paths = vec![
            "lib/systemd/system/rel.service",
            "lib/systemd/system/chain0",
            "lib/systemd/system/chain1",
            "lib/systemd/system/chain2",
            "lib/systemd/system/chain3",
            "lib/systemd/system/chain4",
            "usr/lib/systemd/system/chain0",
            "usr/lib/systemd/system/chain1",
            "usr/lib/systemd/system/chain2",
            "lib/systemd/system/real.service",
            "lib/systemd/system/abs.service",
            "lib/systemd/system/masked.service",
            "lib/systemd/system/escape.service",
            "lib/systemd/system/none.service",
            "lib/systemd/none/x",
            "lib/systemd/system/real.service/x",
            "etc/file/x",
            "etc/up/x",
            "etc/up",
            "etc/loop1",
            "etc/loop1/x",
            "etc/null",
            "etc/null/x",
            "etc/../lib/systemd/system/real.service",
            "etc/./file",
            "etc/rel2",
            "etc/through-null",
            "etc/nowhere",
            "etc/slash",
            "etc/slash/etc/file",
            "etc/dot",
            "etc/abs-to-rel",
            "etc/into-chain",
            "",
        ];
        assert!(root.resolve(&root.join_inside("lib/systemd/system/chain2")).is_err());
        assert!(root.resolve(&root.join_inside("lib/systemd/system/chain3")).is_ok());
        paths.sort(); // directories first met through a link and without one
                      // Twice: the second time from what the resolver remembers.
        for _ in 0..2 {
            for p in &paths {
                let path = root.join_inside(p);
                assert_eq!(resolver.resolve(&path), root.resolve(&path), "{p}");
                // The stat the walk saw is what stat(2) says of where it led.
                let (resolved, seen) =
                    resolver.resolve_stat(&path).map_err(|e| e.message).unwrap_or((Resolved::Missing, None));
                if let (Resolved::Real(real), Some(seen)) = (&resolved, seen) {
                    let stat = root.stat(real).unwrap();
                    assert_eq!((seen.kind, seen.len, seen.mode), (stat.kind, stat.len, stat.mode), "{p}");
                }
                if let Ok(Resolved::Real(real_dir)) = resolver.resolve_dir(path.parent().unwrap()) {
                    let name = path.file_name().unwrap();
                    assert_eq!(resolver.resolve_in(&path, &real_dir, name), root.resolve(&path), "{p}");
                }
            }
            let outside = t.path().parent().unwrap().join("elsewhere");
            assert_eq!(resolver.resolve(&outside), root.resolve(&outside));
        }
        let seen = |p: &str| resolver.resolve_stat(&root.join_inside(p)).unwrap().1.map(|m| m.kind);
        assert_eq!(seen("lib/systemd/system/real.service"), Some(Kind::File));
        assert_eq!(seen("lib/systemd/system"), Some(Kind::Dir));
    }

    #[test]
    fn writes_refuse_symlinked_dirs_and_keep_mode() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let root = RootFs::new(t.path()).unwrap();
        symlink(out.path(), t.path().join("evil.d")).unwrap();
        assert!(root.write_atomic(&t.path().join("evil.d/x.conf"), b"x").is_err());
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);
        let f = t.path().join("a/b/f");
        root.write_atomic(&f, b"one").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
        root.write_atomic(&f, b"two").unwrap();
        assert_eq!(fs::read_to_string(&f).unwrap(), "two");
        assert_eq!(fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(root.write_atomic(Path::new("/tmp/elsewhere"), b"x").is_err());
    }

    #[test]
    fn a_file_is_read_as_far_as_its_stat_said_and_one_said_empty_to_its_end() {
        let t = tempfile::tempdir().unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let f = t.path().join("list");
        fs::write(&f, "/.\n/usr\n").unwrap();
        let meta = root.stat(&f).unwrap();
        // Grown after its stat: what the stat said is what is read.
        fs::write(&f, "/.\n/usr\n/usr/bin\n").unwrap();
        assert_eq!(root.read_stated(&f, &meta, 1024).unwrap(), b"/.\n/usr\n");
        let mut bytes = b"kept from before".to_vec();
        let short = Stat { len: 2, ..meta };
        root.read_stated_into(&f, &short, 1024, &mut bytes).unwrap();
        assert_eq!(bytes, b"/.");
        // /proc's files say they are empty and are not.
        let status = Path::new("/proc/self/status");
        let said = RootFs::host().stat(status).unwrap();
        assert_eq!(said.len, 0);
        assert!(RootFs::host().read_stated(status, &said, 1 << 20).unwrap().starts_with(b"Name:"));
    }

    #[test]
    fn a_listing_says_what_each_entry_is_but_a_symlink() {
        let t = tempfile::tempdir().unwrap();
        let root = RootFs::new(t.path()).unwrap();
        fs::create_dir(t.path().join("dir")).unwrap();
        fs::write(t.path().join("file"), "").unwrap();
        symlink("file", t.path().join("link")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(t.path().join("socket")).unwrap();
        let mut listed = root.list_dir_kinds(root.dir()).unwrap();
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        let kinds: Vec<(&str, Option<Kind>)> = listed.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        assert_eq!(
            kinds,
            [("dir", Some(Kind::Dir)), ("file", Some(Kind::File)), ("link", None), ("socket", Some(Kind::Other))]
        );
        let mut plain = root.list_dir(root.dir()).unwrap();
        plain.sort();
        assert_eq!(plain, listed.iter().map(|(n, k)| (n.clone(), k.is_none())).collect::<Vec<_>>());
    }
}
