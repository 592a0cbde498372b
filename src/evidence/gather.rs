//! Walks from a unit's command lines to the files they run, inside the root.

mod interpreted;
use interpreted::Invocation;
mod libraries;
mod pam;
mod scripts;

use crate::unit::words::base_name;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::elf::Linking;
use super::exec::COMMAND_PATH;
use super::files::{Cache, ElfRead, Located, ProgramFile};
use super::language::Language;
use super::shell::{AdminFile, ScriptReading};
use super::table::cited::{DLOPEN_PROBES, KEEPS_CAPABILITIES, USED_WITHOUT_FILE};
use super::table::interpreters::{DATA_INTERPRETERS, SCRIPT_COMMANDS};
use super::table::numbered::numbered_calls_of;
use super::table::{apply_matches, apply_program, matches_without, ArgumentRole, Effect, Findings, Match, DLOPEN};
use super::{Evidence, ProgramEvidence, ProgramKind, ServiceFacts, SocketFact};
use crate::directives::Need;
use crate::unit::facts::{Command, UnitFacts};
use crate::unit::rootfs::RootFs;
use crate::unit::{LoadOutcome, LoadedUnit, UnitName};

const MAX_SCRIPT_SIZE: u64 = 1024 * 1024;
/// Programs run by programs run by the unit, at most this deep.
const MAX_DEPTH: usize = 4;
/// Shells whose scripts are read instead of their own files: a shell does only what the
/// script tells it.
const SHELLS: &[&str] = &["sh", "dash", "bash", "ksh", "mksh", "ash", "posh"];

/// Standard tools a unit or script may run without them being in the root: as used in
/// services they need nothing hardening takes away. Not here: tools that change ownership
/// (install, cp -a, tar), run other commands (find, xargs), read other processes (pgrep)
/// or set the clock (date).
#[rustfmt::skip]
const HARMLESS_COMMANDS: &[&str] = &[
    "comm", "flock", "true", "false", "echo", "printf", "test", "kill", "cat", "mkdir", "rm", "rmdir", "ln",
    "chmod", "touch", "sleep", "sed", "awk", "mawk", "gawk", "grep", "egrep", "fgrep", "cut", "tr", "head", "tail",
    "sort", "uniq", "wc", "basename", "dirname", "readlink", "realpath", "id", "whoami", "expr", "seq", "tee",
    "stat", "mktemp", "logger", "systemd-notify", "uname", "nproc", "sync", "ls", "which", "cmp", "diff", "md5sum",
    "sha256sum", "base64", "od", "gzip", "zcat", "yes", "printenv", "tput", "rev",
];

pub fn gather(unit: &LoadedUnit, root: &RootFs) -> Evidence {
    let facts = UnitFacts::read(unit.name.prefix(), &unit.assignments());
    gather_with(unit, &facts, root, &mut Cache::default(), true)
}

