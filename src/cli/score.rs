//! `hardenunit score`: the exposure of each unit as `systemd-analyze security` shows it.

use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::render::score_table;
use crate::score;
use crate::unit::{LoadOutcome, Loader};

pub fn run(root: &Option<PathBuf>, units: &[String], json: bool, threshold: Option<u32>) -> i32 {
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
    let mut errors = Vec::new();
    let outcomes: Vec<LoadOutcome> = if units.is_empty() {
        let (found, errs) = loader.discover(&["service"]);
        errors.extend(errs);
        found
    } else {
        units.iter().filter_map(|u| loader.load(u).map_err(|e| errors.push(e)).ok()).collect()
    };
    let shown = |p: &Path| -> PathBuf {
        match root {
            Some(given) => {
                p.strip_prefix(loader.rootfs().dir()).map(|rel| given.join(rel)).unwrap_or_else(|_| p.to_owned())
            }
            None => p.to_owned(),
        }
    };
    let mut scored = Vec::new();
    for o in outcomes {
        match o {
            LoadOutcome::Masked { name, path } => {
                if !json {
                    println!("{name}: masked ({}), not scored", shown(&path).display());
                }
            }
            LoadOutcome::Unit(u) => {
                if let Some(why) = u.refused_by_systemd() {
                    errors.push(crate::unit::LoadError::new(u.path(), why));
                    continue;
                }
                let a = score::assess_loaded(&u, &[]);
                scored.push((a.unit.clone(), shown(u.path()), a));
            }
        }
    }
    if json {
        let list: Vec<serde_json::Value> =
            scored.iter().map(|(name, path, a)| score_table::json(name, &path.display().to_string(), a)).collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for (name, _, a) in &scored {
            print!("{}", score_table::text_with(name, a, score_table::Glyphs::from_env()));
        }
    }
    for e in &errors {
        eprintln!("hardenunit: {}", crate::unit::LoadError { path: shown(&e.path), ..e.clone() });
    }
    if !errors.is_empty() {
        return EXIT_ERROR;
    }
    if threshold.is_some_and(|t| scored.iter().any(|(_, _, a)| a.exposure > t)) {
        return EXIT_FINDINGS;
    }
    EXIT_OK
}
