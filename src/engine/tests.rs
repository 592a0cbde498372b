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
        full_evidence: false,
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

/// The paths an installed package declares its service writes are read only where a plan
/// can use them (ProtectSystem=strict) or all evidence is asked for (explain): the baseline
/// plans ProtectSystem=full, and reading them took a read of every dpkg file list.
#[test]
fn declared_paths_are_read_where_strict_or_explain_asks() {
    let t = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = t.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("usr/lib/systemd/system/food.service", UNIT);
    write("var/lib/dpkg/info/food.list", "/.\n/usr/lib/systemd/system/food.service\n/var/lib/fooland\n");
    write("var/lib/dpkg/status", "Package: food\nStatus: install ok installed\n\n");
    let run_with = |profile: Option<&str>, full_evidence: bool| {
        let overrides = Overrides { profile: profile.map(str::to_owned), ..Overrides::default() };
        let policy = Policy::load(None, &[], &overrides).unwrap();
        let req = Request {
            root: Some(t.path().to_owned()),
            units: vec!["food.service".into()],
            exclude: vec![],
            policy,
            systemd_version: 257,
            no_evidence: false,
            full_evidence,
        };
        let mut outcome = run(&req);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        outcome.units.remove(0)
    };
    let declared =
        |u: &UnitReport| u.gathered.as_ref().unwrap().writable.iter().map(|w| w.0.clone()).collect::<Vec<_>>();
    let fooland = "-/var/lib/fooland".to_owned();
    assert_eq!(declared(&run_with(None, false)), Vec::<String>::new());
    assert!(declared(&run_with(None, true)).contains(&fooland));
    let strict = run_with(Some("strict"), false);
    assert!(declared(&strict).contains(&fooland));
    let paths = strict.plan.added.iter().find(|a| a.directive == "ReadWritePaths").map(|a| a.value.clone());
    assert!(paths.is_some_and(|p| p.split(' ').any(|w| w == fooland)), "{:?}", strict.plan.added);
}
