//! systemd's value grammar: how its unit file loader reads booleans, words and quoting,
//! integers, file modes, time spans and paths. Score, lint, policy, plan and evidence all read
//! values through here, so they agree with each other and with systemd. Each function follows
//! the systemd function named in its comment, including what it accepts that a reader would
//! not expect (octal numbers, `0b` prefixes, case-insensitive words) and what it refuses,
//! because a refused value leaves the setting as it was.

mod exec;
pub mod release;

pub use exec::{parse_exec_line, ExecCommand, ExecLine};

/// systemd's WHITESPACE: other Unicode blanks are part of a word.
pub const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// parse_boolean(): case-insensitive yes/no words and 1/0.
pub fn parse_boolean(s: &str) -> Option<bool> {
    const TRUE: &[&str] = &["1", "yes", "y", "true", "t", "on"];
    const FALSE: &[&str] = &["0", "no", "n", "false", "f", "off"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordFlags {
    /// EXTRACT_UNQUOTE: '…' and "…" group and are removed.
    pub unquote: bool,
    /// EXTRACT_RELAX: an unfinished quote or escape ends the word instead of failing.
    pub relax: bool,
    /// EXTRACT_RETAIN_ESCAPE: a backslash is an ordinary character.
    pub retain_escape: bool,
}

impl WordFlags {
    pub const NONE: WordFlags = WordFlags { unquote: false, relax: false, retain_escape: false };
    pub const UNQUOTE: WordFlags = WordFlags { unquote: true, relax: false, retain_escape: false };
    pub const UNQUOTE_RELAX: WordFlags = WordFlags { unquote: true, relax: true, retain_escape: false };
}

/// Why extract_first_word() refused the rest of a value (systemd: -EINVAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordError {
    UnbalancedQuote(char),
    TrailingBackslash,
}

impl std::fmt::Display for WordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WordError::UnbalancedQuote(q) => write!(f, "unbalanced {q} quote"),
            WordError::TrailingBackslash => f.write_str("a backslash ends the value"),
        }
    }
}

/// One word and whether any part of it was quoted (a quoted `";"` is not a separator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub quoted: bool,
}

/// extract_first_word() with whitespace separators: Ok(None) at the end, Err on a syntax
/// error (the caller then stops, keeping the words it already used).
pub fn extract_first_word(p: &mut &str, flags: WordFlags) -> Result<Option<String>, WordError> {
    next_word(p, flags).map(|w| w.map(|w| w.text))
}

fn next_word(p: &mut &str, flags: WordFlags) -> Result<Option<Word>, WordError> {
    let s = p.trim_start_matches(WHITESPACE);
    if s.is_empty() {
        *p = "";
        return Ok(None);
    }
    // A plain word (no quote, no backslash) is copied in one piece.
    let special = |b: u8| matches!(b, b'\\' | b'\'' | b'"' | b' ' | b'\t' | b'\n' | b'\r');
    let end = s.bytes().position(special).unwrap_or(s.len());
    if s[end..].bytes().next().is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        *p = s[end..].trim_start_matches(WHITESPACE);
        return Ok(Some(Word { text: s[..end].to_owned(), quoted: false }));
    }
    let mut word = Word { text: String::new(), quoted: false };
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && !flags.retain_escape {
            match chars.next() {
                Some((_, e)) => word.text.push(e),
                None if flags.relax => break,
                None => return Err(quote.map_or(WordError::TrailingBackslash, WordError::UnbalancedQuote)),
            }
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                word.text.push(c);
            }
        } else if flags.unquote && (c == '\'' || c == '"') {
            quote = Some(c);
            word.quoted = true;
        } else if WHITESPACE.contains(&c) {
            *p = s[i..].trim_start_matches(WHITESPACE);
            return Ok(Some(word));
        } else {
            word.text.push(c);
        }
    }
    if let (Some(q), false) = (quote, flags.relax) {
        return Err(WordError::UnbalancedQuote(q));
    }
    *p = "";
    Ok(Some(word))
}