/// [`gather`] for the unit's `facts`, with the files already read in this run taken from
/// `cache`; the paths the package declares its service writes only with `declared_paths`.
pub fn gather_with(
    unit: &LoadedUnit,
    facts: &UnitFacts,
    root: &RootFs,
    cache: &mut Cache,
    declared_paths: bool,
) -> Evidence {
    cache.serve(root);
    let mut g = Gatherer {
        root,
        cache,
        findings: Findings::default(),
        programs: Vec::new(),
        seen: BTreeSet::new(),
        scripts_read: BTreeSet::new(),
        script_words: None,
        library_notes: Vec::new(),
        environment: facts.environment.clone(),
        open_environment: facts.open_environment,
        runs_as_root: facts.runs_as_root(),
        set_id_gain: SetIdGain::of(facts),
        only_when_ids_differ: Vec::new(),
        needs_if_filter_kills: BTreeMap::new(),
        admin_files: BTreeMap::new(),
    };
    let mut named_files = Vec::new();
    for line in &facts.exec_lines {
        match &line.commands {
            Ok(commands) => commands.iter().for_each(|c| {
                named_files.extend(c.args.iter().map(|a| a.rsplit_once('=').map_or(a.as_str(), |(_, v)| v).to_owned()));
                g.command(&format!("{}=", line.key), c, 0)
            }),
            Err(e) => g.findings.missing(format!("{}={}: {e}", line.key, line.value)),
        }
    }
    if facts.exec_lines.is_empty() {
        // systemd refuses such a service, or its command comes from somewhere not read.
        g.findings.missing("the unit runs no program (no Exec*= command line): nothing to read".into());
    }
    let sockets = sockets(facts, root, g.cache, &mut g.findings);
    let mut f = g.findings;
    if g.set_id_gain == SetIdGain::UnlessSetuidRun && f.needs.contains_key(&Need::SetuidExecution) {
        // A set-uid program it runs may start one of them with ids that differ after all.
        for (dropped, note) in g.only_when_ids_differ {
            apply_matches(&dropped, false, &mut f);
            for p in g.programs.iter_mut() {
                let kept = p.note.take().map(|n| n.replace(&format!("; {note}"), "").replace(&format!("{note}; "), ""));
                p.note = kept.filter(|n| *n != note);
            }
        }
    }
    let inside = unit.main().real_path.strip_prefix(root.dir()).map(|p| format!("/{}", p.display()));
    let inside = inside.ok().filter(|_| declared_paths);
    let writable = inside.map(|p| g.cache.packages.writable_paths(root, &p, &named_files)).unwrap_or_default();
    for why in writable.unreadable {
        f.need(Need::WritesUndeclaredPaths, why);
    }
    Evidence {
        writable: writable.paths,
        unit: unit.name.to_string(),
        programs: g.programs,
        complete: f.missing.is_empty(),
        needs: f.needs,
        needs_if_filter_kills: g.needs_if_filter_kills,
        capabilities: f.capabilities,
        families: f.families,
        missing: f.missing,
        facts: ServiceFacts { unit: facts.clone(), sockets },
        admin_files: g.admin_files,
    }
}

struct Gatherer<'a> {
    root: &'a RootFs,
    cache: &'a mut Cache,
    findings: Findings,
    programs: Vec<ProgramEvidence>,
    seen: BTreeSet<String>,
    /// Shell scripts read, each with the arguments of the invocation it was read for: what
    /// a script runs may depend on them.
    scripts_read: BTreeSet<(String, Option<Vec<String>>)>,
    /// While an interpreter is read for a script: the words of the script's code, which say
    /// which of the interpreter's privileged functions it calls.
    script_words: Option<BTreeSet<String>>,
    /// What reading a program's libraries did not count, for its evidence's note.
    library_notes: Vec<String>,
    /// Variables the unit sets (`Environment=`), and whether it may set others.
    environment: BTreeMap<String, String>,
    open_environment: bool,
    /// Whether the service's processes start as root (no `User=`, no `DynamicUser=`).
    runs_as_root: bool,
    /// How a process of the service may come to run with a real user id other than its
    /// effective one, other than by changing its ids itself.
    set_id_gain: SetIdGain,
    /// Library matches not counted because the import is made only when the ids differ
    /// ([`super::table::libraries::ONLY_WHEN_IDS_DIFFER`]), with the note saying so: they
    /// count after all when `set_id_gain` turns out to allow it.
    only_when_ids_differ: Vec<(Vec<Match>, String)>,
    /// Needs of library imports whose failure the library handles
    /// ([`super::table::libraries::FAILURE_HANDLED`]), with why: they count only where a call
    /// the system call filter refuses kills the service.
    needs_if_filter_kills: BTreeMap<Need, Vec<String>>,
    /// Per script, the files it sources that were taken as the administrator's configuration.
    admin_files: BTreeMap<String, Vec<AdminFile>>,
}

/// Whether a set-uid program can give a process of the service a real user id other than
/// its effective one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetIdGain {
    /// No: no_new_privs is set (why).
    Never(&'static str),
    /// Only if it runs a set-uid program: it starts as root, so its real and effective ids
    /// are the same until it changes them.
    UnlessSetuidRun,
    /// Yes: a non-root `User=` without NoNewPrivileges=yes may run a set-uid program.
    Possible,
}

