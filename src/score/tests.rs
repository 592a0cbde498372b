//! Values checked against `systemd-analyze security --offline=true` of systemd 252; the
//! fixtures under tests/fixtures/score are compared with it directly by
//! tests/score_conformance.rs.

use super::*;

fn unit(lines: &[&str]) -> Vec<Assignment> {
    let mut section = "Service".to_owned();
    let mut out = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        if let Some(s) = l.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.to_owned();
            continue;
        }
        let (k, v) = l.split_once('=').unwrap();
        out.push(Assignment {
            section: section.clone(),
            key: k.to_owned(),
            value: v.to_owned(),
            file: PathBuf::from("/x/a.service"),
            line: n + 1,
        });
    }
    out
}

fn score(lines: &[&str]) -> Assessment {
    let mut all = vec!["ExecStart=/bin/true"];
    all.extend_from_slice(lines);
    let a = assess(252, "a.service", &unit(&all));
    assert_eq!(a.refusal, None);
    a
}

fn badness(a: &Assessment, field: &str) -> Option<u32> {
    a.row(field).unwrap().badness
}

#[test]
fn default_service() {
    let a = score(&[]);
    assert_eq!(a.exposure_text(), "9.6");
    assert_eq!(a.label(), "UNSAFE");
    assert_eq!(a.weight_sum, 56160);
    assert_eq!(a.rows.len(), 81);
    assert_eq!(a.rows[0].json_field, "UserOrDynamicUser");
    assert_eq!(a.displayed()[0].json_field, "RootDirectoryOrRootImage");
    assert_eq!(badness(&a, "RemoveIPC"), None);
    assert_eq!(a.row_exposure(a.row("UserOrDynamicUser").unwrap()), Some(4));
}

#[test]
fn invalid_values_are_ignored() {
    let a = score(&["PrivateTmp=yes # comment", "NoNewPrivileges=yes", "NoNewPrivileges=bogus"]);
    assert_eq!(badness(&a, "PrivateTmp"), Some(1));
    assert_eq!(badness(&a, "NoNewPrivileges"), Some(0));
}

#[test]
fn dynamic_user_implies_sandboxing() {
    let a = score(&["DynamicUser=yes", "ProtectHome=tmpfs"]);
    assert_eq!(a.exposure_text(), "8.3");
    assert_eq!(badness(&a, "ProtectHome"), Some(1));
    assert_eq!(badness(&a, "UserOrDynamicUser"), Some(0));
}

#[test]
fn capability_lines_combine() {
    let a = score(&["CapabilityBoundingSet=CAP_KILL CAP_SYS_ADMIN", "CapabilityBoundingSet=~CAP_KILL"]);
    assert_eq!(a.exposure_text(), "7.3");
    assert_eq!(badness(&a, "CapabilityBoundingSet_CAP_KILL"), Some(0));
    assert_eq!(badness(&a, "CapabilityBoundingSet_CAP_SYS_ADMIN"), Some(1));
    assert_eq!(
        score(&["CapabilityBoundingSet=~CAP_KILL", "CapabilityBoundingSet=CAP_KILL CAP_SYS_ADMIN"]).exposure,
        96
    );
}

#[test]
fn address_families_none_then_deny_list() {
    let a = score(&["RestrictAddressFamilies=none", "RestrictAddressFamilies=~AF_UNIX"]);
    assert_eq!(badness(&a, "RestrictAddressFamilies_AF_UNIX"), Some(0));
    assert_eq!(badness(&a, "RestrictAddressFamilies_AF_INET_INET6"), Some(1));
    let b = score(&["RestrictAddressFamilies=AF_ROUTE"]);
    assert_eq!(badness(&b, "RestrictAddressFamilies_AF_NETLINK"), Some(1));
    assert_eq!(badness(&b, "RestrictAddressFamilies_AF_UNIX"), Some(0));
}

