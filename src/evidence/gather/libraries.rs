//! The libraries a program links and the plugins it loads: what their imports count for.

use std::borrow::Cow;
use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use super::{parent_of, Gatherer};
use crate::evidence::elf::ElfFacts;
use crate::evidence::files::{ElfRead, Located, ParsedElf};
use crate::evidence::table::interpreters::{is_interpreter_library, uncounted};
use crate::evidence::table::libraries::{
    counted_matches, reach_of, rows_for, Callers, LibraryImports, FAILURE_HANDLED, ONLY_WHEN_IDS_DIFFER,
};
use crate::evidence::table::numbered::numbered_calls_of;
use crate::evidence::table::{apply_matches, matches_without, Effect, Match};
use crate::evidence::{LibraryEvidence, ProgramEvidence};

/// DT_NEEDED followed this many levels below the program.
const LIBRARY_LEVELS: usize = 2;

/// glibc and the compiler's runtime: what they do is what the program asks of them through
/// the functions it imports, which the rows read; their own strings (`/proc/meminfo` for
/// sysconf, `/dev/console`) are the same in every program and say nothing about it.
const PLATFORM_LIBRARIES: &[&str] = &[
    "libc.so.",
    "libm.so.",
    "libpthread.so.",
    "libdl.so.",
    "librt.so.",
    "libutil.so.",
    "libresolv.so.",
    "libanl.so.",
    "libstdc++.so.",
    "libgcc_s.so.",
    "ld-linux",
];

