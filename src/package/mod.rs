//! Built packages (.deb, .rpm) as roots: each archive is streamed once, its files kept in a
//! [`MemTree`] (nothing is unpacked to disk), and the loader reads that tree exactly as it
//! reads a build root. Archive formats and compression are well-kept crates' (`ar`, `tar`,
//! `rpm`, `cpio`, `liblzma`, `zstd`, `flate2`), not decoders of our own.

mod deb;
mod rpm;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::evidence::elf;
use crate::unit::rootfs::RootFs;
use crate::unit::tree::{normalize, Contents, MemTree};
use crate::unit::LoadError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Deb,
    /// A Debian installer package: its units never run on an installed system.
    Udeb,
    Rpm,
}

impl Format {
    /// The format a file's name says, for a file (not a directory) that exists.
    pub fn of(path: &Path) -> Option<Format> {
        let format = match path.extension()?.to_str()? {
            "deb" => Format::Deb,
            "udeb" => Format::Udeb,
            "rpm" => Format::Rpm,
            _ => return None,
        };
        path.is_file().then_some(format)
    }
}

/// What the evidence may read whole: unit files and drop-ins (anything under a `systemd`
/// directory), the files a script sources, and any program (an executable file or a script). Other files (documentation, data) over
/// KEEP_WHOLE keep only their first bytes, enough to tell what they are, so that memory
/// follows what a package runs rather than what it ships.
const KEEP_WHOLE: u64 = 64 * 1024;
const KEEP_HEAD: usize = 4096;
/// Larger files are not read at all (as the evidence does not read them from a root).
const MAX_READ: u64 = 512 * 1024 * 1024;

/// Reads the package at `path` into memory as a root.
pub fn read(path: &Path) -> Result<RootFs, LoadError> {
    let err = |e: io::Error| LoadError::new(path, format!("cannot read the package: {e}"));
    let file = std::fs::File::open(path).map_err(err)?;
    let reader = io::BufReader::with_capacity(256 * 1024, file);
    let mut tree = TreeBuilder::default();
    match Format::of(path) {
        Some(Format::Deb) => deb::read(reader, &mut tree).map_err(err)?,
        Some(Format::Rpm) => rpm::read(reader, &mut tree).map_err(err)?,
        Some(Format::Udeb) => {
            return Err(LoadError::new(path, "is a .udeb (installer package): its units never run; not read"))
        }
        None => return Err(LoadError::new(path, "not a .deb or .rpm file")),
    }
    Ok(RootFs::in_memory(path, tree.tree))
}

/// An error about a file inside a package names the package first
/// (`foo.deb/lib/systemd/system/foo.service:3: ...`); a path that names it already is kept.
pub fn in_package(package: Option<&Path>, e: LoadError) -> LoadError {
    match package {
        Some(p) if !e.path.starts_with(p) => {
            LoadError { path: p.join(e.path.strip_prefix("/").unwrap_or(&e.path)), ..e }
        }
        _ => e,
    }
}

/// One archive entry as the tree takes it.
pub(crate) enum EntryKind {
    Dir,
    File,
    Symlink(PathBuf),
    HardLink(PathBuf),
    Other,
}

#[derive(Default)]
pub(crate) struct TreeBuilder {
    tree: MemTree,
}

impl TreeBuilder {
    /// Adds an entry named `name` in the archive; a regular file's bytes are read from
    /// `data` (`size` long), all of them, so the archive stream stays in step.
    pub fn add(&mut self, name: &Path, kind: EntryKind, mode: u32, size: u64, data: &mut dyn Read) -> io::Result<()> {
        let Some(rel) = normalize(name) else {
            return Err(io::Error::other(format!("{}: a path that climbs out of the package", name.display())));
        };
        match kind {
            EntryKind::Dir => self.tree.add_dir(&rel),
            EntryKind::Symlink(target) => self.tree.add_symlink(&rel, &target),
            EntryKind::HardLink(target) => {
                let target = normalize(&target).unwrap_or_default();
                if !self.tree.add_hard_link(&rel, &target) {
                    return Err(io::Error::other(format!("{}: hard link to a file not met before", name.display())));
                }
            }
            EntryKind::Other => self.tree.add_other(&rel, mode),
            EntryKind::File => {
                let in_unit_dirs = rel.components().any(|c| c.as_os_str() == "systemd");
                let contents = read_contents(data, size, mode & 0o111 != 0 || in_unit_dirs)?;
                self.tree.add_file(&rel, mode, size, contents);
            }
        }
        Ok(())
    }
}

/// What is kept of a file: see [`Contents`]. The whole of `data` is consumed.
fn read_contents(data: &mut dyn Read, size: u64, keep_whole: bool) -> io::Result<Contents> {
    if size > MAX_READ {
        io::copy(data, &mut io::sink())?;
        return Ok(Contents::Parts(Vec::new()));
    }
    let mut head = Vec::with_capacity(KEEP_HEAD.min(size as usize));
    data.take(KEEP_HEAD as u64).read_to_end(&mut head)?;
    let is_elf = elf::is_elf(&head);
    if !is_elf && !keep_whole && !head.starts_with(b"#!") && size > KEEP_WHOLE {
        io::copy(data, &mut io::sink())?;
        return Ok(Contents::Parts(vec![(0, head)]));
    }
    let mut bytes = head;
    bytes.reserve(size as usize - bytes.len().min(size as usize));
    data.read_to_end(&mut bytes)?;
    if bytes.len() as u64 != size {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shorter than its header says"));
    }
    if !is_elf {
        return Ok(Contents::Whole(bytes));
    }
    // Only the parts of an ELF file that its facts are read from are kept.
    let mut parts: Vec<(u64, Vec<u8>)> = Vec::new();
    elf::read_needed(size, |buf, offset| {
        let start = offset as usize;
        buf.copy_from_slice(&bytes[start..start + buf.len()]);
        parts.push((offset, buf.to_vec()));
        Ok(())
    })?;
    Ok(Contents::Parts(parts))
}

/// A decompressing reader for a member or payload compressed with `compression`.
pub(crate) fn decompress<'a>(compression: &str, inner: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        "" | "none" => Box::new(inner),
        "xz" | "lzma" => {
            // liblzma's auto decoder also takes the old .lzma format dpkg still accepts.
            let stream = liblzma::stream::Stream::new_auto_decoder(u64::MAX, 0).map_err(io::Error::other)?;
            Box::new(liblzma::read::XzDecoder::new_stream(io::BufReader::with_capacity(64 * 1024, inner), stream))
        }
        "zst" | "zstd" => Box::new(zstd::stream::read::Decoder::new(inner)?),
        "gz" | "gzip" => Box::new(flate2::read::MultiGzDecoder::new(inner)),
        other => return Err(io::Error::other(format!("{other} compression is not supported"))),
    })
}
