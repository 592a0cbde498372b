//! A unit file kept byte for byte, with systemd's reading of it on top.
//!
//! The text is held as its original lines (each with its own terminator), so printing an
//! unedited document gives back the identical bytes, and an edit touches only the lines it
//! inserts, replaces or removes. The parsed view follows systemd's `config_parse()`
//! (src/shared/conf-parser.c of systemd 252): a line ends at `\n`, `\r`, `\r\n`, `\n\r` or
//! NUL (read_line()), whitespace around keys and values is stripped, `#` and `;` start
//! comment lines (there are no trailing comments), a line ending in an unescaped backslash
//! continues on the next one with the backslash turned into a space, and comment lines
//! inside a continuation are skipped. The first line that starts with a byte order mark
//! loses it (only that one), and is then never a comment line, as in systemd.

use std::fmt;

/// Longest line systemd reads (LONG_LINE_MAX); a longer one makes the whole unit fail to load.
pub const LONG_LINE_MAX: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One `Key=Value` as systemd sees it, after continuations were joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub section: String,
    pub key: String,
    pub value: String,
    /// 1-based line where the assignment starts.
    pub line: usize,
    /// 1-based last line of the assignment (differs from `line` with continuations).
    pub end_line: usize,
}

/// What systemd makes of each logical line; lint reads the ones systemd drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Section {
        name: String,
        line: usize,
    },
    Assignment(Entry),
    /// A line systemd warns about and then ignores (no `=`, no key, outside any section).
    Ignored {
        line: usize,
        text: String,
        reason: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Each line with its terminator; the last may lack one.
    lines: Vec<String>,
    items: Vec<Item>,
    /// First line of a continuation that the end of the file cut short.
    open_continuation: Option<usize>,
}

