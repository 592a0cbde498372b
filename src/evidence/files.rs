//! The files a run reads from the root, each read once: a shell, /bin/kill or libsystemd is
//! run by many services, and every program's path and libraries are looked up the same way.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fs;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use super::elf::{self, ElfFacts};
use super::language::{Language, SourceReading};
use super::package::PathHash;
use super::plugins::{self, Plugins};
use super::shell::{Script, ScriptReading, ShellContext};
use super::table::{matches_and_those_from_strings, row_functions_used, Match, DLOPEN};
use crate::unit::rootfs::{Resolved, Resolver, RootFs};
use crate::unit::tree::{Kind, Stat};
use crate::unit::Loader;

/// Larger files are not read (the biggest Debian daemons are well below).
const MAX_PROGRAM_SIZE: u64 = 512 * 1024 * 1024;

/// What the units of one run share: ELF files read, parsed and matched against the rows
/// (a shell, /bin/kill or a common library is run by many services), and the loader that
/// finds their sockets. Files are keyed by their real path, so it serves one root.
#[derive(Default)]
pub struct Cache {
    /// The root the cache serves; another root empties it.
    root: Option<PathBuf>,
    fs: Option<RootFs>,
    /// The readings that cost most, shared with the caches of the run's other threads.
    shared: Arc<SharedReadings>,
    loader: Option<Loader>,
    /// Paths inside the root and where they lead, and the directories on the way (looked up
    /// for every candidate path of every command: hashed quickly).
    located: HashMap<String, Located, PathHash>,
    resolver: Option<Resolver>,
    /// (soname, search directories, ELF machine and class) -> the library found.
    libraries: HashMap<LibraryQuery, Option<(String, PathBuf)>, PathHash>,
    /// The names in directories inside the root, by path inside it: a Python script's own
    /// directory (/usr/bin) is listed for every module it imports.
    listings: HashMap<String, Arc<Vec<String>>, PathHash>,
    /// Files a wrapper could run (executable or a script), by real path.
    runnable: HashMap<PathBuf, bool, PathHash>,
    /// Files that start as an ELF file does, by real path.
    elf_heads: HashMap<PathBuf, bool, PathHash>,
    /// What `stat` said of the files this thread found, by real path: the lookup that
    /// found a file saw its stat, which every read of it after starts with.
    stats: HashMap<PathBuf, Stat, PathHash>,
    /// The packages of the root and the paths each declares writable.
    pub(super) packages: super::package::Packages,
}

/// The readings of a run's root that threads share (each thread has a [`Cache`] of its own
/// for the rest, whose lookups are cheap). Each is what reading the root gives, read once
/// whichever thread asks first: a thread asking while another reads waits for its reading.
#[derive(Default)]
pub struct SharedReadings {
    /// Files by real path, each with the path inside the root its rows were matched as (the
    /// reasons name it), so that a file reached by two paths is read as each.
    elf: Mutex<HashMap<PathBuf, ReadAs, PathHash>>,
    /// The plugins found in the directories a program's strings name, by those directories.
    plugins: Readings<Vec<String>, Arc<Plugins>>,
    /// What each of those directories holds: programs name lists that differ yet share
    /// directories, each looked through once.
    plugin_dirs: Readings<String, Arc<plugins::DirPlugins>>,
    /// What each Perl or Python source file read shows, by real path and language: the
    /// modules of a language are shared by many services' scripts.
    sources: Readings<(PathBuf, Language), Option<Arc<SourceReading>>>,
    /// What each shell script read shows, by its text and how it is run (its arguments and
    /// the unit's environment are part of that): a script run by a Perl or Python program,
    /// or by the same command line, reads the same for every service.
    shells: Readings<(String, ShellContext), Arc<ScriptReading>>,
    /// Each shell script's text as split into command lines, for the contexts it is read in.
    split_shells: Readings<String, Arc<Script>>,
    /// The index of the root's dpkg database.
    owners: super::package::SharedOwners,
    /// What [`Cache::locate_at`] found, [`Cache::starts_as_elf`] and [`Cache::is_runnable`]
    /// saw: a thread looks there before it looks in the root (each keeps what it was given).
    located: Mutex<HashMap<String, Located, PathHash>>,
    elf_heads: Mutex<HashMap<PathBuf, bool, PathHash>>,
    runnable: Mutex<HashMap<PathBuf, bool, PathHash>>,
    listings: Mutex<HashMap<String, Arc<Vec<String>>, PathHash>>,
}

