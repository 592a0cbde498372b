//! Value parsers of systemd 252's unit file loader, for the settings the exposure score reads.
//! Each follows the systemd function named in its comment, including what it accepts that a
//! reader would not expect (octal numbers, `0b` prefixes, case-insensitive names) and what it
//! refuses, because a refused value leaves the setting as it was.

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

const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// extract_first_word() with whitespace separators: Ok(None) at the end, Err on a syntax
/// error (the caller then stops, keeping the words it already used).
pub fn extract_first_word(p: &mut &str, flags: WordFlags) -> Result<Option<String>, ()> {
    let s = p.trim_start_matches(WHITESPACE);
    if s.is_empty() {
        *p = "";
        return Ok(None);
    }
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && !flags.retain_escape {
                match chars.next() {
                    Some((_, e)) => word.push(e),
                    None if flags.relax => break,
                    None => return Err(()),
                }
            } else {
                word.push(c);
            }
            continue;
        }
        if flags.unquote && (c == '\'' || c == '"') {
            quote = Some(c);
        } else if c == '\\' && !flags.retain_escape {
            match chars.next() {
                Some((_, e)) => word.push(e),
                None if flags.relax => break,
                None => return Err(()),
            }
        } else if WHITESPACE.contains(&c) {
            *p = s[i..].trim_start_matches(WHITESPACE);
            return Ok(Some(word));
        } else {
            word.push(c);
        }
    }
    if quote.is_some() && !flags.relax {
        return Err(());
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
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) || digits.len() > 40 {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// safe_atoi().
pub fn safe_atoi(s: &str) -> Option<i32> {
    parse_number_base0(s, true).and_then(|v| i32::try_from(v).ok())
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

/// path_startswith() by components.
fn path_startswith(path: &str, prefix: &str) -> bool {
    let mut a = path.split('/').filter(|c| !c.is_empty());
    prefix.split('/').filter(|c| !c.is_empty()).all(|c| a.next() == Some(c)) && path.starts_with('/')
}

/// The checks config_parse_device_allow() makes of a DeviceAllow= path.
pub fn valid_device_allow_path(resolved: &str) -> bool {
    if resolved.starts_with("block-") || resolved.starts_with("char-") {
        return true;
    }
    let s = path_simplify(resolved);
    path_is_normalized(&s)
        && (path_startswith(&s, "/dev/") || path_startswith(&s, "/run/systemd/inaccessible/"))
        && !s.ends_with('/')
}

/// parse_uid(): decimal, no sign or leading zero, not one of the two invalid ids.
fn parse_uid(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse::<u32>().ok().filter(|u| *u != u32::MAX && *u != 0xFFFF)
}

/// valid_user_group_name(VALID_USER_ALLOW_NUMERIC | VALID_USER_RELAX), what User= and
/// SupplementaryGroups= accept.
pub fn valid_user_group_name_relaxed(u: &str) -> bool {
    if u.is_empty() {
        return false;
    }
    if parse_uid(u).is_some() {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    !(u.chars().any(|c| c.is_control())
        || u.contains(':')
        || u.contains('/')
        || digits(u)
        || u.strip_prefix('-').is_some_and(digits)
        || u == "."
        || u == ".."
        || u.starts_with(WHITESPACE)
        || u.ends_with(WHITESPACE))
}

/// valid_user_group_name(0), the strict rule DynamicUser= uses to take the unit name as the
/// user name.
pub fn valid_user_group_name_strict(u: &str) -> bool {
    let mut chars = u.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && u.len() <= 31
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

    #[test]
    fn numbers_like_strtol_base_0() {
        assert_eq!(safe_atoi("0xc"), Some(12));
        assert_eq!(safe_atoi("014"), Some(12));
        assert_eq!(safe_atoi("+12"), Some(12));
        assert_eq!(safe_atoi("0b11"), Some(3));
        assert_eq!(safe_atoi("0o17"), Some(15));
        assert_eq!(safe_atoi("09"), None);
        assert_eq!(safe_atou8("-0"), None);
        assert_eq!(parse_mode("077"), Some(0o77));
        assert_eq!(parse_mode("0o77"), None);
        assert_eq!(parse_mode("+077"), None);
        assert_eq!(parse_mode(" 077"), Some(0o77));
        assert_eq!(parse_mode("77777"), None);
    }

    #[test]
    fn device_paths() {
        for ok in ["/dev/null", "/dev//null/", "/dev", "char-rtc", "block-foo", "/run/systemd/inaccessible/chr"] {
            assert!(valid_device_allow_path(ok), "{ok}");
        }
        for bad in ["relative", "/sys/foo", "/dev/../etc", "/etc/passwd"] {
            assert!(!valid_device_allow_path(bad), "{bad}");
        }
    }

    #[test]
    fn user_names() {
        for ok in ["foo", "123", "-foo", "+foo", "foo.", "foo bar", "\"foo\"", "NOBODY"] {
            assert!(valid_user_group_name_relaxed(ok), "{ok}");
        }
        for bad in ["", "00", "4294967295", "65535", "99999999999", ".", "a/b", "a:b"] {
            assert!(!valid_user_group_name_relaxed(bad), "{bad}");
        }
    }
}
