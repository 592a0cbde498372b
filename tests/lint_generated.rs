//! Generated units against the real `systemd-analyze verify`: the host's systemd 252, and
//! Debian 13's 257 from the cached root `scripts/debian-root trixie` (lint judging at 257). A
//! fixed pseudo-random mix of valid and invalid values for every key of the parsers lint
//! judges (read from data/systemd-unit-keys.tsv, that release's column), in .service, .socket,
//! .timer, .path and .mount units, plus mutations of real units (tests/fixtures, and
//! ../shared/corpus when it is there). Every line verify complains about must be reported on
//! that line (recall), and every lint error must be on such a line (precision), except lint's
//! documented beyond-verify check: names systemd drops without a word (capabilities, secure
//! bits, cgroup controllers), whose oracle
//! is the manager's own dump of the parsed unit (`SYSTEMD_LOG_LEVEL=debug systemd-analyze
//! verify`, the host's: at 257 capability lines verify accepts are not compared).
//!
//! Without systemd-analyze the test fails, unless HARDENUNIT_SKIP_ORACLE=1; without a trixie
//! root the 257 run is skipped, unless HARDENUNIT_REQUIRE_ROOTS=1.
//! HARDENUNIT_LINT_UNITS=N changes how many units are generated (default 1500),
//! HARDENUNIT_LINT_SEED=S the seed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod common;
#[path = "common/lint_pools.rs"]
mod pools;
#[path = "common/releases.rs"]
#[allow(dead_code)]
mod releases;

use common::lint_oracle::{silent_drops, verify_units, verify_units_by, Complaints, Tally, Verified};
use common::{oracle_available, Rng};
use hardenunit::lint::{self, Finding};
use hardenunit::unit::Document;
use pools::{pool, Pool};
use releases::ReleaseOracle;

const KEYS: &str = include_str!("../data/systemd-unit-keys.tsv");
const ENUMS: &str = include_str!("../data/systemd-enums.tsv");

/// Parsers of keys that, when invalid, make systemd refuse the unit and stop reading the
/// file: the generator puts at most one of them, last.
fn is_fatal(parser: &str, ltype: &str) -> bool {
    matches!(
        parser,
        "config_parse_user_group_compat"
            | "config_parse_user_group_strv_compat"
            | "config_parse_working_directory"
            | "config_parse_exec_apparmor_profile"
            | "config_parse_exec_selinux_context"
            | "config_parse_exec_smack_process_label"
            | "config_parse_pid_file"
            // 257 refuses the unit when the BPF program is not there.
            | "config_parse_ip_filter_bpf_progs"
    ) || (parser == "config_parse_unit_path_printf" && ltype == "true")
}

struct Key {
    section: &'static str,
    key: &'static str,
    parser: &'static str,
    ltype: &'static str,
    /// The release whose enumeration values the key takes ("252", "257").
    enum_release: &'static str,
}

/// Parsers 257 renamed without changing their grammar: generated with the 252 parser's pool.
const SAME_GRAMMAR_257: &[(&str, &str)] = &[
    ("config_parse_tristate", "config_parse_exec_mount_apivfs"),
    ("config_parse_exec_mount_propagation_flag", "config_parse_exec_mount_flags"),
    ("config_parse_unit_mounts_for", "config_parse_unit_requires_mounts_for"),
];

/// The keys of the five unit types that `release` (252 or 257) reads with a parser the
/// generator has values for.
fn keys(release: u32) -> Vec<Key> {
    let enum_release = if release == 252 { "252" } else { "257" };
    let enums: BTreeSet<&str> = ENUMS
        .lines()
        .filter(|l| l.split('\t').next() == Some(enum_release))
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    let mut out = Vec::new();
    for line in KEYS.lines().filter(|l| !l.starts_with('#')) {
        let r: Vec<&str> = line.split('\t').collect();
        let parser = if release == 252 { r[2] } else { r[4] };
        if !["Unit", "Service", "Socket", "Timer", "Path", "Mount"].contains(&r[0]) || parser == "-" {
            continue;
        }
        let parser = SAME_GRAMMAR_257.iter().find(|(p, _)| *p == parser).map_or(parser, |(_, same)| same);
        if pool(parser).is_some() || enums.contains(parser) {
            out.push(Key { section: r[0], key: r[1], parser, ltype: r[3], enum_release });
        }
    }
    out
}