/// A reading made once, by the first thread that asks for it.
type Once<T> = Arc<OnceLock<T>>;

/// Readings by what they are of.
type Readings<K, V> = Mutex<HashMap<K, Once<V>, PathHash>>;

/// A file's readings, one for each path inside the root it was read as.
type ReadAs = Vec<(String, Once<ProgramRead>)>;

/// A program's or library's file as the shared readings keep it: only ELF files are kept
/// whole (a script is read again for each unit, which may give it other arguments).
#[derive(Clone)]
enum ProgramRead {
    Elf(Arc<ElfRead>),
    NotElf,
    Failed(String),
}

/// A lock whose holder panicked still holds whole entries: each is inserted in one call.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

type LibraryQuery = (String, Vec<String>, u16, bool);

/// The functions and the paths left out of a file's matches, and the matches left.
type Without = (Vec<String>, Vec<String>, Arc<[Match]>);

/// One ELF file as read: what it is, and the rows it matches.
pub(super) struct ElfRead {
    pub mode: u32,
    pub packed_by_upx: bool,
    pub parsed: Result<ParsedElf, String>,
}

pub(super) struct ParsedElf {
    /// The path inside the root the file was read as: its matches name it.
    pub inside: String,
    pub facts: ElfFacts,
    /// [`ElfFacts::used_functions`] as a program's evidence lists them, made for the first
    /// (a library's are not listed).
    imports: OnceLock<Arc<[String]>>,
    pub matches: Arc<[Match]>,
    /// The matches that came from the file's strings (dropped from `facts` once read), in
    /// their order among `matches`.
    pub from_strings: Vec<Match>,
    /// [`super::table::matches_without`] as worked out for the functions and paths not
    /// counted: a library is loaded by many services' programs, which leave out the same.
    pub without: Mutex<Vec<Without>>,
    /// For a file that imports dlopen(3): the directories its strings name where its
    /// plugins may be (read before its strings are dropped).
    pub plugin_dirs: Vec<String>,
    /// [`row_functions_used`]: what the matches of each unit, with some functions not
    /// counted, are worked out from.
    pub row_functions: Vec<&'static str>,
}

impl Cache {
    /// A cache of its own for a thread of a run, sharing `shared` with the run's other threads.
    pub fn sharing(shared: Arc<SharedReadings>) -> Cache {
        Cache { packages: super::package::Packages::sharing(shared.owners.clone()), shared, ..Cache::default() }
    }

    pub(super) fn serve(&mut self, root: &RootFs) {
        if self.root.as_deref() != Some(root.dir()) {
            let resolver = Some(Resolver::new(root.clone()));
            // What was shared served another root; a cache not serving any yet keeps it.
            let shared = if self.root.is_none() { std::mem::take(&mut self.shared) } else { Arc::default() };
            *self = Cache {
                root: Some(root.dir().to_owned()),
                fs: Some(root.clone()),
                resolver,
                packages: super::package::Packages::sharing(shared.owners.clone()),
                shared,
                ..Cache::default()
            };
        }
    }

    pub(super) fn loader(&mut self, root: &RootFs) -> Option<&Loader> {
        if self.loader.is_none() {
            self.loader = Some(Loader::with_fs(root.clone()));
        }
        self.loader.as_ref()
    }

    /// Reads a program's file; an ELF file is read, parsed and matched once per run.
    pub(super) fn program(&mut self, inside: &str, real: &Path) -> Result<ProgramFile, String> {
        let mut other = None;
        let known = self.known_stat(real);
        let read = self.program_read(inside, real, |fs| match read_program_file(fs, real, known) {
            Ok((FileRead::Elf(parts), mode)) => ProgramRead::Elf(Arc::new(parse_elf(inside, &parts, mode))),
            Ok((FileRead::Other(bytes), mode)) => {
                other = Some((bytes, mode));
                ProgramRead::NotElf
            }
            Err(e) => ProgramRead::Failed(e),
        });
        match read {
            ProgramRead::Elf(elf) => Ok(ProgramFile::Elf(elf)),
            ProgramRead::Failed(e) => Err(e),
            ProgramRead::NotElf => {
                let (bytes, mode) = match other {
                    Some(read) => read,
                    None => self.read_limited(real, MAX_PROGRAM_SIZE)?,
                };
                Ok(ProgramFile::Other { bytes, mode })
            }
        }
    }

