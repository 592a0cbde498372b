use super::*;
use crate::policy::Overrides;
use crate::unit::{LoadOutcome, Loader};

fn policy(extra: &str, profile: Option<&str>) -> Policy {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, extra.as_bytes()).unwrap();
    let o = Overrides { profile: profile.map(str::to_owned), ..Default::default() };
    Policy::load(None, &[f.path().to_owned()], &o).unwrap()
}

fn plan_for(files: &[(&str, &str)], unit: &str, p: &Policy, systemd_version: u32) -> Plan {
    plan_with_evidence(files, unit, p, systemd_version, None)
}

fn plan_with_evidence(
    files: &[(&str, &str)],
    unit: &str,
    p: &Policy,
    systemd_version: u32,
    evidence: Option<&ProgramEvidence>,
) -> Plan {
    let t = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = t.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let loader = Loader::new(Some(t.path())).unwrap();
    let LoadOutcome::Unit(u) = loader.load(unit).unwrap() else { panic!("masked") };
    let assignments = u.assignments();
    let facts = crate::unit::facts::UnitFacts::read(u.name.prefix(), &assignments);
    plan(&u, &assignments, &facts, evidence, &Context { policy: p, systemd_version })
}

fn added(p: &Plan, key: &str) -> Option<String> {
    p.added.iter().find(|a| a.directive == key).map(|a| a.value.clone())
}

fn skipped(p: &Plan, key: &str) -> Option<String> {
    p.skipped.iter().find(|a| a.directive == key).map(|a| a.reason.clone())
}

const SYS: &str = "lib/systemd/system";

#[test]
fn plain_daemon_gets_the_baseline_and_keeps_maintainer_decisions() {
    let unit = "[Service]\nExecStart=/usr/sbin/food\nPrivateTmp=no\n";
    let p = plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &policy("", None), 252);
    assert_eq!(added(&p, "ProtectSystem").as_deref(), Some("full"));
    assert_eq!(added(&p, "PrivateTmp"), None);
    assert!(skipped(&p, "PrivateTmp").unwrap().contains("already sets PrivateTmp=no"));
    assert_eq!(added(&p, "SystemCallErrorNumber").as_deref(), Some("EPERM"));
    let scf = added(&p, "SystemCallFilter").unwrap();
    assert!(scf.starts_with('~') && !scf.contains("@mount"), "{scf}");
}

#[test]
fn dropins_count_as_the_units_own_settings() {
    let files = [
        (format!("{SYS}/food.service"), "[Service]\nExecStart=/usr/sbin/food\n"),
        (format!("{SYS}/food.service.d/50-local.conf"), "[Service]\nProtectHome=read-only\n"),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let p = plan_for(&files, "food.service", &policy("", None), 252);
    assert!(skipped(&p, "ProtectHome").unwrap().contains("read-only"));
}

#[test]
fn target_version_gates_directives() {
    let unit = "[Service]\nExecStart=/usr/sbin/food\n";
    let p = plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &policy("", None), 239);
    for newer in ["ProtectKernelLogs", "ProtectClock", "ProtectHostname", "RestrictSUIDSGID"] {
        assert!(skipped(&p, newer).unwrap().contains("the target is 239"), "{newer}");
    }
    for a in &p.added {
        assert!(crate::directives::lookup(&a.directive).unwrap().since_for(&a.value) <= 239, "{a:?}");
    }
    let strict = policy("", Some("strict"));
    let p = plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &strict, 238);
    // The allow list is too new: strict falls back to the baseline's deny list.
    let scf = p.added.iter().find(|a| a.directive == "SystemCallFilter").unwrap();
    assert!(scf.value.starts_with("~@clock") && scf.reason.contains("needs systemd 239"), "{scf:?}");
    assert_eq!(added(&p, "SystemCallErrorNumber").as_deref(), Some("EPERM"));
}

#[test]
fn evident_needs_skip_what_they_break() {
    let unit = "[Service]\nExecStart=/usr/sbin/chronyd -F 1\n";
    let p = plan_for(&[(&format!("{SYS}/chrony.service"), unit)], "chrony.service", &policy("", None), 252);
    assert!(skipped(&p, "ProtectClock").unwrap().contains("clock"));
    assert!(!added(&p, "SystemCallFilter").unwrap().contains("@clock"));

    let unit = "[Service]\nExecStart=/usr/bin/node /srv/app.js\nWorkingDirectory=/home/app\n";
    let p = plan_for(&[(&format!("{SYS}/app.service"), unit)], "app.service", &policy("", None), 252);
    assert!(skipped(&p, "MemoryDenyWriteExecute").is_some());
    assert!(skipped(&p, "ProtectHome").unwrap().contains("/home/app"));

    let unit = "[Service]\nExecStart=/usr/sbin/dnsmasq\n";
    let p = plan_for(&[(&format!("{SYS}/dnsmasq.service"), unit)], "dnsmasq.service", &policy("", None), 252);
    assert!(added(&p, "RestrictAddressFamilies").unwrap().ends_with("AF_PACKET"));

    let unit = "[Service]\nExecStart=/usr/sbin/gpsd /dev/ttyUSB0\nSupplementaryGroups=dialout\n";
    let p = plan_for(&[(&format!("{SYS}/gpsd.service"), unit)], "gpsd.service", &policy("", None), 252);
    assert!(skipped(&p, "PrivateDevices").is_some());
}

