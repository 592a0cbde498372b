//! Generated cases for the differential test against `systemd-analyze security
//! --offline=true`: each case is a small root (`lib/systemd/system`, `etc/systemd/system`)
//! and the unit name to score in it. The classes are the ones where hardenunit and systemd
//! once disagreed: mutations of real units, fatal lines in units and drop-ins, unbalanced
//! quotes, aliases with drop-ins on both names, odd unit names, masks and dangling links.
//! Everything follows from the seed, so a case is reproduced by its seed and index.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use hardenunit::render::score_table;
use hardenunit::score;
use hardenunit::unit::{LoadOutcome, Loader};

use super::Rng;

pub const LIB: &str = "lib/systemd/system";
pub const ETC: &str = "etc/systemd/system";

/// Lines that make systemd 252 refuse a unit (in a drop-in: ignore the rest of it).
const FATAL: &[&str] = &[
    "Group=a/b",
    "Group=%i",
    "Group=%Z",
    "User=a:b",
    "WorkingDirectory=x",
    "ExecStop=\"\"",
    "ExecStart=\"@/bin/true x\"",
    "ExecStart=/bin/true \"x",
    "DynamicUser=bogus",
    "RootDirectory=srv",
];

/// Lines that only look dangerous: systemd ignores or accepts them.
const HARMLESS: &[&str] = &[
    "WorkingDirectory=-x",
    "WorkingDirectory=~",
    "ExecStart=\"/bin/true",
    "ExecStart=-/bin/true \"x",
    "ExecStartPre=-\"\"",
    "ExecReload=/bin/kill -HUP $MAINPID",
    "Group=adm",
    "Group=",
    "SupplementaryGroups=adm",
];

/// Settings the score reads, with values that include unbalanced quotes.
const SETTINGS: &[&str] = &[
    "PrivateTmp=yes",
    "PrivateTmp=\"yes",
    "ProtectHome=yes",
    "ProtectSystem=strict",
    "ProtectSystem=\"full",
    "NoNewPrivileges=yes",
    "Delegate=\"",
    "Delegate=cpu \"io",
    "Delegate=yes",
    "CapabilityBoundingSet=\"CAP_SYS_TIME",
    "CapabilityBoundingSet=CAP_SYS_TIME \"CAP_SYS_ADMIN",
    "CapabilityBoundingSet=~\"CAP_SYS_TIME",
    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
    "AmbientCapabilities=\"CAP_MAC_ADMIN",
    "AmbientCapabilities=CAP_MAC_ADMIN \"",
    "RestrictAddressFamilies=AF_UNIX \"AF_INET",
    "RestrictNamespaces=\"net",
    "SystemCallFilter=@system-service \"@mount",
    "SystemCallArchitectures=\"native",
    "User=nobody",
    "DynamicUser=yes",
    "PrivateDevices=yes",
    "PrivateNetwork=yes",
    "IPAddressDeny=any",
    "RestrictRealtime=yes",
];

/// Unit names systemd accepts or rejects (unit_name_is_valid()).
const NAMES: &[&str] = &[
    "a b.service",
    "a%n.service",
    "\u{fc}.service",
    "x@a@b.service",
    "x@@.service",
    "-a.service",
    "a.b.service",
    "a:b\\x2d.service",
    "a_b-c.service",
    "@a.service",
];

pub struct Case {
    pub root: PathBuf,
    /// The name given to both tools.
    pub name: String,
}

/// Files of real units the mutations start from: the project's score fixtures, and the
/// shared corpus of Debian units when it is there.
pub fn seed_units() -> Vec<String> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    super::service_texts(&[here.join("tests/fixtures/score"), here.join("../shared/corpus")])
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A service body: `[Service]`, an ExecStart=, and a few settings.
fn service_text(rng: &mut Rng) -> String {
    let mut text = String::from("[Service]\nExecStart=/bin/true\n");
    for _ in 0..rng.below(4) {
        text.push_str(rng.pick(SETTINGS));
        text.push('\n');
    }
    text
}

/// A drop-in: settings, maybe a fatal or harmless line in the middle.
fn dropin_text(rng: &mut Rng) -> String {
    let mut lines = vec!["[Service]".to_owned()];
    for _ in 0..1 + rng.below(3) {
        lines.push(rng.pick(SETTINGS).to_owned());
    }
    if rng.chance(40) {
        let at = 1 + rng.below(lines.len());
        let extra = if rng.chance(60) { rng.pick(FATAL) } else { rng.pick(HARMLESS) };
        lines.insert(at, extra.to_owned());
    }
    lines.join("\n") + "\n"
}

