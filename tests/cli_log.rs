//! The log and the command line as a maintainer reads them: one line per unit, its skips, its
//! diff once; user units marked; options a command would ignore refused; policy sections that
//! apply to nothing named with file and line; errors alone on a failed run.
//! Exposures and version gating hold for any default target: each run names its systemd.

use std::fs;

mod common;

use common::{hardenunit as run, write};

const SYS: &str = "lib/systemd/system";
const USER: &str = "usr/lib/systemd/user";
/// A daemon whose unit keeps PrivateTmp=no: one skip with a reason, the rest added.
const DAEMON: &str = "[Unit]\nDescription=d\n\n[Service]\nExecStart=/usr/sbin/food\nPrivateTmp=no\n\n[Install]\nWantedBy=multi-user.target\n";
const V: [&str; 2] = ["--systemd-version", "252"];

fn json(args: &[&str]) -> serde_json::Value {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", r.stdout))
}

fn lines_starting<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn the_log_has_one_line_per_unit_its_skips_and_the_diff_once() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON);
    let root = t.path().to_str().unwrap();
    let plan = json(&[&["--root", root, "--format", "json"][..], &V].concat());
    let unit = &plan[0];
    let (added, skipped) = (unit["added"].as_array().unwrap(), unit["skipped"].as_array().unwrap());
    assert!(added.len() > 5 && !skipped.is_empty(), "{unit}");
    let dropin = format!("{root}/{SYS}/food.service.d/10-hardenunit.conf");
    let log = run(&[&["--root", root, "--diff"][..], &V].concat());
    assert_eq!(log.code, 0, "{}", log.stderr);
    let text = &log.stdout;
    let unit_lines = lines_starting(text, "food.service");
    assert_eq!(unit_lines.len(), 1, "{text}");
    let line = unit_lines[0];
    let (before, after) = (unit["exposure_before"].as_f64().unwrap(), unit["exposure_after"].as_f64().unwrap());
    assert!(line.starts_with(&format!("food.service: exposure {before:.1} ")), "{line}");
    assert!(line.contains(&format!(" -> {after:.1} ")), "{line}");
    let tail = format!(", {} added, {} skipped, in {root}/{SYS}/food.service", added.len(), skipped.len());
    assert!(line.ends_with(&tail), "{line}\nwant the end {tail}");
    for k in skipped {
        let line = format!("  - {} skipped: {}", k["directive"].as_str().unwrap(), k["reason"].as_str().unwrap());
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert_eq!(lines_starting(text, "+++ ").len(), 1, "{text}");
    assert_eq!(lines_starting(text, &format!("+++ {dropin}")).len(), 1, "{text}");
    // Each added setting once (in the diff), never a second time in a table with its reason.
    for a in added {
        let setting = format!("{}={}", a["directive"].as_str().unwrap(), a["value"].as_str().unwrap());
        assert_eq!(text.lines().filter(|l| l.contains(&setting)).count(), 1, "{setting} in\n{text}");
        assert_eq!(text.lines().filter(|l| l.trim_start().starts_with(&format!("+{setting}"))).count(), 1);
    }
    assert!(!text.contains("baseline profile"), "{text}");
    // --verbose: the full table, every directive with its reason, and still the diff once.
    let verbose = run(&[&["--root", root, "--diff", "--verbose"][..], &V].concat()).stdout;
    for a in added {
        let setting = format!("  + {}={}", a["directive"].as_str().unwrap(), a["value"].as_str().unwrap());
        let reason = a["reason"].as_str().unwrap();
        assert!(verbose.lines().any(|l| l.starts_with(&setting) && l.ends_with(reason)), "{setting} in\n{verbose}");
    }
    assert_eq!(lines_starting(&verbose, "+++ ").len(), 1, "{verbose}");
    assert_eq!(
        run(&[&["--root", root, "-v"][..], &V].concat()).stdout,
        run(&[&["--root", root, "--verbose"][..], &V].concat()).stdout
    );

    // Without --diff: the settings once each, without reasons, and the file to write.
    let summary = run(&[&["--root", root][..], &V].concat()).stdout;
    for a in added {
        let setting = format!("  + {}={}", a["directive"].as_str().unwrap(), a["value"].as_str().unwrap());
        assert!(summary.lines().any(|l| l == setting), "{setting} in\n{summary}");
    }
    assert!(summary.lines().any(|l| l == format!("  to create: {dropin}")), "{summary}");
    assert!(!summary.contains("+++ ") && !summary.contains("baseline profile"), "{summary}");
}