#[test]
fn setuid_helpers_under_a_user_skip_everything_that_implies_no_new_privileges() {
    let unit = "[Service]\nUser=www-data\nExecStart=/usr/sbin/php-fpm8.2 --nodaemonize\n";
    let p = plan_for(&[(&format!("{SYS}/php8.2-fpm.service"), unit)], "php8.2-fpm.service", &policy("", None), 252);
    for k in ["NoNewPrivileges", "SystemCallFilter", "RestrictNamespaces", "PrivateDevices", "LockPersonality"] {
        assert!(skipped(&p, k).unwrap().contains("NoNewPrivileges"), "{k}");
    }
    assert_eq!(added(&p, "ProtectSystem").as_deref(), Some("full"));
}

#[test]
fn login_and_job_runners_are_left_alone() {
    for (name, exec) in [("ssh.service", "/usr/sbin/sshd -D"), ("cron.service", "/usr/sbin/cron -f")] {
        let unit = format!("[Service]\nExecStart={exec}\n");
        let p = plan_for(&[(&format!("{SYS}/{name}"), &unit)], name, &policy("", None), 252);
        assert!(p.left_alone.is_some() && p.added.is_empty(), "{name}");
    }
}

#[test]
fn user_units_and_early_boot_units_get_only_what_applies() {
    let unit = "[Service]\nExecStart=/usr/bin/agentd\n";
    let p = plan_for(&[("usr/lib/systemd/user/agent.service", unit)], "agent.service", &policy("", None), 252);
    assert!(added(&p, "NoNewPrivileges").is_some());
    assert!(skipped(&p, "ProtectSystem").unwrap().contains("user manager"));

    let unit = "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/usr/sbin/early\n";
    let p = plan_for(&[(&format!("{SYS}/early.service"), unit)], "early.service", &policy("", None), 252);
    assert!(skipped(&p, "PrivateTmp").unwrap().contains("DefaultDependencies=no"));
    assert!(added(&p, "NoNewPrivileges").is_some());
}

#[test]
fn per_unit_policy() {
    let extra = "[unit.\"food.service\"]\nskip = [\"ProtectHome\"]\nset = { ProtectSystem = \"strict\" }\nread_write_paths = [\"/var/lib/food\"]\n[unit.\"other.service\"]\nignore = true\n";
    let unit = "[Service]\nExecStart=/usr/sbin/food\nPIDFile=/run/food/food.pid\n";
    let pol = policy(extra, None);
    let p = plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &pol, 252);
    assert!(skipped(&p, "ProtectHome").unwrap().contains("policy"));
    assert_eq!(added(&p, "ProtectSystem").as_deref(), Some("strict"));
    assert_eq!(
        added(&p, "ReadWritePaths").as_deref(),
        Some("-/run/food -/var/cache/food -/var/lib/food -/var/log/food -/var/spool/food")
    );
    let p = plan_for(&[(&format!("{SYS}/other.service"), unit)], "other.service", &pol, 252);
    assert!(p.left_alone.unwrap().contains("ignore"));
}

#[test]
fn dynamic_user_implications_are_not_duplicated() {
    let unit = "[Service]\nDynamicUser=yes\nExecStart=/usr/bin/x\n";
    let p = plan_for(&[(&format!("{SYS}/x.service"), unit)], "x.service", &policy("", None), 252);
    assert!(skipped(&p, "ProtectSystem").unwrap().contains("DynamicUser"));
    assert!(added(&p, "ProtectHome").is_some());
}

#[test]
fn the_allow_list_is_kept_off_by_what_explain_says_keeps_it_off() {
    use Need::*;
    let strict = policy("", Some("strict"));
    let files = [(format!("{SYS}/food.service"), "[Service]\nExecStart=/usr/sbin/food\n")];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let needless = plan_with_evidence(&files, "food.service", &strict, 252, None);
    assert_eq!(added(&needless, "SystemCallFilter").as_deref(), Some("@system-service"));
    #[rustfmt::skip]
    let all = [
        WritableExecutableMemory, SetuidExecution, SetuidFiles, HomeDirectories, Devices, SystemClock, KernelModules,
        KernelTunables, KernelLogs, ControlGroups, Namespaces, Hostname, RealtimeScheduling, Personality, Mounts,
        Chroot, WritesSystemDirectories, WritesUndeclaredPaths, PrivilegedSystemCalls, PacketSockets,
        OtherAddressFamilies, ProcessInspection, HostUserIds, ChangesUser, UserManager, ChangesOwnership,
        SetsCapabilities, ResourceControl, AdministrativeCalls, NumberedSystemCalls, RestrictFileSystemsAfterFilter,
        Openat2, SharedTmp, ProcSystemFiles,
    ];
    for need in all {
        let ev = ProgramEvidence { needs: [(need, vec!["seen".into()])].into(), complete: true, ..Default::default() };
        let p = plan_with_evidence(&files, "food.service", &strict, 252, Some(&ev));
        let explained = crate::directives::kept_off_by(need).iter().any(|k| k == "SystemCallFilter");
        let allow_list = added(&p, "SystemCallFilter").is_some_and(|v| v == "@system-service");
        assert_eq!(!allow_list, explained, "{need:?}: {:?}", p.skipped);
        if explained {
            // Kept off, it falls back to the baseline's deny list, less what the need rules out.
            let deny = added(&p, "SystemCallFilter").unwrap();
            assert!(deny.starts_with('~'), "{need:?}: {deny}");
            let reason = &p.added.iter().find(|a| a.directive == "SystemCallFilter").unwrap().reason;
            assert!(reason.contains("@system-service ruled out") && reason.contains("baseline"), "{reason}");
        }
    }
}

