//! Which programs a unit runs: its `Exec*=` command lines as systemd splits them, and what a
//! wrapper shell script runs, as far as that can be read without running it.

use std::collections::{BTreeMap, BTreeSet};

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

/// What a shell script runs, read statically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptReading {
    /// Absolute paths the script mentions as arguments or values (a file it may run).
    pub paths: BTreeSet<String>,
    /// What it runs: words in command position, absolute paths or bare names.
    pub commands: BTreeSet<String>,
    /// The words each command is given, over all its invocations (`date` → `+%s`).
    pub arguments: BTreeMap<String, BTreeSet<String>>,
    /// Files the script sources with `.` or `source`.
    pub sourced: BTreeSet<String>,
    /// Why what it runs cannot be fully known, one line each.
    pub dynamic: Vec<String>,
}

/// Shell words that start a new command after them.
const COMMAND_STARTERS: &[&str] =
    &[";", "&&", "||", "|", "&", "then", "do", "else", "elif", "if", "while", "until", "!", "{", "(", "time"];

/// Shell keywords and builtins that run no program of their own.
const SHELL_BUILTINS: &[&str] = &[
    "[", "[[", "]]", "]", ":", "true", "false", "test", "echo", "printf", "read", "set", "unset", "export", "local",
    "readonly", "declare", "typeset", "shift", "return", "exit", "break", "continue", "cd", "pwd", "umask", "ulimit",
    "trap", "wait", "getopts", "fi", "done", "esac", "case", "in", "for", "function", "then", "do", "else", "elif",
    "if", "while", "until", "}", ")", "kill", "type", "hash", "alias", "let",
];

/// Reads a shell script: every absolute path that appears as a word (or as the value of an
/// assignment), every command name in command position, `exec` targets (a variable target
/// resolved through the script's own literal assignments), and what makes it too dynamic to
/// read: `eval`, `exec "$@"`, a command named by a variable the script never sets.
pub fn read_shell(text: &str) -> ScriptReading {
    let mut out = ScriptReading::default();
    let lines = logical_lines(text);
    let mut assigned: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut functions: BTreeSet<String> = BTreeSet::new();
    let mut tokenized = Vec::new();
    let mut case = CaseState::default();
    for line in &lines {
        let words = shell_words(line, &mut case);
        for (k, w) in words.iter().enumerate() {
            if let Some((name, value)) = assignment(w) {
                assigned.entry(name.to_owned()).or_default().insert(value.to_owned());
            }
            // `name() {` or `function name`: calls of it run no program.
            let defines = words.get(k + 1).is_some_and(|n| n == "(") || (k > 0 && words[k - 1] == "function");
            if defines && w != "function" && w != "(" {
                functions.insert(w.clone());
            }
        }
        tokenized.push(words);
    }
    for words in tokenized {
        let mut at_command = true;
        let mut after_exec = false;
        let mut running: Option<String> = None;
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_str();
            i += 1;
            if let Some((_, value)) = assignment(w) {
                note_path(value, &mut out);
                if let Some(cmd) = &running {
                    out.arguments.entry(cmd.clone()).or_default().insert(w.to_owned());
                }
                continue; // an assignment before a command keeps command position
            }
            if COMMAND_STARTERS.contains(&w) {
                at_command = true;
                running = None;
                continue;
            }
            if let Some(has_target) = redirection(w) {
                i += usize::from(!has_target); // `> file`: the next word is the file
                continue;
            }
            if !at_command {
                note_path(w, &mut out);
                if let Some(cmd) = &running {
                    out.arguments.entry(cmd.clone()).or_default().insert(w.to_owned());
                }
                continue;
            }
            if w.starts_with('-') {
                if words.get(i.wrapping_sub(2)).is_some_and(|p| p == "command") {
                    at_command = false; // `command -v NAME` looks a name up, runs nothing
                }
                continue; // an option of exec (`exec -a NAME`)
            }
            at_command = false;
            if functions.contains(w) {
                continue;
            }
            match w {
                "exec" | "command" | "nohup" => {
                    at_command = true;
                    after_exec = w == "exec";
                    continue;
                }
                "eval" => out.dynamic.push("runs `eval`: the command is built at run time".into()),
                "." | "source" => {
                    if let Some(file) = words.get(i) {
                        if file.starts_with('/') && !file.contains('$') {
                            out.sourced.insert(file.clone());
                        } else if file.contains('$') {
                            out.dynamic.push(format!("sources a file named at run time: {file}"));
                        }
                        i += 1;
                    }
                }
                _ if w.contains('$') || w.contains('`') => {
                    let targets = expand_variable(w, &assigned);
                    if targets.is_empty() {
                        let how = if after_exec { "execs" } else { "runs" };
                        out.dynamic.push(format!("{how} a command named at run time: {w}"));
                    }
                    for t in targets {
                        note_command(&t, &mut out);
                    }
                }
                _ => {
                    note_command(w, &mut out);
                    running = Some(w.to_owned());
                    out.arguments.entry(w.to_owned()).or_default();
                }
            }
            after_exec = false;
        }
    }
    out.dynamic.sort();
    out.dynamic.dedup();
    out
}

