//! A .deb: an `ar` archive whose `data.tar[.xz|.zst|.gz]` member holds the files.

use std::io::{self, Read};
use std::path::PathBuf;

use super::{decompress, EntryKind, TreeBuilder};

pub(super) fn read(reader: impl Read, tree: &mut TreeBuilder) -> io::Result<()> {
    let mut archive = ar::Archive::new(reader);
    let mut saw_version = false;
    while let Some(member) = archive.next_entry() {
        let member = member.map_err(|e| io::Error::other(format!("not a Debian package (ar archive): {e}")))?;
        let name = String::from_utf8_lossy(member.header().identifier()).into_owned();
        if !saw_version {
            if name != "debian-binary" {
                return Err(io::Error::other("not a Debian package: its first member is not debian-binary"));
            }
            saw_version = true;
            continue;
        }
        let Some(compression) = name.strip_prefix("data.tar") else { continue };
        let compression = compression.trim_start_matches('.');
        // tar reads in 512-byte blocks: a buffer keeps the decoder working on large ones.
        let mut data = io::BufReader::with_capacity(128 * 1024, decompress(compression, member)?);
        read_tar(&mut data, tree).map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
        // The rest of the stream (after the tar's end blocks) is read too: a truncated or
        // corrupt member fails its checksum there rather than passing unnoticed.
        io::copy(&mut data, &mut io::sink()).map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
        return Ok(());
    }
    if saw_version {
        Err(io::Error::other("no data.tar member: truncated, or not a binary package"))
    } else {
        Err(io::Error::other("empty file, not a Debian package"))
    }
}

pub(crate) fn read_tar(data: &mut dyn Read, tree: &mut TreeBuilder) -> io::Result<()> {
    let mut archive = tar::Archive::new(data);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let header = entry.header();
        let mode = header.mode().unwrap_or(0o644);
        let size = entry.size();
        let link = || -> io::Result<PathBuf> { Ok(entry.link_name()?.map(|p| p.into_owned()).unwrap_or_default()) };
        let (kind, type_bits) = match header.entry_type() {
            tar::EntryType::Directory => (EntryKind::Dir, 0o040000),
            tar::EntryType::Regular | tar::EntryType::Continuous => (EntryKind::File, 0o100000),
            tar::EntryType::Symlink => (EntryKind::Symlink(link()?), 0o120000),
            tar::EntryType::Link => (EntryKind::HardLink(link()?), 0o100000),
            _ => (EntryKind::Other, 0),
        };
        let path = entry.path()?.into_owned();
        tree.add(&path, kind, type_bits | mode, size, &mut entry)?;
    }
    Ok(())
}