/// One line of `text` changed the way a package or an editor might change it.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push("[Service]".into());
    }
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(i);
                if lines.is_empty() {
                    lines.push("[Service]".into());
                }
            }
            1 => lines.insert(i, lines[i].clone()),
            2 => lines.insert(i + 1, rng.pick(FATAL).to_owned()),
            3 => lines.insert(i + 1, rng.pick(HARMLESS).to_owned()),
            4 => lines.insert(i + 1, rng.pick(SETTINGS).to_owned()),
            5 => {
                // An unbalanced quote at the start of the value.
                if let Some((k, v)) = lines[i].split_once('=') {
                    lines[i] = format!("{k}=\"{v}");
                }
            }
            _ => {
                if let Some((k, v)) = lines[i].split_once('=') {
                    let words: Vec<&str> = v.split_whitespace().collect();
                    if !words.is_empty() {
                        let w = words[rng.below(words.len())];
                        lines[i] = format!("{k}={}", v.replacen(w, &format!("\"{w}"), 1));
                    }
                }
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Case `i` of the stream of `seed`, written under `dir/case-i`.
pub fn generate(rng: &mut Rng, seeds: &[String], dir: &Path, i: usize) -> Case {
    let root = dir.join(format!("case-{i}"));
    let lib = root.join(LIB);
    fs::create_dir_all(&lib).unwrap();
    match rng.below(6) {
        // A mutated real unit, maybe with a mutated drop-in.
        0 | 1 if !seeds.is_empty() => {
            let base = &seeds[rng.below(seeds.len())];
            write(&lib.join("m.service"), &mutate(rng, base));
            if rng.chance(30) {
                write(&lib.join("m.service.d/10-x.conf"), &dropin_text(rng));
            }
            Case { root, name: "m.service".into() }
        }
        // Fatal and harmless lines in the unit or a drop-in, drop-ins after it.
        0..=2 => {
            let mut unit = service_text(rng);
            if rng.chance(50) {
                unit.push_str(if rng.chance(50) { rng.pick(FATAL) } else { rng.pick(HARMLESS) });
                unit.push('\n');
            }
            write(&lib.join("f.service"), &unit);
            for d in 0..rng.below(3) {
                write(&lib.join(format!("f.service.d/{d}0-x.conf")), &dropin_text(rng));
            }
            Case { root, name: "f.service".into() }
        }
        // An alias, drop-ins under either name, scored by either name.
        3 => {
            write(&lib.join("real.service"), &service_text(rng));
            let link_dir = if rng.chance(30) { root.join(ETC) } else { lib.clone() };
            fs::create_dir_all(&link_dir).unwrap();
            let target = if rng.chance(50) { "real.service".to_owned() } else { format!("/{LIB}/real.service") };
            let target = if link_dir == lib { target } else { format!("/{LIB}/real.service") };
            symlink(target, link_dir.join("alias.service")).unwrap();
            for dropin_dir in ["real.service.d", "alias.service.d"] {
                if rng.chance(60) {
                    let base = if rng.chance(30) { root.join(ETC) } else { lib.clone() };
                    write(&base.join(dropin_dir).join(format!("{}.conf", rng.below(3))), &dropin_text(rng));
                }
            }
            let name = if rng.chance(70) { "alias.service" } else { "real.service" };
            Case { root, name: name.into() }
        }
        // Odd names.
        4 => {
            let name = rng.pick(NAMES).to_owned();
            write(&lib.join(&name), &service_text(rng));
            Case { root, name }
        }
        // Masks and dangling links, of the unit or its drop-ins.
        _ => {
            let name = "k.service";
            match rng.below(5) {
                0 => symlink("/dev/null", lib.join(name)).unwrap(),
                1 => write(&lib.join(name), ""),
                _ => write(&lib.join(name), &service_text(rng)),
            }
            let d = lib.join("k.service.d");
            fs::create_dir_all(&d).unwrap();
            write(&d.join("20-y.conf"), &dropin_text(rng));
            match rng.below(4) {
                0 => symlink("/dev/null", d.join("10-x.conf")).unwrap(),
                1 => symlink("/nonexistent.conf", d.join("10-x.conf")).unwrap(),
                2 => {
                    let e = root.join(ETC).join("k.service.d");
                    fs::create_dir_all(&e).unwrap();
                    symlink("/nonexistent.conf", e.join("20-y.conf")).unwrap();
                }
                _ => write(&d.join("10-x.conf"), ""),
            }
            Case { root, name: name.into() }
        }
    }
}

/// systemd-analyze's text table, or None when it does not score the unit.
pub fn oracle(case: &Case) -> Option<String> {
    let root = format!("--root={}", case.root.display());
    security_text(&[root.as_ref(), "--".as_ref(), case.name.as_ref()])
}

/// `systemd-analyze security --offline=true ARGS` in the environment the text table is
/// compared in; None when it fails (does not score the unit).
pub fn security_text(args: &[&std::ffi::OsStr]) -> Option<String> {
    let mut cmd = Command::new("systemd-analyze");
    cmd.args(["security", "--offline=true", "--no-pager"]).args(args);
    table_text_of(cmd)
}

/// Runs a `systemd-analyze security` command (the host's, or one in a release's root) in the
/// environment the text table is compared in: its stdout, or None when it fails.
pub fn table_text_of(mut cmd: Command) -> Option<String> {
    let out = cmd
        .env("LC_ALL", "C.UTF-8")
        .env("TERM", "xterm")
        .env_remove("SYSTEMD_EMOJI")
        .env_remove("SYSTEMD_UTF8")
        .output()
        .expect("run systemd-analyze");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// hardenunit's text table, or None when it does not score the unit.
pub fn ours(case: &Case) -> Option<String> {
    match Loader::new(Some(&case.root)).ok()?.load(&case.name).ok()? {
        LoadOutcome::Unit(u) => {
            let a = score::assess_loaded(score::DEFAULT_RELEASE, &u, &[]);
            a.refusal.is_none().then(|| score_table::text(&a.unit, &a))
        }
        LoadOutcome::Masked { .. } => None,
    }
}

pub fn agree(case: &Case) -> bool {
    oracle(case) == ours(case)
}

/// Every regular file of the case's root.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    super::walk_files(root, &mut |p| {
        if fs::symlink_metadata(p).is_ok_and(|m| m.is_file()) {
            out.push(p.to_owned());
        }
    });
    out.sort();
    out
}

