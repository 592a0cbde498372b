//! Where the package says its service writes: the directories it ships under /var and /run,
//! and the log files its logrotate.d configuration names (samba's `/var/log/samba/log.smbd`).
//! ProtectSystem=strict leaves only declared paths writable; these are declared by the package.
//!
//! The package's files: in a build root (`debian/PKG/`, `%{buildroot}`), every file of the
//! root; in an installed root (one with a dpkg database), those of the package whose file list
//! holds the unit's file.

use std::collections::BTreeSet;

use crate::unit::rootfs::{Resolved, RootFs};
use crate::unit::tree::Kind;

/// Directories by the FHS where a daemon keeps its files, each under its own name.
pub const STATE_DIRS: &[&str] = &["/var/lib", "/var/log", "/var/cache", "/var/spool", "/run"];
const DPKG_INFO: &str = "/var/lib/dpkg/info";
const MAX_LIST_SIZE: u64 = 16 * 1024 * 1024;

/// Paths to keep writable under ProtectSystem=strict, each with why, sorted.
pub fn writable_paths(root: &RootFs, unit_file: &str) -> Vec<(String, String)> {
    let Some((files, whose)) = package_files(root, unit_file) else { return Vec::new() };
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for f in &files {
        if let Some(name) = state_name(f) {
            names.insert((name.to_owned(), format!("{whose} ships {f}")));
        }
    }
    for f in files.iter().filter(|f| f.starts_with("/etc/logrotate.d/")) {
        for log in logrotate_paths(root, f) {
            let Some((dir, _)) = log.rsplit_once('/') else { continue };
            match state_name(dir) {
                Some(name) => {
                    names.insert((name.to_owned(), format!("{f} rotates {log}")));
                }
                // A log file right in /var/log: only that file.
                None if dir == "/var/log" => out.push((format!("-{log}"), format!("{f} rotates {log}"))),
                None => {}
            }
        }
    }
    for (name, why) in names {
        for dir in STATE_DIRS {
            out.push((format!("-{dir}/{name}"), format!("{dir}/{name}: {why}")));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// `samba` of `/var/log/samba` or `/var/log/samba/cores`.
fn state_name(path: &str) -> Option<&str> {
    STATE_DIRS.iter().find_map(|d| {
        let rest = path.strip_prefix(d)?.strip_prefix('/')?;
        rest.split('/').next().filter(|n| !n.is_empty() && !n.contains(['*', '?', '$']))
    })
}

/// The package's files, as paths inside the root, and how to name the package.
fn package_files(root: &RootFs, unit_file: &str) -> Option<(Vec<String>, String)> {
    let info = resolve(root, DPKG_INFO);
    let Some(info) = info.filter(|p| root.stat(p).is_ok_and(|m| m.kind == Kind::Dir)) else {
        let mut files = Vec::new();
        for top in ["/var", "/run", "/etc/logrotate.d"] {
            walk(root, top, 0, &mut files);
        }
        return Some((files, "the package".into()));
    };
    let mut lists: Vec<String> = root.list_dir(&info).ok()?.into_iter().map(|(name, _)| name).collect();
    lists.sort();
    let unit_paths = [unit_file.to_owned(), merged_usr(unit_file)];
    for name in lists.iter().filter(|n| n.ends_with(".list")) {
        let Some(real) = resolve(root, &format!("{DPKG_INFO}/{name}")) else { continue };
        let Ok(meta) = root.stat(&real) else { continue };
        if meta.kind != Kind::File || meta.len > MAX_LIST_SIZE {
            continue;
        }
        let Ok((bytes, _)) = root.read_bytes(&real, MAX_LIST_SIZE) else { continue };
        let Ok(text) = String::from_utf8(bytes) else { continue };
        if text.lines().any(|l| unit_paths.iter().any(|u| u == l)) {
            let package = name.trim_end_matches(".list").split(':').next().unwrap_or(name);
            return Some((text.lines().map(str::to_owned).collect(), format!("package {package}")));
        }
    }
    None
}

/// `/lib/systemd/...` for `/usr/lib/systemd/...` and the other way round.
fn merged_usr(path: &str) -> String {
    match path.strip_prefix("/usr") {
        Some(rest) => rest.to_owned(),
        None => format!("/usr{path}"),
    }
}

fn resolve(root: &RootFs, inside: &str) -> Option<std::path::PathBuf> {
    match root.resolve(&root.join_inside(inside)) {
        Ok(Resolved::Real(p)) => Some(p),
        _ => None,
    }
}

/// Directories and files below `inside`, a few levels deep, never through a symlink.
fn walk(root: &RootFs, inside: &str, depth: usize, out: &mut Vec<String>) {
    let dir = root.join_inside(inside);
    let Ok(entries) = root.list_dir(&dir) else { return };
    let mut names: Vec<String> = entries.into_iter().map(|(name, _)| name).collect();
    names.sort();
    for name in names {
        let path = format!("{inside}/{name}");
        out.push(path.clone());
        let is_dir = root.lstat(&dir.join(&name)).is_ok_and(|m| m.kind == Kind::Dir);
        if is_dir && depth < 3 {
            walk(root, &path, depth + 1, out);
        }
    }
}

/// The absolute paths a logrotate.d file names before its `{` blocks.
fn logrotate_paths(root: &RootFs, inside: &str) -> Vec<String> {
    let Some(real) = resolve(root, inside) else { return Vec::new() };
    let Ok(text) = super::files::read_limited(root, &real, 1024 * 1024) else { return Vec::new() };
    let text = String::from_utf8_lossy(&text.0);
    let mut out = Vec::new();
    let mut depth = 0usize;
    for line in text.lines().map(str::trim) {
        if depth == 0 {
            for w in line.split_whitespace().take_while(|w| *w != "{") {
                let w = w.trim_matches('"');
                if w.starts_with('/') && !w.contains("..") {
                    out.push(w.to_owned());
                }
            }
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn state_names() {
        assert_eq!(state_name("/var/log/samba"), Some("samba"));
        assert_eq!(state_name("/var/lib/samba/private"), Some("samba"));
        assert_eq!(state_name("/var/log"), None);
        assert_eq!(state_name("/var/library"), None);
    }

    #[test]
    fn a_build_root_declares_its_directories_and_logs() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join("var/lib/food")).unwrap();
        fs::create_dir_all(t.path().join("etc/logrotate.d")).unwrap();
        fs::write(t.path().join("etc/logrotate.d/food"), "/var/log/fooland/*.log /var/log/food.log {\n weekly\n}\n")
            .unwrap();
        let root = RootFs::new(t.path()).unwrap();
        let paths: Vec<String> =
            writable_paths(&root, "/lib/systemd/system/food.service").into_iter().map(|p| p.0).collect();
        for p in ["-/var/lib/food", "-/var/log/food", "-/run/food", "-/var/lib/fooland", "-/var/log/food.log"] {
            assert!(paths.iter().any(|x| x == p), "{p}: {paths:?}");
        }
    }
}
