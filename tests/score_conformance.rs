//! The exposure score against the real `systemd-analyze security --offline=true` of each
//! supported release (252, 257 and 262, the latter two from cached Debian roots, see
//! tests/common/releases.rs), each compared with `hardenunit`'s score for that release:
//! for every fixture under tests/fixtures/score and, when ../shared/corpus exists, every
//! regular *.service directly in a corpus */.../systemd/system/ directory, the overall
//! exposure, every row's exposure or N/A (from `--json=short`) and the whole text table must
//! be the same (for fixtures in all three glyph sets: emoji, UTF-8 without emoji, ASCII);
//! a unit systemd refuses to load must be refused too.
//!
//! Without systemd-analyze the test fails, unless HARDENUNIT_SKIP_ORACLE=1.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;

use common::oracle_available;
use hardenunit::render::score_table::{self, Glyphs};
use hardenunit::score::{self, Assessment};
use hardenunit::unit::{LoadOutcome, Loader};

#[path = "common/releases.rs"]
mod releases;
use releases::ReleaseOracle;

struct Oracle {
    ok: bool,
    text: String,
    /// json_field → exposure text ("0.2"), "" for a good row, "n/a" for N/A.
    rows: BTreeMap<String, String>,
    stderr: String,
}

/// systemd-analyze in an environment that makes it pick `glyphs`.
fn run_oracle(release: &ReleaseOracle, path: &Path, extra: &[&str], glyphs: Glyphs) -> std::process::Output {
    let mut args = vec!["security", "--offline=true", "--no-pager"];
    args.extend_from_slice(extra);
    let mut cmd = release.analyze(&args, path);
    for var in ["SYSTEMD_ANALYZE_DEBUG", "SYSTEMD_EMOJI", "SYSTEMD_UTF8", "LANG", "LC_CTYPE", "TERM"] {
        cmd.env_remove(var);
    }
    match glyphs {
        Glyphs::Emoji => cmd.env("LC_ALL", "C.UTF-8").env("TERM", "xterm"),
        Glyphs::Utf8 => cmd.env("LC_ALL", "C.UTF-8"),
        Glyphs::Ascii => cmd.env("LC_ALL", "C").env("TERM", "xterm"),
    };
    cmd.output().expect("run systemd-analyze")
}

fn oracle(release: &ReleaseOracle, path: &Path) -> Oracle {
    let text = run_oracle(release, path, &[], Glyphs::Emoji);
    let js = run_oracle(release, path, &["--json=short"], Glyphs::Emoji);
    let mut rows = BTreeMap::new();
    if let Ok(serde_json::Value::Array(items)) = serde_json::from_slice::<serde_json::Value>(&js.stdout) {
        for r in items {
            let field = r["json_field"].as_str().unwrap_or_default().to_owned();
            let v = match (&r["set"], &r["exposure"]) {
                (serde_json::Value::Null, serde_json::Value::Null) => "n/a".to_owned(),
                (_, serde_json::Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            rows.insert(field, v);
        }
    }
    Oracle {
        ok: text.status.success() && js.status.success(),
        text: String::from_utf8_lossy(&text.stdout).into_owned(),
        rows,
        stderr: String::from_utf8_lossy(&text.stderr).into_owned(),
    }
}

fn ours(version: u32, path: &Path) -> Result<Assessment, String> {
    let loader = Loader::new(None).map_err(|e| e.to_string())?;
    match loader.load(path.to_str().expect("utf-8 path")).map_err(|e| e.to_string())? {
        LoadOutcome::Unit(u) => {
            let a = score::assess_loaded(version, &u, &[]);
            match a.refusal {
                Some(r) => Err(r.to_string()),
                None => Ok(a),
            }
        }
        LoadOutcome::Masked { .. } => Err("masked".to_owned()),
    }
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/score");
    let mut out = Vec::new();
    collect(&dir, &mut |p| {
        let in_dropin_dir =
            p.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".d"));
        let is_unit = p.extension().and_then(|e| e.to_str()).is_some_and(|e| e != "conf" && e != "md");
        if is_unit && !in_dropin_dir {
            out.push(p.to_owned());
        }
    });
    out.sort();
    out
}

