//! What a shell script runs, read without running it: the commands in it and in the files it
//! sources, with the variables that name them expanded as far as their values are known.

mod expand;
mod words;

use std::collections::{BTreeMap, BTreeSet};

pub use expand::ShellContext;
use expand::Variables;
use words::{logical_lines, shell_words, CaseState};

/// What a shell script runs, read statically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptReading {
    /// Absolute paths the script mentions as arguments or values (a file it may run).
    pub paths: BTreeSet<String>,
    /// What it runs: words in command position, absolute paths or bare names.
    pub commands: BTreeSet<String>,
    /// The words each command is given, over all its invocations (`date` → `+%s`).
    pub arguments: BTreeMap<String, BTreeSet<String>>,
    /// Why what it runs cannot be fully known, one line each.
    pub dynamic: Vec<String>,
}

/// Operators after which a new command starts.
const OPERATORS: &[&str] = &[";", "&&", "||", "|", "&", "("];

/// Reserved words that a command follows; only reserved in command position (`echo then`
/// prints a word).
const KEYWORDS: &[&str] = &["then", "do", "else", "elif", "if", "while", "until", "!", "{", "time"];

/// Words that run the command that follows them.
const PREFIXES: &[&str] = &["exec", "command", "nohup", "env"];

/// Shell keywords and builtins that run no program of their own.
const SHELL_BUILTINS: &[&str] = &[
    "[", "[[", "]]", "]", ":", "true", "false", "test", "echo", "printf", "read", "set", "unset", "export", "local",
    "readonly", "declare", "typeset", "shift", "return", "exit", "break", "continue", "cd", "pwd", "umask", "ulimit",
    "trap", "wait", "getopts", "fi", "done", "esac", "case", "in", "for", "function", "then", "do", "else", "elif",
    "if", "while", "until", "}", ")", "kill", "type", "hash", "alias", "let",
];

/// Reads a file a script sources: its text, or why it cannot.
pub type SourceReader<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

/// Files sourced within sourced files, at most this deep.
const MAX_SOURCE_DEPTH: usize = 4;

/// One command line of the script, of a file it sources, or of a command substitution.
struct Line {
    words: Vec<String>,
    /// The sourced file it comes from.
    origin: Option<String>,
}

/// [`read_shell_with`] for a script on its own: no arguments known, nothing sourced read.
pub fn read_shell(text: &str) -> ScriptReading {
    let ctx = ShellContext { open_environment: true, ..Default::default() };
    read_shell_with(text, &ctx, &mut |_| Err("not read".into()))
}

/// Reads a shell script: every absolute path that appears as a word (or as the value of an
/// assignment), every command in command position, a command named by a variable through
/// the values the script, the files it sources (read with `source`), its arguments and its
/// unit give it; and what makes it too dynamic to read: `eval`, `exec "$@"`, a command named
/// by a variable whose value is decided at run time.
pub fn read_shell_with(text: &str, ctx: &ShellContext, source: &mut SourceReader) -> ScriptReading {
    let mut reader = Reader {
        ctx,
        source: Some(source),
        lines: Vec::new(),
        vars: Variables::default(),
        functions: BTreeSet::new(),
        sourced: BTreeSet::new(),
        dynamic: Vec::new(),
    };
    reader.collect(text, None, 0);
    let Reader { lines, vars, functions, mut dynamic, .. } = reader;
    let mut out = ScriptReading::default();
    for line in &lines {
        let before = dynamic.len();
        walk(&line.words, &vars, ctx, &functions, &mut out, &mut dynamic);
        if let Some(file) = &line.origin {
            dynamic[before..].iter_mut().for_each(|d| *d = format!("{d} (in {file})"));
        }
    }
    dynamic.sort();
    dynamic.dedup();
    out.dynamic = dynamic;
    out
}

struct Reader<'a, 'b> {
    ctx: &'a ShellContext,
    source: Option<&'b mut SourceReader<'b>>,
    lines: Vec<Line>,
    vars: Variables,
    functions: BTreeSet<String>,
    sourced: BTreeSet<String>,
    dynamic: Vec<String>,
}

