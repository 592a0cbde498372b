//! The binary as a user runs it: exit codes, messages that name the file and line, nothing
//! written on error, nothing written outside the root, the same bytes every run.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

mod common;

use common::{hardenunit as run, hardenunit_env as run_env, snapshot, write};

const DAEMON: &str =
    "[Unit]\nDescription=d\n\n[Service]\nExecStart=/usr/sbin/food\n\n[Install]\nWantedBy=multi-user.target\n";
const SYS: &str = "lib/systemd/system";

#[test]
fn bad_units_get_one_line_errors_exit_2_and_the_others_still_run() {
    let t = tempfile::tempdir().unwrap();
    let good = write(t.path(), "good.service", DAEMON.as_bytes());
    let dir = t.path().join("dir.service");
    fs::create_dir(&dir).unwrap();
    let binary = write(t.path(), "bin.service", b"[Service]\nExecStart=/x\n\0\x01\x02");
    let utf8 = write(t.path(), "utf8.service", b"[Service]\nDescription=\xff\xfe\n");
    let cont = write(t.path(), "cont.service", b"[Service]\nExecStart=/bin/true\nEnvironment=A=1 \\\n");
    let big = t.path().join("big.service");
    fs::write(&big, vec![b'#'; 100 * 1024 * 1024]).unwrap();
    symlink("loop2.service", t.path().join("loop1.service")).unwrap();
    symlink("loop1.service", t.path().join("loop2.service")).unwrap();
    let missing = t.path().join("missing.service");
    let cases: Vec<(PathBuf, Option<usize>, &str)> = vec![
        (dir, None, "directory"),
        (binary, Some(3), "NUL"),
        (utf8, Some(2), "UTF-8"),
        (cont, Some(3), "continuation"),
        (big, None, "bytes"),
        (t.path().join("loop1.service"), None, "symbolic links"),
        (missing, None, "no such file"),
    ];
    for (path, line, needle) in &cases {
        for args in [vec!["score"], vec![], vec!["--write"]] {
            // A file ending in a continuation is scored as systemd reads it; only
            // hardening refuses it (README, "How units are read").
            if *needle == "continuation" && args == ["score"] {
                continue;
            }
            let p = path.to_str().unwrap();
            let g = good.to_str().unwrap();
            let mut argv: Vec<&str> = args.clone();
            argv.extend([p, g]);
            let r = run(&argv);
            assert_eq!(r.code, 2, "{argv:?}: {}", r.stderr);
            let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains(p)).collect();
            assert_eq!(lines.len(), 1, "{argv:?}: {}", r.stderr);
            let want = match line {
                Some(n) => format!("{p}:{n}: "),
                None => format!("{p}: "),
            };
            assert!(lines[0].contains(&want) && lines[0].contains(needle), "{argv:?}: {}", lines[0]);
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            if args.is_empty() || args == ["score"] {
                assert!(r.stdout.contains("good.service"), "{argv:?}: the good unit must still be processed");
            }
        }
    }
    assert!(!t.path().join("good.service.d").exists(), "--write with an error wrote something");
}

