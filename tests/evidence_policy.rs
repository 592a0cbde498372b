//! Evidence from the programs may only make the plan safer: never a higher exposure than the
//! unit-only plan, and where the programs are missing (the corpus ships units only) the
//! summary says so. Where a program can be read and needs little, the plan goes further.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use common::*;

fn exposures(root: &str, extra: &[&str]) -> BTreeMap<String, (Option<f64>, Option<bool>)> {
    let mut args = vec!["--format", "json", "--root", root];
    args.extend_from_slice(extra);
    let r = hardenunit(&args);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{root}: {}", r.stderr));
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (u["path"].as_str().unwrap().to_owned(), (u["exposure_after"].as_f64(), u["evidence_complete"].as_bool()))
        })
        .collect()
}

#[test]
fn evidence_never_makes_a_unit_less_safe_and_missing_evidence_is_said() {
    let mut units = 0;
    for tree in package_trees() {
        let root = tree.to_str().unwrap();
        let with = exposures(root, &[]);
        let without = exposures(root, &["--no-evidence"]);
        assert_eq!(with.keys().collect::<Vec<_>>(), without.keys().collect::<Vec<_>>());
        for (path, (after, complete)) in &with {
            units += 1;
            let (unit_only, _) = without[path];
            if let (Some(a), Some(b)) = (after, unit_only) {
                assert!(a <= &b, "{path}: {a} with evidence, {b} from the unit alone");
            }
            let _ = complete;
        }
        let summary = hardenunit(&["--root", root]);
        let planned = hardenunit(&["--format", "json", "--root", root]).stdout;
        let planned: serde_json::Value = serde_json::from_str(&planned).unwrap();
        if planned.as_array().unwrap().iter().any(|u| u["left_alone"].is_null() && u["exposure_after"].is_number()) {
            assert!(summary.stdout.contains("evidence missing:"), "{root}: {}", summary.stdout);
        }
    }
    println!("evidence vs unit-only: {units} units, none less safe");
}

#[test]
fn a_readable_program_that_needs_little_gets_more() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("quiet.c");
    fs::write(&src, "#include <unistd.h>\nint main(void) { for (;;) pause(); }\n").unwrap();
    let bin = t.path().join("root/usr/sbin/quietd");
    fs::create_dir_all(bin.parent().unwrap()).unwrap();
    let cc = Command::new("cc").arg("-O2").arg("-o").arg(&bin).arg(&src).status();
    assert!(cc.is_ok_and(|s| s.success()), "cc (build-essential) is needed to build the test program");
    let unit_dir = t.path().join("root/lib/systemd/system");
    fs::create_dir_all(&unit_dir).unwrap();
    fs::write(unit_dir.join("quietd.service"), "[Service]\nExecStart=/usr/sbin/quietd\n").unwrap();
    let root = t.path().join("root");
    let root = root.to_str().unwrap();
    // Compared with the host's systemd-analyze below.
    let pinned = ["--systemd-version", HOST_ORACLE_VERSION];
    let with = exposures(root, &pinned);
    let without = exposures(root, &[&pinned[..], &["--no-evidence"]].concat());
    let (path, (a, complete)) = with.iter().next().unwrap();
    let b = without[path].0.unwrap();
    assert_eq!(*complete, Some(true));
    assert!(a.unwrap() < b, "evidence should lower the exposure: {a:?} vs {b}");
    let plan = hardenunit(&["--root", root]);
    assert!(plan.stdout.contains("CapabilityBoundingSet="), "{}", plan.stdout);
    assert!(plan.stdout.contains("@mount"), "{}", plan.stdout);
    if oracle_available() {
        let copy = t.path().join("copy");
        copy_tree(&t.path().join("root"), &copy);
        assert_eq!(hardenunit(&[&["--write", "--root", copy.to_str().unwrap()], &pinned[..]].concat()).code, 0);
        let unit = copy.join("lib/systemd/system/quietd.service");
        assert_eq!(oracle_exposure(&unit).map(|e| f64::from(e) / 10.0), *a, "prediction vs systemd-analyze");
        println!("readable program: exposure {b} from the unit alone, {} with evidence", a.unwrap());
    }
}
