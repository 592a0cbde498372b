//! What an ELF file says about itself without running it: the libraries it asks the dynamic
//! loader for, the functions it imports from them, the strings it carries, and whether it is
//! linked statically (then only its own symbol table, when not stripped, tells what it uses).
//!
//! Parsing is done by the `object` crate's low-level ELF reader, which checks every offset
//! against the file's length and returns an error instead of panicking on a malformed file.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io;
use std::ops::Range;

use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader, SectionHeader, Sym};
use object::{Endianness, ReadRef};

/// How the program gets its code from libraries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Linking {
    /// Has a program interpreter (ld.so) or dynamic entries: imports are in `.dynsym`.
    Dynamic,
    /// No interpreter and no libraries: library code is inside the file.
    Static,
}

/// The facts read from one ELF file.
#[derive(Debug, Clone, Default)]
pub struct ElfFacts {
    pub machine: u16,
    pub is_64: bool,
    pub linking: Option<Linking>,
    /// DT_NEEDED, in file order.
    pub needed: Vec<String>,
    /// DT_RUNPATH and DT_RPATH entries, `$ORIGIN` not yet replaced.
    pub runpath: Vec<String>,
    /// Undefined dynamic symbols (functions and data it takes from libraries).
    pub imports: BTreeSet<String>,
    /// For a static file: the functions its own symbol table defines (empty when stripped).
    pub static_functions: BTreeSet<String>,
    /// Whether a static file still had a symbol table to read.
    pub has_symtab: bool,
    /// Built by the Go toolchain: its runtime makes system calls without libc.
    pub is_go: bool,
    /// NUL-terminated printable strings of the read-only data that look like paths or
    /// command names (kept short: only those that start with '/' or are a single word;
    /// only the former with [`Strings::Paths`]).
    pub strings: BTreeSet<String>,
}

impl ElfFacts {
    /// The functions the file uses from outside its own code: imports, or for a static file
    /// the library functions linked into it.
    pub fn used_functions(&self) -> &BTreeSet<String> {
        if self.linking == Some(Linking::Static) {
            &self.static_functions
        } else {
            &self.imports
        }
    }
}

pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Reads from `file` (`len` bytes long) the parts of an ELF file that [`read`] looks at —
/// headers, the dynamic section, symbol and string tables, read-only data — into a buffer
/// as long as the file whose other bytes are zero, for [`read`] to parse as the whole file:
/// most of a program is code, which is never looked at. The first 4 KiB are always read.
/// A part that is malformed is not read, and [`read`] stops at it as it would on the whole file.
pub fn read_needed(len: u64, read_at: impl FnMut(&mut [u8], u64) -> io::Result<()>) -> io::Result<Vec<u8>> {
    let data = vec![0u8; usize::try_from(len).map_err(|_| io::Error::other("file too large"))?];
    let mut whole = Whole { data, read_at };
    load_all_needed(&mut whole)?;
    Ok(whole.data)
}

/// The parts of an ELF file that [`read`] looks at, as [`read_needed`] reads them, but kept
/// apart instead of in a zeroed buffer as long as the file: zeroing megabytes of code that is
/// never looked at cost more than the parsing. [`Parts::facts`] are those of the buffer.
pub fn read_parts(len: u64, mut read_at: impl FnMut(&mut [u8], u64) -> io::Result<()>) -> io::Result<Parts> {
    let mut partial = Partial { parts: Parts::empty(len, None), read_at: &mut read_at };
    load_all_needed(&mut partial)?;
    if !partial.parts.missed.get() {
        return Ok(partial.parts);
    }
    // Finding the parts looked at bytes outside them (a malformed file): read the buffer.
    Ok(Parts::whole(read_needed(len, read_at)?))
}

/// Files from this size on are mapped by [`parts_of_file`] rather than read: the read-only
/// data of a large library (libLLVM's 32 MB, all of libicudata's 31 MB) is scanned once for
/// its strings, and copying it into fresh memory first cost more than the scan. Below it,
/// the few small reads cost less than a mapping.
pub const MAP_FROM: u64 = 1 << 20;

