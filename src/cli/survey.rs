//! `hardenunit report`: the survey of built packages, as a table, JSON and an HTML page.
//!
//! Each package's rows are written out as soon as it is done (the table to stdout, the JSON
//! to its file, the HTML rows to a spill file that follows the page's summary at the end),
//! so a survey of an archive holds no more than a few packages at a time.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Seek, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::{fail, load_policy, systemd_version_of, Layers, EXIT_ERROR, EXIT_OK};
use crate::survey::{self as report, Header, PackageError, PackageResult, Tally};
use crate::unit::LoadError;

pub fn run(
    layers: &Layers,
    profile: Option<String>,
    json: Option<&Path>,
    html: Option<&Path>,
    inputs: &[PathBuf],
) -> i32 {
    steady_heap();
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
    let header = Header { systemd_version: version, profile: policy.profile.clone(), packages: packages.len() };
    let mut out = match Outputs::new(&header, json, html) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    // A bar on a terminal only: a pipe or a log gets none.
    let bar = if io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(packages.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} packages {elapsed}/{eta}") {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut failed: Option<LoadError> = None;
    report::survey(&packages, &policy, version, |result| {
        if failed.is_none() {
            if let Err(e) = bar.suspend(|| out.add(result)) {
                failed = Some(e);
            }
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    if let Some(e) = failed {
        return fail(&e);
    }
    let errors = match out.finish(&header) {
        Ok(errors) => errors,
        Err(e) => return fail(&e),
    };
    for e in &errors {
        eprintln!("hardenunit: {}", e.error);
    }
    if errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

/// Keeps the heap of a long survey from growing with the number of packages. Each package
/// brings a few large buffers that live only while it is read (the xz dictionary, an ELF
/// program whole); glibc raises its mmap threshold to the size of each such buffer freed,
/// so later ones come from the heap, where the small records made meanwhile pin them and
/// the heap grows package after package. A fixed threshold keeps large buffers in their
/// own mappings, given back whole when freed.
fn steady_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter; called before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

/// Where the survey goes as it is made. The JSON and HTML files appear whole at the end
/// (written beside their place, then renamed), or not at all.
struct Outputs {
    table: BufWriter<io::Stdout>,
    json: Option<(PathBuf, BufWriter<NamedTempFile>)>,
    /// The page's rows, until its head (the summary of all units) is known.
    html: Option<(PathBuf, BufWriter<File>)>,
    tally: Tally,
    errors: Vec<PackageError>,
}

impl Outputs {
    fn new(header: &Header, json: Option<&Path>, html: Option<&Path>) -> Result<Outputs, LoadError> {
        let json = match json {
            Some(path) => {
                let mut file = BufWriter::new(temp_beside(path)?);
                file.write_all(report::json_head(header).as_bytes()).map_err(write_error(path))?;
                Some((path.to_owned(), file))
            }
            None => None,
        };
        let html = match html {
            Some(path) => {
                temp_beside(path)?; // fail now, not after the survey, when the page cannot go there
                Some((path.to_owned(), BufWriter::new(tempfile::tempfile().map_err(write_error(path))?)))
            }
            None => None,
        };
        let mut table = BufWriter::new(io::stdout());
        let _ = table.write_all(report::text_head().as_bytes());
        Ok(Outputs { table, json, html, tally: Tally::default(), errors: Vec::new() })
    }

    fn add(&mut self, result: PackageResult) -> Result<(), LoadError> {
        let first = self.tally.units() == 0;
        // stdout may be closed (`| head`): the files are still written.
        let _ = self.table.write_all(report::text_rows(&result.units).as_bytes());
        if let Some((path, file)) = &mut self.json {
            file.write_all(report::json_units(&result.units, first).as_bytes()).map_err(write_error(path))?;
        }
        if let Some((path, file)) = &mut self.html {
            file.write_all(report::html::rows(&result.units).as_bytes()).map_err(write_error(path))?;
        }
        self.tally.add(&result.units);
        self.errors.extend(result.errors);
        Ok(())
    }

    /// Writes the summaries and puts the files in place; the packages' errors are returned.
    fn finish(mut self, header: &Header) -> Result<Vec<PackageError>, LoadError> {
        let summary = self.tally.summary();
        if let Some((path, mut file)) = self.json {
            let tail = report::json_tail(&self.errors, &summary, self.tally.units() > 0);
            file.write_all(tail.as_bytes()).map_err(write_error(&path))?;
            persist(&path, file)?;
        }
        if let Some((path, rows)) = self.html {
            let mut rows = rows.into_inner().map_err(|e| write_error(&path)(e.into_error()))?;
            let mut page = BufWriter::new(temp_beside(&path)?);
            let head = report::html::head(header, &summary, &self.errors, self.tally.units());
            page.write_all(head.as_bytes())
                .and_then(|()| rows.rewind())
                .and_then(|()| io::copy(&mut rows, &mut page).map(drop))
                .and_then(|()| page.write_all(report::html::tail().as_bytes()))
                .map_err(write_error(&path))?;
            persist(&path, page)?;
        }
        let _ = self.table.write_all(report::text_summary(header, &summary).as_bytes());
        let _ = self.table.flush();
        Ok(self.errors)
    }
}

fn write_error(path: &Path) -> impl Fn(io::Error) -> LoadError + '_ {
    move |e| LoadError::new(path, format!("cannot write: {e}"))
}

/// A temporary file in `path`'s directory, to be renamed to `path`.
fn temp_beside(path: &Path) -> Result<NamedTempFile, LoadError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    tempfile::Builder::new().prefix(".hardenunit-").tempfile_in(dir).map_err(write_error(path))
}

fn persist(path: &Path, file: BufWriter<NamedTempFile>) -> Result<(), LoadError> {
    let file = file.into_inner().map_err(|e| write_error(path)(e.into_error()))?;
    file.persist(path).map_err(|e| write_error(path)(e.error))?;
    Ok(())
}
