//! Value checks of systemd 252's config_parse_*() functions beyond booleans, enums and
//! modes (those are in `values`): name lists, ranges, paths, limits, outputs. The key table
//! in data/ names each key's parser; [`judge`] dispatches on that name, so one grammar serves
//! every key read by the same parser. Each check says "rejected" only where the parser
//! certainly logs and ignores; what depends on the running system (users that exist, kernel
//! features) is left alone. Name tables are the score's (crate::score::names, the release's
//! seccomp data), so lint and the score agree on what systemd knows.

use super::table::KeyInfo;
use super::values::Verdict;
use crate::grammar::{
    absolute_path, extract_first_word, is_nsec_span, is_time_span, parse_boolean, parse_integer, parse_permyriad,
    parse_size_1024, WordFlags, WHITESPACE,
};
use crate::score::context::exec_line::exec_line_problem;
use crate::score::names::{
    address_family, capability_from_name, ip_prefixes, namespace_flags_from_string, parse_errno, CAPABILITIES,
};
use crate::score::release::Release;
use crate::score::specifiers::{expand, UnitIdent, TEMPLATE_INSTANCE};
use crate::score::syscalls::SyscallTable;
use crate::score::values::{valid_device_allow_path, valid_user_group_name_relaxed};

/// Names systemd drops from a list without a word (neither `verify` nor the journal tells):
/// the parsers whose lists lint checks beyond what systemd reports.
pub const SILENT_LIST_PARSERS: &[&str] = &["config_parse_capability_set"];

/// How systemd `target` reads `value` with `parser`; None for a parser not modelled here.
pub fn judge(parser: &str, info: &KeyInfo, value: &str, target: u32) -> Option<Verdict> {
    let release = Release::of(target);
    Some(match parser {
        "config_parse_address_families" => address_families(value),
        "config_parse_syscall_filter" => syscall_list(value, release, true),
        "config_parse_syscall_log" => syscall_list(value, release, false),
        "config_parse_syscall_archs" => list(value, WordFlags::UNQUOTE, |w| {
            (!release.is_seccomp_arch(w)).then(|| "not a system call architecture".to_owned())
        }),
        "config_parse_restrict_namespaces" => restrict_namespaces(value),
        "config_parse_capability_set" => capability_set(value, release),
        "config_parse_exec_nice" => empty_or(value, |v| ranged(v, -20, 19)),
        "config_parse_exec_oom_score_adjust" => empty_or(value, |v| ranged(v, -1000, 1000)),
        "config_parse_exec_io_priority" => empty_or(value, |v| ranged(v, 0, 7)),
        "config_parse_exec_cpu_sched_prio" => ranged(value, 0, 99),
        "config_parse_exec_io_class" => {
            empty_or(value, |v| named_or_number(v, &["none", "realtime", "best-effort", "idle"], "IO scheduling class"))
        }
        "config_parse_exec_cpu_sched_policy" => {
            empty_or(value, |v| named_or_number(v, &["other", "batch", "idle", "fifo", "rr"], "scheduling policy"))
        }
        "config_parse_log_level" => log_level(value),
        "config_parse_log_facility" => log_facility(value),
        "config_parse_syscall_errno" => empty_or(value, errno),
        "config_parse_signal" => signal(value),
        "config_parse_rlimit" => rlimit(info.key, value),
        "config_parse_tasks_max" => empty_or(value, tasks_max),
        "config_parse_memory_limit" => empty_or(value, |v| memory_limit(info.key, v)),
        "config_parse_cpu_quota" => empty_or(value, |v| match parse_permyriad(v, true) {
            Some(p) if p > 0 => Verdict::Accepted,
            _ => rejected(format!("{v:?} is not a positive percentage such as 50% or 150%")),
        }),
        "config_parse_cg_weight" => empty_or(value, |v| ranged(v, 1, 10_000)),
        "config_parse_cg_cpu_weight" => {
            empty_or(value, |v| if v == "idle" { Verdict::Accepted } else { ranged(v, 1, 10_000) })
        }
        "config_parse_cpu_shares" => empty_or(value, |v| ranged(v, 2, 262_144)),
        "config_parse_blockio_weight" => empty_or(value, |v| ranged(v, 10, 1000)),
        "config_parse_service_timeout" | "config_parse_job_timeout_sec" => time_span(value),
        "config_parse_service_timeout_abort" => empty_or(value, time_span),
        "config_parse_nsec" => match is_nsec_span(value) {
            true => Verdict::Accepted,
            false => rejected(format!("{value:?} is not a time span in nanoseconds (e.g. 50us)")),
        },
        "config_parse_exec_output" => exec_output(value),
        "config_parse_exec_input" => exec_input(value),
        "config_parse_unit_env_file" => empty_or(value, |v| absolute(v.strip_prefix('-').unwrap_or(v))),
        "config_parse_unit_path_printf" => empty_or(value, absolute),
        "config_parse_working_directory" => empty_or(value, |v| {
            let path = v.strip_prefix('-').unwrap_or(v);
            if path == "~" {
                Verdict::Accepted
            } else {
                absolute(path)
            }
        }),
        "config_parse_unit_string_printf" => specifiers_only(value),
        "config_parse_user_group_compat" => empty_or(value, user_group),
        "config_parse_user_group_strv_compat" => match list_words(value, WordFlags::UNQUOTE) {
            (_, Some(e)) => rejected(e),
            (words, None) => match words.iter().find(|w| user_group(w) != Verdict::Accepted) {
                Some(w) => rejected(format!("{w:?} is not a valid user or group name or numeric ID")),
                None => Verdict::Accepted,
            },
        },
        "config_parse_device_allow" => empty_or(value, device_allow),
        "config_parse_exec" => empty_or(value, |v| match exec_line_problem(&lint_ident(), v) {
            Some(problem) => rejected(problem),
            None => Verdict::Accepted,
        }),
        "config_parse_delegate" if !matches!(info.section, "Service" | "Scope") => {
            rejected("only services and scopes can delegate a cgroup subtree; this unit type ignores it".into())
        }
        "config_parse_delegate" => delegate(value),
        "config_parse_in_addr_prefixes" => list(value, WordFlags::NONE, |w| {
            ip_prefixes(w).is_none().then(|| "not an address prefix (ADDRESS[/LENGTH], any, localhost...)".to_owned())
        }),
        "config_parse_ip_filter_bpf_progs" => empty_or(value, absolute),
        "config_parse_bus_name" => bus_name(value),
        _ => return None,
    })
}