/// Every word of `s`, stopping at the first syntax error.
pub fn extract_words(s: &str, flags: WordFlags) -> Vec<String> {
    let mut p = s;
    let mut words = Vec::new();
    while let Ok(Some(w)) = extract_first_word(&mut p, flags) {
        words.push(w);
    }
    words
}

/// Every word of `s` with EXTRACT_UNQUOTE, or the syntax error that makes systemd refuse
/// the whole value (an Exec*= line, a list a checker judges word by word).
pub fn split_words(s: &str) -> Result<Vec<Word>, WordError> {
    let mut p = s;
    let mut words = Vec::new();
    while let Some(w) = next_word(&mut p, WordFlags::UNQUOTE)? {
        words.push(w);
    }
    Ok(words)
}

/// [`split_words`] without the quoted marks.
pub fn split_word_texts(s: &str) -> Result<Vec<String>, WordError> {
    split_words(s).map(|words| words.into_iter().map(|w| w.text).collect())
}

/// strtoull() with base 0 plus systemd's `0b`/`0o` prefixes (mangle_base()); `signed` allows
/// a leading minus. Returns the value as i128 so callers can range-check.
fn parse_number_base0(s: &str, signed: bool) -> Option<i128> {
    let t = s.trim_start_matches(WHITESPACE);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') if signed => (true, &t[1..]),
        Some(b'-') => return None,
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(r) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (2, r)
    } else if let Some(r) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, r)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// safe_atoi()/safe_atolli() before the range check: a signed number in base 0.
pub fn parse_integer(s: &str) -> Option<i128> {
    parse_number_base0(s, true)
}

/// safe_atoi().
pub fn safe_atoi(s: &str) -> Option<i32> {
    parse_integer(s).and_then(|v| i32::try_from(v).ok())
}

/// safe_atou8().
pub fn safe_atou8(s: &str) -> Option<u8> {
    parse_number_base0(s, false).and_then(|v| u8::try_from(v).ok())
}

/// parse_mode(): safe_atou_full(s, 8 | SAFE_ATO_REFUSE_PLUS_MINUS): octal digits after
/// optional blanks, no sign (systemd 252 ignores `UMask=+0077`), at most 07777.
pub fn parse_mode(s: &str) -> Option<u32> {
    let t = s.trim_start_matches(WHITESPACE);
    if t.is_empty() || !t.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(t, 8).ok().filter(|m| *m <= 0o7777)
}

const TIME_UNITS: &[&str] = &[
    "seconds", "second", "sec", "s", "minutes", "minute", "min", "months", "month", "M", "msec", "ms", "m", "hours",
    "hour", "hr", "h", "days", "day", "d", "weeks", "week", "w", "years", "year", "y", "usec", "us", "\u{3bc}s",
    "\u{b5}s",
];

/// parse_sec() (seconds as the default unit): "infinity", or numbers (with an optional
/// fraction) each followed by an optional unit, blanks allowed between them.
pub fn is_time_span(v: &str) -> bool {
    time_span_with(v, &[])
}

/// parse_nsec() (nanoseconds as the default unit): parse_sec()'s units and `ns`/`nsec`.
pub fn is_nsec_span(v: &str) -> bool {
    time_span_with(v, &["nsec", "ns"])
}

