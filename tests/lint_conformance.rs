//! Lint against the oracle: the real `systemd-analyze verify` of systemd 252 says which lines it
//! ignores or rejects; lint must report each of them at the same line (no miss), and every lint
//! error must be a line systemd complains about (no false error), on units written here to
//! exercise every check and on the real units of ../shared/corpus when it exists.
//!
//! Needs systemd-analyze; set HARDENUNIT_SKIP_ORACLE=1 to skip where it cannot run.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::lint_oracle::{silent_drops, Complaints, Tally};
use common::oracle_available;
use hardenunit::lint::{self, LintRun, Severity};
use hardenunit::unit::UnitName;

/// Messages of systemd's config parsers about a key or value (src/shared/conf-parser.c,
/// src/core/load-fragment.c); other messages (a missing binary, a refused unit) are not lint's.
const KEY_VALUE_KINDS: &[&str] = &[
    "Unknown key",
    "Unknown section",
    "Failed to",
    "ignoring",
    "Ignoring",
    "deprecated",
    "please use",
    "obsolete",
    "Missing",
    "Assignment outside",
    "Invalid",
    "has been removed",
    "path is",
    "not supported",
    "Unbalanced",
    "Bad characters",
];

/// `systemd-analyze verify` complaints about key/value lines of the unit's own files (its file
/// and its drop-ins beside it), by file and line. verify also loads the units it depends on and
/// complains about them; those are judged when they are verified themselves.
fn verify(unit: &Path) -> Complaints {
    let dir = unit.parent().unwrap();
    let name = UnitName::parse(unit.file_name().unwrap().to_str().unwrap()).unwrap();
    let own_dirs: Vec<PathBuf> = name.dropin_dir_names().iter().map(|d| dir.join(d)).collect();
    let is_own = |p: &Path| p == unit || p.parent().is_some_and(|d| own_dirs.iter().any(|o| o == d));
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(unit)
        .env("LC_ALL", "C.UTF-8")
        .env("SYSTEMD_LOG_COLOR", "0")
        .output()
        .expect("run systemd-analyze verify");
    let mut complaints = Complaints::new();
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    for l in text.lines() {
        let Some((path, rest)) = l.split_once(':') else { continue };
        let Some((num, message)) = rest.split_once(": ") else { continue };
        let (Ok(line), true) = (num.parse::<usize>(), path.starts_with('/')) else { continue };
        if !is_own(Path::new(path)) {
            continue;
        }
        if KEY_VALUE_KINDS.iter().any(|k| message.contains(k)) {
            complaints.entry((PathBuf::from(path), line)).or_default().push(message.to_owned());
        } else {
            eprintln!("  (not a key/value complaint, left out) {l}");
        }
    }
    complaints
}

/// What verify complains about, and the lines where systemd drops capability names without a
/// word (lint's documented beyond-verify check), for one unit file.
fn oracle(unit: &Path, probe_dir: &Path) -> Complaints {
    let mut complaints = verify(unit);
    for (at, why) in silent_drops(probe_dir, &[unit.to_owned()]) {
        complaints.entry(at).or_default().extend(why);
    }
    complaints
}

fn lint_file(path: &Path, target: u32) -> LintRun {
    let run = lint::run_lint(None, &[path.to_string_lossy().into_owned()], target, true);
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    run
}

const EXEC: &str = "ExecStart=/bin/true\n";