#[test]
fn syscall_allow_list_with_errno() {
    let a = score(&["SystemCallFilter=@system-service", "SystemCallFilter=~@resources:EPERM"]);
    assert_eq!(badness(&a, "SystemCallFilter_resources"), Some(0));
    let p = a.row("SystemCallFilter_privileged").unwrap();
    assert_eq!(p.badness, Some(9));
    assert_eq!(
        p.description,
        "System call allow list defined for service, and @privileged is included (e.g. chown is allowed)"
    );
}

#[test]
fn default_dependencies_no() {
    let mut lines = vec!["[Unit]", "DefaultDependencies=no", "[Service]", "ExecStart=/bin/true"];
    let a = assess(252, "a.service", &unit(&lines));
    assert_eq!(a.exposure_text(), "9.5");
    assert_eq!(badness(&a, "PrivateTmp"), None);
    lines.push("DefaultDependencies=yes");
    assert_eq!(badness(&assess(252, "a.service", &unit(&lines)), "PrivateTmp"), None);
}

#[test]
fn refusals() {
    let e = assess(252, "a.service", &unit(&["Description=x"])).refusal.unwrap();
    assert!(e.message.contains("Service has no ExecStart="), "{e}");
    let e = assess(252, "a.service", &unit(&["ExecStart=/bin/true", "User=a:b"])).refusal.unwrap();
    assert_eq!(e.line, 2);
    assert!(assess(252, "foo@.service", &unit(&["ExecStart=/bin/true", "User=%i"])).refusal.is_none());
    assert!(assess(252, "foo.service", &unit(&["ExecStart=/bin/true", "User=%i"])).refusal.is_some());
}

#[test]
fn template_named_like_the_oracle() {
    let a = assess(252, "foo@.service", &unit(&["ExecStart=/bin/true"]));
    assert_eq!(a.unit, "foo@i.service");
}

#[test]
fn rows_keep_their_order_for_comparison() {
    let a = score(&[]);
    let b = score(&["ProtectProc=noaccess", "DynamicUser=yes"]);
    let fields = |x: &Assessment| x.rows.iter().map(|r| r.json_field).collect::<Vec<_>>();
    assert_eq!(fields(&a), fields(&b));
    assert_ne!(
        a.displayed().iter().map(|r| r.json_field).collect::<Vec<_>>(),
        b.displayed().iter().map(|r| r.json_field).collect::<Vec<_>>()
    );
}

#[test]
fn labels() {
    let mut a = score(&[]);
    for (x, label) in
        [(100, "DANGEROUS"), (90, "UNSAFE"), (75, "EXPOSED"), (74, "MEDIUM"), (10, "OK"), (1, "SAFE"), (0, "PERFECT")]
    {
        a.exposure = x;
        assert_eq!(a.label(), label);
        assert_eq!(super::label(x), label);
    }
}

#[test]
fn loaded_units_are_refused_like_systemd_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let load = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        match crate::unit::Loader::new(None).unwrap().load(p.to_str().unwrap()).unwrap() {
            crate::unit::LoadOutcome::Unit(u) => u,
            _ => panic!("not loaded"),
        }
    };
    // SuccessAction= lives in [Unit]: such a service runs nothing and still loads.
    let exit = load("exit.service", "[Unit]\nSuccessAction=exit\n[Service]\nType=oneshot\nRemainAfterExit=yes\n");
    assert_eq!(refused_by_systemd(252, &exit), None);
    let bad = load("bad.service", "[Service]\nExecStart=/bin/true\nUser=a:b\n");
    assert_eq!(refused_by_systemd(252, &bad).as_deref(), Some("line 3: Invalid user/group name or numeric ID: a:b"));
    let tmpl = load("getty@.service", "[Service]\nExecStart=/bin/true\nUser=%i\n");
    assert_eq!(refused_by_systemd(252, &tmpl), None);
    assert_eq!(assess(252, "service", &tmpl.assignments()).unit, "getty@i.service");
}

