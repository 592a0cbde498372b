//! `systemd-analyze verify` as the oracle of lint: its complaints by file and line, many
//! units per call, and the tally of lint's findings against them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use hardenunit::grammar::{extract_words, WordFlags};
use hardenunit::lint::{Finding, Severity};

/// Complaints by (file, line).
pub type Complaints = BTreeMap<(PathBuf, usize), Vec<String>>;

/// What verify says about a set of units.
#[derive(Default)]
pub struct Verified {
    pub complaints: Complaints,
    /// Units with a fatal setting: systemd stops reading the file at that line.
    pub fatal: BTreeSet<String>,
    /// The last line verify complains about, per file.
    last_complaint: BTreeMap<PathBuf, usize>,
}

impl Verified {
    /// Whether systemd read this line: not when an earlier line of the file was fatal (the
    /// last line verify complains about in a file it stops reading is the fatal one).
    pub fn was_read(&self, file: &Path, line: usize) -> bool {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !self.fatal.contains(name) {
            return true;
        }
        self.last_complaint.get(file).is_none_or(|l| line <= *l)
    }
}

/// Every `FILE:LINE: message` that `systemd-analyze verify` prints about one of `files`,
/// verifying `units` in calls of at most `batch` units.
pub fn verify_units(units: &[PathBuf], files: &BTreeSet<PathBuf>, batch: usize) -> Verified {
    verify_units_by(units, files, batch, |chunk| analyze_verify(chunk, &[]))
}

/// [`verify_units`] with another release's verify: `run` gives its output for some units,
/// naming them by their paths here.
pub fn verify_units_by(
    units: &[PathBuf],
    files: &BTreeSet<PathBuf>,
    batch: usize,
    run: impl Fn(&[PathBuf]) -> String,
) -> Verified {
    let mut verified = Verified::default();
    let complaints = &mut verified.complaints;
    for chunk in units.chunks(batch.max(1)) {
        let text = run(chunk);
        for l in text.lines() {
            if let Some(name) = l.strip_suffix(": Unit configuration has fatal error, unit will not be started.") {
                verified.fatal.insert(name.to_owned());
                continue;
            }
            // A fatal path (PIDFile=) is told this way, and 257's fatal settings the other way.
            let failed = l.strip_prefix("Unit ").and_then(|r| {
                r.split_once(" failed to load properly").or_else(|| r.split_once(" has a bad unit file setting."))
            });
            if let Some((name, _)) = failed {
                verified.fatal.insert(name.to_owned());
                continue;
            }
            let Some((path, rest)) = l.split_once(':') else { continue };
            let Some((num, message)) = rest.split_once(": ") else { continue };
            let Ok(line) = num.parse::<usize>() else { continue };
            if files.contains(Path::new(path)) {
                complaints.entry((PathBuf::from(path), line)).or_default().push(message.to_owned());
            }
        }
    }
    for (file, line) in verified.complaints.keys() {
        let last = verified.last_complaint.entry(file.clone()).or_default();
        *last = (*last).max(*line);
    }
    verified
}

/// The combined output of one `systemd-analyze verify --man=no UNITS...`.
pub fn analyze_verify(units: &[PathBuf], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("systemd-analyze");
    cmd.args(["verify", "--man=no"]).args(units).env("LC_ALL", "C.UTF-8").env("SYSTEMD_LOG_COLOR", "0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run systemd-analyze verify");
    String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout)
}

/// A list whose unknown words systemd drops without a word, and how the manager's dump
/// shows what it kept.
struct SilentList {
    /// The keys of the list.
    keys: &'static [&'static str],
    /// A probe unit's line for one word.
    probe: fn(&str) -> String,
    /// The dump's label of the kept words.
    dumped_as: &'static str,
    flags: WordFlags,
}

const SILENT_LISTS: &[SilentList] = &[
    SilentList {
        keys: &["CapabilityBoundingSet", "AmbientCapabilities"],
        // Quoted, so that a word starting with '~' is read as a name, as it is after the
        // first word of a line.
        probe: |w| format!("AmbientCapabilities=\"{w}\""),
        dumped_as: "AmbientCapabilities:",
        flags: WordFlags::UNQUOTE_RELAX,
    },
    SilentList {
        keys: &["SecureBits"],
        probe: |w| format!("SecureBits={w}"),
        dumped_as: "Secure Bits:",
        flags: WordFlags::UNQUOTE,
    },
    SilentList {
        keys: &["DisableControllers"],
        probe: |w| format!("DisableControllers={w}"),
        dumped_as: "DisableControllers:",
        flags: WordFlags::NONE,
    },
];

