//! Find what systemd silently drops. systemd only logs a warning for a key or value it cannot
//! use and then starts the service without it, so `PrivateTmp=yes   # Use dedicated /tmp`
//! (no trailing comments in unit files) leaves a service unsandboxed. Lint reads unit files the
//! way systemd 252 does (tables generated from its sources, see `data/`), reports each dropped
//! or doubtful line with a stable tag, and rewrites what has one safe fix.

mod checks;
mod fix;
pub(crate) mod parsers;
pub(crate) mod table;
pub(crate) mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::unit::{Document, LoadError, LoadOutcome, LoadedUnit, Loader};

pub use fix::{fix_document, fix_unit, FixedFile};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// systemd ignores the line or part of it: the setting is not in effect.
    Error,
    /// Deprecated, or read in a way the author likely did not mean.
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One problem on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: PathBuf,
    /// The line systemd names: for an assignment continued over several lines, its last one.
    pub line: usize,
    /// Stable lintian-style name (see [`TAGS`]).
    pub tag: &'static str,
    pub severity: Severity,
    /// What systemd does with the line.
    pub message: String,
    /// How to fix it.
    pub fix: String,
    /// Whether `lint --fix` applies the fix by itself.
    pub autofix: bool,
}

impl fmt::Display for Finding {
    /// `path:line: error: tag: message (fix: ...)`, one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}: {}", self.file.display(), self.line, self.severity, self.tag, self.message)?;
        if !self.fix.is_empty() {
            write!(f, " (fix: {}{})", self.fix, if self.autofix { "; --fix does it" } else { "" })?;
        }
        Ok(())
    }
}

/// Every tag lint emits, for documentation and for tests that all of them are exercised.
pub const TAGS: &[&str] = &[
    checks::ASSIGNMENT_OUTSIDE_SECTION,
    checks::LINE_WITHOUT_EQUALS,
    checks::ASSIGNMENT_WITHOUT_KEY,
    checks::UNKNOWN_SECTION,
    checks::UNKNOWN_KEY,
    checks::KEY_IN_WRONG_SECTION,
    checks::KEY_FOR_OTHER_UNIT_TYPE,
    checks::KEY_REMOVED,
    checks::KEY_NEWER_THAN_TARGET,
    checks::VALUE_NEWER_THAN_TARGET,
    checks::INVALID_VALUE,
    checks::VALUE_HAS_TRAILING_COMMENT,
    checks::DIRECTORY_PATH_IS_ABSOLUTE,
    checks::DEPRECATED_KEY,
    checks::DEPRECATED_VALUE,
    checks::PATH_UNDER_VAR_RUN,
    checks::SYSCALL_FILTER_WITHOUT_ERRNO,
    checks::STRICT_PATH_NOT_WRITABLE,
    checks::UNPARSABLE_FILE,
    checks::NAME_DROPPED_SILENTLY,
    checks::VALUE_SYSTEMD_WARNS_ABOUT,
];

/// The systemd release lint judges against when nothing else is said (Debian 12, RHEL 9).
pub const DEFAULT_TARGET_VERSION: u32 = 252;

/// Findings for one unit: every fragment (main file and drop-ins), then what only shows
/// when they are read together. Sorted by file order, line, tag.
pub fn lint_unit(unit: &LoadedUnit, target_version: u32) -> Vec<Finding> {
    let unit_type = unit.name.unit_type();
    let mut findings = Vec::new();
    for fragment in &unit.fragments {
        findings.extend(lint_document(&fragment.doc, &fragment.path, unit_type, target_version));
    }
    findings.extend(checks::unit_findings(unit, target_version));
    let order = |f: &Finding| unit.fragments.iter().position(|fr| fr.path == f.file).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| (order(a), a.line, a.tag).cmp(&(order(b), b.line, b.tag)));
    findings.dedup();
    findings
}

/// Findings for one file read as part of a unit of `unit_type` (`service`, `socket`, ...).
pub fn lint_document(doc: &Document, path: &Path, unit_type: &str, target_version: u32) -> Vec<Finding> {
    checks::document_findings(doc, path, unit_type, target_version)
}