/// Each value checked against the release's own systemd-analyze (Debian trixie: 257.13,
/// sid: 262.1), so that the release data is tested where those cannot run.
#[test]
fn releases_differ_as_their_systemd_analyze() {
    let at = |version, lines: &[&str]| {
        let mut all = vec!["ExecStart=/bin/true"];
        all.extend_from_slice(lines);
        assess(version, "a.service", &unit(&all))
    };
    // PrivateMounts= unset reads as on from 257.
    assert_eq!(at(252, &[]).exposure_text(), "9.6");
    assert_eq!(at(257, &[]).exposure_text(), "9.4");
    assert_eq!(at(262, &[]).exposure_text(), "9.4");
    assert_eq!(at(257, &["PrivateMounts=no"]).exposure_text(), "9.6");
    assert_eq!(at(257, &["PrivateMounts=no", "PrivateMounts="]).exposure_text(), "9.4");
    // Modes of the releases.
    assert_eq!(at(257, &["PrivateTmp=disconnected"]).exposure_text(), "9.2");
    assert_eq!(badness(&at(252, &["PrivateTmp=disconnected"]), "PrivateTmp"), Some(1));
    assert_eq!(badness(&at(257, &["PrivateUsers=full"]), "PrivateUsers"), Some(1));
    assert_eq!(badness(&at(262, &["PrivateUsers=full"]), "PrivateUsers"), Some(0));
    assert_eq!(badness(&at(257, &["ProtectControlGroups=strict"]), "ProtectControlGroups"), Some(0));
    assert_eq!(badness(&at(257, &["ProtectHostname=private"]), "ProtectHostname"), Some(1));
    for (value, bad) in [("private", 0), ("yes:%p", 0), ("private:A1", 0), ("private:a-", 1), ("no:foo", 1)] {
        let v = format!("ProtectHostname={value}");
        assert_eq!(badness(&at(262, &[&v]), "ProtectHostname"), Some(bad), "{v}");
    }
    assert_eq!(badness(&at(262, &["ProtectHostname=yes", "ProtectHostname="]), "ProtectHostname"), Some(1));
    // loongarch64 is an architecture from 257 on.
    let arch =
        |v| at(v, &["SystemCallArchitectures=loongarch64"]).row("SystemCallArchitectures").unwrap().description.clone();
    assert_eq!(arch(252), "Service may execute system calls with all ABIs");
    assert_eq!(arch(257), "Service may execute system calls with multiple ABIs");
    // In 262 an unknown family ends the line.
    let packet = |v| badness(&at(v, &["RestrictAddressFamilies=rw af_packet"]), "RestrictAddressFamilies_AF_PACKET");
    assert_eq!(packet(257), Some(1));
    assert_eq!(packet(262), Some(0));
    // Capability 63 exists for 252 only.
    assert_eq!(badness(&at(252, &["AmbientCapabilities=0077"]), "AmbientCapabilities"), Some(1));
    assert_eq!(badness(&at(257, &["AmbientCapabilities=0077"]), "AmbientCapabilities"), Some(0));
    // Templates and the BPF filter refusal.
    assert_eq!(assess(257, "foo@.service", &unit(&["ExecStart=/bin/true"])).unit, "foo@test_instance.service");
    assert!(at(257, &["IPIngressFilterPath=/srv"]).refusal.is_some());
    assert!(at(262, &["IPIngressFilterPath=/srv"]).refusal.is_none());
    // A capability word cut short inside a quote counts from 257 on.
    assert_eq!(at(252, &["AmbientCapabilities=\"CAP_MAC_ADMIN"]).exposure_text(), "9.6");
    assert_eq!(at(257, &["AmbientCapabilities=\"CAP_MAC_ADMIN"]).exposure_text(), "9.5");
    assert_eq!(at(262, &["CapabilityBoundingSet=~\"CAP_SYS_TIME"]).exposure_text(), "9.2");
    // A version between releases scores as the older one.
    assert_eq!(at(256, &[]).exposure_text(), "9.6");
    assert_eq!(at(261, &[]).exposure_text(), "9.4");
}
