//! Parsers of names: address families, system calls, architectures, namespaces, capabilities
//! (and the ones systemd drops silently), cgroup controllers, D-Bus names, log levels, error
//! numbers and signals.

use super::*;

/// config_parse_address_families(): `none`, or families, the whole list inverted by a `~`.
pub(super) fn address_families(value: &str) -> Verdict {
    if value.is_empty() || value == "none" {
        return Verdict::Accepted;
    }
    let rest = value.strip_prefix('~').unwrap_or(value);
    list(rest, WordFlags::UNQUOTE, |w| address_family(w).is_none().then(|| "not an address family".to_owned()))
}

/// config_parse_syscall_filter() and config_parse_syscall_log(): system calls and @groups
/// libseccomp and this release know; in a filter, `name:errno` only when it is a deny list.
pub(super) fn syscall_list(value: &str, release: &Release, filter: bool) -> Verdict {
    let table = SyscallTable::of(release);
    let invert = value.starts_with('~');
    let rest = value.strip_prefix('~').unwrap_or(value);
    list(rest, WordFlags::NONE, |word| {
        let name = match word.split_once(':').filter(|_| filter) {
            Some((name, errno_text)) => {
                if name.is_empty() || errno(errno_text) != Verdict::Accepted {
                    return Some("not a system call:errno pair".into());
                }
                if !invert {
                    return Some("an allow list takes no error number".into());
                }
                name
            }
            None => word,
        };
        if name.starts_with('@') {
            table.group(name).is_none().then(|| "not a system call group".into())
        } else {
            table.class(name).is_none().then(|| "not a system call".into())
        }
    })
}

/// config_parse_restrict_namespaces(): a boolean, or namespace types (optionally inverted);
/// one unknown type drops the whole line.
pub(super) fn restrict_namespaces(value: &str) -> Verdict {
    if value.is_empty() || parse_boolean(value).is_some() {
        return Verdict::Accepted;
    }
    match namespace_flags_from_string(value.strip_prefix('~').unwrap_or(value)) {
        Some(_) => Verdict::Accepted,
        None => rejected(format!(
            "{value:?} is not a list of namespace types (cgroup, ipc, net, mnt, pid, user, uts), so the whole line is ignored"
        )),
    }
}

/// config_parse_capability_set(): capability_set_from_string() skips unknown names without a
/// word, so a misspelt name silently narrows (or, alone, empties) the set.
pub(super) fn capability_set(value: &str, release: &Release) -> Verdict {
    let rest = value.strip_prefix('~').unwrap_or(value);
    let (words, _) = list_words(rest, WordFlags::UNQUOTE_RELAX);
    let dropped: Vec<(String, String)> = words
        .iter()
        .filter(|w| capability_from_name(w, release.capability_number_max).is_none())
        .map(|w| {
            let why = match capability_suggestion(w) {
                Some(s) => format!("not a capability; did you mean {s}?"),
                None => "not a capability".to_owned(),
            };
            (w.clone(), why)
        })
        .collect();
    if dropped.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::SilentlyDropped(dropped)
    }
}

