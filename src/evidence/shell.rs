//! What a shell script runs, read without running it: the commands in it and in the files it
//! sources, with the variables that name them expanded as far as their values are known.

mod branches;
mod expand;
mod words;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

pub(crate) use branches::glob_match;
use branches::{existence_test, Branches};
pub use expand::ShellContext;
use expand::Variables;
pub use words::Script;
use words::PATTERN;

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
    /// Files it sources only when they exist that are not in the root, taken as the
    /// administrator's configuration, in the order sourced.
    pub admin_files: Vec<AdminFile>,
}

/// A file a script sources only when it exists, which no package in the root ships: the
/// administrator's configuration, which may set any variable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdminFile {
    pub file: String,
    /// The variables the script assigned before sourcing it: unknown from there on, as are
    /// all it does not assign afterwards.
    pub unknown: Vec<String>,
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

/// Why a sourced file is not read when it is not in the root.
pub const ABSENT: &str = "file not found in the root";

/// Reads a file a script sources: its text, or why it cannot ([`ABSENT`] when it is not in the
/// root).
pub type SourceReader<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

/// Files sourced within sourced files, at most this deep.
const MAX_SOURCE_DEPTH: usize = 4;

/// One command line of the script, of a file it sources, or of a command substitution.
struct Line {
    words: Vec<String>,
    /// The sourced file it comes from.
    origin: Option<String>,
    /// The function whose body it is in: read only when something calls that function.
    function: Option<String>,
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
///
/// Read twice: first everything, for every value a variable may take; then leaving out the
/// parts that cannot run ([`branches`]), decided with what the first reading showed.
pub fn read_shell_with(text: &str, ctx: &ShellContext, source: &mut SourceReader) -> ScriptReading {
    read_split_shell_with(&Script::split(text), ctx, source)
}

/// [`read_shell_with`] for a text already split: a script run in several contexts (other
/// arguments, another unit's environment) is split once.
pub fn read_split_shell_with(script: &Script, ctx: &ShellContext, source: &mut SourceReader) -> ScriptReading {
    let mut reader = Reader {
        ctx,
        source: Some(source),
        lines: Vec::new(),
        vars: Variables::default(),
        functions: BTreeSet::new(),
        sourced: BTreeSet::new(),
        dynamic: Vec::new(),
        admin_files: Vec::new(),
        noting: Some(FirstReading::default()),
        first: None,
        fixed: BTreeMap::new(),
        confused: false,
        read_files: BTreeMap::new(),
    };
    reader.collect(script, None, 0, true);
    let first = reader.noting.take().unwrap_or_default();
    if first.selects && !reader.confused {
        reader.restart();
        reader.first = Some(first);
        reader.collect(script, None, 0, true);
        if reader.confused {
            reader.restart();
            reader.collect(script, None, 0, true);
        }
    }
    let Reader { lines, vars, functions, mut dynamic, admin_files, .. } = reader;
    let mut out = ScriptReading { admin_files, ..Default::default() };
    // Function bodies are read once something read calls the function (or names it: `trap
    // NAME`, a variable holding its name).
    let mut called: BTreeSet<String> = BTreeSet::new();
    let mut read = vec![false; lines.len()];
    loop {
        let mut more = false;
        for (k, line) in lines.iter().enumerate() {
            if read[k] || line.function.as_deref().is_some_and(|f| !called.contains(f)) {
                continue;
            }
            read[k] = true;
            more = true;
            let before = dynamic.len();
            walk(&line.words, &vars, ctx, &functions, &mut out, &mut dynamic, &mut called);
            if let Some(file) = &line.origin {
                dynamic[before..].iter_mut().for_each(|d| *d = format!("{d} (in {file})"));
            }
            for f in &functions {
                if line.function.as_deref() != Some(f.as_str()) && line.words.iter().any(|w| w.contains(f.as_str())) {
                    called.insert(f.clone());
                }
            }
        }
        if !more {
            break;
        }
    }
    dynamic.sort();
    dynamic.dedup();
    out.dynamic = dynamic;
    out
}

/// What the first reading shows of the whole script, for deciding which parts run.
#[derive(Debug, Default)]
struct FirstReading {
    /// How often each variable is assigned, anywhere.
    assignments: BTreeMap<String, usize>,
    /// Variables set in ways not read as assignments: `read`, `for`, `unset`, `${NAME:=...}`.
    set_otherwise: BTreeSet<String>,
    /// `shift` or `set` with arguments: `$1` may differ from the unit's.
    positional_changed: bool,
    /// A `case` or `if` the second reading may decide.
    selects: bool,
}

struct Reader<'a, 'b> {
    ctx: &'a ShellContext,
    source: Option<&'b mut SourceReader<'b>>,
    lines: Vec<Line>,
    vars: Variables,
    functions: BTreeSet<String>,
    sourced: BTreeSet<String>,
    dynamic: Vec<String>,
    admin_files: Vec<AdminFile>,
    /// What the first reading notes, while it reads.
    noting: Option<FirstReading>,
    /// The first reading, once done: then parts that cannot run are left out.
    first: Option<FirstReading>,
    /// Variables assigned once, at the top level, where this reading has passed them.
    fixed: BTreeMap<String, String>,
    /// Some file's words did not nest as the reader expects.
    confused: bool,