/// Whether systemd 252 drops this assignment altogether: an unknown key in this section, a
/// removed setting, or a value its parser rejects (`PrivateTmp=yes # tmp`, `ProtectHome=`).
/// A list that loses only some words (`ReadWritePaths=/a relative`) is not dropped. Scorers
/// and planners treat a dropped assignment as not set.
pub fn is_ignored(section: &str, key: &str, value: &str) -> bool {
    is_ignored_by(section, key, value, DEFAULT_TARGET_VERSION)
}

/// [`is_ignored`] for another target release: a key newer than the target is dropped too.
pub fn is_ignored_by(section: &str, key: &str, value: &str, target_version: u32) -> bool {
    if key.starts_with("X-") || section.starts_with("X-") || !table::is_known_section(section) {
        return true;
    }
    let Some(info) = table::key(section, key).filter(|i| table::known_at(i, target_version)) else {
        return true;
    };
    if table::key_since(section, key).is_some_and(|s| s > target_version) {
        return true;
    }
    if crate::directives::lookup(key).is_some_and(|d| d.since_for(value) > target_version) {
        return true;
    }
    matches!(values::judge(info, value, target_version), values::Verdict::Rejected(_))
}

/// What `hardenunit lint` does for its arguments, without printing or writing.
#[derive(Debug, Default)]
pub struct LintRun {
    /// Findings of every unit, in argument order (by path when the root is scanned); a file
    /// shared by several units (a `service.d/` drop-in) is reported once.
    pub findings: Vec<Finding>,
    /// The text `--fix` would write, per changed file, each file once.
    pub fixes: Vec<FixedFile>,
    /// Units that could not be read (exit 2 for the command line).
    pub errors: Vec<LoadError>,
}