#[test]
fn write_is_atomic_idempotent_reproducible_and_check_agrees() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON.as_bytes());
    let root = t.path().to_str().unwrap();
    let first = run(&["--root", root, "--format", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(run(&["--root", root, "--check"]).code, 1);
    let before = snapshot(t.path());
    assert_eq!(run(&["--root", root, "--write"]).code, 0);
    let after_first = snapshot(t.path());
    assert_ne!(before, after_first);
    let dropin = t.path().join(format!("{SYS}/food.service.d/10-hardenunit.conf"));
    assert!(dropin.is_file());
    assert!(fs::read_dir(dropin.parent().unwrap()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with('.')));
    // Second run: nothing to do, nothing touched.
    assert_eq!(run(&["--root", root, "--check"]).code, 0);
    assert_eq!(run(&["--root", root, "--write"]).code, 0);
    assert_eq!(snapshot(t.path()), after_first);
    // Same input, same bytes: a fresh copy gives an identical drop-in and identical output.
    let t2 = tempfile::tempdir().unwrap();
    write(t2.path(), &format!("{SYS}/food.service"), DAEMON.as_bytes());
    let root2 = t2.path().to_str().unwrap();
    assert_eq!(run(&["--root", root2, "--write"]).code, 0);
    assert_eq!(
        fs::read(&dropin).unwrap(),
        fs::read(t2.path().join(format!("{SYS}/food.service.d/10-hardenunit.conf"))).unwrap()
    );
    let a = run(&["--root", root, "--format", "json"]).stdout.replace(root, "ROOT");
    let b = run(&["--root", root2, "--format", "json"]).stdout.replace(root2, "ROOT");
    assert_eq!(a, b);
}

#[test]
fn json_has_the_documented_fields() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON.as_bytes());
    let r = run(&["--root", t.path().to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let u = &v.as_array().unwrap()[0];
    assert_eq!(u["unit"], "food.service");
    assert!(u["exposure_before"].is_number() && u["exposure_after"].is_number());
    let added = u["added"].as_array().unwrap();
    assert!(added.iter().all(|a| a["directive"].is_string() && a["value"].is_string() && a["reason"].is_string()));
    assert!(u["skipped"].is_array() && u["files"].as_array().unwrap().len() == 1);
}

#[test]
fn never_writes_through_a_symlink_out_of_the_root() {
    let t = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    write(&root, &format!("{SYS}/food.service"), DAEMON.as_bytes());
    let target = write(outside.path(), "evil.service", DAEMON.as_bytes());
    symlink(&target, root.join(format!("{SYS}/abs.service"))).unwrap();
    symlink(
        "../../../../../../../../../..".to_owned() + target.to_str().unwrap(),
        root.join(format!("{SYS}/rel.service")),
    )
    .unwrap();
    symlink(outside.path(), root.join(format!("{SYS}/food2.service.d"))).unwrap();
    write(&root, &format!("{SYS}/food2.service"), DAEMON.as_bytes());
    symlink("/dev/null", root.join(format!("{SYS}/masked.service"))).unwrap();
    symlink("food.service", root.join(format!("{SYS}/alias.service"))).unwrap();
    let before_outside = snapshot(outside.path());
    let r = run(&["--root", root.to_str().unwrap(), "--write"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("abs.service") && r.stderr.contains("rel.service"), "{}", r.stderr);
    assert_eq!(snapshot(outside.path()), before_outside);
    // Without the escaping links the rest is written, still nothing outside.
    fs::remove_file(root.join(format!("{SYS}/abs.service"))).unwrap();
    fs::remove_file(root.join(format!("{SYS}/rel.service"))).unwrap();
    let r = run(&["--root", root.to_str().unwrap(), "--write"]);
    assert_eq!(r.code, 2, "food2's drop-in dir is a symlink out: {}", r.stderr);
    assert_eq!(snapshot(outside.path()), before_outside);
    fs::remove_file(root.join(format!("{SYS}/food2.service.d"))).unwrap();
    let r = run(&["--root", root.to_str().unwrap(), "--write"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("masked.service: masked"), "{}", r.stdout);
    assert!(!r.stdout.contains("alias.service:"), "aliases fold into their unit: {}", r.stdout);
    assert!(root.join(format!("{SYS}/food.service.d/10-hardenunit.conf")).is_file());
    assert_eq!(fs::read_link(root.join(format!("{SYS}/masked.service"))).unwrap(), Path::new("/dev/null"));
}

#[test]
fn in_place_mode_changes_only_its_block() {
    let t = tempfile::tempdir().unwrap();
    let text = "# header comment\n[Unit]\nDescription=d\n\n[Service]\n; a comment\nExecStart=/usr/sbin/food \\\n  --flag\n\n[Install]\nWantedBy=multi-user.target\n";
    let unit = write(t.path(), &format!("{SYS}/food.service"), text.as_bytes());
    let root = t.path().to_str().unwrap();
    assert_eq!(run(&["--root", root, "--write", "--mode", "in-place"]).code, 0);
    let new = fs::read_to_string(&unit).unwrap();
    let begin = new.find("# --- BEGIN hardenunit").unwrap();
    let end = new.find("# --- END hardenunit ---\n").unwrap() + "# --- END hardenunit ---\n".len();
    assert_eq!(format!("{}{}", &new[..begin], &new[end..]), text);
    assert_eq!(run(&["--root", root, "--check", "--mode", "in-place"]).code, 0);
}

#[test]
fn bad_policy_fails_with_file_and_line_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON.as_bytes());
    let pol = write(t.path(), "policy.toml", b"[directives]\nProtectSystem = \"sometimes\"\n");
    let before = snapshot(t.path());
    let r = run(&["--root", t.path().to_str().unwrap(), "--write", "--policy", pol.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&format!("{}:2:", pol.display())), "{}", r.stderr);
    assert_eq!(snapshot(t.path()), before);
}

#[test]
fn usage_errors_and_help() {
    assert_eq!(run(&[]).code, 2);
    assert_eq!(run(&["--bogus"]).code, 2);
    let h = run(&["--help"]);
    assert_eq!(h.code, 0);
    assert!(h.stdout.contains("Exit status") && h.stdout.contains("--root"));
    assert_eq!(run(&["--max-exposure", "11", "x.service"]).code, 2);
}

#[test]
fn max_exposure_and_exclude() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON.as_bytes());
    let root = t.path().to_str().unwrap();
    assert_eq!(run(&["--root", root, "--max-exposure", "0.0"]).code, 1);
    assert_eq!(run(&["--root", root, "--max-exposure", "10"]).code, 0);
    let r = run(&["--root", root, "--write", "-X", "food.service"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("excluded"));
    assert!(!t.path().join(format!("{SYS}/food.service.d")).exists());
}

