//! `hardenunit score`: the exposure of each unit as `systemd-analyze security` shows it.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::render::score_table;
use crate::score;
use crate::unit::{LoadError, LoadOutcome, Loader};

/// Scores as systemd `version`'s systemd-analyze does.
/// Each of `roots` (None: the host) is scored in turn; a package's units are named after it.
pub fn run(roots: &[Option<PathBuf>], units: &[String], json: bool, threshold: Option<u32>, version: u32) -> i32 {
    if units.is_empty() && roots.iter().all(Option::is_none) {
        eprintln!("hardenunit score: name unit files, packages, or a build root with --root DIR (see --help)");
        return EXIT_ERROR;
    }
    let mut out = BufWriter::with_capacity(64 * 1024, raw_stdout());
    let mut tally = Tally::default();
    for root in roots {
        score_root(root.as_deref(), units, json, threshold, version, &mut out, &mut tally);
    }
    if json {
        let _ = out.write_all(if tally.scored == 0 { b"[]\n" } else { b"]\n" });
    }
    let _ = out.flush();
    drop(out);
    for e in &tally.errors {
        eprintln!("hardenunit: {e}");
    }
    if tally.failed {
        return EXIT_ERROR;
    }
    if tally.above_threshold {
        return EXIT_FINDINGS;
    }
    EXIT_OK
}

/// Standard output without its line buffer: writing a corpus's JSON (one line of megabytes)
/// through it searched every buffered chunk for a newline. Everything `score` prints goes
/// through one writer, so nothing else is buffered for standard output meanwhile.
fn raw_stdout() -> Box<dyn Write> {
    use std::os::fd::AsFd;
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout().lock()),
    }
}

#[derive(Default)]
struct Tally {
    scored: usize,
    above_threshold: bool,
    failed: bool,
    errors: Vec<LoadError>,
}

fn score_root(
    root: Option<&Path>,
    units: &[String],
    json: bool,
    threshold: Option<u32>,
    version: u32,
    out: &mut impl Write,
    tally: &mut Tally,
) {
    let package = root.filter(|r| crate::package::Format::of(r).is_some());
    let loader = match Loader::new(root) {
        Ok(l) => l,
        Err(e) => {
            tally.errors.push(e);
            tally.failed = true;
            return;
        }
    };
    let (outcomes, load_errors, display) = loader.select(units, &["service"]).into_parts();
    // Each unit is scored and written out, then dropped: nothing of a unit is kept but its
    // exposure. Errors are reported after the output, the ones of loading first.
    let mut refusals: Vec<LoadError> = Vec::new();
    let glyphs = score_table::Glyphs::from_env();
    // A masked unit is one systemd will not load: named on the command line it is an error
    // (systemd-analyze prints "Unit NAME is masked." and fails); found while scanning a
    // root it is only noted, since packages ship masks on purpose.
    let named = !units.is_empty();
    let mut masked: Vec<LoadError> = Vec::new();
    for o in outcomes {
        match o {
            LoadOutcome::Masked { name, path } => {
                masked.push(LoadError::new(&path, format!("unit {name} is masked, not scored")));
            }
            LoadOutcome::Unit(u) => {
                // One assessment both decides whether systemd refuses the unit and scores it.
                let a = score::assess_loaded(version, &u, &[]);
                if let Some(refusal) = &a.refusal {
                    refusals.push(LoadError::new(u.path(), refusal.text()));
                    continue;
                }
                tally.above_threshold |= threshold.is_some_and(|t| a.exposure > t);
                if json {
                    let path = display.show(u.path()).display().to_string();
                    let _ = out.write_all(if tally.scored == 0 { b"[" } else { b"," });
                    let _ = match package {
                        // The fast path, for the common case: no package to name.
                        None => score_table::write_json(&mut *out, &a.unit, u.scope, &path, &a),
                        Some(_) => {
                            let item = score_table::json_object(&a.unit, u.scope, &path, &a);
                            serde_json::to_writer(&mut *out, &super::packages::InPackage { package, item })
                                .map_err(std::io::Error::from)
                        }
                    };
                } else {
                    if let Some(p) = package {
                        let _ = writeln!(out, "{}:", p.display());
                    }
                    let _ = out.write_all(score_table::text_with(&a.unit, &a, glyphs).as_bytes());
                }
                tally.scored += 1;
            }
        }
    }
    tally.failed |= !load_errors.is_empty() || !refusals.is_empty() || (named && !masked.is_empty());
    for e in load_errors.iter().chain(&refusals).chain(&masked) {
        let shown = LoadError { path: display.show(&e.path), ..e.clone() };
        tally.errors.push(crate::package::in_package(package, shown));
    }
}
