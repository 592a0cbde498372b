//! Built packages named on the command line (`hardenunit score foo.deb bar.rpm`): each is a
//! root of its own, read in memory; unit arguments beside them select units in each.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::{self, Outcome, Request, UnitReport};
use crate::package::Format;
use crate::unit::LoadError;

/// The arguments that are package files (in order), and the others. A `.udeb` is skipped
/// with a note, as `dh_hardenunit` skips installer packages.
pub fn split(args: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let mut packages = Vec::new();
    let mut units = Vec::new();
    for a in args {
        match Format::of(Path::new(a)) {
            Some(Format::Udeb) => eprintln!("hardenunit: note: {a}: installer package (.udeb), skipped"),
            Some(_) => packages.push(PathBuf::from(a)),
            None => units.push(a.clone()),
        }
    }
    (packages, units)
}

/// Whether every argument was a `.udeb`: nothing to do, and nothing wrong.
pub fn only_udebs(args: &[String]) -> bool {
    !args.is_empty() && args.iter().all(|a| Format::of(Path::new(a)) == Some(Format::Udeb))
}

/// The roots a run reads: `root` alone without packages, else each package (after `root`,
/// when one is given too). None is the host.
pub fn roots(root: &Option<PathBuf>, packages: &[PathBuf]) -> Vec<Option<PathBuf>> {
    if packages.is_empty() {
        return vec![root.clone()];
    }
    root.iter().chain(packages).map(|p| Some(p.clone())).collect()
}

/// Whether `root` is a built package (or a .udeb, which a root cannot be either).
pub fn is_package(root: &Option<PathBuf>) -> bool {
    root.as_deref().is_some_and(|r| Format::of(r).is_some())
}

/// The refusal of a write into a package.
pub fn write_refused(what: &Path) -> LoadError {
    LoadError::new(
        what,
        "is a built package: packages are read, never written (--write works on the build root, debian/PKG or %{buildroot})",
    )
}

/// [`engine::run`] over every root: the units of each package in turn, its errors named
/// after it. A package that cannot be read is an error; the others are still reported.
pub fn run_engine(req: &Request, roots: &[Option<PathBuf>]) -> Outcome {
    let mut all =
        Outcome { units: Vec::new(), errors: Vec::new(), warnings: Vec::new(), unmatched_sections: Vec::new() };
    for (i, root) in roots.iter().enumerate() {
        let one = Request { root: root.clone(), ..req.clone() };
        let outcome = engine::run(&one);
        all.units.extend(outcome.units);
        let package = root.as_deref().filter(|r| Format::of(r).is_some());
        all.errors.extend(outcome.errors.into_iter().map(|e| crate::package::in_package(package, e)));
        all.warnings.extend(outcome.warnings);
        // A policy section is for no unit only when it matches a unit in none of the packages.
        match i {
            0 => all.unmatched_sections = outcome.unmatched_sections,
            _ => all
                .unmatched_sections
                .retain(|s| outcome.unmatched_sections.iter().any(|o| o.path == s.path && o.line == s.line)),
        }
    }
    all.warnings.dedup();
    all
}

/// The text of each package's units under a line naming it (units of no package first,
/// as they come).
pub fn by_package(units: &[UnitReport], text: impl Fn(&[UnitReport]) -> String) -> String {
    if units.iter().all(|u| u.package.is_none()) {
        return text(units);
    }
    let mut out = String::new();
    let mut start = 0;
    while start < units.len() {
        let package = &units[start].package;
        let end = start + units[start..].iter().take_while(|u| u.package == *package).count();
        if let Some(p) = package {
            out.push_str(&format!("== {} ==\n", p.display()));
        }
        out.push_str(&text(&units[start..end]));
        out.push('\n');
        start = end;
    }
    out
}

/// A JSON object of a unit or finding with `"package": FILE` first.
#[derive(Serialize)]
pub struct InPackage<'a, T: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<&'a Path>,
    #[serde(flatten)]
    pub item: T,
}

/// `hardenunit lint` over packages: their findings, each named after its package (the text
/// shows the path inside the package after the package's own). Findings only: a package is
/// never written, so no fix is worked out.
pub fn lint(roots: &[Option<PathBuf>], units: &[String], layers: &super::Layers, write: bool, json: bool) -> i32 {
    if write {
        let p = roots.iter().flatten().find(|r| Format::of(r).is_some()).cloned().unwrap_or_default();
        return super::fail(&write_refused(&p));
    }
    let version = match super::load_policy(layers, None, None) {
        Ok((p, _)) => super::systemd_version_of(&p),
        Err(e) => return super::fail(&e),
    };
    let mut text = String::new();
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    let mut findings_are_errors = false;
    for root in roots {
        let run = crate::lint::run_lint(root.as_deref(), units, version, false);
        findings_are_errors |= run.has_errors();
        let package = root.as_deref().filter(|r| Format::of(r).is_some());
        for f in run.findings {
            text.push_str(&format!("{f}\n"));
            let inside = match package {
                Some(p) => f.file.strip_prefix(p).map(|rel| Path::new("/").join(rel)).unwrap_or(f.file.clone()),
                None => f.file.clone(),
            };
            objects.push(InPackage { package, item: crate::lint::Finding { file: inside, ..f } });
        }
        errors.extend(run.errors);
    }
    if json {
        text = serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".into());
        text.push('\n');
    }
    print!("{text}");
    for e in &errors {
        eprintln!("hardenunit: {e}");
    }
    if !errors.is_empty() {
        super::EXIT_ERROR
    } else if findings_are_errors {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_OK
    }
}