impl SetIdGain {
    fn of(user: &UnitFacts) -> SetIdGain {
        if user.dynamic_user {
            SetIdGain::Never("DynamicUser=yes implies NoNewPrivileges=yes")
        } else if user.no_new_privileges {
            SetIdGain::Never("the unit sets NoNewPrivileges=yes")
        } else if user.runs_as_root() {
            SetIdGain::UnlessSetuidRun
        } else {
            SetIdGain::Possible
        }
    }

    /// Why the ids cannot differ through a set-uid bit, when they cannot.
    fn why_not(self) -> Option<&'static str> {
        match self {
            SetIdGain::Never(why) => Some(why),
            SetIdGain::UnlessSetuidRun => Some("the service starts as root and runs no set-uid program"),
            SetIdGain::Possible => None,
        }
    }
}

impl Gatherer<'_> {
    /// One command: `env` and `sh -c` are seen through; the program is read, and absolute
    /// arguments that are programs in the root (a script given to an interpreter, the
    /// daemon given to a wrapper) are read too.
    fn command(&mut self, runner: &str, cmd: &Command, depth: usize) {
        let name = base_name(&cmd.program);
        if name == "env" {
            let mut rest = cmd.args.iter().skip_while(|a| a.starts_with('-') || a.contains('='));
            if let Some(program) = rest.next() {
                let inner = Command {
                    program: program.clone(),
                    args: rest.cloned().collect(),
                    full_privileges: cmd.full_privileges,
                    unsandboxed: cmd.unsandboxed,
                };
                self.command(runner, &inner, depth);
            }
            return;
        }
        if SHELLS.contains(&name) {
            if let Some(pos) = cmd.args.iter().position(|a| a == "-c") {
                let found = match self.locate(&cmd.program) {
                    Located::Found { inside, .. } => Some(inside),
                    _ => None,
                };
                self.programs.push(ProgramEvidence {
                    path: cmd.program.clone(),
                    found,
                    reached_by: runner.to_owned(),
                    kind: ProgramKind::Shell,
                    setuid: false,
                    needed: Vec::new(),
                    libraries: Vec::new(),
                    imports: Default::default(),
                    plugins: Vec::new(),
                    note: None,
                });
                let label = format!("{} -c of {runner}", cmd.program);
                match cmd.args.get(pos + 1) {
                    Some(text) => {
                        // `sh -c TEXT NAME ARG...`: NAME is $0.
                        let args = cmd.args.get(pos + 3..).map(<[String]>::to_vec).unwrap_or_default();
                        let ctx = self.shell_context(runner, &cmd.program, Some(args));
                        let reading = self.read_script(text, &ctx);
                        self.script_reading(&label, &reading, depth)
                    }
                    None => self.findings.missing(format!("{label}: no command string")),
                }
                return;
            }
        }
        self.program(runner, &cmd.program, Some(&cmd.args), depth);
        for (k, arg) in cmd.args.iter().enumerate().filter(|(_, a)| a.starts_with('/')) {
            if let Located::Found { real, .. } = self.locate(arg) {
                if self.cache.is_runnable(&real) {
                    // A shell given a script gives it the words that follow as $1...
                    let args = SHELLS.contains(&name).then(|| cmd.args[k + 1..].to_vec());
                    let runner = format!("{runner} (argument of {})", cmd.program);
                    self.program(&runner, arg, args.as_deref(), depth + 1);
                }
            }
        }
    }

    /// `args`: what the program is given, where the unit or script shows it.
    fn program(&mut self, runner: &str, written: &str, args: Option<&[String]>, depth: usize) {
        apply_program(runner, written, &mut self.findings);
        // A program whose options decide what it needs is read again when run with them.
        let unused: Vec<&ArgumentRole> = ArgumentRole::of(written).filter(|r| !r.selected_by(args)).collect();
        let mut seen_as = match unused.as_slice() {
            [] => written.to_owned(),
            roles => format!(
                "{written} (options not used: {})",
                roles.iter().map(|r| r.long[0]).collect::<Vec<_>>().join(" ")
            ),
        };
        // A script whose first argument decides what it runs is read again for each.
        let first_argument = args.and_then(|a| a.first()).map(String::as_str);
        let deciding =
            SCRIPT_COMMANDS.iter().filter_map(|r| r.unless_first_argument).find(|a| first_argument == Some(*a));
        if let Some(argument) = deciding {
            seen_as = format!("{seen_as} (first argument {argument})");
        }
        // A shell script is read again for other arguments; it is listed once.
        let first = self.seen.insert(seen_as);
        if !first && !self.scripts_read.iter().any(|(s, _)| s == written) {
            return;
        }
        if depth > MAX_DEPTH {
            self.findings.missing(format!("{written}: run {depth} programs deep; not followed further"));
            return;
        }
        let mut evidence = ProgramEvidence {
            path: written.to_owned(),
            found: None,
            reached_by: runner.to_owned(),
            kind: ProgramKind::Missing,
            setuid: false,
            needed: Vec::new(),
            libraries: Vec::new(),
            imports: Default::default(),
            plugins: Vec::new(),
            note: None,
        };
        let (inside, real) = match self.locate(written) {
            Located::Found { inside, real } => (inside, real),
            Located::NotFound if is_harmless(written) => return,
            Located::NotFound if self.used_without_file(runner, written) => {
                self.programs.push(evidence);
                return;
            }
            Located::NotFound => {
                self.findings.missing(format!("{written} (run by {runner}): program not found in the root"));
                self.programs.push(evidence);
                return;
            }
            Located::Refused(why) => {
                self.findings.missing(format!("{written} (run by {runner}): {why}"));
                self.programs.push(evidence);
                return;
            }
        };
        if base_name(&inside) != base_name(written) {
            apply_program(runner, &inside, &mut self.findings);
        }
        evidence.found = Some(inside.clone());
        let file = match self.cache.program(&inside, &real) {
            Ok(file) => {
                let mode = match &file {
                    ProgramFile::Elf(elf) => elf.mode,
                    ProgramFile::Other { mode, .. } => *mode,
                };
                evidence.setuid = mode & 0o6000 != 0;
                file
            }
            Err(e) => {
                self.findings.missing(format!("{inside}: cannot read: {e}"));
                self.programs.push(evidence);
                return;
            }
        };
        if evidence.setuid {
            let why = format!("{runner} runs {inside}, which is set-uid/set-gid: NoNewPrivileges= stops it");
            self.findings.need(Need::SetuidExecution, why);
        }
        let bytes = match file {
            ProgramFile::Elf(elf) => {
                self.elf_program(&inside, &elf, &unused, &mut evidence);
                self.programs.push(evidence);
                return;
            }
            ProgramFile::Other { bytes, .. } => bytes,
        };
        if let Some(line) = bytes.strip_prefix(b"#!") {
            let line = String::from_utf8_lossy(line.split(|b| *b == b'\n').next().unwrap_or_default()).into_owned();
            let mut words = line.split_whitespace();
            let mut interpreter = words.next().unwrap_or("").to_owned();
            if base_name(&interpreter) == "env" {
                interpreter = words.find(|w| !w.starts_with('-')).unwrap_or("").to_owned();
            }
            evidence.kind = ProgramKind::Script { interpreter: interpreter.clone() };
            if first {
                self.programs.push(evidence);
                apply_program(&inside, &interpreter, &mut self.findings);
            }
            if SHELLS.contains(&base_name(&interpreter)) {
                if bytes.len() as u64 > MAX_SCRIPT_SIZE {
                    self.findings.missing(format!("{inside}: a script over {MAX_SCRIPT_SIZE} bytes; not read"));
                    return;
                }
                let args = args.map(<[String]>::to_vec);
                if !self.scripts_read.insert((written.to_owned(), args.clone())) {
                    return;
                }
                let ctx = self.shell_context(runner, written, args);
                let reading = self.read_script(&super::text(&bytes), &ctx);
                self.script_reading(&inside, &reading, depth);
            } else if let Some(language) = Language::of_interpreter(base_name(&interpreter)) {
                if first {
                    let text = super::text(&bytes).into_owned();
                    let how = Invocation { unused: &unused, first_argument };
                    self.interpreted_script(&inside, &interpreter, language, &text, &how, depth);
                }
            } else if DATA_INTERPRETERS.contains(&base_name(&interpreter)) {
                self.program(&inside, &interpreter, None, depth + 1);
            } else {
                let lang = base_name(&interpreter);
                self.findings.missing(format!("{inside}: a {lang} script: what it runs and calls is not read"));
            }
        } else {
            evidence.kind = ProgramKind::Other;
            self.programs.push(evidence);
            self.findings.missing(format!("{inside}: neither an ELF file nor a script"));
        }
    }

    /// A program not in the root whose capabilities and families are known by name: they
    /// count as its file's would. False for any other program.
    fn used_without_file(&mut self, runner: &str, written: &str) -> bool {
        let name = base_name(written);
        let Some(known) = USED_WITHOUT_FILE.iter().find(|k| k.programs.contains(&name)) else { return false };
        let why = format!("{runner} runs {written}, not in the root: it {}", known.source);
        known.capabilities.iter().for_each(|cap| self.findings.capability(cap, why.clone()));
        known.families.iter().for_each(|family| self.findings.family(family, why.clone()));
        known.needs.iter().for_each(|need| self.findings.need(*need, why.clone()));
        true
    }

    /// `unused`: roles of the program whose options no invocation gives it, so the imports
    /// that serve them do not count.
    fn elf_program(&mut self, inside: &str, elf: &ElfRead, unused: &[&ArgumentRole], evidence: &mut ProgramEvidence) {
        let (parsed, facts, found) = match &elf.parsed {
            Ok(p) => (p, &p.facts, &p.matches),
            Err(e) => {
                evidence.kind = ProgramKind::Other;
                self.findings.missing(format!("{inside}: {e}"));
                return;
            }
        };
        let linking = facts.linking.unwrap_or(Linking::Dynamic);
        evidence.kind = ProgramKind::Elf { linking };
        evidence.needed = facts.needed.clone();
        evidence.imports = parsed.imports();
        if elf.packed_by_upx {
            let why = format!("{inside} is packed by UPX: it unpacks itself into writable, executable memory");
            self.findings.need(Need::WritableExecutableMemory, why);
            self.findings.missing(format!("{inside}: packed by UPX: imports unknown"));
        }
        if facts.is_go {
            self.findings.missing(format!("{inside}: a Go program: its runtime makes system calls without libc"));
        } else if linking == Linking::Static && !facts.has_symtab {
            self.findings.missing(format!("{inside}: statically linked and stripped: imports unknown"));
        }
        let mut own: Cow<[Match]> = if unused.is_empty() {
            Cow::Borrowed(found)
        } else {
            let used = facts.used_functions();
            let notes: Vec<String> = unused
                .iter()
                .filter_map(|r| {
                    let ignored: Vec<&str> = r.functions.iter().copied().filter(|f| used.contains(*f)).collect();
                    (!ignored.is_empty())
                        .then(|| format!("{} not counted: {} {}", ignored.join(", "), base_name(inside), r.why))
                })
                .collect();
            if !notes.is_empty() {
                evidence.note = Some(format!("{}, and no command gives it those options", notes.join("; ")));
            }
            let unused_functions: Vec<&str> = unused.iter().flat_map(|r| r.functions.iter().copied()).collect();
            Cow::Owned(matches_without(parsed, &unused_functions, &[]).to_vec())
        };
        // What the program's plugins import may reach into its libraries; plugins that are
        // not read (None) may reach anything.
        let mut plugin_imports = Some(BTreeSet::new());
        let probe = DLOPEN_PROBES.iter().find(|(names, _)| names.contains(&base_name(inside)));
        let loads_code = DLOPEN.iter().any(|f| facts.used_functions().contains(*f));
        if let (Some((_, source)), true) = (probe, loads_code) {
            own.to_mut().retain(|m| !m.then.iter().any(|e| matches!(e, Effect::LoadsPlugins)));
            let why = format!("dlopen not counted: it loads no code ({source})");
            evidence.note = Some(evidence.note.take().map_or(why.clone(), |n| format!("{n}; {why}")));
        } else if loads_code {
            let plugin_dirs = elf.parsed.as_ref().map(|p| p.plugin_dirs.as_slice()).unwrap_or_default();
            let found = self.cache.plugins(plugin_dirs);
            if found.dirs.is_empty() || found.truncated {
                plugin_imports = None;
            }
            if !found.dirs.is_empty() {
                own.to_mut().retain(|m| !m.then.iter().any(|e| matches!(e, Effect::LoadsPlugins)));
                evidence.plugins = found.dirs.iter().map(|(d, n)| format!("{d} ({n} *.so files)")).collect();
                if found.truncated {
                    self.findings.missing(format!("{inside}: more plugins than are read in {}", found.dirs[0].0));
                }
                for file in &found.files {
                    let imported = self.plugin(inside, file, Some(facts.used_functions()));
                    match (&mut plugin_imports, imported) {
                        (Some(all), Some(imported)) => all.extend(imported),
                        _ => plugin_imports = None,
                    }
                }
            }
        }
        let sets_own = |m: &Match| m.then.iter().any(|e| matches!(e, Effect::SetsOwnCapabilities));
        let keeps = KEEPS_CAPABILITIES.iter().find(|(names, _, _)| names.contains(&base_name(inside)));
        if let (Some((_, caps, source)), true) = (keeps, own.iter().any(sets_own)) {
            own.to_mut().retain(|m| !sets_own(m));
            for cap in *caps {
                let why = format!("{inside} sets its own capabilities, keeping at most {} ({source})", caps.join(" "));
                self.findings.capability(cap, why);
            }
        }
        self.pam_modules(inside, facts, &mut own);
        apply_matches(&own, true, &mut self.findings);
        let (libraries, _, mut not_counted) = self.follow_libraries(inside, facts, plugin_imports.as_ref());
        if let Some(row) = numbered_calls_of(inside).filter(|_| facts.used_functions().contains("syscall")) {
            not_counted.insert(0, format!("{inside} imports syscall: {}", row.describe()));
        }
        evidence.libraries = libraries;
        self.add_library_notes(evidence, not_counted);
    }

    /// Finds a program as systemd would: an absolute path, or a bare name in its PATH; in a
    /// build root laid out without merged /usr, `/bin/x` may be installed as `/usr/bin/x`
    /// or the other way round.
    fn locate(&mut self, written: &str) -> Located {
        if written.contains('%') {
            return Located::Refused("contains a unit specifier; not expanded".into());
        }
        // Each candidate is made only when the ones before it were not found.
        let candidates: Box<dyn Iterator<Item = String>> = if written.starts_with('/') {
            Box::new(std::iter::once(written.to_owned()).chain(merged_usr_alias(written)))
        } else if written.contains('/') || written.is_empty() {
            return Located::Refused("not an absolute path".into());
        } else {
            Box::new(COMMAND_PATH.iter().map(|d| [d, "/", written].concat()))
        };
        let mut refused = None;
        for c in candidates {
            match self.cache.locate_at(self.root, &c) {
                Located::NotFound => {}
                Located::Refused(why) => refused = refused.or(Some(Located::Refused(why))),
                found => return found,
            }
        }
        refused.unwrap_or(Located::NotFound)
    }

    /// What a script runs: each command in command position (also in the files it
    /// sources), and the programs named by absolute paths it mentions.
    fn script_reading(&mut self, script: &str, reading: &ScriptReading, depth: usize) {
        for d in &reading.dynamic {
            self.findings.missing(format!("{script}: {d}"));
        }
        if !reading.admin_files.is_empty() {
            let known = self.admin_files.entry(script.to_owned()).or_default();
            for a in &reading.admin_files {
                if !known.contains(a) {
                    known.push(a.clone());
                }
            }
        }
        for c in &reading.commands {
            let args: Option<Vec<String>> = reading.arguments.get(c).map(|a| a.iter().cloned().collect());
            self.program(script, c, args.as_deref(), depth + 1);
        }
        for p in reading.paths.iter().filter(|p| !reading.commands.contains(*p)) {
            if let Located::Found { real, .. } = self.locate(p) {
                if self.cache.is_runnable(&real) {
                    self.program(script, p, None, depth + 1);
                }
            }
        }
    }
}