fn time_span_with(v: &str, extra_units: &[&str]) -> bool {
    let mut p = v.trim_start_matches(WHITESPACE);
    if let Some(rest) = p.strip_prefix("infinity") {
        return rest.trim_start_matches(WHITESPACE).is_empty();
    }
    let mut something = false;
    loop {
        p = p.trim_start_matches(WHITESPACE);
        if p.is_empty() {
            return something;
        }
        if let Some(rest) = p.strip_prefix('+') {
            p = rest;
        }
        let digits = p.len() - p.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        p = &p[digits..];
        if let Some(rest) = p.strip_prefix('.') {
            let frac = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if frac == 0 {
                return false;
            }
            p = &rest[frac..];
        }
        let after_blank = p.trim_start_matches(WHITESPACE);
        match TIME_UNITS.iter().chain(extra_units).find(|u| after_blank.starts_with(*u)) {
            Some(u) => p = &after_blank[u.len()..],
            None if !p.is_empty() && !p.starts_with(WHITESPACE) => return false,
            None => {}
        }
        something = true;
    }
}

/// parse_size() with base 1024: numbers (an optional fraction) each with an optional suffix
/// B, K, M, G, T, P or E, summed ("1G 512M"); no sign. Returns the byte count (saturating).
pub fn parse_size_1024(v: &str) -> Option<u64> {
    const SUFFIXES: &[(char, u32)] = &[('B', 0), ('K', 10), ('M', 20), ('G', 30), ('T', 40), ('P', 50), ('E', 60)];
    let mut p = v.trim_start_matches(WHITESPACE);
    if p.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !p.is_empty() {
        let digits = p.len() - p.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        let mut number: f64 = p[..digits].parse().ok()?;
        p = &p[digits..];
        let mut fraction = false;
        if let Some(rest) = p.strip_prefix('.') {
            let frac = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if frac == 0 {
                return None;
            }
            number += format!("0.{}", &rest[..frac]).parse::<f64>().ok()?;
            p = &rest[frac..];
            fraction = true;
        }
        p = p.trim_start_matches(WHITESPACE);
        match p.chars().next().and_then(|c| SUFFIXES.iter().find(|(s, _)| *s == c)) {
            Some((_, shift)) => {
                total += number * 2f64.powi(*shift as i32);
                p = p[1..].trim_start_matches(WHITESPACE);
            }
            None if fraction => return None,
            None => {
                total += number;
                if !p.is_empty() {
                    return None;
                }
            }
        }
    }
    (total < u64::MAX as f64).then_some(total as u64)
}

/// parse_permyriad(): `N%`, `N.N%` (up to two decimals), `N‰` or `N‱`, as parts per ten
/// thousand; `unbounded` allows more than 100%.
pub fn parse_permyriad(v: &str, unbounded: bool) -> Option<u64> {
    let (number, scale) = if let Some(n) = v.strip_suffix('%') {
        (n, 100.0)
    } else if let Some(n) = v.strip_suffix('\u{2030}') {
        (n, 10.0)
    } else {
        (v.strip_suffix('\u{2031}')?, 1.0)
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) || (number.contains('.') && frac.is_empty()) {
        return None;
    }
    let max_decimals = match scale as u32 {
        100 => 2,
        10 => 1,
        _ => 0,
    };
    if frac.len() > max_decimals {
        return None;
    }
    let value = (format!("{int}.{frac}0").parse::<f64>().ok()? * scale).round() as u64;
    (unbounded || value <= 10_000).then_some(value)
}

/// path_simplify(): drops duplicate slashes, `.` components and a trailing slash.
pub fn path_simplify(p: &str) -> String {
    let absolute = p.starts_with('/');
    let parts: Vec<&str> = p.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) if !p.is_empty() => ".".to_owned(),
        (false, _) => joined,
    }
}

/// path_is_valid() and path_is_normalized() after simplification: no `..` component, sane
/// lengths.
pub fn path_is_normalized(p: &str) -> bool {
    !p.is_empty()
        && p.len() < 4096
        && p.split('/').all(|c| c.len() <= 255 && c != ".." && c != ".")
        && !p.contains("//")
}

