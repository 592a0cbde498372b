//! A file tree held in memory: what a built package (.deb, .rpm) would install, read from
//! the archive without unpacking it. [`super::rootfs::RootFs`] serves it exactly as it serves
//! a directory, so the loader and the evidence read a package as they read a build root.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};

/// ENOTDIR, as a directory walk through a file gives it on disk.
const ENOTDIR: i32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    /// Device nodes, fifos: never read.
    Other,
}

/// What `lstat` tells of an entry.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub kind: Kind,
    pub len: u64,
    pub mode: u32,
}

#[derive(Debug)]
enum Node {
    Dir(BTreeSet<String>),
    File { mode: u32, len: u64, contents: Contents },
    Symlink(PathBuf),
    Other { mode: u32 },
}

/// What is kept of a file: everything, or for an ELF file only the parts its facts are read
/// from (the code of a large daemon is never looked at), the rest read back as zeros.
#[derive(Debug)]
pub enum Contents {
    Whole(Vec<u8>),
    Parts(Vec<(u64, Vec<u8>)>),
}

/// Paths relative to the tree's root, without `.` or `..`; the root itself is "".
#[derive(Debug)]
pub struct MemTree {
    nodes: HashMap<PathBuf, Node>,
}

impl Default for MemTree {
    fn default() -> Self {
        MemTree { nodes: HashMap::from([(PathBuf::new(), Node::Dir(BTreeSet::new()))]) }
    }
}