#[test]
fn lint_reports_fixes_and_writes_only_with_write() {
    let t = tempfile::tempdir().unwrap();
    let text = "[Service]\nExecStart=/usr/bin/myserv\nPrivateTmp=yes   # Use dedicated /tmp\nReadOnlyDirectories=/\n";
    let unit = write(t.path(), &format!("{SYS}/myserv.service"), text.as_bytes());
    let root = t.path().to_str().unwrap();
    // 252 rejects the whole value: an error (systemd-analyze verify says "Failed to parse").
    let r = run(&["lint", "--systemd-version", "252", "--root", root]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("myserv.service:3: error: value-has-trailing-comment"), "{}", r.stdout);
    let j = run(&["lint", "--root", root, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["tag"] == "value-has-trailing-comment" && f["line"] == 3));
    let d = run(&["lint", "--fix", "--root", root]);
    assert!(d.stdout.contains("+PrivateTmp=yes"), "{}", d.stdout);
    assert_eq!(fs::read_to_string(&unit).unwrap(), text, "--fix without --write wrote");
    let w = run(&["lint", "--fix", "--write", "--root", root]);
    assert_eq!(w.code, 0, "{}{}", w.stdout, w.stderr);
    assert!(fs::read_to_string(&unit).unwrap().contains("# Use dedicated /tmp\nPrivateTmp=yes\n"));
    let summary = run(&["--root", root]);
    assert!(!summary.stdout.contains("value-has-trailing-comment"), "{}", summary.stdout);
}

#[test]
fn main_summary_and_diff_show_lint_findings() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/myserv.service"), b"[Service]\nExecStart=/usr/bin/myserv\nPrivateTmp=yes # tmp\n");
    let root = t.path().to_str().unwrap();
    let r = run(&["--root", root, "--diff", "--systemd-version", "252"]);
    assert!(r.stdout.contains("! ") && r.stdout.contains("value-has-trailing-comment"), "{}", r.stdout);
    assert!(r.stdout.contains("+PrivateTmp=yes"), "an ignored value counts as not set: {}", r.stdout);
}

// Where the target systemd comes from: the policy layers only. A build machine's own systemd
// (or its absence) changes nothing, unless a layer says `systemd_version = "host"`, and then
// the log says so. The manual pages and completions come from the same definitions as --help.

const TESTD_UNIT: &str = "[Unit]\nDescription=test daemon\n\n[Service]\nExecStart=/usr/sbin/testd\n";

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
    fs::write(&unit, TESTD_UNIT).unwrap();
    dir.to_owned()
}

fn dropin(root: &Path) -> String {
    fs::read_to_string(root.join("usr/lib/systemd/system/testd.service.d/10-hardenunit.conf")).unwrap()
}

