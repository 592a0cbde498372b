//! Evidence read from small programs these tests build with `cc` into a temporary directory
//! laid out as a package's build root (`usr/sbin/foo`, `lib/systemd/system/foo.service`).

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use hardenunit::directives::Need;
use hardenunit::evidence::{self, derive, explain_text, Evidence, ProgramKind};
use hardenunit::unit::rootfs::RootFs;
use hardenunit::unit::{LoadOutcome, Loader};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evidence").join(name)
}

struct TestRoot {
    dir: tempfile::TempDir,
}

impl TestRoot {
    fn new() -> TestRoot {
        TestRoot { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, inside: &str) -> PathBuf {
        self.dir.path().join(inside.trim_start_matches('/'))
    }

    /// Compiles a fixture to `inside`; `args` go after the source (libraries, -static).
    fn cc(&self, source: &str, inside: &str, args: &[&str]) {
        let out = self.path(inside);
        fs::create_dir_all(out.parent().unwrap()).unwrap();
        let status = Command::new("cc")
            .arg("-O1")
            .arg("-o")
            .arg(&out)
            .arg(fixture(source))
            .args(args)
            .status()
            .expect("cc is needed to build the test programs");
        assert!(status.success(), "cc {source} {args:?} failed");
    }

    fn file(&self, inside: &str, text: &str, mode: u32) {
        let p = self.path(inside);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn unit(&self, name: &str, service: &str) {
        self.file(&format!("lib/systemd/system/{name}"), &format!("[Unit]\nDescription=test\n\n{service}"), 0o644);
    }

    fn evidence(&self, name: &str) -> Evidence {
        let loader = Loader::new(Some(self.dir.path())).unwrap();
        let LoadOutcome::Unit(unit) = loader.load(name).unwrap() else { panic!("{name} is masked") };
        let root = RootFs::new(self.dir.path()).unwrap();
        let first = evidence::gather(&unit, &root);
        assert_eq!(first, evidence::gather(&unit, &root), "gathering twice must give the same evidence");
        first
    }
}

fn reasons(e: &Evidence, need: Need) -> Vec<String> {
    e.needs.get(&need).cloned().unwrap_or_default()
}

#[test]
fn setuid_import_keeps_cap_setuid_and_derives_a_bounding_set() {
    let r = TestRoot::new();
    r.cc("drop-privileges.c", "usr/sbin/food", &[]);
    r.unit("food.service", "[Service]\nExecStart=/usr/sbin/food --foreground\n");
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    assert_eq!(e.programs.len(), 1);
    assert_eq!(e.programs[0].kind, ProgramKind::Elf { linking: evidence::elf::Linking::Dynamic });
    assert!(e.programs[0].needed.iter().any(|n| n == "libc.so.6"));
    assert!(e.capabilities["CAP_SETUID"].iter().any(|w| w.starts_with("/usr/sbin/food imports setuid:")));
    assert!(e.capabilities["CAP_SETGID"].iter().any(|w| w.starts_with("/usr/sbin/food imports setgid, setgroups")));
    assert!(!reasons(&e, Need::HostUserIds).is_empty());
    assert!(reasons(&e, Need::WritableExecutableMemory).is_empty());

    let d = derive(&e).expect("complete evidence derives values");
    assert_eq!(
        d.capability_bounding_set.value,
        "CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_SETGID CAP_SETUID"
    );
    assert!(d
        .capability_bounding_set
        .reasons
        .iter()
        .any(|r| r.starts_with("kept CAP_SETUID: /usr/sbin/food imports setuid:")));
    assert_eq!(d.restrict_address_families.value, "AF_UNIX");

    let for_planner = e.for_planner();
    assert!(for_planner.complete);
    assert_eq!(for_planner.derived["CapabilityBoundingSet"].0, d.capability_bounding_set.value);
    assert_eq!(for_planner.derived["RestrictAddressFamilies"].0, "AF_UNIX");
}

#[test]
fn a_library_named_like_luajit_needs_writable_executable_memory() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    r.cc(
        "luajit-stub.c",
        &format!("{libdir}/libluajit-5.1.so.2"),
        &["-shared", "-fPIC", "-Wl,-soname,libluajit-5.1.so.2"],
    );
    let lib = r.path(libdir);
    r.cc("jit-user.c", "usr/bin/rspamd", &[&format!("-L{}", lib.display()), "-l:libluajit-5.1.so.2"]);
    r.unit("rspamd.service", "[Service]\nExecStart=/usr/bin/rspamd -f\n");
    let e = r.evidence("rspamd.service");
    let why = reasons(&e, Need::WritableExecutableMemory);
    // rspamd is also known by name (its row comes first); the library says it on its own.
    assert!(why.iter().any(|w| w.starts_with("/usr/bin/rspamd links libluajit-5.1.so.2: LuaJIT")), "{why:?}");
    let libs = &e.programs[0].libraries;
    let luajit = libs.iter().find(|l| l.soname == "libluajit-5.1.so.2").unwrap();
    assert_eq!(luajit.path.as_deref(), Some("/usr/lib/x86_64-linux-gnu/libluajit-5.1.so.2"));
    assert!(explain_text(&e).contains("keeps off: MemoryDenyWriteExecute"));
}

#[test]
fn needs_are_found_in_libraries_of_the_package() {
    let r = TestRoot::new();
    let libdir = "usr/lib/food";
    r.cc(
        "namespaces-lib.c",
        &format!("{libdir}/libsandbox.so.1"),
        &["-shared", "-fPIC", "-Wl,-soname,libsandbox.so.1"],
    );
    let lib = r.path(libdir);
    // Found through the program's RUNPATH with $ORIGIN, as private libraries are.
    r.cc(
        "namespaces-user.c",
        "usr/sbin/food",
        &[&format!("-L{}", lib.display()), "-l:libsandbox.so.1", "-Wl,-rpath,$ORIGIN/../lib/food"],
    );
    r.unit("food.service", "[Service]\nExecStart=food\n");
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    assert_eq!(
        reasons(&e, Need::Namespaces),
        ["/usr/lib/food/libsandbox.so.1 imports unshare: creates or enters namespaces"]
    );
    assert!(e.capabilities.contains_key("CAP_SYS_ADMIN"));
    assert_eq!(e.programs[0].found.as_deref(), Some("/usr/sbin/food"), "a bare name is looked up in PATH");
}

#[test]
fn statically_linked_programs() {
    let r = TestRoot::new();
    r.cc("static-setuid.c", "usr/sbin/stripped", &["-static", "-s"]);
    r.cc("static-setuid.c", "usr/sbin/symbols", &["-static"]);
    r.unit("stripped.service", "[Service]\nExecStart=/usr/sbin/stripped\n");
    r.unit("symbols.service", "[Service]\nExecStart=/usr/sbin/symbols\n");

    let e = r.evidence("stripped.service");
    assert_eq!(e.programs[0].kind, ProgramKind::Elf { linking: evidence::elf::Linking::Static });
    assert!(!e.complete);
    assert_eq!(e.missing, ["/usr/sbin/stripped: statically linked and stripped: imports unknown"]);
    assert!(derive(&e).is_none(), "incomplete evidence derives nothing");
    assert!(e.for_planner().derived.is_empty());

    let e = r.evidence("symbols.service");
    assert!(
        e.capabilities["CAP_SETUID"].iter().any(|w| w.starts_with("/usr/sbin/symbols contains setuid")),
        "{:?}",
        e.capabilities
    );
}

#[test]
fn shell_wrapper_that_execs_the_daemon() {
    let r = TestRoot::new();
    r.cc("drop-privileges.c", "usr/sbin/food", &[]);
    r.file("usr/lib/food/food-wrapper", &fs::read_to_string(fixture("wrapper.sh")).unwrap(), 0o755);
    r.file("etc/default/food", "FOOD_OPTS=--verbose\n", 0o644);
    r.unit("food.service", "[Service]\nExecStart=/usr/lib/food/food-wrapper\n");
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    let paths: Vec<(&str, &str)> = e.programs.iter().map(|p| (p.path.as_str(), p.reached_by.as_str())).collect();
    assert_eq!(paths, [("/usr/lib/food/food-wrapper", "ExecStart="), ("/usr/sbin/food", "/usr/lib/food/food-wrapper")]);
    assert_eq!(e.programs[0].kind, ProgramKind::Script { interpreter: "/bin/sh".into() });
    assert!(e.capabilities.contains_key("CAP_SETUID"));

    r.file("usr/lib/food/passthrough", &fs::read_to_string(fixture("passthrough.sh")).unwrap(), 0o755);
    // The unit gives it the daemon: "$@" is that.
    r.unit("pass.service", "[Service]\nExecStart=/usr/lib/food/passthrough /usr/sbin/food -f\n");
    let e = r.evidence("pass.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(e.programs.iter().any(|p| p.path == "/usr/sbin/food" && p.reached_by == "/usr/lib/food/passthrough"));
    // Arguments systemd expands at run time are unknown.
    r.unit("pass.service", "[Service]\nExecStart=/usr/lib/food/passthrough $DAEMON /usr/sbin/food\n");
    let e = r.evidence("pass.service");
    assert!(!e.complete);
    assert_eq!(e.missing, ["/usr/lib/food/passthrough: execs a command named at run time: $@"]);
    // The daemon given as its argument is still read.
    assert!(e.programs.iter().any(|p| p.path == "/usr/sbin/food" && p.found.is_some()));
}

#[test]
fn clock_network_mail_and_plugins() {
    let r = TestRoot::new();
    r.cc("set-clock.c", "usr/sbin/timed", &[]);
    r.cc("listener.c", "usr/sbin/httpd", &[]);
    r.cc("mailer.c", "usr/bin/notifier", &[]);
    r.cc("plugins.c", "usr/sbin/pluggy", &["-ldl"]);
    r.unit("timed.service", "[Service]\nExecStart=/usr/sbin/timed\nUser=timed\n");
    r.unit("httpd.service", "[Service]\nExecStart=/usr/sbin/httpd\n");
    r.file("lib/systemd/system/httpd.socket", "[Socket]\nListenStream=80\nListenStream=/run/httpd.sock\n", 0o644);
    r.unit("notifier.service", "[Service]\nExecStartPost=-/usr/bin/notifier\nExecStart=/usr/bin/python3 /srv/x.py\n");
    r.unit("pluggy.service", "[Service]\nExecStart=/usr/sbin/pluggy\n");

    let e = r.evidence("timed.service");
    assert!(reasons(&e, Need::SystemClock)[0].starts_with("/usr/sbin/timed imports clock_settime"));
    let d = derive(&e).unwrap();
    assert_eq!(d.capability_bounding_set.value, "CAP_SYS_TIME", "a non-root service keeps no file-access capability");

    let e = r.evidence("httpd.service");
    assert!(e.complete, "{:?}", e.missing);
    let d = derive(&e).unwrap();
    assert_eq!(d.restrict_address_families.value, "AF_UNIX AF_INET AF_INET6 AF_NETLINK");
    let bind = d.capability_bounding_set.reasons.iter().find(|r| r.starts_with("kept CAP_NET_BIND_SERVICE")).unwrap();
    assert!(bind.contains("imports bind") && bind.contains("port 80 per ListenStream=80 in httpd.socket"), "{bind}");
    assert!(d.restrict_address_families.reasons.iter().any(|r| r.contains("getifaddrs")));

    let e = r.evidence("notifier.service");
    assert!(reasons(&e, Need::SetuidExecution)[0].starts_with("/usr/bin/notifier runs /usr/sbin/sendmail"));
    // python3 is not in this root: never looked up on the host.
    assert_eq!(e.missing, ["/usr/bin/python3 (run by ExecStart=): program not found in the root"]);

    let e = r.evidence("pluggy.service");
    assert_eq!(e.missing.len(), 1);
    assert!(e.missing[0].starts_with("/usr/sbin/pluggy imports dlopen"), "{:?}", e.missing);
}

#[test]
fn paths_never_leave_the_root() {
    let r = TestRoot::new();
    fs::create_dir_all(r.path("usr/sbin")).unwrap();
    symlink("../../../../../../../../bin/true", r.path("usr/sbin/climber")).unwrap();
    symlink("/usr/bin/env", r.path("usr/sbin/absolute")).unwrap();
    r.unit("climber.service", "[Service]\nExecStart=/usr/sbin/climber\n");
    r.unit("absolute.service", "[Service]\nExecStart=/usr/sbin/absolute\n");
    r.unit("spec.service", "[Service]\nExecStart=/usr/lib/foo/%i\nExecStart=\nExecStart=relative/path\n");
    let e = r.evidence("climber.service");
    assert!(e.missing[0].contains("leads out of the root"), "{:?}", e.missing);
    assert!(e.programs[0].found.is_none());
    let e = r.evidence("absolute.service");
    assert_eq!(e.missing, ["/usr/sbin/absolute (run by ExecStart=): program not found in the root"]);
    let e = r.evidence("spec.service");
    // systemd refuses the unit over this line, and the evidence says why in its words.
    let refused = "ExecStart=relative/path: Neither a valid executable name nor an absolute path: relative/path";
    assert_eq!(e.missing, [refused], "the empty ExecStart= resets");
}

#[test]
fn plain_program_has_complete_evidence_and_explains_itself() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/bin/plain", &[]);
    r.unit("plain.service", "[Service]\nExecStart=/usr/bin/plain\nUser=plain\n");
    let e = r.evidence("plain.service");
    assert!(e.complete && e.needs.is_empty(), "{:?} {:?}", e.needs, e.missing);
    let d = derive(&e).unwrap();
    assert_eq!(d.capability_bounding_set.value, "");
    assert_eq!(d.restrict_address_families.value, "AF_UNIX");
    let text = explain_text(&e);
    assert_eq!(text, explain_text(&e));
    assert!(text.starts_with("plain.service: evidence from its files is complete\n"), "{text}");
    assert!(text.contains("CapabilityBoundingSet=\n"));
}

/// The shared corpus holds units without their programs: every unit's evidence must say so,
/// and nothing may panic.
#[test]
fn corpus_units_without_binaries_are_reported_missing() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(entries) = fs::read_dir(&corpus) else {
        eprintln!("no corpus at {}; skipped", corpus.display());
        return;
    };
    let mut packages: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.is_dir()).collect();
    packages.sort();
    let mut services = 0;
    let mut only_standard_tools = 0;
    for pkg in packages {
        let loader = Loader::new(Some(&pkg)).unwrap();
        let root = RootFs::new(&pkg).unwrap();
        let (outcomes, _) = loader.discover(&["service"]);
        for o in outcomes {
            let LoadOutcome::Unit(unit) = o else { continue };
            let e = evidence::gather(&unit, &root);
            services += 1;
            // Only standard tools (`ExecStart=rm -f ...`) need nothing from the root.
            if e.complete {
                assert!(e.programs.is_empty(), "{}: {:?}", unit.path().display(), e.programs);
                assert!(e.needs.is_empty());
                only_standard_tools += 1;
                continue;
            }
            let runs_something = unit.assignments().iter().any(|a| a.key.starts_with("Exec") && !a.value.is_empty());
            let expected = if runs_something { "not found in the root" } else { "runs no program" };
            assert!(e.missing.iter().any(|m| m.contains(expected)), "{}: {:?}", unit.path().display(), e.missing);
            let _ = explain_text(&e);
        }
    }
    assert!(services > 100, "only {services} services found in the corpus");
    assert!(only_standard_tools * 20 < services, "{only_standard_tools} of {services} need nothing from the root");
}

