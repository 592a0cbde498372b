//! Evidence from the files a package ships: which programs a service runs, what their ELF
//! files link and import, and what that means for hardening. A unit file says little about
//! what its program needs; the build root holds the program.
//!
//! Everything is read inside a [`RootFs`]: a path is never resolved outside the root, and a
//! program that is not in the root is reported missing, never looked up on the host.
//! Evidence is `complete` only when every program was found and read and nothing in it is
//! decided at run time (plugins, PAM, scripts of interpreted languages, `exec "$@"`...);
//! needs found are valid either way.

mod declared;
pub mod derive;
pub mod elf;
pub mod exec;
pub mod explain;
mod files;
mod gather;
pub mod language;
mod package;
pub mod pam;
mod plugins;
pub mod shell;
pub mod table;

use std::collections::BTreeMap;

use crate::directives::Need;
use crate::unit::facts::UnitFacts;
use table::{Effect, Rule};

pub use derive::{derive, Derived, DerivedValue};
pub use explain::{explain_planned, explain_text};
pub use files::{Cache, SharedReadings};
pub use gather::{gather, gather_with};

/// What one program file is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ProgramKind {
    /// An ELF executable, dynamically or statically linked.
    Elf { linking: elf::Linking },
    /// A `#!` script run by `interpreter`.
    Script { interpreter: String },
    /// A shell, which runs only what its script says (the script is read instead).
    Shell,
    /// Not in the root (or not readable): nothing known.
    Missing,
    /// Neither ELF nor script.
    Other,
}

/// A DT_NEEDED library and where it was found inside the root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LibraryEvidence {
    pub soname: String,
    /// Path inside the root; None when the library is not in the root (it comes from
    /// another package, whose imports are then not read) or is glibc's or the compiler's
    /// runtime, which is not read.
    pub path: Option<String>,
    /// The file that asked for it.
    pub needed_by: String,
}

/// One program a service runs and what its file shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgramEvidence {
    /// The program as the unit or script names it (`/usr/sbin/foo`).
    pub path: String,
    /// Where it really is inside the root after symlinks, when found.
    pub found: Option<String>,
    /// What runs it: `ExecStart=`, or `/usr/lib/foo/wrapper` for a script's command.
    pub reached_by: String,
    #[serde(flatten)]
    pub kind: ProgramKind,
    /// Set-uid or set-gid bit on the file.
    pub setuid: bool,
    /// DT_NEEDED of the program itself, in file order.
    pub needed: Vec<String>,
    /// Libraries followed (two levels), in the order met.
    pub libraries: Vec<LibraryEvidence>,
    /// Functions the program imports (or, statically linked, contains), sorted: shared with
    /// the file as read, which many services' programs are.
    #[serde(serialize_with = "serialize_list")]
    pub imports: std::sync::Arc<[String]>,
    /// The plugin directories read for a program that loads code with dlopen(3), each with
    /// how many shared objects were read in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<String>,
    /// What of the file was not counted, and why (`date` run without `-s`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn serialize_list<S: serde::Serializer>(list: &[String], to: S) -> Result<S::Ok, S::Error> {
    to.collect_seq(list)
}

/// How the service is set up: the unit's own facts, and the sockets systemd opens for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceFacts {
    #[serde(flatten)]
    pub unit: UnitFacts,
    /// Sockets systemd opens for the service: (where, `Key=value`, family, port).
    pub sockets: Vec<SocketFact>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SocketFact {
    /// The socket unit that declares it.
    pub unit: String,
    /// `ListenStream=80`.
    pub directive: String,
    pub family: Option<String>,
    pub port: Option<u16>,
}

/// Everything the files show about one service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    pub unit: String,
    pub programs: Vec<ProgramEvidence>,
    /// Each need with why, e.g. "/usr/bin/rspamd links libluajit-5.1.so.2: ...".
    pub needs: BTreeMap<Need, Vec<String>>,
    /// Needs of calls whose failure the library making them handles: they keep a system
    /// call group out only where a call the filter refuses kills the service.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub needs_if_filter_kills: BTreeMap<Need, Vec<String>>,
    /// Capabilities the programs use (`CAP_SETUID`), with why.
    pub capabilities: BTreeMap<String, Vec<String>>,
    /// Socket address families the programs or the unit's sockets use, with why.
    pub families: BTreeMap<String, Vec<String>>,
    pub complete: bool,
    /// What could not be read and why.
    pub missing: Vec<String>,
    pub facts: ServiceFacts,
    /// Paths the package declares its service writes (for ProtectSystem=strict), with why.
    pub writable: Vec<(String, String)>,
    /// Per script, the files it sources only when they exist that no package in the root
    /// ships: read as the administrator's configuration, not as a gap in the evidence.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub admin_files: BTreeMap<String, Vec<shell::AdminFile>>,
}

