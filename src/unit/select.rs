//! Which units a run works on: the ones named on the command line, or with none every unit
//! of the wanted types in the root. Harden, score and lint all select through here, so they
//! agree on aliases, masks and unit directories leading out of the root.

use std::path::{Path, PathBuf};

use super::loader::{LoadOutcome, Loader};
use super::LoadError;

/// The units of a run, in argument order (by name when the root is scanned, system units
/// then user units, the errors of scanning after them).
pub struct Selection {
    /// A unit (or mask) per argument or unit found; an error where one could not be read.
    pub outcomes: Vec<Result<LoadOutcome, LoadError>>,
    pub display: DisplayPaths,
}

impl Selection {
    /// The units and masks, and the errors, each in order.
    pub fn into_parts(self) -> (Vec<LoadOutcome>, Vec<LoadError>, DisplayPaths) {
        let (mut units, mut errors) = (Vec::new(), Vec::new());
        for o in self.outcomes {
            match o {
                Ok(u) => units.push(u),
                Err(e) => errors.push(e),
            }
        }
        (units, errors, self.display)
    }
}

/// Paths as the user named the root (`debian/foo/lib/...`), not as the loader resolved it.
#[derive(Debug, Clone)]
pub struct DisplayPaths {
    /// The root as given and as resolved; None on the host, where paths are shown as found.
    root: Option<(PathBuf, PathBuf)>,
}

impl DisplayPaths {
    pub fn show(&self, path: &Path) -> PathBuf {
        match &self.root {
            Some((given, canonical)) => match path.strip_prefix(canonical) {
                Ok(rel) => given.join(rel),
                Err(_) => path.to_owned(),
            },
            None => path.to_owned(),
        }
    }
}

impl Loader {
    /// The units `args` name (files or unit names), or with no `args` every unit of `types`
    /// in the root's unit directories. Aliases are loaded as their target, with the drop-ins
    /// of every name; a masked unit is an outcome of its own, for the caller to judge.
    pub fn select(&self, args: &[String], types: &[&str]) -> Selection {
        Selection { outcomes: self.select_each(args, types).collect(), display: self.display_paths() }
    }

    /// [`Loader::select`]'s outcomes one at a time, in the same order: named units are loaded
    /// as the caller asks for the next, so it can work on one while the next loads.
    pub fn select_each<'a>(
        &'a self,
        args: &'a [String],
        types: &[&str],
    ) -> Box<dyn Iterator<Item = Result<LoadOutcome, LoadError>> + 'a> {
        if args.is_empty() {
            let (found, errors) = self.discover(types);
            Box::new(found.into_iter().map(Ok).chain(errors.into_iter().map(Err)))
        } else {
            Box::new(args.iter().map(|arg| self.load(arg)))
        }
    }

    pub fn display_paths(&self) -> DisplayPaths {
        DisplayPaths { root: self.given_root().map(|given| (given.to_owned(), self.rootfs().dir().to_owned())) }
    }
}