    /// Each file sourced, as read the first time (a reading may start again).
    read_files: BTreeMap<String, Result<Rc<Script>, String>>,
}

impl Reader<'_, '_> {
    /// Clears what a reading gathered, and the first reading's summary.
    fn restart(&mut self) {
        self.lines.clear();
        self.vars = Variables::default();
        self.functions.clear();
        self.sourced.clear();
        self.dynamic.clear();
        self.admin_files.clear();
        self.fixed.clear();
        self.confused = false;
        self.first = None;
    }

    /// The value of `word` when the script and its unit's command line fix it: literal text,
    /// `$0`, the unit's arguments (never shifted), and variables assigned once, at the top
    /// level, from such words, before it. None in a function, which may run anywhere.
    fn fixed_value(&self, word: &str, in_function: bool) -> Option<String> {
        let first = self.first.as_ref().filter(|_| !in_function)?;
        let mut vars = Variables::default();
        for (name, raw) in &self.fixed {
            if first.assignments.get(name) == Some(&1) && !first.set_otherwise.contains(name) {
                vars.assign(name, raw);
            }
        }
        let ctx = ShellContext {
            program: self.ctx.program.clone(),
            args: self.ctx.args.clone().filter(|_| !first.positional_changed),
            environment: BTreeMap::new(),
            open_environment: true,
        };
        let values = vars.expand(word, &ctx)?;
        let mut values = values.into_iter();
        match (values.next(), values.next()) {
            (Some(v), None) => Some(v),
            _ => None,
        }
    }

