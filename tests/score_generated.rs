//! Generated units against the real `systemd-analyze security --offline=true` of each
//! supported release (252, 257, 262; see tests/common/releases.rs): a fixed
//! pseudo-random mix of the settings the score reads, with valid, odd and invalid values,
//! whitespace, quotes, continuations, drop-ins, templates and sockets. The whole text table
//! (or systemd's refusal to load the unit) must be the same.
//!
//! Without systemd-analyze the test fails, unless HARDENUNIT_SKIP_ORACLE=1.
//! HARDENUNIT_GENERATED_UNITS=N changes how many units are generated (default 300).

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::Rng;
#[path = "common/releases.rs"]
mod releases;
use hardenunit::render::score_table;
use hardenunit::score;
use hardenunit::unit::{LoadOutcome, Loader};
use releases::ReleaseOracle;

const KEYS: &[&str] = &[
    "PrivateTmp",
    "PrivateDevices",
    "PrivateNetwork",
    "PrivateUsers",
    "PrivateMounts",
    "PrivatePIDs",
    "ProtectControlGroups",
    "ProtectKernelModules",
    "ProtectKernelTunables",
    "ProtectKernelLogs",
    "ProtectClock",
    "ProtectHostname",
    "LockPersonality",
    "MemoryDenyWriteExecute",
    "NoNewPrivileges",
    "RestrictRealtime",
    "RestrictSUIDSGID",
    "RemoveIPC",
    "DynamicUser",
    "User",
    "SupplementaryGroups",
    "ProtectHome",
    "ProtectSystem",
    "RootDirectory",
    "RootImage",
    "CapabilityBoundingSet",
    "AmbientCapabilities",
    "UMask",
    "KeyringMode",
    "ProtectProc",
    "ProcSubset",
    "NotifyAccess",
    "Delegate",
    "RestrictAddressFamilies",
    "RestrictNamespaces",
    "SystemCallArchitectures",
    "SystemCallFilter",
    "IPAddressDeny",
    "IPAddressAllow",
    "DevicePolicy",
    "DeviceAllow",
    "IPIngressFilterPath",
    "Type",
    "ExecStart",
];

const WORDS: &[&str] = &[
    "yes",
    "no",
    "YES",
    "On",
    "1",
    "0",
    "",
    "~",
    "none",
    "any",
    "localhost",
    "~@swap",
    "@system-service",
    "@clock:EPERM",
    "~@mount:eperm",
    "@resources",
    "~@privileged",
    "swapon",
    "~swapoff",
    "_llseek",
    "CAP_KILL",
    "~CAP_SYS_ADMIN",
    "cap_net_raw",
    "0x15",
    "017",
    "CAP_BPF",
    "bogus",
    "\"CAP_KILL\"",
    "'AF_UNIX'",
    "AF_UNIX",
    "~AF_INET",
    "AF_INET6",
    "af_packet",
    "AF_NETLINK",
    "AF_ROUTE",
    "AF_VSOCK",
    "net",
    "~user",
    "ipc",
    "mnt",
    "uts",
    "cgroup",
    "native",
    "x86",
    "x86-64",
    "10.0.0.0/8",
    "::/0",
    "0.0.0.0/0",
    "127.0.0.1",
    "::1",
    "link-local",
    "/dev/null",
    "char-rtc",
    "block-loop",
    "rw",
    "r",
    "/srv",
    "/x.img",
    "read-only",
    "tmpfs",
    "full",
    "strict",
    "private",
    "connected",
    "disconnected",
    "self",
    "identity",
    "managed",
    "private:web-1",
    "yes:%p",
    "loongarch64",
    "shared",
    "inherit",
    "noaccess",
    "invisible",
    "pid",
    "all",
    "0077",
    "0022",
    "027",
    "0000",
    "root",
    "nobody",
    "foo",
    "%p",
    "%i",
    "%n",
    "oneshot",
    "notify",
    "/bin/true",
];

