//! Built packages as input: real Debian 12 .debs (fetched with `apt-get download`, cached
//! outside the repository) and RPMs built here by rpmbuild. Every service's exposure read
//! from the package must be what `systemd-analyze security --offline=true --root=DIR` (252,
//! the host's) gives on the unpacked tree, and hardenunit must say the same of the package
//! as of that tree.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{hardenunit, oracle_available, oracle_exposure_in_root};

/// Debian 12 packages with services, aliases and drop-ins (systemd), a mask (nfs-common),
/// templates (tor, chrony, openssh-server), and ELF programs of their own.
const DEBS: &[&str] = &[
    "openssh-server",
    "cron",
    "rsyslog",
    "nginx-common",
    "nfs-common",
    "tor",
    "chrony",
    "haveged",
    "bind9",
    "systemd",
];

fn cache_dir() -> PathBuf {
    let dir =
        std::env::var_os("HARDENUNIT_DEB_CACHE").map_or(PathBuf::from("/var/cache/hardenunit-debs"), PathBuf::from);
    fs::create_dir_all(&dir).expect("the .deb cache directory can be made");
    dir
}

/// The cached .deb of `name`, downloaded once (bookworm's, the host's release).
fn deb(name: &str) -> PathBuf {
    let dir = cache_dir();
    let find = || {
        fs::read_dir(&dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{name}_")) && n.ends_with(".deb"))
        })
    };
    if let Some(p) = find() {
        return p;
    }
    let out = Command::new("apt-get").args(["download", name]).current_dir(&dir).output().expect("apt-get runs");
    assert!(out.status.success(), "apt-get download {name}: {}", String::from_utf8_lossy(&out.stderr));
    find().unwrap_or_else(|| panic!("apt-get download {name} left no {name}_*.deb in {}", dir.display()))
}

fn json(args: &[&str]) -> serde_json::Value {
    let run = hardenunit(args);
    assert!(run.code == 0 || run.code == 1, "hardenunit {args:?}: exit {}\n{}", run.code, run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("hardenunit {args:?}: not JSON ({e}): {}", run.stdout))
}

fn tenths(v: &serde_json::Value) -> u32 {
    (v.as_f64().expect("an exposure number") * 10.0).round() as u32
}

/// The package's scores equal systemd-analyze's on its unpacked tree, unit by unit, and
/// every mode's output for the package is the output for the unpacked tree.
fn check_package(package: &Path, unpacked: &Path) -> usize {
    let pkg = package.to_str().unwrap();
    let dir = unpacked.to_str().unwrap();
    let from_package = json(&["score", "--json", "--systemd-version", "252", pkg]);
    let units = from_package.as_array().expect("an array");
    for u in units {
        assert_eq!(u["package"], pkg, "{u}");
        let name = u["unit"].as_str().unwrap();
        let theirs = oracle_exposure_in_root(unpacked, name)
            .unwrap_or_else(|| panic!("{pkg}: systemd-analyze scored no {name}"));
        assert_eq!(
            tenths(&u["exposure"]),
            theirs,
            "{pkg}: {name}: exposure from the package vs systemd-analyze --root"
        );
    }
    // The same units, rows and values as from the tree (paths shown inside the package).
    let from_tree = json(&["score", "--json", "--systemd-version", "252", "--root", dir]);
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        if let Some(list) = v.as_array_mut() {
            for o in list.iter_mut().filter_map(|o| o.as_object_mut()) {
                o.remove("package");
                if let Some(p) = o.get("path").and_then(|p| p.as_str()).map(|p| p.trim_start_matches(dir).to_owned()) {
                    o.insert("path".into(), p.into());
                }
            }
        }
        v
    };
    assert_eq!(strip(&from_package), strip(&from_tree), "{pkg}: score --json differs from the unpacked tree's");
    // Planning reads the package's own programs as evidence, exactly as from the tree.
    let plan_package = json(&["--format", "json", "--systemd-version", "252", pkg]);
    let plan_tree = json(&["--format", "json", "--systemd-version", "252", "--root", dir]);
    let plan_tree = serde_json::to_string(&strip(&plan_tree)).unwrap().replace(dir, "");
    assert_eq!(serde_json::to_string(&strip(&plan_package)).unwrap(), plan_tree, "{pkg}: plan differs");
    units.len()
}

#[test]
fn debian_packages_score_as_systemd_analyze_on_the_unpacked_tree() {
    if !oracle_available() {
        return;
    }
    let mut scored = 0;
    for name in DEBS {
        let package = deb(name);
        let t = tempfile::tempdir().unwrap();
        let ok = Command::new("dpkg-deb").arg("-x").arg(&package).arg(t.path()).status().unwrap().success();
        assert!(ok, "dpkg-deb -x {}", package.display());
        scored += check_package(&package, t.path());
    }
    // systemd alone ships dozens; a run that read nothing must not pass.
    assert!(scored > 40, "only {scored} services scored");
}