/// ../shared/corpus, or HARDENUNIT_CORPUS.
fn corpus_dir() -> PathBuf {
    std::env::var_os("HARDENUNIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

fn corpus_services() -> Vec<PathBuf> {
    let corpus = corpus_dir();
    let mut out = Vec::new();
    if !corpus.is_dir() {
        return out;
    }
    collect(&corpus, &mut |p| {
        let meta = std::fs::symlink_metadata(p).expect("stat");
        let in_unit_dir = p.parent().is_some_and(|d| d.ends_with("systemd/system"));
        if meta.file_type().is_file() && in_unit_dir && p.extension().is_some_and(|e| e == "service") {
            out.push(p.to_owned());
        }
    });
    out.sort();
    out
}

fn collect(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if std::fs::symlink_metadata(&p).map(|m| m.is_dir()).unwrap_or(false) {
            collect(&p, f);
        } else {
            f(&p);
        }
    }
}

#[derive(Default)]
struct Tally {
    units: usize,
    units_ok: usize,
    rows: usize,
    rows_ok: usize,
    texts: usize,
    texts_ok: usize,
    mismatches: Vec<String>,
}

impl Tally {
    /// Compares hardenunit's score of `path` with the oracle's of `staged`, its copy.
    fn check(&mut self, release: &ReleaseOracle, path: &Path, staged: &Path, all_glyphs: bool) {
        let want = oracle(release, staged);
        let got = ours(release.version, path);
        self.units += 1;
        let a = match (&got, want.ok) {
            (Ok(a), true) => a,
            (Err(_), false) => {
                self.units_ok += 1;
                return;
            }
            (Ok(a), false) => {
                let first = want.stderr.lines().last().unwrap_or_default().to_owned();
                self.mismatches.push(format!(
                    "{}: systemd-analyze refuses it ({first}), hardenunit scores {}",
                    path.display(),
                    a.exposure_text()
                ));
                return;
            }
            (Err(e), true) => {
                self.mismatches.push(format!("{}: systemd-analyze scores it, hardenunit: {e}", path.display()));
                return;
            }
        };
        let overall = want.text.lines().last().and_then(|l| l.split(": ").nth(1)).and_then(|s| s.split(' ').next());
        let unit_ok = overall == Some(a.exposure_text().as_str());
        if !unit_ok {
            self.mismatches.push(format!(
                "{}: overall systemd-analyze {:?} hardenunit {}",
                path.display(),
                overall,
                a.exposure_text()
            ));
        }
        let mut rows_ok = true;
        for (field, expected) in &want.rows {
            self.rows += 1;
            let mine = match a.row(field) {
                None => "missing".to_owned(),
                Some(r) if r.badness.is_none() => "n/a".to_owned(),
                Some(r) => a.row_exposure(r).map(score::tenths).unwrap_or_default(),
            };
            if &mine == expected {
                self.rows_ok += 1;
            } else {
                rows_ok = false;
                self.mismatches
                    .push(format!("{}: row {field}: systemd-analyze {expected:?} hardenunit {mine:?}", path.display()));
            }
        }
        self.units_ok += usize::from(unit_ok && rows_ok && want.rows.len() == a.rows.len());
        self.compare_text(path, &want.text, &score_table::text(&a.unit, a));
        if all_glyphs {
            for glyphs in [Glyphs::Utf8, Glyphs::Ascii] {
                let other = String::from_utf8_lossy(&run_oracle(release, staged, &[], glyphs).stdout).into_owned();
                self.compare_text(path, &other, &score_table::text_with(&a.unit, a, glyphs));
            }
        }
    }

    fn compare_text(&mut self, path: &Path, want: &str, text: &str) {
        self.texts += 1;
        if text == want {
            self.texts_ok += 1;
        } else {
            let diff: Vec<String> = similar::TextDiff::from_lines(want, text)
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .take(6)
                .map(|c| format!("  {}{}", c.tag(), c.value().trim_end()))
                .collect();
            self.mismatches.push(format!(
                "{}: text differs (- systemd-analyze, + hardenunit):\n{}",
                path.display(),
                diff.join("\n")
            ));
        }
    }
}

#[test]
fn score_matches_systemd_analyze() {
    if !oracle_available() {
        return;
    }
    let fixtures = fixtures();
    assert!(fixtures.len() >= 40, "expected the score fixtures, found {}", fixtures.len());
    let fixture_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/score");
    let corpus_dir = corpus_dir();
    let corpus = corpus_services();
    let mut failed = 0;
    for release in ReleaseOracle::all() {
        let mut tally = Tally::default();
        let staged_fixtures = release.stage(&fixture_dir);
        for p in &fixtures {
            tally.check(&release, p, &ReleaseOracle::staged_path(&fixture_dir, &staged_fixtures, p), true);
        }
        if !corpus.is_empty() {
            let staged_corpus = release.stage(&corpus_dir);
            for p in &corpus {
                tally.check(&release, p, &ReleaseOracle::staged_path(&corpus_dir, &staged_corpus, p), false);
            }
        }
        for m in &tally.mismatches {
            eprintln!("MISMATCH systemd {}: {m}", release.version);
        }
        eprintln!(
            "score conformance, systemd {} ({}): {}/{} units, {}/{} rows, {}/{} texts ({} fixtures, {} corpus services)",
            release.version,
            release.suite,
            tally.units_ok,
            tally.units,
            tally.rows_ok,
            tally.rows,
            tally.texts_ok,
            tally.texts,
            fixtures.len(),
            corpus.len()
        );
        failed += tally.mismatches.len();
    }
    assert_eq!(failed, 0, "{failed} mismatches with systemd-analyze");
}
