//! What a Perl or Python source file shows without running it: the modules it loads, the
//! commands it runs with names written in it, the words that call privileged functions of
//! the language (`os.chroot`, `chown`), and what is decided at run time (a command or a
//! module named by a variable, `eval` of a string).

use std::collections::BTreeSet;

use regex::bytes;
use std::sync::{LazyLock, OnceLock};

use super::table::interpreters::{LANGUAGE_FUNCTIONS, SCRIPT_COMMANDS};

/// The languages whose scripts are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Perl,
    Python,
}

impl Language {
    /// The language of an interpreter, by its base name (`perl`, `python3`, `python3.13`).
    pub fn of_interpreter(name: &str) -> Option<Language> {
        if name == "perl" || name.strip_prefix("perl5").is_some() {
            Some(Language::Perl)
        } else if name == "python3"
            || name.strip_prefix("python3.").is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit()))
        {
            Some(Language::Python)
        } else {
            None
        }
    }
}

/// What one source file shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceReading {
    /// Modules it loads, as written (`Net::Server`, `os.path`; `.x` relative to its package).
    pub modules: BTreeSet<String>,
    /// Directories it adds to the module search path (`use lib '/usr/share/foo'`).
    pub lib_dirs: Vec<String>,
    /// Commands it runs, named literally (first word of the command).
    pub commands: BTreeSet<String>,
    /// The identifiers it uses that name a privileged function of the language (the names
    /// of [`LANGUAGE_FUNCTIONS`]): all that is asked of its words.
    pub words: BTreeSet<String>,
    /// Why what it runs or loads cannot be fully known, one line each.
    pub dynamic: Vec<Dynamic>,
}

/// One thing a source file runs or loads that its text does not name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dynamic {
    pub why: String,
    /// The variable the command is run by (`$pg_ctl`, `@_`), when a variable names it:
    /// what the file's package puts in it may be known ([`SCRIPT_COMMANDS`]).
    pub command_variable: Option<String>,
}

impl Dynamic {
    fn new(why: String) -> Dynamic {
        Dynamic { why, command_variable: None }
    }
}

impl PartialEq<&str> for Dynamic {
    fn eq(&self, other: &&str) -> bool {
        self.why == *other
    }
}

/// A pattern of the readers, compiled the first time it reads code of its kind: without
/// Unicode for code that is all ASCII (nearly every file once its comments and documentation
/// are left out), with it for the rest. On ASCII text `\w`, `\s`, `\S`, `\b` and the
/// negated classes match the same either way; compiled without Unicode a pattern costs a
/// fraction to build and to run (a Unicode `\b` stops the fast search at every match).
struct Pattern {
    source: &'static str,
    ascii: OnceLock<bytes::Regex>,
    unicode: OnceLock<bytes::Regex>,
}

impl Pattern {
    const fn new(source: &'static str) -> Pattern {
        Pattern { source, ascii: OnceLock::new(), unicode: OnceLock::new() }
    }

    fn regex(&self, code: Code<'_>) -> &bytes::Regex {
        let (cell, unicode) = if code.ascii { (&self.ascii, false) } else { (&self.unicode, true) };
        cell.get_or_init(|| bytes::RegexBuilder::new(self.source).unicode(unicode).build().expect("a valid pattern"))
    }

    fn captures_iter<'c>(&self, code: Code<'c>) -> impl Iterator<Item = Captures<'c>> + use<'_, 'c> {
        self.regex(code).captures_iter(code.text.as_bytes()).map(move |caps| Captures { text: code.text, caps })
    }

    fn captures<'c>(&self, code: Code<'c>) -> Option<Captures<'c>> {
        self.regex(code).captures(code.text.as_bytes()).map(|caps| Captures { text: code.text, caps })
    }

    fn find_iter<'c>(&self, code: Code<'c>) -> impl Iterator<Item = Found<'c>> + use<'_, 'c> {
        self.regex(code).find_iter(code.text.as_bytes()).map(move |m| Found::of(code.text, m))
    }

    fn find<'c>(&self, code: Code<'c>) -> Option<Found<'c>> {
        self.regex(code).find(code.text.as_bytes()).map(|m| Found::of(code.text, m))
    }
}

