//! A program that links libpam runs the modules its PAM configuration names: they are read
//! as its plugins, from the root's /etc/pam.d (and /usr/lib/pam.d, where Debian's packages
//! also put theirs), for the stacks its imports can run. Without a configuration in the root
//! (a package's build root) or with a module that runs what its arguments name, the evidence
//! stays incomplete.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::{Gatherer, MAX_SCRIPT_SIZE};
use crate::directives::Need;
use crate::evidence::elf::ElfFacts;
use crate::evidence::files::Located;
use crate::evidence::pam::{parse, stacks_run, Line, Stack};
use crate::evidence::table::cited::{PAM_HELPERS_FOR_NON_ROOT, PAM_HELPER_AS_USER, PAM_MODULES};
use crate::evidence::table::{Effect, Match};
use crate::unit::words::base_name;

/// Where libpam reads service files: /etc/pam.d, then the vendor directory.
const CONFIG_DIRS: &[&str] = &["/etc/pam.d", "/usr/lib/pam.d"];

/// Functions with which a program may leave root before it calls PAM.
const LEAVES_ROOT: &[&str] = &["setuid", "seteuid", "setreuid", "setresuid"];

/// A module the configuration names for a stack that runs, with the first line naming it.
struct Named {
    may_be_missing: bool,
    at: String,
}

