//! `hardenunit explain` shows why the plan decided as it did where the evidence of the
//! programs alone does not: the capability bound the unit alone gives, and the files a
//! script sources that were taken as the administrator's configuration.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

mod common;

fn file(root: &Path, inside: &str, text: &str, mode: u32) {
    let p = root.join(inside);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
}

fn explain(root: &Path, unit: &str) -> String {
    let r = common::hardenunit(&["explain", "--root", root.to_str().unwrap(), unit]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r.stdout
}

/// pg_basebackup@'s shape: a non-root User=, a `+` command, no program in the root. The plan
/// bounds CapabilityBoundingSet= from the unit alone; explain says so, and why, and that the
/// programs' evidence is still incomplete.
#[test]
fn the_bound_from_the_unit_alone_is_explained() {
    let t = tempfile::tempdir().unwrap();
    let unit = "[Service]\nUser=food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStartPre=+/usr/lib/food/setup\nExecStart=/usr/sbin/food\n";
    file(t.path(), "lib/systemd/system/food.service", unit, 0o644);
    let text = explain(t.path(), "food.service");
    assert!(text.contains("food.service: evidence from its files is incomplete\n"), "{text}");
    let bound = "\nDerived from the unit alone, whatever its programs show:\n  CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n    - every command under the bounding set runs as User=food (ExecStartPre=+/usr/lib/food/setup runs outside it";
    assert!(text.contains(bound), "{text}");
    // The unit does not set NoNewPrivileges=: the plan adds it, and explain says so.
    assert!(
        text.contains("    - NoNewPrivileges=yes is added: no process can gain a capability it did not start with\n"),
        "{text}"
    );
    assert!(
        text.contains("\nNo RestrictAddressFamilies= derived, and no CapabilityBoundingSet= from the programs: evidence incomplete.\n"),
        "{text}"
    );
    assert!(!text.contains("No CapabilityBoundingSet= or RestrictAddressFamilies= derived"), "{text}");

    // Without no_new_privs (the policy keeps NoNewPrivileges= off), no bound from the unit.
    let policy = t.path().join("policy.toml");
    fs::write(&policy, "[profiles.baseline.directives]\nNoNewPrivileges = \"no\"\n").unwrap();
    let r = common::hardenunit(&[
        "explain",
        "--policy",
        policy.to_str().unwrap(),
        "--root",
        t.path().to_str().unwrap(),
        "food.service",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "\nNo CapabilityBoundingSet= from the unit alone: every command under the bounding set runs as User=food"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("but NoNewPrivileges= is neither set nor added"), "{}", r.stdout);
}

/// mariadb's debian-start: `/etc/default/X`, sourced only when it exists and shipped by no
/// package, counts as read; explain names it and the variables it leaves unknown.
#[test]
fn an_absent_optional_default_file_is_shown_as_the_administrators() {
    let t = tempfile::tempdir().unwrap();
    let script = "#!/bin/sh\nDAEMON=/usr/bin/true\nif [ -f /etc/default/food ]\nthen\n  . /etc/default/food\nfi\nUPGRADE=/usr/bin/true\n$UPGRADE\n";
    file(t.path(), "usr/lib/food/start", script, 0o755);
    let unit = "[Service]\nExecStart=/usr/lib/food/start\n";
    file(t.path(), "lib/systemd/system/food.service", unit, 0o644);
    let text = explain(t.path(), "food.service");
    let shown = "\nTaken as the administrator's configuration (sourced only when present; no package in the root ships it):\n  /etc/default/food (sourced by /usr/lib/food/start): it may set any variable, so unknown from there on: DAEMON (assigned before it) and every variable the script does not assign after it; what else it runs is the administrator's own, not read\n";
    assert!(text.contains(shown), "{text}");
}

/// With complete evidence the bound from the unit alone still comes first, as `auto` writes
/// it (plan::shape::derived); explain says which of the two is written.
#[test]
fn complete_evidence_says_the_unit_bound_comes_first() {
    let t = tempfile::tempdir().unwrap();
    let unit = "[Service]\nUser=food\nNoNewPrivileges=yes\nExecStart=rm -f /run/food/stale\n";
    file(t.path(), "lib/systemd/system/food.service", unit, 0o644);
    let text = explain(t.path(), "food.service");
    assert!(text.contains("food.service: evidence from its files is complete\n"), "{text}");
    assert!(text.contains("\n  CapabilityBoundingSet= (empty: no capability)\n"), "{text}");
    assert!(
        text.contains(
            "    - the unit sets NoNewPrivileges=yes: no process can gain a capability it did not start with\n"
        ),
        "{text}"
    );
    let derived = "\nDerived from the evidence (CapabilityBoundingSet=auto writes it; RestrictAddressFamilies= replaces the policy's list):\n  CapabilityBoundingSet=\n";
    assert!(text.contains(derived), "{text}");
    assert!(
        text.contains("    - not what `auto` writes: the bound from the unit alone (above) comes first\n"),
        "{text}"
    );
}

/// A line systemd rejects sets nothing, so the plan adds the directive it meant: explain
/// shows the finding that says why, in text and JSON.
#[test]
fn a_rejected_line_is_shown_beside_the_decision() {
    let t = tempfile::tempdir().unwrap();
    let unit = "[Service]\nPrivateTmp=yes  # keep tmp\nExecStart=rm -f /run/food/stale\n";
    file(t.path(), "lib/systemd/system/food.service", unit, 0o644);
    let text = explain(t.path(), "food.service");
    let shown =
        "\nFindings in the unit's files (the plan reads them as systemd does; a rejected line sets nothing):\n  ! ";
    assert!(text.contains(shown), "{text}");
    assert!(text.contains("food.service:2: error: value-has-trailing-comment"), "{text}");
    assert!(text.contains("  add  PrivateTmp="), "{text}");
    let r = common::hardenunit(&["explain", "--format", "json", "--root", t.path().to_str().unwrap(), "food.service"]);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["findings"][0]["tag"], "value-has-trailing-comment", "{}", r.stdout);
}
