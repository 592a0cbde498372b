//! The values a shell variable may hold when a script runs, as far as the script, the files
//! it sources, its arguments and its unit's environment show them. Reading is
//! flow-insensitive: a variable holds any value the script ever assigns it.

use std::collections::{BTreeMap, BTreeSet};

use super::branches::glob_match;

/// At most this many values of one word: beyond, the word counts as unknown.
pub(super) const MAX_VALUES: usize = 16;
/// Variables whose values name other variables, followed this deep.
const MAX_DEPTH: usize = 8;

/// Variables systemd or the shell itself sets in a service's processes (systemd.exec(5),
/// "Environment Variables in Spawned Processes"): their values are not read from files.
const SET_AT_RUN_TIME: &[&str] = &[
    "PATH",
    "LANG",
    "USER",
    "LOGNAME",
    "HOME",
    "SHELL",
    "TERM",
    "PWD",
    "OLDPWD",
    "IFS",
    "PPID",
    "RANDOM",
    "LINENO",
    "OPTIND",
    "OPTARG",
    "SECONDS",
    "HOSTNAME",
    "INVOCATION_ID",
    "XDG_RUNTIME_DIR",
    "RUNTIME_DIRECTORY",
    "STATE_DIRECTORY",
    "CACHE_DIRECTORY",
    "LOGS_DIRECTORY",
    "CONFIGURATION_DIRECTORY",
    "CREDENTIALS_DIRECTORY",
    "MAINPID",
    "MANAGERPID",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
    "NOTIFY_SOCKET",
    "WATCHDOG_PID",
    "WATCHDOG_USEC",
    "JOURNAL_STREAM",
    "SERVICE_RESULT",
    "EXIT_CODE",
    "EXIT_STATUS",
    "SYSTEMD_EXEC_PID",
    "MEMORY_PRESSURE_WATCH",
    "MEMORY_PRESSURE_WRITE",
    "PIDFILE",
    "REMOTE_ADDR",
    "REMOTE_PORT",
    "FDSTORE",
];

/// What is known of a script's run besides its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ShellContext {
    /// `$0`: the script as it is run.
    pub program: String,
    /// The positional parameters of one invocation, when known.
    pub args: Option<Vec<String>>,
    /// Variables the unit sets with `Environment=`.
    pub environment: BTreeMap<String, String>,
    /// Whether the environment may hold variables not in `environment`: the unit reads an
    /// `EnvironmentFile=` or passes the manager's, or another program runs the script.
    pub open_environment: bool,
}

enum Value {
    Known(BTreeSet<String>),
    Unset,
    Unknown,
}

/// The variables of one script and the files it sources.
#[derive(Debug, Default)]
pub struct Variables {
    assigned: BTreeMap<String, BTreeSet<String>>,
    /// Set by `read`, `for NAME in` or `getopts`: from data, not from the script's text.
    from_data: BTreeSet<String>,
    /// Assigned before a file of the administrator's was sourced, which may set them again.
    reset_by_configuration: BTreeSet<String>,
    /// A file of the administrator's was sourced: it may set any variable.
    configured: bool,
}

impl Variables {
    pub fn assign(&mut self, name: &str, raw: &str) {
        self.assigned.entry(name.to_owned()).or_default().insert(raw.to_owned());
    }

    /// A file the script's package does not ship is sourced here: it may set any variable,
    /// those assigned so far too. The reading is flow-insensitive, so a variable keeps known
    /// values only when the script assigns it only from here on. Returns those assigned so far.
    pub fn may_be_set_from_here(&mut self) -> Vec<String> {
        self.reset_by_configuration.extend(self.assigned.keys().cloned());
        self.configured = true;
        self.assigned.keys().cloned().collect()
    }

    pub fn read_from_data(&mut self, name: &str) {
        self.from_data.insert(name.to_owned());
    }

    /// Every value `word` may take, or None when one part of it is decided at run time.
    pub fn expand(&self, word: &str, ctx: &ShellContext) -> Option<BTreeSet<String>> {
        self.expand_at(word, ctx, 0)
    }

