//! The summary a maintainer reads in a build log, the diffs to review, and the JSON
//! for machines. All of it is sorted and free of time stamps: the same input gives the
//! same bytes.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::{Status, UnitReport};
use crate::policy::Policy;
use crate::render::diff;
use crate::score::Assessment;

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

pub fn summary(units: &[UnitReport], policy: &Policy, target_source: &str) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "hardenunit: profile {}, {} mode, target {}", policy.profile, policy.mode.as_str(), target_source);
    for u in units {
        let _ = writeln!(s);
        match &u.status {
            Status::Masked => {
                let _ = writeln!(s, "{}: masked (linked to /dev/null), left alone", u.unit);
                continue;
            }
            Status::Excluded => {
                let _ = writeln!(s, "{}: excluded, left alone", u.unit);
                continue;
            }
            Status::NotAService => {
                let _ = writeln!(s, "{}: not a service, left alone", u.unit);
                continue;
            }
            Status::Planned => {}
        }
        if u.before.is_none() {
            // Not scored: systemd itself would refuse to load the unit.
            let _ = writeln!(s, "{}: not scored", u.unit);
        } else {
            let _ = writeln!(s, "{}: exposure {} -> {}", u.unit, exposure(&u.before), exposure(&u.after));
        }
        let _ = writeln!(s, "  file: {}", u.path.display());
        for f in &u.findings {
            let _ = writeln!(s, "  ! {f}");
        }
        if let Some(why) = &u.plan.left_alone {
            let _ = writeln!(s, "  left alone: {why}");
            continue;
        }
        let width = u.plan.added.iter().map(|a| a.directive.len() + a.value.len() + 1).max().unwrap_or(0).min(60);
        for a in &u.plan.added {
            let setting = format!("{}={}", a.directive, a.value);
            let _ = writeln!(s, "  + {setting:<width$}  {}", a.reason);
        }
        for k in &u.plan.skipped {
            let _ = writeln!(s, "  - {:<width$}  skipped: {}", k.directive, k.reason);
        }
        if let Some(ev) = &u.evidence {
            for m in &ev.missing {
                let _ = writeln!(s, "  evidence missing: {m}");
            }
        }
        for c in &u.changes {
            let state = match (&c.before, &c.after) {
                (b, a) if b == a => "unchanged",
                (None, Some(_)) => "to create",
                (Some(_), None) => "to remove",
                _ => "to update",
            };
            let _ = writeln!(s, "  {state}: {}", c.path.display());
        }
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
    let _ = writeln!(s, "{} ({})", u.unit, u.path.display());
    let _ = writeln!(s, "policy: profile {}, target {}", policy.profile, target_source);
    let _ = writeln!(s, "exposure: {} -> {}\n", exposure(&u.before), exposure(&u.after));
    if let Some(gathered) = &u.gathered {
        s.push_str(&crate::evidence::explain_text(gathered));
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

pub fn diffs(units: &[UnitReport], color: bool) -> String {
    let mut s = String::new();
    for u in units.iter().filter(|u| u.would_change()) {
        let _ = writeln!(s, "\n# {}: exposure {} -> {}", u.unit, exposure(&u.before), exposure(&u.after));
        for f in &u.findings {
            let _ = writeln!(s, "# ! {f}");
        }
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
    }
    s
}

#[derive(Serialize)]
struct JsonUnit<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
    unit: &'a str,
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

pub fn json(units: &[UnitReport]) -> String {
    let list: Vec<JsonUnit> = units
        .iter()
        .map(|u| JsonUnit {
            package: u.package.as_ref().map(|p| p.display().to_string()),
            unit: &u.unit,
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
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
