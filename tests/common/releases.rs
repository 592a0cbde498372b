//! Each supported release's own `systemd-analyze`, for the score conformance tests: 252 from
//! the host when the host runs it (Debian 12), otherwise from a cached Debian root, and 257
//! and 262 from the cached roots `scripts/debian-root` makes (trixie, sid). Units are copied
//! into a scratch directory under the root's /tmp, removed when the oracle is dropped, so the
//! cached root is left as it was.
//!
//! A root needs root privileges (debootstrap, chroot). Without them, or when debootstrap
//! fails, the release is skipped with a message, unless HARDENUNIT_REQUIRE_ROOTS=1 (set by
//! scripts/test when it runs as root, so CI never skips one).

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct ReleaseOracle {
    pub version: u32,
    pub suite: &'static str,
    /// None: the host's systemd-analyze.
    root: Option<PathBuf>,
    scratch: Option<tempfile::TempDir>,
}

const SUITES: [(u32, &str); 3] = [(252, "bookworm"), (257, "trixie"), (262, "sid")];

fn host_version() -> Option<u32> {
    let out = Command::new("systemd-analyze").arg("--version").output().ok()?;
    String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1)?.parse().ok()
}

fn required() -> bool {
    std::env::var("HARDENUNIT_REQUIRE_ROOTS").as_deref() == Ok("1")
}

fn skip_or_fail(message: String) -> Option<ReleaseOracle> {
    assert!(!required(), "{message} (HARDENUNIT_REQUIRE_ROOTS=1)");
    eprintln!("SKIPPED: {message}");
    None
}

impl ReleaseOracle {
    /// The oracle of every supported release that can run here.
    pub fn all() -> Vec<ReleaseOracle> {
        SUITES.iter().filter_map(|(v, s)| ReleaseOracle::new(*v, s)).collect()
    }

    fn new(version: u32, suite: &'static str) -> Option<ReleaseOracle> {
        if host_version() == Some(version) {
            return Some(ReleaseOracle { version, suite, root: None, scratch: None });
        }
        if !running_as_root() {
            return skip_or_fail(format!("systemd {version}: not root, cannot build or chroot into a {suite} root"));
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/debian-root");
        let out = Command::new(&script).arg(suite).output().expect("run scripts/debian-root");
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return skip_or_fail(format!("systemd {version}: scripts/debian-root {suite} failed: {why}"));
        }
        let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let scratch = tempfile::Builder::new().prefix("hardenunit-conformance.").tempdir_in(root.join("tmp")).ok()?;
        Some(ReleaseOracle { version, suite, root: Some(root), scratch: Some(scratch) })
    }

    /// Copies the tree `dir` where this release's systemd-analyze can read it; returns the
    /// copy's path on the host (the same as `dir` for the host's oracle).
    pub fn stage(&self, dir: &Path) -> PathBuf {
        let Some(scratch) = &self.scratch else { return dir.to_owned() };
        let dest = scratch.path().join(dir.file_name().expect("a named directory"));
        if !dest.exists() {
            let status = Command::new("cp").arg("-a").arg(dir).arg(&dest).status().expect("run cp");
            assert!(status.success(), "copy {} into {}", dir.display(), dest.display());
        }
        dest
    }

    /// `systemd-analyze ARGS... UNIT`, with UNIT a path under a staged tree.
    pub fn analyze(&self, args: &[&str], unit: &Path) -> Command {
        let mut cmd = match &self.root {
            None => Command::new("systemd-analyze"),
            Some(root) => {
                let mut c = Command::new("chroot");
                c.arg(root).arg("systemd-analyze");
                c
            }
        };
        let inside = match &self.root {
            Some(root) => Path::new("/").join(unit.strip_prefix(root).expect("a staged unit")),
            None => unit.to_owned(),
        };
        cmd.args(args).arg(inside);
        cmd
    }

    /// The oracle of one release, when it can run here.
    #[allow(dead_code)]
    pub fn of(version: u32) -> Option<ReleaseOracle> {
        let (v, suite) = SUITES.iter().find(|(v, _)| *v == version)?;
        ReleaseOracle::new(*v, suite)
    }

    /// `systemd-analyze ARGS... UNITS...`, each unit a path under a staged tree; also the
    /// prefix the release's output gives the staged tree's paths (empty for the host's).
    #[allow(dead_code)]
    pub fn analyze_many(&self, args: &[&str], units: &[PathBuf]) -> (Command, PathBuf) {
        let mut cmd = match &self.root {
            None => Command::new("systemd-analyze"),
            Some(root) => {
                let mut c = Command::new("chroot");
                c.arg(root).arg("systemd-analyze");
                c
            }
        };
        cmd.args(args);
        for unit in units {
            cmd.arg(match &self.root {
                Some(root) => Path::new("/").join(unit.strip_prefix(root).expect("a staged unit")),
                None => unit.to_owned(),
            });
        }
        (cmd, self.root.clone().unwrap_or_default())
    }

    /// Where `path` (under `original`) is in the staged copy `staged` of it.
    pub fn staged_path(original: &Path, staged: &Path, path: &Path) -> PathBuf {
        staged.join(path.strip_prefix(original).expect("under the staged tree"))
    }
}

/// The owner of /proc/self is the process's effective user.
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}
