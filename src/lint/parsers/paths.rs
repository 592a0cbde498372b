//! Parsers of paths, specifiers, standard input/output, users and groups, device nodes.

use super::*;
use std::path::Path;

/// config_parse_exec_output() for StandardOutput= and StandardError=.
pub(super) fn exec_output(value: &str) -> Verdict {
    const PLAIN: &[&str] = &[
        "inherit",
        "null",
        "tty",
        "journal",
        "kmsg",
        "journal+console",
        "kmsg+console",
        "socket",
        "syslog",
        "syslog+console",
    ];
    stdio(value, PLAIN, &["file:", "append:", "truncate:"], "output")
}

/// config_parse_exec_input() for StandardInput=.
pub(super) fn exec_input(value: &str) -> Verdict {
    const PLAIN: &[&str] = &["null", "tty", "tty-force", "tty-fail", "socket", "data"];
    stdio(value, PLAIN, &["file:"], "input")
}

pub(super) fn stdio(value: &str, plain: &[&str], path_prefixes: &[&str], what: &str) -> Verdict {
    if plain.contains(&value) {
        return Verdict::Accepted;
    }
    if let Some(name) = value.strip_prefix("fd:") {
        let valid = name.len() <= 255 && name.chars().all(|c| c.is_ascii_graphic() && c != ':');
        return match valid {
            true => Verdict::Accepted,
            false => rejected(format!("{name:?} is not a file descriptor name")),
        };
    }
    if let Some(path) = path_prefixes.iter().find_map(|p| value.strip_prefix(p)) {
        return absolute(path);
    }
    let mut all: Vec<String> = plain.iter().map(|s| s.to_string()).collect();
    all.extend(path_prefixes.iter().map(|p| format!("{p}PATH")));
    all.push("fd:NAME".into());
    rejected(format!("{value:?} is not a standard {what} ({})", all.join(", ")))
}

/// The value after specifier expansion, as far as lint can tell without the unit's name: an
/// unknown specifier is an error; a known one stands for something of its kind.
pub(super) fn expanded(value: &str) -> Result<String, String> {
    expand(&lint_ident(), value).map_err(|e| format!("%{} is not a specifier (write %% for a literal %)", e.0))
}

pub(super) fn specifiers_only(value: &str) -> Verdict {
    match expanded(value) {
        Ok(_) => Verdict::Accepted,
        Err(e) => rejected(e),
    }
}

/// path_simplify_and_warn(PATH_CHECK_ABSOLUTE) after specifiers.
pub(super) fn absolute(value: &str) -> Verdict {
    let path = match expanded(value) {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    if !path.starts_with('/') {
        return rejected(format!("{value:?} is not an absolute path"));
    }
    match absolute_path(&path) {
        Some(_) => Verdict::Accepted,
        None => rejected(format!("{value:?} is not a normalized path (no \"..\")")),
    }
}

/// User=, Group=: a valid name or numeric ID, else systemd refuses the whole unit. A value
/// with specifiers depends on the unit's name: not judged.
pub(super) fn user_group(value: &str) -> Verdict {
    if value.contains('%') {
        return match expanded(value) {
            Ok(_) => Verdict::NotJudged,
            Err(e) => rejected(e),
        };
    }
    match valid_user_group_name_relaxed(value) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a valid user or group name or numeric ID")),
    }
}

/// config_parse_device_allow(): a device path (or char-/block- class) and rights among r, w, m.
pub(super) fn device_allow(value: &str) -> Verdict {
    let mut p = value;
    let Ok(Some(path)) = extract_first_word(&mut p, WordFlags::UNQUOTE) else {
        return rejected(format!("{value:?} has invalid syntax"));
    };
    let rights = p.trim_matches(WHITESPACE);
    let resolved = match expanded(&path) {
        Ok(r) => r,
        Err(e) => return rejected(e),
    };
    if !valid_device_allow_path(&resolved) {
        return rejected(format!("{path:?} is not a device node path below /dev (or char-CLASS, block-CLASS)"));
    }
    if !rights.chars().all(|c| "rwm".contains(c)) {
        return rejected(format!("{rights:?} are not device rights (a combination of r, w, m)"));
    }
    Verdict::Accepted
}

/// User=, Group=, SupplementaryGroups= and the socket's owner in a unit that is neither a
/// template nor an instance: there %i and %I expand to nothing, so a name made of them
/// alone is empty and systemd refuses the unit ("Invalid user/group name or numeric ID").
pub fn empty_instance_problem(path: &Path, info: &KeyInfo, value: &str) -> Option<String> {
    let strv = match info.parser_252? {
        "config_parse_user_group_compat" => false,
        "config_parse_user_group_strv_compat" => true,
        _ => return None,
    };
    if unit_has_instance(path) {
        return None;
    }
    let words = if strv { list_words(value, WordFlags::UNQUOTE).0 } else { vec![value.to_owned()] };
    let only_instance = |w: &&String| !w.is_empty() && w.as_bytes().chunks(2).all(|c| c == b"%i" || c == b"%I");
    words.iter().find(only_instance).map(|w| {
        format!(
            "{w:?} names no one: outside a template unit (NAME@.service) %i and %I expand to nothing, and systemd refuses the unit"
        )
    })
}

/// Whether the unit a file belongs to has an instance part (`foo@.service`, `foo@bar.service`,
/// or a drop-in below `foo@.service.d/`).
fn unit_has_instance(path: &Path) -> bool {
    let name = |p: &Path| p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
    let file = name(path);
    let unit = match file.ends_with(".conf") {
        true => path.parent().map(name).unwrap_or_default(),
        false => file,
    };
    unit.contains('@')
}
