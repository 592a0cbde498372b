//! Values as systemd 252's parsers read them. Each check here only says "rejected" where the
//! parser it follows (src/core/load-fragment.c, src/shared/conf-parser.c, src/basic/*-util.c)
//! certainly rejects; a parser lint does not model is not judged.

use super::table::{self, KeyInfo};
use crate::grammar::{is_time_span, parse_boolean, parse_integer, split_word_texts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// The whole assignment is dropped; the text says why.
    Rejected(String),
    /// Some words of a list are dropped: (the word, why).
    PartlyRejected(Vec<(String, String)>),
    /// Words of a list systemd drops without logging anything (not even `verify` tells):
    /// (the word, why).
    SilentlyDropped(Vec<(String, String)>),
    /// Lint does not model this parser.
    NotJudged,
}

impl Verdict {
    pub fn is_rejection(&self) -> bool {
        matches!(self, Verdict::Rejected(_) | Verdict::PartlyRejected(_) | Verdict::SilentlyDropped(_))
    }
}

/// What the *Directory= settings are relative to.
pub fn exec_directory_base(key: &str) -> Option<&'static str> {
    Some(match key {
        "RuntimeDirectory" => "/run/",
        "StateDirectory" => "/var/lib/",
        "CacheDirectory" => "/var/cache/",
        "LogsDirectory" => "/var/log/",
        "ConfigurationDirectory" => "/etc/",
        _ => return None,
    })
}

/// How systemd `target` reads `value` for this key.
pub fn judge(info: &KeyInfo, value: &str, target: u32) -> Verdict {
    let Some(parser) = table::parser_for(info, target) else { return Verdict::NotJudged };
    let rejected = |why: &str| Verdict::Rejected(why.to_owned());
    if let Some(e) = table::enum_for(parser, target) {
        if value.is_empty() && !e.empty_ok {
            return rejected("an empty value is not one of its values");
        }
        if value.is_empty() || e.values.contains(&value) || (e.booleans && parse_boolean(value).is_some()) {
            return Verdict::Accepted;
        }
        let mut allowed = e.values.join(", ");
        if e.booleans {
            allowed.push_str(" or a boolean");
        }
        return Verdict::Rejected(format!("{value:?} is not one of {allowed}"));
    }
    match parser {
        "config_parse_bool" => match parse_boolean(value) {
            Some(_) => Verdict::Accepted,
            None if value.is_empty() => rejected("an empty value is not a boolean"),
            None => Verdict::Rejected(format!("{value:?} is not a boolean (yes/no, true/false, on/off, 1/0)")),
        },
        "config_parse_warn_compat" if info.ltype_252 == "DISABLED_LEGACY" => {
            rejected("support for this setting was removed; systemd ignores it")
        }
        "config_parse_warn_compat" => rejected("this systemd was built without the feature; it ignores the setting"),
        "config_parse_mode" => match crate::grammar::parse_mode(value).is_some() {
            true => Verdict::Accepted,
            false => Verdict::Rejected(format!("{value:?} is not an octal file mode (0000..07777)")),
        },
        "config_parse_sec" | "config_parse_sec_fix_0" => match is_time_span(value) {
            true => Verdict::Accepted,
            false => Verdict::Rejected(format!("{value:?} is not a time span (e.g. 30s, 5min 20s, infinity)")),
        },
        "config_parse_sec_def_infinity" if value.trim().is_empty() => Verdict::Accepted,
        "config_parse_sec_def_infinity" => judge_time(value),
        "config_parse_unsigned" => judge_integer(value, 0, u32::MAX as i128),
        "config_parse_int" => judge_integer(value, i32::MIN as i128, i32::MAX as i128),
        "config_parse_long" => judge_integer(value, i64::MIN as i128, i64::MAX as i128),
        "config_parse_exec_directories" => judge_words(value, |w| exec_directory_word(info.key, w)),
        "config_parse_namespace_path_strv" => judge_words(value, |w| {
            let path = w.trim_start_matches('-').trim_start_matches('+');
            absolute_path_problem(path)
        }),
        "config_parse_unit_deps" | "config_parse_obsolete_unit_deps" => judge_words(value, |w| {
            (!w.contains('%') && !unit_name_is_loadable(w)).then(|| "not a unit name".to_owned())
        }),
        "config_parse_environ" => judge_words(value, |w| {
            (!w.contains('%') && !env_assignment_is_valid(w)).then(|| "not a NAME=VALUE assignment".to_owned())
        }),
        "config_parse_documentation" => judge_words(value, |w| {
            (!documentation_url_is_valid(w)).then(|| "not a http(s)://, file:, info: or man: address".to_owned())
        }),
        other => super::parsers::judge(other, info, value, target).unwrap_or(Verdict::NotJudged),
    }
}