fn note_command(w: &str, out: &mut ScriptReading) {
    let bare_name = w.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && !SHELL_BUILTINS.contains(&w)
        && w.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b));
    if w.starts_with('/') || bare_name {
        out.commands.insert(w.to_owned());
    }
}

fn note_path(w: &str, out: &mut ScriptReading) {
    if w.starts_with('/') && !w.contains(['$', '*', '?', '`']) && w.len() > 1 {
        out.paths.insert(w.to_owned());
    }
}

/// `$NAME`, `${NAME}` or `"$NAME"`: every literal value the script assigns to NAME. Empty
/// when the value comes from outside (environment, arguments) or is computed.
fn expand_variable(w: &str, assigned: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let inner = w.trim_start_matches('$').trim_start_matches('{');
    let name = inner.trim_end_matches('}');
    if !w.starts_with('$') || name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Vec::new();
    }
    match assigned.get(name) {
        Some(values) if values.iter().all(|v| !v.contains(['$', '`'])) => values.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

fn assignment(w: &str) -> Option<(&str, &str)> {
    let (name, value) = w.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some((name, value))
}

/// Some(whether the target is in the same word) for a redirection, None otherwise.
fn redirection(w: &str) -> Option<bool> {
    let w = w.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches('&');
    if !(w.starts_with('>') || w.starts_with('<')) {
        return None;
    }
    let target = w.trim_start_matches(['>', '<', '&', '|']);
    Some(!target.is_empty())
}

/// Joins backslash-continued lines, drops comments and here-document bodies.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut heredoc_end: Option<String> = None;
    for raw in text.lines() {
        if let Some(end) = &heredoc_end {
            if raw.trim() == end {
                heredoc_end = None;
            }
            continue;
        }
        let line = strip_comment(raw);
        if let Some(idx) = line.find("<<") {
            let tag = line[idx + 2..].trim_start_matches('-').trim();
            let tag = tag.split_whitespace().next().unwrap_or("").trim_matches(['\'', '"']);
            if !tag.is_empty() && !tag.starts_with('<') {
                heredoc_end = Some(tag.to_owned());
            }
        }
        if let Some(stripped) = line.strip_suffix('\\') {
            current.push_str(stripped);
            current.push(' ');
            continue;
        }
        current.push_str(&line);
        lines.push(std::mem::take(&mut current));
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev_space => break,
            None => {}
        }
        prev_space = c.is_whitespace();
        out.push(c);
    }
    out
}

/// Where the reader is in `case ... esac` statements, across lines: a `(` that opens a
/// pattern (`( smb | smbd )`, POSIX allows it) is no subshell.
#[derive(Debug, Default)]
struct CaseState {
    /// `case` statements open.
    open: usize,
    /// Next comes a pattern: after `in` or `;;`.
    pattern_next: bool,
}

