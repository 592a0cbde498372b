//! Where the target systemd comes from: the policy layers only. A build machine's own systemd
//! (or its absence) changes nothing, unless a layer says `systemd_version = "host"`, and then
//! the log says so. Also: the manual pages and completions come from the same definitions as
//! `--help`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_hardenunit");
const UNIT: &str = "[Unit]\nDescription=test daemon\n\n[Service]\nExecStart=/usr/sbin/testd\n";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs hardenunit with PATH = `path` only (plus what it needs to find nothing else).
fn run_with_path(args: &[&str], path: &Path) -> Run {
    let out = duct::cmd(BIN, args)
        .env("PATH", path)
        .env("HARDENUNIT_NO_SYSTEM_POLICY", "1")
        .env("NO_COLOR", "1")
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A directory with a `systemctl` that reports `version`, and one with no systemctl at all.
fn fake_paths(tmp: &Path, version: u32) -> (PathBuf, PathBuf) {
    let fake = tmp.join("fake-bin");
    fs::create_dir_all(&fake).unwrap();
    let systemctl = fake.join("systemctl");
    fs::write(&systemctl, format!("#!/bin/sh\necho 'systemd {version} ({version}.1-1)'\necho '+PAM +AUDIT'\n"))
        .unwrap();
    fs::set_permissions(&systemctl, fs::Permissions::from_mode(0o755)).unwrap();
    let empty = tmp.join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    (fake, empty)
}

fn root_with_unit(dir: &Path) -> PathBuf {
    let unit = dir.join("usr/lib/systemd/system/testd.service");
    fs::create_dir_all(unit.parent().unwrap()).unwrap();
    fs::write(&unit, UNIT).unwrap();
    dir.to_owned()
}

fn dropin(root: &Path) -> String {
    fs::read_to_string(root.join("usr/lib/systemd/system/testd.service.d/10-hardenunit.conf")).unwrap()
}

#[test]
fn the_build_machine_systemd_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (fake, empty) = fake_paths(tmp.path(), 257);
    let with_257 = root_with_unit(&tmp.path().join("a"));
    let without = root_with_unit(&tmp.path().join("b"));

    let a = run_with_path(&["--write", "--root", with_257.to_str().unwrap()], &fake);
    let b = run_with_path(&["--write", "--root", without.to_str().unwrap()], &empty);
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    assert_eq!(dropin(&with_257), dropin(&without));
    assert!(dropin(&without).contains("systemd 252"), "{}", dropin(&without));
    assert!(a.stdout.contains("systemd 252 (built-in policy)"), "{}", a.stdout);
    assert_eq!(
        a.stdout.replace(with_257.to_str().unwrap(), "ROOT"),
        b.stdout.replace(without.to_str().unwrap(), "ROOT")
    );
    assert!(!a.stderr.contains("systemctl"), "{}", a.stderr);
}

#[test]
fn host_is_detected_only_when_a_layer_asks_and_the_log_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (fake, empty) = fake_paths(tmp.path(), 257);
    let policy = tmp.path().join("host.toml");
    fs::write(&policy, "# follow the build machine\nsystemd_version = \"host\"\n").unwrap();
    let root = root_with_unit(&tmp.path().join("r"));
    let args = ["--write", "--root", root.to_str().unwrap(), "--policy", policy.to_str().unwrap()];

    let detected = run_with_path(&args, &fake);
    assert_eq!(detected.code, 0, "{}", detected.stderr);
    assert!(
        detected.stderr.contains("systemd 257 (detected with systemctl --version")
            && detected.stderr.contains(policy.to_str().unwrap()),
        "{}",
        detected.stderr
    );
    assert!(dropin(&root).contains("systemd 257"), "{}", dropin(&root));

    let missing = run_with_path(&args, &empty);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains(policy.to_str().unwrap()) && missing.stderr.contains("\"host\""),
        "{}",
        missing.stderr
    );

    let pinned = run_with_path(&[&args[..], &["--systemd-version", "250"]].concat(), &empty);
    assert_eq!(pinned.code, 0, "--systemd-version wins over \"host\" without asking systemctl: {}", pinned.stderr);
}

#[test]
fn pages_and_completions_follow_the_help() {
    let tmp = tempfile::tempdir().unwrap();
    let (man, completions) = (tmp.path().join("man"), tmp.path().join("completions"));
    let out = duct::cmd!(BIN, "generate-docs", "--man", &man, "--completions", &completions)
        .stderr_to_stdout()
        .unchecked()
        .run()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let page = fs::read_to_string(man.join("hardenunit.1")).unwrap();
    let help = duct::cmd!(BIN, "--help").read().unwrap();
    // Every long option --help lists is on the page (roff writes - as \-).
    let options: Vec<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(','))
        .collect();
    assert!(options.len() > 10, "{help}");
    for option in &options {
        assert!(page.contains(&option.replace('-', "\\-")), "{option} missing from hardenunit.1");
    }
    for sub in ["score", "policy", "lint", "explain"] {
        let sub_page = fs::read_to_string(man.join(format!("hardenunit-{sub}.1"))).unwrap();
        assert!(sub_page.contains(".TH hardenunit\\-") || sub_page.contains(".TH hardenunit-"), "{sub}");
        assert!(page.contains(&format!("hardenunit\\-{sub}")), "hardenunit.1 does not point to {sub}");
    }
    assert!(page.contains("hardenunit\\-policy\\fR(5)"), "no SEE ALSO hardenunit-policy(5)");
    for file in ["hardenunit", "_hardenunit", "hardenunit.fish"] {
        let text = fs::read_to_string(completions.join(file)).unwrap();
        assert!(text.contains("max-exposure") && text.contains("no-evidence"), "{file}");
        assert!(!text.contains("generate-docs"), "{file} offers the packaging-only command");
    }
}
