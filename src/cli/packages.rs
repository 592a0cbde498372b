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
