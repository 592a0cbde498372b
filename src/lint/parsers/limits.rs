//! Parsers of resource limits and amounts: rlimits, tasks, memory, time spans.

use super::*;

/// rlimit_parse(): `VALUE` or `SOFT:HARD`, each "infinity" or in the resource's unit, the
/// soft limit no higher than the hard one.
pub(super) fn rlimit(key: &str, value: &str) -> Verdict {
    let one = |v: &str| -> Option<u128> {
        if v == "infinity" && key != "LimitNICE" {
            return Some(u128::MAX);
        }
        match key {
            "LimitCPU" | "LimitRTTIME" => is_time_span(v).then(|| time_order(v)),
            "LimitNICE" => {
                let n = if v.starts_with(['+', '-']) {
                    parse_integer(v).filter(|n| (-20..=19).contains(n)).map(|n| 20 - n)
                } else {
                    parse_integer(v).filter(|n| (0..=40).contains(n))
                }?;
                Some(n as u128)
            }
            "LimitFSIZE" | "LimitDATA" | "LimitSTACK" | "LimitCORE" | "LimitRSS" | "LimitAS" | "LimitMEMLOCK"
            | "LimitMSGQUEUE" => parse_size_1024(v).map(u128::from),
            _ => parse_integer(v).filter(|n| *n >= 0 && *n < u64::MAX as i128).map(|n| n as u128),
        }
    };
    let parsed = match value.split_once(':') {
        Some((soft, hard)) => one(soft).zip(one(hard)),
        None => one(value).map(|v| (v, v)),
    };
    match parsed {
        Some((soft, hard)) if soft > hard => {
            rejected(format!("{value:?}: the soft limit is higher than the hard limit"))
        }
        Some(_) => Verdict::Accepted,
        None => rejected(format!("{value:?} is not a resource limit (a value, SOFT:HARD, or infinity)")),
    }
}

/// A rough magnitude of a time span, only to compare a soft with a hard limit written alike.
pub(super) fn time_order(v: &str) -> u128 {
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: u128 = digits.parse().unwrap_or(0);
    let unit = v[digits.len()..].trim_start_matches(WHITESPACE);
    let scale: u128 = match unit.chars().next() {
        Some('m') if unit.starts_with("min") => 60,
        Some('m') if unit.starts_with("ms") || unit.starts_with("msec") => 0,
        Some('h') => 3600,
        Some('d') => 86_400,
        Some('w') => 604_800,
        _ => 1,
    };
    n * scale
}

/// config_parse_tasks_max(): "infinity", a percentage up to 100%, or a number above 0.
pub(super) fn tasks_max(value: &str) -> Verdict {
    if value == "infinity" {
        return Verdict::Accepted;
    }
    if value.ends_with(['%', '\u{2030}', '\u{2031}']) {
        return match parse_permyriad(value, false) {
            Some(_) => Verdict::Accepted,
            None => rejected(format!("{value:?} is not a percentage between 0% and 100%")),
        };
    }
    match parse_integer(value) {
        Some(n) if n >= 1 && n < u64::MAX as i128 => Verdict::Accepted,
        Some(_) => rejected(format!("{value:?} is out of range")),
        None => rejected(format!("{value:?} is not a number, a percentage or infinity")),
    }
}

/// config_parse_memory_limit(): "infinity", a percentage of RAM or a size in bytes (K, M,
/// G... suffixes); 0 only for the settings that protect memory or limit swap.
pub(super) fn memory_limit(key: &str, value: &str, target: u32) -> Verdict {
    if value == "infinity" {
        return Verdict::Accepted;
    }
    let zero_ok = crate::grammar::release::ParserRelease::memory_zero_ok(target).contains(&key);
    let bytes = if value.ends_with(['%', '\u{2030}', '\u{2031}']) {
        match parse_permyriad(value, false) {
            Some(p) => u64::from(p > 0),
            None => return rejected(format!("{value:?} is not a percentage between 0% and 100%")),
        }
    } else {
        match parse_size_1024(value) {
            Some(b) => b,
            None => return rejected(format!("{value:?} is not a size such as 512M, a percentage or infinity")),
        }
    };
    if bytes == 0 && !zero_ok {
        return rejected(format!("{key}=0 is out of range"));
    }
    Verdict::Accepted
}

pub(super) fn time_span(value: &str) -> Verdict {
    match is_time_span(value) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a time span (e.g. 30s, 5min 20s, infinity)")),
    }
}
