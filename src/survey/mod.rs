//! `hardenunit report`: an inventory of the services a set of built packages ships, their
//! exposure now and after the policy, what it would add and skip, the heaviest rows left,
//! and lint's findings; with a summary over all of them (histograms, median, worst packages).
//!
//! Packages are read in parallel (rayon), each streamed once and dropped when its units are
//! assessed: only the small per-unit records are kept, so memory does not grow with the
//! number of packages beyond them.

pub mod html;
mod in_order;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::{self, Request, Status, UnitReport};
use crate::policy::Policy;

/// Rows of the score left after hardening that weigh most, kept per unit.
const HEAVIEST_ROWS: usize = 3;
/// Packages named in the summary's "worst" list.
const WORST_PACKAGES: usize = 10;

/// What the survey knows before any package is read: the head of its JSON and HTML.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub systemd_version: u32,
    pub profile: String,
    pub packages: usize,
}

/// One package's part of the survey, handed on as soon as the package is done.
#[derive(Debug, Clone)]
pub struct PackageResult {
    pub units: Vec<UnitRecord>,
    pub errors: Vec<PackageError>,
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

/// Surveys `packages` under `policy`, handing each package's result to `each` in the order
/// of `packages` as soon as it and those before it are done. Nothing is collected here: the
/// caller writes each result out and keeps only the summary's tally, so memory does not
/// grow with the number of packages.
pub fn survey(packages: &[PathBuf], policy: &Policy, systemd_version: u32, each: impl FnMut(PackageResult)) {
    in_order::for_each(packages.len(), |i| survey_one(&packages[i], policy, systemd_version), each);
}

fn survey_one(package: &Path, policy: &Policy, systemd_version: u32) -> PackageResult {
    let req = Request {
        root: Some(package.to_owned()),
        units: vec![],
        exclude: vec![],
        policy: policy.clone(),
        systemd_version,
        no_evidence: false,
        full_evidence: false,
    };
    // The package's tree lives inside this call: it is gone before the records are handed on.
    let outcome = engine::run(&req);
    let name = package.display().to_string();
    PackageResult {
        units: outcome.units.iter().map(|u| record(&name, u)).collect(),
        errors: outcome
            .errors
            .into_iter()
            .map(|e| PackageError {
                package: name.clone(),
                error: crate::package::in_package(Some(package), e).to_string(),
            })
            .collect(),
    }
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
                .filter_map(|r| Some(HeavyRow { setting: r.setting.to_owned(), exposure: tenths(a.row_exposure(r)?) }))
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

/// The summary, tallied one package at a time in constant memory: exposures are tenths
/// (0 to 100), so a count per value gives the exact median without keeping the values.
#[derive(Debug, Default)]
pub struct Tally {
    scored: usize,
    units: usize,
    before: Vec<usize>,
    after: Vec<usize>,
    worst: Vec<WorstPackage>,
}

impl Tally {
    pub fn add(&mut self, units: &[UnitRecord]) {
        if self.before.is_empty() {
            self.before = vec![0; 101];
            self.after = vec![0; 101];
        }
        self.units += units.len();
        let mut worst: Option<WorstPackage> = None;
        for u in units {
            let (Some(b), Some(a)) = (u.exposure_before, u.exposure_after) else { continue };
            self.scored += 1;
            self.before[tenths_of(b)] += 1;
            self.after[tenths_of(a)] += 1;
            match worst.as_mut().filter(|w| w.package == u.package) {
                Some(w) => {
                    w.exposure_after = w.exposure_after.max(a);
                    w.units += 1;
                }
                None => {
                    self.keep_worst(worst.take());
                    worst = Some(WorstPackage { package: u.package.clone(), exposure_after: a, units: 1 });
                }
            }
        }
        self.keep_worst(worst);
    }

    fn keep_worst(&mut self, package: Option<WorstPackage>) {
        let Some(p) = package else { return };
        // A package named twice on the command line is one package.
        match self.worst.iter_mut().find(|w| w.package == p.package) {
            Some(w) => {
                w.exposure_after = w.exposure_after.max(p.exposure_after);
                w.units += p.units;
            }
            None => self.worst.push(p),
        }
        self.worst
            .sort_by(|a, b| b.exposure_after.total_cmp(&a.exposure_after).then_with(|| a.package.cmp(&b.package)));
        self.worst.truncate(WORST_PACKAGES);
    }

    /// Units seen, scored or not.
    pub fn units(&self) -> usize {
        self.units
    }

    pub fn summary(&self) -> Summary {
        let histogram = |counts: &[usize]| {
            let mut bins = [0; 10];
            for (t, n) in counts.iter().enumerate() {
                bins[bin(t as f64 / 10.0)] += n;
            }
            bins
        };
        Summary {
            scored_units: self.scored,
            histogram_before: histogram(&self.before),
            histogram_after: histogram(&self.after),
            median_before: median(&self.before, self.scored),
            median_after: median(&self.after, self.scored),
            worst_packages: self.worst.clone(),
        }
    }
}

fn tenths_of(exposure: f64) -> usize {
    ((exposure * 10.0).round() as usize).min(100)
}

/// The median of `n` values given as a count per tenth.
fn median(counts: &[usize], n: usize) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let nth = |k: usize| {
        let mut seen = 0;
        counts.iter().position(|c| {
            seen += c;
            seen > k
        })
    };
    let m = if n % 2 == 1 {
        tenths(nth(n / 2)? as u32)
    } else {
        (tenths(nth(n / 2 - 1)? as u32) + tenths(nth(n / 2)? as u32)) / 2.0
    };
    Some((m * 100.0).round() / 100.0)
}

/// The table's head, for a terminal or a pipe.
pub fn text_head() -> String {
    format!("{:<40} {:<36} {:>6} {:>6} {:>5} {:>4}\n", "PACKAGE", "UNIT", "NOW", "AFTER", "ADDED", "LINT")
}

fn num(v: Option<f64>) -> String {
    v.map_or("-".to_owned(), |v| format!("{v:.1}"))
}

/// The table's rows for one package's units.
pub fn text_rows(units: &[UnitRecord]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for u in units {
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
    out
}

/// The summary under the table.
pub fn text_summary(h: &Header, m: &Summary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{} package(s), {} service(s) scored; median exposure {} -> {} (systemd {}, profile {})",
        h.packages,
        m.scored_units,
        num(m.median_before),
        num(m.median_after),
        h.systemd_version,
        h.profile
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

/// The JSON document in pieces, made as the packages are done: [`json_head`], then
/// [`json_units`] for each package, then [`json_tail`] give together the pretty-printed
/// object `{systemd_version, profile, packages, units: [...], errors: [...], summary}`.
pub fn json_head(h: &Header) -> String {
    let object = serde_json::to_string_pretty(h).unwrap_or_default();
    let fields = object.strip_suffix("\n}").unwrap_or(&object);
    format!("{fields},\n  \"units\": [")
}

/// One package's units; `first`: whether no unit came before them.
pub fn json_units(units: &[UnitRecord], mut first: bool) -> String {
    let mut out = String::new();
    for u in units {
        out.push_str(if first { "\n" } else { ",\n" });
        first = false;
        out.push_str(&indented(&serde_json::to_string_pretty(u).unwrap_or_default(), "    ", true));
    }
    out
}

/// `any_units`: whether [`json_units`] wrote any.
pub fn json_tail(errors: &[PackageError], summary: &Summary, any_units: bool) -> String {
    let value = |v: String| indented(&v, "  ", false);
    format!(
        "{}],\n  \"errors\": {},\n  \"summary\": {}\n}}\n",
        if any_units { "\n  " } else { "" },
        value(serde_json::to_string_pretty(errors).unwrap_or_default()),
        value(serde_json::to_string_pretty(summary).unwrap_or_default())
    )
}

/// `json` (pretty-printed, so no string in it holds a newline) nested deeper by `by`.
fn indented(json: &str, by: &str, first_line_too: bool) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    for (i, line) in json.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i > 0 || first_line_too {
            out.push_str(by);
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(package: &str, before: f64, after: Option<f64>) -> UnitRecord {
        UnitRecord {
            package: package.into(),
            unit: "u.service".into(),
            path: "/lib/systemd/system/u.service".into(),
            status: "planned".into(),
            exposure_before: Some(before),
            exposure_after: after,
            added: vec![],
            skipped: vec![],
            left_alone: None,
            heaviest_rows: vec![],
            findings: vec![],
        }
    }

    #[test]
    fn the_tally_gives_what_the_values_kept_whole_would() {
        let mut t = Tally::default();
        t.add(&[unit("a.deb", 9.6, Some(2.1)), unit("a.deb", 10.0, Some(4.5))]);
        t.add(&[unit("b.deb", 1.0, Some(0.9)), unit("b.deb", 5.0, None)]);
        t.add(&[]);
        let s = t.summary();
        assert_eq!((t.units(), s.scored_units), (4, 3));
        assert_eq!(s.histogram_before, [0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(s.histogram_after, [1, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!((s.median_before, s.median_after), (Some(9.6), Some(2.1)));
        t.add(&[unit("c.deb", 2.0, Some(7.0))]);
        let s = t.summary();
        // Four values: the mean of the middle two.
        assert_eq!((s.median_before, s.median_after), (Some(5.8), Some(3.3)));
        let worst: Vec<(&str, f64, usize)> =
            s.worst_packages.iter().map(|w| (w.package.as_str(), w.exposure_after, w.units)).collect();
        assert_eq!(worst, [("c.deb", 7.0, 1), ("a.deb", 4.5, 2), ("b.deb", 0.9, 1)]);
    }
}