/// [`read_parts`] of `file`, `len` bytes long, the parts of a file from [`MAP_FROM`] bytes on
/// taken from a read-only mapping of it instead of read: the same parts, the same facts.
pub fn parts_of_file(file: &std::fs::File, len: u64) -> io::Result<Parts> {
    let read_at = |buf: &mut [u8], offset: u64| std::os::unix::fs::FileExt::read_exact_at(file, buf, offset);
    if len < MAP_FROM {
        return read_parts(len, read_at);
    }
    // SAFETY: the mapping is private and read-only, and dropped with the parts once the
    // facts are read. A file truncated by another process meanwhile would fault on access,
    // as it would for any reader of a mapped file; the roots read are not being written.
    let map = unsafe { memmap2::Mmap::map(file)? };
    if map.len() as u64 != len {
        return read_parts(len, read_at); // changed since its stat: read as before, which fails as it did
    }
    let mut mapped = Mapped { parts: Parts::empty(len, Some(map)) };
    load_all_needed(&mut mapped)?;
    if !mapped.parts.missed.get() {
        return Ok(mapped.parts);
    }
    Ok(Parts::whole(read_needed(len, read_at)?))
}

/// Parts of a file `len` bytes long; the bytes of no part read as zeros.
pub struct Parts {
    len: u64,
    /// The file mapped, whose parts are the [`Chunk::Mapped`] ones.
    map: Option<memmap2::Mmap>,
    /// (offset, bytes), in the order read; each ends within the file.
    chunks: Vec<(u64, Chunk)>,
    /// Set when something read bytes outside every part.
    missed: Cell<bool>,
}

/// The bytes of one part: read, or that many bytes of the mapping.
enum Chunk {
    Read(Vec<u8>),
    Mapped(u64),
}

impl Parts {
    fn empty(len: u64, map: Option<memmap2::Mmap>) -> Parts {
        Parts { len, map, chunks: Vec::new(), missed: Cell::new(false) }
    }

    /// A file held whole.
    pub fn whole(bytes: Vec<u8>) -> Parts {
        let mut parts = Parts::empty(bytes.len() as u64, None);
        parts.chunks.push((0, Chunk::Read(bytes)));
        parts
    }

    /// The first 4 KiB of the file (less when it is shorter), always read.
    pub fn head(&self) -> &[u8] {
        let head = self.chunks.first().filter(|(offset, _)| *offset == 0).map_or(&[][..], |(o, c)| self.bytes(*o, c));
        &head[..head.len().min(4096)]
    }

    /// The facts of the file as [`read_keeping`] reads them from the buffer of [`read_needed`].
    pub fn facts(&self, strings: Strings) -> Result<ElfFacts, String> {
        let facts = read_from(self, strings);
        if !self.missed.get() {
            return facts;
        }
        // Parsing looked outside the parts (a malformed file): what the buffer gives.
        let mut buffer = vec![0u8; self.len as usize];
        for (offset, chunk) in &self.chunks {
            let bytes = self.bytes(*offset, chunk);
            buffer[*offset as usize..][..bytes.len()].copy_from_slice(bytes);
        }
        read_keeping(&buffer, strings)
    }

    fn bytes<'a>(&'a self, offset: u64, chunk: &'a Chunk) -> &'a [u8] {
        match chunk {
            Chunk::Read(bytes) => bytes,
            Chunk::Mapped(len) => {
                self.map.as_ref().map_or(&[][..], |map| &map[offset as usize..(offset + len) as usize])
            }
        }
    }

    fn chunk_len(chunk: &Chunk) -> u64 {
        match chunk {
            Chunk::Read(bytes) => bytes.len() as u64,
            Chunk::Mapped(len) => *len,
        }
    }