/// What the summary's header, or else one line on stderr, says when no layer names a release.
const BUILTIN_DEFAULT: &str = "target systemd 257 (built-in default; no policy layer sets systemd_version)";

#[test]
fn the_build_machine_systemd_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (fake, empty) = fake_paths(tmp.path(), 262);
    let with_262 = root_with_unit(&tmp.path().join("a"));
    let without = root_with_unit(&tmp.path().join("b"));

    let a = run_env(&["--write", "--root", with_262.to_str().unwrap()], &[("PATH", &fake)]);
    let b = run_env(&["--write", "--root", without.to_str().unwrap()], &[("PATH", &empty)]);
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    assert_eq!(dropin(&with_262), dropin(&without));
    assert!(dropin(&without).contains("for systemd 257)"), "{}", dropin(&without));
    assert!(a.stdout.lines().next().unwrap().ends_with(BUILTIN_DEFAULT), "{}", a.stdout);
    assert_eq!(
        a.stdout.replace(with_262.to_str().unwrap(), "ROOT"),
        b.stdout.replace(without.to_str().unwrap(), "ROOT")
    );
    assert!(!a.stderr.contains("systemctl"), "{}", a.stderr);
}

#[test]
fn output_without_a_summary_says_once_that_the_built_in_default_chose() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root_with_unit(&tmp.path().join("r"));
    let root = root.to_str().unwrap();
    let named = tmp.path().join("named.toml");
    fs::write(&named, "systemd_version = 252\n").unwrap();
    let named = named.to_str().unwrap();
    for args in [vec!["score", "--root", root], vec!["lint", "--root", root], vec!["--format", "json", "--root", root]]
    {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr, format!("hardenunit: {BUILTIN_DEFAULT}\n"), "{args:?}");
        assert!(!r.stdout.contains("built-in default"), "{args:?}: stdout stays data: {}", r.stdout);
        for chosen in [&["--systemd-version", "257"][..], &["--policy", named][..]] {
            let r = run(&[&args[..], chosen].concat());
            assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{args:?} {chosen:?}");
        }
    }
    let summary = run(&["--root", root, "--policy", named]);
    assert!(
        summary.stdout.lines().next().unwrap().ends_with(&format!("target systemd 252 ({named})")),
        "{}",
        summary.stdout
    );
    assert!(!summary.stderr.contains("built-in"), "{}", summary.stderr);
}

#[test]
fn host_is_detected_only_when_a_layer_asks_and_the_log_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (fake, empty) = fake_paths(tmp.path(), 257);
    let policy = tmp.path().join("host.toml");
    fs::write(&policy, "# follow the build machine\nsystemd_version = \"host\"\n").unwrap();
    let root = root_with_unit(&tmp.path().join("r"));
    let args = ["--write", "--root", root.to_str().unwrap(), "--policy", policy.to_str().unwrap()];

    let detected = run_env(&args, &[("PATH", &fake)]);
    assert_eq!(detected.code, 0, "{}", detected.stderr);
    assert!(
        detected.stderr.contains("systemd 257 (detected with systemctl --version")
            && detected.stderr.contains(policy.to_str().unwrap()),
        "{}",
        detected.stderr
    );
    assert!(dropin(&root).contains("systemd 257"), "{}", dropin(&root));

    let missing = run_env(&args, &[("PATH", &empty)]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains(policy.to_str().unwrap()) && missing.stderr.contains("\"host\""),
        "{}",
        missing.stderr
    );

    let pinned = run_env(&[&args[..], &["--systemd-version", "250"]].concat(), &[("PATH", &empty)]);
    assert_eq!(pinned.code, 0, "--systemd-version wins over \"host\" without asking systemctl: {}", pinned.stderr);
}

#[test]
fn pages_and_completions_follow_the_help() {
    let tmp = tempfile::tempdir().unwrap();
    let (man, completions) = (tmp.path().join("man"), tmp.path().join("completions"));
    let out = run(&["generate-docs", "--man", man.to_str().unwrap(), "--completions", completions.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let page = fs::read_to_string(man.join("hardenunit.1")).unwrap();
    let help = run(&["--help"]).stdout;
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
