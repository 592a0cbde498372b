//! config_parse_exec() of systemd 252: how many commands an `Exec*=` line adds, and when
//! the line makes systemd refuse the unit. A line whose first word has unbalanced quoting
//! is dropped with a warning; a later word with unbalanced quoting, an empty path or a
//! missing argv[0] is fatal unless the command starts with `-`, which turns every fatal
//! error of the line into "ignore the line".

use crate::grammar::{extract_first_word, WordFlags};
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
    walk_exec_line(ident, value, true)
}

/// What systemd logs about an `Exec*=` line, whether or not a `-` prefix makes it harmless:
/// a syntax error drops the line (or, without `-`, refuses the unit).
pub(crate) fn exec_line_problem(ident: &UnitIdent, value: &str) -> Option<String> {
    if crate::grammar::split_words(value).is_err() {
        return Some(format!("unbalanced quoting: {value}"));
    }
    walk_exec_line(ident, value, false).err()
}

fn walk_exec_line(ident: &UnitIdent, value: &str, honour_ignore: bool) -> Result<usize, String> {
    let mut p = value;
    let mut commands = 0;
    loop {
        let Ok(Some(first)) = extract_first_word(&mut p, WordFlags::UNQUOTE) else { return Ok(commands) };
        if first == ";" {
            continue;
        }
        let (ignore, separate_argv0, rest) = strip_exec_prefixes(&first);
        let fail = |message: String| if ignore && honour_ignore { Ok(commands) } else { Err(message) };
        let Ok(path) = expand(ident, rest) else {
            return fail(format!("Failed to resolve unit specifiers in '{rest}': Invalid slot"));
        };
        if path.is_empty() {
            return fail(format!("Empty path in command line: '{value}'"));
        }
        if path.chars().any(|c| c.is_control() || matches!(c, '"' | '\'' | '\\')) {
            return fail(format!("Executable name contains special characters: {path}"));
        }
        if path.ends_with('/') {
            return fail(format!("Executable path specifies a directory: {path}"));
        }
        if !path.starts_with('/') && (path == "." || path == ".." || path.contains('/') || path.len() > 255) {
            return fail(format!("Neither a valid executable name nor an absolute path: {path}"));
        }
        let mut argv = usize::from(!separate_argv0);
        let mut semicolon = false;
        while !p.is_empty() {
            if let Some(after) = p.strip_prefix(';').filter(|a| a.is_empty() || a.starts_with([' ', '\t', '\n'])) {
                p = after.trim_start();
                semicolon = true;
                break;
            }
            match extract_first_word(&mut p, WordFlags::UNQUOTE) {
                Ok(None) => break,
                Err(_) => return fail(format!("Unbalanced quoting: {value}")),
                Ok(Some(word)) => {
                    if expand(ident, &word).is_err() {
                        return fail(format!("Failed to resolve unit specifiers in {word}: Invalid slot"));
                    }
                    argv += 1;
                }
            }
        }
        if argv == 0 {
            return fail(format!("Empty executable name or zeroeth argument: {value}"));
        }
        commands += 1;
        if !semicolon {
            return Ok(commands);
        }
    }
}

/// The `-@:+!` prefixes of a command: (ignore failure, argv[0] given separately, the rest).
fn strip_exec_prefixes(word: &str) -> (bool, bool, &str) {
    let (mut ignore, mut argv0, mut plus, mut bang, mut colon) = (false, false, false, 0, false);
    let mut rest = word;
    loop {
        let c = rest.chars().next();
        match c {
            Some('-') if !ignore => ignore = true,
            Some('@') if !argv0 => argv0 = true,
            Some(':') if !colon => colon = true,
            Some('+') if !plus && bang == 0 => plus = true,
            Some('!') if !plus && bang < 2 => bang += 1,
            _ => return (ignore, argv0, rest),
        }
        rest = &rest[1..];
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
