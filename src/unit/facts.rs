//! What a service's own unit files say about how it runs: whom it runs as, the commands it
//! runs, the privileges it grants itself, its environment, the sockets it names. Read once
//! per unit from its assignments, in order, as systemd reads them; the evidence and the
//! planner are given these facts and never read the same settings again, so they cannot
//! come to disagree about them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{values_of, Assignment};
use crate::grammar::{parse_boolean, split_word_texts};

/// The keys whose values are command lines, in the order a service's life runs them.
pub const EXEC_KEYS: &[&str] =
    &["ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"];

/// One command of a command line: the program as written and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: String,
    pub args: Vec<String>,
    /// `+`, `!` or `!!`: run with root's privileges (or its capabilities), whatever User= says.
    pub full_privileges: bool,
    /// `+`: outside the sandbox too, CapabilityBoundingSet= included.
    pub unsandboxed: bool,
}

impl Command {
    pub fn privileged(&self) -> bool {
        self.full_privileges
    }
}

/// One `Exec*=` command line that systemd keeps, and the commands it runs: Err with
/// systemd's message when it refuses the unit over the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecLine {
    pub key: &'static str,
    pub value: String,
    pub commands: Result<Vec<Command>, String>,
}

/// The unit's own facts. Serialized: the ones the evidence report shows (`--format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFacts {
    /// `User=` (None when unset or reset by an empty assignment: the service runs as root).
    pub user: Option<String>,
    pub dynamic_user: bool,
    /// `AmbientCapabilities=` words, in order (an empty assignment resets them).
    pub ambient_capabilities: Vec<String>,
    /// `NoNewPrivileges=yes` in the unit itself.
    #[serde(skip)]
    pub no_new_privileges: bool,
    /// `DefaultDependencies=` (yes unless the unit says no).
    #[serde(skip)]
    pub default_dependencies: bool,
    /// `PermissionsStartOnly=yes`: the control commands run without User=.
    #[serde(skip)]
    pub permissions_start_only: bool,
    #[serde(skip)]
    pub pid_file: Option<String>,
    /// The `Exec*=` lines systemd keeps, in the order a service's life runs them.
    #[serde(skip)]
    pub exec_lines: Vec<ExecLine>,
    /// The variables `Environment=` sets.
    #[serde(skip)]
    pub environment: BTreeMap<String, String>,
    /// Whether the service's environment may hold variables the unit does not show
    /// (`EnvironmentFile=`, `PassEnvironment=`).
    #[serde(skip)]
    pub open_environment: bool,
    /// The socket units systemd opens for the service: its own name's `.socket`, then `Sockets=`.
    #[serde(skip)]
    pub socket_units: Vec<String>,
}

impl UnitFacts {
    /// The facts of the unit named `foo` (of `foo@bar.service`, `foo.service`) from its
    /// `assignments`, its files' in order.
    pub fn read(unit_prefix: &str, assignments: &[Assignment]) -> UnitFacts {
        let s = "Service";
        let last = |key: &str| values_of(assignments, s, key).into_iter().last();
        // systemd ignores a boolean it cannot parse (config_parse_bool): the value before stays.
        let boolean = |section: &str, key: &str| {
            let of_key = assignments.iter().filter(|a| a.section == section && a.key == key);
            of_key.rev().find_map(|a| parse_boolean(&a.value))
        };
        let mut ambient_capabilities: Vec<String> = Vec::new();
        for v in values_of(assignments, s, "AmbientCapabilities") {
            if v.is_empty() {
                ambient_capabilities.clear();
            }
            for cap in v.split_whitespace() {
                if !ambient_capabilities.iter().any(|c| c == cap) {
                    ambient_capabilities.push(cap.to_owned());
                }
            }
        }
        let mut environment = BTreeMap::new();
        for value in values_of(assignments, s, "Environment") {
            if value.is_empty() {
                environment.clear();
            }
            for word in split_word_texts(&value).unwrap_or_default() {
                if let Some((name, v)) = word.split_once('=') {
                    environment.insert(name.to_owned(), v.to_owned());
                }
            }
        }
        let open_environment = ["EnvironmentFile", "PassEnvironment"]
            .iter()
            .any(|key| values_of(assignments, s, key).iter().any(|v| !v.is_empty()));
        let mut socket_units = vec![format!("{unit_prefix}.socket")];
        for v in values_of(assignments, "Unit", "Sockets").iter().chain(&values_of(assignments, s, "Sockets")) {
            socket_units.extend(v.split_whitespace().map(str::to_owned));
        }
        UnitFacts {
            user: last("User").filter(|v| !v.is_empty()),
            dynamic_user: boolean(s, "DynamicUser").unwrap_or(false),
            ambient_capabilities,
            no_new_privileges: boolean(s, "NoNewPrivileges").unwrap_or(false),
            default_dependencies: boolean("Unit", "DefaultDependencies").unwrap_or(true),
            permissions_start_only: boolean(s, "PermissionsStartOnly").unwrap_or(false),
            pid_file: last("PIDFile"),
            exec_lines: exec_lines(assignments),
            environment,
            open_environment,
            socket_units,
        }
    }

