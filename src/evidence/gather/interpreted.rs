//! A Perl or Python script run as a program: its program is the interpreter (its own file
//! and libraries) plus the native extension modules the script's modules load, and the
//! commands the script and its modules run by names written in them. Modules of the
//! language's standard library do what the script asks of them: their extensions are read,
//! what they run is not (as for glibc's own files).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use super::{Gatherer, MAX_SCRIPT_SIZE};
use crate::evidence::files::{read_limited_as, Located, ProgramFile};
use crate::evidence::language::{read_source, Language, SourceReading};
use crate::evidence::table::interpreters::{uncounted, ScriptCommand, PYTHON_BUILTIN_MODULES, SCRIPT_COMMANDS};
use crate::evidence::table::{apply_matches, matches_without, ArgumentRole, DLOPEN};
use crate::evidence::{ProgramEvidence, ProgramKind};
use crate::unit::tree::Kind;
use crate::unit::words::base_name;

/// More module files than this are not read: the evidence is then incomplete.
const MAX_MODULES: usize = 3000;

/// One directory modules are looked up in, and whether it holds the standard library.
struct SearchDir {
    dir: String,
    standard: bool,
}

enum PythonModule {
    File(ModuleFile),
    Namespace,
    None,
}

/// A module found: its file, its dotted name (Python, for relative imports) and whether it
/// is of the standard library.
struct ModuleFile {
    path: String,
    name: String,
    standard: bool,
}

/// How the script is run: what decides which rows of [`SCRIPT_COMMANDS`] hold.
pub(super) struct Invocation<'a> {
    /// The script's options no invocation gives it.
    pub unused: &'a [&'a ArgumentRole],
    pub first_argument: Option<&'a str>,
}

impl Invocation<'_> {
    /// The row of `file` for `command`, when it holds for this invocation.
    fn row(&self, file: &str, command: &str) -> Option<&'static ScriptCommand> {
        SCRIPT_COMMANDS.iter().find(|r| {
            r.command == command
                && r.files.contains(&file)
                && r.unless_option.is_none_or(|o| self.unused.iter().any(|u| u.long.contains(&o)))
        })
    }
}

