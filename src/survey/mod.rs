//! `hardenunit report`: an inventory of the services a set of built packages ships, their
//! exposure now and after the policy, what it would add and skip, the heaviest rows left,
//! and lint's findings; with a summary over all of them (histograms, median, worst packages).
//!
//! Packages are read in parallel (rayon), each streamed once and dropped when its units are
//! assessed: only the small per-unit records are kept, so memory does not grow with the
//! number of packages beyond them.

pub mod html;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{self, Request, Status, UnitReport};
use crate::policy::Policy;

/// Rows of the score left after hardening that weigh most, kept per unit.
const HEAVIEST_ROWS: usize = 3;
/// Packages named in the summary's "worst" list.
const WORST_PACKAGES: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    pub systemd_version: u32,
    pub profile: String,
    pub packages: usize,
    pub units: Vec<UnitRecord>,
    pub errors: Vec<PackageError>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRecord {
    pub package: String,
    pub unit: String,
    pub path: String,
    /// planned, masked, ... (engine's status); a unit systemd refuses is left alone.
    pub status: String,
    /// On systemd-analyze's 0.0–10.0 scale. None for a masked unit.
    pub exposure_before: Option<f64>,
    pub exposure_after: Option<f64>,
    pub added: Vec<String>,
    pub skipped: Vec<crate::plan::Skipped>,
    pub left_alone: Option<String>,
    pub heaviest_rows: Vec<HeavyRow>,
    pub findings: Vec<FindingRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeavyRow {
    pub setting: String,
    pub exposure: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRecord {
    pub line: usize,
    pub severity: String,
    pub tag: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageError {
    pub package: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scored_units: usize,
    /// Units per exposure bin: [0,1), [1,2), ..., [9,10] (10.0 falls in the last).
    pub histogram_before: [usize; 10],
    pub histogram_after: [usize; 10],
    pub median_before: Option<f64>,
    pub median_after: Option<f64>,
    pub worst_packages: Vec<WorstPackage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorstPackage {
    pub package: String,
    /// The highest exposure after hardening among its units.
    pub exposure_after: f64,
    pub units: usize,
}

/// Every `.deb` and `.rpm` of `inputs`: files as given, directories searched (recursively,
/// sorted). `.udeb` files are counted apart: they are skipped.
pub fn collect_packages(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, usize), crate::unit::LoadError> {
    use crate::package::Format;
    let mut out = Vec::new();
    let mut udebs = 0;
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found).map_err(|e| crate::unit::LoadError::new(input, format!("cannot list: {e}")))?;
            found.sort();
            for f in found {
                match Format::of(&f) {
                    Some(Format::Udeb) => udebs += 1,
                    Some(_) => out.push(f),
                    None => {}
                }
            }
        } else {
            match Format::of(input) {
                Some(Format::Udeb) => udebs += 1,
                Some(_) => out.push(input.clone()),
                None => {
                    return Err(crate::unit::LoadError::new(input, "not a .deb or .rpm file, nor a directory of them"))
                }
            }
        }
    }
    Ok((out, udebs))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let t = entry.file_type()?;
        if t.is_dir() {
            walk(&entry.path(), out)?;
        } else if t.is_file() || (t.is_symlink() && entry.path().is_file()) {
            // A link to a package counts (a pool of links); a link to a directory is not
            // followed, so a loop cannot hold the walk.
            out.push(entry.path());
        }
    }
    Ok(())
}

/// Surveys `packages` under `policy`; `progress` is called once per package done.
pub fn survey(packages: &[PathBuf], policy: &Policy, systemd_version: u32, progress: &(dyn Fn() + Sync)) -> Survey {
    let per_package: Vec<(Vec<UnitRecord>, Vec<PackageError>)> = packages
        .par_iter()
        .map(|p| {
            let req = Request {
                root: Some(p.clone()),
                units: vec![],
                exclude: vec![],
                policy: policy.clone(),
                systemd_version,
                no_evidence: false,
            };
            let outcome = engine::run(&req);
            let name = p.display().to_string();
            let units = outcome.units.iter().map(|u| record(&name, u)).collect();
            let errors = outcome
                .errors
                .iter()
                .map(|e| PackageError {
                    package: name.clone(),
                    error: crate::package::in_package(Some(p), e.clone()).to_string(),
                })
                .collect();
            progress();
            (units, errors)
        })
        .collect();
    let mut units = Vec::new();
    let mut errors = Vec::new();
    for (u, e) in per_package {
        units.extend(u);
        errors.extend(e);
    }
    let summary = summarize(&units);
    Survey { systemd_version, profile: policy.profile.clone(), packages: packages.len(), units, errors, summary }
}

fn tenths(v: u32) -> f64 {
    f64::from(v) / 10.0
}

