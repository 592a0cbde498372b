//! Which programs a unit runs: its `Exec*=` command lines as systemd splits them. What a
//! wrapper shell script runs is read in `super::shell`.

use crate::unit::Assignment;

/// The keys whose values are command lines, in the order a service's life runs them.
pub const EXEC_KEYS: &[&str] =
    &["ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"];

/// Where systemd 252 looks up a command given by a bare name (its built-in default PATH for
/// a split-/usr system, which a build root may be).
pub const COMMAND_PATH: &[&str] = &["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/// One command of a command line: the program as written and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: String,
    pub args: Vec<String>,
    /// `+`, `!` or `!!`: run with root's privileges (or its capabilities), whatever User= says.
    pub full_privileges: bool,
}

impl Command {
    pub fn privileged(&self) -> bool {
        self.full_privileges
    }
}

/// The command lines of a service's `Exec*=` keys, in the order systemd runs them, each with
/// its key: an empty assignment resets the key's list, as systemd does.
pub fn exec_lines(assignments: &[Assignment]) -> Vec<(&'static str, &str)> {
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
        out.extend(lines.into_iter().map(|l| (*key, l)));
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
        .map(|c| Command { args: c.args().to_vec(), full_privileges: c.full_privileges, program: c.path })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let a = |key: &str, value: &str| Assignment::planned("Service", key, value);
        let assignments =
            [a("ExecStart", "/bin/old"), a("ExecStartPre", "/bin/pre"), a("ExecStart", ""), a("ExecStart", "/bin/new")];
        let lines = exec_lines(&assignments);
        assert_eq!(lines, [("ExecStartPre", "/bin/pre"), ("ExecStart", "/bin/new")]);
    }
}
