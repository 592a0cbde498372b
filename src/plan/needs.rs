//! What a unit file itself shows its service needs: from the programs it runs, the user it
//! runs as, the paths and devices it names, the privileges it asks for. The planner's own
//! reading of the unit's facts ([`crate::unit::facts`]); nothing here decides anything.

use std::collections::BTreeMap;

use crate::directives::Need;
use crate::evidence::shell::read_shell;
use crate::grammar::parse_boolean;
use crate::unit::facts::UnitFacts;
use crate::unit::words::base_name;
use crate::unit::{values_of, Assignment, UnitName};

use crate::evidence::table::{program_needs, programs};

/// Need → the evidence for it, in words.
pub type Needs = BTreeMap<Need, Vec<String>>;

const PATH_KEYS: &[&str] = &[
    "WorkingDirectory",
    "EnvironmentFile",
    "PIDFile",
    "RootDirectory",
    "ReadWritePaths",
    "ReadWriteDirectories",
    "BindPaths",
    "BindReadOnlyPaths",
];
const INTERPRETERS: &[&str] = &["sh", "bash", "dash", "python", "python3", "perl", "ruby", "env", "nice", "ionice"];
/// Groups whose members open device nodes.
const DEVICE_GROUPS: &[&str] = &[
    "dialout", "disk", "tty", "video", "audio", "input", "kvm", "plugdev", "lp", "scanner", "tss", "i2c", "gpio",
    "render", "cdrom", "floppy", "kmem", "tape", "sgx",
];
/// Capabilities a unit grants itself, and the need each one shows.
const CAPABILITY_NEEDS: &[(&str, Need)] = &[
    ("CAP_SYS_TIME", Need::SystemClock),
    ("CAP_WAKE_ALARM", Need::SystemClock),
    ("CAP_SYS_MODULE", Need::KernelModules),
    ("CAP_NET_RAW", Need::PacketSockets),
    ("CAP_SYS_ADMIN", Need::Mounts),
    ("CAP_SYSLOG", Need::KernelLogs),
    ("CAP_SYS_RAWIO", Need::Devices),
    ("CAP_MKNOD", Need::Devices),
    ("CAP_SYS_BOOT", Need::PrivilegedSystemCalls),
    ("CAP_SYS_NICE", Need::RealtimeScheduling),
    ("CAP_SYS_PTRACE", Need::ProcessInspection),
    ("CAP_SYS_CHROOT", Need::Chroot),
];

pub fn add_need(needs: &mut Needs, need: Need, why: String) {
    let list = needs.entry(need).or_default();
    if !list.contains(&why) {
        list.push(why);
    }
}

/// The programs a command runs, by base name: the program, and the script an interpreter
/// is given; a shell's `-c` string is read as the evidence reads it, every command in it
/// and every absolute path it names.
fn programs_run(words: &[String]) -> Vec<String> {
    let program = base_name(&words[0]);
    let mut out = vec![program.to_owned()];
    if INTERPRETERS.contains(&program) {
        if words.get(1).map(String::as_str) == Some("-c") {
            let reading = words.get(2).map(|text| read_shell(text)).unwrap_or_default();
            out.extend(reading.commands.iter().chain(&reading.paths).map(|c| base_name(c).to_owned()));
        } else if let Some(script) = words.iter().skip(1).find(|w| !w.starts_with('-')) {
            out.push(base_name(script).to_owned());
        }
    }
    out
}

