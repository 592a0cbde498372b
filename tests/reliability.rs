//! Regression tests for the defects a differential run against `systemd-analyze` and a set
//! of hostile inputs found: aliases, units systemd refuses, values that would inject a
//! second directive, runs that write only some of their files, CR-only line endings.
//! Where systemd has a say, its own `systemd-analyze` is asked in the test.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use common::{hardenunit, oracle_available, snapshot, write};

const UNITS: &str = "lib/systemd/system";

/// The "Overall exposure level for NAME: X.Y" line of a text run.
fn overall(text: &str) -> Option<String> {
    text.lines()
        .find(|l| l.contains("Overall exposure level for"))
        .map(|l| l.split(" UNSAFE").next().unwrap_or(l).trim().to_owned())
}

/// `hardenunit score` for the host's systemd-analyze, which these tests compare with.
fn score(args: &[&str]) -> common::Run {
    hardenunit(&[&["score", "--systemd-version", common::HOST_ORACLE_VERSION], args].concat())
}

fn oracle_overall(args: &[&str]) -> Option<String> {
    let out = Command::new("systemd-analyze")
        .arg("security")
        .arg("--offline=true")
        .arg("--no-pager")
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .env("SYSTEMD_COLORS", "0")
        .output()
        .expect("systemd-analyze runs");
    overall(&String::from_utf8_lossy(&out.stdout))
}

fn two_services(root: &Path) {
    write(root, &format!("{UNITS}/a.service"), "[Service]\nExecStart=/bin/true\n");
    write(root, &format!("{UNITS}/b.service"), "[Service]\nExecStart=/bin/true\n");
}

#[test]
fn an_alias_is_scored_as_its_target_with_the_drop_ins_of_both_names() {
    if !oracle_available() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write(root, &format!("{UNITS}/real.service"), "[Service]\nExecStart=/bin/true\n");
    symlink("real.service", root.join(UNITS).join("alias.service")).unwrap();
    write(root, &format!("{UNITS}/real.service.d/x.conf"), "[Service]\nPrivateTmp=yes\n");
    let r = root.to_str().unwrap();
    let cases = |label: &str| {
        for name in ["alias.service", "real.service"] {
            let ours = score(&["--root", r, name]);
            assert_eq!(ours.code, 0, "{label} {name}: {}", ours.stderr);
            let want = oracle_overall(&[&format!("--root={r}"), name]);
            assert!(want.is_some(), "{label}: systemd-analyze scores {name}");
            assert_eq!(overall(&ours.stdout), want, "{label}: {name} by name");
            let path = root.join(UNITS).join(name);
            let ours = score(&[path.to_str().unwrap()]);
            assert_eq!(overall(&ours.stdout), oracle_overall(&[path.to_str().unwrap()]), "{label}: {name} by path");
        }
        let all = score(&["--root", r]);
        assert_eq!(overall(&all.stdout), oracle_overall(&[&format!("--root={r}"), "real.service"]), "{label}: --root");
    };
    cases("drop-in of the target");
    // systemd applies drop-ins under the alias's name to the target too.
    write(root, &format!("{UNITS}/alias.service.d/y.conf"), "[Service]\nProtectHome=yes\n");
    cases("drop-ins of both names");
    let shown = overall(&score(&["--root", r, "alias.service"]).stdout).unwrap();
    assert!(shown.contains("for real.service: 9.2"), "{shown}");
}

