use super::*;
use std::io::Write;

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn load(texts: &[&str], o: &Overrides) -> Result<Policy, LoadError> {
    let files: Vec<_> = texts.iter().map(|t| file(t)).collect();
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path().to_owned()).collect();
    Policy::load(None, &paths, o)
}

fn value<'a>(p: &'a Policy, k: &str) -> Option<&'a str> {
    p.directives.iter().find(|(d, _)| d == k).map(|(_, v)| v[0].as_str())
}

#[test]
fn builtin_baseline_is_valid_and_ordered_by_the_table() {
    let p = load(&[], &Overrides::default()).unwrap();
    assert_eq!(p.profile, "baseline");
    assert_eq!(value(&p, "ProtectSystem"), Some("full"));
    let order: Vec<usize> = p.directives.iter().map(|(k, _)| directives::order(k)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
}

/// The built-in layer is not judged when it is read (see [`values::Judge`]): every value of
/// every profile in it is judged here, as a file layer's would be.
#[test]
fn every_builtin_value_passes_the_checks_of_a_file_layer() {
    let table: toml::Table = toml::from_str(BUILTIN).unwrap();
    let profiles = table["profiles"].as_table().unwrap();
    let mut judged = 0;
    for (profile, body) in profiles {
        for (key, value) in body["directives"].as_table().unwrap() {
            let checked = normalize_value(key, value, values::Judge::Values);
            assert_eq!(checked, normalize_value(key, value, values::Judge::BuiltIn), "{profile}: {key}");
            assert!(checked.is_ok(), "{profile}: {key} = {value}: {checked:?}");
            judged += 1;
        }
    }
    assert!(profiles.contains_key("baseline") && profiles.contains_key("strict") && judged > 20);
    // What the file layers' judging catches and the built-in layer's reading does not.
    let typo = toml::Value::String("ful".into());
    assert!(normalize_value("ProtectSystem", &typo, values::Judge::Values).is_err());
    assert!(normalize_value("ProtectSystem", &typo, values::Judge::BuiltIn).is_ok());
}

#[test]
fn strict_inherits_baseline_and_overrides() {
    let p = load(&[], &Overrides { profile: Some("strict".into()), ..Default::default() }).unwrap();
    assert_eq!(value(&p, "ProtectSystem"), Some("strict"));
    assert_eq!(value(&p, "PrivateTmp"), Some("disconnected"));
}

#[test]
fn later_layers_win_and_false_drops() {
    let p = load(
        &["[directives]\nPrivateDevices = false\nProtectHome = \"read-only\"\n", "[directives]\nProtectHome = true\n"],
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(value(&p, "PrivateDevices"), None);
    assert_eq!(value(&p, "ProtectHome"), Some("yes"));
    assert_eq!(p.layers.len(), 3);
}

#[test]
fn unit_sections() {
    let p = load(
        &["[unit.\"foo.service\"]\nskip = [\"ProtectHome\"]\nset = { ProtectSystem = \"strict\", PrivateTmp = false }\nread_write_paths = [\"/var/lib/foo\"]\n"],
        &Overrides::default(),
    )
    .unwrap();
    let u = p.unit("foo.service").unwrap();
    assert!(u.skip.contains("ProtectHome") && u.skip.contains("PrivateTmp"));
    assert_eq!(u.set.get("ProtectSystem").map(String::as_str), Some("strict"));
    assert_eq!(u.read_write_paths, vec!["/var/lib/foo"]);
}

#[test]
fn errors_name_file_line_and_key() {
    let cases = [
        (
            "profile = \"baseline\"\n\n[directives]\nProtectKernelTunable = true\n",
            4,
            "did you mean ProtectKernelTunables",
        ),
        ("[directives]\nProtectSystem = \"sometimes\"\n", 2, "ProtectSystem"),
        ("mode = \"dropin\"\nbogus = 1\n", 2, "bogus"),
        ("[unit.\"foo\"]\nignore = true\n", 1, "not a unit name"),
        ("systemd_version = 52\n", 1, "systemd_version"),
        ("\nsystemd_version = \"257\"\n", 2, "nor \"host\""),
        ("[directives\n", 1, "invalid policy"),
        ("[unit.\"a.service\"]\nread_write_paths = [\"var/lib\"]\n", 2, "not absolute"),
        // A list of values: each checked, newest release first, only where a profile chooses.
        ("[directives]\nPrivateTmp = [\"yes\", \"disconnected\"]\n", 2, "newest release first"),
        ("[directives]\nPrivateTmp = [\"disconnectd\", \"yes\"]\n", 2, "disconnectd"),
        ("[directives]\nPrivateTmp = []\n", 2, "empty list"),
        ("[directives]\nPrivateTmp = [\"disconnected\", false]\n", 2, "false cannot be"),
        ("[unit.\"a.service\"]\nset = { PrivateTmp = [\"disconnected\", \"yes\"] }\n", 2, "not a list"),
    ];
    for (text, line, needle) in cases {
        let f = file(text);
        let e = Policy::load(None, &[f.path().to_owned()], &Overrides::default()).unwrap_err();
        assert_eq!(e.path, f.path(), "{text}");
        assert_eq!(e.line, Some(line), "{text}: {e}");
        assert!(e.to_string().contains(needle), "{text}: {e}");
    }
}

#[test]
fn a_later_layer_amends_a_profile_key_by_key() {
    let p = load(&["[profiles.baseline.directives]\nProtectHome = false\n"], &Overrides::default()).unwrap();
    assert_eq!(value(&p, "ProtectHome"), None);
    assert_eq!(value(&p, "ProtectSystem"), Some("full"));
    assert_eq!(p.directives.len(), load(&[], &Overrides::default()).unwrap().directives.len() - 1);
    let strict = load(
        &["[profiles.strict.directives]\nPrivateUsers = false\n"],
        &Overrides { profile: Some("strict".into()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(value(&strict, "PrivateUsers"), None);
    assert_eq!(value(&strict, "ProtectSystem"), Some("strict"), "still inherits and keeps its own values");
    assert_eq!(value(&strict, "ProtectHome"), Some("yes"));
}

#[test]
fn profile_as_a_table_is_named_with_the_fix() {
    let f = file("# mine\n[profile.baseline]\nProtectHome = false\n");
    let e = Policy::load(None, &[f.path().to_owned()], &Overrides::default()).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("[profiles.NAME]"), "{e}");
}

#[test]
fn unknown_profile_is_an_error() {
    let e = load(&[], &Overrides { profile: Some("nope".into()), ..Default::default() }).unwrap_err();
    assert!(e.message.contains("baseline"), "{e}");
}

#[test]
fn printed_policy_reads_back_the_same() {
    let p = load(
        &[
            "[unit.\"foo.service\"]\nskip = [\"ProtectHome\"]\n",
            "[profiles.baseline.directives]\nPrivateDevices = false\n",
        ],
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(value(&p, "PrivateDevices"), None);
    let printed = p.to_toml();
    let again = load(&[&printed], &Overrides::default()).unwrap();
    assert_eq!(again.directives, p.directives);
    assert_eq!(again.units, p.units);
}

#[test]
fn a_printed_policy_with_a_profile_of_its_own_reads_back() {
    let text = "profile = \"mine\"\n[profiles.mine]\ninherits = \"baseline\"\n[profiles.mine.directives]\nProtectHome = false\nProtectSystem = \"strict\"\n";
    let p = load(&[text], &Overrides::default()).unwrap();
    let again = load(&[&p.to_toml()], &Overrides::default()).unwrap();
    assert_eq!((again.profile.as_str(), &again.directives), ("mine", &p.directives));
    assert_eq!(value(&again, "ProtectSystem"), Some("strict"));
    assert_eq!(value(&again, "ProtectHome"), None);
}

#[test]
fn an_inheritance_cycle_is_named_in_full() {
    let text = "[profiles.p]\ninherits = \"q\"\n[profiles.q]\ninherits = \"p\"\n";
    let e = load(&[text], &Overrides { profile: Some("p".into()), ..Default::default() }).unwrap_err();
    assert!(e.message.contains("p → q → p"), "{e}");
    let own =
        load(&["[profiles.p]\ninherits = \"p\"\n"], &Overrides { profile: Some("p".into()), ..Default::default() })
            .unwrap_err();
    assert!(own.message.contains("\"p\" inherits from itself"), "{own}");
}

#[test]
fn systemd_version_comes_from_the_last_layer_that_sets_it() {
    let builtin = load(&[], &Overrides::default()).unwrap();
    assert_eq!((builtin.systemd_version, builtin.systemd_version_from.as_str()), (Some(257), "built-in policy"));
    assert!(builtin.systemd_version_is_builtin());

    let vendor = file("systemd_version = 257\n");
    let etc = file("profile = \"strict\"\n");
    let package = file("[unit.\"foo.service\"]\nignore = true\n");
    let p =
        Policy::load_layers(&[vendor.path(), etc.path()], &[package.path().to_owned()], &Overrides::default()).unwrap();
    assert_eq!(p.systemd_version, Some(257));
    assert_eq!(p.systemd_version_from, vendor.path().display().to_string());
    assert!(!p.systemd_version_is_builtin());
    assert_eq!(p.layers.len(), 4, "{:?}", p.layers);

    let etc = file("systemd_version = 255\n");
    let p = Policy::load_layers(&[vendor.path(), etc.path()], &[], &Overrides::default()).unwrap();
    assert_eq!(p.systemd_version, Some(255));

    let o = Overrides { systemd_version: Some(250), ..Default::default() };
    let p = Policy::load_layers(&[vendor.path(), etc.path()], &[], &o).unwrap();
    assert_eq!((p.systemd_version, p.systemd_version_from.as_str()), (Some(250), "--systemd-version"));
}

#[test]
fn host_is_only_what_a_layer_asks_for_and_prints_back() {
    let p = load(&["systemd_version = \"host\"\n"], &Overrides::default()).unwrap();
    assert_eq!(p.systemd_version, None);
    assert!(p.to_toml().contains("systemd_version = \"host\"\n"), "{}", p.to_toml());
    let again = load(&["systemd_version = \"host\"\n", "systemd_version = 257\n"], &Overrides::default()).unwrap();
    assert_eq!(again.systemd_version, Some(257));
}

#[test]
fn a_missing_installed_layer_is_skipped() {
    let p =
        Policy::load_layers(&[Path::new("/nonexistent/hardenunit/policy.toml")], &[], &Overrides::default()).unwrap();
    assert_eq!(p.layers, vec!["built-in policy".to_owned()]);
}

#[test]
fn a_profile_falls_back_to_what_it_inherits() {
    let strict = load(&[], &Overrides { profile: Some("strict".into()), ..Default::default() }).unwrap();
    let baseline = load(&[], &Overrides::default()).unwrap();
    let deny = baseline.directives.iter().find(|(k, _)| k == "SystemCallFilter").unwrap().1.clone();
    assert_eq!(strict.fallbacks["SystemCallFilter"], [(deny, "baseline".to_owned())]);
    assert_eq!(strict.fallbacks["ProtectSystem"], [(vec!["full".to_owned()], "baseline".to_owned())]);
    assert!(!strict.fallbacks.contains_key("NoNewPrivileges"), "same value: nothing to fall back to");
    assert!(baseline.fallbacks.is_empty());
    // Printed and read back, the profile's inheritance gives the same fallbacks.
    let again = load(&[&strict.to_toml()], &Overrides::default()).unwrap();
    assert_eq!(again.fallbacks, strict.fallbacks);
}

#[test]
fn a_list_of_values_gives_each_target_the_newest_it_understands() {
    let text = "[directives]\nPrivateTmp = [\"disconnected\", \"yes\"]\nProtectControlGroups = [\"strict\", true]\n";
    let p = load(&[text], &Overrides::default()).unwrap();
    let at = |v: u32, k: &str| p.directives_for(v).into_iter().find(|(d, _)| d == k).map(|(_, v)| v);
    assert_eq!(at(252, "PrivateTmp").as_deref(), Some("yes"));
    assert_eq!(at(256, "PrivateTmp").as_deref(), Some("yes"));
    assert_eq!(at(257, "PrivateTmp").as_deref(), Some("disconnected"));
    assert_eq!(at(262, "ProtectControlGroups").as_deref(), Some("strict"));
    assert_eq!(at(252, "ProtectControlGroups").as_deref(), Some("yes"));
    // Nothing the target understands: the oldest, which the planner skips naming its release.
    let only_new = load(&["[directives]\nPrivateTmp = [\"disconnected\"]\n"], &Overrides::default()).unwrap();
    let chosen = only_new.directives_for(252).into_iter().find(|(d, _)| d == "PrivateTmp");
    assert_eq!(chosen.map(|(_, v)| v).as_deref(), Some("disconnected"));

    let again = load(&[&p.to_toml()], &Overrides::default()).unwrap();
    assert_eq!(again.directives, p.directives);
    assert!(p.to_toml().contains("PrivateTmp = [\"disconnected\", \"yes\"]\n"), "{}", p.to_toml());
}

#[test]
fn only_the_given_files_unit_sections_are_listed_with_their_lines() {
    let installed = file("[unit.\"site-wide.service\"]\nskip = [\"ProtectHome\"]\n");
    let given = file("# package policy\n\n[unit.\"wbd.service\"]\nskip = [\"ProtectHome\"]\n\n[unit.\"a.service\".set]\nUMask = \"0027\"\n");
    let p = Policy::load(Some(installed.path()), &[given.path().to_owned()], &Overrides::default()).unwrap();
    let listed: Vec<(&str, usize)> = p.unit_sections.iter().map(|s| (s.name.as_str(), s.line)).collect();
    assert_eq!(listed, [("a.service", 6), ("wbd.service", 3)]);
    assert!(p.unit_sections.iter().all(|s| s.file == given.path()));
    assert!(p.units.contains_key("site-wide.service"), "the installed layer still applies");
}
