//! `--profile strict` keeps writable what an installed package says its service writes: the
//! directories a package of its source that it depends on ships, those its postinst creates
//! and its tmpfiles.d entries create, and the paths its shipped configuration (with the files
//! that includes) names. A configuration path known only at run time keeps the baseline's
//! ProtectSystem=full, and explain says why. The units written pass `systemd-analyze verify`.

use std::path::Path;

mod common;

use common::{hardenunit as run, verify_warnings, write};

const SYS: &str = "usr/lib/systemd/system";
const V: [&str; 4] = ["--systemd-version", "257", "--profile", "strict"];

fn unit(exec: &str) -> String {
    format!("[Unit]\nDescription=d\n\n[Service]\nExecStart={exec}\n\n[Install]\nWantedBy=multi-user.target\n")
}

/// A package: its name, its status stanza's other fields, its files (path, text), its postinst.
type Package<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str);

/// An installed root: each package in the dpkg database, its files in the tree (a path ending
/// in `/` a directory).
fn installed_root(dir: &Path, packages: &[Package]) {
    let mut status = String::new();
    for (name, fields, files, postinst) in packages {
        status.push_str(&format!("Package: {name}\nStatus: install ok installed\n{fields}\n"));
        let mut list = String::from("/.\n");
        for (path, text) in *files {
            list.push_str(&format!("{}\n", path.trim_end_matches('/')));
            match path.strip_suffix('/') {
                Some(d) => std::fs::create_dir_all(dir.join(&d[1..])).unwrap(),
                None => drop(write(dir, &path[1..], text)),
            }
        }
        write(dir, &format!("var/lib/dpkg/info/{name}.list"), list);
        if !postinst.is_empty() {
            write(dir, &format!("var/lib/dpkg/info/{name}.postinst"), postinst);
        }
    }
    write(dir, "var/lib/dpkg/status", status);
}

fn plan(root: &str, name: &str) -> serde_json::Value {
    let r = run(&[&["--root", root, "--format", "json", name][..], &V].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v[0].clone()
}

fn added<'a>(unit: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    unit["added"].as_array().unwrap().iter().find(|a| a["directive"] == key)
}

fn writable(unit: &serde_json::Value) -> Vec<String> {
    let value = added(unit, "ReadWritePaths").map_or("", |a| a["value"].as_str().unwrap());
    value.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn strict_keeps_writable_what_the_package_its_source_and_its_configuration_declare() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let winbind = unit("/usr/sbin/food --foreground");
    let slapd = unit("/usr/sbin/ldapd");
    let pooler = unit("/usr/sbin/pooler /etc/pooler/pooler.ini");
    let expander = unit("/usr/sbin/expander --config=/etc/expander.conf");
    let pooler_ini = "[pooler]\nlogfile = /var/log/pg/pooler.log\n;pidfile = /run/commented/x.pid\n\
                      include_dir /etc/pooler/conf.d\n";
    installed_root(
        root,
        &[
            // Its logs and state are in the directories of a package of its source it depends on.
            ("food", "Source: foo\nDepends: food-common (= 1), libc6\n", &[("/usr/lib/systemd/system/food.service", &winbind)], ""),
            ("food-common", "Source: foo (1)\n", &[("/var/lib/foo/", ""), ("/var/log/foo/", "")], ""),
            // Same source, not depended on: not its files.
            ("food-extra", "Source: foo\n", &[("/var/lib/extra/", "")], ""),
            (
                "ldapd",
                "",
                &[
                    ("/usr/lib/systemd/system/ldapd.service", &slapd),
                    ("/usr/lib/tmpfiles.d/ldapd.conf", "d /run/ldapsock 0755 ldap ldap -\nL /run/link - - - - /x\n"),
                ],
                "#!/bin/sh\nif [ ! -d /var/lib/ldapdata ]; then\n\tmkdir -m 0700 /var/lib/ldapdata\nfi\nmkdir -p \"$backup\"\n",
            ),
            (
                "pooler",
                "",
                &[
                    ("/usr/lib/systemd/system/pooler.service", &pooler),
                    ("/etc/pooler/pooler.ini", pooler_ini),
                    ("/etc/pooler/conf.d/sockets.ini", "unix_socket_dir = /var/run/pg\n"),
                ],
                "",
            ),
            (
                "expander",
                "",
                &[
                    ("/usr/lib/systemd/system/expander.service", &expander),
                    ("/etc/expander.conf", "logfile /var/log/expander/%h.log\n"),
                ],
                "",
            ),
        ],
    );
    let r = root.to_str().unwrap();
    let food = writable(&plan(r, "food.service"));
    for p in ["-/var/lib/foo", "-/var/log/foo", "-/run/foo", "-/var/lib/food"] {
        assert!(food.iter().any(|w| w == p), "{p}: {food:?}");
    }
    assert!(!food.iter().any(|w| w.contains("extra")), "{food:?}");

    let ldapd = writable(&plan(r, "ldapd.service"));
    for p in ["-/var/lib/ldapdata", "-/run/ldapsock"] {
        assert!(ldapd.iter().any(|w| w == p), "{p}: {ldapd:?}");
    }
    assert!(!ldapd.iter().any(|w| w.contains("link") || w.contains('$')), "{ldapd:?}");

    let pooler = plan(r, "pooler.service");
    assert_eq!(added(&pooler, "ProtectSystem").unwrap()["value"], "strict");
    let paths = writable(&pooler);
    for p in ["-/var/log/pg", "-/run/pg"] {
        assert!(paths.iter().any(|w| w == p), "{p}: {paths:?}");
    }
    assert!(!paths.iter().any(|w| w.contains("commented")), "{paths:?}");
    let why = added(&pooler, "ReadWritePaths").unwrap()["reason"].as_str().unwrap().to_owned();
    assert!(why.contains("/etc/pooler/pooler.ini:2 names /var/log/pg/pooler.log"), "{why}");
    assert!(why.contains("/etc/pooler/conf.d/sockets.ini:1 names /run/pg"), "{why}");

    // A path the program expands: strict cannot know it, so the baseline's value, with why.
    let expander = plan(r, "expander.service");
    let protect = added(&expander, "ProtectSystem").unwrap();
    assert_eq!(protect["value"], "full", "{expander}");
    let why = protect["reason"].as_str().unwrap();
    assert!(why.contains("strict ruled out") && why.contains("/etc/expander.conf:1"), "{why}");
    assert!(added(&expander, "ReadWritePaths").is_none(), "{expander}");
    let explained = run(&[&["explain", "--root", r, "expander.service"][..], &V].concat());
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(explained.stdout.contains("keeps off: ProtectSystem=strict"), "{}", explained.stdout);
    assert!(explained.stdout.contains("add  ProtectSystem=full"), "{}", explained.stdout);

    // What is written is a unit systemd reads without a complaint: the host's, 252.
    if common::oracle_available() {
        let host = ["--systemd-version", common::HOST_ORACLE_VERSION, "--profile", "strict"];
        let written = run(&[&["--root", r, "--write", "--mode", "in-place"][..], &host].concat());
        assert_eq!(written.code, 0, "{}", written.stderr);
        for name in ["food", "ldapd", "pooler", "expander"] {
            let file = root.join(format!("{SYS}/{name}.service"));
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(text.contains("ProtectSystem="), "{text}");
            let complaints = verify_warnings(&file);
            assert!(complaints.is_empty(), "{name}: {complaints:?}");
        }
    }
}
