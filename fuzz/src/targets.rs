//! The fuzz targets: one function per target, each panicking when an invariant breaks.
//! The AFL binaries (fuzz/src/bin/) call them on AFL's inputs; tests/fuzz_seeds.rs calls
//! them on the committed seeds in plain `cargo test`, so CI needs no AFL.

use std::fs;
use std::path::{Path, PathBuf};

use hardenunit::engine::{self, Request};
use hardenunit::policy::{Overrides, Policy};
use hardenunit::unit::Document;

/// The writer target's input: a unit, then optionally this line and a policy.
pub const POLICY_SEPARATOR: &str = "\n#--- policy ---\n";

/// The unit parser: whatever it accepts prints back byte for byte, and every entry's value
/// is a single line (continuations joined).
pub fn unit_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = Document::parse(text) else { return };
    assert_eq!(doc.to_string(), text, "an unedited document prints its own bytes");
    for e in doc.entries() {
        assert!(!e.value.contains('\n'), "a value spans lines: {:?}", e.value);
        assert!(e.line >= 1 && e.line <= doc.line_count().max(1));
    }
    let assignments: Vec<_> =
        doc.entries().map(|e| hardenunit::unit::Assignment::planned(&e.section, &e.key, &e.value)).collect();
    let _ = hardenunit::score::assess(hardenunit::score::DEFAULT_RELEASE, "fuzz.service", &assignments);
}

fn load_policy(dir: &Path, text: &str) -> Option<Policy> {
    let file = dir.join("policy.toml");
    fs::write(&file, text).ok()?;
    Policy::load(None, &[file], &Overrides::default()).ok()
}

/// The policy loader: a policy it accepts writes only single-line values, and printing it
/// and loading the print gives the same policy.
pub fn policy_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(policy) = load_policy(dir.path(), text) else { return };
    let one_line = |v: &str| !v.chars().any(char::is_control) && !v.ends_with('\\');
    for (k, values) in &policy.directives {
        assert!(values.iter().all(|v| one_line(v)), "{k}={values:?} would not stay one line");
    }
    for u in policy.units.values() {
        assert!(u.read_write_paths.iter().all(|p| one_line(p) && !p.contains(' ')), "{:?}", u.read_write_paths);
        assert!(u.set.values().all(|v| one_line(v)));
    }
    assert!(one_line(&policy.dropin) && !policy.dropin.contains('/'), "{:?}", policy.dropin);
    // The print of a policy loads, to the same profile, directives and per-unit settings.
    let again = load_policy(dir.path(), &policy.to_toml()).expect("the printed policy loads");
    assert_eq!(again.profile, policy.profile);
    assert_eq!(again.directives, policy.directives);
    assert_eq!(again.units, policy.units);
}

/// Every file and symlink under `dir`, with its contents or target.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(m) = fs::symlink_metadata(&p) else { continue };
            if m.is_dir() {
                todo.push(p.clone());
                out.push((p, vec![]));
            } else if m.file_type().is_symlink() {
                out.push((p.clone(), fs::read_link(&p).unwrap_or_default().into_os_string().into_encoded_bytes()));
            } else {
                out.push((p.clone(), fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// The writers: a unit (and a policy) in a root beside an "outside" directory. After
/// `--write`: nothing outside the root changed, each written file holds what was planned
/// and re-parses to the planned directives, and a second run changes nothing.
pub fn writer(data: &[u8]) {
    writer_checked(data);
}

/// [`writer`], returning how many written files it checked (for the seed replay).
pub fn writer_checked(data: &[u8]) -> usize {
    let mut checked = 0;
    let Ok(text) = std::str::from_utf8(data) else { return 0 };
    let (unit, policy_text) = text.split_once(POLICY_SEPARATOR).unwrap_or((text, ""));
    let top = tempfile::tempdir().expect("temporary directory");
    let root = top.path().join("root");
    let outside = top.path().join("outside");
    let units = root.join("lib/systemd/system");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("keep.conf"), "[Service]\n").unwrap();
    // For half the inputs, a link out of the root where the drop-in directory would go:
    // it must never be written through.
    let link_out = data.len() % 2 == 1;
    let lay_out = || {
        fs::create_dir_all(&units).unwrap();
        if link_out {
            std::os::unix::fs::symlink(&outside, units.join("a.service.d")).unwrap();
        }
        fs::write(units.join("a.service"), unit).unwrap();
    };
    lay_out();
    let Some(policy) = load_policy(top.path(), policy_text) else { return 0 };
    let outside_before = snapshot(&outside);
    for mode in [hardenunit::policy::Mode::DropIn, hardenunit::policy::Mode::InPlace] {
        let mut policy = policy.clone();
        policy.mode = mode;
        let req = Request {
            root: Some(root.clone()),
            units: vec![],
            exclude: vec![],
            policy,
            systemd_version: 252,
            no_evidence: true,
            full_evidence: false,
        };
        let first = engine::run(&req);
        if !first.errors.is_empty() {
            continue;
        }
        let before = snapshot(&root);
        if engine::apply(Some(&root), &first.units).is_err() {
            assert_eq!(snapshot(&root), before, "a failed write leaves the root as it was");
            continue;
        }
        for u in &first.units {
            for c in u.changes.iter().filter(|c| c.changes_anything()) {
                assert!(c.real_path.starts_with(&root), "{} is outside the root", c.real_path.display());
                let Some(after) = &c.after else { continue };
                checked += 1;
                let written = fs::read_to_string(&c.real_path).expect("written file reads back");
                assert_eq!(&written, after, "what was written is what was planned");
                let doc = Document::parse(&written).expect("what was written parses");
                for a in &u.plan.added {
                    assert!(
                        doc.entries().any(|e| e.key == a.directive && e.value == a.value),
                        "{}={} planned, not read back from {}",
                        a.directive,
                        a.value,
                        c.real_path.display()
                    );
                }
            }
        }
        let second = engine::run(&req);
        assert!(second.errors.is_empty(), "the second run fails: {:?}", second.errors);
        for u in &second.units {
            assert!(!u.would_change(), "{}: a second run would change it again", u.unit);
        }
        // Back to the unit as given, for the other mode.
        fs::remove_dir_all(&root).unwrap();
        lay_out();
    }
    assert_eq!(snapshot(&outside), outside_before, "nothing outside the root changed");
    checked
}

/// Runs `target` over every seed file of `dir`; returns how many it ran.
pub fn replay(dir: &Path, target: fn(&[u8])) -> usize {
    let mut files: Vec<PathBuf> =
        fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    for f in &files {
        let data = fs::read(f).unwrap();
        let result = std::panic::catch_unwind(|| target(&data));
        assert!(result.is_ok(), "seed {} breaks an invariant", f.display());
    }
    files.len()
}