impl Reader<'_, '_> {
    /// Splits `text` into command lines, noting assignments and functions, and reads the
    /// files it sources where they are named (so that what they set counts from there on).
    fn collect(&mut self, text: &str, origin: Option<&str>, depth: usize) {
        let mut case = CaseState::default();
        let mut pending: Vec<String> = logical_lines(text);
        pending.reverse();
        while let Some(line) = pending.pop() {
            let (words, substitutions) = shell_words(&line, &mut case);
            pending.extend(substitutions.into_iter().rev());
            for (k, w) in words.iter().enumerate() {
                if let Some((name, value)) = assignment(w) {
                    self.vars.assign(name, value);
                }
                let previous = k.checked_sub(1).map(|p| words[p].as_str());
                if matches!(previous, Some("read" | "for" | "getopts"))
                    || (previous.is_some_and(|p| p.starts_with('-')) && words.first().is_some_and(|f| f == "read"))
                {
                    self.vars.read_from_data(w);
                }
                // `name() {` or `function name`: calls of it run no program.
                let defines = words.get(k + 1).is_some_and(|n| n == "(") || previous == Some("function");
                if defines && w != "function" && w != "(" {
                    self.functions.insert(w.clone());
                }
                let starts = previous.is_none_or(|p| OPERATORS.contains(&p) || KEYWORDS.contains(&p));
                if (w == "." || w == "source") && starts {
                    if let Some(file) = words.get(k + 1) {
                        self.source_file(file, origin, depth);
                    }
                }
            }
            self.lines.push(Line { words, origin: origin.map(str::to_owned) });
        }
    }

    fn source_file(&mut self, written: &str, origin: Option<&str>, depth: usize) {
        let before = self.dynamic.len();
        self.read_sourced(written, depth);
        if let Some(file) = origin {
            self.dynamic[before..].iter_mut().for_each(|d| *d = format!("{d} (in {file})"));
        }
    }

    fn read_sourced(&mut self, written: &str, depth: usize) {
        let Some(files) = self.vars.expand(written, self.ctx) else {
            self.dynamic.push(format!("sources a file named at run time: {written}"));
            return;
        };
        for file in files {
            if !file.starts_with('/') {
                self.dynamic.push(format!("sources a file by a relative name: {file}"));
                continue;
            }
            if depth >= MAX_SOURCE_DEPTH || !self.sourced.insert(file.clone()) {
                continue;
            }
            let read = self.source.as_mut().map_or(Err("not read".into()), |s| s(&file));
            match read {
                Ok(text) => self.collect(&text, Some(&file), depth + 1),
                Err(why) => self.dynamic.push(format!("sources {file}: {why}")),
            }
        }
    }
}

/// The commands of one line, in command position, and the paths and arguments given them.
fn walk(
    words: &[String],
    vars: &Variables,
    ctx: &ShellContext,
    functions: &BTreeSet<String>,
    out: &mut ScriptReading,
    dynamic: &mut Vec<String>,
) {
    let mut at_command = true;
    let mut after_exec = false;
    let mut running: Option<String> = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        i += 1;
        if let Some((_, value)) = assignment(w) {
            note_path(value, out);
            if let Some(cmd) = &running {
                out.arguments.entry(cmd.clone()).or_default().insert(w.to_owned());
            }
            continue; // an assignment before a command keeps command position
        }
        if OPERATORS.contains(&w) || (at_command && KEYWORDS.contains(&w)) {
            at_command = true;
            running = None;
            continue;
        }
        if let Some(has_target) = redirection(w) {
            i += usize::from(!has_target); // `> file`: the next word is the file
            continue;
        }
        if !at_command {
            note_path(w, out);
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
            _ if PREFIXES.contains(&w) => {
                at_command = true;
                after_exec = w == "exec";
                continue;
            }
            "eval" => dynamic.push("runs `eval`: the command is built at run time".into()),
            "." | "source" => i += 1, // read where it is sourced
            _ if w.contains('$') || w.contains('`') => match vars.expand(w, ctx) {
                Some(values) => {
                    for value in values {
                        let mut parts = value.split_whitespace();
                        let Some(program) = parts.next().filter(|p| !functions.contains(*p)) else { continue };
                        if !note_command(program, out) && !SHELL_BUILTINS.contains(&program) {
                            dynamic.push(format!("runs a command it cannot name: {w} (`{program}`)"));
                        }
                        let args = out.arguments.entry(program.to_owned()).or_default();
                        args.extend(parts.map(str::to_owned));
                        args.extend(words[i..].iter().take_while(|a| !OPERATORS.contains(&a.as_str())).cloned());
                    }
                }
                None => {
                    let how = if after_exec { "execs" } else { "runs" };
                    dynamic.push(format!("{how} a command named at run time: {w}"));
                }
            },
            _ => {
                let _ = note_command(w, out);
                running = Some(w.to_owned());
                out.arguments.entry(w.to_owned()).or_default();
            }
        }
        after_exec = false;
    }
}

