//! What the integration tests share: the real systemd-analyze as the oracle, copies of
//! package trees, and the list of package trees to test (own fixtures, plus the shared
//! corpus of real Debian units when it is there).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod cases;
pub mod lint_oracle;

pub const BIN: &str = env!("CARGO_BIN_EXE_hardenunit");

/// The release of the host's systemd-analyze (Debian 12): tests that compare with it pass
/// `--systemd-version` this, whatever the built-in default is.
pub const HOST_ORACLE_VERSION: &str = "252";

/// Whether the oracle (systemd-analyze) runs here. The one skip rule of the suite: a missing
/// systemd-analyze fails the test instead of passing it silently, unless
/// HARDENUNIT_SKIP_ORACLE=1 says to skip, which is then printed.
pub fn oracle_available() -> bool {
    let ok = Command::new("systemd-analyze").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        if std::env::var("HARDENUNIT_SKIP_ORACLE").as_deref() != Ok("1") {
            panic!(
                "systemd-analyze (systemd {HOST_ORACLE_VERSION}) is not installed: it is the oracle of this test \
                 (apt-get install systemd, or set HARDENUNIT_SKIP_ORACLE=1 to skip)"
            );
        }
        eprintln!("systemd-analyze missing: oracle test skipped (HARDENUNIT_SKIP_ORACLE=1)");
    }
    ok
}

fn analyze(args: &[&str]) -> std::process::Output {
    Command::new("systemd-analyze")
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .env("SYSTEMD_COLORS", "0")
        .output()
        .expect("systemd-analyze runs")
}

/// The overall exposure in tenths, as `systemd-analyze security --offline=true` prints it.
pub fn oracle_exposure(unit: &Path) -> Option<u32> {
    overall_exposure(&analyze(&["security", "--offline=true", "--no-pager", unit.to_str()?]))
}

/// [`oracle_exposure`] of a unit looked up by name in `root` (`--root=DIR`), as systemd
/// finds it there: aliases, masks and drop-ins of the tree apply.
pub fn oracle_exposure_in_root(root: &Path, unit: &str) -> Option<u32> {
    let root_arg = format!("--root={}", root.to_str()?);
    overall_exposure(&analyze(&["security", "--offline=true", "--no-pager", &root_arg, unit]))
}

fn overall_exposure(out: &std::process::Output) -> Option<u32> {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("Overall exposure level for"))?;
    let value = line.split(": ").nth(1)?.split_whitespace().next()?;
    let (a, b) = value.split_once('.')?;
    Some(a.parse::<u32>().ok()? * 10 + b.parse::<u32>().ok()?)
}

/// Each row's exposure (json_field → exposure text, "n/a" for rows that do not apply).
pub fn oracle_rows(unit: &Path) -> Vec<(String, String)> {
    let out = analyze(&["security", "--offline=true", "--json=short", unit.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    v.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let field = r["json_field"].as_str().unwrap_or("").to_owned();
                    let e = if r["set"].is_null() && r["exposure"].is_null() {
                        "n/a".to_owned()
                    } else {
                        // systemd 252 writes the exposure as a string ("0.1"), null for a good row.
                        let e = &r["exposure"];
                        let e = e.as_f64().or_else(|| e.as_str().and_then(|s| s.parse().ok()));
                        e.map(|f| format!("{f:.1}")).unwrap_or_else(|| "0.0".into())
                    };
                    (field, e)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `systemd-analyze verify` complaints about keys and values, without file and line.
pub fn verify_warnings(unit: &Path) -> BTreeSet<String> {
    let out = analyze(&["verify", "--man=no", unit.to_str().unwrap()]);
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_file, line, msg) = (parts.next()?, parts.next()?, parts.next()?);
            line.trim().parse::<usize>().ok()?;
            Some(msg.trim().to_owned())
        })
        .collect()
}

/// Package trees to harden: the project's own fixtures, then the corpus when present.
pub fn package_trees() -> Vec<PathBuf> {
    let mut trees = Vec::new();
    for base in [Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/harden"), corpus_dir()] {
        if let Ok(entries) = fs::read_dir(&base) {
            let mut dirs: Vec<PathBuf> =
                entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
            dirs.sort();
            trees.extend(dirs);
        }
    }
    trees
}

/// ../shared/corpus, or HARDENUNIT_CORPUS (a worktree beside the main checkout has none).
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("HARDENUNIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

/// Regular (not symlinked) system service files under `root`, as systemd-analyze can score.
pub fn system_services(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(root, &mut |p| {
        let s = p.to_string_lossy();
        let is_symlink = fs::symlink_metadata(p).map(|m| m.file_type().is_symlink()).unwrap_or(true);
        if s.ends_with(".service") && s.contains("/systemd/system/") && !is_symlink && p.is_file() {
            let parent = p.parent().unwrap().to_string_lossy().into_owned();
            if parent.ends_with("/systemd/system") {
                out.push(p.to_owned());
            }
        }
    });
    out.sort();
    out
}

/// The text of every `.service` file under `dirs` (missing ones are skipped), each
/// directory's files in path order.
pub fn service_texts(dirs: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut files = Vec::new();
        walk(dir, &mut |p| {
            if p.extension().is_some_and(|e| e == "service") && p.is_file() {
                files.push(p.to_owned());
            }
        });
        files.sort();
        out.extend(files.iter().filter_map(|p| fs::read_to_string(p).ok()));
    }
    out
}

/// Every entry under `dir` that is not a directory (files, symlinks), sorted, depth first.
pub fn walk_files(dir: &Path, f: &mut dyn FnMut(&Path)) {
    walk(dir, f)
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let m = fs::symlink_metadata(&p).unwrap();
        if m.is_dir() {
            walk(&p, f);
        } else {
            f(&p);
        }
    }
}

/// Copies a tree keeping symlinks as symlinks.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let m = fs::symlink_metadata(&src).unwrap();
        if m.file_type().is_symlink() {
            symlink(fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if m.is_dir() {
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
        }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn hardenunit(args: &[&str]) -> Run {
    hardenunit_env(args, &[])
}

/// `hardenunit` with more environment, like PATH.
pub fn hardenunit_env(args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("HARDENUNIT_NO_SYSTEM_POLICY", "1").env("NO_COLOR", "1");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("hardenunit runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `f` over `items` on every core, keeping the order of the results.
pub fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

/// xorshift64*: reproducible without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Writes `text` at `rel` under `root`, making its directories.
pub fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    p
}

/// Every file and directory under `dir` with its contents, to show a run changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                todo.push(p.clone());
                out.push((p, vec![]));
            } else if m.is_file() {
                out.push((p.clone(), fs::read(&p).unwrap()));
            } else {
                out.push((p.clone(), fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes()));
            }
        }
    }
    out.sort();
    out
}