fn record(package: &str, u: &UnitReport) -> UnitRecord {
    let status = match u.status {
        Status::Planned => "planned",
        Status::Masked => "masked",
        Status::Excluded => "excluded",
        Status::NotAService => "not-a-service",
    };
    let mut heaviest: Vec<HeavyRow> = u
        .after
        .as_ref()
        .map(|a| {
            a.displayed()
                .into_iter()
                .filter_map(|r| Some(HeavyRow { setting: r.setting.clone(), exposure: tenths(a.row_exposure(r)?) }))
                .collect()
        })
        .unwrap_or_default();
    // Heaviest first; equal ones in systemd's order (a stable sort keeps it).
    heaviest.sort_by(|a, b| b.exposure.total_cmp(&a.exposure));
    heaviest.truncate(HEAVIEST_ROWS);
    UnitRecord {
        package: package.to_owned(),
        unit: u.unit.clone(),
        path: u.path.display().to_string(),
        status: status.to_owned(),
        exposure_before: u.before.as_ref().map(|a| tenths(a.exposure)),
        exposure_after: u.after.as_ref().map(|a| tenths(a.exposure)),
        added: u.plan.added.iter().map(|a| format!("{}={}", a.directive, a.value)).collect(),
        skipped: u.plan.skipped.clone(),
        left_alone: u.plan.left_alone.clone(),
        heaviest_rows: heaviest,
        findings: u
            .findings
            .iter()
            .map(|f| FindingRecord {
                line: f.line,
                severity: format!("{:?}", f.severity).to_lowercase(),
                tag: f.tag.to_owned(),
                message: f.message.clone(),
            })
            .collect(),
    }
}

fn bin(exposure: f64) -> usize {
    (exposure.floor() as usize).min(9)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let m = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
    Some((m * 100.0).round() / 100.0)
}

pub fn summarize(units: &[UnitRecord]) -> Summary {
    let scored: Vec<(&UnitRecord, f64, f64)> =
        units.iter().filter_map(|u| Some((u, u.exposure_before?, u.exposure_after?))).collect();
    let mut histogram_before = [0; 10];
    let mut histogram_after = [0; 10];
    for (_, b, a) in &scored {
        histogram_before[bin(*b)] += 1;
        histogram_after[bin(*a)] += 1;
    }
    let mut worst: Vec<WorstPackage> = Vec::new();
    for (u, _, a) in &scored {
        match worst.iter_mut().find(|w| w.package == u.package) {
            Some(w) => {
                w.exposure_after = w.exposure_after.max(*a);
                w.units += 1;
            }
            None => worst.push(WorstPackage { package: u.package.clone(), exposure_after: *a, units: 1 }),
        }
    }
    worst.sort_by(|a, b| b.exposure_after.total_cmp(&a.exposure_after).then_with(|| a.package.cmp(&b.package)));
    worst.truncate(WORST_PACKAGES);
    Summary {
        scored_units: scored.len(),
        histogram_before,
        histogram_after,
        median_before: median(scored.iter().map(|s| s.1).collect()),
        median_after: median(scored.iter().map(|s| s.2).collect()),
        worst_packages: worst,
    }
}

/// The survey as a table on a terminal or in a pipe.
pub fn text(s: &Survey) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{:<40} {:<36} {:>6} {:>6} {:>5} {:>4}", "PACKAGE", "UNIT", "NOW", "AFTER", "ADDED", "LINT");
    let num = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
    for u in &s.units {
        let name = Path::new(&u.package).file_name().map_or(u.package.clone(), |n| n.to_string_lossy().into_owned());
        let _ = writeln!(
            out,
            "{:<40} {:<36} {:>6} {:>6} {:>5} {:>4}",
            name,
            u.unit,
            num(u.exposure_before),
            num(u.exposure_after),
            u.added.len(),
            u.findings.len()
        );
    }
    let m = &s.summary;
    let _ = writeln!(
        out,
        "\n{} package(s), {} service(s) scored; median exposure {} -> {} (systemd {}, profile {})",
        s.packages,
        m.scored_units,
        num(m.median_before),
        num(m.median_after),
        s.systemd_version,
        s.profile
    );
    let _ = writeln!(out, "exposure    now  after");
    for i in 0..10 {
        let _ = writeln!(out, "{:>4}-{:<4} {:>5} {:>6}", i, i + 1, m.histogram_before[i], m.histogram_after[i]);
    }
    if !m.worst_packages.is_empty() {
        let _ = writeln!(out, "worst packages (highest exposure after hardening):");
        for w in &m.worst_packages {
            let _ = writeln!(out, "  {:.1}  {} ({} service(s))", w.exposure_after, w.package, w.units);
        }
    }
    out
}
