//! `hardenunit report`: the survey of built packages, as a table, JSON and an HTML page.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{fail, load_policy, systemd_version_of, Layers, EXIT_ERROR, EXIT_OK};
use crate::survey as report;
use crate::unit::LoadError;

pub fn run(
    layers: &Layers,
    profile: Option<String>,
    json: Option<&Path>,
    html: Option<&Path>,
    inputs: &[PathBuf],
) -> i32 {
    let (policy, _) = match load_policy(layers, profile, None) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let version = systemd_version_of(&policy);
    let (packages, udebs) = match report::collect_packages(inputs) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if udebs > 0 {
        eprintln!("hardenunit: note: {udebs} installer package(s) (.udeb) skipped");
    }
    // A bar on a terminal only: a pipe or a log gets none.
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(packages.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} packages {elapsed}/{eta}") {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let result = report::survey(&packages, &policy, version, &|| bar.inc(1));
    bar.finish_and_clear();
    let mut outputs: Vec<(&Path, String)> = Vec::new();
    if let Some(p) = json {
        let mut text = serde_json::to_string_pretty(&result).unwrap_or_default();
        text.push('\n');
        outputs.push((p, text));
    }
    if let Some(p) = html {
        outputs.push((p, report::html::page(&result)));
    }
    for (path, text) in outputs {
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            return fail(&e);
        }
    }
    let _ = std::io::stdout().lock().write_all(report::text(&result).as_bytes());
    for e in &result.errors {
        eprintln!("hardenunit: {}", e.error);
    }
    if result.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

/// The report file, written whole or not at all.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    let err = |e: std::io::Error| LoadError::new(path, format!("cannot write: {e}"));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".hardenunit-").tempfile_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
