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
/// program whole). The program's own allocator (mimalloc, src/main.rs) gives freed pages
/// back to the system only after a delay, by which time the next package has taken more:
/// 47 / 56 / 55 MiB peak for the bench's 57 packages once, twice and four times, against
/// 29 / 35 / 36 MiB when it gives them back at once (`RAYON_NUM_THREADS=1 /usr/bin/time -f
/// %M hardenunit report ...`). liblzma's buffers come from glibc's malloc, which raises its
/// mmap threshold to the size of each large buffer freed, so later ones would come from the
/// heap, pinned there by what is allocated meanwhile: a fixed threshold keeps them in their
/// own mappings, given back whole when freed.
fn steady_heap() {
    // SAFETY: sets one option of the allocator, which reads it whenever it frees pages.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter; called before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

/// `mi_option_purge_delay` of mimalloc.h (mimalloc 3.3, libmimalloc-sys 0.1.49), which the
/// Rust bindings do not name: the milliseconds before freed pages are given back.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

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

#[cfg(test)]
mod tests {
    use std::ffi::{c_char, c_void, CStr};

    extern "C" {
        /// mimalloc's listing of its options, `option 'NAME': VALUE` a line.
        fn mi_options_print_out(out: libmimalloc_sys::mi_output_fun, arg: *mut c_void);
    }

    unsafe extern "C" fn append(msg: *const c_char, arg: *mut c_void) {
        let text = &mut *arg.cast::<String>();
        text.push_str(&CStr::from_ptr(msg).to_string_lossy());
    }

    /// The option number is mimalloc's enum order, not a name: a mimalloc that reordered
    /// its options would set another one.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        let mut listing = String::new();
        // SAFETY: the callback only appends to `listing`, which outlives the call.
        unsafe {
            libmimalloc_sys::mi_option_set(super::MI_OPTION_PURGE_DELAY, 4321);
            mi_options_print_out(Some(append), std::ptr::addr_of_mut!(listing).cast());
        }
        assert!(listing.contains("option 'purge_delay': 4321"), "{listing}");
    }
}