impl Document {
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        let lines = split_keep_terminators(text);
        let (items, open_continuation) = parse_items(&lines)?;
        Ok(Document { lines, items, open_continuation })
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.items.iter().filter_map(|i| match i {
            Item::Assignment(e) => Some(e),
            _ => None,
        })
    }

    /// Sections in order of first appearance.
    pub fn section_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for item in &self.items {
            if let Item::Section { name, .. } = item {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The raw text of 1-based line `n`, without its terminator.
    pub fn line_text(&self, n: usize) -> &str {
        self.lines.get(n.wrapping_sub(1)).map(|l| l.trim_end_matches(EOL)).unwrap_or("")
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The line terminator the file uses, so inserted lines match it.
    fn newline(&self) -> &'static str {
        if self.lines.iter().any(|l| l.ends_with("\r\n")) {
            "\r\n"
        } else if self.lines.iter().any(|l| l.ends_with('\r') && !l.ends_with("\n\r")) {
            "\r"
        } else {
            "\n"
        }
    }

    /// The terminator for a line inserted before 0-based line `next`: the file's own, unless
    /// the next line starts with the other of `\r` and `\n`, which read_line() would take
    /// as part of this terminator (swallowing a blank line). `\r\n` never merges.
    fn newline_before(&self, next: usize) -> &'static str {
        let nl = self.newline();
        match self.lines.get(next).and_then(|l| l.chars().next()) {
            Some('\r') if nl == "\n" => "\r\n",
            Some('\n') if nl == "\r" => "\r\n",
            _ => nl,
        }
    }

    /// Inserts raw lines (given without terminators) before 1-based line `at`
    /// (`line_count() + 1` appends). Returns the re-parsed document's result.
    pub fn insert_lines(&mut self, at: usize, new_lines: &[String]) -> Result<(), ParseError> {
        let nl = self.newline();
        let at = at.clamp(1, self.lines.len() + 1) - 1;
        if at > 0 && !self.lines[at - 1].ends_with(EOL) {
            self.lines[at - 1].push_str(nl);
        }
        let last_nl = self.newline_before(at);
        let block: Vec<String> = new_lines
            .iter()
            .enumerate()
            .map(|(i, l)| [l.as_str(), if i + 1 == new_lines.len() { last_nl } else { nl }].concat())
            .collect();
        self.lines.splice(at..at, block);
        self.reparse()
    }

    /// Removes 1-based lines `first..=last`.
    pub fn remove_lines(&mut self, first: usize, last: usize) -> Result<(), ParseError> {
        if first == 0 || last < first || last > self.lines.len() {
            return Ok(());
        }
        self.lines.drain(first - 1..last);
        self.reparse()
    }

    /// Replaces the assignment that starts at `line` with `key=value` on one line.
    pub fn replace_entry(&mut self, line: usize, key: &str, value: &str) -> Result<(), ParseError> {
        let Some(entry) = self.entries().find(|e| e.line == line).cloned() else {
            return Ok(());
        };
        let nl = self.newline_before(entry.end_line);
        let last_had_newline = self.lines[entry.end_line - 1].ends_with(EOL);
        let mut text = format!("{key}={value}");
        if last_had_newline {
            text.push_str(nl);
        }
        self.lines.splice(entry.line - 1..entry.end_line, [text]);
        self.reparse()
    }

    /// Sets `key=value` in `section`: replaces the last assignment of the key there,
    /// or appends the line at the end of the section (creating it at the end if absent).
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), ParseError> {
        let last = self.entries().filter(|e| e.section == section && e.key == key).map(|e| e.line).last();
        match last {
            Some(line) => self.replace_entry(line, key, value),
            None => self.append_to_section(section, &[format!("{key}={value}")]),
        }
    }

    /// Removes every assignment of `key` in `section`.
    pub fn remove(&mut self, section: &str, key: &str) -> Result<(), ParseError> {
        while let Some(e) = self.entries().filter(|e| e.section == section && e.key == key).last().cloned() {
            self.remove_lines(e.line, e.end_line)?;
        }
        Ok(())
    }

    /// Appends raw lines at the end of the last `[section]` block, after its last
    /// non-blank line, creating the section at the end of the file when it is missing.
    pub fn append_to_section(&mut self, section: &str, new_lines: &[String]) -> Result<(), ParseError> {
        match self.section_end(section) {
            Some(after) => self.insert_lines(after + 1, new_lines),
            None => {
                let mut block = Vec::new();
                if self.lines.iter().any(|l| !l.trim().is_empty()) {
                    block.push(String::new());
                }
                block.push(format!("[{section}]"));
                block.extend(new_lines.iter().cloned());
                let end = self.lines.len() + 1;
                self.insert_lines(end, &block)
            }
        }
    }

    /// 1-based number of the last non-blank line that belongs to the last block of `section`.
    pub fn section_end(&self, section: &str) -> Option<usize> {
        let header = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Section { name, line } if name == section => Some(*line),
                _ => None,
            })
            .next_back()?;
        let next_header = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Section { line, .. } if *line > header => Some(*line),
                _ => None,
            })
            .next()
            .unwrap_or(self.lines.len() + 1);
        let mut end = header;
        for n in header + 1..next_header {
            let t = self.line_text(n).trim();
            if !t.is_empty() && !t.starts_with(['#', ';']) {
                end = n;
            }
        }
        // Continuation lines of the last entry belong to it.
        for e in self.entries() {
            if e.line <= end && e.end_line > end && e.end_line < next_header {
                end = e.end_line;
            }
        }
        Some(end)
    }

    /// The 1-based line where a continuation starts that runs into the end of the file.
    /// systemd parses it as it is; hardenunit's loader refuses such a file as truncated.
    pub fn open_continuation(&self) -> Option<usize> {
        self.open_continuation
    }

    fn reparse(&mut self) -> Result<(), ParseError> {
        (self.items, self.open_continuation) = parse_items(&self.lines)?;
        Ok(())
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            f.write_str(l)?;
        }
        Ok(())
    }
}

/// Characters that end a line for systemd's read_line().
const EOL: &[char] = &['\n', '\r', '\0'];

/// Lines with their terminators, split as read_line() does: a terminator is a run of `\n`,
/// `\r` and NUL in which each occurs at most once, and a NUL ends it. The terminators are
/// ASCII, so the text is scanned as bytes (no byte of a longer UTF-8 character is one).
fn split_keep_terminators(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|b| eol_bit(*b) != 0) {
        let mut seen = eol_bit(bytes[i + at]);
        let mut end = i + at + 1;
        while let Some(&d) = bytes.get(end) {
            if seen & eol_bit(0) != 0 || eol_bit(d) == 0 || seen & eol_bit(d) != 0 {
                break;
            }
            seen |= eol_bit(d);
            end += 1;
        }
        lines.push(text[start..end].to_owned());
        start = end;
        i = end;
    }
    if start < text.len() {
        lines.push(text[start..].to_owned());
    }
    lines
}

/// A bit for each byte that ends a line (`\n`, `\r`, NUL), 0 for any other.
fn eol_bit(b: u8) -> u8 {
    match b {
        b'\n' => 1,
        b'\r' => 2,
        0 => 4,
        _ => 0,
    }
}