#[test]
fn a_masked_unit_in_a_package_is_not_scored() {
    let package = deb("nfs-common");
    let run = hardenunit(&["--format", "json", "--systemd-version", "252", package.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let masked =
        v.as_array().unwrap().iter().find(|u| u["unit"] == "nfs-common.service").expect("the mask is reported");
    assert_eq!(masked["status"], "masked");
}

#[test]
fn write_into_a_package_is_refused_and_bad_archives_name_the_file() {
    let package = deb("cron");
    let p = package.to_str().unwrap();
    let before = fs::read(&package).unwrap();
    let run = hardenunit(&["--write", p]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(p) && run.stderr.contains("never written"), "{}", run.stderr);
    let run = hardenunit(&["--write", "--root", p]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(fs::read(&package).unwrap(), before);

    let t = tempfile::tempdir().unwrap();
    let truncated = t.path().join("truncated_1.0_all.deb");
    fs::write(&truncated, &before[..before.len() / 2]).unwrap();
    let garbage = t.path().join("garbage.rpm");
    fs::write(&garbage, b"not an rpm at all").unwrap();
    let udeb = t.path().join("installer.udeb");
    fs::write(&udeb, b"").unwrap();
    let args = [
        "score",
        "--json",
        "--systemd-version",
        "252",
        truncated.to_str().unwrap(),
        p,
        garbage.to_str().unwrap(),
        udeb.to_str().unwrap(),
    ];
    let run = hardenunit(&args);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(truncated.to_str().unwrap()), "{}", run.stderr);
    assert!(run.stderr.contains(garbage.to_str().unwrap()), "{}", run.stderr);
    assert!(run.stderr.contains("installer.udeb") && run.stderr.contains("skipped"), "{}", run.stderr);
    // The good package between them is still reported.
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["unit"], "cron.service");
}

/// lint (with and without --fix) and explain take a package named as an argument as they take
/// its unpacked tree: the same findings, fixes, note of the target systemd and exit status.
#[test]
fn lint_fix_and_explain_read_a_package_as_its_unpacked_tree() {
    let package = deb("tor");
    let p = package.to_str().unwrap();
    let t = tempfile::tempdir().unwrap();
    let ok = Command::new("dpkg-deb").arg("-x").arg(&package).arg(t.path()).status().unwrap().success();
    assert!(ok, "dpkg-deb -x {p}");
    let dir = t.path().to_str().unwrap();
    let same = |args: &[&str]| {
        let from_package = hardenunit(&[args, &[p]].concat());
        let from_tree = hardenunit(&[args, &["--root", dir]].concat());
        assert_eq!(from_package.code, from_tree.code, "{args:?}: {}", from_package.stderr);
        assert_eq!(from_package.stdout.replace(p, ""), from_tree.stdout.replace(dir, ""), "{args:?}");
        assert_eq!(from_package.stderr.replace(p, ""), from_tree.stderr.replace(dir, ""), "{args:?}");
        from_package
    };
    // No --systemd-version: the note of the built-in target is part of what must match.
    let lint = same(&["lint"]);
    assert!(lint.stdout.contains("/lib/systemd/system/tor@default.service:"), "{}", lint.stdout);
    assert!(lint.stderr.contains("target systemd") && lint.stderr.contains("built-in default"), "{}", lint.stderr);
    let fix = same(&["lint", "--fix"]);
    let header = format!("--- {p}/lib/systemd/system/tor@default.service");
    assert!(fix.stdout.contains(&header) && fix.stdout.contains("\n+ReadWritePaths=-/var/lib/tor\n"), "{}", fix.stdout);
    // Writing the fixes into the package is refused, and nothing changes.
    let bytes = fs::read(&package).unwrap();
    let write = hardenunit(&["lint", "--fix", "--write", p]);
    assert_eq!(write.code, 2, "{}", write.stderr);
    assert!(write.stderr.contains(p) && write.stderr.contains("never written"), "{}", write.stderr);
    assert!(write.stdout.is_empty(), "{}", write.stdout);
    assert_eq!(fs::read(&package).unwrap(), bytes);

    // explain: a package of several services wants the one to explain named after it.
    let several = hardenunit(&["explain", p]);
    assert_eq!(several.code, 2);
    assert!(several.stderr.contains("tor.service, tor@.service, tor@default.service"), "{}", several.stderr);
    let explained = same(&["explain", "--systemd-version", "252", "tor@default.service"]);
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(
        explained.stdout.starts_with(&format!("tor@default.service ({p}/lib/systemd/system/")),
        "{}",
        explained.stdout
    );
    let v = json(&["explain", "--format", "json", "--systemd-version", "252", p, "tor.service"]);
    assert_eq!((v["package"].as_str(), v["unit"].as_str()), (Some(p), Some("tor.service")), "{v}");
    // A package of one service needs no name.
    let cron = deb("cron");
    let v = json(&["explain", "--format", "json", "--systemd-version", "252", cron.to_str().unwrap()]);
    assert_eq!(v["unit"], "cron.service", "{v}");
}

/// An RPM built here with rpmbuild: a service running an ELF program of the package, a
/// template, an alias symlink, a drop-in and a mask, with the payload compressed `payload`.
fn build_rpm(dir: &Path, payload: &str) -> PathBuf {
    let spec = dir.join("hu-test.spec");
    let sleep = fs::canonicalize("/bin/sleep").unwrap();
    fs::write(
        &spec,
        format!(
            r#"Name: hu-test
Version: 1.0
Release: 1
Summary: hardenunit package test
License: MIT
BuildArch: x86_64
%description
Units for hardenunit's package test.
%install
mkdir -p %{{buildroot}}/usr/lib/systemd/system/hu-daemon.service.d %{{buildroot}}/usr/bin
cp {sleep} %{{buildroot}}/usr/bin/hu-daemon
cat > %{{buildroot}}/usr/lib/systemd/system/hu-daemon.service <<'EOF'
[Service]
ExecStart=/usr/bin/hu-daemon infinity
User=nobody
EOF
cat > %{{buildroot}}/usr/lib/systemd/system/hu-daemon.service.d/10-local.conf <<'EOF'
[Service]
PrivateTmp=yes
ProtectSystem=strict
EOF
cat > %{{buildroot}}/usr/lib/systemd/system/hu-worker@.service <<'EOF'
[Service]
ExecStart=/usr/bin/hu-daemon %i
NoNewPrivileges=yes
EOF
ln -s hu-daemon.service %{{buildroot}}/usr/lib/systemd/system/hu-alias.service
ln -s /dev/null %{{buildroot}}/usr/lib/systemd/system/hu-masked.service
%files
/usr/bin/hu-daemon
/usr/lib/systemd/system/*
"#,
            sleep = sleep.display()
        ),
    )
    .unwrap();
    let top = dir.join("rpmbuild");
    let out = Command::new("rpmbuild")
        .arg("-bb")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg("--define")
        .arg(format!("_binary_payload {payload}"))
        .arg("--define")
        .arg("__os_install_post %{nil}")
        .arg("--define")
        .arg("debug_package %{nil}")
        .arg("--nodeps")
        .arg(&spec)
        .output()
        .expect("rpmbuild runs (apt-get install rpm)");
    assert!(out.status.success(), "rpmbuild: {}", String::from_utf8_lossy(&out.stderr));
    top.join("RPMS/x86_64/hu-test-1.0-1.x86_64.rpm")
}

#[test]
fn rpms_built_here_score_as_systemd_analyze_on_the_unpacked_tree() {
    if !oracle_available() {
        return;
    }
    for payload in ["w9.xzdio", "w19.zstdio", "w9.gzdio"] {
        let t = tempfile::tempdir().unwrap();
        let rpm = build_rpm(t.path(), payload);
        let tree = t.path().join("tree");
        fs::create_dir(&tree).unwrap();
        let ok = Command::new("sh")
            .arg("-c")
            .arg(format!("rpm2cpio '{}' | (cd '{}' && cpio -idm --quiet)", rpm.display(), tree.display()))
            .status()
            .unwrap()
            .success();
        assert!(ok, "rpm2cpio | cpio");
        assert_eq!(check_package(&rpm, &tree), 2, "{payload}: hu-daemon and hu-worker@ scored");
        let v = json(&["--format", "json", "--systemd-version", "252", rpm.to_str().unwrap()]);
        let units: Vec<&str> = v.as_array().unwrap().iter().map(|u| u["unit"].as_str().unwrap()).collect();
        assert!(units.contains(&"hu-masked.service"), "{units:?}");
        // The drop-in counts: its settings are in the exposure, and the alias is folded.
        assert!(!units.contains(&"hu-alias.service"), "{units:?}");
        let explain =
            hardenunit(&["explain", "--systemd-version", "252", "--root", rpm.to_str().unwrap(), "hu-daemon.service"]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        assert!(explain.stdout.contains("/usr/bin/hu-daemon") && explain.stdout.contains("ELF"), "{}", explain.stdout);
    }
}