/// Code to match, and whether it is all ASCII (found once for a file).
#[derive(Clone, Copy)]
struct Code<'c> {
    text: &'c str,
    ascii: bool,
}

impl<'c> Code<'c> {
    fn of(text: &'c str) -> Code<'c> {
        Code { text, ascii: text.is_ascii() }
    }

    /// The code from `at` on (ASCII when the whole is).
    fn from(self, at: usize) -> Code<'c> {
        Code { text: &self.text[at..], ..self }
    }
}

/// What a group matched. Matches start and end on character boundaries: every pattern is
/// made of classes of whole characters and ASCII literals.
#[derive(Clone, Copy)]
struct Found<'c> {
    text: &'c str,
    start: usize,
}

impl<'c> Found<'c> {
    fn of(code: &'c str, m: bytes::Match<'_>) -> Found<'c> {
        Found { text: &code[m.range()], start: m.start() }
    }

    fn as_str(&self) -> &'c str {
        self.text
    }

    fn start(&self) -> usize {
        self.start
    }
}

struct Captures<'c> {
    text: &'c str,
    caps: bytes::Captures<'c>,
}

impl<'c> Captures<'c> {
    fn get(&self, group: usize) -> Option<Found<'c>> {
        self.caps.get(group).map(|m| Found::of(self.text, m))
    }
}

impl std::ops::Index<usize> for Captures<'_> {
    type Output = str;

    fn index(&self, group: usize) -> &str {
        &self.text[self.caps.get(group).expect("a group that always takes part").range()]
    }
}

static PERL_USE: Pattern =
    Pattern::new(r"(?m)^\s*(?:use|require|use\s+parent\s+-norequire,|use\s+base)\s+([A-Za-z_][\w:]*)");
