//! Checking the values a policy gives directives, so that a typo fails the build that
//! reads the policy instead of producing a drop-in that systemd ignores.

use crate::directives::{self, Directive, ValueType, DIRECTIVES};
use crate::lint::table::{self as parser_table, REFERENCE_VERSION};
use crate::lint::values::{judge, Verdict};
use crate::unit::words::edit_distance;

const NAMESPACES: &[&str] = &["cgroup", "ipc", "net", "mnt", "pid", "user", "uts"];
const ARCHITECTURES: &[&str] =
    &["native", "x86", "x86-64", "x32", "arm", "arm64", "mips", "ppc64", "ppc64-le", "s390x", "riscv64"];

/// Whether a layer's values are judged by the directive's value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// Every layer that is read from a file.
    Values,
    /// The built-in layer, fixed at build time and judged by a test instead: judging it
    /// built lint's parser tables in every run, a third of a one-unit `hardenunit score`.
    BuiltIn,
}

/// A policy value as the strings that may be written into the unit, strongest first: one, or
/// a list (`["disconnected", "yes"]`) of which the planner writes the first the target
/// systemd understands. `Ok(None)` means "do not add".
pub fn normalize_value(key: &str, value: &toml::Value, judge: Judge) -> Result<Option<Vec<String>>, String> {
    let toml::Value::Array(choices) = value else {
        return Ok(normalize_one(key, value, judge)?.map(|v| vec![v]));
    };
    if choices.is_empty() {
        return Err("empty list (use false to drop the directive)".into());
    }
    let mut out = Vec::new();
    for choice in choices {
        match normalize_one(key, choice, judge)? {
            Some(v) => out.push(v),
            None => return Err("false cannot be one of a list of values".into()),
        }
    }
    let since = |v: &str| directives::since(key, v);
    if let Some(w) = out.windows(2).find(|w| since(&w[0]) <= since(&w[1])) {
        return Err(format!(
            "{:?} (systemd {}) is listed before {:?} (systemd {}): list the values newest release first, \
             as only the first the target understands is written",
            w[0],
            since(&w[0]),
            w[1],
            since(&w[1])
        ));
    }
    Ok(Some(out))
}

fn normalize_one(key: &str, value: &toml::Value, judge: Judge) -> Result<Option<String>, String> {
    let text = match value {
        toml::Value::Boolean(false) => return Ok(None),
        toml::Value::Boolean(true) => "yes".to_owned(),
        toml::Value::String(s) => s.trim().to_owned(),
        toml::Value::Integer(i) if key == "UMask" => format!("{i:04}"),
        other => return Err(format!("expected a string or a boolean, found {}", other.type_str())),
    };
    if text.is_empty() {
        return Err("empty value (use false to drop the directive)".into());
    }
    check_single_line(&text)?;
    if judge == Judge::Values {
        validate(key, &text)?;
    }
    Ok(Some(text))
}

/// Whatever systemd's parse_boolean() accepts.
fn is_bool(s: &str) -> bool {
    crate::grammar::parse_boolean(s).is_some()
}

/// Judged by the parser systemd 252 reads the directive with, as lint judges it (or, for a
/// value the directive table dates later, the parser of the release that brought it): the
/// value types of the directive table that are booleans, enums and modes.
fn judged_by_parser_table(directive: &Directive, v: &str) -> Result<(), String> {
    let Some(info) = parser_table::key(directive.section, directive.key) else { return Ok(()) };
    let release = directive.since_for(v).max(REFERENCE_VERSION);
    match judge(info, v, release) {
        Verdict::Rejected(why) => Err(why),
        _ => Ok(()),
    }
}

/// Whether systemd 252's parser for the key is one lint judges whole values with (a boolean,
/// an enum, a mode), which is what [`ValueType::Parsed`] rests on.
#[cfg(test)]
fn parser_is_modelled(directive: &Directive) -> bool {
    let parser = parser_table::key(directive.section, directive.key)
        .and_then(|i| parser_table::parser_for(i, REFERENCE_VERSION));
    parser.is_some_and(|p| {
        matches!(p, "config_parse_bool" | "config_parse_mode") || parser_table::enum_for(p, REFERENCE_VERSION).is_some()
    })
}