#[test]
fn dynamic_user_reads_every_spelling_systemd_accepts() {
    // systemd's parse_boolean: y/Y/yes/true/on/1 and any case of them; the planner reads the same.
    let r = TestRoot::new();
    r.file("usr/sbin/food", "#!/bin/sh\nexec sleep 1\n", 0o755);
    for (value, dynamic) in [("y", true), ("True", true), ("ON", true), ("1", true), ("n", false), ("off", false)] {
        r.unit("food.service", &format!("[Service]\nExecStart=/usr/sbin/food\nDynamicUser={value}\n"));
        let e = r.evidence("food.service");
        assert_eq!(e.facts.unit.dynamic_user, dynamic, "DynamicUser={value}");
        assert_eq!(e.facts.unit.runs_as_root(), !dynamic, "DynamicUser={value}");
    }
}

#[test]
fn an_empty_exec_start_resets_what_evidence_reads() {
    let r = TestRoot::new();
    r.file("usr/sbin/food", "#!/bin/sh\nexec sleep 1\n", 0o755);
    r.file("lib/systemd/system/food.service.d/local.conf", "[Service]\nExecStart=\nExecStart=/usr/sbin/food\n", 0o644);
    r.unit("food.service", "[Service]\nExecStart=/usr/sbin/gone\n");
    let e = r.evidence("food.service");
    let read: Vec<&str> = e.programs.iter().map(|p| p.path.as_str()).collect();
    assert!(!read.contains(&"/usr/sbin/gone"), "{read:?}");
    assert!(read.contains(&"/usr/sbin/food"), "{read:?}");
}

#[test]
fn programs_known_by_name_are_evidence_too() {
    // The planner keeps ProtectClock off for chronyd by its name; explain must say so.
    let r = TestRoot::new();
    r.file("usr/sbin/chronyd", "#!/bin/sh\nexec sleep 1\n", 0o755);
    r.unit("chrony.service", "[Service]\nExecStart=/usr/sbin/chronyd -F 1\n");
    let e = r.evidence("chrony.service");
    assert!(
        reasons(&e, Need::SystemClock).iter().any(|w| w.starts_with("ExecStart= runs /usr/sbin/chronyd:")),
        "{e:?}"
    );
    assert!(explain_text(&e).contains("keeps off: ProtectClock"));
}

#[test]
fn date_needs_the_clock_only_when_it_is_told_to_set_it() {
    // A program named date that imports clock_settime, as /usr/bin/date does.
    let r = TestRoot::new();
    r.cc("set-clock.c", "usr/bin/date", &[]);
    r.file("usr/lib/food/stamp", "#!/bin/sh\nstart=$(date +%s)\necho \"$start\" > /run/food/start\n", 0o755);
    r.unit("stamp.service", "[Service]\nExecStart=/usr/lib/food/stamp\n");
    let e = r.evidence("stamp.service");
    assert!(reasons(&e, Need::SystemClock).is_empty(), "{:?}", e.needs);
    assert!(!e.capabilities.contains_key("CAP_SYS_TIME"));
    let note = e.programs.iter().find_map(|p| p.note.clone()).unwrap();
    assert!(note.starts_with("clock_settime not counted: date sets the clock only with -s"), "{note}");
    assert!(explain_text(&e).contains(&note));

    for (name, exec) in [
        ("set.service", "ExecStart=/usr/bin/date -s 2020-01-01"),
        ("cluster.service", "ExecStart=/usr/bin/date -us 2020-01-01"),
        ("long.service", "ExecStart=/usr/bin/date --set=2020-01-01"),
        ("unknown.service", "ExecStart=/bin/sh -c 'date $DATE_OPTS'"),
    ] {
        r.unit(name, &format!("[Service]\n{exec}\n"));
        let e = r.evidence(name);
        assert!(reasons(&e, Need::SystemClock)[0].contains("imports clock_settime"), "{exec}: {:?}", e.needs);
    }
}

