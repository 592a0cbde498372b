//! All the files of one run written together or not at all.
//!
//! Every target is checked first (inside the root, no symlink on the way, a regular file
//! or nothing), then every new text goes to a temporary file beside its target, and only
//! when all of them are on disk are they renamed into place. A failure before the renames
//! leaves the tree as it was; a failed rename puts back what the earlier renames replaced
//! (from hard-linked backups) and removes what they created. Only when that undoing fails
//! too does the error list the files that stay changed.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::rootfs::RootFs;
use super::LoadError;

/// One file of the set: its new contents, or `None` to remove it.
pub struct PlannedWrite<'a> {
    pub path: &'a Path,
    pub contents: Option<&'a [u8]>,
}

/// Writes (or removes) every file of `plan`, all or none. Returns the paths changed.
pub fn write_all_or_none(fs: &RootFs, plan: &[PlannedWrite]) -> Result<Vec<PathBuf>, LoadError> {
    for w in plan {
        check_target(fs, w.path)?;
    }
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let staged = stage(fs, plan, &mut created_dirs);
    let staged = match staged {
        Ok(s) => s,
        Err(e) => {
            remove_created_dirs(&created_dirs);
            return Err(nothing_written(e));
        }
    };
    let mut done: Vec<Committed> = Vec::new();
    for s in staged {
        match commit(s) {
            Ok(c) => done.push(c),
            Err((e, rest)) => {
                drop(rest);
                let left = roll_back(done);
                remove_created_dirs(&created_dirs);
                return Err(if left.is_empty() { nothing_written(e) } else { partly_written(e, &left) });
            }
        }
    }
    let mut written = Vec::new();
    for c in done {
        if let Some(b) = &c.backup {
            let _ = fs::remove_file(b);
        }
        written.push(c.path);
    }
    Ok(written)
}

/// The target's directories are real directories inside the root (or missing), and the
/// target is a regular file or missing.
fn check_target(fs: &RootFs, path: &Path) -> Result<(), LoadError> {
    let parent = path.parent().ok_or_else(|| LoadError::new(path, "has no parent directory"))?;
    fs.check_dirs(parent)?;
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            Err(LoadError::new(path, "is a symlink; refusing to write through or over it"))
        }
        Ok(m) if !m.is_file() => Err(LoadError::new(path, "exists and is not a regular file")),
        _ => Ok(()),
    }
}

struct Staged {
    path: PathBuf,
    /// The new text on disk beside the target; None for a removal.
    temp: Option<tempfile::TempPath>,
}

struct Committed {
    path: PathBuf,
    /// A hard link to the file the rename replaced or the removal took away.
    backup: Option<PathBuf>,
}

/// Creates the missing directories and a temporary file with the new text for each target.
fn stage(fs: &RootFs, plan: &[PlannedWrite], created: &mut Vec<PathBuf>) -> Result<Vec<Staged>, LoadError> {
    let mut staged = Vec::new();
    for w in plan {
        let parent = w.path.parent().unwrap_or(Path::new("/"));
        let Some(contents) = w.contents else {
            staged.push(Staged { path: w.path.to_owned(), temp: None });
            continue;
        };
        created.extend(fs.create_dirs(parent)?);
        let err = |e: io::Error| LoadError::new(w.path, format!("cannot write: {e}"));
        let mut tmp = tempfile::Builder::new().prefix(".hardenunit-").tempfile_in(parent).map_err(err)?;
        tmp.write_all(contents).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        let perms = match fs::symlink_metadata(w.path) {
            Ok(m) if m.is_file() => m.permissions(),
            _ => {
                use std::os::unix::fs::PermissionsExt;
                fs::Permissions::from_mode(0o644)
            }
        };
        fs::set_permissions(tmp.path(), perms).map_err(err)?;
        staged.push(Staged { path: w.path.to_owned(), temp: Some(tmp.into_temp_path()) });
    }
    Ok(staged)
}

/// A free name beside `path` for a backup hard link.
fn backup_link(path: &Path) -> io::Result<Option<PathBuf>> {
    if fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let dir = path.parent().unwrap_or(Path::new("/"));
    for i in 0..1000u32 {
        let name = dir.join(format!(".hardenunit-backup-{}-{i}", std::process::id()));
        match fs::hard_link(path, &name) {
            Ok(()) => return Ok(Some(name)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free backup name"))
}

/// Renames the staged file into place (or removes the target), keeping a backup link.
fn commit(s: Staged) -> Result<Committed, (LoadError, Staged)> {
    let err = |e: io::Error| LoadError::new(&s.path, format!("cannot write: {e}"));
    let backup = match backup_link(&s.path) {
        Ok(b) => b,
        Err(e) => return Err((err(e), s)),
    };
    let result = match &s.temp {
        Some(t) => fs::rename(t, &s.path),
        None if backup.is_some() => fs::remove_file(&s.path),
        None => Ok(()),
    };
    if let Err(e) = result {
        if let Some(b) = &backup {
            let _ = fs::remove_file(b);
        }
        return Err((err(e), s));
    }
    // The temporary file is now the target: nothing left to delete.
    if let Some(t) = s.temp {
        let _ = t.keep();
    }
    Ok(Committed { path: s.path, backup })
}

/// Undoes the committed renames, last first; returns the files that could not be restored.
fn roll_back(done: Vec<Committed>) -> Vec<PathBuf> {
    let mut left = Vec::new();
    for c in done.into_iter().rev() {
        let restored = match &c.backup {
            Some(b) => fs::rename(b, &c.path),
            None => fs::remove_file(&c.path),
        };
        if restored.is_err() {
            left.push(c.path);
        }
    }
    left
}

fn remove_created_dirs(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = fs::remove_dir(d); // only succeeds when empty
    }
}

fn nothing_written(e: LoadError) -> LoadError {
    LoadError { message: format!("{} (nothing was written)", e.message), ..e }
}

fn partly_written(e: LoadError, left: &[PathBuf]) -> LoadError {
    let list: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
    LoadError { message: format!("{}; could not undo the changes to: {}", e.message, list.join(", ")), ..e }
}