/// What systemd logs while accepting a value (a warning, not a rejection).
pub fn accepted_with_warning(key: &str, value: &str) -> Option<String> {
    matches!(key, "User" | "SocketUser").then_some(()).filter(|_| value == "nobody").map(|_| {
        format!("systemd warns that {key}=nobody is not safe: every service running as nobody shares its files and processes")
    })
}

fn lint_ident() -> UnitIdent {
    UnitIdent::new("lint@.service", None, TEMPLATE_INSTANCE)
}

fn rejected(why: String) -> Verdict {
    Verdict::Rejected(why)
}

/// The empty value resets most settings; `then` judges any other.
fn empty_or(value: &str, then: impl FnOnce(&str) -> Verdict) -> Verdict {
    if value.is_empty() {
        Verdict::Accepted
    } else {
        then(value)
    }
}

/// safe_atoi() and a range check.
fn ranged(value: &str, min: i128, max: i128) -> Verdict {
    match parse_integer(value) {
        Some(n) if (min..=max).contains(&n) => Verdict::Accepted,
        Some(_) => rejected(format!("{value:?} is out of range ({min}..{max})")),
        None => rejected(format!("{value:?} is not a number ({min}..{max})")),
    }
}

/// *_from_string_with_fallback(): one of `names` (exact case) or a non-negative number.
fn named_or_number(value: &str, names: &[&str], what: &str) -> Verdict {
    if names.contains(&value) || parse_integer(value).is_some_and(|n| (0..=i32::MAX as i128).contains(&n)) {
        Verdict::Accepted
    } else {
        rejected(format!("{value:?} is not a {what} ({})", names.join(", ")))
    }
}

/// The words extract_first_word() gives with `flags`, and the syntax error that ended them.
fn list_words(value: &str, flags: WordFlags) -> (Vec<String>, Option<String>) {
    let mut p = value;
    let mut words = Vec::new();
    loop {
        match extract_first_word(&mut p, flags) {
            Ok(Some(w)) => words.push(w),
            Ok(None) => return (words, None),
            Err(e) => return (words, Some(format!("invalid syntax ({e}); the rest of the line is ignored"))),
        }
    }
}