    /// `offset..offset + size` within the file, unless it is empty or a part holds it already
    /// (a string table linked from two sections is loaded once).
    fn not_held(&self, offset: u64, size: u64) -> Option<(u64, u64)> {
        let (start, end) = (offset.min(self.len), offset.saturating_add(size).min(self.len));
        (start < end && self.holding(start, end).is_none()).then_some((start, end))
    }

    /// The part holding `start..end`, from `start`.
    fn holding(&self, start: u64, end: u64) -> Option<&[u8]> {
        let (offset, chunk) = self.chunks.iter().find(|(o, c)| *o <= start && end <= o + Self::chunk_len(c))?;
        Some(&self.bytes(*offset, chunk)[(start - offset) as usize..(end - offset) as usize])
    }
}

/// Reads as a slice of the whole file does, from the parts; bytes outside them are an error,
/// and noted.
impl<'a> ReadRef<'a> for &'a Parts {
    fn len(self) -> Result<u64, ()> {
        Ok(self.len)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        if size == 0 {
            return Ok(&[]);
        }
        let end = offset.checked_add(size).filter(|end| *end <= self.len).ok_or(())?;
        self.holding(offset, end).ok_or_else(|| self.missed.set(true))
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'a [u8], ()> {
        if range.start > range.end || range.end > self.len {
            return Err(());
        }
        let bytes = self.holding(range.start, range.end).ok_or_else(|| self.missed.set(true))?;
        memchr::memchr(delimiter, bytes).map(|at| &bytes[..at]).ok_or(())
    }
}

/// Where [`load_needed`] reads into: the zeroed buffer or the parts.
trait Load {
    type Data<'a>: ReadRef<'a>
    where
        Self: 'a;
    fn data(&self) -> Self::Data<'_>;
    /// Reads `size` bytes at `offset`, as far as the file goes.
    fn load(&mut self, offset: u64, size: u64) -> io::Result<()>;
}

struct Whole<F> {
    data: Vec<u8>,
    read_at: F,
}

impl<F: FnMut(&mut [u8], u64) -> io::Result<()>> Load for Whole<F> {
    type Data<'a>
        = &'a [u8]
    where
        Self: 'a;

    fn data(&self) -> &[u8] {
        &self.data
    }

    fn load(&mut self, offset: u64, size: u64) -> io::Result<()> {
        let len = self.data.len() as u64;
        let (start, end) = (offset.min(len), offset.saturating_add(size).min(len));
        if start < end {
            (self.read_at)(&mut self.data[start as usize..end as usize], start)?;
        }
        Ok(())
    }
}

struct Partial<'f, F> {
    parts: Parts,
    read_at: &'f mut F,
}

impl<F: FnMut(&mut [u8], u64) -> io::Result<()>> Load for Partial<'_, F> {
    type Data<'a>
        = &'a Parts
    where
        Self: 'a;

    fn data(&self) -> &Parts {
        &self.parts
    }

    fn load(&mut self, offset: u64, size: u64) -> io::Result<()> {
        if let Some((start, end)) = self.parts.not_held(offset, size) {
            let mut bytes = vec![0u8; (end - start) as usize];
            (self.read_at)(&mut bytes, start)?;
            self.parts.chunks.push((start, Chunk::Read(bytes)));
        }
        Ok(())
    }
}

/// [`Partial`] over a mapping: a part is a range of it, nothing is read.
struct Mapped {
    parts: Parts,
}

impl Load for Mapped {
    type Data<'a>
        = &'a Parts
    where
        Self: 'a;

    fn data(&self) -> &Parts {
        &self.parts
    }

    fn load(&mut self, offset: u64, size: u64) -> io::Result<()> {
        if let Some((start, end)) = self.parts.not_held(offset, size) {
            self.parts.chunks.push((start, Chunk::Mapped(end - start)));
        }
        Ok(())
    }
}

