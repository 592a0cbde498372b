//! A shell script's text as the reader sees it: logical lines (continuations and quoted
//! newlines joined, comments and here-documents dropped) and rough words, with the text of
//! command substitutions handed back to be read as lines of their own.

/// A text as the reader reads it: its command lines, split once however often the text is
/// read (a script is read up to three times, a file it sources each time it is read).
pub struct Script {
    pub(super) lines: Vec<CommandLine>,
    /// bash's `;&` or `;;&`: the next part of a case runs whatever its pattern.
    pub(super) falls_through: bool,
}

/// One command line as [`shell_words`] splits it.
pub(super) struct CommandLine {
    pub(super) words: Vec<String>,
    /// The text of a command substitution of the line before.
    pub(super) in_substitution: bool,
    /// It opens or closes a subshell over several lines, which the reader does not follow.
    pub(super) confuses: bool,
}

impl Script {
    /// The command lines of `text` in reading order, a command substitution's right after
    /// the line it is in.
    pub fn split(text: &str) -> Script {
        let mut case = CaseState::default();
        let mut pending: Vec<(String, bool)> = logical_lines(text).into_iter().map(|l| (l, false)).collect();
        pending.reverse();
        let mut lines = Vec::new();
        while let Some((line, in_substitution)) = pending.pop() {
            let (words, substitutions) = shell_words(&line, &mut case);
            let confuses = words.last().is_some_and(|w| w == "(") || case.stray_close;
            pending.extend(substitutions.into_iter().rev().map(|s| (s, true)));
            lines.push(CommandLine { words, in_substitution, confuses });
        }
        Script { lines, falls_through: text.contains(";&") }
    }
}

/// Joins backslash-continued lines and lines inside a quoted string, drops comments and
/// here-document bodies. A quote still open at the end (an escape this reading missed) falls
/// back to reading line by line.
fn logical_lines(text: &str) -> Vec<String> {
    join_lines(text, true).unwrap_or_else(|| join_lines(text, false).unwrap_or_default())
}

fn join_lines(text: &str, across_quotes: bool) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut heredoc_end: Option<String> = None;
    let mut quote: Option<char> = None;
    for raw in text.lines() {
        if let Some(end) = &heredoc_end {
            if raw.trim() == end {
                heredoc_end = None;
            }
            continue;
        }
        let line = strip_comment(raw, &mut quote);
        if !across_quotes {
            quote = None;
        }
        if quote.is_some() {
            current.push_str(&line);
            current.push(' ');
            continue;
        }
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
    if quote.is_some() {
        return None;
    }
    if !current.is_empty() {
        lines.push(current);
    }
    Some(lines)
}