impl Gatherer<'_> {
    /// The notes [`Self::follow_libraries`] returned (`not_counted`) and left, added to the
    /// program's.
    pub(super) fn add_library_notes(&mut self, evidence: &mut ProgramEvidence, not_counted: Vec<String>) {
        let mut notes = not_counted;
        notes.append(&mut self.library_notes);
        if !notes.is_empty() {
            let mut all: Vec<String> = evidence.note.take().into_iter().collect();
            all.extend(notes);
            evidence.note = Some(all.join("; "));
        }
    }

    /// A plugin `program` loads: its code is the program's, so what it needs counts as the
    /// program's needs; its own dlopen(3) serves the program's plugin system, already read.
    /// `program_imports` may reach into the plugin's libraries. Returns what the plugin and
    /// its libraries import (None when some of it could not be read).
    pub(super) fn plugin(
        &mut self,
        program: &str,
        inside: &str,
        program_imports: Option<&BTreeSet<String>>,
    ) -> Option<BTreeSet<String>> {
        self.plugin_except(program, inside, program_imports, &|_| false)
    }

    /// [`Self::plugin`] with the plugin's matches that `not_counted` says do not count for
    /// this program left out.
    pub(super) fn plugin_except(
        &mut self,
        program: &str,
        inside: &str,
        program_imports: Option<&BTreeSet<String>>,
        not_counted: &dyn Fn(&Match) -> bool,
    ) -> Option<BTreeSet<String>> {
        let Located::Found { real, .. } = self.locate(inside) else { return Some(BTreeSet::new()) };
        if !self.cache.starts_as_elf(&real) {
            return Some(BTreeSet::new()); // a linker script or data file beside the plugins: nothing loads it
        }
        let read = self.cache.library(inside, &real);
        match read.as_deref().map(|r| &r.parsed) {
            Ok(Ok(parsed)) => {
                let mut own: Cow<[Match]> = Cow::Owned(
                    parsed
                        .matches
                        .iter()
                        .filter(|m| !m.then.iter().any(|e| matches!(e, Effect::LoadsPlugins)) && !not_counted(m))
                        .cloned()
                        .collect(),
                );
                self.pam_modules(inside, &parsed.facts, &mut own);
                apply_matches(&own, true, &mut self.findings);
                let (_, chain, _) = self.follow_libraries(inside, &parsed.facts, program_imports);
                chain.map(|libraries| {
                    let mut all: BTreeSet<String> = imports_of(&libraries).map(str::to_owned).collect();
                    all.extend(parsed.facts.used_functions().iter().cloned());
                    all
                })
            }
            Err(e) | Ok(Err(e)) => {
                self.findings.missing(format!("{inside} (a plugin of {program}): {e}"));
                None
            }
        }
    }

    /// Reads the DT_NEEDED libraries found inside the root, `LIBRARY_LEVELS` deep, for the
    /// libraries they link and the functions they import. A library that is not in the root
    /// (it comes from another package) is listed, and matched by its name only.
    ///
    /// A library's imports that only some of its exports reach ([`reach_of`]) count only
    /// when an object the program loads imports one of those: the program, `callers` (its
    /// plugins, or a plugin's program; None: not all read) and every library it loads, read
    /// to the end of the DT_NEEDED chain for their imports. With anything of that unread,
    /// they count. Returns the libraries, every library of the chain read (None: not all
    /// read), and what was not counted, for `explain`.
    pub(super) fn follow_libraries(
        &mut self,
        program: &str,
        facts: &ElfFacts,
        callers: Option<&BTreeSet<String>>,
    ) -> (Vec<LibraryEvidence>, Option<Vec<Arc<ElfRead>>>, Vec<String>) {
        let mut out: Vec<LibraryEvidence> = Vec::new();
        let mut read: Vec<(String, Arc<ElfRead>)> = Vec::new();
        // What the whole chain imports is gathered only when a library's rows ask for it.
        let mut chain: Option<Vec<Arc<ElfRead>>> = Some(Vec::new());
        let mut queue: VecDeque<(String, String, Vec<String>, usize)> = VecDeque::new();
        let origin = parent_of(program);
        for soname in &facts.needed {
            queue.push_back((soname.clone(), program.to_owned(), expand_origin(&facts.runpath, &origin), 1));
        }
        // Libraries below LIBRARY_LEVELS are read only for what they import, and only when
        // a library read governs some of its imports: `pending` waits for that.
        let mut beyond: BTreeSet<String> = BTreeSet::new();
        let mut pending = Vec::new();
        loop {
            while let Some((soname, needed_by, runpath, level)) = queue.pop_front() {
                if out.iter().any(|l| l.soname == soname) || beyond.contains(&soname) {
                    continue;
                }
                let platform = PLATFORM_LIBRARIES.iter().any(|p| soname.starts_with(p));
                let found = if platform { None } else { self.cache.find_library(self.root, &soname, &runpath, facts) };
                let listed = level <= LIBRARY_LEVELS;
                if listed {
                    let path = found.as_ref().map(|(inside, _)| inside.clone());
                    out.push(LibraryEvidence { soname: soname.clone(), path, needed_by });
                } else {
                    beyond.insert(soname.clone());
                }
                let Some((inside, real)) = found else {
                    if !platform {
                        chain = None; // another package's library: what it calls is unknown
                    }
                    continue;
                };
                let lib = self.cache.library(&inside, &real);
                let parsed = match lib.as_deref().map(|r| &r.parsed) {
                    Ok(Ok(parsed)) => parsed,
                    Err(e) | Ok(Err(e)) => {
                        chain = None;
                        if listed {
                            self.findings.missing(format!("{inside} (linked by {program}): {e}"));
                        }
                        continue;
                    }
                };
                let lib_runpath = expand_origin(&parsed.facts.runpath, &parent_of(&inside));
                let next =
                    parsed.facts.needed.iter().map(|n| (n.clone(), inside.clone(), lib_runpath.clone(), level + 1));
                if level == LIBRARY_LEVELS {
                    pending.extend(next);
                } else {
                    queue.extend(next);
                }
                if let (Some(all), Ok(lib)) = (chain.as_mut(), &lib) {
                    all.push(lib.clone());
                }
                if let (true, Ok(lib)) = (listed, lib) {
                    read.push((inside, lib));
                }
            }
            let governed = out.iter().any(|l| reach_of(&l.soname).next().is_some());
            if pending.is_empty() || chain.is_none() || !governed {
                break;
            }
            queue.extend(pending.drain(..));
        }
        let mut not_counted = Vec::new();
        let governed = out.iter().any(|l| reach_of(&l.soname).next().is_some());
        let all_callers: Option<Callers> = match (&chain, callers) {
            (Some(libraries), Some(callers)) if governed => {
                let chain = libraries.iter().filter_map(|l| l.parsed.as_ref().ok()).map(|p| p.facts.used_functions());
                Some(Callers { imports: chain.chain([callers, facts.used_functions()]).collect() })
            }
            _ => None, // no row asks, or not all read: every import counts
        };
        for (inside, lib) in &read {
            let Ok(parsed) = &lib.parsed else { continue };
            let soname = out.iter().find(|l| l.path.as_deref() == Some(inside.as_str())).map(|l| l.soname.as_str());
            let soname = soname.unwrap_or("");
            if is_interpreter_library(soname) {
                let own = self.interpreter_library_matches(soname, parsed);
                apply_matches(&own, false, &mut self.findings);
                continue;
            }
            let callers = all_callers.as_ref();
            let ids = self.not_counted_unless_ids_differ(soname);
            let ids_imports: &[&str] = ids.map_or(&[], |(row, _)| row.imports);
            let (mut own, notes) = counted_matches(program, inside, soname, parsed, callers, ids_imports);
            if let Some((row, why)) = ids {
                let (all, _) = counted_matches(program, inside, soname, parsed, callers, &[]);
                let dropped: Vec<Match> =
                    all.iter().filter(|m| !own.iter().any(|o| o.reason == m.reason)).cloned().collect();
                if !dropped.is_empty() {
                    let what: Vec<&str> =
                        ids_imports.iter().copied().filter(|f| parsed.facts.used_functions().contains(*f)).collect();
                    let note = format!(
                        "{inside}: {} not counted: called only while the real and effective user ids differ, \
                         which here only a program changing its own ids can cause, and then its own imports \
                         count ({why}; {})",
                        what.join(", "),
                        row.source
                    );
                    not_counted.push(note.clone());
                    self.only_when_ids_differ.push((dropped, note));
                }
            }
            let used = parsed.facts.used_functions();
            let handled: Vec<(&LibraryImports, Vec<&str>)> = rows_for(FAILURE_HANDLED, soname)
                .map(|r| (r, r.imports.iter().copied().filter(|f| used.contains(*f)).collect::<Vec<_>>()))
                .filter(|(_, imports)| !imports.is_empty())
                .collect();
            if !handled.is_empty() {
                let also: Vec<&str> =
                    ids_imports.iter().copied().chain(handled.iter().flat_map(|(_, i)| i.iter().copied())).collect();
                let (kept, _) = counted_matches(program, inside, soname, parsed, callers, &also);
                let dropped: Vec<&Match> = own.iter().filter(|m| !kept.iter().any(|k| k.reason == m.reason)).collect();
                if !dropped.is_empty() {
                    for (row, imports) in &handled {
                        not_counted.push(format!(
                            "{inside}: {} not counted: its failure is handled ({}), and a call the system call \
                             filter refuses fails with its errno; counted only where a refused call kills the service",
                            imports.join(", "),
                            row.source
                        ));
                    }
                    for m in dropped {
                        for effect in m.then {
                            if let Effect::Need(need) = effect {
                                let whys = self.needs_if_filter_kills.entry(*need).or_default();
                                if !whys.contains(&m.reason) {
                                    whys.push(m.reason.clone());
                                }
                            }
                        }
                    }
                    own = kept;
                }
            }
            apply_matches(&own, false, &mut self.findings);
            not_counted.extend(notes);
            if let Some(row) = numbered_calls_of(inside).filter(|_| parsed.facts.used_functions().contains("syscall")) {
                not_counted.push(format!("{inside} imports syscall: {}", row.describe()));
            }
        }
        (out, chain, not_counted)
    }

    /// The imports of a library that count only where a process's real and effective user
    /// ids may differ, when the service rules that out: with the row's source and why.
    fn not_counted_unless_ids_differ(&self, soname: &str) -> Option<(&'static LibraryImports, &'static str)> {
        let why = self.set_id_gain.why_not()?;
        Some((rows_for(ONLY_WHEN_IDS_DIFFER, soname).next()?, why))
    }

    /// An interpreter's library offers its scripts privileged functions: they count only
    /// when the script read names them (or, for a program embedding the interpreter, not at
    /// all); the note says which were left out.
    fn interpreter_library_matches(&mut self, soname: &str, lib: &ParsedElf) -> Arc<[Match]> {
        let not_counted = uncounted(self.script_words.as_ref());
        let used = lib.facts.used_functions();
        let ignored: Vec<&str> = not_counted.iter().copied().filter(|f| used.contains(*f)).collect();
        if !ignored.is_empty() {
            let whose =
                if self.script_words.is_some() { "the script does not call them" } else { "they serve its scripts" };
            self.library_notes.push(format!("{} of {soname} not counted: {whose}", ignored.join(", ")));
        }
        let not_counted: Vec<&str> = not_counted.into_iter().collect();
        matches_without(lib, &not_counted, &[])
    }
}

/// What the libraries read import, each name as often as it is imported.
fn imports_of(libraries: &[Arc<ElfRead>]) -> impl Iterator<Item = &str> {
    let parsed = libraries.iter().filter_map(|l| l.parsed.as_ref().ok());
    parsed.flat_map(|p| p.facts.used_functions().iter().map(String::as_str))
}

fn expand_origin(runpath: &[String], origin: &str) -> Vec<String> {
    runpath.iter().map(|p| p.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)).collect()
}
