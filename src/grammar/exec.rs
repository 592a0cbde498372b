//! config_parse_exec() of systemd 252: the commands of an `Exec*=` value. A line whose first
//! word has unbalanced quoting is dropped with a warning; a later word with unbalanced
//! quoting, an empty path or a missing argv[0] is fatal (systemd refuses the unit) unless the
//! command starts with `-`, which turns every fatal error of the line into "drop the rest of
//! the line". Commands before the error are kept, as systemd appends each one as it goes.

use super::{extract_first_word, WordFlags};

/// One command of an `Exec*=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecCommand {
    /// The program after the `-@:+!` prefixes, as written (specifiers not expanded).
    pub path: String,
    /// `@`: the first word of `argv` is the argv[0] the process sees, not an argument.
    pub separate_argv0: bool,
    /// `+`, `!` or `!!`: run with full privileges (or root's capabilities) despite User=.
    pub full_privileges: bool,
    /// `+`: no sandboxing applies either, CapabilityBoundingSet= included; `!` lifts only
    /// User=, Group= and SupplementaryGroups= (systemd.service(5), "Command lines").
    pub unsandboxed: bool,
    /// The words after the program.
    pub argv: Vec<String>,
}

impl ExecCommand {
    /// The arguments the program gets, without a separately given argv[0].
    pub fn args(&self) -> &[String] {
        match self.separate_argv0 {
            true => self.argv.get(1..).unwrap_or(&[]),
            false => &self.argv,
        }
    }
}

/// What systemd makes of one `Exec*=` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecLine {
    /// The commands systemd keeps.
    pub commands: Vec<ExecCommand>,
    /// The message with which systemd refuses the unit over this line, when it does.
    pub fatal: Option<String>,
    /// What systemd logs about the line, also when a `-` prefix makes the error harmless (the
    /// rest of the line is then dropped, and the unit still loads).
    pub problem: Option<String>,
}

/// Reads an `Exec*=` value as systemd does. `expand` resolves unit specifiers in a word, None
/// when one cannot be resolved (a reader that does not know the unit passes the word on).
pub fn parse_exec_line(value: &str, expand: impl Fn(&str) -> Option<String>) -> ExecLine {
    let mut line = ExecLine::default();
    let mut p = value;
    loop {
        let Ok(Some(first)) = extract_first_word(&mut p, WordFlags::UNQUOTE) else { return line };
        if first == ";" {
            continue;
        }
        let (ignore, separate_argv0, full_privileges, unsandboxed, rest) = strip_exec_prefixes(&first);
        let mut fail = |message: String| {
            if !ignore {
                line.fatal = Some(message.clone());
            }
            line.problem = Some(message);
            std::mem::take(&mut line)
        };
        let Some(path) = expand(rest) else {
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
        let mut argv = Vec::new();
        let mut semicolon = false;
        while !p.is_empty() {
            // Only a lone, unquoted `;` separates commands; `';'` and `\;` are arguments.
            if let Some(after) = p.strip_prefix(';').filter(|a| a.is_empty() || a.starts_with([' ', '\t', '\n'])) {
                p = after.trim_start();
                semicolon = true;
                break;
            }
            match extract_first_word(&mut p, WordFlags::UNQUOTE) {
                Ok(None) => break,
                Err(_) => return fail(format!("Unbalanced quoting: {value}")),
                Ok(Some(word)) => {
                    if expand(&word).is_none() {
                        return fail(format!("Failed to resolve unit specifiers in {word}: Invalid slot"));
                    }
                    argv.push(word);
                }
            }
        }
        if separate_argv0 && argv.is_empty() {
            return fail(format!("Empty executable name or zeroeth argument: {value}"));
        }
        line.commands.push(ExecCommand { path: rest.to_owned(), separate_argv0, full_privileges, unsandboxed, argv });
        if !semicolon {
            return line;
        }
    }
}

/// The `-@:+!` prefixes of a command: (ignore failure, argv[0] given separately, full
/// privileges, outside the sandboxing (`+`), the rest). Each may appear once (`!` twice),
/// and `+` not with `!`.
fn strip_exec_prefixes(word: &str) -> (bool, bool, bool, bool, &str) {
    let (mut ignore, mut argv0, mut plus, mut bang, mut colon) = (false, false, false, 0, false);
    let mut rest = word;
    loop {
        match rest.chars().next() {
            Some('-') if !ignore => ignore = true,
            Some('@') if !argv0 => argv0 = true,
            Some(':') if !colon => colon = true,
            Some('+') if !plus && bang == 0 => plus = true,
            Some('!') if !plus && bang < 2 => bang += 1,
            _ => return (ignore, argv0, plus || bang > 0, plus, rest),
        }
        rest = &rest[1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: &str) -> ExecLine {
        parse_exec_line(v, |w| (!w.contains("%!")).then(|| w.replace("%n", "a.service")))
    }

    fn paths(v: &str) -> Vec<String> {
        read(v).commands.into_iter().map(|c| c.path).collect()
    }

    #[test]
    fn prefixes_quotes_and_separators() {
        assert_eq!(paths("-/usr/sbin/foo -d"), ["/usr/sbin/foo"]);
        assert_eq!(paths("!!/usr/bin/bar"), ["/usr/bin/bar"]);
        assert_eq!(paths("+:/bin/x ; -/bin/y ';' \\;"), ["/bin/x", "/bin/y"]);
        assert_eq!(read("-/bin/y ';' \\; a;").commands[0].argv, [";", ";", "a;"]);
        assert_eq!(paths("; ; /bin/x ;"), ["/bin/x"]);
        let c = &read("/bin/sh -c 'exec /usr/sbin/d \"a b\"'").commands[0];
        assert_eq!(c.args(), ["-c", "exec /usr/sbin/d \"a b\""]);
    }

    #[test]
    fn a_custom_argv0_is_not_an_argument() {
        let c = &read("@/usr/bin/env env FOO=1 /usr/sbin/d -f").commands[0];
        assert_eq!(
            (c.path.as_str(), c.args()),
            ("/usr/bin/env", &["FOO=1".to_owned(), "/usr/sbin/d".into(), "-f".into()][..])
        );
        let l = read("/bin/a x ; -@/bin/b b-argv0 y");
        assert_eq!(l.commands[0].args(), ["x"]);
        assert_eq!((l.commands[1].path.as_str(), l.commands[1].args()), ("/bin/b", &["y".to_owned()][..]));
    }

    #[test]
    fn errors_drop_the_line_or_refuse_the_unit() {
        let fatal = |v: &str| read(v).fatal.unwrap_or_default();
        assert_eq!(read("\"/bin/true"), ExecLine::default());
        assert!(fatal("/bin/sh -c 'oops").starts_with("Unbalanced quoting"));
        let ignored = |v: &str| {
            let l = read(v);
            l.commands.is_empty() && l.fatal.is_none() && l.problem.is_some()
        };
        assert!(ignored("-/bin/sh -c 'oops"), "a `-` drops the line, and systemd still logs why");
        assert!(fatal("/bin/a ; /bin/b 'x").starts_with("Unbalanced quoting"));
        assert_eq!(read("/bin/a ; -/bin/b 'x").commands.len(), 1);
        assert!(fatal("/bin/x %!").starts_with("Failed to resolve unit specifiers"));
        assert_eq!(read("/bin/%n").commands[0].path, "/bin/%n");
        assert!(fatal("::/bin/x").starts_with("Neither a valid executable name"));
        assert!(ignored("--/bin/x"));
        assert!(fatal("@/bin/x").starts_with("Empty executable name"));
    }
}