fn enum_values(k: &Key) -> Vec<&'static str> {
    let row = ENUMS.lines().find(|l| {
        let mut f = l.split('\t');
        f.next() == Some(k.enum_release) && f.next() == Some(k.parser)
    });
    let mut values: Vec<&str> = row.and_then(|r| r.split('\t').nth(4)).unwrap_or("").split(' ').collect();
    values.extend(["", "bogus", "Yes", "yes"]);
    values
}

fn value(rng: &mut Rng, k: &Key) -> String {
    match pool(k.parser) {
        Some(Pool::Values(values)) => rng.pick(&values).to_owned(),
        Some(Pool::Words(words)) => {
            let n = 1 + rng.below(3);
            let list: Vec<&str> = (0..n).map(|_| rng.pick(&words)).collect();
            let tilde = if rng.chance(25) { "~" } else { "" };
            format!("{tilde}{}", list.join(" "))
        }
        None => rng.pick(&enum_values(k)).to_owned(),
    }
}

/// (file name, unit type's own section, the lines it needs to load).
fn unit_shape(kind: usize, i: usize) -> (String, &'static str, String) {
    match kind {
        0 => (format!("g{i}.service"), "Service", "ExecStart=/bin/true\n".into()),
        1 => (format!("g{i}.socket"), "Socket", format!("ListenStream=/run/g{i}.sock\n")),
        2 => (format!("g{i}.timer"), "Timer", "OnCalendar=daily\n".into()),
        3 => (format!("g{i}.path"), "Path", "PathExists=/srv\n".into()),
        _ => (format!("mnt-g{i}.mount"), "Mount", format!("What=/dev/sdx1\nWhere=/mnt/g{i}\n")),
    }
}

/// A unit of `lines` random assignments: [Unit] lines, then the type's own section.
fn generate(rng: &mut Rng, keys: &[Key], i: usize, lines: usize) -> (String, String) {
    let (name, own, head) = unit_shape(rng.below(5), i);
    let pick = |rng: &mut Rng, section: &str, fatal: bool| -> Option<String> {
        let candidates: Vec<&Key> =
            keys.iter().filter(|k| k.section == section && is_fatal(k.parser, k.ltype) == fatal).collect();
        if candidates.is_empty() {
            return None;
        }
        let k = candidates[rng.below(candidates.len())];
        Some(format!("{}={}", k.key, value(rng, k)))
    };
    let mut text = String::from("[Unit]\n");
    for _ in 0..rng.below(3) {
        text.extend(pick(rng, "Unit", false).map(|l| l + "\n"));
    }
    text.push_str(&format!("[{own}]\n{head}"));
    for _ in 0..lines {
        text.extend(pick(rng, own, false).map(|l| l + "\n"));
    }
    if rng.chance(30) {
        text.extend(pick(rng, own, true).map(|l| l + "\n"));
    }
    (name, text)
}

/// A real unit with some values replaced by generated ones, and some lines added.
fn mutate(rng: &mut Rng, keys: &[Key], text: &str) -> String {
    let by_key: BTreeMap<&str, &Key> = keys.iter().filter(|k| k.section == "Service").map(|k| (k.key, k)).collect();
    let mut out = String::new();
    let mut in_service = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_service = line.trim() == "[Service]";
        }
        let replaced = line.split_once('=').and_then(|(k, _)| by_key.get(k.trim())).filter(|k| {
            in_service && !is_fatal(k.parser, k.ltype) && !line.trim_end().ends_with('\\') && rng.chance(40)
        });
        match replaced {
            Some(k) => out.push_str(&format!("{}={}\n", k.key, value(rng, k))),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    let extra: Vec<&&Key> = by_key.values().filter(|k| !is_fatal(k.parser, k.ltype)).collect();
    if !extra.is_empty() && text.contains("[Service]") {
        out.push_str("[Service]\n");
        for _ in 0..3 {
            let k = extra[rng.below(extra.len())];
            out.push_str(&format!("{}={}\n", k.key, value(rng, k)));
        }
    }
    out
}

