//! Properties over generated units: hardening twice changes nothing the second time, no
//! row of the score gets worse, and in-place mode touches no byte outside its block.
//! Units are generated from a fixed seed, so a failure reproduces.

mod common;

use std::fs;
use std::path::Path;

use common::*;

const PROGRAMS: &[&str] = &[
    "/usr/sbin/food",
    "/usr/bin/node /srv/app.js",
    "/usr/sbin/chronyd",
    "/usr/sbin/dnsmasq -k",
    "/usr/sbin/gpsd /dev/ttyS0",
    "/bin/sh -c 'exec /usr/bin/worker'",
    "/usr/sbin/sshd -D",
    "/usr/bin/python3 /usr/bin/agent",
    "/usr/sbin/nft -f /etc/nftables.conf",
];

/// Settings a maintainer may already have, valid and invalid, to collide with the baseline.
const SETTINGS: &[&str] = &[
    "PrivateTmp=yes",
    "PrivateTmp=no",
    "PrivateTmp=yes # trailing comment",
    "ProtectSystem=strict",
    "ProtectSystem=full",
    "ProtectSystem=no",
    "ProtectHome=read-only",
    "ProtectHome=tmpfs",
    "PrivateDevices=yes",
    "DevicePolicy=closed",
    "DeviceAllow=/dev/null rw",
    "ProtectClock=no",
    "NoNewPrivileges=no",
    "DynamicUser=yes",
    "User=nobody",
    "User=daemon",
    "SupplementaryGroups=dialout",
    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
    "CapabilityBoundingSet=~CAP_SYS_ADMIN",
    "AmbientCapabilities=CAP_NET_RAW",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@mount",
    "SystemCallErrorNumber=EACCES",
    "RestrictAddressFamilies=AF_UNIX",
    "RestrictAddressFamilies=~AF_PACKET",
    "RestrictNamespaces=net",
    "RestrictNamespaces=~user",
    "IPAddressDeny=any",
    "UMask=0077",
    "ProtectProc=noaccess",
    "PrivateNetwork=yes",
    "Delegate=yes",
    "KeyringMode=shared",
    "NotifyAccess=all",
    "MemoryDenyWriteExecute=yes",
    "Type=oneshot",
    "PIDFile=/run/food.pid",
    "RuntimeDirectory=food",
    "WorkingDirectory=/home/food",
];

fn generate(rng: &mut Rng) -> String {
    let mut s = String::from("# generated\n[Unit]\nDescription=generated\n");
    if rng.chance(10) {
        s.push_str("DefaultDependencies=no\n");
    }
    s.push_str("\n[Service]\n");
    s.push_str(&format!("ExecStart={}\n", rng.pick(PROGRAMS)));
    for _ in 0..rng.next() % 6 {
        if rng.chance(15) {
            s.push_str("; a comment between settings\n");
        }
        s.push_str(rng.pick(SETTINGS));
        s.push('\n');
    }
    if rng.chance(50) {
        s.push_str("\n[Install]\nWantedBy=multi-user.target\n");
    }
    s
}

fn rows_by_field(a: &hardenunit::score::Assessment) -> Vec<(&'static str, Option<u32>)> {
    a.rows.iter().map(|r| (r.json_field, r.badness)).collect()
}

fn assess(path: &Path) -> hardenunit::score::Assessment {
    let loader = hardenunit::unit::Loader::new(None).unwrap();
    match loader.load(path.to_str().unwrap()).unwrap() {
        hardenunit::unit::LoadOutcome::Unit(u) => hardenunit::score::assess(252, "service", &u.assignments()),
        _ => panic!("masked"),
    }
}

/// Whether a directive on in `after` marks its worsening of `field` harmless while the one it
/// names is on too (ProtectClock='s rtc entry beside PrivateDevices=yes).
fn harmless_worsening(field: &str, after: &hardenunit::score::Assessment) -> bool {
    let on = |key: &str| after.rows.iter().any(|r| r.json_field == key && r.badness == Some(0));
    hardenunit::directives::DIRECTIVES.iter().any(|d| on(d.key) && d.unreachable_grant_under(field).is_some_and(on))
}

#[test]
fn generated_units_idempotent_never_weaker_and_in_place_only_in_its_block() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let work = tempfile::tempdir().unwrap();
    for i in 0..150 {
        let text = generate(&mut rng);
        for mode in ["dropin", "in-place"] {
            let root = work.path().join(format!("{i}-{mode}"));
            let dir = root.join("lib/systemd/system");
            fs::create_dir_all(&dir).unwrap();
            let unit = dir.join(format!("gen{i}.service"));
            fs::write(&unit, &text).unwrap();
            let before = assess(&unit);
            let r = hardenunit(&["--write", "--mode", mode, "--root", root.to_str().unwrap()]);
            assert_eq!(r.code, 0, "{text}\n{}", r.stderr);
            let check = hardenunit(&["--check", "--mode", mode, "--root", root.to_str().unwrap()]);
            assert_eq!(check.code, 0, "second run would change something:\n{text}\n{}", check.stdout);
            let after = assess(&unit);
            for ((field, b), (_, a)) in rows_by_field(&before).into_iter().zip(rows_by_field(&after)) {
                let harmless = harmless_worsening(field, &after);
                assert!(a.unwrap_or(0) <= b.unwrap_or(0) || harmless, "{field} got worse ({b:?} -> {a:?}) for\n{text}");
            }
            assert!(after.exposure <= before.exposure, "{text}");
            if mode == "in-place" {
                let new = fs::read_to_string(&unit).unwrap();
                let stripped = match (new.find("# --- BEGIN hardenunit"), new.find("# --- END hardenunit ---\n")) {
                    (Some(b), Some(e)) => format!("{}{}", &new[..b], &new[e + "# --- END hardenunit ---\n".len()..]),
                    _ => new.clone(),
                };
                assert_eq!(stripped, text);
            }
        }
    }
}

/// Exposure after hardening, per unit, as `--format json` reports it.
fn exposures_after(root: &Path, profile: &str, systemd_version: &str) -> std::collections::BTreeMap<String, f64> {
    let root = root.to_str().unwrap();
    let r =
        hardenunit(&["--format", "json", "--profile", profile, "--systemd-version", systemd_version, "--root", root]);
    assert!(r.code == 0 || r.code == 1, "{root} ({profile}): {}", r.stderr);
    let units: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for u in units.as_array().unwrap() {
        if let Some(after) = u["exposure_after"].as_f64() {
            out.insert(u["path"].as_str().unwrap().to_owned(), after);
        }
    }
    out
}

/// Strict inherits the baseline: where a unit rules one of strict's values out, it gets the
/// baseline's value instead, so it never ends up more exposed than under the baseline.
#[test]
fn strict_is_never_more_exposed_than_the_baseline() {
    let mut rng = Rng(0x5171_C7E5_0000_0001);
    let work = tempfile::tempdir().unwrap();
    let generated = work.path().join("generated");
    let dir = generated.join("lib/systemd/system");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..200 {
        fs::write(dir.join(format!("gen{i}.service")), generate(&mut rng)).unwrap();
    }
    let mut roots = vec![generated];
    roots.extend(package_trees());
    let mut compared = 0;
    for version in ["252", "257"] {
        let results = parallel(&roots, |root| {
            (exposures_after(root, "baseline", version), exposures_after(root, "strict", version))
        });
        for (baseline, strict) in results {
            for (unit, b) in &baseline {
                let s = strict[unit];
                assert!(s <= *b, "{unit} (systemd {version}): strict {s} > baseline {b}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 400, "only {compared} units compared");
}