fn judge_time(value: &str) -> Verdict {
    match is_time_span(value) {
        true => Verdict::Accepted,
        false => Verdict::Rejected(format!("{value:?} is not a time span")),
    }
}

fn judge_integer(value: &str, min: i128, max: i128) -> Verdict {
    match parse_integer(value) {
        Some(n) if (min..=max).contains(&n) => Verdict::Accepted,
        Some(_) => Verdict::Rejected(format!("{value:?} is out of range")),
        None => Verdict::Rejected(format!("{value:?} is not a number")),
    }
}

/// A list: each word is kept or dropped on its own. Unbalanced quoting is not judged.
fn judge_words(value: &str, problem: impl Fn(&str) -> Option<String>) -> Verdict {
    let Some(words) = split_word_texts(value).ok() else { return Verdict::NotJudged };
    let bad: Vec<(String, String)> = words.iter().filter_map(|w| problem(w).map(|p| (w.clone(), p))).collect();
    if bad.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::PartlyRejected(bad)
    }
}

fn exec_directory_word(key: &str, word: &str) -> Option<String> {
    let (src, dest) = match word.split_once(':') {
        Some((s, d)) => (s, Some(d)),
        None => (word, None),
    };
    let relative_problem = |p: &str| -> Option<String> {
        if p.starts_with('%') {
            return None;
        }
        if p.starts_with('/') {
            return Some(format!("absolute; it is relative to {}", exec_directory_base(key).unwrap_or("/")));
        }
        if p.split('/').any(|c| c == "..") {
            return Some("contains \"..\"".into());
        }
        None
    };
    if let Some(p) = relative_problem(src) {
        return Some(p);
    }
    if src == "private" || src.starts_with("private/") {
        return Some("\"private\" is reserved".into());
    }
    match dest {
        Some(d) if !d.is_empty() && key == "ConfigurationDirectory" => {
            Some("ConfigurationDirectory= takes no destination".into())
        }
        Some(d) if !d.is_empty() => relative_problem(d),
        _ => None,
    }
}

fn absolute_path_problem(path: &str) -> Option<String> {
    if path.starts_with('%') {
        return None;
    }
    if !path.starts_with('/') {
        return Some("not an absolute path".into());
    }
    path.split('/').any(|c| c == "..").then(|| "contains \"..\"".into())
}

/// unit_name_is_valid(PLAIN|INSTANCE): what a dependency can name.
fn unit_name_is_loadable(name: &str) -> bool {
    const TYPES: &[&str] =
        &["service", "socket", "target", "device", "mount", "automount", "swap", "timer", "path", "slice", "scope"];
    let Some((stem, suffix)) = name.rsplit_once('.') else { return false };
    if stem.is_empty() || !TYPES.contains(&suffix) || name.len() >= 256 {
        return false;
    }
    if !stem.chars().all(|c| c.is_ascii_alphanumeric() || ":-_.\\@".contains(c)) {
        return false;
    }
    match stem.find('@') {
        None => true,
        Some(0) => false,
        Some(at) => at + 1 < stem.len() && !stem[at + 1..].contains('@'),
    }
}