static PERL_PARENT: Pattern =
    Pattern::new(r#"(?m)^\s*use\s+(?:parent|base)\s+(?:qw[\(/\[]\s*([\w:\s]+)[\)/\]]|['"]([\w:]+)['"])"#);
static PERL_LIB: Pattern = Pattern::new(r#"(?m)^\s*use\s+lib\s+['"](/[^'"$]+)['"]"#);
static PERL_DYNAMIC_REQUIRE: Pattern = Pattern::new(r#"\brequire\s*\(?\s*[$"]|\beval\s*["'q]"#);
/// `system(...)`, `exec ...`, `open(F, "-|", ...)` or `open(F, "cmd |")`.
static PERL_RUN: Pattern = Pattern::new(
    r#"\b(?:system|exec)(?:\s*\(\s*|\s+)(?:\{[^}]*\}\s*)?([$@'"])|\bopen\w*\s*\([^;]*?(?:['"]-\|['"]\s*,\s*(\S)|\|-['"]|\|\s*['"])"#,
);
/// Backquotes and `qx`: the command's text.
static PERL_BACKQUOTE: Pattern = Pattern::new(r"`([^`\n]*)`|\bqx\s*(?:\{([^}]*)\}|\(([^)]*)\)|/([^/]*)/)");
static PERL_LITERAL: Pattern = Pattern::new(r#"^['"]([^'"$@`]+)['"]"#);

static PYTHON_IMPORT: Pattern = Pattern::new(r"(?m)^\s*import\s+([\w., \t]+)");
static PYTHON_FROM: Pattern = Pattern::new(r"(?m)^[ \t]*from\s+(\.*[\w.]*)\s+import\s+(?:\(([\w,\s]+)\)|([\w, \t]+))");
static PYTHON_DYNAMIC_IMPORT: Pattern =
    Pattern::new(r"\b(?:__import__|import_module|exec|eval|load_module|spec_from_file_location)\s*\(");
/// `subprocess.run([...])`, `os.system("...")`, `os.exec*`, `os.spawn*`, `os.popen`.
static PYTHON_RUN: Pattern = Pattern::new(
    r"\bsubprocess\.(?:Popen|call|check_call|check_output|run|getoutput|getstatusoutput)\s*\(\s*(\S)|\bos\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)\s*\(\s*(\S)",
);
/// The same functions imported by name (`from subprocess import Popen`), called bare.
static PYTHON_RUN_IMPORTED: Pattern = Pattern::new(
    r"(?m)^\s*from\s+(?:subprocess|os)\s+import\s+.*\b(?:Popen|call|check_call|check_output|run|getoutput|getstatusoutput|system|popen|exec\w*|spawn\w*|posix_spawn\w*)\b",
);
static PYTHON_LITERAL: Pattern = Pattern::new(r#"^\[?\s*[rb]?['"]([^'"{}%]+)['"]"#);
/// The words [`LANGUAGE_FUNCTIONS`] names and the functions rows of [`SCRIPT_COMMANDS`]
/// run their commands in, and a first sieve for them: bit `len` of
/// `first_bytes[b]` is set when a name of `len` bytes starts with byte `b`.
struct Names {
    names: BTreeSet<&'static str>,
    first_bytes: [u64; 256],
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let names: BTreeSet<&'static str> = LANGUAGE_FUNCTIONS
        .iter()
        .flat_map(|f| f.names.iter().copied())
        .chain(SCRIPT_COMMANDS.iter().filter_map(|r| r.only_for_callers_of))
        .collect();
    let mut first_bytes = [0u64; 256];
    for n in &names {
        assert!(n.len() < 64, "a name of LANGUAGE_FUNCTIONS is too long for the sieve: {n}");
        first_bytes[usize::from(n.as_bytes()[0])] |= 1 << n.len();
    }
    Names { names, first_bytes }
});

impl Names {
    fn contains(&self, word: &str) -> bool {
        let sieve = self.first_bytes[usize::from(word.as_bytes()[0])];
        word.len() < 64 && sieve & (1 << word.len()) != 0 && self.names.contains(word)
    }
}

/// Calls `f` with each word of `code` as the regex `[A-Za-z_]\w*|\$[<>()]` (Unicode `\w`)
/// finds them one after another, scanned by hand: the regex's per-match overhead was most
/// of reading a module.
fn for_each_word(code: &str, mut f: impl FnMut(&str)) {
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            i += 1;
            while let Some(&c) = bytes.get(i) {
                if c.is_ascii_alphanumeric() || c == b'_' {
                    i += 1;
                } else if c >= 0x80 {
                    match code[i..].chars().next() {
                        Some(ch) if regex_syntax::is_word_character(ch) => i += ch.len_utf8(),
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            f(&code[start..i]);
        } else if b == b'$' && matches!(bytes.get(i + 1), Some(b'<' | b'>' | b'(' | b')')) {
            f(&code[i..i + 2]);
            i += 2;
        } else {
            // A byte of a multi-byte character is never a letter, `_` or `$`.
            i += 1;
        }
    }
}

/// The words of `code` that name a privileged function of the language, each copied once.
fn distinct_words(code: &str) -> BTreeSet<String> {
    let names = &*NAMES;
    let mut words = BTreeSet::new();
    for_each_word(code, |w| {
        if names.contains(w) && !words.contains(w) {
            words.insert(w.to_owned());
        }
    });
    words
}

/// Reads a source file of `language`.
pub fn read_source(language: Language, text: &str) -> SourceReading {
    match language {
        Language::Perl => read_perl(text),
        Language::Python => read_python(text),
    }
}

fn read_perl(text: &str) -> SourceReading {
    let owned = perl_code(text);
    let code = Code::of(&owned);
    let mut out = SourceReading::default();
    for c in PERL_USE.captures_iter(code) {
        let name = &c[1];
        if !matches!(name, "lib" | "parent" | "base" | "strict" | "warnings" | "vars" | "constant" | "utf8") {
            out.modules.insert(name.trim_end_matches("::").to_owned());
        }
    }
    for c in PERL_PARENT.captures_iter(code) {
        let names = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        out.modules.extend(names.split_whitespace().filter(|n| *n != "-norequire").map(str::to_owned));
    }
    out.lib_dirs = PERL_LIB.captures_iter(code).map(|c| c[1].to_owned()).collect();
    for m in PERL_DYNAMIC_REQUIRE.find_iter(code).filter(|m| !in_trailing_comment(&owned, m.start())) {
        out.dynamic.push(Dynamic::new(format!("loads code named at run time: `{}`", line_of(&owned, m.start()))));
    }
    for c in PERL_RUN.captures_iter(code) {
        let start = c.get(0).map_or(0, |m| m.start());
        // A method or a hash key of that name (`$self->exec(`, `{system}`) runs nothing, nor
        // a word of a comment (`} elsif (-d "/proc/$$") { # try a proc file system`).
        if owned[..start].ends_with(['>', ':', '$', '&', '{']) || in_trailing_comment(&owned, start) {
            continue;
        }
        // The command: the first argument of system/exec, the one after "-|" of open.
        let command = c.get(1).or(c.get(2));
        let rest = code.from(command.map_or(start, |m| m.start()));
        match PERL_LITERAL.captures(rest).filter(|_| command.is_some()) {
            Some(lit) => {
                out.commands.extend(lit[1].split_whitespace().next().map(str::to_owned));
            }
            None => out.dynamic.push(Dynamic {
                why: format!("runs a command named at run time: `{}`", line_of(&owned, start)),
                command_variable: command.and_then(|_| perl_variable(rest.text)).map(str::to_owned),
            }),
        }
    }
    for c in PERL_BACKQUOTE.captures_iter(code) {
        let text = (1..=4).find_map(|i| c.get(i)).map_or("", |m| m.as_str());
        // The shell runs its first word; the words after it are arguments, whatever they hold.
        let first = text.split_whitespace().find(|w| !w.contains('=') || w.starts_with('-'));
        match first {
            Some(first) if !first.contains(['$', '@', '`']) => {
                out.commands.insert(first.to_owned());
            }
            _ => out.dynamic.push(Dynamic {
                why: format!(
                    "runs a command named at run time: `{}`",
                    line_of(&owned, c.get(0).map_or(0, |m| m.start()))
                ),
                command_variable: first.filter(|f| perl_variable(f).is_some_and(|v| v == *f)).map(str::to_owned),
            }),
        }
    }
    out.words = distinct_words(&owned);
    out
}

fn read_python(text: &str) -> SourceReading {
    let owned = python_code(text);
    let code = Code::of(&owned);
    let mut out = SourceReading::default();
    for c in PYTHON_IMPORT.captures_iter(code) {
        for part in c[1].split(',') {
            if let Some(name) = part.split_whitespace().next() {
                out.modules.insert(name.to_owned());
            }
        }
    }
    for c in PYTHON_FROM.captures_iter(code) {
        let base = &c[1];
        out.modules.insert(base.to_owned());
        // `from a import b`: b may be a module of package a.
        let names = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
        for name in names.split(',').filter_map(|p| p.split_whitespace().next()) {
            let sep = if base.ends_with('.') { "" } else { "." };
            out.modules.insert(format!("?{base}{sep}{name}"));
        }
    }
    if let Some(m) = PYTHON_RUN_IMPORTED.find(code) {
        out.dynamic.push(Dynamic::new(format!(
            "imports functions that run commands by name: `{}`",
            line_of(&owned, m.start())
        )));
    }
    for m in PYTHON_DYNAMIC_IMPORT.find_iter(code) {
        out.dynamic
            .push(Dynamic::new(format!("runs or loads code named at run time: `{}`", line_of(&owned, m.start()))));
    }
    for c in PYTHON_RUN.captures_iter(code) {
        let start = c.get(0).map_or(0, |m| m.start());
        let arg = c.get(1).or(c.get(2)).map_or(start, |m| m.start());
        match PYTHON_LITERAL.captures(code.from(arg)) {
            Some(lit) => {
                out.commands.extend(lit[1].split_whitespace().next().map(str::to_owned));
            }
            None => out
                .dynamic
                .push(Dynamic::new(format!("runs a command named at run time: `{}`", line_of(&owned, start)))),
        }
    }
    out.words = distinct_words(&owned);
    out
}

/// The variable `code` starts with (`$pg_ctl`, `@_`): not an element of a hash or an
/// array of that name (`$cmd{x}`, `$cmd[0]`), a method call or a name of another package.
fn perl_variable(code: &str) -> Option<&str> {
    let sigil = code.chars().next().filter(|c| matches!(c, '$' | '@'))?;
    let name_len = code[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(code.len() - 1);
    let name = &code[1..1 + name_len];
    let after = &code[1 + name_len..];
    let plain = !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit());
    let element = after.starts_with(['{', '[', ':']) || after.starts_with("->");
    (plain && !element).then(|| &code[..sigil.len_utf8() + name_len])
}

/// Whether `at` is inside a comment that ends a line of Perl code: after a `#` that follows
/// a blank and is outside quotes (`$#array`, `m#x#` and `"a # b"` start none).
fn in_trailing_comment(code: &str, at: usize) -> bool {
    let line_start = code[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut escaped = false;
    for ch in code[line_start..at].chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if ch == '\\' => escaped = true,
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch == '#' && previous.is_whitespace() => return true,
            None => {}
        }
        previous = ch;
    }
    false
}

/// Perl code without its documentation (POD), comments and the data after `__END__`.
fn perl_code(text: &str) -> String {
    let mut out = String::new();
    let mut pod = false;
    for line in text.lines() {
        if line.starts_with('=') && line[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            pod = !line.starts_with("=cut");
            continue;
        }
        if pod || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with("__END__") || line.starts_with("__DATA__") {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Python code without comments and docstrings that stand alone on their lines.
fn python_code(text: &str) -> String {
    let mut out = String::new();
    let mut docstring: Option<&str> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(q) = docstring {
            if t.contains(q) {
                docstring = None;
            }
            continue;
        }
        if t.starts_with('#') {
            continue;
        }
        for q in ["\"\"\"", "'''"] {
            if let Some(rest) = t.strip_prefix(q) {
                if !rest.contains(q) {
                    docstring = Some(q);
                }
            }
        }
        if docstring.is_some() || t.starts_with("\"\"\"") || t.starts_with("'''") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn line_of(code: &str, at: usize) -> String {
    let start = code[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = code[at..].find('\n').map_or(code.len(), |i| at + i);
    let line = code[start..end].trim();
    line.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl() {
        let r = read_perl(
            "#!/usr/bin/perl\nuse strict;\nuse Net::Server::Multiplex;\nuse POSIX qw(setsid);\nuse parent qw(Foo::Base);\n\
             use lib '/usr/share/food';\nrequire Digest::SHA;\n# system($x);\nsystem('/usr/sbin/postmap', $f);\n\
             my $v = `/bin/hostname -f`;\n$< = $uid;\n\n=head1 NAME\n\nsystem($pod)\n\n=cut\n\nchown $u, $g, $file;\n__END__\nexec $data\n",
        );
        let modules: Vec<&str> = r.modules.iter().map(String::as_str).collect();
        assert_eq!(modules, ["Digest::SHA", "Foo::Base", "Net::Server::Multiplex", "POSIX"]);
        assert_eq!(r.lib_dirs, ["/usr/share/food"]);
        let commands: Vec<&str> = r.commands.iter().map(String::as_str).collect();
        assert_eq!(commands, ["/bin/hostname", "/usr/sbin/postmap"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
        assert!(r.words.contains("chown") && r.words.contains("$<"));

        let r = read_perl("exec $pg_ctl, @options;\nmy $class = shift; require $class;\n");
        assert_eq!(r.dynamic.len(), 2, "{:?}", r.dynamic);
        // Words in prose, methods and literal commands with arguments from variables.
        let r = read_perl(
            "warn \"the system failed\";\nmy %h = (default => 'of that system', x => 1);\n$self->exec($x);\nmy $v = `/sbin/sysctl -n $key`;\nmy $g = `LC_ALL=C /usr/bin/id -G $u`;\n\
             open(my $fh, '-|', 'dpkg', '-l', $p);\nopen(CTRL, '-|', $prog, $dir);\n",
        );
        let commands: Vec<&str> = r.commands.iter().map(String::as_str).collect();
        assert_eq!(commands, ["/sbin/sysctl", "/usr/bin/id", "dpkg"]);
        assert_eq!(r.dynamic, ["runs a command named at run time: `open(CTRL, '-|', $prog, $dir);`"]);
        // Words of a comment after code (Net::Server::Daemonize's) run nothing; `$#a`, a `#`
        // in quotes or a `m#...#` start no comment.
        let r = read_perl(
            "} elsif (-d \"/proc/$$\") { # try a proc file system\n    $exists = 1;\n}\n\
             my $n = $#a; system $n;\nmy $t = \"a # b\"; exec $t;\nif ($x =~ m#/x#) { system $x }\n",
        );
        assert_eq!(r.dynamic.len(), 3, "{:?}", r.dynamic);
    }

    /// The variable a command is run by, when it is a plain one: what
    /// [`SCRIPT_COMMANDS`] rows are looked up by.
    #[test]
    fn command_variables() {
        let r = read_perl(
            "exec $pg_ctl @options or die;\nsystem @_;\nmy $v = `LC_MESSAGES=C $psql -h x`;\n\
             open (CTRL, '-|', $pg_controldata, $dir);\nexec '/bin/sh', '-c', \"exec $postgres $opts\";\n\
             system $cmd{start};\nexec $self->{prog};\nsystem $Foo::bar;\nmy $w = `$psql$x`;\nsystem(\"$prog -x\");\n",
        );
        let variables: Vec<Option<&str>> = r.dynamic.iter().map(|d| d.command_variable.as_deref()).collect();
        assert_eq!(
            variables,
            [
                Some("$pg_ctl"),
                Some("@_"),
                Some("$pg_controldata"),
                Some("$postgres"),
                None,
                None,
                None,
                None,
                Some("$psql"),
                None
            ],
            "{:?}",
            r.dynamic
        );
        let commands: Vec<&str> = r.commands.iter().map(String::as_str).collect();
        assert_eq!(commands, ["/bin/sh"]);
    }

    #[test]
    fn words_as_the_regex_finds_them() {
        let word = regex::Regex::new(r"[A-Za-z_]\w*|\$[<>()]").unwrap();
        for text in [
            "chown($u, $g); 9kill x1_y $< $$( $)$> $ ( a$(b",
            "\u{e9}t\u{e9} a\u{e9}b \u{663}abc _\u{301}x \u{2014}nice\u{2014} \u{5f}\u{200d}z",
            "",
            "$",
            "a",
        ] {
            let mut scanned = Vec::new();
            for_each_word(text, |w| scanned.push(w.to_owned()));
            let found: Vec<String> = word.find_iter(text).map(|m| m.as_str().to_owned()).collect();
            assert_eq!(scanned, found, "{text:?}");
        }
        let r = read_perl("kill 'TERM', $pid; my $chowner = 1; sub setuidx {}\n");
        let words: Vec<&str> = r.words.iter().map(String::as_str).collect();
        assert_eq!(words, ["kill"]);
    }

    /// Every pattern, compiled with and without Unicode, finds the same in ASCII code (the
    /// code of the tests above and below), and code with other characters is read with
    /// Unicode: a Python or Perl name may hold letters that are not ASCII.
    #[test]
    fn ascii_code_read_as_unicode_code_is() {
        let patterns = [
            &PERL_USE,
            &PERL_PARENT,
            &PERL_LIB,
            &PERL_DYNAMIC_REQUIRE,
            &PERL_RUN,
            &PERL_BACKQUOTE,
            &PERL_LITERAL,
            &PYTHON_IMPORT,
            &PYTHON_FROM,
            &PYTHON_DYNAMIC_IMPORT,
            &PYTHON_RUN,
            &PYTHON_RUN_IMPORTED,
            &PYTHON_LITERAL,
        ];
        let texts = [
            "use strict;\nuse Net::Server::Multiplex;\nuse parent qw(Foo::Base);\n  use base 'X::Y';\nuse lib '/usr/share/food';\n\
             require $class; eval \"x\";\nsystem('/usr/sbin/postmap', $f);\nexec {$p} @a;\nopen(F, '-|', 'dpkg', $p);\n\
             open(G, \"ls |\");\nmy $v = `/bin/hostname -f`; qx{id -u}; qx(a); qx/b/;\n'/bin/x y'\n",
            "import os, sys\nfrom fail2ban.server import server as s\nfrom . import (a,\n b)\nfrom subprocess import Popen\n\
             subprocess.run(['/usr/sbin/nft', '-f', path])\nos.execvp(x)\n__import__(n)\n[ r'/bin/true'\n",
        ];
        for pattern in patterns {
            for text in texts {
                let spans = |ascii: bool| -> Vec<Vec<Option<(usize, usize)>>> {
                    let code = Code { text, ascii };
                    let groups = |c: &Captures<'_>| {
                        (0..c.caps.len()).map(|i| c.caps.get(i).map(|m| (m.start(), m.end()))).collect()
                    };
                    pattern.captures_iter(code).map(|c| groups(&c)).collect()
                };
                assert_eq!(spans(true), spans(false), "{} in {text:?}", pattern.source);
            }
        }
        let r = read_python("import caf\u{e9}\nfrom \u{e9}t\u{e9} import b\u{e9}\n");
        let modules: Vec<&str> = r.modules.iter().map(String::as_str).collect();
        assert_eq!(modules, ["?\u{e9}t\u{e9}.b\u{e9}", "caf\u{e9}", "\u{e9}t\u{e9}"]);
        let r = read_perl("use Caf\u{e9}::Cr\u{e8}me;\n");
        let modules: Vec<&str> = r.modules.iter().map(String::as_str).collect();
        assert_eq!(modules, ["Caf\u{e9}::Cr\u{e8}me"]);
    }

    #[test]
    fn python() {
        let r = read_python(
            "\"\"\"Doc.\n\nimport nothing\n\"\"\"\nimport os, sys\nfrom fail2ban.server import server as s\nfrom . import helpers\n\
             import subprocess\n# os.system(x)\nsubprocess.run(['/usr/sbin/nft', '-f', path])\nos.chroot(d)\n",
        );
        let modules: Vec<&str> = r.modules.iter().map(String::as_str).collect();
        assert_eq!(
            modules,
            [".", "?.helpers", "?fail2ban.server.server", "fail2ban.server", "os", "subprocess", "sys"]
        );
        let commands: Vec<&str> = r.commands.iter().map(String::as_str).collect();
        assert_eq!(commands, ["/usr/sbin/nft"]);
        assert!(r.dynamic.is_empty(), "{:?}", r.dynamic);
        assert!(r.words.contains("chroot"));
        let r = read_python("subprocess.Popen(cmd, shell=True)\nimportlib.import_module(name)\n");
        assert_eq!(r.dynamic.len(), 2, "{:?}", r.dynamic);
    }
}