/// Keys whose odd values make systemd refuse the whole unit get values that mostly load.
fn special(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "DynamicUser" => &["yes", "no", "1", "bogus"],
        "User" => &["foo", "root", "0", "nobody", "%p", "", "a:b"],
        "SupplementaryGroups" => &["adm", "", "a b", "%n"],
        "RootDirectory" | "RootImage" => &["/srv", "/", "", "/srv/%i", "srv"],
        "Type" => &["simple", "oneshot", "notify", "bogus"],
        "ExecStart" => &["", "/bin/false"],
        _ => return None,
    })
}

fn value(rng: &mut Rng) -> String {
    let n = [0, 1, 1, 1, 2, 2, 3][rng.below(7)];
    let sep = rng.pick(&[" ", " ", "  ", "\t"]);
    (0..n).map(|_| rng.pick(WORDS)).collect::<Vec<_>>().join(sep)
}

fn assignment(rng: &mut Rng) -> String {
    let key = rng.pick(KEYS);
    if let Some(values) = special(key) {
        return format!("{key}={}", rng.pick(values));
    }
    if rng.chance(5) {
        return format!("{key}={} \\\n{}\n  {}", value(rng), rng.pick(&["# comment", "  yes"]), value(rng));
    }
    format!("{}{key}{}={}{}", rng.pick(&["", " "]), rng.pick(&["", "  "]), rng.pick(&["", " "]), value(rng))
}

/// Writes one generated unit (and maybe a drop-in) into `dir`; returns the unit's path.
fn generate(rng: &mut Rng, dir: &Path, i: usize) -> PathBuf {
    let (name, section, first) = match rng.below(8) {
        0 => (format!("s{i:04}.socket"), "Socket", "ListenStream=/run/s.sock"),
        1 => (format!("t{i:04}-x@.service"), "Service", "ExecStart=/bin/true"),
        _ => (format!("u{i:04}.service"), "Service", "ExecStart=/bin/true"),
    };
    let mut text = String::new();
    if rng.chance(10) {
        text.push_str("[Unit]\nDefaultDependencies=no\n");
    }
    text.push_str(&format!("[{section}]\n{first}\n"));
    for _ in 0..1 + rng.below(14) {
        text.push_str(&assignment(rng));
        text.push('\n');
    }
    let path = dir.join(&name);
    fs::write(&path, text).unwrap();
    if rng.chance(20) {
        let d = dir.join(format!("{name}.d"));
        fs::create_dir(&d).unwrap();
        let body: Vec<String> = (0..3).map(|_| assignment(rng)).collect();
        fs::write(d.join("10-x.conf"), format!("[{section}]\n{}\n", body.join("\n"))).unwrap();
    }
    path
}

fn oracle(release: &ReleaseOracle, path: &Path) -> Option<String> {
    common::cases::table_text_of(release.analyze(&["security", "--offline=true", "--no-pager"], path))
}

fn ours(version: u32, path: &Path) -> Option<String> {
    match Loader::new(None).ok()?.load(path.to_str()?).ok()? {
        LoadOutcome::Unit(u) => {
            let a = score::assess_loaded(version, &u, &[]);
            a.refusal.is_none().then(|| score_table::text(&a.unit, &a))
        }
        LoadOutcome::Masked { .. } => None,
    }
}

