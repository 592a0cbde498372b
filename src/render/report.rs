//! The summary a maintainer reads in a build log, the diffs to review, and the JSON
//! for machines. All of it is sorted and free of time stamps: the same input gives the
//! same bytes.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::{Status, UnitReport};
use crate::policy::Policy;
use crate::render::diff;
use crate::score::Assessment;
use crate::unit::Scope;

/// An exposure in tenths as systemd-analyze prints it: 96 → "9.6".
pub fn tenths(v: u32) -> String {
    format!("{}.{}", v / 10, v % 10)
}

fn exposure(a: &Option<Assessment>) -> String {
    match a {
        Some(a) => format!("{} {}", tenths(a.exposure), crate::score::label(a.exposure)),
        None => "-".into(),
    }
}

/// What the log shows besides one line per unit and its skips.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogStyle {
    /// The diff of each unit's files, in place of the list of settings added.
    pub diff: bool,
    /// Every directive with why it was added or skipped, and every file, changed or not.
    pub verbose: bool,
    pub color: bool,
}

/// The unit as logs name it: a user unit is marked, since a system unit may have its name.
pub fn shown_name(u: &UnitReport) -> String {
    match u.scope {
        Some(Scope::User) => format!("{} (user)", u.unit),
        _ => u.unit.clone(),
    }
}

/// The log of a run, as a maintainer reads it in a build log: per unit one line (exposure
/// before and after, how many directives were added and skipped, the file), the skips with
/// their reasons, then either the settings added or the diff, never both.
pub fn summary(units: &[UnitReport], policy: &Policy, target_source: &str, style: LogStyle) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "hardenunit: profile {}, {} mode, target {}", policy.profile, policy.mode.as_str(), target_source);
    for u in units {
        let _ = writeln!(s);
        unit_log(&mut s, u, style);
    }
    let planned: Vec<&UnitReport> = units.iter().filter(|u| matches!(u.status, Status::Planned)).collect();
    let changing = planned.iter().filter(|u| u.would_change()).count();
    let _ = writeln!(s);
    let _ = write!(s, "{} unit(s): {} with changes", units.len(), changing);
    let mut before: Vec<u32> = planned.iter().filter_map(|u| u.before.as_ref().map(|a| a.exposure)).collect();
    let mut after: Vec<u32> = planned.iter().filter_map(|u| u.after.as_ref().map(|a| a.exposure)).collect();
    if !before.is_empty() {
        let _ = write!(s, "; median exposure {} -> {}", tenths(median(&mut before)), tenths(median(&mut after)));
    }
    let _ = writeln!(s);
    s
}

fn unit_log(s: &mut String, u: &UnitReport, style: LogStyle) {
    let name = shown_name(u);
    let path = u.path.display();
    let left_alone = match &u.status {
        Status::Masked => Some("masked (linked to /dev/null), left alone"),
        Status::Excluded => Some("excluded, left alone"),
        Status::NotAService => Some("not a service, left alone"),
        Status::Planned => None,
    };
    if let Some(why) = left_alone {
        let _ = writeln!(s, "{name}: {why}, in {path}");
        return;
    }
    match (&u.before, &u.plan.left_alone) {
        // Not scored: systemd itself would refuse to load the unit.
        (None, Some(why)) => {
            let _ = writeln!(s, "{name}: not scored, left alone: {why}, in {path}");
        }
        (_, Some(why)) => {
            let _ = writeln!(s, "{name}: exposure {}, left alone: {why}, in {path}", exposure(&u.before));
        }
        (_, None) => {
            let _ = writeln!(
                s,
                "{name}: exposure {} -> {}, {} added, {} skipped, in {path}",
                exposure(&u.before),
                exposure(&u.after),
                u.plan.added.len(),
                u.plan.skipped.len()
            );
        }
    }
    for f in &u.findings {
        let _ = writeln!(s, "  ! {f}");
    }
    if u.plan.left_alone.is_some() {
        return;
    }
    if style.verbose {
        let width = u.plan.added.iter().map(|a| a.directive.len() + a.value.len() + 1).max().unwrap_or(0).min(60);
        for a in &u.plan.added {
            let setting = format!("{}={}", a.directive, a.value);
            let _ = writeln!(s, "  + {setting:<width$}  {}", a.reason);
        }
        for k in &u.plan.skipped {
            let _ = writeln!(s, "  - {:<width$}  skipped: {}", k.directive, k.reason);
        }
    } else {
        for k in &u.plan.skipped {
            let _ = writeln!(s, "  - {} skipped: {}", k.directive, k.reason);
        }
    }
    if let Some(ev) = &u.evidence {
        for m in &ev.missing {
            let _ = writeln!(s, "  evidence missing: {m}");
        }
    }
    if style.diff {
        s.push_str(&unit_diff(u, style.color));
        return;
    }
    if !style.verbose {
        for a in &u.plan.added {
            let _ = writeln!(s, "  + {}={}", a.directive, a.value);
        }
    }
    for c in u.changes.iter().filter(|c| style.verbose || c.changes_anything()) {
        let state = match (&c.before, &c.after) {
            (b, a) if b == a => "unchanged",
            (None, Some(_)) => "to create",
            (Some(_), None) => "to remove",
            _ => "to update",
        };
        let _ = writeln!(s, "  {state}: {}", c.path.display());
    }
}