/// A list whose parser drops each bad word on its own and logs it.
fn list(value: &str, flags: WordFlags, problem: impl Fn(&str) -> Option<String>) -> Verdict {
    let (words, error) = list_words(value, flags);
    let mut bad: Vec<(String, String)> = words.iter().filter_map(|w| problem(w).map(|p| (w.clone(), p))).collect();
    if let Some(e) = error {
        bad.push((value.to_owned(), e));
    }
    if bad.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::PartlyRejected(bad)
    }
}

/// config_parse_address_families(): `none`, or families, the whole list inverted by a `~`.
fn address_families(value: &str) -> Verdict {
    if value.is_empty() || value == "none" {
        return Verdict::Accepted;
    }
    let rest = value.strip_prefix('~').unwrap_or(value);
    list(rest, WordFlags::UNQUOTE, |w| address_family(w).is_none().then(|| "not an address family".to_owned()))
}

/// config_parse_syscall_filter() and config_parse_syscall_log(): system calls and @groups
/// libseccomp and this release know; in a filter, `name:errno` only when it is a deny list.
fn syscall_list(value: &str, release: &Release, filter: bool) -> Verdict {
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
fn restrict_namespaces(value: &str) -> Verdict {
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
fn capability_set(value: &str, release: &Release) -> Verdict {
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

/// What a capability list line leaves in effect once systemd has dropped the unknown names.
pub fn effect_of_dropping(key: &str, value: &str) -> String {
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
    if !SILENT_LIST_PARSERS.contains(&info.parser_252?) || value.contains(['"', '\\', '\'']) {
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

fn log_level(value: &str) -> Verdict {
    const LEVELS: &[&str] = &["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
    if LEVELS.contains(&value) || parse_integer(value).is_some_and(|n| (0..=7).contains(&n)) {
        Verdict::Accepted
    } else {
        rejected(format!("{value:?} is not a log level ({})", LEVELS.join(", ")))
    }
}

fn log_facility(value: &str) -> Verdict {
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
fn errno(value: &str) -> Verdict {
    match parse_errno(value) {
        Some(_) if parse_integer(value) == Some(0) => rejected("0 is not an error number".into()),
        Some(_) => Verdict::Accepted,
        None => rejected(format!("{value:?} is not an error name such as EPERM, or a number 1..4095")),
    }
}

/// signal_from_string(): a name with or without SIG, RTMIN+n, RTMAX-n, or 1..64.
fn signal(value: &str) -> Verdict {
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

fn parse_decimal(s: &str) -> Option<i128> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// rlimit_parse(): `VALUE` or `SOFT:HARD`, each "infinity" or in the resource's unit, the
/// soft limit no higher than the hard one.
fn rlimit(key: &str, value: &str) -> Verdict {
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
fn time_order(v: &str) -> u128 {
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
fn tasks_max(value: &str) -> Verdict {
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
fn memory_limit(key: &str, value: &str) -> Verdict {
    if value == "infinity" {
        return Verdict::Accepted;
    }
    let zero_ok = matches!(key, "MemoryLow" | "MemoryMin" | "MemorySwapMax" | "DefaultMemoryLow" | "DefaultMemoryMin");
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

fn time_span(value: &str) -> Verdict {
    match is_time_span(value) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a time span (e.g. 30s, 5min 20s, infinity)")),
    }
}

/// config_parse_exec_output() for StandardOutput= and StandardError=.
fn exec_output(value: &str) -> Verdict {
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
fn exec_input(value: &str) -> Verdict {
    const PLAIN: &[&str] = &["null", "tty", "tty-force", "tty-fail", "socket", "data"];
    stdio(value, PLAIN, &["file:"], "input")
}

fn stdio(value: &str, plain: &[&str], path_prefixes: &[&str], what: &str) -> Verdict {
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
fn expanded(value: &str) -> Result<String, String> {
    expand(&lint_ident(), value).map_err(|e| format!("%{} is not a specifier (write %% for a literal %)", e.0))
}

fn specifiers_only(value: &str) -> Verdict {
    match expanded(value) {
        Ok(_) => Verdict::Accepted,
        Err(e) => rejected(e),
    }
}

/// path_simplify_and_warn(PATH_CHECK_ABSOLUTE) after specifiers.
fn absolute(value: &str) -> Verdict {
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
fn user_group(value: &str) -> Verdict {
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

/// config_parse_delegate(): a boolean, or cgroup controllers (each unknown one dropped).
fn delegate(value: &str) -> Verdict {
    const CONTROLLERS: &[&str] = &[
        "cpu",
        "cpuacct",
        "cpuset",
        "io",
        "blkio",
        "memory",
        "devices",
        "pids",
        "bpf-firewall",
        "bpf-devices",
        "bpf-foreign",
        "bpf-socket-bind",
        "bpf-restrict-network-interfaces",
    ];
    if value.is_empty() || parse_boolean(value).is_some() {
        return Verdict::Accepted;
    }
    list(value, WordFlags::UNQUOTE, |w| (!CONTROLLERS.contains(&w)).then(|| "not a cgroup controller".to_owned()))
}

/// sd_bus_service_name_is_valid() for BusName=: dot-separated elements of letters, digits,
/// `_` and `-`, at least two, none starting with a digit.
fn bus_name(value: &str) -> Verdict {
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

/// config_parse_device_allow(): a device path (or char-/block- class) and rights among r, w, m.
fn device_allow(value: &str) -> Verdict {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::table;

    fn judge_key(key: &str, value: &str) -> Verdict {
        let info = table::key("Service", key).unwrap();
        judge(info.parser_252.unwrap(), info, value, 252).unwrap()
    }

    fn bad(key: &str, value: &str) -> bool {
        judge_key(key, value).is_rejection()
    }

    #[test]
    fn the_issue_examples_are_rejected() {
        assert!(bad("RestrictAddressFamilies", "AF_UNIX AF_PACKETS AF_INET6"));
        assert!(bad("SystemCallFilter", "@system-service @networking reed"));
        assert!(bad("SystemCallArchitectures", "native ; comment"));
        assert!(bad("RestrictNamespaces", "ipc uts pids"));
        assert!(bad("Nice", "-25"));
        assert!(bad("LimitNPROC", "512:64"));
        assert!(bad("IOSchedulingClass", "rt2"));
        assert!(bad("DeviceAllow", "/dev/zero rx"));
        assert!(bad("User", "a/b"));
        assert!(bad("SystemCallErrorNumber", "EBOGUS"));
        assert!(bad("StandardOutput", "bogus"));
        assert!(bad("TimeoutSec", "5x"));
        assert!(bad("RootDirectory", "srv"));
        assert!(bad("EnvironmentFile", "foo"));
    }

    #[test]
    fn what_systemd_accepts_is_accepted() {
        for (k, v) in [
            ("RestrictAddressFamilies", "~AF_INET af_unix"),
            ("RestrictAddressFamilies", "none"),
            ("SystemCallFilter", "~@mount read:EPERM _llseek"),
            ("SystemCallArchitectures", "native x86-64"),
            ("RestrictNamespaces", "~net ipc"),
            ("Nice", "+5"),
            ("LimitNOFILE", "1024:infinity"),
            ("LimitNICE", "-5"),
            ("LimitFSIZE", "1K:2M"),
            ("IOSchedulingClass", "8"),
            ("DeviceAllow", "char-pts rw"),
            ("KillSignal", "RTMIN+3"),
            ("KillSignal", "SIGTERM"),
            ("TasksMax", "5%"),
            ("MemoryMax", "1.5G"),
            ("CPUQuota", "150%"),
            ("StandardOutput", "file:/var/log/x y"),
            ("StandardError", "fd:foo"),
            ("SyslogFacility", "local7"),
            ("User", "-x"),
            ("EnvironmentFile", "-/etc/default/%p"),
        ] {
            assert_eq!(judge_key(k, v), Verdict::Accepted, "{k}={v}");
        }
    }

    #[test]
    fn misspelt_capabilities_are_dropped_silently_with_a_suggestion() {
        let v = judge_key("CapabilityBoundingSet", "CAP_SYS_NIC CAP_KILL");
        assert_eq!(
            v,
            Verdict::SilentlyDropped(vec![(
                "CAP_SYS_NIC".into(),
                "not a capability; did you mean CAP_SYS_NICE?".into()
            )])
        );
        assert_eq!(capability_suggestion("CAP_NET_ADMINN").as_deref(), Some("CAP_NET_ADMIN"));
        assert_eq!(capability_suggestion("net_admin").as_deref(), Some("CAP_NET_ADMIN"));
        assert_eq!(capability_suggestion("CAP_FROBNICATE"), None);
        assert_eq!(judge_key("AmbientCapabilities", "cap_kill 12"), Verdict::Accepted);
    }
}