/// The first 4 KiB, then by the file's class what [`read_as`] reads.
fn load_all_needed(file: &mut impl Load) -> io::Result<()> {
    file.load(0, 4096)?;
    let class = file.data().read_bytes_at(4, 1).ok().map(|b| b[0]);
    match class {
        Some(1) => load_needed::<elf::FileHeader32<Endianness>>(file),
        Some(2) => load_needed::<elf::FileHeader64<Endianness>>(file),
        _ => Ok(()),
    }
}

/// The steps of [`read_as`], each loading what the next one reads: the section header
/// table (its first entry first, which may hold the real counts), the program headers, the
/// section names, then the sections read and the string tables they link to.
fn load_needed<Elf: FileHeader<Endian = Endianness>>(file: &mut impl Load) -> io::Result<()> {
    let Ok(header) = Elf::parse(file.data()).copied() else { return Ok(()) };
    let Ok(endian) = header.endian() else { return Ok(()) };
    let shoff: u64 = header.e_shoff(endian).into();
    let shentsize = u64::from(header.e_shentsize(endian));
    file.load(shoff, shentsize)?;
    if let Ok(shnum) = header.shnum(endian, file.data()) {
        file.load(shoff, shentsize.saturating_mul(shnum as u64))?;
    }
    if let Ok(phnum) = header.phnum(endian, file.data()) {
        let phentsize = u64::from(header.e_phentsize(endian));
        file.load(header.e_phoff(endian).into(), phentsize.saturating_mul(phnum as u64))?;
    }
    let Ok(shdrs) = header.section_headers(endian, file.data()).map(<[_]>::to_vec) else { return Ok(()) };
    let range = |s: &Elf::SectionHeader| (s.sh_offset(endian).into(), s.sh_size(endian).into());
    if let Some(names) = header.shstrndx(endian, file.data()).ok().and_then(|i| shdrs.get(i as usize)) {
        let (offset, size) = range(names);
        file.load(offset, size)?;
    }
    let mut wanted: Vec<(u64, u64)> = Vec::new();
    {
        let data = file.data();
        let Ok(sections) = header.sections(endian, data) else { return Ok(()) };
        for s in &shdrs {
            let read_by_type = matches!(
                s.sh_type(endian),
                elf::SHT_DYNAMIC | elf::SHT_DYNSYM | elf::SHT_SYMTAB | elf::SHT_SYMTAB_SHNDX
            );
            let rodata = sections.section_name(endian, s).is_ok_and(|n| n == b".rodata" || n.starts_with(b".rodata."));
            if read_by_type || rodata {
                wanted.push(range(s));
                wanted.extend(shdrs.get(s.sh_link(endian) as usize).map(range));
            }
        }
    }
    for (offset, size) in wanted {
        file.load(offset, size)?;
    }
    Ok(())
}

/// Reads the facts of an ELF file; the error is one line saying what is wrong with it.
pub fn read(bytes: &[u8]) -> Result<ElfFacts, String> {
    read_keeping(bytes, Strings::All)
}

/// Which strings [`ElfFacts::strings`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strings {
    /// Paths and single words.
    All,
    /// Only those starting with '/': all that the rows of [`super::table`] read.
    Paths,
}

/// [`read`], keeping only some of the strings.
pub fn read_keeping(bytes: &[u8], strings: Strings) -> Result<ElfFacts, String> {
    read_from(bytes, strings)
}

fn read_from<'a>(data: impl ReadRef<'a>, strings: Strings) -> Result<ElfFacts, String> {
    match data.read_bytes_at(4, 1).ok().map(|b| b[0]) {
        Some(1) => read_as::<elf::FileHeader32<Endianness>, _>(data, false, strings),
        Some(2) => read_as::<elf::FileHeader64<Endianness>, _>(data, true, strings),
        _ => Err("not an ELF file of a known class".into()),
    }
}

