//! Splitting a setting's value into words the way systemd's extract_first_word() does with
//! EXTRACT_UNQUOTE: space, tab, CR and LF separate, "double" and 'single' quotes group, a
//! backslash keeps the next character, inside either kind of quotes too.

/// systemd's WHITESPACE: other Unicode blanks are part of a word.
const SEPARATORS: &[char] = &[' ', '\t', '\n', '\r'];

/// The words, each with whether any part of it was quoted; an unbalanced quote is an error.
pub fn split_words(s: &str) -> Result<Vec<(String, bool)>, String> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| SEPARATORS.contains(c)) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if SEPARATORS.contains(&c) {
                break;
            }
            chars.next();
            match c {
                '"' | '\'' => {
                    quoted = true;
                    loop {
                        match chars.next() {
                            None => return Err(format!("unbalanced {c} quote")),
                            Some(q) if q == c => break,
                            Some('\\') => word.extend(chars.next()),
                            Some(other) => word.push(other),
                        }
                    }
                }
                '\\' => word.extend(chars.next()),
                _ => word.push(c),
            }
        }
        words.push((word, quoted));
    }
}

/// The last component of a path as written (`/usr/sbin/foo` → `foo`).
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Levenshtein distance, for "did you mean" on misspelt keys, directives and sections.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::split_words;

    fn words(s: &str) -> Vec<String> {
        split_words(s).unwrap().into_iter().map(|(w, _)| w).collect()
    }

    // Checked with systemd-analyze security --offline=true: CapabilityBoundingSet='CAP_KI\LL'
    // and RestrictAddressFamilies='AF_UN\IX' name CAP_KILL and AF_UNIX.
    #[test]
    fn backslash_escapes_inside_single_quotes_too() {
        assert_eq!(words(r"'CAP_KI\LL' x"), vec!["CAP_KILL", "x"]);
        assert_eq!(words(r#""a\"b" c\ d"#), vec!["a\"b", "c d"]);
    }

    #[test]
    fn only_ascii_blanks_separate() {
        assert_eq!(words("a\u{a0}b\tc"), vec!["a\u{a0}b", "c"]);
    }
}