/// The sockets systemd opens for the service, as its socket units in the root declare them.
fn sockets(facts: &UnitFacts, root: &RootFs, cache: &mut Cache, findings: &mut Findings) -> Vec<SocketFact> {
    let mut sockets = Vec::new();
    let Some(loader) = cache.loader(root) else { return sockets };
    let mut seen = BTreeSet::new();
    for name in facts.socket_units.iter().filter(|n| seen.insert(*n)) {
        let Some(parsed) = UnitName::parse(name) else {
            continue;
        };
        let Ok(LoadOutcome::Unit(socket)) = loader.load_name(&parsed) else {
            continue;
        };
        for a in socket.assignments().iter().filter(|a| a.section == "Socket") {
            let (family, port) = match a.key.as_str() {
                "ListenStream" | "ListenDatagram" | "ListenSequentialPacket" => listen_address(&a.value),
                "ListenNetlink" => (Some("AF_NETLINK"), None),
                _ => continue,
            };
            let directive = format!("{}={}", a.key, a.value);
            if let Some(f) = family {
                findings.family(f, format!("{name} has {directive}"));
                if f == "AF_INET6" && port.is_some() {
                    findings.family("AF_INET", format!("{name} has {directive}"));
                }
            }
            sockets.push(SocketFact { unit: name.clone(), directive, family: family.map(str::to_owned), port });
        }
    }
    sockets
}

