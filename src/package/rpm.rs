//! An .rpm: the lead, signature and header (read by the `rpm` crate), then the payload, a
//! compressed `cpio` archive (newc) of the files.

use std::collections::HashMap;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;

use super::{decompress, EntryKind, TreeBuilder};

const S_IFMT: u32 = 0o170000;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;

pub(super) fn read(mut reader: impl BufRead, tree: &mut TreeBuilder) -> io::Result<()> {
    let metadata =
        ::rpm::PackageMetadata::parse(&mut reader).map_err(|e| io::Error::other(format!("not an RPM package: {e}")))?;
    let compression = match metadata.get_payload_compressor() {
        Ok(::rpm::CompressionType::None) => "none",
        Ok(::rpm::CompressionType::Gzip) => "gzip",
        Ok(::rpm::CompressionType::Zstd) => "zstd",
        Ok(::rpm::CompressionType::Xz) => "xz",
        Ok(::rpm::CompressionType::Bzip2) => "bzip2",
        Err(e) => return Err(io::Error::other(format!("payload compressor: {e}"))),
    };
    let mut payload = io::BufReader::with_capacity(128 * 1024, decompress(compression, reader)?);
    // newc stores a hard-linked file's bytes with its last name only: the names met before
    // wait for them, by inode.
    let mut waiting: HashMap<u32, Vec<PathBuf>> = HashMap::new();
    loop {
        let mut entry = cpio::NewcReader::new(&mut payload).map_err(|e| payload_error(&e))?;
        if entry.entry().is_trailer() {
            break;
        }
        let name = PathBuf::from(entry.entry().name());
        let mode = entry.entry().mode();
        let size = u64::from(entry.entry().file_size());
        let (ino, nlink) = (entry.entry().ino(), entry.entry().nlink());
        let kind = match mode & S_IFMT {
            S_IFDIR => EntryKind::Dir,
            S_IFREG if nlink > 1 && size == 0 => {
                waiting.entry(ino).or_default().push(name);
                entry.finish().map_err(|e| payload_error(&e))?;
                continue;
            }
            S_IFREG => EntryKind::File,
            S_IFLNK => {
                let mut target = Vec::new();
                (&mut entry).take(4096).read_to_end(&mut target)?;
                EntryKind::Symlink(PathBuf::from(String::from_utf8_lossy(&target).into_owned()))
            }
            _ => EntryKind::Other,
        };
        let is_file = matches!(kind, EntryKind::File);
        tree.add(&name, kind, mode, size, &mut entry).map_err(|e| payload_error(&e))?;
        if is_file {
            for other in waiting.remove(&ino).unwrap_or_default() {
                tree.add(&other, EntryKind::HardLink(name.clone()), mode, 0, &mut io::empty())?;
            }
        }
        entry.finish().map_err(|e| payload_error(&e))?;
    }
    io::copy(&mut payload, &mut io::sink()).map_err(|e| payload_error(&e))?;
    Ok(())
}

fn payload_error(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("payload: {e}"))
}