    /// Why the unit's own settings put its processes under no_new_privs, if they do.
    pub fn no_new_privileges(&self) -> Option<&'static str> {
        if self.dynamic_user {
            return Some("DynamicUser=yes implies NoNewPrivileges=yes");
        }
        self.no_new_privileges.then_some("the unit sets NoNewPrivileges=yes")
    }

    pub fn runs_as_root(&self) -> bool {
        !self.dynamic_user && self.user.as_deref().is_none_or(|u| u == "root" || u == "0")
    }

    /// Every command the unit runs, with the key of its line, in the order of the lines.
    pub fn commands(&self) -> impl Iterator<Item = (&'static str, &Command)> {
        self.exec_lines.iter().flat_map(|l| l.commands.iter().flatten().map(move |c| (l.key, c)))
    }

    /// The capabilities a process under the unit's bounding set may start with, and why no
    /// other: those of AmbientCapabilities= (none without it), when every such process runs
    /// as the non-root User= (no `!` prefix, no PermissionsStartOnly=). A `+` command runs
    /// outside the bounding set: systemd applies no sandboxing to it, the bounding set
    /// included (execute.c of 252, exec-invoke.c of 256 and later: `needs_sandboxing` is false
    /// for EXEC_COMMAND_FULLY_PRIVILEGED, and capability_bounding_set_drop() runs only under
    /// it). With NoNewPrivileges= on top, nothing can gain another (a set-uid or
    /// file-capability program gives none: the kernel's cap_bprm_creds_from_file() keeps the
    /// old permitted set under no_new_privs). A User= with a specifier may name root.
    pub fn bounded_start_capabilities(&self) -> Option<(Vec<String>, String)> {
        let as_user = self.non_root_user().ok()?;
        let named = |c: &String| c.starts_with("CAP_") && c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
        if !self.ambient_capabilities.iter().all(named) {
            return None;
        }
        if self.command_as_root(true).is_some() || self.commands().next().is_none() {
            return None;
        }
        let outside: Vec<String> =
            self.commands().filter(|(_, c)| c.unsandboxed).map(|(key, c)| format!("{key}=+{}", c.program)).collect();
        let granted = match self.ambient_capabilities.join(" ") {
            caps if caps.is_empty() => "the unit grants no AmbientCapabilities=".to_owned(),
            caps => format!("the unit grants only AmbientCapabilities={caps}"),
        };
        let why = if outside.is_empty() {
            format!(
                "every command runs as {as_user} (no + or ! prefix, no PermissionsStartOnly= with commands besides ExecStart=) and {granted}"
            )
        } else {
            format!(
                "every command under the bounding set runs as {as_user} ({} runs outside it, as systemd sandboxes no + command; no ! prefix, no PermissionsStartOnly= with commands besides ExecStart=) and {granted}",
                outside.join(", ")
            )
        };
        Some((self.ambient_capabilities.clone(), why))
    }

    /// The first way a process of the service may start with a capability, or Err with why
    /// none can.
    pub fn may_start_with_capabilities(&self) -> Result<String, String> {
        let as_user = match self.non_root_user() {
            Ok(as_user) => as_user,
            Err(as_root) => return Ok(as_root),
        };
        if !self.ambient_capabilities.is_empty() {
            return Ok(format!("the unit grants AmbientCapabilities={}", self.ambient_capabilities.join(" ")));
        }
        if let Some(as_root) = self.command_as_root(false) {
            return Ok(as_root);
        }
        if self.commands().next().is_none() {
            return Ok("the unit runs no command".into());
        }
        Err(format!(
            "every command runs as {as_user} (no + or ! prefix, no PermissionsStartOnly= with commands besides ExecStart=) and the unit grants no AmbientCapabilities="
        ))
    }

    /// `User=NAME` or `DynamicUser=yes` when the service's processes start as a non-root
    /// user; else why they may start as root.
    fn non_root_user(&self) -> Result<String, String> {
        match &self.user {
            _ if self.dynamic_user => Ok("DynamicUser=yes".to_owned()),
            Some(u) if !self.runs_as_root() && !u.contains('%') => Ok(format!("User={u}")),
            Some(u) if !self.runs_as_root() => Err(format!("User={u} may name root")),
            _ => Err("the service starts as root".into()),
        }
    }

    /// The first command that runs as root whatever User= says: a control command under
    /// PermissionsStartOnly=, or one with a `!` or `+` prefix (`+` not counted when only the
    /// commands under the bounding set matter).
    fn command_as_root(&self, under_bounding_set_only: bool) -> Option<String> {
        // PermissionsStartOnly= lifts User= only from the control commands (systemd's service.c
        // clears EXEC_APPLY_SANDBOXING for EXEC_IS_CONTROL), so with ExecStart= alone it changes
        // nothing (etcd's unit).
        if let Some((key, _)) =
            self.commands().find(|(key, _)| *key != "ExecStart").filter(|_| self.permissions_start_only)
        {
            return Some(format!("PermissionsStartOnly= runs {key}= as root"));
        }
        self.commands()
            .find(|(_, c)| c.privileged() && !(under_bounding_set_only && c.unsandboxed))
            .map(|(key, c)| format!("{key}= runs {} with full privileges (a + or ! prefix)", c.program))
    }
}

