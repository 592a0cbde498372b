//! Splitting a setting's value into words the way systemd's extract_first_word() does with
//! EXTRACT_UNQUOTE: blanks separate, "double" and 'single' quotes group, a backslash keeps
//! the next character (except inside single quotes).

/// The words, each with whether any part of it was quoted; an unbalanced quote is an error.
pub fn split_words(s: &str) -> Result<Vec<(String, bool)>, String> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
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
                            Some('\\') if c == '"' => word.extend(chars.next()),
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