/// The family and port of a `Listen*=` address as systemd.socket(5) reads it.
fn listen_address(value: &str) -> (Option<&'static str>, Option<u16>) {
    let v = value.trim();
    if v.starts_with('/') || v.starts_with('@') {
        return (Some("AF_UNIX"), None);
    }
    if v.starts_with("vsock:") {
        return (Some("AF_VSOCK"), None);
    }
    if let Ok(port) = v.parse::<u16>() {
        return (Some("AF_INET6"), Some(port)); // a bare port listens on both, IPv6 first
    }
    let port = v.rsplit_once(':').and_then(|(_, p)| p.split('%').next()?.parse::<u16>().ok());
    if v.starts_with('[') {
        (Some("AF_INET6"), port)
    } else if v.contains('.') && port.is_some() {
        (Some("AF_INET"), port)
    } else {
        (None, port)
    }
}

/// A standard tool, named bare or in a standard directory, that the rows need not see.
fn is_harmless(written: &str) -> bool {
    let in_path = match written.rsplit_once('/') {
        None => true,
        Some((dir, _)) => COMMAND_PATH.contains(&dir),
    };
    in_path && HARMLESS_COMMANDS.contains(&base_name(written))
}

fn merged_usr_alias(path: &str) -> Option<String> {
    for (top, usr) in
        [("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/"), ("/lib/", "/usr/lib/"), ("/lib64/", "/usr/lib64/")]
    {
        if let Some(rest) = path.strip_prefix(top) {
            return Some(format!("{usr}{rest}"));
        }
        if let Some(rest) = path.strip_prefix(usr) {
            return Some(format!("{top}{rest}"));
        }
    }
    None
}

fn parent_of(inside: &str) -> String {
    match inside.rsplit_once('/') {
        Some(("", _)) | None => "/".to_owned(),
        Some((dir, _)) => dir.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        assert_eq!(listen_address("80"), (Some("AF_INET6"), Some(80)));
        assert_eq!(listen_address("0.0.0.0:53"), (Some("AF_INET"), Some(53)));
        assert_eq!(listen_address("[::1]:8080"), (Some("AF_INET6"), Some(8080)));
        assert_eq!(listen_address("/run/foo.sock"), (Some("AF_UNIX"), None));
        assert_eq!(listen_address("@abstract"), (Some("AF_UNIX"), None));
    }

    #[test]
    fn merged_usr() {
        assert_eq!(merged_usr_alias("/sbin/x").as_deref(), Some("/usr/sbin/x"));
        assert_eq!(merged_usr_alias("/usr/bin/x").as_deref(), Some("/bin/x"));
        assert_eq!(merged_usr_alias("/opt/x"), None);
    }
}
