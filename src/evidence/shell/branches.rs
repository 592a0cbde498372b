//! Which parts of a script run, where the script's own text and its unit's command line
//! decide it: the branch of `case "$1" in` that the argument the unit gives selects, the part
//! of `if test "$0" = ...` that a fixed comparison selects, and the bodies of functions.
//! Anything the reader cannot follow (words that do not nest, a bash `;&` fall-through)
//! leaves every part read.

use super::words::{PATTERN, UNSURE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// No part so far ran for sure.
    NotYet,
    /// A part before ran for sure: the rest do not.
    Yes,
    /// A part before may have run.
    Maybe,
}

#[derive(Debug)]
enum Kind {
    /// `if`, with what its condition evaluates to while its `then` is to come.
    If(Option<bool>),
    /// `case`, with the value of its word when the unit's command line fixes it.
    Case(Option<String>),
    /// `{ ... }`, a function's body when it follows `name()`.
    Brace(Option<String>),
    /// `do ... done`.
    Loop,
}

#[derive(Debug)]
struct Frame {
    kind: Kind,
    parent_alive: bool,
    alive: bool,
    taken: Taken,
    /// The file an `if` tests the existence of, while in its `then` part.
    exists: Option<String>,
}

/// The `if`, `case`, `{` and loops open where the reader is.
#[derive(Debug, Default)]
pub(super) struct Branches {
    frames: Vec<Frame>,
    /// `name()` or `function name` just read: a `{` next opens its body.
    pending_function: Option<String>,
    /// The words did not nest as expected: nothing may be left out.
    pub(super) confused: bool,
}

impl Branches {
    /// Whether the words read now run (as far as the reader can tell).
    pub(super) fn alive(&self) -> bool {
        self.frames.last().is_none_or(|f| f.alive)
    }