#[test]
fn a_user_unit_is_marked_where_a_system_unit_has_its_name() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON);
    write(t.path(), &format!("{USER}/food.service"), DAEMON);
    write(t.path(), &format!("{USER}/gone.service"), "");
    let root = t.path().to_str().unwrap();
    for args in [vec!["--root", root], vec!["--root", root, "--diff"], vec!["--root", root, "--verbose"]] {
        let text = run(&[&args[..], &V].concat()).stdout;
        assert_eq!(lines_starting(&text, "food.service: exposure").len(), 1, "{args:?}\n{text}");
        let user = lines_starting(&text, "food.service (user): exposure");
        assert_eq!(user.len(), 1, "{args:?}\n{text}");
        assert!(user[0].ends_with(&format!("in {root}/{USER}/food.service")), "{}", user[0]);
        assert!(
            text.contains(&format!(
                "gone.service (user): masked (linked to /dev/null), left alone, in {root}/{USER}/gone.service"
            )),
            "{text}"
        );
    }
    let plan = json(&[&["--root", root, "--format", "json"][..], &V].concat());
    let scopes: Vec<(&str, &str)> =
        plan.as_array().unwrap().iter().map(|u| (u["unit"].as_str().unwrap(), u["scope"].as_str().unwrap())).collect();
    assert_eq!(scopes, [("food.service", "user"), ("gone.service", "user"), ("food.service", "system")]);
    let scored = json(&[&["score", "--format", "json", "--root", root][..], &V].concat());
    let scopes: Vec<&str> = scored.as_array().unwrap().iter().map(|u| u["scope"].as_str().unwrap()).collect();
    assert_eq!(scopes, ["system", "user"]);
    let user_unit = format!("{root}/{USER}/food.service");
    let explained = run(&[&["explain", "--root", root, &user_unit][..], &V].concat());
    assert!(explained.stdout.starts_with("food.service (user) ("), "{}", explained.stdout);
    // --max-exposure names the unit as the log does.
    let too_high = run(&[&["--root", root, "--max-exposure", "0.0"][..], &V].concat());
    assert_eq!(too_high.code, 1);
    assert!(
        too_high.stderr.contains("hardenunit: food.service (user): exposure after hardening"),
        "{}",
        too_high.stderr
    );
}

#[test]
fn options_a_command_would_ignore_are_refused() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("{SYS}/food.service"), DAEMON);
    let root = t.path().to_str().unwrap();
    let unit = format!("{root}/{SYS}/food.service");
    // (arguments, what the message must say)
    let refused: Vec<(Vec<&str>, &str)> = vec![
        (vec!["score", "--policy", "/nonexistent.toml", "--root", root], "/nonexistent.toml: cannot read policy"),
        (vec!["policy", "--policy", "/nonexistent.toml"], "/nonexistent.toml: cannot read policy"),
        (vec!["lint", "--policy", "/nonexistent.toml", &unit], "/nonexistent.toml: cannot read policy"),
        (vec!["explain", "--policy", "/nonexistent.toml", &unit], "/nonexistent.toml: cannot read policy"),
        (vec!["policy", "--root", "/nonexistent"], "unexpected argument '--root'"),
        (vec!["policy", "--root", root], "unexpected argument '--root'"),
        (vec!["score", "--profile", "strict", &unit], "unexpected argument '--profile'"),
        (vec!["lint", "--profile", "strict", &unit], "unexpected argument '--profile'"),
        (vec!["--diff", "--format", "json", &unit], "--diff prints diffs, which --format json does not carry"),
        (vec!["lint", "--fix", "--format", "json", &unit], "--format json does not carry"),
        (vec!["score", "--json", "--format", "text", &unit], "cannot be used with"),
        (vec!["score", "--threshold", "101", &unit], "neither tenths from 0 to 100"),
        (vec!["score", "--threshold", "10.5", &unit], "not between 0.0 and 10.0"),
        (vec!["score", "--threshold", "-1", &unit], "'-1'"),
    ];
    for (args, needle) in &refused {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?} was accepted: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // What each command keeps works.
    let strict = run(&["policy", "--profile", "strict", "--no-system-policy"]);
    assert_eq!(strict.code, 0, "{}", strict.stderr);
    assert!(strict.stdout.contains("profile = \"strict\""), "{}", strict.stdout);
    let explained = run(&[&["explain", "--profile", "strict", "--root", root, "food.service"][..], &V].concat());
    assert!(explained.code == 0 && explained.stdout.contains("profile strict"), "{}", explained.stderr);
    assert_eq!(run(&[&["lint", "--fix", "--write", "--format", "json", &unit][..], &V].concat()).code, 0);
}