/// What the script and its modules run, as read so far.
#[derive(Default)]
struct Runs {
    /// Commands named literally.
    commands: BTreeSet<String>,
    /// Commands run by a variable a row of [`SCRIPT_COMMANDS`] knows: the file, the row.
    by_variable: Vec<(String, &'static ScriptCommand)>,
    /// What runs only for callers of a function: the function, and the command or the
    /// missing line (file: why) it then adds.
    for_callers: Vec<(&'static str, Result<String, String>)>,
    /// Such functions that some other file read names.
    called: BTreeSet<&'static str>,
}

impl Gatherer<'_> {
    /// Reads the script, its modules, the interpreter and what they run. Only a reading that
    /// is complete counts: from a script that also does what cannot be read, what was read
    /// (commands in module functions it may never call) would hold back hardening for
    /// nothing, and the evidence is incomplete anyway; explain still says why.
    pub(super) fn interpreted_script(
        &mut self,
        script: &str,
        interpreter: &str,
        language: Language,
        text: &str,
        how: &Invocation<'_>,
        depth: usize,
    ) {
        let outside = std::mem::take(&mut self.findings);
        self.read_interpreted(script, interpreter, language, text, how, depth);
        let read = std::mem::replace(&mut self.findings, outside);
        for why in &read.missing {
            self.findings.missing(why.clone());
        }
        if read.missing.is_empty() {
            for (need, whys) in read.needs {
                whys.into_iter().for_each(|w| self.findings.need(need, w));
            }
            for (cap, whys) in read.capabilities {
                whys.into_iter().for_each(|w| self.findings.capability(&cap, w));
            }
            for (family, whys) in read.families {
                whys.into_iter().for_each(|w| self.findings.family(&family, w));
            }
        } else {
            let not_counted = "what it was read to run and call is not counted while its reading is incomplete";
            self.findings.missing(format!("{script}: {not_counted}"));
        }
    }

    fn read_interpreted(
        &mut self,
        script: &str,
        interpreter: &str,
        language: Language,
        text: &str,
        how: &Invocation<'_>,
        depth: usize,
    ) {
        let interpreter_inside = match self.locate(interpreter) {
            Located::Found { inside, .. } => inside,
            _ => {
                // Reported missing when the interpreter is read below.
                interpreter.to_owned()
            }
        };
        // The script as read once per run (many services run the same one), or over the
        // size modules are read up to: its text as the unit runs it.
        let first = self.read_module(script, language).unwrap_or_else(|| Arc::new(read_source(language, text)));
        let mut search = self.module_dirs(language, &interpreter_inside, script);
        for dir in first.lib_dirs.iter().rev() {
            search.insert(0, SearchDir { dir: dir.clone(), standard: false });
        }
        let mut words = BTreeSet::new();
        let mut runs = Runs::default();
        let mut queue: VecDeque<(String, String, bool)> = VecDeque::new();
        let mut read_files: BTreeSet<String> = BTreeSet::new();
        // Where each module name was found: many modules load the same ones (POSIX, strict,
        // os), each looked for in every directory of the search.
        let mut found_by_name: HashMap<String, Rc<Vec<ModuleFile>>> = HashMap::new();
        self.program_code(script, &first, how, &mut words, &mut runs);
        queue.extend(first.modules.iter().map(|m| (m.clone(), String::new(), false)));
        while let Some((written, from, from_standard)) = queue.pop_front() {
            let (optional, name) = match written.strip_prefix('?') {
                Some(n) => (true, absolute_module(n, &from)),
                None => (false, absolute_module(&written, &from)),
            };
            let Some(name) = name else { continue };
            let found = match found_by_name.get(&name) {
                Some(found) => found.clone(),
                None => {
                    let found = Rc::new(self.find_module(language, &name, &search));
                    found_by_name.insert(name.clone(), found.clone());
                    found
                }
            };
            if found.is_empty() && !optional && !from_standard && !is_builtin(language, &name) {
                let by = if from.is_empty() { script.to_owned() } else { from.clone() };
                self.findings.missing(format!("{script}: module {name} (loaded by {by}) not found in the root"));
            }
            for module in found.iter() {
                if !read_files.insert(module.path.clone()) {
                    continue;
                }
                if read_files.len() > MAX_MODULES {
                    self.findings.missing(format!("{script}: loads more than {MAX_MODULES} module files; not read"));
                    break;
                }
                if module.path.ends_with(".so") {
                    // The interpreter and the other modules may call into its libraries: None.
                    self.plugin(script, &module.path, None);
                    continue;
                }
                let Some(reading) = self.read_module(&module.path, language) else {
                    self.findings.missing(format!("{script}: module {} cannot be read", module.path));
                    continue;
                };
                if !module.standard {
                    self.program_code(&module.path, &reading, how, &mut words, &mut runs);
                }
                // Relative imports start from the package: a package's own file is its __init__.
                let from = match language {
                    Language::Python if module.path.ends_with("/__init__.py") => format!("{}.__init__", module.name),
                    Language::Python => module.name.clone(),
                    Language::Perl => String::new(),
                };
                queue.extend(reading.modules.iter().map(|m| (m.clone(), from.clone(), module.standard)));
            }
        }
        for (function, then) in std::mem::take(&mut runs.for_callers) {
            match then {
                Ok(command) if runs.called.contains(function) => {
                    runs.commands.insert(command);
                }
                Err(missing) if runs.called.contains(function) => self.findings.missing(missing),
                _ => {}
            }
        }
        self.interpreter(script, interpreter, words);
        for command in &runs.commands {
            self.program(script, command, None, depth + 1);
        }
        for (file, row) in runs.by_variable {
            self.program_by_variable(&file, row, depth + 1);
        }
    }

    /// What the script's own code (or a module not of the standard library) shows.
    fn program_code(
        &mut self,
        file: &str,
        reading: &SourceReading,
        how: &Invocation<'_>,
        words: &mut BTreeSet<String>,
        runs: &mut Runs,
    ) {
        words.extend(reading.words.iter().cloned());
        for row in SCRIPT_COMMANDS.iter().filter(|r| !r.files.contains(&file)) {
            runs.called.extend(row.only_for_callers_of.filter(|f| reading.words.contains(*f)));
        }
        for command in &reading.commands {
            match how.row(file, command).filter(|r| !r.is_variable()) {
                Some(row) if row.unless_first_argument.is_some_and(|a| how.first_argument == Some(a)) => {}
                Some(ScriptCommand { only_for_callers_of: Some(function), .. }) => {
                    runs.for_callers.push((function, Ok(command.clone())));
                }
                _ => {
                    runs.commands.insert(command.clone());
                }
            }
        }
        for d in &reading.dynamic {
            let row = d.command_variable.as_deref().and_then(|v| how.row(file, v));
            match row {
                Some(ScriptCommand { only_for_callers_of: Some(function), .. }) => {
                    runs.for_callers.push((function, Err(format!("{file}: {}", d.why))));
                }
                Some(row) => {
                    if !runs.by_variable.iter().any(|(f, r)| f == file && std::ptr::eq(*r, row)) {
                        runs.by_variable.push((file.to_owned(), row));
                    }
                }
                None => self.findings.missing(format!("{file}: {}", d.why)),
            }
        }
    }

    /// The programs a row of [`SCRIPT_COMMANDS`] says a variable of `file` runs: every
    /// one the root holds, and none found leaves the evidence incomplete.
    fn program_by_variable(&mut self, file: &str, row: &ScriptCommand, depth: usize) {
        let runner = format!("{file} as {}", row.command);
        for pattern in row.runs {
            let candidates: Vec<String> = match pattern.split_once("/*/") {
                Some((dir, rest)) => self.list(dir).iter().map(|d| format!("{dir}/{d}/{rest}")).collect(),
                None => vec![pattern.to_string()],
            };
            let found: Vec<String> = candidates.into_iter().filter(|p| self.is_file(p)).collect();
            if found.is_empty() {
                self.findings.missing(format!("{runner} runs {pattern}: none in the root ({})", row.source));
            }
            for path in &found {
                let before = self.programs.len();
                self.program(&runner, path, None, depth);
                if let Some(p) = self.programs.get_mut(before).filter(|p| p.note.is_none() && &p.path == path) {
                    p.note = Some(format!("run as {} of {file}: {}", row.command, row.source));
                }
            }
        }
    }

    /// The interpreter's file, with only the privileged functions the script's code names
    /// counted, and its dlopen(3) serving the extension modules read here.
    fn interpreter(&mut self, script: &str, interpreter: &str, words: BTreeSet<String>) {
        let (inside, real) = match self.locate(interpreter) {
            Located::Found { inside, real } => (inside, real),
            Located::NotFound => {
                self.findings.missing(format!("{interpreter} (run by {script}): program not found in the root"));
                return;
            }
            Located::Refused(why) => {
                self.findings.missing(format!("{interpreter} (run by {script}): {why}"));
                return;
            }
        };
        let elf = match self.cache.program(&inside, &real) {
            Ok(ProgramFile::Elf(elf)) => elf,
            Ok(ProgramFile::Other { .. }) => {
                self.findings.missing(format!("{inside} (run by {script}): not an ELF file"));
                return;
            }
            Err(e) => {
                self.findings.missing(format!("{inside}: cannot read: {e}"));
                return;
            }
        };
        let parsed = match &elf.parsed {
            Ok(p) => p,
            Err(e) => {
                self.findings.missing(format!("{inside}: {e}"));
                return;
            }
        };
        let mut not_counted = uncounted(Some(&words));
        let ignored: Vec<&str> =
            not_counted.iter().copied().filter(|f| parsed.facts.used_functions().contains(*f)).collect();
        not_counted.extend(DLOPEN);
        let not_counted: Vec<&str> = not_counted.into_iter().collect();
        let own = matches_without(parsed, &not_counted, &[]);
        apply_matches(&own, true, &mut self.findings);
        let mut note = format!("its dlopen(3) loads the extension modules {} loads, read with it", base_name(script));
        if !ignored.is_empty() {
            note = format!("{} not counted: {} does not call them; {note}", ignored.join(", "), base_name(script));
        }
        let facts = &parsed.facts;
        self.programs.push(ProgramEvidence {
            path: interpreter.to_owned(),
            found: Some(inside.clone()),
            reached_by: script.to_owned(),
            kind: ProgramKind::Elf { linking: facts.linking.unwrap_or(crate::evidence::elf::Linking::Dynamic) },
            setuid: elf.mode & 0o6000 != 0,
            needed: facts.needed.clone(),
            libraries: Vec::new(),
            imports: parsed.imports(),
            plugins: Vec::new(),
            note: Some(note),
        });
        let saved = self.script_words.replace(words);
        // The extension modules its dlopen(3) loads may call into any of its libraries.
        let (libraries, _, not_counted) = self.follow_libraries(&inside, facts, None);
        self.script_words = saved;
        if let Some(mut p) = self.programs.pop() {
            p.libraries = libraries;
            self.add_library_notes(&mut p, not_counted);
            self.programs.push(p);
        }
    }

    /// Where the interpreter looks modules up inside the root, in its order (Debian's
    /// `@INC` of perl, `sys.path` of python3 with the script's directory first).
    fn module_dirs(&mut self, language: Language, interpreter: &str, script: &str) -> Vec<SearchDir> {
        let mut dirs = Vec::new();
        let mut add = |dir: String, standard: bool| dirs.push(SearchDir { dir, standard });
        match language {
            Language::Perl => {
                let version = self.perl_version();
                let triplets: Vec<String> =
                    self.list("/usr/lib").iter().filter(|d| d.contains("-linux-")).cloned().collect();
                add("/etc/perl".into(), false);
                for t in &triplets {
                    add(format!("/usr/local/lib/{t}/perl/{}", version.1), false);
                }
                add(format!("/usr/local/share/perl/{}", version.1), false);
                for t in &triplets {
                    add(format!("/usr/lib/{t}/perl5/{}", version.0), false);
                }
                add("/usr/share/perl5".into(), false);
                for t in &triplets {
                    add(format!("/usr/lib/{t}/perl-base"), true);
                    add(format!("/usr/lib/{t}/perl/{}", version.0), true);
                }
                // 5.40 is a symlink to 5.40.1 on Debian; a build root may have either.
                add(format!("/usr/share/perl/{}", version.0), true);
                add(format!("/usr/share/perl/{}", version.1), true);
            }
            Language::Python => {
                let name = base_name(interpreter);
                let version = if name.starts_with("python3.") { name.to_owned() } else { "python3".into() };
                add(script.rsplit_once('/').map_or("/".into(), |(d, _)| d.to_owned()), false);
                add(format!("/usr/lib/{version}"), true);
                add(format!("/usr/lib/{version}/lib-dynload"), true);
                add(format!("/usr/local/lib/{version}/dist-packages"), false);
                add("/usr/lib/python3/dist-packages".into(), false);
            }
        }
        dirs
    }

    /// The files a module loads from: Perl's `Foo/Bar.pm` and its XS object
    /// `auto/Foo/Bar/Bar.so`; Python's `a/b.py`, `a/b/__init__.py` or `a/b.*.so`, and the
    /// packages above it.
    fn find_module(&mut self, language: Language, name: &str, search: &[SearchDir]) -> Vec<ModuleFile> {
        let mut out = Vec::new();
        match language {
            Language::Perl => {
                let rel = name.replace("::", "/");
                let last = rel.rsplit('/').next().unwrap_or(&rel).to_owned();
                let mut source = false;
                let mut object = false;
                for d in search {
                    let pm = [&d.dir, "/", &rel, ".pm"].concat();
                    if !source && self.is_file(&pm) {
                        source = true;
                        out.push(ModuleFile { path: pm, name: name.to_owned(), standard: d.standard });
                    }
                    let so = [&d.dir, "/auto/", &rel, "/", &last, ".so"].concat();
                    if !object && self.is_file(&so) {
                        object = true;
                        out.push(ModuleFile { path: so, name: name.to_owned(), standard: d.standard });
                    }
                }
            }
            Language::Python => {
                let parts: Vec<&str> = name.split('.').collect();
                for n in 1..=parts.len() {
                    let module = parts[..n].join(".");
                    let rel = parts[..n].join("/");
                    match self.find_python_module(&module, &rel, search) {
                        PythonModule::File(found) => out.push(found),
                        PythonModule::Namespace => {}
                        PythonModule::None => break,
                    }
                }
            }
        }
        out
    }

    fn find_python_module(&mut self, module: &str, rel: &str, search: &[SearchDir]) -> PythonModule {
        let last = rel.rsplit('/').next().unwrap_or(rel);
        for d in search {
            let base = [&d.dir, "/", rel].concat();
            for path in [[&base, "/__init__.py"].concat(), [&base, ".py"].concat()] {
                if self.is_file(&path) {
                    return PythonModule::File(ModuleFile { path, name: module.to_owned(), standard: d.standard });
                }
            }
            let parent = base.rsplit_once('/').map_or("/".to_owned(), |(p, _)| p.to_owned());
            let prefix = format!("{last}.");
            if let Some(so) = self.list(&parent).iter().find(|f| f.starts_with(&prefix) && f.ends_with(".so")) {
                let path = format!("{parent}/{so}");
                return PythonModule::File(ModuleFile { path, name: module.to_owned(), standard: d.standard });
            }
        }
        // A namespace package: a directory without a file of its own.
        if search.iter().any(|d| self.is_dir(&format!("{}/{rel}", d.dir))) {
            return PythonModule::Namespace;
        }
        PythonModule::None
    }

    /// Perl's version directories: (`5.40`, `5.40.1`), from the root's perl-base.
    fn perl_version(&mut self) -> (String, String) {
        let full = self
            .list("/usr/share/perl")
            .iter()
            .filter(|v| v.matches('.').count() == 2)
            .max()
            .cloned()
            .unwrap_or_default();
        let short = full.rsplit_once('.').map_or(full.as_str(), |(s, _)| s).to_owned();
        (short, full)
    }

    /// A module's source as read, once per run: many services' scripts load the same modules.
    fn read_module(&mut self, inside: &str, language: Language) -> Option<Arc<SourceReading>> {
        let Located::Found { real, .. } = self.locate(inside) else { return None };
        self.cache.source(real, language, |root, real, known| {
            let (bytes, _) = read_limited_as(root, real, known, MAX_SCRIPT_SIZE).ok()?;
            Some(read_source(language, &crate::evidence::text(&bytes)))
        })
    }

    /// Modules are looked up in many directories: a file is found through the cache, a
    /// directory (not cached) only when a module is not a file.
    fn is_file(&mut self, inside: &str) -> bool {
        matches!(self.locate(inside), Located::Found { .. })
    }

    pub(super) fn is_dir(&self, inside: &str) -> bool {
        self.root.real_path(inside).and_then(|real| self.root.stat(&real).ok()).is_some_and(|s| s.kind == Kind::Dir)
    }

    pub(super) fn list(&mut self, inside: &str) -> Arc<Vec<String>> {
        self.cache.listing(self.root, inside)
    }
}

/// A module name made absolute: Python's `.x` and `..x` are relative to the package of the
/// module `from` that loads them. None when it climbs above the top.
fn absolute_module(name: &str, from: &str) -> Option<String> {
    let dots = name.len() - name.trim_start_matches('.').len();
    if dots == 0 {
        return Some(name.to_owned());
    }
    let mut package: Vec<&str> = from.split('.').filter(|p| !p.is_empty()).collect();
    package.pop(); // the module itself (a package's __init__ names the package: close enough)
    for _ in 1..dots {
        package.pop()?;
    }
    let rest = name.trim_start_matches('.');
    if !rest.is_empty() {
        package.push(rest);
    }
    (!package.is_empty()).then(|| package.join("."))
}

fn is_builtin(language: Language, name: &str) -> bool {
    let top = name.split(['.', ':']).next().unwrap_or(name);
    match language {
        Language::Python => PYTHON_BUILTIN_MODULES.contains(&top) || top == "__future__",
        Language::Perl => false,
    }
}