    /// Reads a library (found as an ELF file) for its facts, once per run.
    pub(super) fn library(&mut self, inside: &str, real: &Path) -> Result<Arc<ElfRead>, String> {
        let known = self.known_stat(real);
        let read = self.program_read(inside, real, |fs| match read_program_file(fs, real, known) {
            Ok((FileRead::Elf(parts), mode)) => ProgramRead::Elf(Arc::new(parse_elf(inside, &parts, mode))),
            Ok((FileRead::Other(_), _)) => ProgramRead::NotElf,
            Err(e) => ProgramRead::Failed(e),
        });
        match read {
            ProgramRead::Elf(elf) => Ok(elf),
            ProgramRead::Failed(e) => Err(e),
            // Changed since it was found: parsed as it is, so that it is never taken for an ELF program.
            ProgramRead::NotElf => {
                let (bytes, mode) = self.read_limited(real, MAX_PROGRAM_SIZE)?;
                Ok(Arc::new(parse_elf(inside, &elf::Parts::whole(bytes), mode)))
            }
        }
    }

    fn fs(&self) -> &RootFs {
        self.fs.as_ref().expect("serve() names the root before anything is read")
    }

    /// What `stat` said of `real` when this thread found it, if it did.
    fn known_stat(&self, real: &Path) -> Option<Stat> {
        self.stats.get(real).copied()
    }

    /// [`read_limited`] of a file found through this cache.
    pub(super) fn read_limited(&self, real: &Path, limit: u64) -> Result<(Vec<u8>, u32), String> {
        read_limited_as(self.fs(), real, self.known_stat(real), limit)
    }