/// The median as `statistics.median` gives it, rounded up to a tenth for even counts.
fn median(v: &mut [u32]) -> u32 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]).div_ceil(2)
    }
}

/// `hardenunit explain`: the evidence, then every directive of the policy with its fate.
pub fn explain(u: &UnitReport, policy: &Policy, target_source: &str) -> String {
    let mut s = String::new();
    // A package's unit is named as lint names its files: the path inside, after the package.
    let path = match &u.package {
        Some(p) => p.join(u.path.strip_prefix("/").unwrap_or(&u.path)),
        None => u.path.clone(),
    };
    let _ = writeln!(s, "{} ({})", shown_name(u), path.display());
    let _ = writeln!(s, "policy: profile {}, target {}", policy.profile, target_source);
    let _ = writeln!(s, "exposure: {} -> {}\n", exposure(&u.before), exposure(&u.after));
    if let Some(gathered) = &u.gathered {
        let nnp = crate::plan::no_new_privileges(&u.plan.added, &gathered.facts.unit);
        s.push_str(&crate::evidence::explain_planned(gathered, nnp));
        s.push('\n');
    }
    // A setting systemd rejects is not set: the plan adds the directive the line meant, and
    // only the finding says why.
    if !u.findings.is_empty() {
        let _ = writeln!(
            s,
            "Findings in the unit's files (the plan reads them as systemd does; a rejected line sets nothing):"
        );
        for f in &u.findings {
            let _ = writeln!(s, "  ! {f}");
        }
        s.push('\n');
    }
    if let Some(why) = &u.plan.left_alone {
        let _ = writeln!(s, "Decision: left alone: {why}");
        return s;
    }
    let _ = writeln!(s, "Decisions:");
    for a in &u.plan.added {
        let _ = writeln!(s, "  add  {}={}\n       because: {}", a.directive, a.value, a.reason);
    }
    for k in &u.plan.skipped {
        let _ = writeln!(s, "  skip {}\n       because: {}", k.directive, k.reason);
    }
    s
}

/// The unit's changed files as unified diffs (a created file is diffed against /dev/null).
fn unit_diff(u: &UnitReport, color: bool) -> String {
    let mut s = String::new();
    for c in u.changes.iter().filter(|c| c.changes_anything()) {
        let shown = c.path.display().to_string();
        let old_name = if c.before.is_some() { shown.clone() } else { "/dev/null".into() };
        let new_name = if c.after.is_some() { shown.clone() } else { "/dev/null".into() };
        s.push_str(&diff::unified(
            c.before.as_deref().unwrap_or(""),
            c.after.as_deref().unwrap_or(""),
            &old_name,
            &new_name,
            color,
        ));
    }
    s
}

#[derive(Serialize)]
struct JsonUnit<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
    unit: &'a str,
    scope: Option<Scope>,
    path: String,
    status: &'a Status,
    exposure_before: Option<f64>,
    exposure_after: Option<f64>,
    added: &'a [crate::plan::Added],
    skipped: &'a [crate::plan::Skipped],
    left_alone: Option<&'a str>,
    files: Vec<String>,
    evidence_complete: Option<bool>,
    findings: &'a [crate::lint::Finding],
}