impl Evidence {
    /// What the planner takes: the needs, completeness, the derived `auto` values (only
    /// when complete) and what was not read.
    pub fn for_planner(&self) -> crate::plan::ProgramEvidence {
        let mut derived = BTreeMap::new();
        if let Some(d) = derive(self) {
            for (key, v) in [
                ("CapabilityBoundingSet", d.capability_bounding_set),
                ("RestrictAddressFamilies", d.restrict_address_families),
            ] {
                derived.insert(key.to_owned(), (v.value, v.reasons.join("; ")));
            }
        }
        // Only needs the files show reliably veto a directive of the baseline; the rest (a
        // path string in some helper, an import in a library) only hold back what evidence
        // alone would add. Measured in tests/bootlab/: vetoing on every hint left 40 of 59
        // daemons less hardened than the unit-only plan, with no breakage prevented.
        let (needs, hints): (BTreeMap<_, _>, BTreeMap<_, _>) = self
            .needs
            .iter()
            .map(|(n, w)| (*n, w.clone()))
            .partition(|(need, whys)| VETO_NEEDS.contains(need) && whys.iter().any(|w| !w.contains(" names ")));
        crate::plan::ProgramEvidence {
            needs,
            hints,
            hints_if_filter_kills: self.needs_if_filter_kills.clone(),
            complete: self.complete,
            derived,
            missing: self.missing.clone(),
            writable: self.writable.clone(),
        }
    }
}

/// Needs whose evidence in a program file is direct enough to leave a baseline directive out:
/// a JIT library linked, the clock set, modules loaded, set-uid helpers run, packet or other
/// sockets opened, the host name set, user ids changed (only strict's UMask= minds that),
/// fanotify or file handles used (strict's @system-service allow list lacks them).
const VETO_NEEDS: &[Need] = &[
    Need::WritableExecutableMemory,
    Need::SystemClock,
    Need::KernelModules,
    Need::SetuidExecution,
    Need::PacketSockets,
    Need::OtherAddressFamilies,
    Need::Hostname,
    Need::ChangesUser,
    Need::AdministrativeCalls,
    Need::Openat2,
    // Imported or linked, never a string: only ProcSubset= (strict) minds it.
    Need::ProcSystemFiles,
    // Read from the package's own configuration, not guessed from a program's strings.
    Need::WritesUndeclaredPaths,
];

/// Needs, capabilities, families and gaps found so far, each with its reasons.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub needs: BTreeMap<Need, Vec<String>>,
    pub capabilities: BTreeMap<String, Vec<String>>,
    pub families: BTreeMap<String, Vec<String>>,
    pub missing: Vec<String>,
}

impl Findings {
    pub fn need(&mut self, need: Need, reason: String) {
        push_unique(self.needs.entry(need).or_default(), reason);
    }

    pub fn capability(&mut self, cap: &str, reason: String) {
        push_unique(self.capabilities.entry(cap.to_owned()).or_default(), reason);
    }

    pub fn family(&mut self, family: &str, reason: String) {
        push_unique(self.families.entry(family.to_owned()).or_default(), reason);
    }

    pub fn missing(&mut self, reason: String) {
        push_unique(&mut self.missing, reason);
    }

    pub(crate) fn apply(&mut self, rule: &Rule, reason: String, counts_incomplete: bool) {
        self.apply_effects(rule.then, &reason, counts_incomplete);
    }

    pub(crate) fn apply_effects(&mut self, then: &[Effect], reason: &str, counts_incomplete: bool) {
        for effect in then {
            match *effect {
                Effect::Need(need) => push_unique(self.needs.entry(need).or_default(), reason),
                Effect::Capability(cap) => push_unique_at(&mut self.capabilities, cap, reason),
                Effect::Family(family) => push_unique_at(&mut self.families, family, reason),
                Effect::Incomplete | Effect::LoadsPlugins | Effect::SetsOwnCapabilities | Effect::RunsPamModules
                    if counts_incomplete =>
                {
                    push_unique(&mut self.missing, reason)
                }
                Effect::Incomplete | Effect::LoadsPlugins | Effect::SetsOwnCapabilities | Effect::RunsPamModules => {}
            }
        }
    }
}

/// `bytes` as text, as [`String::from_utf8_lossy`] reads them: valid UTF-8 (nearly every
/// script, module and PAM file) is checked a word at a time, where the lossy decoder goes
/// byte by byte and cost more than reading the scripts.
pub(crate) fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// [`push_unique`] to the list of `key`, whose name is copied only for a new list (effects
/// are applied many times over to the same few names).
fn push_unique_at(lists: &mut BTreeMap<String, Vec<String>>, key: &str, reason: &str) {
    match lists.get_mut(key) {
        Some(list) => push_unique(list, reason),
        None => {
            lists.insert(key.to_owned(), vec![reason.to_owned()]);
        }
    }
}

fn push_unique(list: &mut Vec<String>, reason: impl AsRef<str> + Into<String>) {
    if !list.iter().any(|r| r == reason.as_ref()) {
        list.push(reason.into());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_reads_as_the_lossy_decoder_does() {
        let samples: &[&[u8]] =
            &[b"", b"#!/bin/sh\nexec foo\n", "caf\u{e9} \u{1f600}".as_bytes(), b"a\xffb\xc3", b"\xe2\x82"];
        for bytes in samples {
            assert_eq!(super::text(bytes), String::from_utf8_lossy(bytes));
        }
    }
}