    /// The file at `real` as read for `inside`, by `read` when no thread has read it yet.
    fn program_read(&self, inside: &str, real: &Path, read: impl FnOnce(&RootFs) -> ProgramRead) -> ProgramRead {
        let cell = {
            let mut elf = lock(&self.shared.elf);
            if !elf.contains_key(real) {
                elf.insert(real.to_owned(), Vec::new());
            }
            let reads = elf.get_mut(real).expect("inserted above");
            match reads.iter().find(|(as_read, _)| as_read == inside) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Once::default();
                    reads.push((inside.to_owned(), cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_init(|| read(self.fs())).clone()
    }

    /// What a Perl or Python source file shows (None when it cannot be read), read by `read`
    /// once per run.
    pub(super) fn source(
        &self,
        real: PathBuf,
        language: Language,
        read: impl FnOnce(&RootFs, &Path, Option<Stat>) -> Option<SourceReading>,
    ) -> Option<Arc<SourceReading>> {
        let cell = lock(&self.shared.sources).entry((real.clone(), language)).or_default().clone();
        cell.get_or_init(|| read(self.fs(), &real, self.known_stat(&real)).map(Arc::new)).clone()
    }

    /// The shared reading of a shell script's `text` run as `ctx` describes; whoever fills
    /// it reads the files the script sources from this cache's root.
    pub(super) fn shell(&self, text: &str, ctx: &ShellContext) -> Once<Arc<ScriptReading>> {
        let key = (text.to_owned(), ctx.clone());
        lock(&self.shared.shells).entry(key).or_default().clone()
    }

    /// `text` split into command lines, once per run however many contexts read it.
    pub(super) fn split_shell(&self, text: &str) -> Arc<Script> {
        let cell = {
            let mut split = lock(&self.shared.split_shells);
            match split.get(text) {
                Some(cell) => cell.clone(),
                None => split.entry(text.to_owned()).or_default().clone(),
            }
        };
        cell.get_or_init(|| Arc::new(Script::split(text))).clone()
    }

    pub(super) fn find_library(
        &mut self,
        root: &RootFs,
        soname: &str,
        runpath: &[String],
        program: &ElfFacts,
    ) -> Option<(String, PathBuf)> {
        if soname.contains('/') {
            return None;
        }
        let query: LibraryQuery = (soname.to_owned(), runpath.to_vec(), program.machine, program.is_64);
        if let Some(found) = self.libraries.get(&query) {
            return found.clone();
        }
        let mut dirs: Vec<String> = runpath.to_vec();
        if let Some(triplet) = elf::multiarch_triplet(program.machine, program.is_64) {
            dirs.push(format!("/lib/{triplet}"));
            dirs.push(format!("/usr/lib/{triplet}"));
        }
        if program.is_64 {
            dirs.extend(["/lib64".to_owned(), "/usr/lib64".to_owned()]);
        }
        dirs.extend(["/lib".to_owned(), "/usr/lib".to_owned()]);
        let found =
            dirs.iter().find_map(|d| match self.locate_at(root, &format!("{}/{soname}", d.trim_end_matches('/'))) {
                Located::Found { inside, real } if self.starts_as_elf(&real) => Some((inside, real)),
                _ => None,
            });
        self.libraries.insert(query, found.clone());
        found
    }

    pub(super) fn locate_at(&mut self, root: &RootFs, inside: &str) -> Located {
        let resolver = self.resolver.as_ref();
        let mut seen = None;
        let located = read_once(&mut self.located, &self.shared.located, inside, || {
            let (located, stat) = resolve_inside(resolver, root, inside);
            seen = stat;
            located
        });
        if let (Located::Found { real, .. }, Some(stat)) = (&located, seen) {
            self.stats.insert(real.clone(), stat);
        }
        located
    }

    /// The names in the directory at `inside` (none when it cannot be listed), listed once.
    pub(super) fn listing(&mut self, root: &RootFs, inside: &str) -> Arc<Vec<String>> {
        read_once(&mut self.listings, &self.shared.listings, inside, || {
            let names = root.real_path(inside).and_then(|real| root.list_dir(&real).ok()).unwrap_or_default();
            Arc::new(names.into_iter().map(|(name, _)| name).collect())
        })
    }

    /// Whether the file at `real` starts as an ELF file does.
    pub(super) fn starts_as_elf(&mut self, real: &Path) -> bool {
        let fs = self.fs.as_ref().expect("serve() names the root before anything is read");
        let known = self.known_stat(real);
        read_once(&mut self.elf_heads, &self.shared.elf_heads, real, || elf::is_elf(&head(fs, real, known)))
    }

    /// The plugins in `dirs`, the candidate plugin directories of a program (many services
    /// run the same programs, whose plugin directories are looked through once).
    pub(super) fn plugins(&mut self, dirs: &[String]) -> Arc<Plugins> {
        let cell = {
            let mut plugins = lock(&self.shared.plugins);
            match plugins.get(dirs) {
                Some(cell) => cell.clone(),
                None => plugins.entry(dirs.to_vec()).or_default().clone(),
            }
        };
        cell.get_or_init(|| {
            let found: Vec<Arc<plugins::DirPlugins>> = dirs.iter().map(|dir| self.plugin_dir(dir)).collect();
            Arc::new(plugins::combine(dirs, found.iter().map(Arc::as_ref)))
        })
        .clone()
    }

    /// What the candidate plugin directory `dir` holds, looked through once per run.
    fn plugin_dir(&self, dir: &str) -> Arc<plugins::DirPlugins> {
        let cell = {
            let mut dirs = lock(&self.shared.plugin_dirs);
            match dirs.get(dir) {
                Some(cell) => cell.clone(),
                None => dirs.entry(dir.to_owned()).or_default().clone(),
            }
        };
        let resolver = self.resolver.as_ref().expect("serve() names the root before anything is read");
        cell.get_or_init(|| Arc::new(plugins::find_in(resolver, dir))).clone()
    }

    /// An executable file or a script: what a wrapper could run.
    pub(super) fn is_runnable(&mut self, real: &Path) -> bool {
        let fs = self.fs.as_ref().expect("serve() names the root before anything is read");
        let known = self.known_stat(real);
        read_once(&mut self.runnable, &self.shared.runnable, real, || {
            let stat = fs.stat_unless_known(real, known);
            let exec_bit = stat.map(|m| m.kind == Kind::File && m.mode & 0o111 != 0).unwrap_or(false);
            exec_bit || head(fs, real, known).starts_with(b"#!")
        })
    }
}

/// What `key` gave: as this thread kept it in `own`, or as another thread kept it in
/// `shared`, or else as `read` gives it, then kept in both.
fn read_once<K, Q, V>(
    own: &mut HashMap<K, V, PathHash>,
    shared: &Mutex<HashMap<K, V, PathHash>>,
    key: &Q,
    read: impl FnOnce() -> V,
) -> V
where
    K: Borrow<Q> + Hash + Eq,
    Q: ToOwned<Owned = K> + Hash + Eq + ?Sized,
    V: Clone,
{
    if let Some(value) = own.get(key) {
        return value.clone();
    }
    let seen = lock(shared).get(key).cloned();
    let value = seen.unwrap_or_else(|| {
        let value = read();
        lock(shared).insert(key.to_owned(), value.clone());
        value
    });
    own.insert(key.to_owned(), value.clone());
    value
}

/// Where the path `inside` the root leads: a regular file, nothing, or a link not followed;
/// with what `stat` said of a file found.
fn resolve_inside(resolver: Option<&Resolver>, root: &RootFs, inside: &str) -> (Located, Option<Stat>) {
    let path = root.join_inside(inside);
    let resolved = match resolver {
        Some(resolver) => resolver.resolve_stat(&path),
        None => root.resolve(&path).map(|resolved| (resolved, None)),
    };
    match resolved {
        Ok((Resolved::Real(real), seen)) => match root.stat_unless_known(&real, seen) {
            Ok(stat) if stat.kind == Kind::File => {
                let rel = real.strip_prefix(root.dir()).unwrap_or(&real);
                (Located::Found { inside: format!("/{}", rel.display()), real }, Some(stat))
            }
            _ => (Located::NotFound, None),
        },
        Ok(_) => (Located::NotFound, None),
        Err(e) => (Located::Refused(format!("{}; not followed", e.message)), None),
    }
}

/// A program's file: an ELF file (shared through the cache) or the bytes of anything else.
pub(super) enum ProgramFile {
    Elf(Arc<ElfRead>),
    Other { bytes: Vec<u8>, mode: u32 },
}

#[derive(Clone)]
pub(super) enum Located {
    Found { inside: String, real: PathBuf },
    NotFound,
    Refused(String),
}

impl ParsedElf {
    /// [`ElfFacts::used_functions`], listed as a program's evidence lists them.
    pub fn imports(&self) -> Arc<[String]> {
        Arc::clone(self.imports.get_or_init(|| self.facts.used_functions().iter().cloned().collect()))
    }

    /// The matches `compute` gives with `functions` and `paths` not counted, worked out once.
    pub fn without(&self, functions: &[&str], paths: &[&str], compute: impl FnOnce() -> Vec<Match>) -> Arc<[Match]> {
        let same = |kept: &[String], asked: &[&str]| kept.iter().map(String::as_str).eq(asked.iter().copied());
        let mut without = lock(&self.without);
        if let Some((_, _, found)) = without.iter().find(|(f, p, _)| same(f, functions) && same(p, paths)) {
            return Arc::clone(found);
        }
        let found: Arc<[Match]> = compute().into();
        let key = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        without.push((key(functions), key(paths), Arc::clone(&found)));
        found
    }
}

fn parse_elf(inside: &str, file: &elf::Parts, mode: u32) -> ElfRead {
    let parsed = file.facts(elf::Strings::Paths).map(|facts| ParsedElf::of(inside, facts));
    ElfRead { mode, packed_by_upx: packed_by_upx(file.head()), parsed }
}

/// Whether the head of an ELF file carries UPX's mark. (memmem: comparing each of its 4 096
/// windows cost as much as parsing a small program.)
fn packed_by_upx(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"UPX!").is_some()
}

impl ParsedElf {
    /// The file read as `inside`, whose facts (with their strings) are `facts`.
    pub fn of(inside: &str, mut facts: ElfFacts) -> ParsedElf {
        let row_functions = row_functions_used(&facts);
        let (matches, from_strings) = matches_and_those_from_strings(inside, &facts, &row_functions);
        let loads_code = DLOPEN.iter().any(|f| facts.used_functions().contains(*f));
        let plugin_dirs = if loads_code { plugins::candidate_dirs(facts.strings.iter()) } else { Vec::new() };
        facts.strings.clear(); // only the rows and the plugin search read them, and they are read now
        ParsedElf {
            inside: inside.to_owned(),
            imports: OnceLock::new(),
            facts,
            matches: matches.into(),
            from_strings,
            without: Mutex::default(),
            plugin_dirs,
            row_functions,
        }
    }
}

pub(super) fn read_limited(root: &RootFs, real: &Path, limit: u64) -> Result<(Vec<u8>, u32), String> {
    read_limited_as(root, real, None, limit)
}

/// [`read_limited`] of a file whose `stat` may be `known` already.
pub(super) fn read_limited_as(
    root: &RootFs,
    real: &Path,
    known: Option<Stat>,
    limit: u64,
) -> Result<(Vec<u8>, u32), String> {
    let meta = limited(root, real, known, limit)?;
    root.read_stated(real, &meta, limit).map(|bytes| (bytes, meta.mode)).map_err(|e| e.to_string())
}

/// What `stat` says (or said: `known`) of a regular file not over `limit`.
fn limited(root: &RootFs, real: &Path, known: Option<Stat>, limit: u64) -> Result<Stat, String> {
    let meta = root.stat_unless_known(real, known).map_err(|e| e.to_string())?;
    if meta.kind != Kind::File {
        return Err("not a regular file".into());
    }
    if meta.len > limit {
        return Err(format!("{} bytes, over the {limit} bytes read", meta.len));
    }
    Ok(meta)
}

/// A program's or library's file as read.
enum FileRead {
    /// The parts of an ELF file its facts come from (in a package, the whole file).
    Elf(elf::Parts),
    /// Anything else, whole.
    Other(Vec<u8>),
}

/// A program or library, and its mode.
fn read_program_file(root: &RootFs, real: &Path, known: Option<Stat>) -> Result<(FileRead, u32), String> {
    let meta = limited(root, real, known, MAX_PROGRAM_SIZE)?;
    if !root.is_in_memory() {
        // One open for the ELF file's parts, its head among them (where the magic is).
        let file = fs::File::open(real).map_err(|e| e.to_string())?;
        let parts = elf::parts_of_file(&file, meta.len).map_err(|e| e.to_string())?;
        if elf::is_elf(parts.head()) {
            return Ok((FileRead::Elf(parts), meta.mode));
        }
    }
    // A package keeps only the parts of an ELF file that are read: the rest is zeros.
    let bytes = root.read_stated(real, &meta, MAX_PROGRAM_SIZE).map_err(|e| e.to_string())?;
    let read = if elf::is_elf(&bytes) { FileRead::Elf(elf::Parts::whole(bytes)) } else { FileRead::Other(bytes) };
    Ok((read, meta.mode))
}

fn head(root: &RootFs, real: &Path, known: Option<Stat>) -> Vec<u8> {
    let Ok(meta) = root.stat_unless_known(real, known) else { return Vec::new() };
    root.read_stated(real, &meta, 4).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plugin_directory_that_programs_name_in_other_lists_is_looked_through_once() {
        let t = tempfile::tempdir().unwrap();
        for f in ["usr/lib/food/a.so", "usr/lib/other/b.so"] {
            let path = t.path().join(f);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        let root = RootFs::new(t.path()).unwrap();
        let shared = Arc::new(SharedReadings::default());
        let mut cache = Cache::sharing(shared.clone());
        cache.serve(&root);
        assert_eq!(cache.plugins(&["/usr/lib/food".to_owned()]).files, ["/usr/lib/food/a.so"]);
        // Gone from the root after the first look: another list naming the directory, on
        // another thread, gets what that look found.
        fs::remove_file(t.path().join("usr/lib/food/a.so")).unwrap();
        let mut other = Cache::sharing(shared);
        other.serve(&root);
        let both = other.plugins(&["/usr/lib/other".to_owned(), "/usr/lib/food".to_owned()]);
        assert_eq!(both.files, ["/usr/lib/other/b.so", "/usr/lib/food/a.so"]);
        assert_eq!(both.dirs, [("/usr/lib/other".to_owned(), 1), ("/usr/lib/food".to_owned(), 1)]);
    }

    #[test]
    fn a_file_found_is_read_with_the_stat_its_lookup_saw() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join("usr/bin")).unwrap();
        fs::write(t.path().join("usr/bin/food"), "#!/bin/sh\n").unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let mut cache = Cache::default();
        cache.serve(&root);
        let Located::Found { real, .. } = cache.locate_at(&root, "/usr/bin/food") else { panic!("found") };
        // Changed after it was found: read as found, without another stat.
        fs::write(&real, "#!/bin/sh\nexec food\n").unwrap();
        assert_eq!(cache.read_limited(&real, 1024).unwrap().0, b"#!/bin/sh\n");
        // Read without the stat of a lookup, it is looked at again.
        assert_eq!(read_limited(&root, &real, 1024).unwrap().0, b"#!/bin/sh\nexec food\n");
    }

    #[test]
    fn the_upx_mark_is_found_anywhere_in_the_head() {
        let plainly = |head: &[u8]| head.windows(4).any(|w| w == b"UPX!");
        let mut head = vec![0u8; 4096];
        assert!(!packed_by_upx(&head));
        for at in [0, 1, 1000, 4092] {
            head.fill(b'U');
            head[at..at + 4].copy_from_slice(b"UPX!");
            assert!(packed_by_upx(&head) && plainly(&head), "at {at}");
        }
        for near in [&b"UPX"[..], b"UPX?", b"upx!", b"UP!X"] {
            assert!(!packed_by_upx(near) && !plainly(near));
        }
    }
}
