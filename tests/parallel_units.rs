//! A run of many units processes them on several threads: what it prints must be what one
//! thread prints, in the same order, and each unit's report what a run of that unit alone
//! gives; errors keep the order of the units given.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{package_trees, system_services, BIN};

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(threads: usize, units: &[PathBuf]) -> Output {
    let out = Command::new(BIN)
        .args(["--format", "json", "--systemd-version", "257"])
        .args(units)
        .env("HARDENUNIT_NO_SYSTEM_POLICY", "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("hardenunit runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The fixtures' services, and every third service of the corpus when it is there (each is
/// also run alone below), in path order: the order the report lists them in.
fn units() -> Vec<PathBuf> {
    let mut units = Vec::new();
    for tree in package_trees() {
        units.extend(system_services(&tree));
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (own, corpus): (Vec<PathBuf>, Vec<PathBuf>) = units.into_iter().partition(|u| u.starts_with(&fixtures));
    let mut units: Vec<PathBuf> = own.into_iter().chain(corpus.into_iter().step_by(3)).collect();
    units.sort();
    units.dedup();
    units
}

/// A service whose file ends in a line continuation: an error of its own, the others go on.
fn truncated(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, "[Service]\nExecStart=/bin/true \\\n").unwrap();
    path
}

#[test]
fn many_units_on_many_threads_print_what_one_thread_prints() {
    let units = units();
    assert!(units.len() >= 9, "the fixtures have services: {units:?}");
    let dir = tempfile::tempdir().unwrap();
    // Errors at the start, in the middle and at the end of the list.
    let mut given = units.clone();
    given.insert(0, truncated(dir.path(), "first-broken.service"));
    given.insert(given.len() / 2, truncated(dir.path(), "middle-broken.service"));
    given.push(truncated(dir.path(), "last-broken.service"));

    let one = run(1, &given);
    assert_eq!(one.code, 2, "the broken units are errors: {}", one.stderr);
    let errors: Vec<&str> = one.stderr.lines().filter(|l| l.contains("-broken.service:")).collect();
    assert_eq!(errors.len(), 3, "{}", one.stderr);
    for (line, name) in errors.iter().zip(["first-broken", "middle-broken", "last-broken"]) {
        assert!(line.contains(name), "errors in the order of the units given: {errors:?}");
    }
    for threads in [2, 5] {
        let many = run(threads, &given);
        assert_eq!(many.code, one.code, "{threads} threads");
        assert!(many.stdout == one.stdout, "{threads} threads print other bytes than one");
        assert_eq!(many.stderr, one.stderr, "{threads} threads");
    }

    // Each report is what the unit alone gives: nothing of one unit's evidence leaks into
    // another's through the caches the threads share.
    let reports: Vec<serde_json::Value> = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(reports.len(), units.len());
    for (unit, report) in units.iter().zip(&reports) {
        let alone = run(1, std::slice::from_ref(unit));
        assert_eq!(alone.code, 0, "{}: {}", unit.display(), alone.stderr);
        let alone: Vec<serde_json::Value> = serde_json::from_str(&alone.stdout).unwrap();
        assert_eq!(alone.len(), 1);
        assert!(alone[0] == *report, "{}: its report differs from its report alone", unit.display());
    }
}