impl Gatherer<'_> {
    /// `own`: the matches of `inside`, a program or plugin. When it links libpam, the PAM
    /// modules are read as its plugins and the match that leaves its evidence incomplete for
    /// PAM is taken out; when they cannot all be read, it stays, with why.
    pub(super) fn pam_modules(&mut self, inside: &str, facts: &ElfFacts, own: &mut Cow<'_, [Match]>) {
        let runs_pam = |m: &Match| m.then.iter().any(|e| matches!(e, Effect::RunsPamModules));
        if !own.iter().any(runs_pam) {
            return;
        }
        let stacks = stacks_run(facts.used_functions());
        let named = match self.pam_configuration(&stacks) {
            Ok(named) => named,
            Err(why) => {
                self.findings.missing(format!("{inside} links libpam: {why}"));
                return;
            }
        };
        let as_root = self.runs_as_root && !LEAVES_ROOT.iter().any(|f| facts.used_functions().contains(*f));
        let mut complete = true;
        let mut read = Vec::new();
        let imports = facts.used_functions().clone();
        for (module, n) in &named {
            let path = match self.pam_module_path(module) {
                Ok(path) => path,
                Err(why) => {
                    self.findings.missing(format!("{inside}: PAM module {module} ({}): {why}", n.at));
                    complete = false;
                    continue;
                }
            };
            let Some(path) = path else {
                if !n.may_be_missing {
                    self.findings.missing(format!("{inside}: PAM module {module} ({}) not found in the root", n.at));
                    complete = false;
                }
                continue;
            };
            let name = base_name(&path).to_owned();
            read.push(name.clone());
            let why = format!("{inside} runs the PAM module {path} ({})", n.at);
            if let Some(known) = PAM_MODULES.iter().find(|k| k.modules.contains(&name.as_str())) {
                let said = format!("{why}: it {}", known.source);
                known.capabilities.iter().for_each(|cap| self.findings.capability(cap, said.clone()));
                known.families.iter().for_each(|family| self.findings.family(family, said.clone()));
                if known.runs_unread {
                    self.findings.missing(said);
                    complete = false;
                }
            }
            let helpers = PAM_HELPERS_FOR_NON_ROOT.iter().find(|(m, _, _)| *m == name);
            // A module links libpam too: that is its host's PAM, read here.
            let host_pam = format!("{path} links libpam.so");
            let not_counted = |m: &Match| {
                m.reason.starts_with(&host_pam)
                    || helpers.is_some_and(|(_, names, _)| {
                        names.iter().any(|h| m.reason.starts_with(&format!("{path} runs ")) && m.reason.contains(h))
                    })
            };
            match helpers {
                Some((_, names, source)) if as_root => self.library_notes.push(format!(
                    "{} run by {name} not counted: the service runs it as root ({source})",
                    names.join(", ")
                )),
                // A hint, not a veto: the only password it can check for the service is that
                // of the service's own user, which a daemon's account does not log in with.
                Some((_, names, _)) => {
                    let why = format!(
                        "{path} names {}: {PAM_HELPER_AS_USER}",
                        names.iter().map(|h| format!("/usr/sbin/{h}")).collect::<Vec<_>>().join(", ")
                    );
                    self.findings.need(Need::SetuidExecution, why);
                }
                None => {}
            }
            if self.plugin_except(inside, &path, Some(&imports), &not_counted).is_none() {
                complete = false;
            }
        }
        if complete {
            own.to_mut().retain(|m| !runs_pam(m));
            let stacks: Vec<&str> = stacks.iter().map(|s| s.name()).collect();
            self.library_notes.push(if stacks.is_empty() {
                "its PAM runs no module: it calls none of the functions that run a stack".to_owned()
            } else {
                format!(
                    "PAM modules read as its plugins, those the files of {} name for its {} stacks: {}",
                    CONFIG_DIRS.join(" and "),
                    stacks.join(", "),
                    if read.is_empty() { "none".to_owned() } else { read.join(" ") }
                )
            });
        }
    }

    /// The modules the configuration names for `stacks`, each with where.
    fn pam_configuration(&mut self, stacks: &BTreeSet<Stack>) -> Result<BTreeMap<String, Named>, String> {
        if !self.is_dir("/etc/pam.d") {
            return Err("no /etc/pam.d in the root: the PAM modules it runs are not known".into());
        }
        let mut files: Vec<String> = Vec::new();
        for dir in CONFIG_DIRS {
            let mut names = self.list(dir).to_vec();
            names.sort();
            files.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
        }
        let mut named: BTreeMap<String, Named> = BTreeMap::new();
        let mut read: BTreeSet<String> = BTreeSet::new();
        while let Some(file) = files.pop() {
            if !read.insert(file.clone()) {
                continue;
            }
            let real = match self.locate(&file) {
                Located::Found { real, .. } => real,
                // A directory, or a dangling link: libpam reads nothing there either.
                Located::NotFound => continue,
                Located::Refused(why) => return Err(format!("{file}: {why}")),
            };
            let (bytes, _) = self.cache.read_limited(&real, MAX_SCRIPT_SIZE).map_err(|e| format!("{file}: {e}"))?;
            let lines = parse(&crate::evidence::text(&bytes)).map_err(|e| format!("{file}: {e}"))?;
            for line in lines {
                match line {
                    // Service names are in the directories read; a path is read too.
                    Line::Include { file: included, .. } if included.starts_with('/') => files.push(included),
                    Line::Include { .. } => {}
                    Line::Module { stack, module, may_be_missing, line, .. } if stacks.contains(&stack) => {
                        let entry =
                            named.entry(module).or_insert(Named { may_be_missing, at: format!("{file}:{line}") });
                        entry.may_be_missing &= may_be_missing;
                    }
                    Line::Module { .. } => {}
                }
            }
        }
        Ok(named)
    }

    /// A module's file: an absolute path, or a name in the root's security directories
    /// (None: not there). An error when the path is refused (a link out of the root, a
    /// `$ISA` libpam expands).
    fn pam_module_path(&mut self, module: &str) -> Result<Option<String>, String> {
        if module.contains('$') {
            return Err("a path libpam expands; not read".into());
        }
        let candidates: Vec<String> = if module.starts_with('/') {
            vec![module.to_owned()]
        } else {
            let mut dirs = Vec::new();
            for lib in ["/usr/lib", "/lib"] {
                for t in self.list(lib).iter().filter(|d| d.contains("-linux-")) {
                    dirs.push(format!("{lib}/{t}/security"));
                }
                dirs.push(format!("{lib}/security"));
            }
            dirs.into_iter().map(|d| format!("{d}/{module}")).collect()
        };
        for c in candidates {
            match self.locate(&c) {
                Located::Found { .. } => return Ok(Some(c)),
                Located::Refused(why) => return Err(why),
                Located::NotFound => {}
            }
        }
        Ok(None)
    }
}