/// path_simplify_and_warn() with PATH_CHECK_ABSOLUTE: the simplified path, or None.
pub fn absolute_path(p: &str) -> Option<String> {
    if !p.starts_with('/') {
        return None;
    }
    let s = path_simplify(p);
    path_is_normalized(&s).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        for t in ["yes", "On", "TRUE", "1", "y", "t"] {
            assert_eq!(parse_boolean(t), Some(true), "{t}");
        }
        for f in ["no", "OFF", "false", "0", "n", "f"] {
            assert_eq!(parse_boolean(f), Some(false), "{f}");
        }
        for bad in ["", "yes # c", "2", "enable"] {
            assert_eq!(parse_boolean(bad), None, "{bad}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(extract_words(r#" a  "b c" d\ e"#, WordFlags::UNQUOTE), vec!["a", "b c", "d e"]);
        assert_eq!(extract_words(r#"a "b""#, WordFlags::NONE), vec!["a", "\"b\""]);
        assert_eq!(extract_words(r#"a "b"#, WordFlags::UNQUOTE), vec!["a"]);
        assert_eq!(extract_words(r#"a "b"#, WordFlags::UNQUOTE_RELAX), vec!["a", "b"]);
    }

    fn texts(s: &str) -> Vec<String> {
        split_words(s).unwrap().into_iter().map(|w| w.text).collect()
    }

    // Checked with systemd-analyze security --offline=true: CapabilityBoundingSet='CAP_KI\LL'
    // and RestrictAddressFamilies='AF_UN\IX' name CAP_KILL and AF_UNIX.
    #[test]
    fn backslash_escapes_inside_single_quotes_too() {
        assert_eq!(texts(r"'CAP_KI\LL' x"), vec!["CAP_KILL", "x"]);
        assert_eq!(texts(r#""a\"b" c\ d"#), vec!["a\"b", "c d"]);
    }

    #[test]
    fn only_ascii_blanks_separate() {
        assert_eq!(texts("a\u{a0}b\tc"), vec!["a\u{a0}b", "c"]);
    }

    #[test]
    fn split_words_refuses_what_systemd_refuses() {
        assert_eq!(split_words("a 'b").unwrap_err().to_string(), "unbalanced ' quote");
        assert_eq!(split_words("a \"b\\").unwrap_err(), WordError::UnbalancedQuote('"'));
        assert_eq!(split_words("a b\\").unwrap_err(), WordError::TrailingBackslash);
        let w = split_words("x ';' ;").unwrap();
        assert_eq!((w[1].quoted, w[2].quoted), (true, false));
        assert_eq!(split_words("''").unwrap(), vec![Word { text: String::new(), quoted: true }]);
    }

    #[test]
    fn numbers_like_strtol_base_0() {
        assert_eq!(safe_atoi("0xc"), Some(12));
        assert_eq!(safe_atoi("014"), Some(12));
        assert_eq!(safe_atoi("+12"), Some(12));
        assert_eq!(safe_atoi("0b11"), Some(3));
        assert_eq!(safe_atoi("0o17"), Some(15));
        assert_eq!(safe_atoi("09"), None);
        assert_eq!(safe_atou8("-0"), None);
        assert_eq!(parse_integer("0x10"), Some(16));
        assert_eq!(parse_integer("010"), Some(8));
        assert_eq!(parse_integer("-0X1f"), Some(-31));
        assert_eq!(parse_integer("5 # c"), None);
        assert_eq!(parse_mode("077"), Some(0o77));
        assert_eq!(parse_mode("0o77"), None);
        assert_eq!(parse_mode("+077"), None);
        assert_eq!(parse_mode(" 077"), Some(0o77));
        assert_eq!(parse_mode("77777"), None);
    }

    #[test]
    fn time_spans() {
        for ok in ["5", "5s", "5min 20s", "1.5h", "infinity", " 3 s", "2min3s", "100ms"] {
            assert!(is_time_span(ok), "{ok}");
        }
        for bad in ["", "5 # x", "5x", "-1", "1.", ".5", "infinity x"] {
            assert!(!is_time_span(bad), "{bad}");
        }
    }
}