/// Removes lines (then files) of a disagreeing case while it still disagrees: what is left
/// is the smallest reproducer found line by line.
pub fn minimise(case: &Case) {
    for f in files(&case.root) {
        let Ok(text) = fs::read_to_string(&f) else { continue };
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut i = 0;
        while i < lines.len() {
            let mut fewer = lines.clone();
            fewer.remove(i);
            fs::write(&f, fewer.join("\n") + "\n").unwrap();
            if agree(case) {
                i += 1;
            } else {
                lines = fewer;
            }
        }
        fs::write(&f, lines.join("\n") + "\n").unwrap();
    }
    for f in files(&case.root) {
        let keep = fs::read(&f).unwrap();
        fs::remove_file(&f).unwrap();
        if agree(case) {
            fs::write(&f, keep).unwrap();
        }
    }
}

/// A shell script that rebuilds the case's root, for a fixture candidate.
pub fn describe(case: &Case) -> String {
    let mut s =
        String::from("#!/bin/sh\n# Rebuilds a case where hardenunit score and systemd-analyze disagree.\nset -e\n");
    let mut entries = Vec::new();
    super::walk_files(&case.root, &mut |p| entries.push(p.to_owned()));
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(&case.root).unwrap().display().to_string();
        let m = fs::symlink_metadata(&p).unwrap();
        s.push_str(&format!("mkdir -p \"$(dirname '{rel}')\"\n"));
        if m.file_type().is_symlink() {
            s.push_str(&format!("ln -sfn '{}' '{rel}'\n", fs::read_link(&p).unwrap().display()));
        } else if m.is_file() {
            let text = fs::read_to_string(&p).unwrap_or_default();
            s.push_str(&format!("cat > '{rel}' <<'UNIT_EOF'\n{text}UNIT_EOF\n"));
        }
    }
    s.push_str(&format!("# systemd-analyze security --offline=true --root=. -- '{}'\n", case.name));
    s
}
