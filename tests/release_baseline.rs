//! The default baseline of each supported release, judged by that release's own systemd
//! (tests/common/releases.rs): the values a newer release makes stronger (PrivateTmp=disconnected,
//! ProtectControlGroups=strict, proven in the boot lab on trixie and sid) are written for 257
//! and 262 and never for 252; that release's `systemd-analyze verify` accepts the drop-in, and
//! its `systemd-analyze security --offline=true` gives the exposure hardenunit predicted.

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

#[test]
fn each_release_gets_its_own_values_and_its_own_exposure() {
    let releases = ReleaseOracle::all();
    assert!(!releases.is_empty(), "no release's systemd-analyze runs here");
    for release in releases {
        let work = tempfile::tempdir().unwrap();
        let tree = work.path().join("pkg");
        write(&tree, "lib/systemd/system/plaind.service", UNIT);
        let staged = release.stage(&tree);
        let version = release.version.to_string();
        let root = staged.to_str().unwrap();
        let run = hardenunit(&["--write", "--format", "json", "--systemd-version", &version, "--root", root]);
        assert_eq!(run.code, 0, "systemd {version}: {}", run.stderr);
        let plans: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let predicted = format!("{:.1}", plans[0]["exposure_after"].as_f64().expect("exposure_after"));

        let dropin =
            std::fs::read_to_string(staged.join("lib/systemd/system/plaind.service.d/10-hardenunit.conf")).unwrap();
        for want in expected(release.version) {
            assert!(dropin.lines().any(|l| l == want), "systemd {version}: no {want} in\n{dropin}");
        }

        let unit = staged.join("lib/systemd/system/plaind.service");
        let out = release.analyze(&["security", "--offline=true", "--no-pager"], &unit).output().unwrap();
        let theirs = exposure_line(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(theirs.as_deref(), Some(predicted.as_str()), "systemd {version} ({})", release.suite);

        let out = release.analyze(&["verify"], &unit).output().unwrap();
        let complaints = String::from_utf8_lossy(&out.stderr);
        let about_dropin: Vec<&str> = complaints.lines().filter(|l| l.contains("10-hardenunit.conf")).collect();
        assert!(about_dropin.is_empty(), "systemd {version} ({}) verify: {about_dropin:?}", release.suite);
    }
}