/// Units written to exercise every check, each with what systemd 252 makes of it.
fn bad_units() -> Vec<(&'static str, String)> {
    let service = format!(
        "Stray=1\n\
         [Unit]\n\
         Description=every kind of line systemd drops\n\
         After=network.target # start late\n\
         Documentation=man:foo(8) # the manual\n\
         ConditionPathExists=/etc/foo # only when configured\n\
         WantedBy=multi-user.target\n\
         StartLimitInterval=10\n\
         BindTo=dbus.service\n\
         StartLimitBurst=5 # times\n\
         [Service]\n\
         {EXEC}\
         RestrictSUIDGUID=yes\n\
         ProtectKernelTunable=yes\n\
         privatenetwork=yes\n\
         ListenStream=80\n\
         Description=wrong section\n\
         PrivateTmp=yes   # Use dedicated /tmp\n\
         ProtectControlGroups=                 # Service may modify the control group file system\n\
         ProtectHome=\n\
         ProtectSystem=bogus\n\
         ProtectProc=yes\n\
         ProcSubset=everything\n\
         KeyringMode=public\n\
         NotifyAccess=some\n\
         Type=notify-reload\n\
         Restart=on-failure # always\n\
         UMask=0999\n\
         UMask=\n\
         RestartSec=5 # seconds\n\
         TimeoutStopSec=\n\
         NoNewPrivileges=\n\
         Capabilities=cap_net_raw+ep\n\
         NetClass=1\n\
         LogsDirectory=/myserv\n\
         StateDirectory=myserv   # /var/lib/<name>\n\
         RuntimeDirectory=../escape private\n\
         ConfigurationDirectory=a:b\n\
         ReadWritePaths=/var/lib/foo relative # c\n\
         Environment=A=1 # note\n\
         SystemCallArchitectures=native # only\n\
         RestrictNamespaces=yes # none\n\
         RestrictAddressFamilies=AF_UNIX ~AF_INET\n\
         SystemCallErrorNumber=EPERM # as usual\n\
         SystemCallErrorNumber=\n\
         KillSignal=SIG TERM\n\
         ReadOnlyDirectories=/\n\
         ReadWriteDirectories=/var/lib/myserv\n\
         InaccessibleDirectories=/srv\n\
         PermissionsStartOnly=true\n\
         MemoryLimit=1G\n\
         CPUShares=100\n\
         BlockIOWeight=500\n\
         StandardOutput=syslog\n\
         StandardError=syslog+console\n\
         KillMode=none\n\
         PIDFile=/var/run/myserv.pid\n\
         SystemCallFilter=@system-service\n\
         ProtectSystem=strict\n\
         PrivatePIDs=yes\n\
         User=nobody # the user\n\
         CapabilityBoundingSet=CAP_SYS_NIC CAP_KILL\n\
         AmbientCapabilities=CAP_NET_ADMINN\n\
         nonsense\n\
         =x\n\
         [Socket]\n\
         Accept=yes\n\
         [service]\n\
         PrivateTmp=yes\n\
         [X-Private]\n\
         Anything=goes\n\
         [Frobnicate]\n\
         Key=value\n\
         [Install]\n\
         WantedBy=multi-user.target # boot\n\
         Foo=bar\n"
    );
    vec![
        ("everything.service", service),
        ("header.service", "[Unit\nDescription=broken header\n[Service]\nExecStart=/bin/true\n".into()),
        ("continued.service", format!("[Service]\n{EXEC}PrivateTmp=yes \\\n  # inside\n  no\nProtectHome=read-only\n")),
        (
            "listen.socket",
            "[Socket]\nListenStream=/var/run/listen.sock\nAccept=maybe\nBacklog=lots\nSocketMode=0888\n\
             ExecStart=/bin/true\nDirectoryMode=0755 # dirs\n[Service]\nPrivateTmp=yes\n"
                .into(),
        ),
        (
            "tick.timer",
            "[Timer]\nOnCalendar=daily\nPersistent=true # catch up\nAccuracySec=1h # loose\nRandomizedDelaySec=\n\
             Unit=tick.service\nWakeSystem=sometimes\n"
                .into(),
        ),
        (
            "mnt-data.mount",
            "[Mount]\nWhat=/dev/sdx1\nWhere=/mnt/data\nLazyUnmount=maybe\nDirectoryMode=999\nProtectSystem=yes # ok\n"
                .into(),
        ),
        ("watch.path", "[Path]\nPathExists=/etc/watch\nMakeDirectory=perhaps\nTriggerLimitBurst=-3\n".into()),
        ("with-dropin.service", format!("[Unit]\nDescription=main file is clean\n[Service]\n{EXEC}")),
        (
            "with-dropin.service.d/10-bad.conf",
            "[Service]\nPrivateTmp=yes # in a drop-in\nProtectHome=tmpfs\nProtectClock=on\n".into(),
        ),
    ]
}

fn write_units(dir: &Path) -> Vec<PathBuf> {
    let mut units = Vec::new();
    for (name, text) in bad_units() {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        if !name.ends_with(".conf") {
            units.push(path);
        }
    }
    units
}