#[test]
fn an_empty_exec_start_resets_the_programs_the_plan_sees() {
    // chronyd sets the clock; the drop-in replaces it with a program that does not.
    let files = [
        (format!("{SYS}/food.service"), "[Service]\nExecStart=/usr/sbin/chronyd -F 1\n"),
        (format!("{SYS}/food.service.d/local.conf"), "[Service]\nExecStart=\nExecStart=/usr/sbin/food\n"),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let p = plan_for(&files, "food.service", &policy("", None), 252);
    assert_eq!(added(&p, "ProtectClock").as_deref(), Some("yes"), "{:?}", p.skipped);
}

#[test]
fn a_custom_argv0_is_not_the_script_an_interpreter_runs() {
    // `@/usr/bin/python3 chronyd /usr/sbin/food`: chronyd is only the process's name.
    let unit = "[Service]\nExecStart=@/usr/bin/python3 chronyd /usr/lib/food/food.py\n";
    let p = plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &policy("", None), 252);
    assert_eq!(added(&p, "ProtectClock").as_deref(), Some("yes"), "{:?}", p.skipped);
}

#[test]
fn a_program_that_chroots_keeps_the_allow_list_off_but_keeps_the_deny_list() {
    // lldpd imports chroot(2): a hint, too weak to veto the baseline, but the allow list
    // leaves @mount (which holds chroot) out, so strict falls back to the deny list less @mount.
    let strict = policy("", Some("strict"));
    let files = [(format!("{SYS}/food.service"), "[Service]\nExecStart=/usr/sbin/food\n")];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let why = "/usr/sbin/food imports chroot: confines itself with chroot".to_owned();
    let ev = ProgramEvidence { hints: [(Need::Chroot, vec![why])].into(), complete: true, ..Default::default() };
    let p = plan_with_evidence(&files, "food.service", &strict, 252, Some(&ev));
    let scf = p.added.iter().find(|a| a.directive == "SystemCallFilter").unwrap();
    assert!(scf.value.starts_with('~') && !scf.value.contains("@mount"), "{scf:?}");
    assert!(scf.reason.contains("imports chroot"), "{scf:?}");
}

#[test]
fn a_service_that_starts_every_process_unprivileged_gets_an_empty_bounding_set() {
    let p = policy("", None);
    let plan_of = |unit: &str| plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &p, 252);
    let unit = "[Service]\nUser=food\nExecStartPre=/usr/bin/food-check\nExecStart=/usr/sbin/food\n";
    let plan = plan_of(unit);
    assert_eq!(added(&plan, "CapabilityBoundingSet").as_deref(), Some(""));
    let reason = &plan.added.iter().find(|a| a.directive == "CapabilityBoundingSet").unwrap().reason;
    assert!(reason.contains("User=food") && reason.contains("NoNewPrivileges=yes is added"), "{reason}");
    assert_eq!(
        added(&plan_of("[Service]\nDynamicUser=yes\nExecStart=/usr/sbin/food\n"), "CapabilityBoundingSet").as_deref(),
        Some("")
    );
    // PermissionsStartOnly= only lifts User= from commands other than ExecStart= (etcd's unit).
    let only_exec_start = "[Service]\nUser=food\nPermissionsStartOnly=true\nExecStart=/usr/sbin/food\n";
    assert_eq!(added(&plan_of(only_exec_start), "CapabilityBoundingSet").as_deref(), Some(""));
    // Each of these lets a process hold a capability, so the rule does not apply (and without
    // evidence nothing else derives a set: at most the floor of capabilities nothing can use).
    for held in [
        "[Service]\nExecStart=/usr/sbin/food\n",
        "[Service]\nUser=root\nExecStart=/usr/sbin/food\n",
        "[Service]\nUser=%i\nExecStart=/usr/sbin/food\n",
        "[Service]\nUser=food\nExecStart=!!/usr/sbin/food\n",
        "[Service]\nUser=food\nPermissionsStartOnly=yes\nExecStartPre=/usr/bin/food-setup\nExecStart=/usr/sbin/food\n",
        "[Service]\nUser=food\nPermissionsStartOnly=yes\nExecStart=/usr/sbin/food\nExecReload=/bin/kill -HUP $MAINPID\n",
        "[Service]\nUser=food\nAmbientCapabilities=~CAP_NET_BIND_SERVICE\nExecStart=/usr/sbin/food\n",
        "[Service]\nUser=food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=!/usr/sbin/food\n",
        "[Service]\nUser=food\nNoNewPrivileges=no\nExecStart=/usr/sbin/food\n",
        // php-fpm runs set-gid sendmail: NoNewPrivileges= is skipped, so file privileges stay.
        "[Service]\nUser=www-data\nExecStart=/usr/sbin/php-fpm8.2 --nodaemonize\n",
    ] {
        let set = added(&plan_of(held), "CapabilityBoundingSet");
        assert!(set.as_ref().is_none_or(|v| v.starts_with('~')), "{held}: {set:?}");
    }
}

