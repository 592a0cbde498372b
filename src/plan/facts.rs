//! What a unit file itself reveals about its service: the programs it runs, the user it
//! runs as, the paths and devices it names, the privileges it asks for. The planner turns
//! these facts into needs; nothing here decides anything.

use std::collections::BTreeMap;

use crate::directives::Need;
use crate::evidence::exec::{exec_lines, split_command_line};
use crate::grammar::parse_boolean;
use crate::unit::words::base_name;
use crate::unit::{values_of, Assignment, LoadedUnit, Scope};

use crate::evidence::table::{program_needs, programs};

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

#[derive(Debug, Clone, Default)]
pub struct UnitFacts {
    /// Base names of the programs run, and of the scripts interpreters run.
    pub programs: Vec<String>,
    /// Absolute program paths as written in Exec*= lines.
    pub program_paths: Vec<String>,
    pub user: Option<String>,
    pub dynamic_user: bool,
    pub default_dependencies: bool,
    pub scope: Option<Scope>,
    /// Need → the evidence for it, in words.
    pub needs: BTreeMap<Need, Vec<String>>,
    /// Why the whole unit is better left alone, when it is.
    pub leave_alone: Option<String>,
    pub pid_file: Option<String>,
    /// `foo` of `foo@bar.service`: the name daemons use for their directories.
    pub unit_prefix: String,
    /// Why no process of the service starts with a capability, when the unit shows it:
    /// every command runs as the non-root User= (no `+`/`!` prefix, no
    /// PermissionsStartOnly=), and none is granted AmbientCapabilities=. With
    /// NoNewPrivileges= on top, nothing can gain one either.
    pub starts_without_capabilities: Option<String>,
}

impl UnitFacts {
    /// True when the service runs without root's capabilities, where seccomp-based
    /// directives imply NoNewPrivileges=yes.
    pub fn runs_unprivileged(&self) -> bool {
        self.dynamic_user || self.user.as_deref().is_some_and(|u| !u.is_empty() && u != "root" && u != "0")
    }

    pub fn add_need(&mut self, need: Need, why: String) {
        let list = self.needs.entry(need).or_default();
        if !list.contains(&why) {
            list.push(why);
        }
    }
}

fn last(a: &[Assignment], section: &str, key: &str) -> Option<String> {
    values_of(a, section, key).into_iter().last()
}

/// The commands a `sh -c` string runs, read statically: the first word of each simple
/// command (after `;`, `&&`, `||`, `|`, `exec`, `!`) and every absolute path.
fn shell_commands(script: &str) -> Vec<String> {
    let spaced = script.replace(';', " ; ").replace("&&", " && ").replace("||", " || ").replace('|', " | ");
    let mut out = Vec::new();
    let mut at_start = true;
    for w in spaced.split_whitespace() {
        let w = w.trim_matches(|c| c == '\'' || c == '"' || c == '(' || c == ')');
        if matches!(w, ";" | "&&" | "||" | "|" | "exec" | "!" | "then" | "else" | "do") {
            at_start = true;
            continue;
        }
        let absolute_path = w.starts_with('/') && !w.contains('$');
        let command_word = at_start && !w.is_empty() && !w.contains(['$', '=', '[', ']']);
        if absolute_path || command_word {
            out.push(w.to_owned());
        }
        at_start = false;
    }
    out
}

/// See [`UnitFacts::starts_without_capabilities`]. A User= with a specifier may name root.
fn starts_without_capabilities(
    f: &UnitFacts,
    assignments: &[Assignment],
    commands: &[(&str, crate::evidence::exec::Command)],
) -> Option<String> {
    let as_user = match &f.user {
        _ if f.dynamic_user => "DynamicUser=yes".to_owned(),
        Some(u) if f.runs_unprivileged() && !u.contains('%') => format!("User={u}"),
        _ => return None,
    };
    let s = "Service";
    let ambient = last(assignments, s, "AmbientCapabilities");
    // PermissionsStartOnly= lifts User= only from the control commands (systemd's service.c
    // clears EXEC_APPLY_SANDBOXING for EXEC_IS_CONTROL), so with ExecStart= alone it changes
    // nothing (etcd's unit).
    let permissions_start_only = last(assignments, s, "PermissionsStartOnly").and_then(|v| parse_boolean(&v));
    let control_runs_privileged =
        permissions_start_only == Some(true) && commands.iter().any(|(key, _)| *key != "ExecStart");
    let unprivileged = ambient.is_none_or(|v| v.trim().is_empty())
        && !control_runs_privileged
        && commands.iter().all(|(_, c)| !c.privileged())
        && !commands.is_empty();
    unprivileged.then(|| {
        format!(
            "every command runs as {as_user} (no + or ! prefix, no PermissionsStartOnly= with commands besides ExecStart=) and the unit grants no AmbientCapabilities="
        )
    })
}