fn corpus_units(corpus: &Path) -> Vec<PathBuf> {
    const TYPES: &[&str] = &["service", "socket", "timer", "path", "mount", "automount", "swap", "target", "slice"];
    let mut out = Vec::new();
    let mut stack = vec![corpus.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let ft = entry.file_type().unwrap();
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if TYPES.contains(&ext) {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn lint_finds_what_verify_complains_about_and_nothing_it_accepts() {
    if !oracle_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir_path = fs::canonicalize(dir.path()).unwrap();
    let probe = tempfile::tempdir().unwrap();
    let mut generated = Tally::default();
    let mut tags = BTreeSet::new();
    for unit in write_units(&dir_path) {
        let complaints = oracle(&unit, probe.path());
        let run = lint_file(&unit, 252);
        tags.extend(run.findings.iter().map(|f| f.tag));
        generated.compare(&complaints, &run.findings);
    }
    // Releases older than the oracle: lint alone (systemd 252 knows all of these).
    let old = dir_path.join("old-target.service");
    fs::write(&old, format!("[Service]\n{EXEC}ProtectClock=yes\nProtectSystem=strict\n")).unwrap();
    let old_run = lint_file(&old, 231);
    let old_tags: Vec<_> = old_run.findings.iter().map(|f| (f.line, f.tag)).collect();
    assert_eq!(old_tags, vec![(3, "key-newer-than-target"), (4, "value-newer-than-target")]);
    tags.extend(old_run.findings.iter().map(|f| f.tag));

    let unused: Vec<_> = lint::TAGS.iter().filter(|t| !tags.contains(*t)).collect();
    assert!(unused.is_empty(), "checks the generated units do not exercise: {unused:?}");
    assert!(generated.misses.is_empty(), "verify complaints lint missed:\n{}", generated.misses.join("\n"));
    assert!(
        generated.false_errors.is_empty(),
        "lint errors verify does not complain about:\n{}",
        generated.false_errors.join("\n")
    );

    let corpus = common::corpus_dir();
    let mut on_corpus = Tally::default();
    let mut corpus_files = 0;
    if corpus.is_dir() {
        let corpus = fs::canonicalize(corpus).unwrap();
        for unit in corpus_units(&corpus) {
            corpus_files += 1;
            on_corpus.compare(&oracle(&unit, probe.path()), &lint_file(&unit, 252).findings);
        }
        assert!(
            on_corpus.false_errors.is_empty(),
            "false errors on the corpus:\n{}",
            on_corpus.false_errors.join("\n")
        );
        assert!(
            on_corpus.misses.is_empty(),
            "verify complaints on the corpus lint missed:\n{}",
            on_corpus.misses.join("\n")
        );
    }
    println!(
        "lint vs verify: {}/{} complaints found, {} false errors on {} generated units; \
         {}/{} complaints found, {} false errors on {} corpus files",
        generated.found,
        generated.complaints,
        generated.false_errors.len(),
        bad_units().len(),
        on_corpus.found,
        on_corpus.complaints,
        on_corpus.false_errors.len(),
        corpus_files
    );
}

fn exposure(unit: &Path) -> f64 {
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(unit)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run systemd-analyze security");
    let text = String::from_utf8_lossy(&out.stdout);
    let at = text.find("Overall exposure level for ").expect("an overall exposure line");
    let rest = &text[at..];
    let value = rest.split(": ").nth(1).and_then(|v| v.split_whitespace().next()).expect("a number");
    value.parse().expect("exposure is a number")
}

#[test]
fn the_how_to_example_is_repaired_by_fix() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/myserv.service");
    let dir = tempfile::tempdir().unwrap();
    let before_path = fs::canonicalize(dir.path()).unwrap().join("before/myserv.service");
    let after_path = before_path.parent().unwrap().parent().unwrap().join("after/myserv.service");
    fs::create_dir_all(before_path.parent().unwrap()).unwrap();
    fs::create_dir_all(after_path.parent().unwrap()).unwrap();
    fs::copy(&fixture, &before_path).unwrap();

    let run = lint_file(&before_path, 252);
    let comment_errors: BTreeSet<usize> = run
        .findings
        .iter()
        .filter(|f| f.tag == "value-has-trailing-comment" && f.severity == Severity::Error)
        .map(|f| f.line)
        .collect();
    // The how-to's own boolean and ProtectSystem= lines, each dropped by systemd.
    for line in [19, 20, 21, 22, 23, 24, 25, 26, 27] {
        assert!(comment_errors.contains(&line), "no trailing-comment error on line {line}: {comment_errors:?}");
    }
    assert_eq!(run.fixes.len(), 1);
    let fixed = &run.fixes[0].after;
    fs::write(&after_path, fixed).unwrap();
    let again = lint_file(&after_path, 252);
    assert!(again.fixes.is_empty(), "fixing twice changed something: {:?}", again.fixes);
    assert!(!again.findings.iter().any(|f| f.autofix), "left behind: {:?}", again.findings);

    if !oracle_available() {
        return;
    }
    // Every line systemd still drops after the fix is one lint still reports.
    let probe = tempfile::tempdir().unwrap();
    let mut tally = Tally::default();
    tally.compare(&oracle(&before_path, probe.path()), &run.findings);
    tally.compare(&oracle(&after_path, probe.path()), &again.findings);
    assert!(tally.misses.is_empty() && tally.false_errors.is_empty(), "{:?} {:?}", tally.misses, tally.false_errors);
    let (before, after) = (exposure(&before_path), exposure(&after_path));
    println!("how-to example: exposure {before} before lint --fix, {after} after");
    assert!(before >= 6.0, "{before}");
    assert!(after < 5.0, "{after}");
}
