//! Which settings are command lines, and what the score needs of one: how many commands it
//! adds, or the message with which systemd refuses the unit (the reading itself is
//! [`crate::grammar::parse_exec_line`]).

use crate::grammar::parse_exec_line;
use crate::score::specifiers::{expand, UnitIdent};

/// The `Exec*=` settings of a unit type that config_parse_exec() reads.
pub(super) fn is_exec_key(unit_type: &str, key: &str) -> bool {
    const SERVICE: &[&str] =
        &["ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"];
    const SOCKET: &[&str] = &["ExecStartPre", "ExecStartPost", "ExecStopPre", "ExecStopPost"];
    match unit_type {
        "service" => SERVICE.contains(&key),
        "socket" => SOCKET.contains(&key),
        _ => false,
    }
}

/// The number of commands a non-empty `Exec*=` value adds (0 when systemd drops the
/// line), or the message with which systemd refuses the unit.
pub(super) fn exec_line_commands(ident: &UnitIdent, value: &str) -> Result<usize, String> {
    let line = parse_exec_line(value, |word| expand(ident, word).ok());
    match line.fatal {
        Some(message) => Err(message),
        None => Ok(line.commands.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(v: &str) -> Result<usize, String> {
        exec_line_commands(&UnitIdent::new("a.service", None, crate::score::specifiers::TEMPLATE_INSTANCE), v)
    }

    /// Each verdict as `systemd-analyze security --offline=true` 252 gave it for a unit
    /// `[Service]` + `ExecStart=VALUE` (0: "Unbalanced quoting, ignoring" and no command).
    #[test]
    fn exec_lines_as_systemd_252_reads_them() {
        assert_eq!(commands("/bin/true"), Ok(1));
        assert_eq!(commands("/bin/true ; /bin/false"), Ok(2));
        assert_eq!(commands("\"/bin/true"), Ok(0));
        assert_eq!(commands("-/bin/true \"x"), Ok(0));
        assert!(commands("/bin/true \"x").is_err());
        assert!(commands("\"\"").unwrap_err().starts_with("Empty path in command line"));
        assert!(commands("\"@/bin/true x\"").unwrap_err().starts_with("Empty executable name"));
        assert_eq!(commands("@/bin/true x"), Ok(1));
        assert_eq!(commands("-\"\""), Ok(0));
        assert!(commands("/bin/ x").is_err());
    }
}