    fn expand_at(&self, word: &str, ctx: &ShellContext, depth: usize) -> Option<BTreeSet<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut out: BTreeSet<String> = [String::new()].into();
        let mut literal = String::new();
        let mut chars = word.chars().peekable();
        while let Some(c) = chars.next() {
            let part = match c {
                '`' => return None,
                '$' => match chars.peek().copied() {
                    Some('{') => {
                        chars.next();
                        let mut inner = String::new();
                        let mut open = 1;
                        for c in chars.by_ref() {
                            match c {
                                '{' => open += 1,
                                '}' if open == 1 => break,
                                '}' => open -= 1,
                                _ => {}
                            }
                            inner.push(c);
                        }
                        self.braced(&inner, ctx, depth)?
                    }
                    Some(d) if d.is_ascii_digit() || d == '@' || d == '*' => {
                        chars.next();
                        plain(self.lookup(&d.to_string(), ctx, depth))?
                    }
                    Some(n) if n.is_ascii_alphabetic() || n == '_' => {
                        let mut name = String::new();
                        while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphanumeric() || **n == '_') {
                            name.push(n);
                            chars.next();
                        }
                        plain(self.lookup(&name, ctx, depth))?
                    }
                    // `$(`, `$?`, `$$`, `$!`, `$#`, `$-`: decided at run time.
                    Some(_) => return None,
                    None => {
                        literal.push('$');
                        continue;
                    }
                },
                c => {
                    literal.push(c);
                    continue;
                }
            };
            let prefix = std::mem::take(&mut literal);
            out = combine(&out, &prefix, &part)?;
        }
        combine(&out, &literal, &[String::new()].into())
    }

    /// `${NAME}`, `${NAME:-WORD}`, `${NAME-WORD}`, `${NAME:=WORD}`, `${NAME:+WORD}`, and
    /// `${NAME#PATTERN}` (`##`, `%`, `%%`) with a literal pattern; None for the other forms,
    /// whose results are not worked out.
    fn braced(&self, inner: &str, ctx: &ShellContext, depth: usize) -> Option<BTreeSet<String>> {
        let end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '@' || c == '*'));
        let (name, rest) = inner.split_at(end.unwrap_or(inner.len()));
        if name.is_empty() {
            return None;
        }
        let value = self.lookup(name, ctx, depth);
        if let Some(cut) = Cut::of(rest) {
            return plain(value)?.iter().map(|v| cut.apply(v)).collect();
        }
        let op = ["-", "=", "+"]
            .iter()
            .find_map(|op| rest.strip_prefix(&format!(":{op}")).or_else(|| rest.strip_prefix(op)).map(|w| (*op, w)));
        match (op, rest) {
            (None, "") => plain(value),
            (None, _) => None,
            (Some(("+", w)), _) => {
                let alternative = self.expand_at(w, ctx, depth + 1);
                match value {
                    Value::Unset => Some([String::new()].into()),
                    Value::Known(values) if values.iter().all(String::is_empty) => Some([String::new()].into()),
                    Value::Known(values) => {
                        let mut out = alternative?;
                        if values.iter().any(String::is_empty) {
                            out.insert(String::new());
                        }
                        Some(out)
                    }
                    Value::Unknown => {
                        let mut out = alternative?;
                        out.insert(String::new());
                        Some(out)
                    }
                }
            }
            (Some((_, w)), _) => {
                let default = self.expand_at(w, ctx, depth + 1);
                match value {
                    Value::Unset => default,
                    Value::Known(mut values) => {
                        if values.remove("") {
                            values.extend(default?);
                        }
                        Some(values)
                    }
                    Value::Unknown => None,
                }
            }
        }
    }

    fn lookup(&self, name: &str, ctx: &ShellContext, depth: usize) -> Value {
        if name == "0" {
            return Value::Known([ctx.program.clone()].into());
        }
        if let Ok(n) = name.parse::<usize>() {
            return match &ctx.args {
                Some(args) => args.get(n - 1).map_or(Value::Unset, |a| Value::Known([a.clone()].into())),
                None => Value::Unknown,
            };
        }
        if name == "@" || name == "*" {
            return match &ctx.args {
                Some(args) => Value::Known([args.join(" ")].into()),
                None => Value::Unknown,
            };
        }
        if self.from_data.contains(name) || self.reset_by_configuration.contains(name) {
            return Value::Unknown;
        }
        if let Some(raws) = self.assigned.get(name) {
            let mut out = BTreeSet::new();
            for raw in raws {
                match self.expand_at(raw, ctx, depth + 1) {
                    Some(values) => out.extend(values),
                    None => return Value::Unknown,
                }
            }
            return if out.len() > MAX_VALUES { Value::Unknown } else { Value::Known(out) };
        }
        if self.configured {
            return Value::Unknown;
        }
        if let Some(v) = ctx.environment.get(name) {
            return Value::Known([v.clone()].into());
        }
        if ctx.open_environment || SET_AT_RUN_TIME.contains(&name) {
            return Value::Unknown;
        }
        Value::Unset
    }
}