/// Real units to mutate: lint's own fixtures, and the shared corpus of Debian units when it
/// is there.
fn seed_services() -> Vec<String> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::service_texts(&[here.join("tests/fixtures/lint"), common::corpus_dir()])
}

/// Lint's findings for each file read on its own, as verify reads each (no drop-ins here).
fn lint_files(files: &[PathBuf], target: u32) -> Vec<Finding> {
    common::parallel(files, |f| {
        let text = fs::read_to_string(f).unwrap();
        let unit_type = f.extension().and_then(|e| e.to_str()).unwrap();
        let doc = Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        lint::lint_document(&doc, f, unit_type, target)
    })
    .into_iter()
    .flatten()
    .collect()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn generated_units_agree_with_verify() {
    if !oracle_available() {
        return;
    }
    agree_with_verify(252, |dir, files, file_set| {
        let verified = verify_units(files, file_set, 250);
        let mut silent = silent_drops(dir, files);
        // A line verify complains about is judged against verify (DisableControllers= naming
        // no controller at all).
        silent.retain(|at, _| verified.was_read(&at.0, at.1) && !verified.complaints.contains_key(at));
        (verified, Some(silent))
    });
}

/// The same against Debian 13's systemd 257 (a cached root, `scripts/debian-root trixie`),
/// lint judging at 257. The manager-dump oracle of silent drops is the host's: not used here.
#[test]
fn generated_units_agree_with_verify_257() {
    if !oracle_available() {
        return;
    }
    let Some(oracle) = ReleaseOracle::of(257) else { return };
    agree_with_verify(257, |dir, files, file_set| {
        let staged = oracle.stage(dir);
        let run = |chunk: &[PathBuf]| {
            let units: Vec<PathBuf> = chunk.iter().map(|f| ReleaseOracle::staged_path(dir, &staged, f)).collect();
            let (mut cmd, root) = oracle.analyze_many(&["verify", "--man=no"], &units);
            let out = cmd.env("LC_ALL", "C.UTF-8").env("SYSTEMD_LOG_COLOR", "0").output().expect("run verify");
            let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
            let inside = Path::new("/").join(staged.strip_prefix(&root).unwrap_or(&staged));
            text.replace(&*inside.to_string_lossy(), &dir.to_string_lossy())
        };
        (verify_units_by(files, file_set, 250, run), None)
    });
}

type Oracle<'a> = dyn Fn(&Path, &[PathBuf], &BTreeSet<PathBuf>) -> (Verified, Option<Complaints>) + 'a;

/// Generates units for `release`, asks `oracle` (verify's complaints, and the silent drops
/// when it knows them) and compares lint at that release, line by line.
fn agree_with_verify(
    release: u32,
    oracle: impl Fn(&Path, &[PathBuf], &BTreeSet<PathBuf>) -> (Verified, Option<Complaints>),
) {
    let oracle: &Oracle = &oracle;
    let started = Instant::now();
    let count = env_number("HARDENUNIT_LINT_UNITS", 1500) as usize;
    let seed = env_number("HARDENUNIT_LINT_SEED", 0x5eed_1157);
    let mut rng = Rng(seed);
    let keys = keys(release);
    let dir = tempfile::tempdir().unwrap();
    let dir = fs::canonicalize(dir.path()).unwrap();
    let mut files = Vec::new();
    for i in 0..count {
        let lines = 6 + rng.below(8);
        let (name, text) = generate(&mut rng, &keys, i, lines);
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        files.push(path);
    }
    let seeds = seed_services();
    let mutations = if seeds.is_empty() { 0 } else { (count / 3).max(seeds.len()) };
    let mutated_dir = dir.join("mutated");
    fs::create_dir_all(&mutated_dir).unwrap();
    for i in 0..mutations {
        // An instance, so that the specifiers of a template (%i) stand for something.
        let path = mutated_dir.join(format!("m{i}@x.service"));
        fs::write(&path, mutate(&mut rng, &keys, &seeds[i % seeds.len()])).unwrap();
        files.push(path);
    }
    let file_set: BTreeSet<PathBuf> = files.iter().cloned().collect();
    let verify_started = Instant::now();
    let (verified, silent) = oracle(&dir, &files, &file_set);
    let complaints = &verified.complaints;
    let verify_time = verify_started.elapsed().as_secs_f64();
    let lint_started = Instant::now();
    // Lines after a fatal one are not read by systemd: nothing to compare there.
    let findings: Vec<Finding> =
        lint_files(&files, release).into_iter().filter(|f| verified.was_read(&f.file, f.line)).collect();
    let lint_time = lint_started.elapsed().as_secs_f64();

    // A line systemd drops names from silently is the beyond-verify check's; every other
    // line is judged against verify.
    let no_silent = Complaints::new();
    let silent_known = silent.is_some();
    let silent = silent.unwrap_or_default();
    let silent_only = |f: &Finding| {
        let at = (f.file.clone(), f.line);
        silent.contains_key(&at) && !complaints.contains_key(&at)
    };
    // Not compared in the chroot run (257): a line of those lists verify accepts (no oracle of
    // silent drops there), and an IPv6 sequential packet socket: without /proc in the chroot,
    // 257 believes the kernel has no IPv6 and drops [ADDRESS]:PORT without naming the line.
    let not_comparable_in_chroot = |f: &Finding| {
        let text = fs::read_to_string(&f.file).unwrap_or_default();
        let line = text.lines().nth(f.line - 1).unwrap_or("");
        let silent_list = ["CapabilityBoundingSet=", "AmbientCapabilities=", "SecureBits=", "DisableControllers="]
            .iter()
            .any(|k| line.starts_with(k));
        !complaints.contains_key(&(f.file.clone(), f.line))
            && (silent_list || line.starts_with("ListenSequentialPacket=["))
    };
    let (beyond, verify_findings): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|f| {
        f.tag == "name-dropped-silently" || silent_only(f) || (!silent_known && not_comparable_in_chroot(f))
    });
    let mut against_verify = Tally::default();
    against_verify.compare(complaints, &verify_findings);
    let mut beyond_verify = Tally::default();
    if silent_known {
        beyond_verify.compare(&silent, &beyond);
    } else {
        beyond_verify.compare(&no_silent, &[]);
    }
    let parsers: BTreeSet<&str> = keys.iter().map(|k| k.parser).collect();
    println!(
        "lint at {release} vs systemd-analyze verify ({release}), seed {seed:#x}: {count} generated units + {mutations} \
         mutated real units, {} keys of {} parsers",
        keys.len(),
        parsers.len()
    );
    println!(
        "  verify complaints: recall {:.2}% ({}/{} lines), precision {:.2}% ({}/{} errors)",
        against_verify.recall(),
        against_verify.found,
        against_verify.complaints,
        against_verify.precision(),
        against_verify.true_errors,
        against_verify.errors
    );
    if silent_known {
        println!(
            "  beyond verify (names dropped silently): recall {:.2}% ({}/{}), precision {:.2}% ({}/{})",
            beyond_verify.recall(),
            beyond_verify.found,
            beyond_verify.complaints,
            beyond_verify.precision(),
            beyond_verify.true_errors,
            beyond_verify.errors
        );
    }
    println!("  run time {:.1}s (verify {verify_time:.1}s, lint {lint_time:.1}s)", started.elapsed().as_secs_f64());
    let show = |what: &str, v: &[String]| {
        let shown: Vec<String> = v.iter().take(40).cloned().collect();
        if v.is_empty() {
            String::new()
        } else {
            format!("{what} ({}):\n{}\n", v.len(), shown.join("\n"))
        }
    };
    let report = show("verify complaints lint missed", &against_verify.misses)
        + &show("lint errors on lines verify accepts", &against_verify.false_errors)
        + &show("silent drops lint missed", &beyond_verify.misses)
        + &show("lint errors on lines where systemd keeps every name", &beyond_verify.false_errors);
    assert!(report.is_empty(), "{report}");
}
