//! `lint --fix`: rewrite, through the format-preserving document, what has exactly one fix
//! that keeps the author's evident meaning. Every other byte stays as it was, and fixing a
//! fixed file changes nothing.

use std::path::PathBuf;

use super::checks::{self, deprecated_value, deprecation, relative_directories, replace_var_run};
use super::values;
use super::Finding;
use crate::unit::{Document, LoadedUnit, ParseError};

/// The new text of one changed file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FixedFile {
    /// The path as shown to the user (inside the unit search path).
    pub path: PathBuf,
    /// Where the bytes really are, after following symlinks inside the root: write here.
    pub real_path: PathBuf,
    pub before: String,
    pub after: String,
}

/// Fixed text of every fragment of the unit that has something to fix.
pub fn fix_unit(unit: &LoadedUnit, systemd_version: u32) -> Vec<FixedFile> {
    let unit_type = unit.name.unit_type();
    unit.fragments
        .iter()
        .filter_map(|f| {
            let fixed = fix_document(&f.doc, unit_type, systemd_version).ok()?;
            let (before, after) = (f.doc.to_string(), fixed.to_string());
            (before != after).then(|| FixedFile { path: f.path.clone(), real_path: f.real_path.clone(), before, after })
        })
        .collect()
}

/// Applies every automatic fix, one at a time, re-reading the document after each (line
/// numbers move when a comment gets its own line).
pub fn fix_document(doc: &Document, unit_type: &str, systemd_version: u32) -> Result<Document, ParseError> {
    let mut doc = doc.clone();
    let mut budget = 4 * doc.line_count() + 8;
    loop {
        let findings = super::lint_document(&doc, std::path::Path::new(""), unit_type, systemd_version);
        let mut changed = false;
        for f in findings.iter().filter(|f| f.autofix) {
            if apply(&mut doc, f, systemd_version)? {
                changed = true;
                break;
            }
        }
        budget -= 1;
        if !changed || budget == 0 {
            return Ok(doc);
        }
    }
}

/// Applies one finding's fix; false when the line no longer has the problem.
fn apply(doc: &mut Document, f: &Finding, target: u32) -> Result<bool, ParseError> {
    let Some(e) = doc.entries().find(|e| e.end_line == f.line && e.line == e.end_line).cloned() else {
        return Ok(false);
    };
    let (key, value) = match f.tag {
        checks::VALUE_HAS_TRAILING_COMMENT => {
            let Some(at) = values::trailing_comment_start(&e.value) else { return Ok(false) };
            let raw = doc.line_text(e.line).to_owned();
            let indent: String = raw.chars().take_while(|c| c.is_whitespace()).collect();
            let comment = format!("{indent}{}", e.value[at..].trim_end());
            let value = e.value[..at].trim_end().to_owned();
            doc.replace_entry(e.line, &format!("{indent}{}", e.key), &value)?;
            doc.insert_lines(e.line, &[comment])?;
            return Ok(true);
        }
        checks::DEPRECATED_KEY => match deprecation(&e.section, &e.key).and_then(|d| d.rename_to) {
            Some(new) => (new.to_owned(), e.value.clone()),
            None => return Ok(false),
        },
        checks::DEPRECATED_VALUE => match deprecated_value(&e.key, &e.value) {
            Some((_, Some(new))) => (e.key.clone(), new.to_owned()),
            _ => return Ok(false),
        },
        checks::PATH_UNDER_VAR_RUN => match replace_var_run(&e.value) {
            Some(v) => (e.key.clone(), v),
            None => return Ok(false),
        },
        checks::DIRECTORY_PATH_IS_ABSOLUTE => (e.key.clone(), relative_directories(&e.key, &e.value)),
        checks::NAME_DROPPED_SILENTLY => {
            let Some(info) = super::table::key(&e.section, &e.key) else { return Ok(false) };
            match super::parsers::repair_silent_names(info, &e.value, target) {
                Some(v) => (e.key.clone(), v),
                None => return Ok(false),
            }
        }
        _ => return Ok(false),
    };
    if key == e.key && value == e.value {
        return Ok(false);
    }
    let indent: String = doc.line_text(e.line).chars().take_while(|c| c.is_whitespace()).collect();
    doc.replace_entry(e.line, &format!("{indent}{key}"), &value)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        fix_document(&Document::parse(text).unwrap(), "service", 252).unwrap().to_string()
    }

    #[test]
    fn comment_moves_above_and_twice_changes_nothing() {
        let once = fixed("[Service]\nPrivateTmp=yes   # Use dedicated /tmp\nProtectHome=yes\n");
        assert_eq!(once, "[Service]\n# Use dedicated /tmp\nPrivateTmp=yes\nProtectHome=yes\n");
        assert_eq!(fixed(&once), once);
    }

    #[test]
    fn safe_rewrites() {
        assert_eq!(
            fixed("[Service]\nReadOnlyDirectories=/\nPIDFile=/var/run/x.pid\nLogsDirectory=/myserv\nStandardOutput=syslog\n"),
            "[Service]\nReadOnlyPaths=/\nPIDFile=/run/x.pid\nLogsDirectory=myserv\nStandardOutput=journal\n"
        );
        // No single safe fix: left alone.
        let keep = "[Service]\nPermissionsStartOnly=yes\nMemoryLimit=1G\nExecStart=/bin/echo # x\n";
        assert_eq!(fixed(keep), keep);
    }

    #[test]
    fn misspelt_capabilities_are_repaired_only_with_one_candidate() {
        assert_eq!(
            fixed("[Service]\nCapabilityBoundingSet=~CAP_SYS_NIC cap_kill\nAmbientCapabilities=CAP_NET_ADMINN\n"),
            "[Service]\nCapabilityBoundingSet=~CAP_SYS_NICE cap_kill\nAmbientCapabilities=CAP_NET_ADMIN\n"
        );
        // CAP_SYS_FOO has no single candidate: the line stays as it is, the finding stays.
        let keep = "[Service]\nCapabilityBoundingSet=CAP_SYS_FOO CAP_SYS_NIC\n";
        assert_eq!(fixed(keep), keep);
    }

    #[test]
    fn comment_only_value_leaves_an_empty_assignment_and_crlf_is_kept() {
        assert_eq!(
            fixed("[Service]\r\nProtectControlGroups=    # may modify cgroups\r\n"),
            "[Service]\r\n# may modify cgroups\r\nProtectControlGroups=\r\n"
        );
    }
}