/// What the unit `name` with `facts`, from its `assignments`, shows its service needs; Err
/// with why when the whole unit is better left alone.
pub fn unit_needs(name: &UnitName, facts: &UnitFacts, assignments: &[Assignment]) -> Result<Needs, String> {
    let s = "Service";
    let mut needs = Needs::new();
    let mut programs: Vec<String> = Vec::new();
    let mut mentioned_paths: Vec<(String, String)> = Vec::new();
    for (key, command) in facts.commands() {
        let words: Vec<String> = std::iter::once(&command.program).chain(&command.args).cloned().collect();
        programs.extend(programs_run(&words));
        for w in &words {
            for part in w.split(['=', ',', ':']) {
                if part.starts_with('/') {
                    mentioned_paths.push((format!("{key}="), part.to_owned()));
                }
            }
        }
    }
    for key in PATH_KEYS {
        for value in values_of(assignments, s, key) {
            for w in value.split_whitespace() {
                mentioned_paths.push((format!("{key}="), w.trim_start_matches(['-', '+', ':']).to_owned()));
            }
        }
    }
    programs.sort();
    programs.dedup();

    if let Some((_, why)) = programs::LEAVE_ALONE_UNITS.iter().find(|(n, _)| *n == name.prefix()) {
        return Err(format!("{name} {why}"));
    }
    let names = programs.iter().map(String::as_str).chain(std::iter::once(name.prefix()));
    for program in names {
        if let Some((_, why)) = programs::LEAVE_ALONE.iter().find(|(names, _)| names.contains(&program)) {
            return Err(format!("{program} {why}"));
        }
        for (need, why) in program_needs(program) {
            add_need(&mut needs, need, format!("{program} {why}"));
        }
    }

    for (key, path) in &mentioned_paths {
        if ["/home", "/root", "/run/user"].iter().any(|h| path == h || path.starts_with(&format!("{h}/"))) {
            add_need(&mut needs, Need::HomeDirectories, format!("{key} names {path}"));
        }
        let harmless_dev =
            ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/log", "/dev/stdout", "/dev/stderr"];
        if path.starts_with("/dev/") && !harmless_dev.contains(&path.as_str()) {
            add_need(&mut needs, Need::Devices, format!("{key} names {path}"));
        }
    }
    for key in ["DeviceAllow", "DevicePolicy"] {
        if let Some(v) = values_of(assignments, s, key).pop().filter(|v| !v.is_empty() && v != "auto") {
            add_need(&mut needs, Need::Devices, format!("the unit sets {key}={v}"));
        }
    }
    for key in ["Group", "SupplementaryGroups"] {
        for v in values_of(assignments, s, key) {
            for g in v.split_whitespace().filter(|g| DEVICE_GROUPS.contains(g)) {
                add_need(&mut needs, Need::Devices, format!("{key}= includes the device group {g}"));
            }
        }
    }
    let bounding_set = values_of(assignments, s, "CapabilityBoundingSet");
    let bounding_set = bounding_set.iter().filter(|v| !v.starts_with('~')).flat_map(|v| v.split_whitespace());
    let ambient = facts.ambient_capabilities.iter().map(String::as_str).filter(|c| !c.starts_with('~'));
    let granted = ambient.map(|c| ("AmbientCapabilities", c)).chain(bounding_set.map(|c| ("CapabilityBoundingSet", c)));
    for (key, cap) in granted {
        if let Some((_, need)) = CAPABILITY_NEEDS.iter().find(|(c, _)| *c == cap) {
            add_need(&mut needs, *need, format!("the unit grants {cap} in {key}="));
        }
    }
    // A daemon started as root switches to its own user, chowns its directories or binds low
    // ports; a capability granted to a non-root one is for the same: in a user namespace every
    // capability is the namespace's own, and none of that works on the host's files and ports.
    if let Ok(why) = facts.may_start_with_capabilities() {
        add_need(&mut needs, Need::HostUserIds, why);
    }
    if values_of(assignments, s, "Delegate").last().is_some_and(|v| parse_boolean(v) != Some(false)) {
        add_need(&mut needs, Need::ControlGroups, "the unit sets Delegate=".into());
    }
    Ok(needs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        let c = &crate::unit::facts::split_command_line(line).unwrap()[0];
        std::iter::once(c.program.clone()).chain(c.args.clone()).collect()
    }

    fn host_user_ids(lines: &str) -> Option<String> {
        let assignments: Vec<Assignment> = lines
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| Assignment::planned("Service", k, v))
            .collect();
        let name = UnitName::parse("food.service").unwrap();
        let facts = UnitFacts::read(name.prefix(), &assignments);
        unit_needs(&name, &facts, &assignments).unwrap().get(&Need::HostUserIds).map(|w| w[0].clone())
    }

    /// Whatever a process of the service may start with, a capability or root, is the host's
    /// only outside a user namespace: each of these keeps PrivateUsers= off.
    #[test]
    fn a_process_that_may_start_with_a_capability_needs_host_user_ids() {
        for (unit, why) in [
            ("ExecStart=/usr/sbin/food", "the service starts as root"),
            ("User=root\nExecStart=/usr/sbin/food", "the service starts as root"),
            ("User=%i\nExecStart=/usr/sbin/food", "User=%i may name root"),
            ("User=food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=/usr/sbin/food", "AmbientCapabilities="),
            ("User=food\nExecStartPre=+/usr/bin/food-setup\nExecStart=/usr/sbin/food", "ExecStartPre= runs"),
            ("User=food\nExecStart=!/usr/sbin/food", "ExecStart= runs /usr/sbin/food with full privileges"),
            (
                "User=food\nPermissionsStartOnly=yes\nExecStart=/usr/sbin/food\nExecReload=/bin/kill -HUP $MAINPID",
                "ExecReload=",
            ),
        ] {
            let got = host_user_ids(unit);
            assert!(got.as_deref().is_some_and(|g| g.contains(why)), "{unit}: {got:?}");
        }
        for unit in [
            "User=food\nExecStartPre=/usr/bin/food-check\nExecStart=/usr/sbin/food",
            "DynamicUser=yes\nExecStart=/usr/sbin/food",
            "User=food\nPermissionsStartOnly=yes\nExecStart=/usr/sbin/food",
            "User=food\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nAmbientCapabilities=\nExecStart=/usr/sbin/food",
        ] {
            assert_eq!(host_user_ids(unit), None, "{unit}");
        }
    }

    /// The `-c` strings are read by the evidence's shell reader. Against the plan's former
    /// word splitter, on the 15 distinct `sh -c` lines of the corpus and the three lab roots,
    /// only names that are no programs differ (keywords and builtins: `if`, `fi`, `echo`,
    /// `exit`, `read`, `:`, `false`, `set`; a sourced file), none of them in a table: the
    /// output is the same. What the reader adds: a command named by a variable the string
    /// sets itself.
    #[test]
    fn shell_command_lines_name_their_programs() {
        let line = r#"/bin/sh -c '[ -z "${m}" ] || /sbin/modprobe $m; exec /usr/sbin/watchdog $opts'"#;
        assert_eq!(programs_run(&words(line)), ["sh", "modprobe", "watchdog"]);
        let line = "/bin/sh -c 'test -x /usr/bin/foo && foo --bar'";
        assert_eq!(programs_run(&words(line)), ["sh", "foo", "foo"]);
        let line = "/bin/sh -c 'if true; then . /etc/default/foo; fi; echo x | /usr/bin/logger'";
        assert_eq!(programs_run(&words(line)), ["sh", "logger"]);
        let line = "/bin/sh -c 'm=/sbin/modprobe; $m dummy'";
        assert_eq!(programs_run(&words(line)), ["sh", "modprobe", "modprobe"]);
    }
}
