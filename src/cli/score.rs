//! `hardenunit score`: the exposure of each unit as `systemd-analyze security` shows it.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::render::score_table;
use crate::score;
use crate::unit::{LoadError, LoadOutcome, Loader};

/// Scores as systemd `version`'s systemd-analyze does.
pub fn run(root: &Option<PathBuf>, units: &[String], json: bool, threshold: Option<u32>, version: u32) -> i32 {
    if units.is_empty() && root.is_none() {
        eprintln!("hardenunit score: name unit files, or a build root with --root DIR (see --help)");
        return EXIT_ERROR;
    }
    let loader = match Loader::new(root.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("hardenunit: {e}");
            return EXIT_ERROR;
        }
    };
    let (outcomes, load_errors, display) = loader.select(units, &["service"]).into_parts();
    // Each unit is scored and written out, then dropped: nothing of a unit is kept but its
    // exposure. Errors are reported after the output, the ones of loading first.
    let mut refusals: Vec<LoadError> = Vec::new();
    let mut above_threshold = false;
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let glyphs = score_table::Glyphs::from_env();
    let mut scored = 0usize;
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
                above_threshold |= threshold.is_some_and(|t| a.exposure > t);
                if json {
                    let path = display.show(u.path()).display().to_string();
                    let _ = out.write_all(if scored == 0 { b"[" } else { b"," });
                    let _ = score_table::write_json(&mut out, &a.unit, &path, &a);
                } else {
                    let _ = out.write_all(score_table::text_with(&a.unit, &a, glyphs).as_bytes());
                }
                scored += 1;
            }
        }
    }
    if json {
        let _ = out.write_all(if scored == 0 { b"[]\n" } else { b"]\n" });
    }
    let _ = out.flush();
    drop(out);
    for e in load_errors.iter().chain(&refusals).chain(&masked) {
        eprintln!("hardenunit: {}", LoadError { path: display.show(&e.path), ..e.clone() });
    }
    if !load_errors.is_empty() || !refusals.is_empty() || (named && !masked.is_empty()) {
        return EXIT_ERROR;
    }
    if above_threshold {
        return EXIT_FINDINGS;
    }
    EXIT_OK
}