#[test]
fn start_stop_daemon_needs_chroot_and_scheduling_only_when_told_to_use_them() {
    let r = TestRoot::new();
    r.cc("start-stop.c", "sbin/start-stop-daemon", &[]);
    r.cc("plain.c", "usr/sbin/food", &[]);
    let stop = "ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/5 --pidfile /run/food.pid";
    r.unit("food.service", &format!("[Service]\nExecStart=/usr/sbin/food\n{stop}\n"));
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(reasons(&e, Need::Chroot).is_empty() && reasons(&e, Need::RealtimeScheduling).is_empty(), "{:?}", e.needs);
    for cap in ["CAP_SYS_CHROOT", "CAP_SYS_NICE"] {
        assert!(!e.capabilities.contains_key(cap), "{cap}: {:?}", e.capabilities);
    }
    assert!(e.capabilities["CAP_KILL"][0].starts_with("/sbin/start-stop-daemon imports kill"));
    let note = e.programs.iter().find_map(|p| p.note.clone()).unwrap();
    assert!(note.starts_with("chroot not counted: start-stop-daemon chroots only with --chroot (-r); "), "{note}");
    assert!(explain_text(&e).contains(&note));
    let derived = derive(&e).unwrap().capability_bounding_set.value;
    assert!(!derived.contains("CAP_SYS_CHROOT") && !derived.contains("CAP_SYS_NICE"), "{derived}");

    // Each option (also abbreviated, as getopt_long takes it) brings back what it needs.
    for (args, need, cap) in [
        ("--start --chroot /srv/food --exec /usr/sbin/food", Need::Chroot, "CAP_SYS_CHROOT"),
        ("-S -r /srv/food -x /usr/sbin/food", Need::Chroot, "CAP_SYS_CHROOT"),
        ("--start --chr=/srv/food --exec /usr/sbin/food", Need::Chroot, "CAP_SYS_CHROOT"),
        ("--start --procsched fifo:10 --exec /usr/sbin/food", Need::RealtimeScheduling, "CAP_SYS_NICE"),
        ("--start --nicelevel 5 --exec /usr/sbin/food", Need::RealtimeScheduling, "CAP_SYS_NICE"),
        ("--start $SSD_OPTS --exec /usr/sbin/food", Need::Chroot, "CAP_SYS_CHROOT"),
    ] {
        let name = format!("food{}.service", args.len());
        r.unit(&name, &format!("[Service]\nExecStart=/sbin/start-stop-daemon {args}\n"));
        let e = r.evidence(&name);
        assert!(!reasons(&e, need).is_empty(), "{args}: {:?}", e.needs);
        assert!(e.capabilities.contains_key(cap), "{args}: {:?}", e.capabilities);
    }
}