fn validate(key: &str, v: &str) -> Result<(), String> {
    let Some(directive) = directives::lookup(key) else { return Ok(()) };
    let words = || v.trim_start_matches('~').split_whitespace();
    let bad = |what: &str| Err(format!("{v:?} is not {what}"));
    match directive.value_type {
        ValueType::Parsed => judged_by_parser_table(directive, v),
        ValueType::Namespaces => {
            if is_bool(v) || words().all(|w| NAMESPACES.contains(&w)) {
                Ok(())
            } else {
                bad("a boolean or a list of cgroup ipc net mnt pid user uts")
            }
        }
        ValueType::Architectures => {
            if words().all(|w| ARCHITECTURES.contains(&w)) {
                Ok(())
            } else {
                bad("a list of architectures such as native")
            }
        }
        ValueType::AddressFamilies => {
            if v == "none"
                || words()
                    .all(|w| w.starts_with("AF_") && w[3..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                Ok(())
            } else {
                bad("none or a list of AF_* families")
            }
        }
        ValueType::SystemCalls => {
            let ok = words().all(|w| {
                let name = w.split(':').next().unwrap_or("");
                let name = name.strip_prefix('@').unwrap_or(name);
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            });
            if ok {
                Ok(())
            } else {
                bad("a list of system calls and @groups")
            }
        }
        ValueType::Errno => {
            if v == "kill"
                || v.chars().all(|c| c.is_ascii_digit())
                || (v.starts_with('E') && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
            {
                Ok(())
            } else {
                bad("an errno name such as EPERM")
            }
        }
        ValueType::Paths => v.split_whitespace().try_for_each(check_path_word),
        ValueType::Capabilities => {
            if v == "auto" || words().all(|w| w.starts_with("CAP_")) {
                Ok(())
            } else {
                bad("auto or a list of CAP_* capabilities")
            }
        }
    }
}

/// The known directive nearest to a misspelt one, for "did you mean".
pub fn closest_directive(key: &str) -> Option<&'static str> {
    DIRECTIVES
        .iter()
        .map(|d| (edit_distance(&key.to_ascii_lowercase(), &d.key.to_ascii_lowercase()), d.key))
        .filter(|(dist, _)| *dist <= 3)
        .min()
        .map(|(_, k)| k)
}

/// Every value written into a unit stays one `Key=value` line: a newline (or any other
/// control character) would start a second directive, a trailing backslash would join the
/// next line to this one.
pub fn check_single_line(v: &str) -> Result<(), String> {
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(format!("{v:?} contains the control character {c:?}; a value must be one line"));
    }
    if v.ends_with('\\') {
        return Err(format!("{v:?} ends in a backslash, which would continue the line"));
    }
    Ok(())
}

/// One path of ReadWritePaths= (or the policy's read_write_paths): optional `-`/`+`
/// prefixes, then an absolute, normalized path that is a single word (no whitespace,
/// quote or backslash that systemd would split or unquote).
pub fn check_path_word(w: &str) -> Result<(), String> {
    check_single_line(w)?;
    let path = w.strip_prefix('-').unwrap_or(w);
    let path = path.strip_prefix('+').unwrap_or(path);
    if !path.starts_with('/') {
        return Err(format!("{w:?} is not absolute"));
    }
    if path.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\')) {
        return Err(format!("{w:?} contains whitespace, a quote or a backslash; give one path per entry"));
    }
    if path.len() >= 4096 || path.split('/').any(|c| c == ".." || c.len() > 255) {
        return Err(format!("{w:?} is not a normalized path (no '..', no over-long component)"));
    }
    Ok(())
}

/// The drop-in file name hardenunit writes: one plain `NAME.conf` in the unit's `.d`
/// directory, nothing hidden, no directory part, one line.
pub fn check_dropin_name(name: &str) -> Result<(), String> {
    check_single_line(name)?;
    let stem = name.strip_suffix(".conf").unwrap_or("");
    if stem.is_empty() || name.contains('/') || name.starts_with('.') || name.len() > 255 {
        return Err(format!("{name:?} must be a plain NAME.conf file name"));
    }
    Ok(())
}

/// A profile name is written into the drop-in's first comment line.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(format!("profile name {name:?}: use letters, digits, '-', '_' and '.'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row's value type is the parser lint's tables give its key: a boolean, enum or
    /// mode parser for `Parsed`, else the list parser the type is named after.
    #[test]
    fn every_value_type_is_the_parser_of_its_key() {
        for d in DIRECTIVES {
            let info = parser_table::key(d.section, d.key).unwrap_or_else(|| panic!("{}: not in the tables", d.key));
            let parser = parser_table::parser_for(info, REFERENCE_VERSION);
            match d.value_type.parser() {
                None => assert!(parser_is_modelled(d), "{}: {parser:?} is not judged whole by lint", d.key),
                Some(p) => assert_eq!(parser, Some(p), "{}", d.key),
            }
        }
    }

    #[test]
    fn booleans_enums_and_modes_follow_the_parser_table() {
        for (key, ok, bad) in [
            ("PrivateTmp", "True", "maybe"),
            ("ProtectSystem", "strict", "Strict"),
            ("ProtectHome", "read-only", "ro"),
            ("ProtectProc", "invisible", "yes"),
            ("ProcSubset", "pid", "all pid"),
            ("UMask", "0027", "0999"),
            // An enumeration since 257, judged by the parser of the release that brought the value.
            ("PrivateUsers", "identity", "identiy"),
        ] {
            assert_eq!(validate(key, ok), Ok(()), "{key}={ok}");
            assert!(validate(key, bad).is_err(), "{key}={bad}");
        }
    }
}