/// The line without its comment; `quote` is the quote open before it and after it.
fn strip_comment(line: &str, quote: &mut Option<char>) -> String {
    let mut out = String::new();
    let mut prev_space = true;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match *quote {
            Some(q) if c == q => *quote = None,
            Some('\'') => {}
            _ if c == '\\' => {
                out.push(c);
                out.extend(chars.next());
                prev_space = false;
                continue;
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => *quote = Some(c),
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
    /// Inside a pattern, up to its `)`.
    in_pattern: bool,
    /// The pattern has a quoted or escaped character, which may be a literal `*`.
    pattern_quoted: bool,
    /// The last line closed a parenthesis it did not open (a subshell over several lines).
    stray_close: bool,
}

/// Starts the word that stands for a case pattern (`start|restart)`), given after the `;`
/// that replaces it: its alternatives follow, each after this character.
pub(super) const PATTERN: char = '\u{1}';
/// Marks an alternative that may hold a quoted `*`, `?` or `[`, whose match is not worked out.
pub(super) const UNSURE: char = '\u{2}';

/// Rough shell words: quotes removed, operators (`;`, `&&`, `|`, `(`) split out so that what
/// follows them is seen in command position. A command substitution (`$(...)`, backquotes,
/// quoted or not) stays in its word as `$(...)`, a value known only at run time, and its text
/// is returned to be read as a command line of its own. An arithmetic expansion
/// (`$((!$addc))`) stays inside its word: it runs nothing.
fn shell_words(line: &str, case: &mut CaseState) -> (Vec<String>, Vec<String>) {
    let mut words = Vec::new();
    let mut substitutions = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut chars = line.chars().peekable();
    case.stray_close = false;
    let flush = |word: &mut String, words: &mut Vec<String>, case: &mut CaseState| {
        if !word.is_empty() {
            match word.as_str() {
                "case" => case.open += 1,
                "esac" => case.open = case.open.saturating_sub(1),
                _ => {}
            }
            case.in_pattern = (case.in_pattern || case.pattern_next) && word != "esac";
            case.pattern_next = word == "in" && case.open > 0;
            words.push(std::mem::take(word));
        }
    };
    while let Some(c) = chars.next() {
        if matches!(c, '\\' | '"' | '\'') && (case.pattern_next || case.in_pattern) {
            case.pattern_quoted = true;
        }
        if c == '\\' && quote != Some('\'') {
            word.extend(chars.next()); // an escaped character is a plain one
            continue;
        }
        if let Some(q) = quote {
            match c {
                _ if c == q => quote = None,
                '`' if q == '"' => substitution(&mut word, &mut substitutions, capture_backquoted(&mut chars)),
                '$' if q == '"' && chars.peek() == Some(&'(') => {
                    chars.next();
                    if chars.peek() == Some(&'(') {
                        word.push_str("$("); // arithmetic: runs nothing
                    } else {
                        substitution(&mut word, &mut substitutions, capture_parenthesized(&mut chars));
                    }
                }
                _ => word.push(c),
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '`' => substitution(&mut word, &mut substitutions, capture_backquoted(&mut chars)),
            '(' if word.ends_with('$') && chars.peek() != Some(&'(') => {
                word.pop();
                substitution(&mut word, &mut substitutions, capture_parenthesized(&mut chars));
            }
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
                let mut alternatives = vec![std::mem::take(&mut word)];
                while words.last().is_some_and(|w: &String| w != ";" && w != "in") {
                    alternatives.extend(words.pop().filter(|w| w != "|"));
                }
                words.push(";".into());
                alternatives.retain(|a| !a.is_empty());
                if (case.in_pattern || case.pattern_next) && !alternatives.is_empty() {
                    let unsure = case.pattern_quoted;
                    let mut marker = String::new();
                    for a in alternatives.iter().rev() {
                        marker.push(PATTERN);
                        if unsure && a.contains(['*', '?', '[']) {
                            marker.push(UNSURE);
                        }
                        marker.push_str(a);
                    }
                    words.push(marker);
                } else {
                    case.stray_close = true;
                }
                case.pattern_next = false;
                case.in_pattern = false;
                case.pattern_quoted = false;
            }
            ';' | '|' | '&' | '(' | ')' => {
                if c == '(' {
                    depth += 1;
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
                    case.pattern_quoted = false;
                    op = ";".into();
                } else if c != '|' {
                    case.pattern_next = false;
                }
                words.push(if c == ')' { ";".into() } else { op });
            }
            _ => word.push(c),
        }
    }
    flush(&mut word, &mut words, case);
    (words, substitutions)
}

/// A command substitution: its value, known only at run time, in the word; its text read
/// as a command line.
fn substitution(word: &mut String, substitutions: &mut Vec<String>, text: String) {
    word.push_str("$()");
    substitutions.push(text);
}

/// The text of `$(...)` after its opening parenthesis, up to the one that closes it.
fn capture_parenthesized(chars: &mut std::iter::Peekable<std::str::Chars>) -> String {
    let mut text = String::new();
    let mut open = 1usize;
    let mut quote: Option<char> = None;
    for c in chars.by_ref() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => open += 1,
            (None, ')') if open == 1 => break,
            (None, ')') => open -= 1,
            _ => {}
        }
        text.push(c);
    }
    text
}

/// The text between backquotes, after the opening one.
fn capture_backquoted(chars: &mut std::iter::Peekable<std::str::Chars>) -> String {
    chars.by_ref().take_while(|c| *c != '`').collect()
}
