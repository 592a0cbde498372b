use super::*;
use crate::policy::Overrides;
use crate::unit::Loader;

/// `never_weaken` of a plan that adds `added` to a unit of `text`, targeting systemd 252: the
/// plan as it is left, and the scores before and after it.
fn weakened(text: &str, added: &[(&str, &str)]) -> (Plan, score::Assessment, score::Assessment) {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("lib/systemd/system/food.service");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let policy = Policy::load(None, &[], &Overrides::default()).unwrap();
    let req = Request {
        root: Some(t.path().to_owned()),
        units: vec![],
        exclude: vec![],
        policy,
        systemd_version: 252,
        no_evidence: true,
    };
    let loader = Loader::new(Some(t.path())).unwrap();
    let LoadOutcome::Unit(unit) = loader.load("food.service").unwrap() else { panic!("masked") };
    let base = unit.assignments();
    let before = score::assess(252, "food.service", &base);
    let output = OwnOutput::locate(&unit, &req.policy).unwrap();
    let added = added.iter().map(|(d, v)| plan::Added {
        directive: (*d).to_owned(),
        value: (*v).to_owned(),
        reason: String::new(),
    });
    let mut plan = Plan { added: added.collect(), ..Plan::default() };
    let (_, after) = never_weaken(&mut plan, &output, &unit.fragments, &base, &before, "food.service", &req).unwrap();
    (plan, before, after)
}

fn badness(a: &score::Assessment, field: &str) -> Option<u32> {
    a.rows.iter().find(|r| r.json_field == field).and_then(|r| r.badness)
}

fn kept(p: &Plan, key: &str) -> bool {
    p.added.iter().any(|a| a.directive == key)
}

const UNIT: &str = "[Service]\nExecStart=/usr/sbin/food\n";

/// ProtectClock='s `char-rtc r` worsens the DeviceAllow row (0 -> 5 of 10), harmlessly where
/// PrivateDevices=yes is on after the plan, whether the unit's own or added; the exposure falls.
#[test]
fn protect_clock_stays_beside_private_devices() {
    for (text, added) in [
        (format!("{UNIT}PrivateDevices=yes\n"), vec![("ProtectClock", "yes")]),
        (format!("{UNIT}DevicePolicy=closed\n"), vec![("PrivateDevices", "yes"), ("ProtectClock", "yes")]),
    ] {
        let (plan, before, after) = weakened(&text, &added);
        assert!(kept(&plan, "ProtectClock"), "{text}: {:?}", plan.skipped);
        assert_eq!((badness(&before, "DeviceAllow"), badness(&after, "DeviceAllow")), (Some(0), Some(5)), "{text}");
        assert_eq!(badness(&after, "ProtectClock"), Some(0), "{text}");
        assert!(after.exposure < before.exposure, "{text}: {} -> {}", before.exposure, after.exposure);
    }
}

/// Without PrivateDevices=, a closed device policy gives the service the rtc ProtectClock=
/// allows: that worsening still drops it.
#[test]
fn protect_clock_goes_beside_a_closed_device_policy_alone() {
    for text in [format!("{UNIT}DevicePolicy=closed\n"), format!("{UNIT}DevicePolicy=closed\nPrivateDevices=no\n")] {
        let (plan, before, after) = weakened(&text, &[("ProtectClock", "yes")]);
        assert!(!kept(&plan, "ProtectClock"), "{text}");
        let why = plan.skipped.iter().find(|s| s.directive == "ProtectClock").map(|s| s.reason.as_str());
        assert_eq!(why, Some("would make DeviceAllow worse"), "{text}");
        assert_eq!(after, before, "{text}");
    }
}