#[test]
fn a_policy_section_for_no_unit_is_a_warning_with_a_suggestion_and_an_error_under_check() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("root/{SYS}/webd.service"), DAEMON);
    write(t.path(), &format!("root/{SYS}/other.service"), DAEMON);
    let policy = write(
        t.path(),
        "p.toml",
        "# the package's policy\n\n[unit.\"wbd.service\"]\nskip = [\"ProtectHome\"]\n\n[unit.\"webd.service\"]\nskip = [\"ProtectClock\"]\n",
    );
    let (root, policy) = (t.path().join("root"), policy.to_str().unwrap().to_owned());
    let root = root.to_str().unwrap();
    let want = format!(
        "hardenunit: warning: {policy}:3: [unit.\"wbd.service\"] applies to no service in {root} (did you mean webd.service?)"
    );
    let build = run(&[&["--root", root, "--policy", &policy, "--write"][..], &V].concat());
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(build.stderr.lines().collect::<Vec<_>>(), [want.as_str()], "{}", build.stderr);
    assert!(t.path().join(format!("root/{SYS}/webd.service.d/10-hardenunit.conf")).is_file());
    let check = run(&[&["--root", root, "--policy", &policy, "--check"][..], &V].concat());
    assert_eq!(check.code, 2, "{}", check.stderr);
    assert!(check.stderr.contains(&want.replace("warning: ", "")), "{}", check.stderr);
    // Named units: a section for another unit that exists is no typo.
    let fine = write(t.path(), "fine.toml", "[unit.\"other.service\"]\nskip = [\"ProtectHome\"]\n");
    let named = run(&[&["--root", root, "--policy", fine.to_str().unwrap(), "webd.service"][..], &V].concat());
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert!(named.stderr.is_empty(), "{}", named.stderr);
    let typo = run(&[&["--root", root, "--policy", &policy, "webd.service"][..], &V].concat());
    assert!(typo.stderr.contains(&format!("{policy}:3: [unit.\"wbd.service\"]")), "{}", typo.stderr);
}