#[test]
fn a_service_whose_sandboxed_processes_start_unprivileged_is_bounded_by_its_ambient_set() {
    // tomcat10's unit: a `+` command runs outside the bounding set (systemd's execute.c,
    // exec-invoke.c: no sandboxing for EXEC_COMMAND_FULLY_PRIVILEGED), and every other
    // process runs as User= with NoNewPrivileges=: it can hold AmbientCapabilities= and no more.
    let p = policy("", None);
    let plan_of = |unit: &str| plan_for(&[(&format!("{SYS}/food.service"), unit)], "food.service", &p, 252);
    let tomcat = "[Service]\nUser=tomcat\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nNoNewPrivileges=true\n\
                  ExecStartPre=+/usr/libexec/tomcat10/tomcat-update-policy.sh\n\
                  ExecStart=/bin/sh /usr/libexec/tomcat10/tomcat-start.sh\n";
    let plan = plan_of(tomcat);
    assert_eq!(added(&plan, "CapabilityBoundingSet").as_deref(), Some("CAP_NET_BIND_SERVICE"), "{:?}", plan.skipped);
    let reason = &plan.added.iter().find(|a| a.directive == "CapabilityBoundingSet").unwrap().reason;
    assert!(reason.contains("ExecStartPre=+/usr/libexec/tomcat10/tomcat-update-policy.sh runs outside it"), "{reason}");
    assert!(
        reason.contains("the unit sets NoNewPrivileges=yes: no process can hold a capability but CAP_NET_BIND_SERVICE"),
        "{reason}"
    );
    let plus = "[Service]\nUser=food\nExecStartPre=+/usr/bin/food-setup\nExecStart=/usr/sbin/food\n";
    assert_eq!(added(&plan_of(plus), "CapabilityBoundingSet").as_deref(), Some(""));
    // Without NoNewPrivileges= a set-uid program could give more.
    let no_nnp = "[Service]\nUser=food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nNoNewPrivileges=no\nExecStart=/usr/sbin/food\n";
    assert!(added(&plan_of(no_nnp), "CapabilityBoundingSet").is_none_or(|v| v.starts_with('~')));
}

#[test]
fn strict_runs_only_a_service_without_capabilities_in_a_user_namespace() {
    // Not the baseline: without user namespaces the service would not start (default.toml).
    let baseline = policy("", None);
    let plain = "[Service]\nUser=food\nExecStart=/usr/sbin/food\n";
    let plan = plan_with_evidence(&[(&format!("{SYS}/food.service"), plain)], "food.service", &baseline, 252, None);
    assert_eq!(added(&plan, "PrivateUsers"), None);
    let p = policy("", Some("strict"));
    let plan_of = |unit: &str, ev: Option<&ProgramEvidence>| {
        plan_with_evidence(&[(&format!("{SYS}/food.service"), unit)], "food.service", &p, 252, ev)
    };
    let unprivileged = "[Service]\nUser=food\nExecStart=/usr/sbin/food\n";
    assert_eq!(added(&plan_of(unprivileged, None), "PrivateUsers").as_deref(), Some("yes"));
    let root = plan_of("[Service]\nExecStart=/usr/sbin/food\n", None);
    assert!(skipped(&root, "PrivateUsers").unwrap().contains("the service starts as root"));
    let granted =
        plan_of("[Service]\nUser=food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=/usr/sbin/food\n", None);
    assert!(skipped(&granted, "PrivateUsers").unwrap().contains("AmbientCapabilities=CAP_NET_BIND_SERVICE"));
    // The namespace ignores the set-gid bit of sendmail's postdrop (fs/exec.c bprm_fill_uid()).
    let why = "food runs sendmail".to_owned();
    let ev = ProgramEvidence { needs: [(Need::SetuidExecution, vec![why])].into(), ..Default::default() };
    assert!(skipped(&plan_of(unprivileged, Some(&ev)), "PrivateUsers").unwrap().contains("runs sendmail"));
    // tftpd-hpa 7.2 tries setresgid(65534): EPERM, which it tolerates, becomes EINVAL.
    let why = "in.tftpd imports setresgid".to_owned();
    let ev = ProgramEvidence { needs: [(Need::ChangesUser, vec![why])].into(), ..Default::default() };
    assert!(skipped(&plan_of(unprivileged, Some(&ev)), "PrivateUsers").unwrap().contains("setresgid"));
}