impl LintRun {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Lints the units named by `args` (unit files, drop-in `.conf` files, or unit names looked up
/// in the root), or with no `args` every unit found under `root`'s unit directories. A unit
/// file systemd cannot parse at all (bad section header, unterminated continuation) is a
/// finding, not an error. `with_fixes` also computes the fixed text of each file.
pub fn run_lint(root: Option<&Path>, args: &[String], target_version: u32, with_fixes: bool) -> LintRun {
    let mut run = LintRun::default();
    let loader = match Loader::new(root) {
        Ok(l) => l,
        Err(e) => {
            run.errors.push(e);
            return run;
        }
    };
    // A drop-in named on its own is not a unit: it is linted as a file of its unit's type.
    let (dropins, unit_args): (Vec<String>, Vec<String>) = args.iter().cloned().partition(|a| a.ends_with(".conf"));
    for arg in &dropins {
        lint_dropin_file(&loader, Path::new(arg), target_version, with_fixes, &mut run);
    }
    // Findings and errors name files as the loader resolved them (lint has always shown them so).
    let outcomes = if args.is_empty() || !unit_args.is_empty() {
        loader.select(&unit_args, crate::unit::name::UNIT_TYPES).outcomes
    } else {
        Vec::new()
    };
    for outcome in outcomes {
        match outcome {
            Ok(LoadOutcome::Unit(unit)) => {
                run.findings.extend(lint_unit(&unit, target_version));
                if with_fixes {
                    run.fixes.extend(fix_unit(&unit, target_version));
                }
            }
            Ok(LoadOutcome::Masked { .. }) => {}
            Err(e) => match e.line {
                Some(line) => run.findings.push(checks::unparsable(&e.path, line, &e.message)),
                None => run.errors.push(e),
            },
        }
    }
    if args.is_empty() {
        // Discovery has no argument order to keep: path order reads best and never varies.
        run.findings.sort_by(|a, b| (&a.file, a.line, a.tag).cmp(&(&b.file, b.line, b.tag)));
        run.fixes.sort_by(|a, b| a.path.cmp(&b.path));
    }
    let mut seen = std::collections::BTreeSet::new();
    run.findings.retain(|f| seen.insert((f.file.clone(), f.line, f.tag, f.message.clone())));
    let mut seen_files = std::collections::BTreeSet::new();
    run.fixes.retain(|f| seen_files.insert(f.path.clone()));
    run
}

/// A drop-in named on its own: its unit type comes from its directory (`foo.service.d/`).
fn lint_dropin_file(loader: &Loader, path: &Path, target: u32, with_fixes: bool, run: &mut LintRun) {
    let dir_name = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
    // foo.service.d, foo@.service.d, foo-.service.d and service.d all end in the type.
    let unit_type = dir_name.strip_suffix(".d").and_then(|n| n.rsplit('.').next()).unwrap_or("");
    if !crate::unit::name::UNIT_TYPES.contains(&unit_type) {
        let message = "a drop-in must be inside a UNIT.d/ directory (e.g. foo.service.d/10-x.conf)";
        return run.errors.push(LoadError::new(path, message));
    }
    let text = match loader.rootfs().resolve(path) {
        Ok(crate::unit::rootfs::Resolved::Real(real)) => match loader.rootfs().read_text(path, &real) {
            Ok(t) => (t, real),
            Err(e) => return run.errors.push(e),
        },
        Ok(_) => return run.errors.push(LoadError::new(path, "no such file (or a dangling symlink)")),
        Err(e) => return run.errors.push(e),
    };
    match Document::parse(&text.0) {
        Ok(doc) => {
            run.findings.extend(lint_document(&doc, path, unit_type, target));
            if with_fixes {
                if let Ok(fixed) = fix_document(&doc, unit_type, target) {
                    if fixed.to_string() != text.0 {
                        run.fixes.push(FixedFile {
                            path: path.to_owned(),
                            real_path: text.1,
                            before: text.0.clone(),
                            after: fixed.to_string(),
                        });
                    }
                }
            }
        }
        Err(e) => run.findings.push(checks::unparsable(path, e.line, &e.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_assignments() {
        assert!(is_ignored("Service", "PrivateTmp", "yes # tmp"));
        assert!(is_ignored("Service", "ProtectHome", ""));
        assert!(is_ignored("Service", "RestrictSUIDGUID", "yes"));
        assert!(is_ignored("Service", "ListenStream", "80"));
        assert!(is_ignored("Frob", "PrivateTmp", "yes"));
        assert!(is_ignored("Service", "Capabilities", "cap_net_raw+ep"));
        assert!(!is_ignored("Service", "PrivateTmp", "yes"));
        assert!(!is_ignored("Service", "ProtectSystem", "strict"));
        assert!(!is_ignored("Service", "ReadWritePaths", "/var/lib/a relative"));
        assert!(!is_ignored("Socket", "ProtectSystem", "full"));
        assert!(is_ignored_by("Service", "ProtectClock", "yes", 244));
        assert!(is_ignored_by("Service", "ProtectSystem", "strict", 231));
        assert!(!is_ignored_by("Service", "PrivatePIDs", "yes", 257));
        assert!(!is_ignored_by("Service", "PrivateTmp", "disconnected", 257));
        // 257 reads PrivateTmp= with its own parser, which refuses a trailing comment too.
        assert!(is_ignored_by("Service", "PrivateTmp", "yes   # comment", 257));
        assert!(is_ignored_by("Service", "PrivateTmp", "bogus", 257));
        // PrivateMounts= became a tristate in 257: the empty value unsets it there.
        assert!(is_ignored("Service", "PrivateMounts", ""));
        assert!(!is_ignored_by("Service", "PrivateMounts", "", 257));
    }

    #[test]
    fn free_text_keeps_its_hash() {
        let doc = Document::parse("[Unit]\nDescription=Channel #2\nDescription=x # note\n").unwrap();
        let tags: Vec<_> = lint_document(&doc, Path::new("a.service"), "service", 252)
            .into_iter()
            .map(|f| (f.line, f.tag, f.severity))
            .collect();
        assert_eq!(tags, vec![(3, "value-has-trailing-comment", Severity::Warning)]);
    }

    #[test]
    fn findings_serialise_for_json() {
        let doc = Document::parse("[Service]\nPrivateTmp=yes # tmp\n").unwrap();
        let f = lint_document(&doc, Path::new("/x/a.service"), "service", 252);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json[0]["file"], "/x/a.service");
        assert_eq!(json[0]["line"], 2);
        assert_eq!(json[0]["tag"], "value-has-trailing-comment");
        assert_eq!(json[0]["severity"], "error");
        assert_eq!(json[0]["autofix"], true);
        assert!(json[0]["message"].as_str().unwrap().contains("PrivateTmp"));
        assert!(!json[0]["fix"].as_str().unwrap().is_empty());
    }
}