fn read_as<'a, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'a>>(
    data: R,
    is_64: bool,
    kept: Strings,
) -> Result<ElfFacts, String> {
    let bad = |e: object::read::Error| format!("malformed ELF file: {e}");
    let header = Elf::parse(data).map_err(bad)?;
    let endian = header.endian().map_err(bad)?;
    let mut facts = ElfFacts { machine: header.e_machine(endian), is_64, ..Default::default() };
    let segments = header.program_headers(endian, data).map_err(bad)?;
    let mut has_interp = false;
    let mut has_dynamic = false;
    for seg in segments {
        match seg.p_type(endian) {
            elf::PT_INTERP => has_interp = true,
            elf::PT_DYNAMIC => has_dynamic = true,
            _ => {}
        }
    }
    let sections = header.sections(endian, data).map_err(bad)?;
    let dynamic = sections.dynamic_table(endian, data).map_err(bad)?;
    for d in dynamic.dynamics() {
        let tag: i64 = d.d_tag(endian).into();
        if tag == elf::DT_NULL {
            break;
        }
        let is_needed = tag == elf::DT_NEEDED;
        let is_path = tag == elf::DT_RUNPATH || tag == elf::DT_RPATH;
        if !is_needed && !is_path {
            continue;
        }
        let offset: u64 = d.d_val(endian).into();
        let s = u32::try_from(offset)
            .ok()
            .and_then(|o| dynamic.strings().get(o).ok())
            .ok_or("malformed ELF file: a dynamic entry's string is out of bounds")?;
        let s = String::from_utf8_lossy(s).into_owned();
        if is_needed {
            facts.needed.push(s);
        } else {
            facts.runpath.extend(s.split(':').filter(|p| !p.is_empty()).map(str::to_owned));
        }
    }
    // A static-pie has PT_DYNAMIC for its own relocations but neither an interpreter nor
    // libraries: its library code is inside it, like a classic static file.
    let dynamic_linked = has_interp || (has_dynamic && !facts.needed.is_empty());
    facts.linking = Some(if dynamic_linked { Linking::Dynamic } else { Linking::Static });

    let dynsym = sections.symbols(endian, data, elf::SHT_DYNSYM).map_err(bad)?;
    let mut imports: Vec<&[u8]> = Vec::new();
    for sym in dynsym.iter() {
        if !sym.is_undefined(endian) || sym.st_name(endian) == 0 {
            continue;
        }
        if let Ok(name) = sym.name(endian, dynsym.strings()) {
            imports.push(name);
        }
    }
    facts.imports = name_set(imports);
    if !dynamic_linked {
        let symtab = sections.symbols(endian, data, elf::SHT_SYMTAB).map_err(bad)?;
        facts.has_symtab = !symtab.is_empty();
        let mut functions: Vec<String> = Vec::new();
        for sym in symtab.iter() {
            if sym.st_type() != elf::STT_FUNC || sym.is_undefined(endian) {
                continue;
            }
            if let Ok(name) = sym.name(endian, symtab.strings()) {
                // glibc's internal aliases (`__setuid`, `__GI_setuid`) name the same code.
                let name = String::from_utf8_lossy(name);
                let plain = name.trim_start_matches("__GI_").trim_start_matches("__");
                functions.push(plain.to_owned());
            }
        }
        facts.static_functions = sorted_set(functions);
    }
    let mut strings: Vec<&str> = Vec::new();
    for (_, section) in sections.enumerate() {
        let Ok(name) = sections.section_name(endian, section) else {
            continue;
        };
        if name == b".go.buildinfo" || name == b".gopclntab" || name == b".note.go.buildid" {
            facts.is_go = true;
        }
        if name == b".rodata" || name.starts_with(b".rodata.") {
            if section.sh_type(endian) == elf::SHT_NOBITS {
                continue;
            }
            if let Ok(bytes) = section.data(endian, data) {
                strings.extend(kept_strings(bytes, kept));
            }
        }
    }
    // Sorted and deduplicated before they are copied: a large program repeats many.
    strings.sort_unstable();
    strings.dedup();
    facts.strings = strings.into_iter().map(str::to_owned).collect();
    Ok(facts)
}

