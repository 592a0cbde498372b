//! The default baseline of each supported release, judged by that release's own systemd
//! (tests/common/releases.rs): the values a newer release makes stronger (PrivateTmp=disconnected,
//! ProtectControlGroups=strict, proven in the boot lab on trixie and sid) are written for 257
//! and 262 and never for 252, and under strict PrivateUsers=yes only to a service that starts
//! as its own user; that release's `systemd-analyze verify` accepts the drop-in, and its
//! `systemd-analyze security --offline=true` gives the exposure hardenunit predicted.

mod common;

use common::{hardenunit, write};
#[path = "common/releases.rs"]
#[allow(dead_code)]
mod releases;
use releases::ReleaseOracle;

const UNIT: &str = "[Unit]\nDescription=a plain daemon\n\n[Service]\nExecStart=/bin/sleep infinity\n\n\
                    [Install]\nWantedBy=multi-user.target\n";

/// The release's own values for the settings whose value depends on the target.
fn expected(version: u32) -> [&'static str; 2] {
    match version {
        ..=256 => ["PrivateTmp=yes", "ProtectControlGroups=yes"],
        _ => ["PrivateTmp=disconnected", "ProtectControlGroups=strict"],
    }
}

fn exposure_line(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains("Overall exposure level for"))?;
    Some(line.split(": ").nth(1)?.split_whitespace().next()?.to_owned())
}

/// Hardens `unit` (`name` in a package's tree) for `release` and checks it against that
/// release's own systemd-analyze: `security --offline=true` gives the exposure hardenunit
/// predicted and `verify` has nothing to say about the drop-in, which is returned.
fn judged_by(release: &ReleaseOracle, name: &str, unit: &str, profile: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    // Named after the unit: a release stages each tree name once.
    let tree = work.path().join(format!("pkg-{name}"));
    write(&tree, &format!("lib/systemd/system/{name}"), unit);
    let staged = release.stage(&tree);
    let version = release.version.to_string();
    let root = staged.to_str().unwrap();
    let run = hardenunit(&[
        "--write",
        "--format",
        "json",
        "--profile",
        profile,
        "--systemd-version",
        &version,
        "--root",
        root,
    ]);
    assert_eq!(run.code, 0, "systemd {version}: {}", run.stderr);
    let plans: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let predicted = format!("{:.1}", plans[0]["exposure_after"].as_f64().expect("exposure_after"));

    let dropin =
        std::fs::read_to_string(staged.join(format!("lib/systemd/system/{name}.d/10-hardenunit.conf"))).unwrap();
    let unit = staged.join(format!("lib/systemd/system/{name}"));
    let out = release.analyze(&["security", "--offline=true", "--no-pager"], &unit).output().unwrap();
    let theirs = exposure_line(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(theirs.as_deref(), Some(predicted.as_str()), "systemd {version} ({})", release.suite);

    let out = release.analyze(&["verify"], &unit).output().unwrap();
    let complaints = String::from_utf8_lossy(&out.stderr);
    let about_dropin: Vec<&str> = complaints.lines().filter(|l| l.contains("10-hardenunit.conf")).collect();
    assert!(about_dropin.is_empty(), "systemd {version} ({}) verify: {about_dropin:?}", release.suite);
    dropin
}

#[test]
fn each_release_gets_its_own_values_and_its_own_exposure() {
    let releases = ReleaseOracle::all();
    assert!(!releases.is_empty(), "no release's systemd-analyze runs here");
    for release in releases {
        let dropin = judged_by(&release, "plaind.service", UNIT, "baseline");
        for want in expected(release.version) {
            assert!(dropin.lines().any(|l| l == want), "systemd {}: no {want} in\n{dropin}", release.version);
        }
        // Not in the baseline: without user namespaces the service would not start.
        assert!(!dropin.contains("PrivateUsers="), "systemd {}:\n{dropin}", release.version);
    }
}

/// Under strict, a service whose every process starts as its own user, without a capability,
/// runs in a user namespace: `yes` is a boolean to 252 and `self` to 257 and 262, and each
/// one's systemd-analyze counts it. One started as root keeps the host's users.
#[test]
fn strict_gives_a_user_namespace_only_to_a_service_that_starts_unprivileged_on_each_release() {
    let unit = UNIT.replace("[Service]\n", "[Service]\nUser=daemon\n");
    for release in ReleaseOracle::all() {
        let dropin = judged_by(&release, "userd.service", &unit, "strict");
        assert!(dropin.lines().any(|l| l == "PrivateUsers=yes"), "systemd {}:\n{dropin}", release.version);
        let dropin = judged_by(&release, "plaind.service", UNIT, "strict");
        assert!(!dropin.contains("PrivateUsers="), "systemd {}:\n{dropin}", release.version);
    }
}