/// `${NAME#PATTERN}`, `${NAME##PATTERN}`, `${NAME%PATTERN}` or `${NAME%%PATTERN}`.
struct Cut<'a> {
    pattern: &'a str,
    prefix: bool,
    longest: bool,
}

impl<'a> Cut<'a> {
    fn of(rest: &'a str) -> Option<Cut<'a>> {
        let (prefix, mark) = match rest.chars().next()? {
            '#' => (true, '#'),
            '%' => (false, '%'),
            _ => return None,
        };
        let longest = rest[1..].starts_with(mark);
        let pattern = &rest[1 + usize::from(longest)..];
        // A pattern with expansions or quotes is not worked out.
        (!pattern.contains(['$', '`', '"', '\''])).then_some(Cut { pattern, prefix, longest })
    }

    /// The value with the shortest or longest part the pattern matches cut off; None when
    /// the pattern is not worked out.
    fn apply(&self, value: &str) -> Option<String> {
        let mut ends: Vec<usize> = (0..=value.len()).filter(|i| value.is_char_boundary(*i)).collect();
        // Shortest first: a prefix grows from the start, a suffix from the end.
        if self.prefix == self.longest {
            ends.reverse();
        }
        for i in ends {
            let (cut, kept) = if self.prefix { (&value[..i], &value[i..]) } else { (&value[i..], &value[..i]) };
            if glob_match(self.pattern, cut)? {
                return Some(kept.to_owned());
            }
        }
        Some(value.to_owned())
    }
}

fn plain(value: Value) -> Option<BTreeSet<String>> {
    match value {
        Value::Known(values) => Some(values),
        Value::Unset => Some([String::new()].into()),
        Value::Unknown => None,
    }
}

fn combine(heads: &BTreeSet<String>, literal: &str, parts: &BTreeSet<String>) -> Option<BTreeSet<String>> {
    let out: BTreeSet<String> =
        heads.iter().flat_map(|h| parts.iter().map(move |p| format!("{h}{literal}{p}"))).collect();
    (out.len() <= MAX_VALUES).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(v: Option<BTreeSet<String>>) -> Option<Vec<String>> {
        v.map(|s| s.into_iter().collect())
    }

    #[test]
    fn expansion() {
        let mut vars = Variables::default();
        vars.assign("DAEMON", "/usr/sbin/food");
        vars.assign("NAME", "food");
        vars.assign("INSTANCE", "${2}");
        vars.assign("HTTPD", "${APACHE_HTTPD:-/usr/sbin/apache2}");
        vars.assign("X", "$(computed)");
        vars.read_from_data("LINE");
        let ctx = ShellContext {
            program: "/usr/lib/food/helper".into(),
            args: Some(vec!["exec".into()]),
            ..Default::default()
        };
        let e = |w: &str| values(vars.expand(w, &ctx));
        assert_eq!(e("${DAEMON}"), Some(vec!["/usr/sbin/food".into()]));
        assert_eq!(e("/etc/default/${NAME}${INSTANCE:+.${INSTANCE}}"), Some(vec!["/etc/default/food".into()]));
        assert_eq!(e("$HTTPD"), Some(vec!["/usr/sbin/apache2".into()]));
        assert_eq!(e("do_$1"), Some(vec!["do_exec".into()]));
        assert_eq!(e("$X"), None);
        assert_eq!(e("$LINE"), None);
        assert_eq!(e("$MAINPID"), None, "systemd sets it");
        assert_eq!(e("${DAEMON%/*}"), Some(vec!["/usr/sbin".into()]));
        assert_eq!(e("${DAEMON##*/}"), Some(vec!["food".into()]));
        assert_eq!(e("${DAEMON#*/}"), Some(vec!["usr/sbin/food".into()]));
        assert_eq!(e("${DAEMON%%/*}"), Some(vec!["".into()]));
        assert_eq!(e("${0##*helper-}"), Some(vec!["/usr/lib/food/helper".into()]));
        assert_eq!(e("${DAEMON%$NAME}"), None);
        assert_eq!(e("${DAEMON%[a-z]}"), None);
        let open = ShellContext { open_environment: true, args: None, ..ctx.clone() };
        assert_eq!(values(vars.expand("$HTTPD", &open)), None, "an EnvironmentFile= may set APACHE_HTTPD");
        assert_eq!(values(vars.expand("${INSTANCE:+.x}", &open)), Some(vec!["".into(), ".x".into()]));
    }
}