fn env_assignment_is_valid(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

fn documentation_url_is_valid(url: &str) -> bool {
    let rest = ["http://", "https://", "file:/", "info:", "man:"].iter().find_map(|p| url.strip_prefix(p));
    match rest {
        Some(r) if url.starts_with("file:/") => r.is_ascii(),
        Some(r) => !r.is_empty() && r.is_ascii(),
        None => false,
    }
}

/// Where a `# comment` starts in a value: a '#' after a blank (or at the very start, followed
/// by a blank) outside quotes. systemd has no such comments: it reads the text as value.
pub fn trailing_comment_start(value: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev_blank = true;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
            prev_blank = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev_blank => {
                let next = value[i + 1..].chars().next();
                if i > 0 || next.is_none_or(|n| n.is_whitespace()) {
                    return Some(i);
                }
            }
            _ => {}
        }
        prev_blank = c.is_whitespace();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge_key(section: &str, key: &str, value: &str) -> Verdict {
        judge(table::key(section, key).unwrap(), value, 252)
    }

    #[test]
    fn booleans_enums_modes() {
        assert_eq!(judge_key("Service", "PrivateTmp", "YES"), Verdict::Accepted);
        assert!(judge_key("Service", "PrivateTmp", "").is_rejection());
        assert!(judge_key("Service", "PrivateTmp", "yes # tmp").is_rejection());
        assert_eq!(judge_key("Service", "ProtectSystem", "strict"), Verdict::Accepted);
        assert_eq!(judge_key("Service", "ProtectSystem", "true"), Verdict::Accepted);
        assert!(judge_key("Service", "ProtectSystem", "Strict").is_rejection());
        assert!(judge_key("Service", "ProtectProc", "yes").is_rejection());
        assert_eq!(judge_key("Service", "KillMode", ""), Verdict::Accepted);
        assert_eq!(judge_key("Service", "UMask", "0027"), Verdict::Accepted);
        assert!(judge_key("Service", "UMask", "0999").is_rejection());
        assert!(judge_key("Service", "UMask", "").is_rejection());
        // "#" and "x" are arguments of the command.
        assert_eq!(judge_key("Service", "ExecStart", "/bin/true # x"), Verdict::Accepted);
    }

    #[test]
    fn times_and_numbers() {
        assert!(judge_key("Service", "TimeoutStopSec", "5min 20s") == Verdict::Accepted);
        assert!(judge_key("Service", "TimeoutStopSec", "5 # x").is_rejection());
        assert_eq!(judge_key("Unit", "StartLimitBurst", "0x10"), Verdict::Accepted);
        assert!(judge_key("Unit", "StartLimitBurst", "-1").is_rejection());
    }

    #[test]
    fn lists_drop_words() {
        assert_eq!(
            judge_key("Service", "LogsDirectory", "/myserv"),
            Verdict::PartlyRejected(vec![("/myserv".into(), "absolute; it is relative to /var/log/".into())])
        );
        assert_eq!(judge_key("Service", "StateDirectory", "a b:c %N"), Verdict::Accepted);
        assert!(judge_key("Service", "ReadWritePaths", "-/var/lib/x relative").is_rejection());
        assert!(judge_key("Unit", "After", "network.target #").is_rejection());
        assert_eq!(judge_key("Unit", "After", "foo@bar.service %i.service"), Verdict::Accepted);
        assert!(judge_key("Unit", "Wants", "foo@.service").is_rejection());
        assert!(judge_key("Service", "Environment", "A=1 #").is_rejection());
        assert_eq!(judge_key("Service", "Environment", "\"A=1 2\" B="), Verdict::Accepted);
        assert!(judge_key("Unit", "Documentation", "man:x(1) # y").is_rejection());
        assert_eq!(judge_key("Service", "SystemCallFilter", "~@mount @clock"), Verdict::Accepted);
        assert!(judge_key("Service", "SystemCallFilter", "~@clock ~@mount").is_rejection());
        assert!(judge_key("Service", "SystemCallArchitectures", "native # x").is_rejection());
    }

    #[test]
    fn comments_are_found_outside_quotes() {
        assert_eq!(trailing_comment_start("yes   # Use dedicated /tmp"), Some(6));
        assert_eq!(trailing_comment_start("# Service may"), Some(0));
        assert_eq!(trailing_comment_start("#foo"), None);
        assert_eq!(trailing_comment_start("a#b"), None);
        assert_eq!(trailing_comment_start("\"a # b\""), None);
        assert_eq!(trailing_comment_start("/bin/sh -c 'echo # x' # y"), Some(22));
    }
}
