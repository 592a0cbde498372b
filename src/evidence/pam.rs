//! PAM's configuration, as far as the evidence needs it: which modules a program's PAM calls
//! run. libpam runs, for each call a program makes, the modules of one stack of the service's
//! file in /etc/pam.d (pam_authenticate(3) the `auth` lines, pam_acct_mgmt(3) the `account`
//! lines...). Which service a program names is often chosen at run time (saslauthd passes on
//! the one its client asks for), so every file of the configuration counts, for every stack
//! the program's imports can run: a superset of what runs.

use std::collections::BTreeSet;

/// The four kinds of module lines (pam.conf(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stack {
    Auth,
    Account,
    Password,
    Session,
}

impl Stack {
    pub fn name(self) -> &'static str {
        match self {
            Stack::Auth => "auth",
            Stack::Account => "account",
            Stack::Password => "password",
            Stack::Session => "session",
        }
    }

    fn parse(word: &str) -> Option<Stack> {
        match word.to_ascii_lowercase().as_str() {
            "auth" => Some(Stack::Auth),
            "account" => Some(Stack::Account),
            "password" => Some(Stack::Password),
            "session" => Some(Stack::Session),
            _ => None,
        }
    }
}

/// The functions of libpam that run a stack (Linux-PAM's libpam/pam_auth.c, pam_account.c,
/// pam_password.c, pam_session.c: each calls `_pam_dispatch` with its PAM_* choice).
const STACK_FUNCTIONS: &[(&str, Stack)] = &[
    ("pam_authenticate", Stack::Auth),
    ("pam_setcred", Stack::Auth),
    ("pam_acct_mgmt", Stack::Account),
    ("pam_chauthtok", Stack::Password),
    ("pam_open_session", Stack::Session),
    ("pam_close_session", Stack::Session),
];

/// The stacks a file that links libpam runs, by the functions of libpam it imports:
/// pam_start(3) and pam_end(3) alone run no module.
pub fn stacks_run<'a>(imports: impl IntoIterator<Item = &'a String>) -> BTreeSet<Stack> {
    let imports: BTreeSet<&str> = imports.into_iter().map(String::as_str).collect();
    STACK_FUNCTIONS.iter().filter(|(f, _)| imports.contains(f)).map(|(_, s)| *s).collect()
}

/// One line of a PAM configuration file that matters here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A module the stack runs: its path as written (`pam_unix.so`, or absolute), and
    /// whether a missing file is skipped (a type written `-auth`).
    Module { stack: Stack, module: String, args: Vec<String>, may_be_missing: bool, line: usize },
    /// `@include FILE`, or a line whose control is `include` or `substack`: the lines of
    /// another file (of one stack, or all with `@include`).
    Include { stack: Option<Stack>, file: String, line: usize },
}

/// The lines of one file of /etc/pam.d, as libpam reads them (libpam/pam_handlers.c,
/// `_pam_parse_conf_file` and `_pam_assemble_line`): `#` starts a comment, a line ending in
/// `\` goes on, a control may be `[...]` with blanks inside. An error names the line of a type
/// libpam does not know.
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    let mut joined = String::new();
    let mut first_line = 0;
    for (i, raw) in text.lines().enumerate() {
        if joined.is_empty() {
            first_line = i + 1;
        }
        let without_comment = raw.split('#').next().unwrap_or("");
        match without_comment.strip_suffix('\\') {
            Some(part) if without_comment.len() == raw.len() => {
                joined.push_str(part);
                joined.push(' ');
                continue;
            }
            _ => joined.push_str(without_comment),
        }
        let line = std::mem::take(&mut joined);
        if let Some(parsed) = parse_line(&line, first_line)? {
            out.push(parsed);
        }
    }
    if let Some(parsed) = parse_line(&joined, first_line)? {
        out.push(parsed);
    }
    Ok(out)
}

fn parse_line(line: &str, number: usize) -> Result<Option<Line>, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let (first, rest) = split_word(line);
    if first == "@include" {
        let (file, _) = split_word(rest);
        return Ok(Some(Line::Include { stack: None, file: file.to_owned(), line: number }));
    }
    let may_be_missing = first.starts_with('-');
    let Some(stack) = Stack::parse(first.trim_start_matches('-')) else {
        return Err(format!("line {number}: `{first}` is not a PAM module type"));
    };
    let rest = rest.trim_start();
    let (control, rest) = match rest.strip_prefix('[') {
        Some(inner) => match inner.split_once(']') {
            Some((c, r)) => (c, r),
            None => return Err(format!("line {number}: `[` without `]`")),
        },
        None => split_word(rest),
    };
    let (module, rest) = split_word(rest.trim_start());
    if module.is_empty() {
        return Err(format!("line {number}: no module"));
    }
    if matches!(control, "include" | "substack") {
        return Ok(Some(Line::Include { stack: Some(stack), file: module.to_owned(), line: number }));
    }
    let args = rest.split_whitespace().map(str::to_owned).collect();
    Ok(Some(Line::Module { stack, module: module.to_owned(), args, may_be_missing, line: number }))
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    s.split_once(char::is_whitespace).unwrap_or((s, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_as_libpam_reads_them() {
        let text = "# comment\n@include common-auth\nauth\t[success=1 default=ignore]\tpam_unix.so nullok # x\n\
                    -session optional pam_systemd.so\naccount include su\nsession required \\\n  pam_limits.so\n";
        let lines = parse(text).unwrap();
        assert_eq!(
            lines,
            [
                Line::Include { stack: None, file: "common-auth".into(), line: 2 },
                Line::Module {
                    stack: Stack::Auth,
                    module: "pam_unix.so".into(),
                    args: vec!["nullok".into()],
                    may_be_missing: false,
                    line: 3
                },
                Line::Module {
                    stack: Stack::Session,
                    module: "pam_systemd.so".into(),
                    args: vec![],
                    may_be_missing: true,
                    line: 4
                },
                Line::Include { stack: Some(Stack::Account), file: "su".into(), line: 5 },
                Line::Module {
                    stack: Stack::Session,
                    module: "pam_limits.so".into(),
                    args: vec![],
                    may_be_missing: false,
                    line: 6
                },
            ]
        );
        assert_eq!(parse("autth required pam_deny.so\n").unwrap_err(), "line 1: `autth` is not a PAM module type");
        let imports: Vec<String> = ["pam_start", "pam_authenticate", "pam_acct_mgmt"].map(String::from).into();
        assert_eq!(stacks_run(&imports).into_iter().collect::<Vec<_>>(), [Stack::Auth, Stack::Account]);
    }
}