#[test]
fn plugins_in_the_directory_a_program_names_are_read_as_its_code() {
    let r = TestRoot::new();
    r.cc("plugin-host.c", "usr/sbin/food", &["-ldl"]);
    r.unit("food.service", "[Service]\nExecStart=/usr/sbin/food\n");
    let e = r.evidence("food.service");
    assert!(!e.complete, "no plugin directory in the root: what it loads is unknown");
    assert!(
        e.missing[0].starts_with("/usr/sbin/food imports dlopen: loads code chosen at run time"),
        "{:?}",
        e.missing
    );

    // An empty directory named for plugins: nothing installed that the program could load.
    fs::create_dir_all(r.path("usr/lib/food/plugins")).unwrap();
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    assert_eq!(e.programs[0].plugins, ["/usr/lib/food/plugins (0 *.so files)"]);

    // A plugin's needs are its program's; a file beside it that is not ELF is not read.
    r.cc("plugin-chroot.c", "usr/lib/food/plugins/jail.so", &["-shared", "-fPIC"]);
    r.file("usr/lib/food/plugins/notes.so.txt", "not a plugin", 0o644);
    r.file("usr/lib/food/plugins/script.so", "INPUT(-lc)\n", 0o644);
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    assert_eq!(e.programs[0].plugins, ["/usr/lib/food/plugins (2 *.so files)"]);
    assert!(reasons(&e, Need::Chroot)[0].starts_with("/usr/lib/food/plugins/jail.so imports chroot"), "{:?}", e.needs);
    assert!(derive(&e).unwrap().capability_bounding_set.value.contains("CAP_SYS_CHROOT"));
    assert!(
        explain_text(&e).contains("read from the directories its strings name: /usr/lib/food/plugins (2 *.so files)")
    );

    // A symlink that leads out of the root is not followed.
    fs::remove_dir_all(r.path("usr/lib/food/plugins")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    symlink(outside.path(), r.path("usr/lib/food/plugins")).unwrap();
    fs::copy(r.path("usr/sbin/food"), outside.path().join("x.so")).unwrap();
    let e = r.evidence("food.service");
    let outside_read = e.programs.iter().flat_map(|p| &p.plugins).any(|p| !p.contains("(0 *.so"));
    assert!(!outside_read, "{:?}", e.programs[0].plugins);
}

#[test]
fn a_program_that_sets_its_own_capabilities_is_read_only_when_what_it_keeps_is_known() {
    let r = TestRoot::new();
    r.cc("keeps-caps.c", "usr/sbin/named", &[]);
    r.cc("keeps-caps.c", "usr/sbin/capd", &[]);
    r.unit("named.service", "[Service]\nExecStart=/usr/sbin/named -f -u bind\n");
    r.unit("capd.service", "[Service]\nExecStart=/usr/sbin/capd\n");
    let e = r.evidence("capd.service");
    assert!(e.missing[0].starts_with("/usr/sbin/capd imports capset: sets its own capabilities"), "{:?}", e.missing);

    let e = r.evidence("named.service");
    assert!(e.complete, "{:?}", e.missing);
    let set = derive(&e).unwrap().capability_bounding_set.value;
    for cap in ["CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_SETUID", "CAP_SETGID", "CAP_SYS_RESOURCE", "CAP_CHOWN"] {
        assert!(set.split(' ').any(|c| c == cap), "{cap} not in {set}");
    }
    assert!(e.capabilities["CAP_SYS_CHROOT"][0].contains("sets its own capabilities, keeping at most"));
}

#[test]
fn a_library_import_counts_only_when_an_export_that_reaches_it_is_used() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    r.cc("libcap-stub.c", &format!("{libdir}/libcap.so.2"), &["-shared", "-fPIC", "-Wl,-soname,libcap.so.2"]);
    let lib = format!("-L{}", r.path(libdir).display());
    r.cc("caps-reader.c", "usr/sbin/reader", &[&lib, "-l:libcap.so.2", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    r.cc(
        "caps-reader.c",
        "usr/sbin/setter",
        &["-DSETS", &lib, "-l:libcap.so.2", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"],
    );
    r.unit("reader.service", "[Service]\nExecStart=/usr/sbin/reader\nUser=reader\n");
    r.unit("setter.service", "[Service]\nExecStart=/usr/sbin/setter\n");

    let e = r.evidence("reader.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(!e.capabilities.contains_key("CAP_SETPCAP"), "{:?}", e.capabilities);
    assert!(!e.needs.contains_key(&Need::HostUserIds), "{:?}", e.needs);
    assert_eq!(derive(&e).unwrap().capability_bounding_set.value, "");
    let note = e.programs[0].note.as_deref().unwrap_or_default();
    assert!(
        note.starts_with(
            "/usr/lib/x86_64-linux-gnu/libcap.so.2: capset not counted: reached only through cap_set_proc,"
        ),
        "{note}"
    );
    assert!(explain_text(&e).contains("capset not counted"), "explain shows what was left out and why");

    // The same library, with the export that reaches capset used: counted, from the library.
    let e = r.evidence("setter.service");
    assert!(e.capabilities["CAP_SETPCAP"]
        .iter()
        .any(|w| w.starts_with("/usr/lib/x86_64-linux-gnu/libcap.so.2 imports capset")));
    assert!(e.missing.iter().any(|m| m.starts_with("/usr/sbin/setter imports cap_set_proc")), "{:?}", e.missing);
    assert_eq!(e.programs[0].note, None);
}

#[test]
fn a_library_import_counts_when_a_library_deep_down_reaches_it() {
    // reader links libcap.so.2 and libmid.so.1 -> libdeep.so.1 -> libdeeper.so.1, which calls
    // cap_set_proc: three levels down, below the libraries whose rows apply, still a caller.
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    let lib = format!("-L{}", r.path(libdir).display());
    let rpath = "-Wl,-rpath,/usr/lib/x86_64-linux-gnu";
    r.cc("libcap-stub.c", &format!("{libdir}/libcap.so.2"), &["-shared", "-fPIC", "-Wl,-soname,libcap.so.2"]);
    for (name, from, to, next) in [
        ("libdeeper.so.1", "deeper", "cap_set_proc", "libcap.so.2"),
        ("libdeep.so.1", "deep", "deeper", "libdeeper.so.1"),
        ("libmid.so.1", "mid", "deep", "libdeep.so.1"),
    ] {
        let (soname, from, to, link) =
            (format!("-Wl,-soname,{name}"), format!("-DFROM={from}"), format!("-DTO={to}"), format!("-l:{next}"));
        r.cc("forward.c", &format!("{libdir}/{name}"), &["-shared", "-fPIC", &soname, &from, &to, &lib, &link]);
    }
    let link = format!("-Wl,-rpath-link,{}", r.path(libdir).display());
    r.cc(
        "caps-reader.c",
        "usr/sbin/reader",
        &[&lib, &link, "-l:libcap.so.2", "-Wl,--no-as-needed", "-l:libmid.so.1", rpath],
    );
    r.unit("reader.service", "[Service]\nExecStart=/usr/sbin/reader\nUser=reader\n");
    let e = r.evidence("reader.service");
    let libs: Vec<&str> = e.programs[0].libraries.iter().map(|l| l.soname.as_str()).collect();
    assert_eq!(libs, ["libcap.so.2", "libmid.so.1", "libc.so.6", "libdeep.so.1"], "two levels listed");
    assert!(e.capabilities.contains_key("CAP_SETPCAP"), "{:?}", e.capabilities);
    assert_eq!(e.programs[0].note, None);

    // With a library of the chain missing from the root, what it calls is unknown: counted.
    fs::remove_file(r.path(&format!("{libdir}/libdeeper.so.1"))).unwrap();
    fs::write(r.path(&format!("{libdir}/libdeep.so.1")), b"").unwrap();
    let e = r.evidence("reader.service");
    assert!(e.capabilities.contains_key("CAP_SETPCAP"), "{:?}", e.capabilities);
}

#[test]
fn libsystemd_counts_what_sd_bus_reaches_only_for_programs_using_more_than_sd_notify() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    let lib = format!("-L{}", r.path(libdir).display());
    r.cc(
        "libsystemd-stub.c",
        &format!("{libdir}/libsystemd.so.0"),
        &["-shared", "-fPIC", "-Wl,-soname,libsystemd.so.0"],
    );
    r.cc("notifier.c", "usr/sbin/notifyd", &[&lib, "-l:libsystemd.so.0"]);
    r.cc("notifier.c", "usr/sbin/busd", &["-DBUS", &lib, "-l:libsystemd.so.0"]);
    r.unit("notifyd.service", "[Service]\nExecStart=/usr/sbin/notifyd\nUser=n\n");
    r.unit("busd.service", "[Service]\nExecStart=/usr/sbin/busd\nUser=n\n");

    let e = r.evidence("notifyd.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(!e.needs.contains_key(&Need::Namespaces), "{:?}", e.needs);
    assert_eq!(derive(&e).unwrap().capability_bounding_set.value, "");
    assert!(e.programs[0].note.as_deref().unwrap_or_default().contains("libsystemd.so.0: setns not counted"));

    let e = r.evidence("busd.service");
    assert_eq!(
        reasons(&e, Need::Namespaces),
        ["/usr/lib/x86_64-linux-gnu/libsystemd.so.0 imports setns: creates or enters namespaces"]
    );
    assert_eq!(derive(&e).unwrap().capability_bounding_set.value, "CAP_SYS_ADMIN");
}

#[test]
fn known_programs_keep_known_capabilities_and_a_dlopen_probe_loads_no_code() {
    let r = TestRoot::new();
    r.cc("keeps-caps.c", "usr/sbin/lldpd", &[]);
    r.cc("plugins.c", "usr/sbin/avahi-daemon", &["-ldl"]);
    r.unit("lldpd.service", "[Service]\nExecStart=/usr/sbin/lldpd\n");
    r.unit("avahi-daemon.service", "[Service]\nExecStart=/usr/sbin/avahi-daemon -s\n");

    let e = r.evidence("lldpd.service");
    assert!(e.complete, "{:?}", e.missing);
    let set = derive(&e).unwrap().capability_bounding_set.value;
    for cap in ["CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"] {
        assert!(set.split(' ').any(|c| c == cap), "{cap} not in {set}");
    }

    let e = r.evidence("avahi-daemon.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(e.programs[0].note.as_deref().unwrap_or_default().starts_with("dlopen not counted: it loads no code"));
}

/// nscd keeps CAP_AUDIT_WRITE across its change of user, squid CAP_NET_ADMIN when its
/// configuration intercepts: both from their sources, and both found under the name the
/// file has (Debian installs squid as squid-gnutls behind /usr/sbin/squid).
#[test]
fn nscd_and_squid_keep_the_capabilities_their_sources_name() {
    let r = TestRoot::new();
    r.cc("keeps-caps.c", "usr/sbin/nscd", &[]);
    r.cc("keeps-caps.c", "usr/sbin/squid-gnutls", &[]);
    symlink("squid-gnutls", r.path("usr/sbin/squid")).unwrap();
    r.unit("nscd.service", "[Service]\nExecStart=/usr/sbin/nscd\n");
    r.unit("squid.service", "[Service]\nExecStart=/usr/sbin/squid --foreground -sYC\n");

    for (unit, program, kept) in [
        ("nscd.service", "/usr/sbin/nscd", &["CAP_AUDIT_WRITE", "CAP_SETUID", "CAP_SETGID"][..]),
        ("squid.service", "/usr/sbin/squid-gnutls", &["CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN"][..]),
    ] {
        let e = r.evidence(unit);
        assert!(e.complete, "{unit}: {:?}", e.missing);
        let set = derive(&e).unwrap().capability_bounding_set.value;
        for cap in kept {
            assert!(set.split(' ').any(|c| c == *cap), "{unit}: {cap} not in {set}");
            let why = &e.capabilities[*cap][0];
            assert!(why.starts_with(&format!("{program} sets its own capabilities, keeping at most")), "{why}");
        }
        assert!(!set.contains("CAP_SYS_ADMIN"), "{unit}: {set}");
        assert!(explain_text(&e).contains("sets its own capabilities, keeping at most"), "{unit}");
    }
}

/// A program a script runs that the root lacks (samba's apparmor_parser, from another
/// package): known by name, what it would use counts; any other stays unread.
#[test]
fn a_program_known_by_name_counts_without_its_file() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/sbin/food", &[]);
    let script = "#!/bin/sh\ntest -e /sys/kernel/security/apparmor/profiles || exit 0\n/sbin/apparmor_parser -r /etc/apparmor.d/food\n";
    r.file("usr/lib/food/profile", script, 0o755);
    r.unit("food.service", "[Service]\nExecStartPre=/usr/lib/food/profile\nExecStart=/usr/sbin/food\n");
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    let set = derive(&e).unwrap().capability_bounding_set.value;
    assert!(set.split(' ').any(|c| c == "CAP_MAC_ADMIN") && !set.contains("CAP_SYS_ADMIN"), "{set}");
    assert!(e.capabilities["CAP_MAC_ADMIN"][0]
        .starts_with("/usr/lib/food/profile runs /sbin/apparmor_parser, not in the root"));
    assert!(explain_text(&e).contains("/sbin/apparmor_parser [/usr/lib/food/profile]: not found in the root"));

    r.file("usr/lib/food/profile", &script.replace("apparmor_parser", "food-policy"), 0o755);
    let e = r.evidence("food.service");
    assert_eq!(e.missing, ["/sbin/food-policy (run by /usr/lib/food/profile): program not found in the root"]);
}

/// A Perl daemon: the interpreter's file counts with only the privileged functions the
/// script calls, the extension module its module loads counts, and a command it runs by a
/// literal name is read; a script that runs a command named at run time stays incomplete.
#[test]
fn perl_script_read_with_its_interpreter_and_modules() {
    let r = TestRoot::new();
    r.cc("interpreter.c", "usr/bin/perl", &["-ldl"]);
    r.cc("drop-privileges.c", "usr/sbin/food", &[]);
    r.cc("plugin-chroot.c", "usr/lib/x86_64-linux-gnu/perl5/5.40/auto/Food/Jail/Jail.so", &["-shared", "-fPIC"]);
    r.file("usr/share/perl/5.40.1/strict.pm", "package strict;\n1;\n", 0o644);
    r.file("usr/share/perl5/Food/Jail.pm", "package Food::Jail;\nuse strict;\n# system($nothing);\n1;\n", 0o644);
    let daemon =
        "#!/usr/bin/perl\nuse strict;\nuse Food::Jail;\nsystem('/usr/sbin/food', '-f');\nwarn \"the system failed\";\n";
    r.file("usr/sbin/foodd", daemon, 0o755);
    r.unit("foodd.service", "[Service]\nExecStart=/usr/sbin/foodd\n");
    let e = r.evidence("foodd.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(e.capabilities.contains_key("CAP_SYS_CHROOT"), "the extension module chroots: {:?}", e.capabilities);
    assert!(e.capabilities.contains_key("CAP_SETUID"), "the daemon it runs drops privileges");
    assert!(reasons(&e, Need::SystemClock).is_empty(), "the script never sets the clock");
    assert!(reasons(&e, Need::Hostname).is_empty());
    let perl = e.programs.iter().find(|p| p.path == "/usr/bin/perl").unwrap();
    assert!(perl.note.as_deref().unwrap_or("").contains("clock_settime"), "{:?}", perl.note);
    assert!(derive(&e).is_some());

    // A script that calls clock_settime: the interpreter's import counts.
    r.file("usr/sbin/clockd", "#!/usr/bin/perl\nuse POSIX;\nclock_settime(0, 0);\n", 0o755);
    r.file("usr/share/perl/5.40.1/POSIX.pm", "package POSIX;\n1;\n", 0o644);
    r.unit("clockd.service", "[Service]\nExecStart=/usr/sbin/clockd\n");
    let e = r.evidence("clockd.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(reasons(&e, Need::SystemClock)[0].starts_with("/usr/bin/perl imports clock_settime"));

    // A command named at run time: incomplete, and what was read holds nothing back.
    r.file("usr/sbin/runner", "#!/usr/bin/perl\nuse POSIX;\nclock_settime(0, 0);\nsystem($ARGV[0]);\n", 0o755);
    r.unit("runner.service", "[Service]\nExecStart=/usr/sbin/runner /bin/true\n");
    let e = r.evidence("runner.service");
    assert!(!e.complete);
    assert!(
        e.missing.iter().any(|m| m.contains("runs a command named at run time: `system($ARGV[0]);`")),
        "{:?}",
        e.missing
    );
    assert!(reasons(&e, Need::SystemClock).is_empty());
}

/// A program that embeds an interpreter: the library's imports serve the scripts it is given,
/// which are not read; they hold back no directive (on their own, they kept ProtectClock= and
/// ProtectHostname= off).
#[test]
fn an_embedded_interpreters_functions_do_not_count() {
    let r = TestRoot::new();
    let lib = r.path("usr/lib/x86_64-linux-gnu");
    r.cc(
        "interpreter-lib.c",
        "usr/lib/x86_64-linux-gnu/libpython3.99.so.1.0",
        &["-shared", "-fPIC", "-Wl,-soname,libpython3.99.so.1.0"],
    );
    let link = format!("-L{}", lib.display());
    r.cc("embedding.c", "usr/sbin/resolverd", &[&link, "-l:libpython3.99.so.1.0"]);
    r.unit("resolverd.service", "[Service]\nExecStart=/usr/sbin/resolverd\n");
    let e = r.evidence("resolverd.service");
    assert!(
        e.programs[0]
            .libraries
            .iter()
            .any(|l| l.path.as_deref() == Some("/usr/lib/x86_64-linux-gnu/libpython3.99.so.1.0")),
        "{:?}",
        e.programs[0].libraries
    );
    assert!(!e.complete, "the scripts it runs are not read");
    assert!(reasons(&e, Need::SystemClock).is_empty(), "{:?}", e.needs);
    assert!(reasons(&e, Need::Hostname).is_empty(), "{:?}", e.needs);
    let note = e.programs[0].note.as_deref().unwrap_or("");
    assert!(note.contains("clock_settime, sethostname of libpython3.99.so.1.0 not counted"), "explain says so: {note}");
}

/// An nft rule set given to nft: a script only of data for its interpreter, which is read.
#[test]
fn a_rule_set_script_needs_what_its_interpreter_needs() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/sbin/nft", &[]);
    r.file("etc/nftables.conf", "#!/usr/sbin/nft -f\nflush ruleset\ninclude \"/etc/nftables.d/*.nft\"\n", 0o755);
    r.unit("nftables.service", "[Service]\nType=oneshot\nExecStart=/usr/sbin/nft -f /etc/nftables.conf\n");
    let e = r.evidence("nftables.service");
    assert!(e.complete, "{:?}", e.missing);
    let kinds: Vec<(&str, &ProgramKind)> = e.programs.iter().map(|p| (p.path.as_str(), &p.kind)).collect();
    assert_eq!(kinds[1], ("/etc/nftables.conf", &ProgramKind::Script { interpreter: "/usr/sbin/nft".into() }));
}

/// smbd serves files (set-uid ones too, in /home); winbindd serves none, but writes users'
/// ticket caches where pam_winbind says, /run/user or /home among them.
#[test]
fn winbindd_writes_in_home_directories_but_creates_no_set_uid_files() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/sbin/smbd", &[]);
    r.cc("plain.c", "usr/sbin/winbindd", &[]);
    r.unit("smbd.service", "[Service]\nExecStart=/usr/sbin/smbd --foreground --no-process-group\n");
    r.unit("winbind.service", "[Service]\nExecStart=/usr/sbin/winbindd --foreground --no-process-group\n");
    let e = r.evidence("smbd.service");
    assert!(!reasons(&e, Need::SetuidFiles).is_empty() && !reasons(&e, Need::HomeDirectories).is_empty());
    let e = r.evidence("winbind.service");
    assert!(reasons(&e, Need::SetuidFiles).is_empty(), "{:?}", reasons(&e, Need::SetuidFiles));
    assert_eq!(
        reasons(&e, Need::HomeDirectories),
        ["ExecStart= runs /usr/sbin/winbindd: writes users' Kerberos ticket caches, which may live in /home, /run/user or /tmp"]
    );
    assert_eq!(reasons(&e, Need::SharedTmp), reasons(&e, Need::HomeDirectories));
}

/// nft loads no module itself (the kernel loads what its requests need) and writes no
/// sysctl; iptables-restore runs modprobe when a table is missing.
#[test]
fn nft_needs_no_kernel_modules_or_tunables_but_iptables_does() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/sbin/nft", &[]);
    r.cc("plain.c", "usr/sbin/iptables-restore", &[]);
    r.unit("nftables.service", "[Service]\nType=oneshot\nExecStart=/usr/sbin/nft -f /etc/nftables.conf\n");
    r.unit("iptables.service", "[Service]\nType=oneshot\nExecStart=/usr/sbin/iptables-restore /etc/iptables.rules\n");
    let e = r.evidence("nftables.service");
    assert!(e.complete, "{:?}", e.missing);
    for need in [Need::KernelModules, Need::KernelTunables] {
        assert!(reasons(&e, need).is_empty(), "{need:?}: {:?}", reasons(&e, need));
    }
    let e = r.evidence("iptables.service");
    assert!(reasons(&e, Need::KernelModules)[0].starts_with("ExecStart= runs /usr/sbin/iptables-restore"));
}

#[test]
fn the_pam_modules_a_program_runs_are_read_as_its_plugins() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    r.cc("libpam-stub.c", &format!("{libdir}/libpam.so.0"), &["-shared", "-fPIC", "-Wl,-soname,libpam.so.0"]);
    let lib = format!("-L{}", r.path(libdir).display());
    r.cc("pam-user.c", "usr/sbin/authd", &[&lib, "-l:libpam.so.0"]);
    r.cc("pam-user.c", "usr/sbin/logind", &["-DSESSION", &lib, "-l:libpam.so.0"]);
    let security = format!("{libdir}/security");
    let module = ["-shared", "-fPIC"];
    r.cc("pam-module.c", &format!("{security}/pam_permit.so"), &module);
    r.cc("pam-module.c", &format!("{security}/pam_loginuid.so"), &module);
    r.cc("pam-module.c", &format!("{security}/pam_exec.so"), &module);
    r.cc("pam-module.c", &format!("{security}/pam_jail.so"), &["-DJAIL", "-shared", "-fPIC"]);
    r.cc("pam-module.c", &format!("{security}/pam_unix.so"), &["-DHELPER", "-shared", "-fPIC"]);
    r.unit("authd.service", "[Service]\nExecStart=/usr/sbin/authd\n");
    r.unit("logind.service", "[Service]\nExecStart=/usr/sbin/logind\n");
    r.unit("userd.service", "[Service]\nExecStart=/usr/sbin/authd\nUser=food\n");

    // A build root has no PAM configuration: which modules run is not known.
    let e = r.evidence("authd.service");
    assert!(!e.complete);
    assert!(e.missing.iter().any(|m| m.contains("no /etc/pam.d in the root")), "{:?}", e.missing);

    // Every file counts (the service name may be the client's), for the stacks the program's
    // imports run: authd authenticates and checks accounts, and opens no session.
    r.file(
        "etc/pam.d/common-auth",
        "auth [success=1 default=ignore] pam_unix.so nullok\nauth required pam_permit.so\n",
        0o644,
    );
    r.file(
        "etc/pam.d/food",
        "@include common-auth\nauth required pam_jail.so\n-auth optional pam_absent.so\naccount required pam_permit.so\n\
         session required pam_loginuid.so\n",
        0o644,
    );
    let e = r.evidence("authd.service");
    assert!(e.complete, "{:?}", e.missing);
    let chroot = reasons(&e, Need::Chroot);
    assert!(chroot.iter().any(|w| w.starts_with(&format!("/{security}/pam_jail.so imports chroot"))), "{chroot:?}");
    assert!(!e.capabilities.contains_key("CAP_AUDIT_CONTROL"), "no session is opened: {:?}", e.capabilities);
    // As root, pam_unix reads /etc/shadow itself: its set-gid helper does not run.
    assert!(reasons(&e, Need::SetuidExecution).is_empty(), "{:?}", e.needs);
    let text = explain_text(&e);
    assert!(text.contains("PAM modules read as its plugins"), "{text}");
    assert!(text.contains("pam_jail.so pam_permit.so pam_unix.so"), "{text}");
    assert!(text.contains("unix_chkpwd, unix_update run by pam_unix.so not counted: the service runs it as root"));

    // For a service that is not root the helper runs, but only hints: it checks only the
    // service user's own password.
    let e = r.evidence("userd.service");
    let helper = reasons(&e, Need::SetuidExecution);
    assert!(helper.iter().any(|w| w.contains("pam_unix.so names /usr/sbin/unix_chkpwd")), "{helper:?}");
    let planned = e.for_planner();
    assert!(planned.hints.contains_key(&Need::SetuidExecution) && !planned.needs.contains_key(&Need::SetuidExecution));

    // A program that opens sessions runs the session stack: pam_loginuid writes the login uid.
    let e = r.evidence("logind.service");
    assert!(e.complete, "{:?}", e.missing);
    let audit = &e.capabilities["CAP_AUDIT_CONTROL"];
    assert!(audit[0].contains("pam_loginuid.so (/etc/pam.d/food:5): it writes /proc/self/loginuid"), "{audit:?}");

    // A module that runs what its arguments name leaves the evidence incomplete.
    r.file("etc/pam.d/other", "auth optional pam_exec.so /usr/local/bin/hook\n", 0o644);
    let e = r.evidence("authd.service");
    assert!(!e.complete);
    assert!(
        e.missing.iter().any(|m| m.contains("pam_exec.so (/etc/pam.d/other:1): it runs the command")),
        "{:?}",
        e.missing
    );
}

#[test]
fn libgcrypt_changes_its_user_id_only_where_a_set_uid_bit_can_make_the_ids_differ() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    let lib = format!("-L{}", r.path(libdir).display());
    let soname = "-Wl,-soname,libgcrypt.so.20";
    r.cc("libgcrypt-stub.c", &format!("{libdir}/libgcrypt.so.20"), &["-shared", "-fPIC", soname]);
    r.cc("gcrypt-user.c", "usr/sbin/cryptd", &[&lib, "-l:libgcrypt.so.20", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    r.cc("gcrypt-user.c", "usr/bin/suidhelper", &[&lib, "-l:libgcrypt.so.20", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    fs::set_permissions(r.path("usr/bin/suidhelper"), fs::Permissions::from_mode(0o4755)).unwrap();
    let counted = |e: &Evidence| {
        let from_lib = |w: &String| w.starts_with("/usr/lib/x86_64-linux-gnu/libgcrypt.so.20 imports setuid:");
        let cap = e.capabilities.get("CAP_SETUID").is_some_and(|w| w.iter().any(from_lib));
        let need = e.needs.get(&Need::ChangesUser).is_some_and(|w| w.iter().any(from_lib));
        assert_eq!(cap, need, "{:?} {:?}", e.capabilities, e.needs);
        cap
    };
    let note = |e: &Evidence| e.programs.iter().filter_map(|p| p.note.clone()).collect::<Vec<_>>().join("; ");
    let not_counted = "libgcrypt.so.20: setuid not counted: called only while the real and effective user ids differ";

    // Root, NoNewPrivileges=yes, DynamicUser=yes: getuid() == geteuid() unless the program
    // changes its ids itself.
    for (name, service, why) in [
        ("root", "", "the service starts as root and runs no set-uid program"),
        ("nnp", "User=cryptd\nNoNewPrivileges=yes\n", "the unit sets NoNewPrivileges=yes"),
        ("dynamic", "DynamicUser=yes\n", "DynamicUser=yes implies NoNewPrivileges=yes"),
    ] {
        r.unit(&format!("{name}.service"), &format!("[Service]\n{service}ExecStart=/usr/sbin/cryptd\n"));
        let e = r.evidence(&format!("{name}.service"));
        assert!(e.complete, "{name}: {:?}", e.missing);
        assert!(!counted(&e), "{name}");
        assert!(!e.needs.contains_key(&Need::HostUserIds), "{name}: {:?}", e.needs);
        assert!(note(&e).contains(not_counted) && note(&e).contains(why), "{name}: {}", note(&e));
        assert!(explain_text(&e).contains(not_counted), "{name}: explain shows it");
        assert!(!derive(&e).unwrap().capability_bounding_set.value.contains("CAP_SETUID"), "{name}");
    }

    // A non-root User= without NoNewPrivileges=: a set-uid-root program it runs may be
    // running with ids that differ, where setuid() must succeed (and setuid(0) then fail).
    r.unit("user.service", "[Service]\nUser=cryptd\nExecStart=/usr/sbin/cryptd\n");
    let e = r.evidence("user.service");
    assert!(counted(&e) && !note(&e).contains(not_counted), "{}", note(&e));
    // Root running a set-uid program: counted, for every program, and no note says otherwise.
    r.unit("suid.service", "[Service]\nExecStartPre=/usr/bin/suidhelper\nExecStart=/usr/sbin/cryptd\n");
    let e = r.evidence("suid.service");
    assert!(e.needs.contains_key(&Need::SetuidExecution), "{:?}", e.needs);
    assert!(counted(&e) && !note(&e).contains(not_counted), "{}", note(&e));
    assert!(derive(&e).unwrap().capability_bounding_set.value.contains("CAP_SETUID"));
}

/// hardenunit's own NoNewPrivileges=yes, written by a run before, is no setting of the unit:
/// the evidence reads the unit without it, as the plan does, so that a second run plans
/// what the first wrote. (The evidence used to read it: the first run counted libgcrypt's
/// setuid import for a User= that may run a set-uid program, the second did not, and
/// planned @privileged into SystemCallFilter=, so `--check` after `--write` failed.)
#[test]
fn a_second_run_is_not_swayed_by_the_first_runs_no_new_privileges() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    let lib = format!("-L{}", r.path(libdir).display());
    r.cc(
        "libgcrypt-stub.c",
        &format!("{libdir}/libgcrypt.so.20"),
        &["-shared", "-fPIC", "-Wl,-soname,libgcrypt.so.20"],
    );
    r.cc("gcrypt-user.c", "usr/sbin/cryptd", &[&lib, "-l:libgcrypt.so.20", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    r.unit("cryptd.service", "[Service]\nUser=cryptd\nExecStart=/usr/sbin/cryptd\n");
    let run = |mode: &str| {
        Command::new(env!("CARGO_BIN_EXE_hardenunit"))
            .args(["--systemd-version", "257", mode, "--root"])
            .arg(r.dir.path())
            .env("HARDENUNIT_NO_SYSTEM_POLICY", "1")
            .output()
            .unwrap()
    };
    assert!(run("--write").status.success());
    let written = fs::read_to_string(r.path("lib/systemd/system/cryptd.service.d/10-hardenunit.conf")).unwrap();
    assert!(written.contains("\nNoNewPrivileges=yes\n"), "{written}");
    let check = run("--check");
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "the second run would change what the first wrote:\n{out}");
}

#[test]
fn the_real_libgcrypt_of_the_host_is_what_the_row_governs() {
    // Debian 12's libgcrypt20 (1.10.1), which libsystemd links: its setuid import must be
    // the one the row leaves out, and no other import of its may show a change of user.
    let host = Path::new("/usr/lib/x86_64-linux-gnu/libgcrypt.so.20");
    if !host.exists() {
        eprintln!("SKIPPED: no {} on this host", host.display());
        return;
    }
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    fs::create_dir_all(r.path(libdir)).unwrap();
    for lib in ["libgcrypt.so.20", "libgpg-error.so.0"] {
        fs::copy(Path::new("/usr/lib/x86_64-linux-gnu").join(lib), r.path(&format!("{libdir}/{lib}"))).unwrap();
    }
    let lib = format!("-L{}", r.path(libdir).display());
    r.cc("gcrypt-user.c", "usr/sbin/cryptd", &[&lib, "-l:libgcrypt.so.20", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    r.unit("root.service", "[Service]\nExecStart=/usr/sbin/cryptd\n");
    r.unit("user.service", "[Service]\nUser=cryptd\nExecStart=/usr/sbin/cryptd\n");
    let from_lib = |e: &Evidence| {
        e.capabilities.get("CAP_SETUID").is_some_and(|w| w.iter().any(|w| w.contains("libgcrypt.so.20 imports setuid")))
    };
    let e = r.evidence("root.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(!e.needs.contains_key(&Need::ChangesUser) && !e.needs.contains_key(&Need::HostUserIds), "{:?}", e.needs);
    assert!(!e.capabilities.contains_key("CAP_SETUID"), "{:?}", e.capabilities);
    assert!(explain_text(&e).contains("libgcrypt.so.20: setuid not counted"));
    assert!(from_lib(&r.evidence("user.service")), "counted for a User= that may run a set-uid program");
}

#[test]
fn libmount_mounts_only_for_a_program_that_makes_a_mount_context() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    let lib = format!("-L{}", r.path(libdir).display());
    let rpath = "-Wl,-rpath,/usr/lib/x86_64-linux-gnu";
    r.cc("libmount-stub.c", &format!("{libdir}/libmount.so.1"), &["-shared", "-fPIC", "-Wl,-soname,libmount.so.1"]);
    r.cc("mount-user.c", "usr/sbin/tablereader", &[&lib, "-l:libmount.so.1", rpath]);
    r.cc("mount-user.c", "usr/sbin/mounter", &["-DMOUNTS", &lib, "-l:libmount.so.1", rpath]);
    r.unit("tablereader.service", "[Service]\nExecStart=/usr/sbin/tablereader\n");
    r.unit("mounter.service", "[Service]\nExecStart=/usr/sbin/mounter\n");

    let e = r.evidence("tablereader.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(!e.needs.contains_key(&Need::Mounts) && !e.capabilities.contains_key("CAP_SYS_ADMIN"), "{:?}", e.needs);
    let note = e.programs[0].note.as_deref().unwrap_or_default();
    assert!(note.contains("libmount.so.1: mount not counted: reached only through mnt_new_context"), "{note}");

    let e = r.evidence("mounter.service");
    assert!(e.needs[&Need::Mounts]
        .iter()
        .any(|w| w.starts_with("/usr/lib/x86_64-linux-gnu/libmount.so.1 imports mount")));
    assert!(e.capabilities.contains_key("CAP_SYS_ADMIN"), "{:?}", e.capabilities);
}

/// fstrim's FITRIM ioctl needs CAP_SYS_ADMIN, which its imports do not show: the program
/// row keeps it (the same file under another name does not get it).
#[test]
fn fstrim_keeps_cap_sys_admin_for_its_fitrim_ioctl() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/sbin/fstrim", &[]);
    r.cc("plain.c", "usr/sbin/food", &[]);
    r.unit("fstrim.service", "[Service]\nType=oneshot\nExecStart=/usr/sbin/fstrim --listed-in /etc/fstab --verbose\n");
    r.unit("food.service", "[Service]\nExecStart=/usr/sbin/food\n");
    for (unit, kept) in [("fstrim.service", true), ("food.service", false)] {
        let e = r.evidence(unit);
        assert!(e.complete, "{unit}: {:?}", e.missing);
        let set = derive(&e).unwrap().capability_bounding_set.value;
        assert_eq!(set.split(' ').any(|c| c == "CAP_SYS_ADMIN"), kept, "{unit}: {set}");
    }
}

/// The SystemCallFilter= line hardenunit adds to `unit` in `root`.
fn syscall_filter_added(root: &Path, unit: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hardenunit"))
        .args(["--no-system-policy", "--systemd-version", "257", "--diff", "--root"])
        .arg(root)
        .arg(unit)
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&out.stdout);
    diff.lines().find_map(|l| l.strip_prefix("+SystemCallFilter=")).unwrap_or_default().to_owned()
}

#[test]
fn a_library_whose_syscall_numbers_are_known_lets_resources_be_denied() {
    // The same code as libcap-ng, whose only syscall() is gettid (src/cap-ng.c), and as a
    // library no row names.
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    for (file, soname) in [("libcap-ng.so.0.0.0", "libcap-ng.so.0"), ("libnumbered.so.1.0.0", "libnumbered.so.1")] {
        r.cc("numbered-lib.c", &format!("{libdir}/{file}"), &["-shared", "-fPIC", &format!("-Wl,-soname,{soname}")]);
        symlink(file, r.path(&format!("{libdir}/{soname}"))).unwrap();
        let user = format!("usr/sbin/{}", soname.split('.').next().unwrap());
        let lib = format!("-L{}", r.path(libdir).display());
        r.cc("numbered-user.c", &user, &[&lib, &format!("-l:{soname}"), "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    }
    r.unit("known.service", "[Service]\nExecStart=/usr/sbin/libcap-ng\n");
    r.unit("unknown.service", "[Service]\nExecStart=/usr/sbin/libnumbered\n");

    let known = r.evidence("known.service");
    assert!(known.complete, "{:?}", known.missing);
    assert!(!known.needs.contains_key(&Need::NumberedSystemCalls), "{:?}", known.needs);
    let explained = explain_text(&known);
    assert!(
        explained
            .contains("/usr/lib/x86_64-linux-gnu/libcap-ng.so.0.0.0 imports syscall: calls syscall(3) only for gettid"),
        "explain shows the row behind the decision:\n{explained}"
    );
    let filter = syscall_filter_added(r.dir.path(), "known.service");
    assert!(filter.split(' ').any(|g| g == "@resources") && filter.contains("@privileged"), "{filter}");

    // The number unknown: the need stays, and @resources and @privileged stay allowed.
    let unknown = r.evidence("unknown.service");
    assert_eq!(
        reasons(&unknown, Need::NumberedSystemCalls),
        ["/usr/lib/x86_64-linux-gnu/libnumbered.so.1.0.0 imports syscall: makes system calls by number: which ones, its imports do not show"]
    );
    let filter = syscall_filter_added(r.dir.path(), "unknown.service");
    assert!(filter.starts_with('~') && !filter.contains("@resources") && !filter.contains("@privileged"), "{filter}");
}

#[test]
fn rsync_syscall_numbers_are_known_so_resources_is_denied() {
    // The same code under rsync's name and under a name no row has.
    let r = TestRoot::new();
    r.cc("numbered-program.c", "usr/bin/rsync", &[]);
    r.cc("numbered-program.c", "usr/bin/numbered", &[]);
    r.unit("rsync.service", "[Service]\nExecStart=/usr/bin/rsync --no-detach --daemon\n");
    r.unit("numbered.service", "[Service]\nExecStart=/usr/bin/numbered\n");

    let rsync = r.evidence("rsync.service");
    assert!(!rsync.needs.contains_key(&Need::NumberedSystemCalls), "{:?}", rsync.needs);
    let explained = explain_text(&rsync);
    assert!(
        explained.contains("/usr/bin/rsync imports syscall: calls syscall(3) only for fchmodat2, getxattrat"),
        "{explained}"
    );
    let filter = syscall_filter_added(r.dir.path(), "rsync.service");
    assert!(filter.split(' ').any(|g| g == "@resources"), "{filter}");

    let other = r.evidence("numbered.service");
    assert!(other.needs.contains_key(&Need::NumberedSystemCalls), "{:?}", other.needs);
    let filter = syscall_filter_added(r.dir.path(), "numbered.service");
    assert!(filter.starts_with('~') && !filter.contains("@resources"), "{filter}");
}

/// libwrap's nice(3) fails without harm (tcp_wrappers' options.c nice_option() logs it and
/// serves the connection), so where the written filter fails a refused call with an errno it
/// keeps neither @resources nor CAP_SYS_NICE. Where a refused call kills the service (the
/// unit's own SystemCallFilter= without SystemCallErrorNumber=, or a policy that writes none,
/// or `kill`) it still keeps @resources out.
#[test]
fn libwrap_nice_keeps_resources_out_only_where_a_refused_call_kills_under_any_policy_errno() {
    let r = TestRoot::new();
    let libdir = "usr/lib/x86_64-linux-gnu";
    let lib = format!("-L{}", r.path(libdir).display());
    r.cc("libwrap-stub.c", &format!("{libdir}/libwrap.so.0"), &["-shared", "-fPIC", "-Wl,-soname,libwrap.so.0"]);
    r.cc("wrap-user.c", "usr/sbin/wrapd", &[&lib, "-l:libwrap.so.0", "-Wl,-rpath,/usr/lib/x86_64-linux-gnu"]);
    let own = "SystemCallFilter=@system-service\n";
    r.unit("wrapd.service", "[Service]\nExecStart=/usr/sbin/wrapd\n");
    r.unit("kills.service", &format!("[Service]\nExecStart=/usr/sbin/wrapd\n{own}"));
    r.unit("fails.service", &format!("[Service]\nExecStart=/usr/sbin/wrapd\n{own}SystemCallErrorNumber=EPERM\n"));
    let e = r.evidence("wrapd.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(!e.needs.contains_key(&Need::ResourceControl), "{:?}", e.needs);
    let handled = &e.needs_if_filter_kills[&Need::ResourceControl];
    assert!(handled[0].starts_with("/usr/lib/x86_64-linux-gnu/libwrap.so.0 imports nice:"), "{handled:?}");
    assert!(!e.capabilities.contains_key("CAP_SYS_NICE"), "{:?}", e.capabilities);
    assert!(explain_text(&e).contains("libwrap.so.0: nice not counted: its failure is handled"));

    // The filter and errno each unit gets, under the built-in policy and one more layer.
    let plan = |layer: Option<&str>| -> Vec<(String, String, Option<String>)> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hardenunit"));
        cmd.args(["--systemd-version", "257", "--format", "json", "--root"]).arg(r.dir.path());
        let policy = r.dir.path().join("policy.toml");
        if let Some(text) = layer {
            std::fs::write(&policy, text).unwrap();
            cmd.arg("--policy").arg(&policy);
        }
        let out = cmd
            .args(["wrapd.service", "kills.service", "fails.service"])
            .env("HARDENUNIT_NO_SYSTEM_POLICY", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let units: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let value_of = |u: &serde_json::Value, key: &str| -> Option<String> {
            let added = u["added"].as_array().unwrap();
            let mut values = added.iter().filter(|a| a["directive"] == key).map(|a| a["value"].as_str().unwrap());
            let first = values.next()?;
            Some(values.fold(first.to_owned(), |all, v| all + " " + v))
        };
        let units = units.as_array().unwrap().iter();
        units
            .map(|u| {
                let filter = value_of(u, "SystemCallFilter").unwrap_or_default();
                (u["unit"].as_str().unwrap().to_owned(), filter, value_of(u, "SystemCallErrorNumber"))
            })
            .collect()
    };
    let of = |units: &[(String, String, Option<String>)], unit: &str| {
        units.iter().find(|u| u.0 == unit).map(|u| (u.1.clone(), u.2.clone())).unwrap()
    };
    let built_in = plan(None);
    let (wrapd, errno) = of(&built_in, "wrapd.service");
    assert!(wrapd.contains("@resources") && errno.as_deref() == Some("EPERM"), "{wrapd} {errno:?}");
    assert!(of(&built_in, "fails.service").0.contains("@resources"), "{built_in:?}");
    let kills = of(&built_in, "kills.service").0;
    assert!(kills.starts_with('~') && kills.contains("@privileged") && !kills.contains("@resources"), "{kills}");

    // The policy's errno is the one written; any errno leaves the failure to the library.
    let eacces = plan(Some("[profiles.baseline.directives]\nSystemCallErrorNumber = \"EACCES\"\n"));
    let (wrapd, errno) = of(&eacces, "wrapd.service");
    assert!(wrapd.contains("@resources") && errno.as_deref() == Some("EACCES"), "{wrapd} {errno:?}");
    // Without one, or with kill, a refused nice(3) kills wrapd, so @resources stays allowed.
    for layer in ["SystemCallErrorNumber = false", "SystemCallErrorNumber = \"kill\""] {
        let units = plan(Some(&format!("[profiles.baseline.directives]\n{layer}\n")));
        let (wrapd, errno) = of(&units, "wrapd.service");
        assert!(wrapd.starts_with('~') && !wrapd.contains("@resources"), "{layer}: {wrapd}");
        assert_eq!(errno.as_deref(), layer.contains("kill").then_some("kill"), "{layer}");
    }
}

/// postgresql-common's pg_ctlcluster (as in 248, 278 and 293, cut down to the lines that run
/// commands): the programs it runs by variables are the package's own under
/// /usr/lib/postgresql/VERSION/bin, read as run by it; systemctl runs only without
/// --skip-systemctl-redirect, PgCommon's `system @_` and dpkg only for their functions' callers.
#[test]
fn pg_ctlcluster_runs_the_packages_own_programs() {
    let r = TestRoot::new();
    r.cc("interpreter.c", "usr/bin/perl", &["-ldl"]);
    r.cc("plain.c", "usr/bin/dash", &[]);
    symlink("dash", r.path("usr/bin/sh")).unwrap();
    symlink("usr/bin", r.path("bin")).unwrap();
    for program in ["pg_ctl", "psql", "pg_controldata"] {
        r.cc("plain.c", &format!("usr/lib/postgresql/17/bin/{program}"), &[]);
    }
    r.cc("drop-privileges.c", "usr/lib/postgresql/17/bin/postgres", &[]);
    r.file("usr/share/perl/5.40.1/strict.pm", "package strict;\n1;\n", 0o644);
    let common = "package PgCommon;\nuse strict;\nour $binroot = \"/usr/lib/postgresql/\";\n\
        sub get_program_path {\n    my ($program, $version) = @_;\n    my $path = \"$binroot$version/bin/$program\";\n    return $path if -x $path;\n}\n\
        sub system_or_error {\n    my $ret = system @_;\n}\n\
        sub get_cluster_controldata {\n    my $pg_controldata = get_program_path 'pg_controldata', $version;\n\
        my $result = open (CTRL, '-|', $pg_controldata, (cluster_data_directory $version, $cluster));\n}\n\
        sub package_list($) {\n    open (my $fh, '-|', 'dpkg', '-l', $pattern) or error \"could not read list of packages\";\n}\n1;\n";
    r.file("usr/share/perl5/PgCommon.pm", common, 0o644);
    let script = "#!/usr/bin/perl\nuse strict;\nuse PgCommon;\n\
        sub cluster_port_ready {\n    my $psql = get_program_path('psql', $v);\n\
        $out = `LC_MESSAGES=C $psql -h '$sd' --port $p $nopwoption -Xc '' template1 2>&1 >/dev/null`;\n}\n\
        sub start {\n    if ($foreground) {\n        my $postgres = get_program_path 'postgres', $version;\n\
        exec '/bin/sh', '-c', \"exec $postgres $postgres_opts\" or\n            error \"Executing $postgres failed: $!\"\n    }\n\
        exec $pg_ctl @options or error \"could not exec $pg_ctl @options: $!\";\n}\n\
        if (not $skip_systemctl_redirect and getppid() != 1) {\n    system 'systemctl', 'is-active', '-q', \"postgresql\\@$version-$cluster\";\n}\n\
        $pg_ctl = $bindir ? \"$bindir/pg_ctl\" : get_program_path ('pg_ctl', $version);\n";
    r.file("usr/bin/pg_ctlcluster", script, 0o755);
    let unit = |args: &str| {
        format!(
            "[Service]\nType=forking\nExecStart=-/usr/bin/pg_ctlcluster {args} %i start\n\
             ExecStop=/usr/bin/pg_ctlcluster {args} -m fast %i stop\n"
        )
    };
    r.unit("postgresql@.service", &unit("--skip-systemctl-redirect"));
    let e = r.evidence("postgresql@17-main.service");
    assert!(e.complete, "{:?}", e.missing);
    let read: Vec<&str> = e.programs.iter().map(|p| p.path.as_str()).collect();
    for program in ["pg_ctl", "postgres", "psql", "pg_controldata"] {
        assert!(read.contains(&format!("/usr/lib/postgresql/17/bin/{program}").as_str()), "{program}: {read:?}");
    }
    assert!(!read.iter().any(|p| p.ends_with("systemctl") || p.ends_with("dpkg")), "{read:?}");
    assert!(e.capabilities.contains_key("CAP_SETUID"), "postgres, as pg_ctl runs it, drops privileges");
    let pg_ctl = e.programs.iter().find(|p| p.path == "/usr/lib/postgresql/17/bin/pg_ctl").unwrap();
    assert!(
        pg_ctl.note.as_deref().unwrap_or("").contains("get_program_path ('pg_ctl', $version)"),
        "{:?}",
        pg_ctl.note
    );
    assert!(derive(&e).is_some());

    // Another pg_ctl: --bindir, in any form Getopt::Long takes.
    for bindir in ["--bindir /opt/pg", "--bindir=/opt/pg", "-b /opt/pg", "-BinDir=/opt/pg", "--bin /opt/pg"] {
        r.unit("postgresql@.service", &unit(&format!("--skip-systemctl-redirect {bindir}")));
        let e = r.evidence("postgresql@17-main.service");
        assert!(e.missing.iter().any(|m| m.contains("`exec $pg_ctl @options")), "{bindir}: {:?}", e.missing);
    }
    // Without --skip-systemctl-redirect first, it may run systemctl.
    r.unit("postgresql@.service", &unit("-m fast --skip-systemctl-redirect"));
    let e = r.evidence("postgresql@17-main.service");
    assert!(e.missing.iter().any(|m| m.starts_with("systemctl (run by /usr/bin/pg_ctlcluster)")), "{:?}", e.missing);
    // A script that calls system_or_error or package_list runs what they run.
    r.file("usr/bin/pg_ctlcluster", &format!("{script}system_or_error 'rm', $dir;\npackage_list 'x';\n"), 0o755);
    r.unit("postgresql@.service", &unit("--skip-systemctl-redirect"));
    let e = r.evidence("postgresql@17-main.service");
    assert!(e.missing.iter().any(|m| m.contains("`my $ret = system @_;`")), "{:?}", e.missing);
    assert!(e.missing.iter().any(|m| m.starts_with("dpkg (run by /usr/bin/pg_ctlcluster)")), "{:?}", e.missing);
    // No version directory holds the programs: nothing is known of what it runs.
    r.file("usr/bin/pg_ctlcluster", script, 0o755);
    fs::remove_dir_all(r.path("usr/lib/postgresql/17")).unwrap();
    let e = r.evidence("postgresql@17-main.service");
    assert!(
        e.missing
            .iter()
            .any(|m| m.starts_with("/usr/bin/pg_ctlcluster as $pg_ctl runs /usr/lib/postgresql/*/bin/pg_ctl: none")),
        "{:?}",
        e.missing
    );
}

/// The Java VM's launcher shows nothing of what the classes it runs do (it loads libjvm.so
/// with dlopen from libjli, a library's): read alone, Debian's openjdk-21 bin/java gave
/// complete evidence, RestrictAddressFamilies=AF_UNIX and no system call group, which a
/// Tomcat that listens on TCP would not survive.
#[test]
fn the_java_vm_leaves_the_evidence_incomplete() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/lib/jvm/java-21-openjdk-amd64/bin/java", &[]);
    r.unit("app.service", "[Service]\nUser=app\nExecStart=/usr/lib/jvm/java-21-openjdk-amd64/bin/java -jar /x.jar\n");
    let e = r.evidence("app.service");
    assert!(!e.complete, "{:?}", e.needs);
    assert!(
        e.missing.iter().any(|m| m.contains("runs the classes it is given") && m.contains("(the Java VM)")),
        "{:?}",
        e.missing
    );
    assert!(derive(&e).is_none());
    assert!(!reasons(&e, Need::WritableExecutableMemory).is_empty());
}

/// dbus-daemon hands bus activation of a service without SystemdService= to the set-uid
/// dbus-daemon-launch-helper: NoNewPrivileges= would make that activation fail.
#[test]
fn the_system_bus_runs_its_set_uid_launch_helper() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/bin/dbus-daemon", &[]);
    r.cc("plain.c", "usr/bin/other-daemon", &[]);
    r.unit("dbus.service", "[Service]\nExecStart=/usr/bin/dbus-daemon --system --nofork\nUser=messagebus\n");
    r.unit("other.service", "[Service]\nExecStart=/usr/bin/other-daemon --system --nofork\nUser=messagebus\n");
    let e = r.evidence("dbus.service");
    let why = reasons(&e, Need::SetuidExecution);
    assert!(why.len() == 1 && why[0].contains("dbus-daemon-launch-helper"), "{why:?}");
    assert!(reasons(&r.evidence("other.service"), Need::SetuidExecution).is_empty());
}

/// mariadb.service: ExecStart= runs galera_recovery, which `eval`s the daemon's command line
/// from words it fixes, and ExecStartPost=! runs debian-start as root, which sources files of
/// /etc/default no package ships only when they exist.
#[test]
fn eval_of_fixed_words_and_absent_optional_configuration_leave_the_evidence_complete() {
    let r = TestRoot::new();
    r.cc("plain.c", "usr/sbin/food", &[]);
    r.cc("plain.c", "usr/bin/food-upgrade", &[]);
    let recover = "#!/bin/sh\nargs=$@\nuser=food\neval /usr/sbin/food $args --user=$user --recover 2> /dev/null\n";
    r.file("usr/bin/food-recover", recover, 0o755);
    let start = "#!/bin/bash\nif [ -f /etc/default/food ]\nthen\n  . /etc/default/food\nfi\n\
                 UPGRADE=\"/usr/bin/food-upgrade --check\"\n$UPGRADE\n";
    r.file("etc/food/food-start", start, 0o755);
    let service =
        "[Service]\nUser=food\nExecStart=/bin/sh -c \"VAR=`/usr/bin/food-recover`; exec /usr/sbin/food $VAR\"\n";
    r.unit("food.service", &format!("{service}ExecStartPost=!/etc/food/food-start\n"));
    let e = r.evidence("food.service");
    assert!(e.complete, "{:?}", e.missing);
    assert!(e.programs.iter().any(|p| p.path == "/usr/sbin/food" && p.reached_by == "/usr/bin/food-recover"));
    assert!(e.programs.iter().any(|p| p.path == "/usr/bin/food-upgrade" && p.reached_by == "/etc/food/food-start"));
    // `!` runs it as root inside the bounding set: root's file access stays.
    let d = derive(&e).unwrap();
    assert_eq!(d.capability_bounding_set.value, "CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID");
    assert!(d.capability_bounding_set.reasons[0].contains("ExecStartPost= runs /etc/food/food-start as root"));
    // Run as the User=, or with `+` outside the bounding set: nothing of root's to keep.
    for prefix in ["", "+"] {
        r.unit("food.service", &format!("{service}ExecStartPost={prefix}/etc/food/food-start\n"));
        assert_eq!(derive(&r.evidence("food.service")).unwrap().capability_bounding_set.value, "", "{prefix}");
    }

    // Given arguments, which `eval` would read again as shell syntax: not known.
    r.unit(
        "food.service",
        "[Service]\nUser=food\nExecStart=/bin/sh -c \"VAR=`/usr/bin/food-recover --x`; exec /usr/sbin/food $VAR\"\n",
    );
    let e = r.evidence("food.service");
    assert_eq!(e.missing, ["/usr/bin/food-recover: runs `eval`: the command is built at run time"]);
}
