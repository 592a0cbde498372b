//! A unit that sets its own SystemCallFilter= gets one `~` line after it, judged by each
//! release's own systemd (tests/common/releases.rs): `systemd-analyze security --offline=true`
//! merges the unit's lines with the drop-in's and gives the exposure hardenunit predicted,
//! lower than before, with every group of the added line now refused and no row worse; a group
//! holding what the unit allows by name stays allowed; `systemd-analyze verify` has nothing to
//! say about the drop-in.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod common;

use common::{hardenunit, write};
#[path = "common/releases.rs"]
#[allow(dead_code)]
mod releases;
use releases::ReleaseOracle;

const SYS: &str = "lib/systemd/system";

/// (unit, its [Service] lines, the line hardenunit adds). The program imports nothing that
/// needs a group, and every file it runs is in the tree: the evidence is complete.
const UNITS: &[(&str, &str, &str)] = &[
    // Deny mode, and the unit's action is a kill: the line keeps it.
    (
        "deny.service",
        "SystemCallFilter=~@clock @mount",
        "~@cpu-emulation @debug @module @obsolete @privileged @raw-io @reboot @resources @swap",
    ),
    // Allow mode: @system-service lacks the other groups, so only these are left to deny.
    ("allow.service", "SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM", "~@privileged @resources"),
    // The maintainer allows @resources by name: a need declared, not denied.
    ("declared.service", "SystemCallFilter=@system-service @resources", "~@privileged"),
];

fn plain_program(tree: &Path) {
    let out = tree.join("usr/bin/plain");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evidence/plain.c");
    let status = Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(&out)
        .arg(source)
        .status()
        .expect("cc (build-essential) is needed to build the test program");
    assert!(status.success(), "cc plain.c failed");
}

/// Each row's json_field and whether systemd-analyze counts it as set, and the exposure.
fn oracle(release: &ReleaseOracle, unit: &Path) -> (String, BTreeMap<String, bool>) {
    let text = release.analyze(&["security", "--offline=true", "--no-pager"], unit).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let line = text.lines().find(|l| l.contains("Overall exposure level for")).expect("an exposure line");
    let exposure = line.split(": ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let js = release.analyze(&["security", "--offline=true", "--json=short"], unit).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&js.stdout).expect("rows as JSON");
    let rows = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["json_field"].as_str().unwrap().to_owned(), r["set"] == serde_json::Value::Bool(true)))
        .collect();
    (exposure, rows)
}

fn row_of(group: &str) -> String {
    format!("SystemCallFilter_{}", group.trim_start_matches('@').replace('-', "_"))
}

#[test]
fn a_units_own_filter_is_narrowed_as_each_release_scores_it() {
    let releases = ReleaseOracle::all();
    assert!(!releases.is_empty(), "no release's systemd-analyze runs here");
    for release in releases {
        let version = release.version.to_string();
        let work = tempfile::tempdir().unwrap();
        let tree = work.path().join("pkg");
        plain_program(&tree);
        for (name, lines, _) in UNITS {
            let text = format!("[Unit]\nDescription=d\n\n[Service]\nExecStart=/usr/bin/plain\n{lines}\n");
            write(&tree, &format!("{SYS}/{name}"), text);
        }
        let staged = release.stage(&tree);
        let before: Vec<_> = UNITS.iter().map(|(n, _, _)| oracle(&release, &staged.join(SYS).join(n))).collect();
        let verify_before: Vec<_> = UNITS
            .iter()
            .map(|(n, _, _)| release.analyze(&["verify"], &staged.join(SYS).join(n)).output().unwrap().stderr)
            .collect();

        let root = staged.to_str().unwrap();
        let run = hardenunit(&["--write", "--format", "json", "--systemd-version", &version, "--root", root]);
        assert_eq!(run.code, 0, "systemd {version}: {}", run.stderr);
        let plans: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        for (((name, _, line), (exposure_before, rows_before)), verify_before) in
            UNITS.iter().zip(&before).zip(&verify_before)
        {
            let at = format!("systemd {version} ({}), {name}", release.suite);
            let plan = plans.as_array().unwrap().iter().find(|p| p["unit"] == *name).expect("a plan");
            let filters: Vec<&str> = plan["added"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["directive"] == "SystemCallFilter")
                .map(|a| a["value"].as_str().unwrap())
                .collect();
            assert_eq!(filters, [*line], "{at}");
            let unit = staged.join(SYS).join(name);
            let (exposure, rows) = oracle(&release, &unit);
            println!("{at}: {exposure_before} -> {exposure} with SystemCallFilter={line}");
            let predicted = format!("{:.1}", plan["exposure_after"].as_f64().unwrap());
            assert_eq!(exposure, predicted, "{at}: systemd-analyze against hardenunit's prediction");
            let number = |e: &str| e.parse::<f64>().unwrap();
            assert!(number(&exposure) < number(exposure_before), "{at}: {exposure_before} -> {exposure}");
            for group in line.trim_start_matches('~').split_whitespace() {
                // The unit's own filter let a call of it through: the line is no repetition.
                assert!(!rows_before[&row_of(group)], "{at}: the unit refused {group} already");
                assert!(rows[&row_of(group)], "{at}: {group} is not refused after the drop-in");
            }
            for (field, set) in rows_before {
                assert!(!set || rows[field], "{at}: {field} got worse");
            }
            if *name == "declared.service" {
                assert!(!rows[&row_of("@resources")], "{at}: the @resources the unit allows was taken away");
            }
            let verify = release.analyze(&["verify"], &unit).output().unwrap().stderr;
            let verify = String::from_utf8_lossy(&verify);
            let before = String::from_utf8_lossy(verify_before);
            let new: Vec<&str> = verify.lines().filter(|l| !before.lines().any(|b| b == *l)).collect();
            assert!(new.is_empty(), "{at}: systemd-analyze verify: {new:?}");
        }
    }
}

#[test]
fn the_warning_about_a_kill_stays_on_the_units_own_line() {
    // The unit's filter kills on a denied call, and the drop-in leaves that as it is: the
    // warning points at the line that makes the filter, not at the drop-in's line after it.
    let work = tempfile::tempdir().unwrap();
    let unit = "[Unit]\nDescription=d\n\n[Service]\nExecStart=/usr/bin/plain\nSystemCallFilter=~@mount\n";
    write(work.path(), &format!("{SYS}/deny.service"), unit);
    let root = work.path().to_str().unwrap();
    let run = hardenunit(&["--write", "--systemd-version", "257", "--root", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dropin = std::fs::read_to_string(work.path().join(SYS).join("deny.service.d/10-hardenunit.conf")).unwrap();
    assert!(dropin.lines().any(|l| l.starts_with("SystemCallFilter=~")), "{dropin}");
    let again = hardenunit(&["--format", "json", "--systemd-version", "257", "--root", root]);
    let plans: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    let warnings: Vec<(String, u64)> = plans[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tag"] == "syscall-filter-without-errno")
        .map(|f| (f["file"].as_str().unwrap().to_owned(), f["line"].as_u64().unwrap()))
        .collect();
    let own = work.path().join(SYS).join("deny.service");
    assert_eq!(warnings, [(own.to_str().unwrap().to_owned(), 6)]);
}