#[test]
fn generated_units_score_like_systemd_analyze() {
    if !common::oracle_available() {
        return;
    }
    let count: usize = std::env::var("HARDENUNIT_GENERATED_UNITS").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let dir = tempfile::tempdir().unwrap();
    let units_dir = dir.path().join("units");
    fs::create_dir(&units_dir).unwrap();
    let mut rng = Rng(0x5eed_0252);
    let units: Vec<PathBuf> = (0..count).map(|i| generate(&mut rng, &units_dir, i)).collect();
    let mut failed = 0;
    for release in ReleaseOracle::all() {
        let staged = release.stage(&units_dir);
        let mut mismatches = Vec::new();
        let mut refused = 0;
        for (i, path) in units.iter().enumerate() {
            let want = oracle(&release, &ReleaseOracle::staged_path(&units_dir, &staged, path));
            let got = ours(release.version, path);
            refused += usize::from(want.is_none());
            if want != got {
                let mut text = fs::read_to_string(path).unwrap_or_default();
                let dropin =
                    path.with_file_name(format!("{}.d/10-x.conf", path.file_name().unwrap().to_string_lossy()));
                if let Ok(d) = fs::read_to_string(&dropin) {
                    text.push_str(&format!("--- drop-in 10-x.conf:\n{d}"));
                }
                let verdict = |x: &Option<String>| {
                    x.as_deref().and_then(|t| t.lines().last()).unwrap_or("refused to load").to_owned()
                };
                mismatches.push(format!(
                    "unit {i}:\n{text}systemd-analyze: {}\nhardenunit:      {}",
                    verdict(&want),
                    verdict(&got)
                ));
            }
        }
        for m in mismatches.iter().take(5) {
            eprintln!("MISMATCH systemd {}: {m}\n", release.version);
        }
        eprintln!(
            "generated units, systemd {} ({}): {}/{count} identical to systemd-analyze ({refused} refused by systemd)",
            release.version,
            release.suite,
            count - mismatches.len()
        );
        failed += mismatches.len();
    }
    assert_eq!(failed, 0, "{failed} generated units differ");
}

/// The classes where the two once disagreed, as whole roots scored by name (see
/// tests/common/cases.rs). HARDENUNIT_GENERATED_CASES=N (default 2000) and
/// HARDENUNIT_GENERATED_SEED=S (default fixed) pick the stream; HARDENUNIT_DISAGREEMENTS=DIR
/// saves every disagreement, minimised, as a shell script that rebuilds it
/// (`scripts/fuzz-score N` runs it with a fresh seed).
#[test]
fn generated_roots_score_like_systemd_analyze() {
    if !common::oracle_available() {
        eprintln!("generated roots: skipped (HARDENUNIT_SKIP_ORACLE=1, no systemd-analyze)");
        return;
    }
    let env_number = |k: &str| std::env::var(k).ok().and_then(|n| n.parse::<u64>().ok());
    let count = env_number("HARDENUNIT_GENERATED_CASES").unwrap_or(2000) as usize;
    let seed = env_number("HARDENUNIT_GENERATED_SEED").unwrap_or(0x5eed_0013);
    let save = std::env::var_os("HARDENUNIT_DISAGREEMENTS").map(PathBuf::from);
    let seeds = common::cases::seed_units();
    let dir = tempfile::tempdir().unwrap();
    // One stream of cases per worker, each from its own seed, so that the result does not
    // depend on how many cores run it.
    let workers: Vec<u64> = (0..4).collect();
    let results = common::parallel(&workers, |w| {
        let mut rng = Rng(seed ^ (w + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut found = Vec::new();
        let mut refused = 0usize;
        let n = count / 4 + usize::from((*w as usize) < count % 4);
        for i in 0..n {
            let case = common::cases::generate(&mut rng, &seeds, dir.path(), i * 4 + *w as usize);
            let want = common::cases::oracle(&case);
            refused += usize::from(want.is_none());
            if want != common::cases::ours(&case) {
                common::cases::minimise(&case);
                found.push(common::cases::describe(&case));
            } else {
                let _ = fs::remove_dir_all(&case.root);
            }
        }
        (found, refused)
    });
    let refused: usize = results.iter().map(|r| r.1).sum();
    let found: Vec<String> = results.into_iter().flat_map(|r| r.0).collect();
    if let Some(save) = &save {
        fs::create_dir_all(save).unwrap();
        for (i, script) in found.iter().enumerate() {
            fs::write(save.join(format!("seed-{seed}-{i}.sh")), script).unwrap();
        }
    }
    for f in found.iter().take(3) {
        eprintln!("DISAGREEMENT (minimised):\n{f}");
    }
    eprintln!(
        "generated roots: seed {seed}: {}/{count} identical to systemd-analyze ({refused} not scored by systemd)",
        count - found.len()
    );
    assert!(found.is_empty(), "{} generated roots differ", found.len());
}