    /// The innermost function whose body the reader is in.
    pub(super) fn function(&self) -> Option<&str> {
        self.frames.iter().rev().find_map(|f| match &f.kind {
            Kind::Brace(Some(name)) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Outside every `if`, `case`, loop, group and function: what runs here runs once, in
    /// order.
    pub(super) fn top_level(&self) -> bool {
        self.frames.is_empty()
    }

    /// Whether the words read now run only when `file` exists: in the `then` part of an `if`
    /// testing it.
    pub(super) fn only_if_exists(&self, file: &str) -> bool {
        self.frames.iter().any(|f| f.exists.as_deref() == Some(file))
    }

    pub(super) fn defines(&mut self, name: &str) {
        self.pending_function = Some(name.to_owned());
    }

    /// Whether `words[k]` runs, after the structure it opens or closes. `at_command`: it is
    /// in command position. `fixed` gives a word's value where the script and its unit's
    /// command line fix it.
    pub(super) fn step(
        &mut self,
        words: &[String],
        k: usize,
        at_command: bool,
        fixed: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        let w = words[k].as_str();
        if let Some(alternatives) = w.strip_prefix(PATTERN) {
            self.pattern(alternatives);
            return self.alive();
        }
        if w == "{" && self.pending_function.is_some() {
            let name = self.pending_function.take();
            self.push(Kind::Brace(name));
            return self.alive();
        }
        if !at_command {
            return self.alive();
        }
        if !matches!(w, ";" | "(" | "&&" | "||" | "|" | "&") && !w.contains('=') {
            self.pending_function = None;
        }
        match w {
            "if" => {
                let condition = condition(&words[k + 1..], fixed);
                self.push(Kind::If(condition));
                if let Some(f) = self.frames.last_mut() {
                    f.exists = existence_test(&words[k + 1..]).map(str::to_owned);
                }
            }
            "then" => self.then(),
            "elif" => {
                // What an `elif` tests is not worked out: its part may run unless one ran.
                if let Some(Frame { kind: kind @ Kind::If(_), .. }) = self.frames.last_mut() {
                    *kind = Kind::If(None);
                }
                self.switch(true);
            }
            "else" => self.switch(false),
            "fi" => self.pop(|k| matches!(k, Kind::If(_))),
            "case" => {
                let value = (words.get(k + 2).is_some_and(|w| w == "in")).then(|| words.get(k + 1)).flatten();
                self.push(Kind::Case(value.and_then(|v| fixed(v))));
            }
            "esac" => self.pop(|k| matches!(k, Kind::Case(_))),
            "{" => self.push(Kind::Brace(None)),
            "}" => self.pop(|k| matches!(k, Kind::Brace(_))),
            "do" => self.push(Kind::Loop),
            "done" => self.pop(|k| matches!(k, Kind::Loop)),
            _ => {}
        }
        self.alive()
    }

    /// At the end of a file: every structure it opened is closed.
    pub(super) fn finish(&mut self) {
        if !self.frames.is_empty() {
            self.confused = true;
        }
    }

    fn push(&mut self, kind: Kind) {
        let alive = self.alive();
        self.frames.push(Frame { kind, parent_alive: alive, alive, taken: Taken::NotYet, exists: None });
    }

    fn pop(&mut self, expected: impl Fn(&Kind) -> bool) {
        match self.frames.pop() {
            Some(f) if expected(&f.kind) => {}
            _ => self.confused = true,
        }
    }

    fn then(&mut self) {
        let Some(f) = self.frames.last_mut() else { return self.confused = true };
        let Kind::If(condition) = f.kind else { return self.confused = true };
        let (alive, taken) = match (f.taken, condition) {
            (Taken::Yes, _) => (false, Taken::Yes),
            (Taken::NotYet, Some(true)) => (true, Taken::Yes),
            (Taken::NotYet, Some(false)) => (false, Taken::NotYet),
            (_, _) => (true, Taken::Maybe),
        };
        f.alive = f.parent_alive && alive;
        f.taken = taken;
    }

    /// `else` (or `elif`, whose condition runs unless a part before ran for sure).
    fn switch(&mut self, elif: bool) {
        let Some(f) = self.frames.last_mut() else { return self.confused = true };
        if !matches!(f.kind, Kind::If(_)) {
            return self.confused = true;
        }
        f.alive = f.parent_alive && f.taken != Taken::Yes;
        f.exists = None;
        if !elif && f.taken == Taken::NotYet {
            f.taken = Taken::Yes;
        }
    }

    /// A case pattern: its part runs when it may match and no part before matched for sure.
    fn pattern(&mut self, alternatives: &str) {
        let Some(f) = self.frames.last_mut() else { return self.confused = true };
        let Kind::Case(value) = &f.kind else { return self.confused = true };
        let Some(value) = value else {
            f.alive = f.parent_alive;
            return;
        };
        let matches: Vec<Option<bool>> = alternatives
            .split(PATTERN)
            .map(|a| if a.starts_with(UNSURE) || a.contains('$') { None } else { glob_match(a, value) })
            .collect();
        let alive = if f.taken == Taken::Yes {
            false
        } else if matches.contains(&Some(true)) {
            f.taken = Taken::Yes;
            true
        } else if matches.iter().all(|m| *m == Some(false)) {
            false
        } else {
            f.taken = Taken::Maybe;
            true
        };
        f.alive = f.parent_alive && alive;
    }
}

/// The file `test -f FILE` (`-e`, `-r`, `-s`, or the same in `[ ... ]`) tests; the words are
/// those after `if` or before `&&`, up to `;`, `then` or `&&`.
pub(super) fn existence_test(words: &[String]) -> Option<&str> {
    let end = words.iter().position(|w| matches!(w.as_str(), ";" | "then" | "&&")).unwrap_or(words.len());
    let words: Vec<&str> = words[..end].iter().map(String::as_str).collect();
    match words.as_slice() {
        ["test", "-f" | "-e" | "-r" | "-s", file] | ["[", "-f" | "-e" | "-r" | "-s", file, "]"] => Some(file),
        _ => None,
    }
}

/// What `test A = B` (`!=`, `-z A`, `-n A`, or the same in `[ ... ]`) evaluates to, when its
/// operands are fixed; the words are those after `if`, up to `;` or `then`.
fn condition(words: &[String], fixed: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
    let end = words.iter().position(|w| w == ";" || w == "then").unwrap_or(words.len());
    let words: Vec<&str> = words[..end].iter().map(String::as_str).collect();
    let operands = match words.as_slice() {
        ["test", rest @ ..] => rest,
        ["[", rest @ .., "]"] => rest,
        _ => return None,
    };
    match operands {
        [a, op @ ("=" | "==" | "!="), b] => {
            let same = fixed(a)? == fixed(b)?;
            Some(same == (*op != "!="))
        }
        ["-z", a] => Some(fixed(a)?.is_empty()),
        ["-n", a] => Some(!fixed(a)?.is_empty()),
        _ => None,
    }
}

/// Whether `text` matches the shell pattern, with `*` and `?`; None for a pattern this does
/// not work out (`[...]`, escapes).
pub(crate) fn glob_match(pattern: &str, text: &str) -> Option<bool> {
    if pattern.contains(['[', '\\']) {
        return None;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // matched[j]: the pattern read so far matches the first j characters of the text.
    let mut matched = vec![false; t.len() + 1];
    matched[0] = true;
    for c in p {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match c {
                '*' => matched[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matched[j - 1],
                c => j > 0 && matched[j - 1] && t[j - 1] == c,
            };
        }
        matched = next;
    }
    Some(matched[t.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(glob_match("start", "start"), Some(true));
        assert_eq!(glob_match("st*", "start"), Some(true));
        assert_eq!(glob_match("*", ""), Some(true));
        assert_eq!(glob_match("stop", "start"), Some(false));
        assert_eq!(glob_match("*apache2ctl-", "/usr/sbin/apachectl"), Some(false));
        assert_eq!(glob_match("?tart", "start"), Some(true));
        assert_eq!(glob_match("[s]tart", "start"), None);
    }
}
