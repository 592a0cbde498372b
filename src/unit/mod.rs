//! Units as systemd sees them: the format-preserving document, the names, and the loader
//! that finds a unit's file, aliases, masks and drop-ins inside a root.

pub mod document;
pub mod facts;
pub mod loader;
pub mod name;
pub mod rootfs;
pub mod select;
pub mod tree;
pub mod words;
pub mod write_set;

use std::fmt;
use std::path::{Path, PathBuf};

pub use document::{Document, Entry, Item, ParseError};
pub use loader::{LoadOutcome, Loader};
pub use name::UnitName;
pub use select::{DisplayPaths, Selection};

/// Which manager runs the unit: a user manager cannot do most of the sandboxing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    System,
    User,
}

impl Scope {
    /// A unit file's manager, from the directory it is in (`.../systemd/user/foo.service`).
    pub fn of_unit_path(path: &Path) -> Scope {
        if path.parent().is_some_and(|d| d.ends_with("systemd/user")) {
            Scope::User
        } else {
            Scope::System
        }
    }
}

/// One file that contributes settings to a unit: the main fragment or a drop-in.
#[derive(Debug, Clone)]
pub struct Fragment {
    /// The path as found in the search path (what is shown to the user).
    pub path: PathBuf,
    /// Where the bytes really are, after following symlinks inside the root.
    pub real_path: PathBuf,
    pub doc: Document,
    pub is_dropin: bool,
}

/// A unit with all its fragments, in the order systemd applies them.
#[derive(Debug, Clone)]
pub struct LoadedUnit {
    pub name: UnitName,
    pub scope: Scope,
    /// Other names that lead to the same file (alias symlinks).
    pub aliases: Vec<String>,
    /// The main fragment first, then drop-ins sorted by file name.
    pub fragments: Vec<Fragment>,
}

/// A `Key=Value` with where it came from, in application order across fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub section: String,
    pub key: String,
    pub value: String,
    pub file: PathBuf,
    pub line: usize,
}

impl Assignment {
    /// An assignment that is not in any file yet (planned hardening).
    pub fn planned(section: &str, key: &str, value: &str) -> Assignment {
        Assignment {
            section: section.to_owned(),
            key: key.to_owned(),
            value: value.to_owned(),
            file: PathBuf::new(),
            line: 0,
        }
    }
}

impl LoadedUnit {
    pub fn main(&self) -> &Fragment {
        &self.fragments[0]
    }

    pub fn path(&self) -> &Path {
        &self.fragments[0].path
    }

    /// Every assignment of every fragment, in the order systemd applies them.
    pub fn assignments(&self) -> Vec<Assignment> {
        assignments_of(&self.fragments)
    }

    /// Every raw value of `key` in `section`, in order; an empty one is a reset that the
    /// caller interprets according to the key's type.
    pub fn values(&self, section: &str, key: &str) -> Vec<String> {
        values_of(&self.assignments(), section, key)
    }
}

/// Every assignment of `fragments` (main file first, then drop-ins in order).
pub fn assignments_of(fragments: &[Fragment]) -> Vec<Assignment> {
    entries_of(fragments)
        .map(|(f, e)| Assignment {
            section: e.section.clone(),
            key: e.key.clone(),
            value: e.value.clone(),
            file: f.path.clone(),
            line: e.line,
        })
        .collect()
}

/// [`assignments_of`] borrowed: each entry with the fragment it is in.
pub fn entries_of(fragments: &[Fragment]) -> impl Iterator<Item = (&Fragment, &Entry)> {
    fragments.iter().flat_map(|f| f.doc.entries().map(move |e| (f, e)))
}

pub fn values_of(assignments: &[Assignment], section: &str, key: &str) -> Vec<String> {
    assignments.iter().filter(|a| a.section == section && a.key == key).map(|a| a.value.clone()).collect()
}

/// A failure to read a unit, with the file and, where there is one, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    pub fn new(path: &Path, message: impl Into<String>) -> LoadError {
        LoadError { path: path.to_owned(), line: None, message: message.into() }
    }
}