#[test]
fn a_missing_root_gives_the_error_alone() {
    for args in [
        vec!["--root", "/nonexistent"],
        vec!["--root", "/nonexistent", "--diff"],
        vec!["--root", "/nonexistent", "--format", "json"],
        vec!["--root", "/nonexistent", "--write"],
        vec!["score", "--root", "/nonexistent"],
        vec!["lint", "--root", "/nonexistent"],
        vec!["explain", "--root", "/nonexistent", "foo.service"],
    ] {
        let r = run(&[&args[..], &V].concat());
        assert_eq!(r.code, 2, "{args:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("hardenunit: /nonexistent: "), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn help_ends_with_a_newline_everywhere() {
    let mut calls: Vec<Vec<&str>> = vec![vec!["help"], vec!["help", "score"]];
    for cmd in ["", "score", "policy", "lint", "explain"] {
        for flag in ["-h", "--help"] {
            calls.push([cmd, flag].into_iter().filter(|a| !a.is_empty()).collect());
        }
    }
    for args in calls {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}");
        let end = &r.stdout[r.stdout.len().saturating_sub(20)..];
        assert!(r.stdout.ends_with('\n') && !r.stdout.ends_with("\n\n"), "{args:?}: {end:?}");
    }
    let help = run(&["score", "--help"]).stdout;
    assert!(help.contains("5 is 0.5, 50 is 5.0"), "--threshold explains how a value is read: {help}");
}

#[test]
fn threshold_takes_tenths_and_the_tables_scale() {
    let t = tempfile::tempdir().unwrap();
    let unit = write(t.path(), &format!("{SYS}/food.service"), DAEMON);
    let unit = unit.to_str().unwrap();
    let scored = json(&[&["score", "--json", unit][..], &V].concat());
    let tenths = (scored[0]["exposure"].as_f64().unwrap() * 10.0).round() as u32;
    assert!(tenths > 0);
    for (value, code) in [
        (format!("{tenths}"), 0),
        (format!("{}", tenths - 1), 1),
        (format!("{}.{}", tenths / 10, tenths % 10), 0),
        (format!("{}.{}", (tenths - 1) / 10, (tenths - 1) % 10), 1),
    ] {
        let r = run(&[&["score", "--threshold", &value, unit][..], &V].concat());
        assert_eq!(r.code, code, "--threshold {value} against {tenths} tenths");
    }
    // `5` is 0.5 as systemd-analyze counts, `5.0` is 5.0.
    assert_eq!(run(&[&["score", "--threshold", "5", unit][..], &V].concat()).code, 1);
    assert_eq!(run(&[&["score", "--threshold", "10.0", unit][..], &V].concat()).code, 0);
    // --json is --format json, byte for byte.
    let a = run(&[&["score", "--json", unit][..], &V].concat()).stdout;
    let b = run(&[&["score", "--format", "json", unit][..], &V].concat()).stdout;
    assert_eq!(a, b);
}

#[test]
fn the_comment_above_a_directive_matches_the_value_written() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &format!("root/{SYS}/allow.service"), DAEMON);
    write(t.path(), &format!("root/{SYS}/deny.service"), DAEMON);
    let policy = write(
        t.path(),
        "p.toml",
        "[unit.\"allow.service\"]\nset = { SystemCallFilter = \"@system-service\", ProtectHome = \"read-only\" }\n\n\
         [unit.\"deny.service\"]\nset = { SystemCallFilter = \"~@reboot @swap\", RestrictAddressFamilies = \"~AF_PACKET\" }\n",
    );
    let root = t.path().join("root");
    let r =
        run(&[&["--root", root.to_str().unwrap(), "--policy", policy.to_str().unwrap(), "--write"][..], &V].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let comment_of = |unit: &str, key: &str| {
        let text = fs::read_to_string(root.join(format!("{SYS}/{unit}.d/10-hardenunit.conf"))).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let i = lines.iter().position(|l| l.starts_with(&format!("{key}="))).unwrap_or_else(|| panic!("{key}: {text}"));
        format!("{}\n{}", lines[i - 1], lines[i])
    };
    assert_eq!(
        comment_of("allow.service", "SystemCallFilter"),
        "# Allow only the system calls a typical service uses\nSystemCallFilter=@system-service"
    );
    assert_eq!(
        comment_of("allow.service", "ProtectHome"),
        "# Make /home, /root and /run/user read-only for the service\nProtectHome=read-only"
    );
    assert_eq!(
        comment_of("deny.service", "SystemCallFilter"),
        "# Forbid these system calls\nSystemCallFilter=~@reboot @swap"
    );
    assert_eq!(
        comment_of("deny.service", "RestrictAddressFamilies"),
        "# Forbid these socket address families\nRestrictAddressFamilies=~AF_PACKET"
    );
}