#[test]
fn the_units_own_setting_is_judged_by_the_target_release() {
    // `strict` is a value 257 understands and 252 ignores: for 257 the unit already sets it,
    // for 252 the line sets nothing and the baseline's `yes` goes in.
    let unit = "[Service]\nExecStart=/usr/sbin/food\nProtectControlGroups=strict\n";
    let files = [(&format!("{SYS}/food.service")[..], unit)];
    let at_257 = plan_for(&files, "food.service", &policy("", None), 257);
    assert_eq!(added(&at_257, "ProtectControlGroups"), None);
    assert!(skipped(&at_257, "ProtectControlGroups").unwrap().contains("already sets ProtectControlGroups=strict"));
    let at_252 = plan_for(&files, "food.service", &policy("", None), 252);
    assert_eq!(added(&at_252, "ProtectControlGroups").as_deref(), Some("yes"));
}

#[test]
fn strict_leaves_the_umask_alone_for_a_service_that_changes_user() {
    // varnishd's manager writes the compiled VCL as root and its worker, as vcache, loads it:
    // under UMask=0077 the worker gets "Permission denied" (boot lab, trixie, strict).
    let strict = policy("", Some("strict"));
    let files = [(&format!("{SYS}/food.service")[..], "[Service]\nExecStart=/usr/sbin/food\n")];
    let ev = ProgramEvidence {
        needs: [(Need::ChangesUser, vec!["/usr/sbin/food imports setuid".into()])].into(),
        complete: true,
        ..Default::default()
    };
    let changes_user = plan_with_evidence(&files, "food.service", &strict, 257, Some(&ev));
    assert_eq!(added(&changes_user, "UMask"), None);
    assert!(skipped(&changes_user, "UMask").unwrap().contains("changes its user or group ids"));
    let stays = plan_with_evidence(&files, "food.service", &strict, 257, None);
    assert_eq!(added(&stays, "UMask").as_deref(), Some("0077"));
}

fn values(p: &Plan, key: &str) -> Vec<String> {
    p.added.iter().filter(|a| a.directive == key).map(|a| a.value.clone()).collect()
}

fn reason(p: &Plan, key: &str) -> String {
    p.added.iter().find(|a| a.directive == key).map(|a| a.reason.clone()).unwrap_or_default()
}

fn evidence_of(complete: bool, hints: &[(Need, &str)]) -> ProgramEvidence {
    let hints = hints.iter().map(|(n, w)| (*n, vec![(*w).to_owned()])).collect();
    ProgramEvidence { hints, complete, ..Default::default() }
}

#[test]
fn privileged_and_resources_are_denied_only_where_complete_evidence_shows_none_of_their_calls() {
    let files = [(&format!("{SYS}/food.service")[..], "[Service]\nExecStart=/usr/sbin/food\n")];
    let groups = |ev: Option<&ProgramEvidence>, version: u32| {
        let p = plan_with_evidence(&files, "food.service", &policy("", None), version, ev);
        let scf = added(&p, "SystemCallFilter").unwrap();
        (scf.contains("@privileged"), scf.contains("@resources"), reason(&p, "SystemCallFilter"))
    };
    let (privileged, resources, _) = groups(Some(&evidence_of(true, &[])), 257);
    assert!(privileged && resources);
    for ev in [None, Some(evidence_of(false, &[]))] {
        let (privileged, resources, why) = groups(ev.as_ref(), 257);
        assert!(!privileged && !resources, "{why}");
        assert!(why.contains("@privileged (it holds setuid(2)") && why.contains("@resources (it holds"), "{why}");
    }
    // Each need a call of the group shows rules out that group and no other.
    use Need::*;
    for (need, keeps_privileged, keeps_resources) in [
        (ChangesOwnership, false, true),
        (ChangesUser, false, true),
        (SetsCapabilities, false, true),
        (Chroot, false, true),
        (ResourceControl, true, false),
        (RealtimeScheduling, true, false),
        (NumberedSystemCalls, false, false),
    ] {
        let (privileged, resources, why) =
            groups(Some(&evidence_of(true, &[(need, "/usr/sbin/food imports it")])), 257);
        assert_eq!((privileged, resources), (keeps_privileged, keeps_resources), "{need:?}: {why}");
    }
    // systemd 252 applies RestrictFileSystems= with bpf(2), a call of @privileged, after the filter.
    let restricted = "[Service]\nExecStart=/usr/sbin/food\nRestrictFileSystems=ext4 tmpfs\n";
    let files = [(&format!("{SYS}/food.service")[..], restricted)];
    for (version, denied) in [(252, false), (257, true)] {
        let p = plan_with_evidence(&files, "food.service", &policy("", None), version, Some(&evidence_of(true, &[])));
        let scf = added(&p, "SystemCallFilter").unwrap();
        assert_eq!(scf.contains("@privileged"), denied, "{version}: {}", reason(&p, "SystemCallFilter"));
    }
}