/// The words of `list` systemd keeps, per the manager's dump of one unit per word.
fn words_kept(dir: &Path, list: &SilentList, words: &BTreeSet<String>) -> BTreeSet<String> {
    let probe_dir = dir.join(format!("silent-probe-{}", list.keys[0]));
    fs::create_dir_all(&probe_dir).unwrap();
    let mut units = Vec::new();
    let mut by_name = BTreeMap::new();
    for (i, w) in words.iter().enumerate() {
        let name = format!("probe{i}.service");
        let path = probe_dir.join(&name);
        fs::write(&path, format!("[Service]\nExecStart=/bin/true\n{}\n", (list.probe)(w))).unwrap();
        units.push(path);
        by_name.insert(name, w.clone());
    }
    let mut kept = BTreeSet::new();
    for chunk in units.chunks(100) {
        let out = analyze_verify(chunk, &[("SYSTEMD_LOG_LEVEL", "debug")]);
        let mut current: Option<&String> = None;
        for line in out.lines() {
            let t = line.trim();
            if let Some(name) = t.strip_prefix("-> Unit ").and_then(|n| n.strip_suffix(':')) {
                current = by_name.get(name);
            } else if t.starts_with(list.dumped_as) && t.len() > list.dumped_as.len() {
                if let Some(w) = current {
                    kept.insert(w.clone());
                }
            }
        }
    }
    kept
}

/// Lines of `files` where systemd drops a name silently (capabilities, secure bits, cgroup
/// controllers): the oracle of lint's beyond-verify check. `dir` holds the probe units.
pub fn silent_drops(dir: &Path, files: &[PathBuf]) -> Complaints {
    let mut out = Complaints::new();
    for list in SILENT_LISTS {
        let mut lines = Vec::new();
        for f in files {
            let text = fs::read_to_string(f).unwrap();
            for (i, l) in text.lines().enumerate() {
                if let Some((_, value)) = l.split_once('=').filter(|(k, _)| list.keys.contains(k)) {
                    let value = if list.keys[0] == "CapabilityBoundingSet" {
                        value.strip_prefix('~').unwrap_or(value)
                    } else {
                        value
                    };
                    lines.push((f.clone(), i + 1, extract_words(value, list.flags)));
                }
            }
        }
        let all: BTreeSet<String> =
            lines.iter().flat_map(|(_, _, w)| w.iter().cloned()).filter(|w| !w.contains(['"', '\\'])).collect();
        let kept = words_kept(dir, list, &all);
        for (f, line, words) in lines {
            let dropped: Vec<String> = words.into_iter().filter(|w| !kept.contains(w)).collect();
            if !dropped.is_empty() {
                out.insert((f, line), vec![format!("silently dropped: {}", dropped.join(" "))]);
            }
        }
    }
    out
}

/// Lint against the oracle, line by line.
#[derive(Default)]
pub struct Tally {
    /// Lines the oracle complains about.
    pub complaints: usize,
    /// Of those, lines lint reports (any severity).
    pub found: usize,
    /// Lint errors.
    pub errors: usize,
    /// Of those, errors on a line the oracle complains about.
    pub true_errors: usize,
    pub misses: Vec<String>,
    pub false_errors: Vec<String>,
}

impl Tally {
    pub fn compare(&mut self, complaints: &Complaints, findings: &[Finding]) {
        let reported: BTreeSet<(PathBuf, usize)> = findings.iter().map(|f| (f.file.clone(), f.line)).collect();
        for (key, messages) in complaints {
            self.complaints += 1;
            if reported.contains(key) {
                self.found += 1;
            } else {
                self.misses.push(format!("{}:{}: {}", key.0.display(), key.1, messages.join(" | ")));
            }
        }
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            self.errors += 1;
            if complaints.contains_key(&(f.file.clone(), f.line)) {
                self.true_errors += 1;
            } else {
                self.false_errors.push(f.to_string());
            }
        }
    }

    /// Share of complained-about lines lint reports, in percent.
    pub fn recall(&self) -> f64 {
        percent(self.found, self.complaints)
    }

    /// Share of lint errors on lines the oracle complains about, in percent.
    pub fn precision(&self) -> f64 {
        percent(self.true_errors, self.errors)
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}