/// Notes `w` as a command; false when it is no name of a program.
fn note_command(w: &str, out: &mut ScriptReading) -> bool {
    let bare_name = w.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && !SHELL_BUILTINS.contains(&w)
        && w.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b));
    let program = w.starts_with('/') || bare_name;
    if program {
        out.commands.insert(w.to_owned());
    }
    program
}

fn note_path(w: &str, out: &mut ScriptReading) {
    if w.starts_with('/') && !w.contains(['$', '*', '?', '`']) && w.len() > 1 {
        out.paths.insert(w.to_owned());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(r: &ScriptReading) -> Vec<&str> {
        r.commands.iter().map(String::as_str).collect()
    }

    /// A script run by a unit with `args`, sourcing files from `files`.
    fn read_run(text: &str, args: &[&str], files: &[(&str, &str)]) -> ScriptReading {
        let ctx = ShellContext {
            program: "/usr/lib/food/helper".into(),
            args: Some(args.iter().map(|a| a.to_string()).collect()),
            ..Default::default()
        };
        let mut source = |f: &str| {
            files
                .iter()
                .find(|(n, _)| *n == f)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| "file not found in the root".into())
        };
        read_shell_with(text, &ctx, &mut source)
    }

    #[test]
    fn shell_reading() {
        let r = read_run(
            "#!/bin/sh\n# exec /not/this\nDAEMON=/usr/sbin/food\n[ -r /etc/default/food ] && . /etc/default/food\n\
             mkdir -p /run/food\nstart-stop-daemon --help >/dev/null 2>&1 || true\nexec $DAEMON -f \"$@\"\n",
            &[],
            &[("/etc/default/food", "OPTS=-v\n")],
        );
        assert!(r.paths.contains("/usr/sbin/food") && r.commands.contains("/usr/sbin/food"));
        assert!(!r.paths.contains("/not/this"));
        assert!(r.commands.contains("mkdir") && r.commands.contains("start-stop-daemon"));
        assert!(!r.commands.contains("exec") && !r.commands.contains("true"));
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

        let r = read_shell(
            "f() { /usr/lib/x/helper; }\ncase \"$1\" in\n  start|re-start) f ;;\n  stop) kill $(cat /run/p) 2>&1 >/dev/null ;;\n\
             esac\ncommand -v dig > /dev/null && echo ok\nfunction g { :; }\ng\n",
        );
        assert_eq!(commands(&r), ["/usr/lib/x/helper", "cat"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

        // POSIX case patterns in parentheses, and arithmetic: samba's is-configured.
        let r = read_shell(
            "server_role=$(testparm -s 2>/dev/null)\ncase \"$1\" in\n    ( smb | smbd )\n\texit $addc\n\t;;\n\
             ( samba | samba-ad-dc ) exit $((!$addc)) ;;\n    ( * )\n\techo no >&2 ;;\nesac\n( cd /tmp && /usr/bin/make )\n",
        );
        assert_eq!(commands(&r), ["/usr/bin/make", "testparm"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);

        // A quoted string over several lines is one word; an escaped quote opens none.
        let r = read_shell("ret=$(echo \"\n  SELECT x FROM y\n  WHERE z;\" | mysql)\necho \\\"a\nlogger b\n");
        assert_eq!(commands(&r), ["logger", "mysql"]);

        let r = read_shell("#!/bin/sh\nexec \"$@\"\n");
        assert_eq!(r.dynamic, ["execs a command named at run time: $@"]);
        let r = read_shell("eval \"$CMD\"\nx=$(/usr/lib/foo/helper --x)\ncat <<EOF\nexec /nope\nEOF\n");
        assert!(r.dynamic.iter().any(|d| d.contains("eval")));
        assert!(r.commands.contains("/usr/lib/foo/helper") && !r.paths.contains("/nope"));
    }

    /// dnsmasq's systemd-helper: the daemon named in a variable of a sourced file, a file
    /// sourced by a name built from variables and the script's arguments.
    #[test]
    fn variables_from_sourced_files_and_arguments() {
        let common = "DAEMON=/usr/sbin/food\nNAME=food\nINSTANCE=\"${2}\"\n\
                      if [ -r /etc/default/${NAME}${INSTANCE:+.${INSTANCE}} ]; then\n  . /etc/default/${NAME}${INSTANCE:+.${INSTANCE}}\nfi\n\
                      OPTS=\"$OPTS `env LC_ALL=C sed -ne \"s/x/y/p\" $F | tr '\\n' ' '`\"\n";
        let helper = ". /usr/share/food/common\ncase \"$1\" in\n  exec)\n    exec ${DAEMON} -x /run/food/${NAME}.pid ${OPTS:+ ${OPTS}}\n    ;;\nesac\n";
        let files = [("/usr/share/food/common", common), ("/etc/default/food", "CONFIG_DIR=/etc/food.d\n")];
        let r = read_run(helper, &["exec"], &files);
        assert_eq!(commands(&r), ["/usr/sbin/food", "sed", "tr"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
        // Without the instance's file in the root, what it would set is unknown.
        let r = read_run(helper, &["exec", "two"], &files);
        assert_eq!(
            r.dynamic,
            ["sources /etc/default/food.two: file not found in the root (in /usr/share/food/common)"]
        );
        // Arguments unknown: so is the file.
        let r = read_shell(helper);
        assert!(r.dynamic.iter().any(|d| d.starts_with("sources /usr/share/food/common")), "{:?}", r.dynamic);
    }

    /// apache2ctl: a default in `${NAME:-WORD}`, keywords and `!` that are plain arguments,
    /// command substitutions inside quotes and inside a test.
    #[test]
    fn defaults_keywords_and_substitutions() {
        let r = read_run(
            "HTTPD=${APACHE_HTTPD:-/usr/sbin/apache2}\nULIMIT=\"${APACHE_ULIMIT:-ulimit -n 8192}\"\n\
             if [ \"x$ULIMIT\" != \"x\" ] && [ `id -u` -eq 0 ] ; then\n  if ! $ULIMIT ; then echo and then use it >&2 ; fi\nfi\n\
             [ ! -d ${RUN:-/run/a} ] && mkdir -p ${RUN:-/run/a}\nSTAT=\"$(LC_ALL=C stat -c %F $D || true)\"\n$HTTPD -k \"$1\"\n",
            &["start"],
            &[],
        );
        assert_eq!(commands(&r), ["/usr/sbin/apache2", "id", "mkdir", "stat"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
        assert!(r.arguments["/usr/sbin/apache2"].contains("-k"));
        // The unit may set any variable through an EnvironmentFile=.
        let ctx = ShellContext { open_environment: true, args: Some(vec![]), ..Default::default() };
        let r = read_shell_with("HTTPD=${APACHE_HTTPD:-/usr/sbin/apache2}\n$HTTPD\n", &ctx, &mut |_| Err("no".into()));
        assert_eq!(r.dynamic, ["runs a command named at run time: $HTTPD"]);
    }
}