pub fn gather(unit: &LoadedUnit, assignments: &[Assignment]) -> UnitFacts {
    let mut f = UnitFacts { scope: Some(unit.scope), ..Default::default() };
    let s = "Service";
    f.user = last(assignments, s, "User");
    f.dynamic_user = last(assignments, s, "DynamicUser").and_then(|v| parse_boolean(&v)).unwrap_or(false);
    f.default_dependencies =
        last(assignments, "Unit", "DefaultDependencies").and_then(|v| parse_boolean(&v)).unwrap_or(true);
    f.pid_file = last(assignments, s, "PIDFile");
    f.unit_prefix = unit.name.prefix().to_owned();

    let mut mentioned_paths: Vec<(String, String)> = Vec::new();
    let commands: Vec<_> = exec_lines(assignments)
        .into_iter()
        .flat_map(|(key, line)| {
            let commands = split_command_line(line).unwrap_or_default();
            commands.into_iter().map(move |c| (key, c))
        })
        .collect();
    f.starts_without_capabilities = starts_without_capabilities(&f, assignments, &commands);
    for (key, command) in commands {
        let words: Vec<String> = std::iter::once(command.program).chain(command.args).collect();
        let program = &words[0];
        f.program_paths.push(program.clone());
        f.programs.push(base_name(program).to_owned());
        if INTERPRETERS.contains(&base_name(program)) {
            if words.get(1).map(String::as_str) == Some("-c") {
                // A shell command line in the unit: every command word it names counts.
                for cmd in words.get(2).map(|c| shell_commands(c)).unwrap_or_default() {
                    f.programs.push(base_name(&cmd).to_owned());
                }
            } else if let Some(script) = words.iter().skip(1).find(|w| !w.starts_with('-')) {
                f.programs.push(base_name(script).to_owned());
            }
        }
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
    f.programs.sort();
    f.programs.dedup();

    if let Some((_, why)) = programs::LEAVE_ALONE_UNITS.iter().find(|(n, _)| *n == unit.name.prefix()) {
        f.leave_alone = Some(format!("{} {why}", unit.name));
    }
    let unit_program = unit.name.prefix().to_owned();
    let names: Vec<String> = f.programs.iter().cloned().chain(std::iter::once(unit_program)).collect();
    for program in &names {
        if f.leave_alone.is_none() {
            if let Some((_, why)) = programs::LEAVE_ALONE.iter().find(|(names, _)| names.contains(&program.as_str())) {
                f.leave_alone = Some(format!("{program} {why}"));
            }
        }
        for (need, why) in program_needs(program) {
            f.add_need(need, format!("{program} {why}"));
        }
    }

    for (key, path) in &mentioned_paths {
        if ["/home", "/root", "/run/user"].iter().any(|h| path == h || path.starts_with(&format!("{h}/"))) {
            f.add_need(Need::HomeDirectories, format!("{key} names {path}"));
        }
        let harmless_dev =
            ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/log", "/dev/stdout", "/dev/stderr"];
        if path.starts_with("/dev/") && !harmless_dev.contains(&path.as_str()) {
            f.add_need(Need::Devices, format!("{key} names {path}"));
        }
    }
    for key in ["DeviceAllow", "DevicePolicy"] {
        if let Some(v) = last(assignments, s, key).filter(|v| !v.is_empty() && v != "auto") {
            f.add_need(Need::Devices, format!("the unit sets {key}={v}"));
        }
    }
    for key in ["Group", "SupplementaryGroups"] {
        for v in values_of(assignments, s, key) {
            for g in v.split_whitespace().filter(|g| DEVICE_GROUPS.contains(g)) {
                f.add_need(Need::Devices, format!("{key}= includes the device group {g}"));
            }
        }
    }
    for key in ["AmbientCapabilities", "CapabilityBoundingSet"] {
        for v in values_of(assignments, s, key).iter().filter(|v| !v.starts_with('~')) {
            for cap in v.split_whitespace() {
                if let Some((_, need)) = CAPABILITY_NEEDS.iter().find(|(c, _)| *c == cap) {
                    f.add_need(*need, format!("the unit grants {cap} in {key}="));
                }
            }
        }
    }
    if !f.runs_unprivileged() {
        // A daemon started as root switches to its own user, chowns its directories or
        // binds low ports: in a user namespace root is nobody and all of that fails.
        f.add_need(Need::HostUserIds, "the service starts as root".into());
    }
    if last(assignments, s, "Delegate").is_some_and(|v| parse_boolean(&v) != Some(false)) {
        f.add_need(Need::ControlGroups, "the unit sets Delegate=".into());
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_command_lines_name_their_programs() {
        let cmds = shell_commands("[ -z \"${m}\" ] || /sbin/modprobe $m; exec /usr/sbin/watchdog $opts");
        assert_eq!(cmds, vec!["/sbin/modprobe", "/usr/sbin/watchdog"]);
        assert_eq!(shell_commands("test -x /usr/bin/foo && foo --bar"), vec!["test", "/usr/bin/foo", "foo"]);
    }
}