/// Rough shell words: quotes removed, operators (`;`, `&&`, `|`, `(`, `$(`, backquotes)
/// split out so that what follows them is seen in command position. An arithmetic
/// expansion (`$((!$addc))`) stays inside its word: it runs nothing.
fn shell_words(line: &str, case: &mut CaseState) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut chars = line.chars().peekable();
    let flush = |word: &mut String, words: &mut Vec<String>, case: &mut CaseState| {
        if !word.is_empty() {
            match word.as_str() {
                "case" => case.open += 1,
                "esac" => case.open = case.open.saturating_sub(1),
                _ => {}
            }
            case.pattern_next = word == "in" && case.open > 0;
            words.push(std::mem::take(word));
        }
    };
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            c if c.is_whitespace() => flush(&mut word, &mut words, case),
            // `2>&1`, `>&2`, `&>file`: redirections, not a background `&`.
            '&' if word.ends_with(['>', '<']) || chars.peek() == Some(&'>') => word.push(c),
            '(' if word.ends_with('$') && chars.peek() == Some(&'(') => {
                // `$((...))`: read to its closing parentheses as part of the word.
                word.push(c);
                let mut open = 0usize;
                for a in chars.by_ref() {
                    word.push(a);
                    match a {
                        '(' => open += 1,
                        ')' if open <= 1 => break,
                        ')' => open -= 1,
                        _ => {}
                    }
                }
                if chars.peek() == Some(&')') {
                    chars.next();
                    word.push(')');
                }
            }
            '(' if word.is_empty() && case.pattern_next => {} // `( pattern )` of a case
            ')' if depth == 0 => {
                // A case pattern (`start|restart)`): not commands; a command follows it.
                word.clear();
                while words.last().is_some_and(|w: &String| w != ";" && w != "in") {
                    words.pop();
                }
                words.push(";".into());
                case.pattern_next = false;
            }
            ';' | '|' | '&' | '(' | ')' | '`' => {
                if c == '(' {
                    depth += 1;
                    if word.ends_with('$') {
                        word.pop(); // `$(` opens a command substitution
                    }
                } else if c == ')' {
                    depth -= 1;
                }
                flush(&mut word, &mut words, case);
                let mut op = c.to_string();
                if (c == '&' || c == '|' || c == ';') && chars.peek() == Some(&c) {
                    op.push(chars.next().unwrap_or(c));
                }
                if op == ";;" {
                    case.pattern_next = case.open > 0;
                    op = ";".into();
                } else if c != '|' {
                    case.pattern_next = false;
                }
                words.push(if c == '`' || c == ')' { ";".into() } else { op });
            }
            _ => word.push(c),
        }
    }
    flush(&mut word, &mut words, case);
    words
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

    #[test]
    fn shell_reading() {
        let r = read_shell(
            "#!/bin/sh\n# exec /not/this\nDAEMON=/usr/sbin/food\n[ -r /etc/default/food ] && . /etc/default/food\n\
             mkdir -p /run/food\nstart-stop-daemon --help >/dev/null 2>&1 || true\nexec $DAEMON -f \"$@\"\n",
        );
        assert!(r.paths.contains("/usr/sbin/food") && r.commands.contains("/usr/sbin/food"));
        assert!(!r.paths.contains("/not/this"));
        assert!(r.commands.contains("mkdir") && r.commands.contains("start-stop-daemon"));
        assert!(!r.commands.contains("exec") && !r.commands.contains("true"));
        assert_eq!(r.sourced.iter().collect::<Vec<_>>(), ["/etc/default/food"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

        let r = read_shell(
            "f() { /usr/lib/x/helper; }\ncase \"$1\" in\n  start|re-start) f ;;\n  stop) kill $(cat /run/p) 2>&1 >/dev/null ;;\n\
             esac\ncommand -v dig > /dev/null && echo ok\nfunction g { :; }\ng\n",
        );
        let commands: Vec<&str> = r.commands.iter().map(String::as_str).collect();
        assert_eq!(commands, ["/usr/lib/x/helper", "cat"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

        // POSIX case patterns in parentheses, and arithmetic: samba's is-configured.
        let r = read_shell(
            "server_role=$(testparm -s 2>/dev/null)\ncase \"$1\" in\n    ( smb | smbd )\n\texit $addc\n\t;;\n\
             ( samba | samba-ad-dc ) exit $((!$addc)) ;;\n    ( * )\n\techo no >&2 ;;\nesac\n( cd /tmp && /usr/bin/make )\n",
        );
        let commands: Vec<&str> = r.commands.iter().map(String::as_str).collect();
        assert_eq!(commands, ["/usr/bin/make", "testparm"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

        let r = read_shell("#!/bin/sh\nexec \"$@\"\n");
        assert_eq!(r.dynamic, ["execs a command named at run time: $@"]);
        let r = read_shell("eval \"$CMD\"\nx=$(/usr/lib/foo/helper --x)\ncat <<EOF\nexec /nope\nEOF\n");
        assert!(r.dynamic.iter().any(|d| d.contains("eval")));
        assert!(r.commands.contains("/usr/lib/foo/helper") && !r.paths.contains("/nope"));
    }
}