#[test]
fn strict_follows_its_allow_list_with_the_baselines_groups_it_admits() {
    let strict = policy("", Some("strict"));
    let files = [(&format!("{SYS}/food.service")[..], "[Service]\nExecStart=/usr/sbin/food\n")];
    let p = plan_with_evidence(&files, "food.service", &strict, 257, Some(&evidence_of(true, &[])));
    // @system-service holds @chown, @setuid and capset(2) of @privileged, and @resources; it
    // lacks the rest of the baseline's groups, which a deny list beside it would only repeat.
    assert_eq!(values(&p, "SystemCallFilter"), ["@system-service", "~@privileged @resources"]);
    let keys: Vec<&str> = p.added.iter().map(|a| a.directive.as_str()).collect();
    let errno = keys.iter().position(|k| *k == "SystemCallErrorNumber").unwrap();
    assert_eq!(keys[errno - 1..=errno], ["SystemCallFilter", "SystemCallErrorNumber"]);
    // Without complete evidence the baseline denies neither, so the allow list stands alone.
    let p = plan_with_evidence(&files, "food.service", &strict, 257, None);
    assert_eq!(values(&p, "SystemCallFilter"), ["@system-service"]);
    let ev = evidence_of(true, &[(Need::ChangesOwnership, "/usr/sbin/food imports chown")]);
    let p = plan_with_evidence(&files, "food.service", &strict, 257, Some(&ev));
    assert_eq!(values(&p, "SystemCallFilter"), ["@system-service", "~@resources"]);
}

#[test]
fn without_a_derived_set_only_capabilities_the_drop_in_makes_unusable_are_dropped() {
    let plan_of = |unit: &str, profile: Option<&str>, ev: Option<&ProgramEvidence>| {
        let files = [(&format!("{SYS}/food.service")[..], unit)];
        plan_with_evidence(&files, "food.service", &policy("", profile), 257, ev)
    };
    let unit = "[Service]\nExecStart=/usr/sbin/food\n";
    // The deny list refuses reboot(2), kexec and ptrace(2) (@reboot, @debug) but not acct(2)
    // (@privileged, denied only with complete evidence); ProtectProc=invisible is added.
    let p = plan_of(unit, None, None);
    assert_eq!(added(&p, "CapabilityBoundingSet").as_deref(), Some("~CAP_SYS_BOOT CAP_SYS_PTRACE"));
    let why = reason(&p, "CapabilityBoundingSet");
    assert!(
        why.contains("dropped CAP_SYS_BOOT: its only uses, reboot(2)") && why.contains("ProtectProc=invisible hides"),
        "{why}"
    );
    // An import that reaches other processes by PID keeps it; a /proc path, which
    // ProtectProc=invisible governs, does not.
    let imports = evidence_of(false, &[(Need::ProcessInspection, "/usr/sbin/food imports process_vm_readv: ...")]);
    assert_eq!(added(&plan_of(unit, None, Some(&imports)), "CapabilityBoundingSet").as_deref(), Some("~CAP_SYS_BOOT"));
    let names = evidence_of(false, &[(Need::ProcessInspection, "/usr/sbin/food names /proc/%d/status: ...")]);
    let p = plan_of(unit, None, Some(&names));
    assert_eq!(added(&p, "CapabilityBoundingSet").as_deref(), Some("~CAP_SYS_BOOT CAP_SYS_PTRACE"));
    // @system-service refuses acct(2) too.
    let p = plan_of(unit, Some("strict"), None);
    assert_eq!(added(&p, "CapabilityBoundingSet").as_deref(), Some("~CAP_SYS_BOOT CAP_SYS_PACCT CAP_SYS_PTRACE"));
    // The unit's own filter or ProtectProc= is not the drop-in's: nothing it refuses is known.
    let own = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=~@reboot @debug\nProtectProc=invisible\n";
    assert_eq!(added(&plan_of(own, None, None), "CapabilityBoundingSet"), None);
    let own = "[Service]\nExecStart=/usr/sbin/food\nProtectProc=noaccess\n";
    assert_eq!(added(&plan_of(own, None, None), "CapabilityBoundingSet").as_deref(), Some("~CAP_SYS_BOOT"));
    for left_alone in [
        "[Service]\nExecStart=/usr/sbin/food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n",
        "[Service]\nExecStart=/usr/sbin/food\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n",
    ] {
        assert_eq!(added(&plan_of(left_alone, None, None), "CapabilityBoundingSet"), None, "{left_alone}");
    }
}

#[test]
fn a_program_that_opens_with_openat2_keeps_restrict_suid_sgid_off() {
    // tftpd-hpa 7.2's --jail opens with openat2(2); the seccomp filter of RestrictSUIDSGID= answers ENOSYS
    // (measured in the unstable boot lab), and in.tftpd exits "--jail not supported".
    let files = [(format!("{SYS}/food.service"), "[Service]\nExecStart=/usr/sbin/food\n")];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let baseline = policy("", None);
    let plain = ProgramEvidence { complete: true, ..Default::default() };
    let p = plan_with_evidence(&files, "food.service", &baseline, 257, Some(&plain));
    assert_eq!(added(&p, "RestrictSUIDSGID").as_deref(), Some("yes"));
    let openat2 = ProgramEvidence {
        needs: [(Need::Openat2, vec!["/usr/sbin/food imports openat2".into()])].into(),
        complete: true,
        ..Default::default()
    };
    let p = plan_with_evidence(&files, "food.service", &baseline, 257, Some(&openat2));
    assert_eq!(added(&p, "RestrictSUIDSGID"), None);
    let reason = skipped(&p, "RestrictSUIDSGID").expect("skipped with a reason");
    assert!(reason.contains("openat2"), "{reason}");
}