/// The one capability a misspelt name most likely means: the only known name within a small
/// edit distance (with or without the CAP_ prefix, in any case); None when there are none or
/// several equally close.
pub fn capability_suggestion(word: &str) -> Option<String> {
    let upper = word.to_ascii_uppercase();
    let wanted = if upper.starts_with("CAP_") { upper } else { format!("CAP_{upper}") };
    let limit = if wanted.len() > 12 { 2 } else { 1 };
    let mut best: Vec<(usize, String)> = CAPABILITIES
        .iter()
        .map(|c| c.to_ascii_uppercase())
        .map(|c| (crate::unit::words::edit_distance(&c, &wanted), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    best.sort();
    match best.as_slice() {
        [(d, only), rest @ ..] if rest.first().is_none_or(|(d2, _)| d2 > d) => Some(only.clone()),
        _ => None,
    }
}

/// What a list line leaves in effect once systemd has dropped the unknown names.
pub fn effect_of_dropping(key: &str, value: &str) -> String {
    let known = match key {
        "SecureBits" => Some((super::cgroup::SECURE_BITS, WordFlags::UNQUOTE)),
        "DisableControllers" => Some((super::cgroup::CONTROLLERS, WordFlags::NONE)),
        _ => None,
    };
    if let Some((known, flags)) = known {
        let (words, _) = list_words(value, flags);
        let kept: Vec<&str> = words.iter().map(String::as_str).filter(|w| known.contains(w)).collect();
        return match kept.is_empty() {
            true => format!("nothing is left, so {key}= sets nothing"),
            false => format!("systemd uses {key}={}", kept.join(" ")),
        };
    }
    let invert = value.starts_with('~');
    let (words, _) = list_words(value.strip_prefix('~').unwrap_or(value), WordFlags::UNQUOTE_RELAX);
    let kept: Vec<&String> = words.iter().filter(|w| capability_from_name(w, 63).is_some()).collect();
    let kept_text = kept.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" ");
    match (kept.is_empty(), invert, key) {
        (true, false, "CapabilityBoundingSet") => {
            "nothing is left, so the bounding set is empty and the service loses every capability".into()
        }
        (true, false, _) => format!("nothing is left, so {key}= grants no capability"),
        (true, true, _) => format!("nothing is left to take away, so {key}= keeps every capability"),
        (false, true, _) => format!("systemd uses {key}=~{kept_text}"),
        (false, false, _) => format!("systemd uses {key}={kept_text}"),
    }
}

/// The line with each silently dropped name replaced by its one candidate, when every
/// dropped name has exactly one; None otherwise, or when quoting would make a rewrite
/// ambiguous.
pub fn repair_silent_names(info: &KeyInfo, value: &str, target: u32) -> Option<String> {
    if info.parser_252? != "config_parse_capability_set" || value.contains(['"', '\\', '\'']) {
        return None;
    }
    let release = Release::of(target);
    let (prefix, rest) = match value.strip_prefix('~') {
        Some(r) => ("~", r),
        None => ("", value),
    };
    let mut changed = false;
    let mut out = Vec::new();
    for word in rest.split(WHITESPACE).filter(|w| !w.is_empty()) {
        if capability_from_name(word, release.capability_number_max).is_some() {
            out.push(word.to_owned());
        } else {
            out.push(capability_suggestion(word)?);
            changed = true;
        }
    }
    changed.then(|| format!("{prefix}{}", out.join(" ")))
}

pub(super) fn log_level(value: &str) -> Verdict {
    const LEVELS: &[&str] = &["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
    if LEVELS.contains(&value) || parse_integer(value).is_some_and(|n| (0..=7).contains(&n)) {
        Verdict::Accepted
    } else {
        rejected(format!("{value:?} is not a log level ({})", LEVELS.join(", ")))
    }
}

pub(super) fn log_facility(value: &str) -> Verdict {
    const FACILITIES: &[&str] = &[
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "local0",
        "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];
    if FACILITIES.contains(&value) || parse_integer(value).is_some_and(|n| (0..=127).contains(&n)) {
        Verdict::Accepted
    } else {
        rejected(format!("{value:?} is not a syslog facility (e.g. daemon, local0)"))
    }
}

/// seccomp_parse_errno_or_action() for SystemCallErrorNumber=: `kill`, an errno name or
/// 1..4095 (0 is refused separately).
pub(super) fn errno(value: &str) -> Verdict {
    match parse_errno(value) {
        Some(_) if parse_integer(value) == Some(0) => rejected("0 is not an error number".into()),
        Some(_) => Verdict::Accepted,
        None => rejected(format!("{value:?} is not an error name such as EPERM, or a number 1..4095")),
    }
}

/// signal_from_string(): a name with or without SIG, RTMIN+n, RTMAX-n, or 1..64.
pub(super) fn signal(value: &str) -> Verdict {
    const NAMES: &[&str] = &[
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    ];
    const RTMIN: i128 = 34;
    const RTMAX: i128 = 64;
    let name = value.strip_prefix("SIG").unwrap_or(value);
    let realtime = |base: i128, sign: i128, rest: &str| {
        rest.is_empty()
            || rest.strip_prefix(if sign > 0 { '+' } else { '-' }).and_then(parse_decimal).is_some_and(|n| {
                let s = base + sign * n;
                (RTMIN..=RTMAX).contains(&s)
            })
    };
    let ok = NAMES.contains(&name)
        || name.strip_prefix("RTMIN").is_some_and(|r| realtime(RTMIN, 1, r))
        || name.strip_prefix("RTMAX").is_some_and(|r| realtime(RTMAX, -1, r))
        || (name.len() == value.len() && parse_integer(value).is_some_and(|n| (1..=RTMAX).contains(&n)));
    match ok {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a signal (e.g. SIGTERM, TERM, RTMIN+3, 15)")),
    }
}

pub(super) fn parse_decimal(s: &str) -> Option<i128> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// config_parse_delegate(): a boolean, or cgroup controllers (each unknown one dropped).
pub(super) fn delegate(value: &str) -> Verdict {
    if value.is_empty() || parse_boolean(value).is_some() {
        return Verdict::Accepted;
    }
    list(value, WordFlags::UNQUOTE, |w| {
        (!super::cgroup::CONTROLLERS.contains(&w)).then(|| "not a cgroup controller".to_owned())
    })
}

/// sd_bus_service_name_is_valid() for BusName=: dot-separated elements of letters, digits,
/// `_` and `-`, at least two, none starting with a digit.
pub(super) fn bus_name(value: &str) -> Verdict {
    let elements: Vec<&str> = value.split('.').collect();
    let valid = value.len() <= 255
        && elements.len() >= 2
        && elements.iter().all(|e| {
            !e.is_empty()
                && !e.starts_with(|c: char| c.is_ascii_digit())
                && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    match valid {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a D-Bus name such as org.example.Service")),
    }
}