/// The command lines of a service's `Exec*=` keys, in the order systemd runs them: an empty
/// assignment resets the key's list, as systemd does.
fn exec_lines(assignments: &[Assignment]) -> Vec<ExecLine> {
    let mut out = Vec::new();
    for key in EXEC_KEYS {
        let mut lines: Vec<&str> = Vec::new();
        for a in assignments.iter().filter(|a| a.section == "Service" && a.key == *key) {
            if a.value.trim().is_empty() {
                lines.clear();
            } else {
                lines.push(&a.value);
            }
        }
        out.extend(lines.into_iter().map(|l| ExecLine { key, value: l.to_owned(), commands: split_command_line(l) }));
    }
    out
}

/// The commands of an `Exec*=` value that systemd runs, as it reads them (prefixes, quoting,
/// `;` between commands, a separate argv[0] dropped from the arguments); Err with systemd's
/// message when it refuses the unit over the line.
pub fn split_command_line(value: &str) -> Result<Vec<Command>, String> {
    let line = crate::grammar::parse_exec_line(value, |word| Some(word.to_owned()));
    if let Some(message) = line.fatal {
        return Err(message);
    }
    Ok(line
        .commands
        .into_iter()
        .map(|c| Command {
            args: c.args().to_vec(),
            full_privileges: c.full_privileges,
            unsandboxed: c.unsandboxed,
            program: c.path,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(key: &str, value: &str) -> Assignment {
        Assignment::planned("Service", key, value)
    }

    #[test]
    fn commands_are_what_systemd_runs() {
        let c = split_command_line("-@/usr/bin/env env FOO=1 /usr/sbin/d ; /bin/b ';'").unwrap();
        assert_eq!(
            (c[0].program.as_str(), c[0].args.clone()),
            ("/usr/bin/env", vec!["FOO=1".into(), "/usr/sbin/d".into()])
        );
        assert_eq!((c[1].program.as_str(), c[1].args.clone()), ("/bin/b", vec![";".to_owned()]));
        assert!(split_command_line("/bin/sh -c 'oops").unwrap_err().starts_with("Unbalanced quoting"));
    }

    #[test]
    fn an_empty_assignment_resets_the_command_list() {
        let assignments =
            [a("ExecStart", "/bin/old"), a("ExecStartPre", "/bin/pre"), a("ExecStart", ""), a("ExecStart", "/bin/new")];
        let facts = UnitFacts::read("x", &assignments);
        let lines: Vec<(&str, &str)> = facts.exec_lines.iter().map(|l| (l.key, l.value.as_str())).collect();
        assert_eq!(lines, [("ExecStartPre", "/bin/pre"), ("ExecStart", "/bin/new")]);
    }

    #[test]
    fn an_empty_user_or_ambient_set_resets_it() {
        let facts = UnitFacts::read(
            "x",
            &[
                a("User", "daemon"),
                a("User", ""),
                a("AmbientCapabilities", "CAP_NET_RAW"),
                a("AmbientCapabilities", ""),
            ],
        );
        assert_eq!((facts.user, facts.ambient_capabilities), (None, vec![]));
    }

    /// systemd's config_parse_bool logs "Failed to parse boolean value, ignoring" and keeps
    /// the value before: a drop-in's typo does not turn the setting off (systemd-analyze
    /// verify of 252). (DynamicUser= it cannot parse is fatal: systemd refuses the unit.)
    #[test]
    fn a_boolean_systemd_cannot_parse_leaves_the_value_before() {
        let facts = UnitFacts::read("x", &[a("NoNewPrivileges", "yes"), a("NoNewPrivileges", "maybe")]);
        assert!(facts.no_new_privileges);
        let unit = |value: &str| Assignment::planned("Unit", "DefaultDependencies", value);
        assert!(!UnitFacts::read("x", &[unit("no"), unit("maybe")]).default_dependencies);
        assert!(UnitFacts::read("x", &[unit("maybe")]).default_dependencies);
    }
}