/// An empty AmbientCapabilities= resets the ambient set (systemd's
/// config_parse_capability_set): what was granted before it is not granted. The plan used
/// to read every assignment itself, so CAP_SYS_TIME reset by a drop-in still skipped
/// ProtectClock=, and an empty AmbientCapabilities= kept the capability floor out.
#[test]
fn an_ambient_capability_set_reset_grants_nothing() {
    let unit = "[Service]\nExecStart=/usr/sbin/clockd\nAmbientCapabilities=CAP_SYS_TIME\n";
    let reset = "[Service]\nAmbientCapabilities=\n";
    let granted = plan_for(&[(&format!("{SYS}/clockd.service"), unit)], "clockd.service", &policy("", None), 257);
    let why = skipped(&granted, "ProtectClock").unwrap();
    assert!(why.contains("the unit grants CAP_SYS_TIME in AmbientCapabilities="), "{why}");
    let floor = skipped(&granted, "CapabilityBoundingSet").unwrap();
    assert!(floor.ends_with("the unit sets AmbientCapabilities=CAP_SYS_TIME"), "{floor}");

    let files = [(format!("{SYS}/clockd.service"), unit), (format!("{SYS}/clockd.service.d/reset.conf"), reset)];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let p = plan_for(&files, "clockd.service", &policy("", None), 257);
    assert_eq!(added(&p, "ProtectClock").as_deref(), Some("yes"), "{:?}", skipped(&p, "ProtectClock"));
    let floor = added(&p, "CapabilityBoundingSet");
    assert!(
        floor.as_deref().is_some_and(|v| v.starts_with('~')),
        "{floor:?} {:?}",
        skipped(&p, "CapabilityBoundingSet")
    );
}