/// systemd's WHITESPACE, all ASCII: trimming it by bytes never cuts a UTF-8 character.
fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_whitespace_start(s: &str) -> &str {
    let n = s.bytes().take_while(|b| is_whitespace(*b)).count();
    &s[n..]
}

fn trim_whitespace(s: &str) -> &str {
    let s = trim_whitespace_start(s);
    let n = s.bytes().rev().take_while(|b| is_whitespace(*b)).count();
    &s[..s.len() - n]
}

fn is_comment_start(s: &str) -> bool {
    matches!(trim_whitespace_start(s).as_bytes().first(), Some(b'#' | b';'))
}

/// True when the line ends in a backslash that is not itself escaped: a backslash escapes
/// the character after it, so that is when the line ends in an odd run of backslashes.
fn ends_escaped(s: &str) -> bool {
    s.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

fn parse_items(lines: &[String]) -> Result<(Vec<Item>, Option<usize>), ParseError> {
    let mut items = Vec::new();
    let mut section: Option<String> = None;
    let mut continuation: Option<(usize, String)> = None;
    let mut bom_seen = false;
    for (idx, raw) in lines.iter().enumerate() {
        let n = idx + 1;
        let mut text = raw.trim_end_matches(EOL);
        if text.len() > LONG_LINE_MAX {
            return Err(ParseError { line: n, message: "line too long (systemd reads at most 1 MiB a line)".into() });
        }
        // systemd recognises comment lines before it strips a byte order mark.
        if is_comment_start(text) {
            continue;
        }
        if !bom_seen {
            if let Some(rest) = text.strip_prefix('\u{feff}') {
                text = rest;
                bom_seen = true;
            }
        }
        if ends_escaped(text) {
            // The backslash becomes a space.
            let body = &text[..text.len() - 1];
            match &mut continuation {
                Some((_, c)) => c.push_str(body),
                None => continuation = Some((n, body.to_owned())),
            }
            if let Some((_, c)) = &mut continuation {
                c.push(' ');
            }
            continue;
        }
        match continuation.take() {
            Some((start, mut c)) => {
                c.push_str(text);
                parse_line(&c, start, n, &mut section, &mut items)?;
            }
            None => parse_line(text, n, n, &mut section, &mut items)?,
        }
    }
    // A continuation still open at the end of the file is parsed as it is.
    let open = continuation.as_ref().map(|(start, _)| *start);
    if let Some((start, c)) = continuation {
        parse_line(&c, start, lines.len(), &mut section, &mut items)?;
    }
    Ok((items, open))
}

fn parse_line(
    raw: &str,
    line: usize,
    end_line: usize,
    section: &mut Option<String>,
    items: &mut Vec<Item>,
) -> Result<(), ParseError> {
    let l = trim_whitespace(raw);
    if l.is_empty() {
        return Ok(());
    }
    if l.starts_with(".include ") {
        return Err(ParseError { line, message: ".include is no longer supported by systemd".into() });
    }
    if let Some(rest) = l.strip_prefix('[') {
        let Some(name) = rest.strip_suffix(']') else {
            return Err(ParseError { line, message: format!("invalid section header {l:?}") });
        };
        *section = Some(name.to_owned());
        items.push(Item::Section { name: name.to_owned(), line });
        return Ok(());
    }
    let ignored = |reason| Item::Ignored { line, text: l.to_owned(), reason };
    let Some(sect) = section.clone() else {
        items.push(ignored("assignment outside of any section"));
        return Ok(());
    };
    let Some((key, value)) = l.split_once('=') else {
        items.push(ignored("missing '='"));
        return Ok(());
    };
    let key = trim_whitespace(key);
    if key.is_empty() {
        items.push(ignored("missing key name before '='"));
        return Ok(());
    }
    items.push(Item::Assignment(Entry {
        section: sect,
        key: key.to_owned(),
        value: trim_whitespace(value).to_owned(),
        line,
        end_line,
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::parse(s).unwrap()
    }

    #[test]
    fn round_trips_bytes() {
        let cases = [
            "",
            "[Unit]\nDescription=x\n",
            "[Service]\r\nExecStart=/bin/true\r\n",
            "\u{feff}[Unit]\n# c\n; c\n\nA = b \\\n  c\n",
            "[Service]\nExecStart=/bin/true",
        ];
        for c in cases {
            assert_eq!(doc(c).to_string(), c);
        }
    }

    #[test]
    fn reads_like_systemd() {
        let d = doc(
            "[Service]\nExecStart=/bin/a \\\n# skipped\n  --flag\nEnvironment=\n  Key = v w  \nPrivateTmp=yes # no\n",
        );
        let e: Vec<_> = d.entries().map(|e| (e.key.as_str(), e.value.as_str(), e.line, e.end_line)).collect();
        assert_eq!(
            e,
            vec![
                ("ExecStart", "/bin/a    --flag", 2, 4),
                ("Environment", "", 5, 5),
                ("Key", "v w", 6, 6),
                ("PrivateTmp", "yes # no", 7, 7),
            ]
        );
    }

    #[test]
    fn ignored_lines_are_kept_as_items() {
        let d = doc("Foo=bar\n[Service]\nnonsense\n=x\n");
        let reasons: Vec<_> = d
            .items()
            .iter()
            .filter_map(|i| match i {
                Item::Ignored { line, reason, .. } => Some((*line, *reason)),
                _ => None,
            })
            .collect();
        assert_eq!(
            reasons,
            vec![(1, "assignment outside of any section"), (3, "missing '='"), (4, "missing key name before '='")]
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(Document::parse("[Unit\n").unwrap_err().line, 1);
        assert_eq!(Document::parse("[Unit]\nA=b\n[Bad\n").unwrap_err().line, 3);
    }

    fn entries(d: &Document) -> Vec<(&str, &str, usize)> {
        d.entries().map(|e| (e.key.as_str(), e.value.as_str(), e.line)).collect()
    }

    // Each case was checked with `systemd-analyze security --offline=true`.
    #[test]
    fn line_ends_like_read_line() {
        let d = doc("[Service]\nA=1\rB=2\r\r\nC=3\n\rD=4\0E=5");
        assert_eq!(entries(&d), vec![("A", "1", 2), ("B", "2", 3), ("C", "3", 5), ("D", "4", 6), ("E", "5", 7)]);
        let text = "[Service]\nA=1\rB=2\r\r\nC=3\n\rD=4\0E=5";
        assert_eq!(doc(text).to_string(), text);
    }

    #[test]
    fn continuation_at_end_of_file_is_parsed() {
        assert_eq!(entries(&doc("[Service]\nA=b \\\n")), vec![("A", "b", 2)]);
        assert_eq!(entries(&doc("[Service]\nA=b\\")), vec![("A", "b", 2)]);
        assert_eq!(entries(&doc("[Service]\nA=b\\\n# c\n")), vec![("A", "b", 2)]);
    }

    #[test]
    fn byte_order_mark_once_and_never_a_comment() {
        let d = doc("[Service]\n\u{feff}A=1\n\u{feff}B=2\n");
        assert_eq!(entries(&d), vec![("A", "1", 2), ("\u{feff}B", "2", 3)]);
        let d = doc("\u{feff}#x\n[Service]\nC=3\n");
        assert_eq!(entries(&d), vec![("C", "3", 3)]);
        assert!(matches!(d.items()[0], Item::Ignored { line: 1, .. }));
        let d = doc("[Service]\n\u{feff}#K=v\n");
        assert_eq!(entries(&d), vec![("#K", "v", 2)]);
    }

    #[test]
    fn set_replaces_or_appends_touching_only_its_line() {
        let mut d = doc("[Unit]\nDescription=x\n\n[Service]\n# keep\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n");
        d.set("Service", "PrivateTmp", "yes").unwrap();
        assert_eq!(
            d.to_string(),
            "[Unit]\nDescription=x\n\n[Service]\n# keep\nExecStart=/bin/true\nPrivateTmp=yes\n\n[Install]\nWantedBy=multi-user.target\n"
        );
        d.set("Service", "PrivateTmp", "no").unwrap();
        assert!(d.to_string().contains("\nPrivateTmp=no\n\n[Install]"));
        d.remove("Service", "PrivateTmp").unwrap();
        assert_eq!(
            d.to_string(),
            "[Unit]\nDescription=x\n\n[Service]\n# keep\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n"
        );
    }

    #[test]
    fn append_creates_missing_section() {
        let mut d = doc("[Unit]\nDescription=x");
        d.append_to_section("Service", &["NoNewPrivileges=yes".into()]).unwrap();
        assert_eq!(d.to_string(), "[Unit]\nDescription=x\n\n[Service]\nNoNewPrivileges=yes\n");
    }
}