    /// Reads the command lines of `script`, noting assignments and functions, and reads the
    /// files it sources where they are named (so that what they set counts from there on).
    /// `top`: the text runs once, unconditionally, where it is read (the script itself, or a
    /// file it sources so).
    fn collect(&mut self, script: &Script, origin: Option<&str>, depth: usize, top: bool) {
        let mut branches = Branches::default();
        branches.confused = script.falls_through;
        for line in &script.lines {
            let (words, in_substitution) = (&line.words, line.in_substitution);
            // A subshell over several lines: what it assigns does not last, which the reader
            // does not see; nor where it ends.
            if line.confuses {
                branches.confused = true;
            }
            let mut kept = Line { words: Vec::new(), origin: origin.map(str::to_owned), function: None };
            for (k, w) in words.iter().enumerate() {
                let previous = k.checked_sub(1).map(|p| words[p].as_str());
                let starts =
                    previous.is_none_or(|p| OPERATORS.contains(&p) || KEYWORDS.contains(&p) || p.starts_with(PATTERN));
                let in_function = branches.function().is_some() || !top;
                let alive = {
                    let fixed = |word: &str| self.fixed_value(word, in_function);
                    branches.step(words, k, starts, &fixed)
                };
                if self.noting.is_some() {
                    self.note_first(words, k, starts);
                }
                // `name() {` or `function name`: calls of it run no program.
                let defines = words.get(k + 1).is_some_and(|n| n == "(") || previous == Some("function");
                let defines = defines && w != "function" && w != "(";
                if defines {
                    self.functions.insert(w.clone());
                    branches.defines(w);
                }
                let function = branches.function().map(str::to_owned);
                if function != kept.function {
                    self.push_line(&mut kept);
                    kept.function = function;
                }
                if !alive {
                    if kept.words.last().is_some_and(|l| l != ";") {
                        kept.words.push(";".into());
                    }
                    continue;
                }
                if !defines {
                    kept.words.push(w.clone()); // a definition's name is no call of it
                }
                if let Some((name, value)) = assignment(w) {
                    self.vars.assign(name, value);
                    let alone = |ws: &[String]| {
                        ws.iter().take_while(|w| !OPERATORS.contains(&w.as_str())).all(|w| assignment(w).is_some())
                    };
                    let next = words[k..].iter().find(|w| OPERATORS.contains(&w.as_str()));
                    let once = top
                        && !in_substitution
                        && branches.top_level()
                        && matches!(previous, None | Some(";"))
                        && alone(&words[k..])
                        && next.is_none_or(|n| matches!(n.as_str(), ";" | "&&" | "||"));
                    if once {
                        self.fixed.insert(name.to_owned(), value.to_owned());
                    }
                }
                if matches!(previous, Some("read" | "for" | "getopts"))
                    || (previous.is_some_and(|p| p.starts_with('-')) && words.first().is_some_and(|f| f == "read"))
                {
                    self.vars.read_from_data(w);
                }
                if (w == "." || w == "source") && starts {
                    if let Some(file) = words.get(k + 1) {
                        let once = top && branches.top_level() && matches!(previous, None | Some(";"));
                        // `[ -f FILE ] && . FILE`, from the start of the command on.
                        let command = words[..k].iter().rposition(|w| OPERATORS.contains(&w.as_str()) && w != "&&");
                        let tested = previous == Some("&&")
                            && existence_test(&words[command.map_or(0, |c| c + 1)..k - 1]) == Some(file.as_str());
                        let optional = tested || branches.only_if_exists(file);
                        self.source_file(file, origin, depth, once, optional);
                    }
                }
            }
            self.push_line(&mut kept);
        }
        branches.finish();
        self.confused |= branches.confused;
    }

    fn push_line(&mut self, line: &mut Line) {
        if !line.words.is_empty() {
            let words = std::mem::take(&mut line.words);
            self.lines.push(Line { words, origin: line.origin.clone(), function: line.function.clone() });
        }
    }