/// The units as one pretty-printed JSON list. Each unit is written on its own, by rayon's
/// threads (escaping the text of a corpus's plans is 5% of a run), then nested one level
/// down: a JSON string holds no raw newline, so every newline starts an indented line.
pub fn json(units: &[UnitReport]) -> String {
    use rayon::prelude::*;
    let written: Result<Vec<Vec<u8>>, serde_json::Error> = units
        .par_iter()
        .map(|u| {
            let pretty = serde_json::to_vec_pretty(&json_unit(u))?;
            let mut nested = Vec::with_capacity(pretty.len() + pretty.len() / 8);
            for (i, line) in pretty.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    nested.extend_from_slice(b"\n  ");
                }
                nested.extend_from_slice(line);
            }
            Ok(nested)
        })
        .collect();
    let mut s = match written {
        Ok(written) if !written.is_empty() => {
            let mut s = Vec::with_capacity(written.iter().map(|w| w.len() + 4).sum::<usize>() + 4);
            s.push(b'[');
            for (i, w) in written.iter().enumerate() {
                s.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
                s.extend_from_slice(w);
            }
            s.extend_from_slice(b"\n]");
            String::from_utf8(s).unwrap_or_else(|_| "[]".into())
        }
        _ => "[]".into(),
    };
    s.push('\n');
    s
}

fn json_unit(u: &UnitReport) -> JsonUnit<'_> {
    JsonUnit {
        package: u.package.as_ref().map(|p| p.display().to_string()),
        unit: &u.unit,
        scope: u.scope,
        path: u.path.display().to_string(),
        status: &u.status,
        exposure_before: u.before.as_ref().map(|a| f64::from(a.exposure) / 10.0),
        exposure_after: u.after.as_ref().map(|a| f64::from(a.exposure) / 10.0),
        added: &u.plan.added,
        skipped: &u.plan.skipped,
        left_alone: u.plan.left_alone.as_deref(),
        files: u.changes.iter().filter(|c| c.changes_anything()).map(|c| c.path.display().to_string()).collect(),
        evidence_complete: u.evidence.as_ref().map(|e| e.complete),
        findings: &u.findings,
    }
}

#[derive(Serialize)]
struct JsonExplain<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
    unit: &'a str,
    scope: Option<Scope>,
    path: String,
    profile: &'a str,
    target: &'a str,
    systemd_version: Option<u32>,
    exposure_before: Option<f64>,
    exposure_after: Option<f64>,
    evidence: Option<&'a crate::evidence::Evidence>,
    added: &'a [crate::plan::Added],
    skipped: &'a [crate::plan::Skipped],
    left_alone: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    findings: &'a [crate::lint::Finding],
}

/// `hardenunit explain --format json`: what [`explain`] prints, as one object.
pub fn explain_json(u: &UnitReport, policy: &Policy, target_source: &str) -> String {
    let doc = JsonExplain {
        package: u.package.as_ref().map(|p| p.display().to_string()),
        unit: &u.unit,
        scope: u.scope,
        path: u.path.display().to_string(),
        profile: &policy.profile,
        target: target_source,
        systemd_version: policy.systemd_version,
        exposure_before: u.before.as_ref().map(|a| f64::from(a.exposure) / 10.0),
        exposure_after: u.after.as_ref().map(|a| f64::from(a.exposure) / 10.0),
        evidence: u.gathered.as_ref(),
        added: &u.plan.added,
        skipped: &u.plan.skipped,
        left_alone: u.plan.left_alone.as_deref(),
        findings: &u.findings,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Added, Plan, Skipped};

    fn report(unit: &str, added: usize) -> UnitReport {
        let plan = Plan {
            added: (0..added)
                .map(|i| Added {
                    directive: format!("Protect{i}"),
                    value: "yes".into(),
                    reason: "a \"quoted\"\nreason\twith escapes".into(),
                })
                .collect(),
            skipped: vec![Skipped { directive: "PrivateNetwork".into(), reason: "listens".into() }],
            left_alone: None,
        };
        UnitReport {
            package: None,
            unit: unit.into(),
            path: format!("/lib/systemd/system/{unit}").into(),
            scope: Some(Scope::System),
            status: Status::Planned,
            before: None,
            after: None,
            plan,
            changes: vec![],
            evidence: None,
            gathered: None,
            findings: vec![],
        }
    }

    /// Each unit is written on its own and nested into the list: the text must be what
    /// writing the whole list at once gives, for no unit, one and several.
    #[test]
    fn json_is_the_whole_list_pretty_printed() {
        for count in [0, 1, 3] {
            let units: Vec<UnitReport> = (0..count).map(|i| report(&format!("u{i}.service"), i)).collect();
            let whole: Vec<JsonUnit> = units.iter().map(json_unit).collect();
            let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(json(&units), expected, "{count} units");
        }
    }
}
