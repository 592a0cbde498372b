//! `run_lint` as the command line uses it: a build root, named files and drop-ins, fixes.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use hardenunit::lint::{self, Severity};
use hardenunit::unit::Document;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

#[test]
fn a_build_root_is_scanned_with_its_dropins() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lib/systemd/system/a.service", "[Service]\nExecStart=/bin/true\nPrivateTmp=yes # tmp\n");
    write(root, "lib/systemd/system/a.service.d/10-x.conf", "[Service]\nProtectHome=maybe\n");
    write(root, "lib/systemd/system/b.socket", "[Socket]\nListenStream=/var/run/b.sock\n");
    write(root, "lib/systemd/system/c.service", "[Unit\n");
    fs::create_dir_all(root.join("etc/systemd/system")).unwrap();
    symlink("/dev/null", root.join("etc/systemd/system/masked.service")).unwrap();

    let run = lint::run_lint(Some(root), &[], 252, true);
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let seen: Vec<(String, usize, &str)> = run
        .findings
        .iter()
        .map(|f| (f.file.strip_prefix(root).unwrap().display().to_string(), f.line, f.tag))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("lib/systemd/system/a.service".into(), 3, "value-has-trailing-comment"),
            ("lib/systemd/system/a.service.d/10-x.conf".into(), 2, "invalid-value"),
            ("lib/systemd/system/b.socket".into(), 2, "path-under-var-run"),
            ("lib/systemd/system/c.service".into(), 1, "unit-file-unparsable"),
        ]
    );
    assert!(run.has_errors());
    let fixed: Vec<_> = run.fixes.iter().map(|f| (f.path.file_name().unwrap().to_owned(), f.after.clone())).collect();
    assert_eq!(fixed.len(), 2);
    assert!(fixed.iter().any(|(_, t)| t == "[Service]\nExecStart=/bin/true\n# tmp\nPrivateTmp=yes\n"));
    assert!(fixed.iter().any(|(_, t)| t == "[Socket]\nListenStream=/run/b.sock\n"));
    // Same input, same output.
    let again = lint::run_lint(Some(root), &[], 252, true);
    assert_eq!(again.findings, run.findings);
    assert_eq!(again.fixes, run.fixes);
}

#[test]
fn named_dropins_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "foo.socket.d/override.conf", "[Socket]\nAccept=perhaps\n[Service]\nPrivateTmp=yes\n");
    write(root, "loose.conf", "[Service]\nPrivateTmp=yes\n");
    let conf = root.join("foo.socket.d/override.conf").to_string_lossy().into_owned();
    let loose = root.join("loose.conf").to_string_lossy().into_owned();
    let missing = root.join("nope.service").to_string_lossy().into_owned();
    let run = lint::run_lint(None, &[conf, loose, missing], 252, false);
    let tags: Vec<_> = run.findings.iter().map(|f| (f.line, f.tag)).collect();
    assert_eq!(tags, vec![(2, "invalid-value"), (3, "unknown-section")]);
    assert_eq!(run.errors.len(), 2, "{:?}", run.errors);
    assert!(run.errors.iter().all(|e| e.to_string().starts_with(root.to_str().unwrap())));
}

#[test]
fn fixing_only_touches_the_fixed_lines() {
    let text = "# header\n[Unit]\nDescription=x\nBindTo=y.service\n\n[Service]\nExecStart=/bin/true\n  PrivateTmp=yes   # private\nReadWriteDirectories=/var/lib/x\nRuntimeDirectory=/run/x\nUMask=0999\n";
    let doc = Document::parse(text).unwrap();
    let fixed = lint::fix_document(&doc, "service", 252).unwrap().to_string();
    assert_eq!(
        fixed,
        "# header\n[Unit]\nDescription=x\nBindsTo=y.service\n\n[Service]\nExecStart=/bin/true\n  # private\n  PrivateTmp=yes\nReadWritePaths=/var/lib/x\nRuntimeDirectory=x\nUMask=0999\n"
    );
    let left = lint::lint_document(&Document::parse(&fixed).unwrap(), Path::new("x.service"), "service", 252);
    assert_eq!(left.iter().map(|f| (f.tag, f.severity)).collect::<Vec<_>>(), vec![("invalid-value", Severity::Error)]);
    assert_eq!(lint::fix_document(&Document::parse(&fixed).unwrap(), "service", 252).unwrap().to_string(), fixed);
}

/// The key tables follow each release: what 258..262 added is newer than a 257 target, what
/// 262 no longer reads is flagged when targeting 262 (both taken from 262's own binaries).
#[test]
fn keys_follow_the_target_release() {
    let text = "[Service]\nExecStart=/bin/true\nPrivateBPF=yes\nCPUShares=512\n";
    let doc = Document::parse(text).unwrap();
    let tags = |target| -> Vec<(usize, &'static str)> {
        lint::lint_document(&doc, Path::new("a.service"), "service", target).iter().map(|f| (f.line, f.tag)).collect()
    };
    assert_eq!(tags(257), vec![(3, "key-newer-than-target"), (4, "deprecated-key")]);
    assert_eq!(tags(262), vec![(4, "key-removed")]);
}