/// systemd ignores a boolean it cannot parse ("Failed to parse boolean value, ignoring",
/// config_parse_bool), so `DefaultDependencies=no` stays no after a drop-in's
/// `DefaultDependencies=maybe` (systemd-analyze verify of 252 says so). The plan used to
/// take the last assignment, read it as unset, and add what an early-boot unit must not get.
#[test]
fn a_boolean_systemd_ignores_leaves_the_early_boot_exclusion() {
    let files = [
        (format!("{SYS}/early.service"), "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/usr/sbin/early\n"),
        (format!("{SYS}/early.service.d/typo.conf"), "[Unit]\nDefaultDependencies=maybe\n"),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let p = plan_for(&files, "early.service", &policy("", None), 257);
    let why = skipped(&p, "PrivateTmp");
    assert!(why.as_deref().is_some_and(|w| w.starts_with("early-boot unit (DefaultDependencies=no)")), "{why:?}");
}

/// The plan for food.service with `unit` as its file and `dropins` (name, text) beside it,
/// every program read and none needing anything.
fn plan_with_own_filter(unit: &str, dropins: &[(&str, &str)], profile: Option<&str>) -> Plan {
    let mut files = vec![(format!("{SYS}/food.service"), unit.to_owned())];
    for (name, text) in dropins {
        files.push((format!("{SYS}/food.service.d/{name}"), (*text).to_owned()));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    plan_with_evidence(&files, "food.service", &policy("", profile), 257, Some(&evidence_of(true, &[])))
}

#[test]
fn a_units_own_deny_list_gets_the_policys_groups_it_does_not_deny_yet() {
    let unit = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=~@clock @debug @mount\n";
    let p = plan_with_own_filter(unit, &[], None);
    let scf = added(&p, "SystemCallFilter").expect("a line after the unit's own");
    assert_eq!(scf, "~@cpu-emulation @module @obsolete @privileged @raw-io @reboot @resources @swap");
    let why = reason(&p, "SystemCallFilter");
    assert!(
        why.contains("the unit already sets SystemCallFilter=~@clock @debug @mount, which stays in force"),
        "{why}"
    );
    assert!(why.contains("it already denies @clock, @debug, @mount"), "{why}");
    // The unit's filter kills on a denied call; EPERM would soften that for its own lines too.
    assert_eq!(added(&p, "SystemCallErrorNumber"), None);
    assert!(skipped(&p, "SystemCallErrorNumber").unwrap().contains("the unit sets SystemCallFilter= itself"));
    assert!(why.contains("kills the service (systemd's default: the unit sets none)"), "{why}");
    // The evidence gates hold as for a unit without a filter: without it, no @privileged.
    let files = [(&format!("{SYS}/food.service")[..], unit)];
    let p = plan_with_evidence(&files, "food.service", &policy("", None), 257, None);
    assert_eq!(
        added(&p, "SystemCallFilter").as_deref(),
        Some("~@cpu-emulation @module @obsolete @raw-io @reboot @swap")
    );
    // Where the unit denies every group already, nothing is added, as before.
    let all = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=~@clock @cpu-emulation @debug @module @mount @obsolete @privileged @raw-io @reboot @resources @swap\n";
    let p = plan_with_own_filter(all, &[], None);
    assert_eq!(added(&p, "SystemCallFilter"), None);
    assert!(skipped(&p, "SystemCallFilter").unwrap().starts_with("the unit already sets SystemCallFilter=~@clock"));
    // A reset as its last line turns the filter off: left as the unit wants it.
    let reset = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=~@mount\nSystemCallFilter=\n";
    assert_eq!(added(&plan_with_own_filter(reset, &[], None), "SystemCallFilter"), None);
}

#[test]
fn a_units_own_allow_list_loses_only_what_the_evidence_rules_out() {
    // @system-service lacks @clock, @debug, @mount...: they are denied already. It holds
    // @resources and parts of @privileged, which complete evidence lets the planner take away.
    let unit = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n";
    let p = plan_with_own_filter(unit, &[], None);
    assert_eq!(added(&p, "SystemCallFilter").as_deref(), Some("~@privileged @resources"));
    let why = reason(&p, "SystemCallFilter");
    assert!(why.contains("it already denies @clock, @cpu-emulation, @debug, @module, @mount"), "{why}");
    assert!(why.contains("fails with EPERM (the unit's)"), "{why}");
    assert_eq!(
        skipped(&p, "SystemCallErrorNumber").as_deref(),
        Some("the unit already sets SystemCallErrorNumber=EPERM")
    );
    // Strict never writes its allow list over the unit's: the line without ~ would allow
    // what the unit's lines deny. It falls back to the baseline's deny line.
    let p = plan_with_own_filter(unit, &[], Some("strict"));
    assert_eq!(values(&p, "SystemCallFilter"), ["~@privileged @resources"]);
    assert!(reason(&p, "SystemCallFilter").contains("@system-service ruled out: written after the unit's own"));
    // Without complete evidence nothing is left to add.
    let files = [(&format!("{SYS}/food.service")[..], unit)];
    let p = plan_with_evidence(&files, "food.service", &policy("", None), 257, None);
    assert_eq!(added(&p, "SystemCallFilter"), None);
    let why = skipped(&p, "SystemCallFilter").unwrap();
    assert!(why.starts_with("the unit already sets SystemCallFilter=@system-service; it already denies"), "{why}");
}

#[test]
fn a_group_holding_a_call_the_unit_allows_by_name_is_not_denied() {
    // postfix's unit: @setuid and chroot are a need its maintainer declared.
    let unit = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=@system-service @setuid chroot\n";
    let p = plan_with_own_filter(unit, &[], None);
    assert_eq!(added(&p, "SystemCallFilter").as_deref(), Some("~@resources"));
    let why = reason(&p, "SystemCallFilter");
    assert!(
        why.contains("left out @mount (holds chroot, which the unit allows: chroot), @privileged (holds "),
        "{why}"
    );
    assert!(why.contains("which the unit allows: @setuid)") && !why.contains("denied @mount"), "{why}");
    // A deny list that gives a group back (nm-priv-helper's units) declares it just the same.
    let unit = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=~@mount\nSystemCallFilter=@resources\n";
    let scf = added(&plan_with_own_filter(unit, &[], None), "SystemCallFilter").unwrap();
    assert!(!scf.contains("@resources") && scf.contains("@privileged"), "{scf}");
    // A call the unit gives an errno of its own keeps it: naming it again would reset it.
    let unit = "[Service]\nExecStart=/usr/sbin/food\nSystemCallFilter=~@mount setpriority:EACCES\n";
    let p = plan_with_own_filter(unit, &[], None);
    assert!(!added(&p, "SystemCallFilter").unwrap().contains("@resources"));
    assert!(reason(&p, "SystemCallFilter").contains("@resources (holds setpriority, to which the unit gives an errno"));
}

#[test]
fn no_line_goes_before_a_units_filter_that_systemd_reads_after_it() {
    // A drop-in sorting after hardenunit's: the added ~ line would come first and fix the
    // mode, so that the drop-in's allow list then only takes names out of a deny list.
    let unit = "[Service]\nExecStart=/usr/sbin/food\n";
    let late = [("50-local.conf", "[Service]\nSystemCallFilter=@system-service\n")];
    let p = plan_with_own_filter(unit, &late, None);
    assert_eq!(added(&p, "SystemCallFilter"), None);
    assert!(skipped(&p, "SystemCallFilter")
        .unwrap()
        .contains("50-local.conf sets SystemCallFilter=@system-service, which systemd reads after"));
    let early = [("05-local.conf", "[Service]\nSystemCallFilter=@system-service\n")];
    assert_eq!(
        added(&plan_with_own_filter(unit, &early, None), "SystemCallFilter").as_deref(),
        Some("~@privileged @resources")
    );
}

#[test]
fn the_policys_errno_is_written_beside_the_filter_and_a_dropped_one_is_said() {
    let files = [(&*format!("{SYS}/food.service"), "[Service]\nExecStart=/usr/sbin/food\n")];
    let with = |layer: &str| plan_for(&files, "food.service", &policy(layer, None), 257);
    let eacces = with("[profiles.baseline.directives]\nSystemCallErrorNumber = \"EACCES\"\n");
    assert_eq!(added(&eacces, "SystemCallErrorNumber").as_deref(), Some("EACCES"));
    let dropped = with("[profiles.baseline.directives]\nSystemCallErrorNumber = false\n");
    assert!(added(&dropped, "SystemCallFilter").is_some());
    assert_eq!(added(&dropped, "SystemCallErrorNumber"), None);
    let why = skipped(&dropped, "SystemCallErrorNumber").unwrap();
    assert!(why.contains("the policy drops it") && why.contains("kills the service"), "{why}");
}