/// The set of `items`, sorted first: a set built from sorted items is filled in one pass,
/// where inserting a library's thousands of symbols one by one searched the tree for each.
fn sorted_set(mut items: Vec<String>) -> BTreeSet<String> {
    items.sort_unstable();
    items.dedup();
    items.into_iter().collect()
}

/// The set of the symbol names `names`, sorted and deduplicated as bytes before any is
/// copied. Sorting compares the first eight bytes as one number and the names only where
/// those are equal: sorting a library's imports by comparing names cost more than reading
/// them. (The set sorts what it is given again; given it sorted, that is one pass.)
fn name_set(names: Vec<&[u8]>) -> BTreeSet<String> {
    // A name holds no NUL, so the zeros after a short one order it before longer names it
    // begins: the numbers order as the names do.
    let head = |name: &[u8]| {
        let mut bytes = [0u8; 8];
        let n = name.len().min(8);
        bytes[..n].copy_from_slice(&name[..n]);
        u64::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u64, &[u8])> = names.into_iter().map(|name| (head(name), name)).collect();
    keyed.sort_unstable();
    keyed.dedup_by(|a, b| a.1 == b.1);
    keyed.into_iter().map(|(_, name)| super::text(name).into_owned()).collect()
}

#[cfg(test)]
fn collect_strings(bytes: &[u8], out: &mut BTreeSet<String>) {
    out.extend(kept_strings(bytes, Strings::All).map(str::to_owned));
}

/// Byte classes for [`kept_strings`]: program-name characters, printable ASCII.
const WORD: u8 = 1;
const PRINTABLE: u8 = 2;
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0x20;
    while b < 0x7f {
        class[b] = PRINTABLE;
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'+' {
            class[b] |= WORD;
        }
        b += 1;
    }
    class
};

/// Keeps the printable NUL-terminated strings that can name a file or a program: those
/// starting with '/' and single words of program-name characters. Others (messages, format
/// strings) are of no use to the rules and only cost memory. The read-only data of a large
/// program is megabytes: the strings are found with memchr, and with [`Strings::Paths`]
/// only those that start with '/' are looked at (after a NUL, or at the start).
fn kept_strings(bytes: &[u8], kept: Strings) -> impl Iterator<Item = &str> {
    let starts: Box<dyn Iterator<Item = usize>> = match kept {
        Strings::All => Box::new(std::iter::once(0).chain(memchr::memchr_iter(0, bytes).map(|nul| nul + 1))),
        // Each '/' found by memchr, kept when a NUL is before it: memchr of one byte scans
        // faster than memmem of "\0/", more than making up for the '/' it stops at that
        // follow no NUL (libLLVM's and libicudata's 30 MB each are scanned once per run).
        Strings::Paths => Box::new(memchr::memchr_iter(b'/', bytes).filter(|&at| at == 0 || bytes[at - 1] == 0)),
    };
    starts.filter_map(move |start| {
        let rest = &bytes[start..];
        let chunk = &rest[..memchr::memchr(0, rest).unwrap_or(rest.len())];
        if chunk.len() < 2 || chunk.len() > 256 {
            return None;
        }
        let class = chunk.iter().fold(WORD | PRINTABLE, |class, b| class & CLASS[usize::from(*b)]);
        // Printable ASCII only, so the bytes are UTF-8.
        (class & WORD != 0 || (chunk[0] == b'/' && class & PRINTABLE != 0))
            .then(|| std::str::from_utf8(chunk).unwrap_or_default())
    })
}