    /// What the first reading keeps of word `k` for the second.
    fn note_first(&mut self, words: &[String], k: usize, starts: bool) {
        let Some(first) = self.noting.as_mut() else { return };
        let w = words[k].as_str();
        let previous = k.checked_sub(1).map(|p| words[p].as_str());
        if let Some((name, _)) = assignment(w) {
            *first.assignments.entry(name.to_owned()).or_default() += 1;
        }
        if matches!(previous, Some("read" | "for" | "getopts" | "unset" | "mapfile" | "readarray" | "-v"))
            || (previous.is_some_and(|p| p.starts_with('-'))
                && words.first().is_some_and(|f| f == "read" || f == "unset"))
        {
            first.set_otherwise.insert(w.to_owned());
        }
        for (at, _) in w.match_indices("${") {
            let name: String = w[at + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let rest = &w[at + 2 + name.len()..];
            if rest.starts_with(":=") || rest.starts_with('=') {
                first.set_otherwise.insert(name);
            }
        }
        if starts
            && (w == "shift"
                || (w == "set" && words.get(k + 1).is_some_and(|a| a == "--" || !a.starts_with(['-', '+']))))
        {
            first.positional_changed = true;
        }
        if starts && (w == "case" || w == "if") {
            first.selects = true;
        }
    }

    /// `optional`: sourced only when the file exists.
    fn source_file(&mut self, written: &str, origin: Option<&str>, depth: usize, top: bool, optional: bool) {
        let before = self.dynamic.len();
        self.read_sourced(written, depth, top, optional);
        if let Some(file) = origin {
            self.dynamic[before..].iter_mut().for_each(|d| *d = format!("{d} (in {file})"));
        }
    }

    fn read_sourced(&mut self, written: &str, depth: usize, top: bool, optional: bool) {
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
            let read = match self.read_files.get(&file) {
                Some(read) => read.clone(),
                None => {
                    let read = self.source.as_mut().map_or(Err("not read".into()), |s| s(&file));
                    let read = read.map(|text| Rc::new(Script::split(&text)));
                    self.read_files.insert(file.clone(), read.clone());
                    read
                }
            };
            match read {
                Ok(script) => self.collect(&script, Some(&file), depth + 1, top),
                // A file no package in the root ships, sourced only when it exists: the
                // administrator's configuration, written to set variables the script then
                // uses ("Override these variables by editing or creating
                // /etc/default/unbound"): from here on, only what the script assigns
                // afterwards is known. What else it does (commands, functions, `set --`) is
                // the administrator's own code, as a command they add to the unit would be.
                Err(why) if optional && why == ABSENT => {
                    let unknown = self.vars.may_be_set_from_here();
                    self.admin_files.push(AdminFile { file, unknown });
                    self.fixed.clear();
                }
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
    calls: &mut BTreeSet<String>,
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
        if OPERATORS.contains(&w) || (at_command && KEYWORDS.contains(&w)) || w.starts_with(PATTERN) {
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
            calls.insert(w.to_owned());
            continue;
        }
        match w {
            _ if PREFIXES.contains(&w) => {
                at_command = true;
                after_exec = w == "exec";
                continue;
            }
            "eval" => {
                let end =
                    words[i..].iter().position(|w| OPERATORS.contains(&w.as_str())).map_or(words.len(), |e| i + e);
                match evaluated(&words[i..end], vars, ctx) {
                    Some(lines) => {
                        for line in lines {
                            walk(&line, vars, ctx, functions, out, dynamic, calls);
                        }
                    }
                    None => {
                        dynamic.push("runs `eval`: the command is built at run time".into());
                        calls.extend(functions.iter().cloned());
                    }
                }
                i = end;
            }
            "." | "source" => i += 1, // read where it is sourced
            _ if w.contains('$') || w.contains('`') => match vars.expand(w, ctx) {
                Some(values) => {
                    for value in values {
                        let mut parts = value.split_whitespace();
                        let Some(program) = parts.next() else { continue };
                        if functions.contains(program) {
                            calls.insert(program.to_owned());
                            continue;
                        }
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
                    // It may name any of the script's functions (`do_$1`): what they need counts.
                    calls.extend(functions.iter().cloned());
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

/// The command lines `eval WORDS` runs, when every word's values are fixed and hold nothing
/// the shell would read again as syntax (operators, quotes, expansions, patterns): then the
/// second reading only splits them into words. None otherwise.
fn evaluated(words: &[String], vars: &Variables, ctx: &ShellContext) -> Option<Vec<Vec<String>>> {
    let mut lines: Vec<Vec<String>> = vec![Vec::new()];
    let mut k = 0;
    while k < words.len() {
        let w = &words[k];
        k += 1;
        if let Some(has_target) = redirection(w) {
            k += usize::from(!has_target); // a redirection of `eval` itself
            continue;
        }
        let values = vars.expand(w, ctx)?;
        if values.iter().any(|v| v.contains(REREAD)) {
            return None;
        }
        let mut next = Vec::new();
        for line in &lines {
            for value in &values {
                let mut line = line.clone();
                line.extend(value.split_whitespace().map(str::to_owned));
                next.push(line);
            }
        }
        if next.len() > expand::MAX_VALUES {
            return None;
        }
        lines = next;
    }
    lines.retain(|l| !l.is_empty());
    Some(lines)
}

/// What `eval` reads again as more than words: operators, quotes, escapes, expansions,
/// patterns, braces, comments, `~` and `!`.
const REREAD: &[char] =
    &[';', '&', '|', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', '*', '?', '[', '#', '~', '{', '}', '!'];

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
mod tests;