#[test]
fn write_hardens_an_alias_through_its_target() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write(root, &format!("{UNITS}/real.service"), "[Service]\nExecStart=/bin/true\n");
    symlink("real.service", root.join(UNITS).join("alias.service")).unwrap();
    let r = root.to_str().unwrap();
    let run = hardenunit(&["--root", r, "--no-evidence", "--write", "alias.service"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(root.join(UNITS).join("real.service.d/10-hardenunit.conf").is_file());
    assert!(!root.join(UNITS).join("alias.service.d").exists());
    let again = hardenunit(&["--root", r, "--no-evidence", "--check"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
}

#[test]
fn policy_values_that_would_add_a_line_are_refused_with_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    two_services(&root);
    let policies = [
        ("[unit.\"a.service\"]\nread_write_paths = [\"/var/lib/x\\nExecStartPre=/bin/evil\"]\n", 2, "read_write_paths"),
        ("[directives]\nReadWritePaths = \"/var/lib/x\\nExecStartPre=/bin/evil\"\n", 2, "ReadWritePaths"),
        ("dropin = \"a\\nb.conf\"\n", 1, "dropin"),
        ("[directives]\nReadWritePaths = \"/var/lib/x\\ry\"\n", 2, "control character"),
        ("[directives]\nReadWritePaths = \"/var/lib/x\\\\\"\n", 2, "backslash"),
        ("[unit.\"a.service\"]\nread_write_paths = [\"/var/lib/a /var/lib/b\"]\n", 2, "whitespace"),
        ("[unit.\"a.service\"]\nread_write_paths = [\"/var/../etc\"]\n", 2, "normalized"),
        ("[profiles.\"p\\nExecStartPre=/bin/evil\"]\n", 1, "profile name"),
    ];
    let before = snapshot(&root);
    for (i, (text, line, what)) in policies.iter().enumerate() {
        let policy = t.path().join(format!("p{i}.toml"));
        fs::write(&policy, text).unwrap();
        let run = hardenunit(&[
            "--root",
            root.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--no-evidence",
            "--write",
        ]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        let at = format!("p{i}.toml:{line}:");
        assert!(run.stderr.contains(&at) && run.stderr.contains(what), "{text}: want {at} … {what}: {}", run.stderr);
        assert_eq!(snapshot(&root), before, "{text}: nothing written");
    }
}

/// `chattr +i` on one unit's drop-in directory: the run fails before any file is in place.
#[test]
fn a_run_writes_all_its_files_or_none() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    two_services(root);
    let locked = root.join(UNITS).join("b.service.d");
    fs::create_dir(&locked).unwrap();
    let chattr = |flag: &str| Command::new("chattr").arg(flag).arg(&locked).status().is_ok_and(|s| s.success());
    if !chattr("+i") {
        eprintln!("skipped: chattr +i does not work here (needs root and a file system with attributes)");
        return;
    }
    let r = root.to_str().unwrap();
    let before = snapshot(root);
    let run = hardenunit(&["--root", r, "--no-evidence", "--write"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(snapshot(root), before, "a failed run leaves the tree as it was (no a.service.d/)");
    chattr("-i");
    // In place, the file of the second unit is the one that cannot be replaced.
    let b = root.join(UNITS).join("b.service");
    let chattr_file = |flag: &str| Command::new("chattr").arg(flag).arg(&b).status().is_ok_and(|s| s.success());
    assert!(chattr_file("+i"));
    let before = snapshot(root);
    let run = hardenunit(&["--root", r, "--no-evidence", "--mode", "in-place", "--write"]);
    chattr_file("-i");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(snapshot(root), before, "in place: a.service keeps its text");
}

/// A small tmpfs filled to the last block: the run fails and leaves no directory or
/// temporary file behind.
#[test]
fn a_full_file_system_leaves_nothing_behind() {
    let t = tempfile::tempdir().unwrap();
    let mnt = t.path();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "hardenunit-test", mnt.to_str().unwrap()])
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(mnt);
    two_services(mnt);
    // Fill every block; a directory still fits (tmpfs counts inodes, not blocks, for it).
    let mut filler = fs::File::create(mnt.join("filler")).unwrap();
    let chunk = vec![b'x'; 4096];
    while std::io::Write::write_all(&mut filler, &chunk).is_ok() {}
    drop(filler);
    let before = snapshot(mnt);
    let run = hardenunit(&["--root", mnt.to_str().unwrap(), "--no-evidence", "--write"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(snapshot(mnt), before, "no a.service.d/, no temporary file");
}

/// In place, with `\r` (or mixed) line endings: the first `--write` is the last one that
/// changes anything, and systemd reads the written file as hardenunit does.
#[test]
fn in_place_is_idempotent_with_cr_line_endings() {
    let texts = [
        "[Service]\rExecStart=/bin/true",
        "[Service]\rExecStart=/bin/true\r",
        "[Service]\rExecStart=/bin/true\r\r",
        "[Service]\rExecStart=/bin/true\r\r[Install]\rWantedBy=multi-user.target\r",
        "[Service]\nExecStart=/bin/true\n\r",
        "[Service]\r\nExecStart=/bin/true\r\n\r\n",
        "[Unit]\rDescription=x\r\r[Service]\rExecStart=/bin/true\r\r\r",
    ];
    for text in texts {
        let t = tempfile::tempdir().unwrap();
        let unit = write(t.path(), &format!("{UNITS}/a.service"), text);
        let r = t.path().to_str().unwrap();
        let args = ["--root", r, "--no-evidence", "--mode", "in-place"];
        let first = hardenunit(&[&args[..], &["--write"]].concat());
        assert_eq!(first.code, 0, "{text:?}: {}", first.stderr);
        let once = fs::read(&unit).unwrap();
        assert_ne!(once, text.as_bytes(), "{text:?}: the first run writes");
        let check = hardenunit(&[&args[..], &["--check"]].concat());
        assert_eq!(check.code, 0, "{text:?}: --check after --write: {}", check.stdout);
        hardenunit(&[&args[..], &["--write"]].concat());
        assert_eq!(fs::read(&unit).unwrap(), once, "{text:?}: a second --write changes nothing");
        if oracle_available() {
            let ours = overall(&score(&[unit.to_str().unwrap()]).stdout);
            assert_eq!(ours, oracle_overall(&[unit.to_str().unwrap()]), "{text:?}");
            assert!(ours.is_some_and(|o| !o.ends_with("9.6")), "{text:?}: the block is read");
        }
    }
}

#[test]
fn small_ones_systemd_version_and_a_unit_directory_out_of_the_root() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    two_services(&t.path().join("elsewhere"));
    fs::create_dir(&root).unwrap();
    let r = root.to_str().unwrap();
    for v in ["0", "1", "99", "x"] {
        let run = hardenunit(&["--root", r, "--systemd-version", v]);
        assert_eq!(run.code, 2, "--systemd-version {v}: {}", run.stderr);
        assert!(run.stderr.contains("systemd-version"), "{}", run.stderr);
    }
    // `lib` leads out of the root: not a package without units, an error that says why.
    symlink("../elsewhere/lib", root.join("lib")).unwrap();
    for args in [vec!["--root", r, "--no-evidence"], vec!["score", "--root", r]] {
        let run = hardenunit(&args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("unit directory not searched") && run.stderr.contains("out of the root"),
            "{}",
            run.stderr
        );
    }
}

/// Names as systemd 252's unit_name_is_valid() takes them, checked with
/// `systemd-analyze security --offline=true ./NAME`.
#[test]
fn unit_names_are_valid_as_systemd_says() {
    let t = tempfile::tempdir().unwrap();
    let cases = [
        ("a b.service", false),
        ("a%n.service", false),
        ("ü.service", false),
        ("a\nb.service", false),
        ("x@a@b.service", true),
        ("x@@.service", true),
        ("-a.service", true),
    ];
    for (name, valid) in cases {
        let unit = write(t.path(), name, "[Service]\nExecStart=/bin/true\n");
        let ours = score(&[unit.to_str().unwrap()]);
        assert_eq!(ours.code == 0, valid, "{name:?}: {}", ours.stderr);
        if oracle_available() {
            let oracle = Command::new("systemd-analyze")
                .args(["security", "--offline=true", "--no-pager", unit.to_str().unwrap()])
                .output()
                .unwrap();
            assert_eq!(oracle.status.success(), valid, "{name:?}: systemd-analyze agrees");
            if valid {
                assert_eq!(overall(&ours.stdout), overall(&String::from_utf8_lossy(&oracle.stdout)), "{name:?}");
            }
        }
        fs::remove_file(unit).unwrap();
    }
}

/// A dangling drop-in symlink: systemd skips it, and its name hides the drop-in of the same
/// name in a lower-priority directory.
#[test]
fn a_dangling_drop_in_is_skipped_and_hides_its_name() {
    if !oracle_available() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write(root, &format!("{UNITS}/a.service"), "[Service]\nExecStart=/bin/true\n");
    write(root, &format!("{UNITS}/a.service.d/x.conf"), "[Service]\nPrivateTmp=yes\n");
    write(root, &format!("{UNITS}/a.service.d/y.conf"), "[Service]\nProtectHome=yes\n");
    fs::create_dir_all(root.join("etc/systemd/system/a.service.d")).unwrap();
    symlink("/nonexistent.conf", root.join("etc/systemd/system/a.service.d/x.conf")).unwrap();
    symlink("/nonexistent.conf", root.join(UNITS).join("a.service.d/z.conf")).unwrap();
    let r = root.to_str().unwrap();
    let ours = score(&["--root", r, "a.service"]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert_eq!(overall(&ours.stdout), oracle_overall(&[&format!("--root={r}"), "a.service"]));
    assert!(overall(&ours.stdout).unwrap().ends_with("9.4"), "y.conf applies, x.conf is hidden");
}

/// Masks: `score` of a masked unit named on the command line fails as systemd-analyze
/// does; one found while scanning is only noted; hardening leaves it alone.
#[test]
fn masked_units_follow_the_documented_rule() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write(root, &format!("{UNITS}/a.service"), "[Service]\nExecStart=/bin/true\n");
    symlink("/dev/null", root.join(UNITS).join("m.service")).unwrap();
    write(root, &format!("{UNITS}/e.service"), "");
    let r = root.to_str().unwrap();
    for name in ["m.service", "e.service"] {
        let ours = score(&["--root", r, name]);
        assert_eq!(ours.code, 2, "{name}: {}", ours.stderr);
        assert!(ours.stdout.is_empty() && ours.stderr.contains("is masked"), "{name}: {}", ours.stderr);
        if oracle_available() {
            let oracle = Command::new("systemd-analyze")
                .args(["security", "--offline=true", &format!("--root={r}"), name])
                .output()
                .unwrap();
            assert!(!oracle.status.success() && oracle.stdout.is_empty(), "{name}: systemd-analyze fails too");
        }
    }
    let scan = score(&["--root", r]);
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    assert!(scan.stderr.contains("m.service is masked") && scan.stdout.contains("a.service"), "{}", scan.stderr);
    let harden = hardenunit(&["--root", r, "--no-evidence", "--write"]);
    assert_eq!(harden.code, 0, "{}", harden.stderr);
    assert!(!root.join(UNITS).join("m.service.d").exists());
}

/// A trailing backslash on the last line: scored as systemd reads it, not hardened.
#[test]
fn a_file_ending_in_a_continuation_is_scored_but_not_hardened() {
    let t = tempfile::tempdir().unwrap();
    let unit = write(t.path(), &format!("{UNITS}/a.service"), "[Service]\nExecStart=/bin/true\nPrivateTmp=yes \\\n");
    let ours = score(&[unit.to_str().unwrap()]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    if oracle_available() {
        assert_eq!(overall(&ours.stdout), oracle_overall(&[unit.to_str().unwrap()]));
    }
    let before = snapshot(t.path());
    let harden = hardenunit(&["--root", t.path().to_str().unwrap(), "--no-evidence", "--write"]);
    assert_eq!(harden.code, 2, "{}", harden.stderr);
    assert!(harden.stderr.contains("a.service:3:") && harden.stderr.contains("not hardened"), "{}", harden.stderr);
    assert_eq!(snapshot(t.path()), before);
}