/// `./usr/lib/x`, `/usr/lib/x`, `usr/lib/x/` -> `usr/lib/x`; None for a path that climbs
/// (`..`), which no package may install.
pub fn normalize(archive_path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in archive_path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

impl MemTree {
    pub fn add_dir(&mut self, rel: &Path) {
        if !matches!(self.nodes.get(rel), Some(Node::Dir(_))) {
            self.insert(rel, Node::Dir(BTreeSet::new()));
        }
    }

    pub fn add_file(&mut self, rel: &Path, mode: u32, len: u64, contents: Contents) {
        self.insert(rel, Node::File { mode, len, contents });
    }

    pub fn add_symlink(&mut self, rel: &Path, target: &Path) {
        self.insert(rel, Node::Symlink(target.to_owned()));
    }

    pub fn add_other(&mut self, rel: &Path, mode: u32) {
        self.insert(rel, Node::Other { mode });
    }

    /// A hard link: another name for `target`'s bytes (archives store them once).
    pub fn add_hard_link(&mut self, rel: &Path, target: &Path) -> bool {
        let copy = match self.nodes.get(target) {
            Some(Node::File { mode, len, contents }) => Node::File {
                mode: *mode,
                len: *len,
                contents: match contents {
                    Contents::Whole(b) => Contents::Whole(b.clone()),
                    Contents::Parts(p) => Contents::Parts(p.clone()),
                },
            },
            _ => return false,
        };
        self.insert(rel, copy);
        true
    }

    /// A later entry replaces an earlier one of the same path, as unpacking would; the
    /// directories on the way are created.
    fn insert(&mut self, rel: &Path, node: Node) {
        if rel.as_os_str().is_empty() {
            return; // the root stays a directory
        }
        let mut parent = PathBuf::new();
        for c in rel.parent().into_iter().flat_map(Path::components) {
            let child = parent.join(c);
            let name = c.as_os_str().to_string_lossy().into_owned();
            self.dir_entries(&parent).insert(name);
            if !matches!(self.nodes.get(&child), Some(Node::Dir(_))) {
                self.nodes.insert(child.clone(), Node::Dir(BTreeSet::new()));
            }
            parent = child;
        }
        if let Some(name) = rel.file_name() {
            self.dir_entries(&parent).insert(name.to_string_lossy().into_owned());
        }
        self.nodes.insert(rel.to_owned(), node);
    }

    fn dir_entries(&mut self, rel: &Path) -> &mut BTreeSet<String> {
        let node = self.nodes.entry(rel.to_owned()).or_insert_with(|| Node::Dir(BTreeSet::new()));
        if !matches!(node, Node::Dir(_)) {
            *node = Node::Dir(BTreeSet::new());
        }
        match node {
            Node::Dir(entries) => entries,
            _ => unreachable!("made a directory above"),
        }
    }

    /// Like `lstat(2)` on the path relative to the root: NotFound, or ENOTDIR when a
    /// directory on the way is not one.
    pub fn lstat(&self, rel: &Path) -> io::Result<Stat> {
        if let Some(node) = self.nodes.get(rel) {
            return Ok(match node {
                Node::Dir(_) => Stat { kind: Kind::Dir, len: 0, mode: 0o40755 },
                Node::File { mode, len, .. } => Stat { kind: Kind::File, len: *len, mode: *mode },
                Node::Symlink(t) => Stat { kind: Kind::Symlink, len: t.as_os_str().len() as u64, mode: 0o120777 },
                Node::Other { mode } => Stat { kind: Kind::Other, len: 0, mode: *mode },
            });
        }
        let on_the_way_not_dir =
            rel.ancestors().skip(1).any(|a| matches!(self.nodes.get(a), Some(n) if !matches!(n, Node::Dir(_))));
        if on_the_way_not_dir {
            Err(io::Error::from_raw_os_error(ENOTDIR))
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    pub fn read_link(&self, rel: &Path) -> io::Result<PathBuf> {
        match self.nodes.get(rel) {
            Some(Node::Symlink(t)) => Ok(t.clone()),
            Some(_) => Err(io::Error::from_raw_os_error(22)), // EINVAL, as readlink(2)
            None => self.lstat(rel).map(|_| PathBuf::new()),
        }
    }

    /// Entry names and whether each is a symlink.
    pub fn list(&self, rel: &Path) -> io::Result<Vec<(String, bool)>> {
        match self.nodes.get(rel) {
            Some(Node::Dir(entries)) => Ok(entries
                .iter()
                .map(|n| {
                    let is_link = matches!(self.nodes.get(&rel.join(n)), Some(Node::Symlink(_)));
                    (n.clone(), is_link)
                })
                .collect()),
            Some(_) => Err(io::Error::from_raw_os_error(ENOTDIR)),
            None => self.lstat(rel).map(|_| Vec::new()),
        }
    }

    /// The bytes of a regular file (kept parts in place, zeros elsewhere), at most `limit`.
    pub fn read(&self, rel: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.nodes.get(rel) {
            Some(Node::File { len, contents, .. }) => {
                let bytes = match contents {
                    Contents::Whole(b) => b[..b.len().min(limit as usize)].to_vec(),
                    Contents::Parts(parts) => {
                        let mut data = vec![0u8; (*len).min(limit) as usize];
                        for (offset, part) in parts {
                            let start = (*offset as usize).min(data.len());
                            let end = (start + part.len()).min(data.len());
                            data[start..end].copy_from_slice(&part[..end - start]);
                        }
                        data
                    }
                };
                Ok(bytes)
            }
            Some(Node::Dir(_)) => Err(io::Error::from_raw_os_error(21)), // EISDIR
            Some(_) => Err(io::Error::other("not a regular file")),
            None => self.lstat(rel).map(|_| Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_a_directory_would() {
        let mut t = MemTree::default();
        t.add_file(Path::new("lib/systemd/system/a.service"), 0o100644, 3, Contents::Whole(b"abc".to_vec()));
        t.add_symlink(Path::new("lib/systemd/system/b.service"), Path::new("a.service"));
        assert_eq!(t.lstat(Path::new("lib/systemd")).unwrap().kind, Kind::Dir);
        assert_eq!(t.lstat(Path::new("lib/systemd/system/b.service")).unwrap().kind, Kind::Symlink);
        assert_eq!(t.lstat(Path::new("nothing")).unwrap_err().kind(), io::ErrorKind::NotFound);
        let through_file = t.lstat(Path::new("lib/systemd/system/a.service/x")).unwrap_err();
        assert_eq!(through_file.raw_os_error(), Some(ENOTDIR));
        let names = t.list(Path::new("lib/systemd/system")).unwrap();
        assert_eq!(names, vec![("a.service".into(), false), ("b.service".into(), true)]);
        assert_eq!(t.read(Path::new("lib/systemd/system/a.service"), 2).unwrap(), b"ab");
        t.add_file(Path::new("x"), 0o100755, 6, Contents::Parts(vec![(1, b"EL".to_vec())]));
        assert_eq!(t.read(Path::new("x"), 100).unwrap(), b"\0EL\0\0\0");
        assert_eq!(normalize(Path::new("./usr/lib/")), Some(PathBuf::from("usr/lib")));
        assert_eq!(normalize(Path::new("../etc")), None);
    }
}