/// Debian's multiarch directory name for an ELF machine, where a library of that machine
/// lives (`/usr/lib/x86_64-linux-gnu`).
pub fn multiarch_triplet(machine: u16, is_64: bool) -> Option<&'static str> {
    Some(match (machine, is_64) {
        (elf::EM_X86_64, true) => "x86_64-linux-gnu",
        (elf::EM_386, false) => "i386-linux-gnu",
        (elf::EM_AARCH64, true) => "aarch64-linux-gnu",
        (elf::EM_ARM, false) => "arm-linux-gnueabihf",
        (elf::EM_PPC64, true) => "powerpc64le-linux-gnu",
        (elf::EM_S390, true) => "s390x-linux-gnu",
        (elf::EM_RISCV, true) => "riscv64-linux-gnu",
        (elf::EM_MIPS, true) => "mips64el-linux-gnuabi64",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::os::unix::fs::FileExt;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(b"\x7fELF").is_err());
        assert!(read(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0").is_err());
        let mut truncated = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        truncated.truncate(200);
        assert!(read(&truncated).is_err());
        assert!(read(b"#!/bin/sh\n").is_err());
    }

    #[test]
    fn the_parts_read_give_the_facts_of_the_whole_file() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // The file as built, then cut short inside its section headers and its data.
        for len in [exe.len(), exe.len() - 100, exe.len() / 2, 5000] {
            let path = dir.path().join(format!("cut-{len}"));
            std::fs::write(&path, &exe[..len]).unwrap();
            let file = File::open(&path).unwrap();
            let parts = read_needed(len as u64, |buf, offset| file.read_exact_at(buf, offset)).unwrap();
            assert_eq!(format!("{:?}", read(&parts)), format!("{:?}", read(&exe[..len])), "{len} bytes");
        }
    }

    #[test]
    fn paths_are_the_strings_that_start_with_a_slash() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let crafted: &[&[u8]] =
            &[b"/a\0/\0//x\0\0/usr/bin/x\0word/not\0/\xff\0/tail-without-nul", b"\0\0/ab", b"/", b""];
        // The rule, plainly: NUL-separated chunks of 2 to 256 bytes, all word characters, or
        // a '/' and all printable.
        let plainly = |bytes: &[u8]| -> Vec<String> {
            let word = |b: &u8| b.is_ascii_alphanumeric() || b"-_.+".contains(b);
            let printable = |b: &u8| (0x20..0x7f).contains(b);
            bytes
                .split(|b| *b == 0)
                .filter(|c| (2..=256).contains(&c.len()))
                .filter(|c| c.iter().all(word) || (c[0] == b'/' && c.iter().all(printable)))
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
                .collect()
        };
        for bytes in crafted.iter().copied().chain([exe.as_slice()]) {
            let all: Vec<&str> = kept_strings(bytes, Strings::All).collect();
            assert_eq!(all, plainly(bytes));
            let paths: Vec<&str> = kept_strings(bytes, Strings::Paths).collect();
            let all_paths: Vec<&str> = all.into_iter().filter(|s| s.starts_with('/')).collect();
            assert_eq!(paths, all_paths);
        }
        let first: Vec<&str> = kept_strings(crafted[0], Strings::Paths).collect();
        assert_eq!(first, ["/a", "//x", "/usr/bin/x", "/tail-without-nul"]);
    }

    #[test]
    fn the_parts_kept_apart_give_the_facts_of_the_buffer() {
        let facts_both_ways = |path: &std::path::Path, len: u64| {
            let file = File::open(path).unwrap();
            let read_at = |buf: &mut [u8], offset: u64| file.read_exact_at(buf, offset);
            let buffer = read_needed(len, read_at).unwrap();
            let parts = read_parts(len, read_at).unwrap();
            let (a, b) = (parts.facts(Strings::All), read(&buffer));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}, {len} bytes", path.display());
            assert_eq!(parts.head(), &buffer[..buffer.len().min(4096)]);
            parts.missed.get()
        };
        // Cut short, the file is malformed and may be read as the buffer instead.
        let exe = std::env::current_exe().unwrap();
        let exe_len = std::fs::metadata(&exe).unwrap().len();
        let dir = tempfile::tempdir().unwrap();
        for len in [exe_len, exe_len - 100, exe_len / 2, 5000, 3] {
            let cut = dir.path().join(format!("cut-{len}"));
            std::fs::write(&cut, &std::fs::read(&exe).unwrap()[..len as usize]).unwrap();
            facts_both_ways(&cut, len);
        }
        // Whole programs and libraries of the host are read from their parts alone.
        let mut whole = 0;
        for dir in ["/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu"] {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for entry in entries.flatten().take(150) {
                let path = entry.path();
                let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
                let is_elf = File::open(&path).is_ok_and(|f| {
                    let mut head = [0u8; 4];
                    f.read_exact_at(&mut head, 0).is_ok() && is_elf(&head)
                });
                if meta.is_file() && is_elf && meta.len() < 64 << 20 {
                    assert!(!facts_both_ways(&path, meta.len()), "{}: read outside its parts", path.display());
                    whole += 1;
                }
            }
        }
        assert!(whole > 0 || !std::path::Path::new("/usr/bin/env").exists());
    }

    #[test]
    fn a_mapped_file_gives_the_facts_of_its_parts_read() {
        // Large files of the host are mapped; their facts, strings included, are those read.
        let exe = std::env::current_exe().unwrap();
        let mut mapped = 0;
        let dirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/bin", "/usr/lib64"];
        let dir_entries = dirs.iter().filter_map(|d| std::fs::read_dir(d).ok()).flat_map(|e| e.flatten());
        for path in [exe].into_iter().chain(dir_entries.map(|e| e.path())) {
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            if !meta.is_file() || meta.len() < MAP_FROM || meta.len() >= 256 << 20 || mapped >= 12 {
                continue;
            }
            let Ok(file) = File::open(&path) else { continue };
            let parts = parts_of_file(&file, meta.len()).unwrap();
            if !is_elf(parts.head()) {
                continue;
            }
            assert!(parts.map.is_some() && !parts.missed.get(), "{}: not mapped", path.display());
            let read = read_parts(meta.len(), |buf, offset| file.read_exact_at(buf, offset)).unwrap();
            for kept in [Strings::All, Strings::Paths] {
                let (a, b) = (parts.facts(kept), read.facts(kept));
                assert!(a.as_ref().is_ok_and(|f| !f.strings.is_empty()), "{}: no strings", path.display());
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}", path.display());
            }
            assert_eq!(parts.head(), read.head());
            mapped += 1;
        }
        assert!(mapped > 0, "no ELF file of {MAP_FROM} bytes or more to map");
    }

    #[test]
    fn names_sort_as_the_set_of_their_text() {
        // Prefixes of each other, names longer than the eight bytes compared first, equal
        // heads, duplicates, bytes above 0x7f and invalid UTF-8 (two that read the same).
        let crafted: &[&[u8]] = &[
            b"a",
            b"ab",
            b"abcdefgh",
            b"abcdefghi",
            b"abcdefgh",
            b"abcdefgg",
            b"b",
            b"\xc3\xa9t\xc3\xa9",
            b"\xff",
            b"\xfe",
            b"setuid",
            b"setgid",
            b"_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE",
            b"_ZNSt7__cxx1112basic_stringIwSt11char_traitsIwESaIwEE",
        ];
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let real: Vec<&[u8]> = exe.split(|b| *b == 0).filter(|s| !s.is_empty() && s.len() < 64).take(5000).collect();
        for names in [crafted.to_vec(), real] {
            let plainly: BTreeSet<String> = names.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
            assert_eq!(name_set(names), plainly);
        }
    }

    #[test]
    fn strings_keep_paths_and_words() {
        let mut out = BTreeSet::new();
        collect_strings(b"/usr/sbin/sendmail\0hello world %s\0sendmail\0\x01\x02\0x\0", &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["/usr/sbin/sendmail", "sendmail"]);
    }
}
