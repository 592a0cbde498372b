//! Parsers of the execution environment (src/core/load-fragment.c): mounts and images,
//! credentials, environment names, log fields, CPU sets, personalities, exit statuses,
//! conditions, and the other exec settings that are neither names nor limits.

use super::*;
use crate::grammar::path_is_normalized;

/// The problem of one path of a list, after specifiers: not absolute, or not normalized.
fn path_problem(path: &str) -> Option<String> {
    match absolute(path) {
        Verdict::Rejected(why) => Some(why),
        _ => None,
    }
}

/// config_parse_bind_paths(): `[-]SOURCE[:DEST[:rbind|norbind]]` words; the first bad one
/// ends the line.
pub(super) fn bind_paths(value: &str) -> Verdict {
    list_until_bad(value, |word| {
        let source = word.strip_prefix('-').unwrap_or(word);
        let mut parts = source.splitn(3, ':');
        let source = parts.next().unwrap_or("");
        let dest = parts.next();
        let options = parts.next();
        path_problem(source).or_else(|| dest.and_then(path_problem)).or_else(|| match options {
            None | Some("" | "rbind" | "norbind") => None,
            Some(o) => Some(format!("{o:?} is not a bind option (rbind, norbind)")),
        })
    })
}

/// A list whose parser stops at the first bad word (earlier words stay in effect).
fn list_until_bad(value: &str, problem: impl Fn(&str) -> Option<String>) -> Verdict {
    let (words, error) = list_words(value, WordFlags::UNQUOTE);
    for w in &words {
        if let Some(p) = problem(w) {
            return Verdict::PartlyRejected(vec![(
                w.clone(),
                format!("{p}; this and the rest of the line are ignored"),
            )]);
        }
    }
    match error {
        Some(e) => Verdict::PartlyRejected(vec![(value.to_owned(), e)]),
        None => Verdict::Accepted,
    }
}

/// config_parse_temporary_filesystems(): `PATH[:OPTIONS]` words.
pub(super) fn temporary_filesystems(value: &str) -> Verdict {
    list_until_bad(value, |w| path_problem(w.split_once(':').map_or(w, |(p, _)| p)))
}

/// config_parse_colon_separated_paths(): absolute paths separated by `:`.
pub(super) fn colon_separated_paths(value: &str) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    match value.split(':').find_map(|p| path_problem(p).map(|why| (p, why))) {
        Some((p, why)) => Verdict::PartlyRejected(vec![(p.to_owned(), why)]),
        None => Verdict::Accepted,
    }
}

/// Partition names of dissect-image.c (systemd 252).
const PARTITIONS: &[&str] = &[
    "root",
    "root-secondary",
    "root-other",
    "usr",
    "usr-secondary",
    "usr-other",
    "home",
    "srv",
    "esp",
    "xbootldr",
    "swap",
    "root-verity",
    "root-secondary-verity",
    "root-other-verity",
    "usr-verity",
    "usr-secondary-verity",
    "usr-other-verity",
    "root-verity-sig",
    "root-secondary-verity-sig",
    "root-other-verity-sig",
    "usr-verity-sig",
    "usr-secondary-verity-sig",
    "usr-other-verity-sig",
    "tmp",
    "var",
];

/// config_parse_root_image_options(): `[PARTITION:]OPTIONS` words.
pub(super) fn root_image_options(value: &str) -> Verdict {
    list(value, WordFlags::UNQUOTE, |w| match w.split_once(':') {
        Some((partition, _)) if !PARTITIONS.contains(&partition) => {
            Some(format!("{partition:?} is not a partition name"))
        }
        _ => None,
    })
}

/// config_parse_extension_images(): `[-]IMAGE[:PARTITION:OPTIONS...]` words.
pub(super) fn extension_images(value: &str) -> Verdict {
    list_until_bad(value, |w| image_problem(w, false))
}

/// config_parse_mount_images(): `[-]IMAGE:DEST[:PARTITION:OPTIONS...]` words.
pub(super) fn mount_images(value: &str) -> Verdict {
    list_until_bad(value, |w| image_problem(w, true))
}

fn image_problem(word: &str, with_destination: bool) -> Option<String> {
    let mut parts = word.strip_prefix('-').unwrap_or(word).split(':');
    if let Some(p) = path_problem(parts.next().unwrap_or("")) {
        return Some(p);
    }
    if with_destination {
        match parts.next() {
            None => return Some("no destination (IMAGE:DEST)".into()),
            Some(dest) => {
                if let Some(p) = path_problem(dest) {
                    return Some(p);
                }
            }
        }
    }
    let rest: Vec<&str> = parts.collect();
    if rest.len() < 2 {
        return None;
    }
    rest.chunks(2)
        .find(|pair| pair.len() == 2 && !PARTITIONS.contains(&pair[0]))
        .map(|pair| format!("{:?} is not a partition name", pair[0]))
}

/// credential_name_valid(): a file name (no `/`, not `.` or `..`, at most 255 bytes).
fn credential_name_problem(name: &str) -> Option<String> {
    let valid = !name.is_empty() && name != "." && name != ".." && !name.contains('/') && name.len() <= 255;
    (!valid).then(|| format!("{name:?} is not a credential name (a file name)"))
}

/// config_parse_load_credential(): `NAME[:PATH]`; an absolute path must be normalized.
pub(super) fn load_credential(value: &str) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    let (name, path) = value.split_once(':').unwrap_or((value, ""));
    let name = match expanded(name) {
        Ok(n) => n,
        Err(e) => return rejected(e),
    };
    if let Some(p) = credential_name_problem(&name) {
        return rejected(p);
    }
    let path = match expanded(path) {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    if path.starts_with('/') && !path_is_normalized(&path) {
        return rejected(format!("{path:?} is not a normalized path"));
    }
    Verdict::Accepted
}

/// config_parse_set_credential(): `NAME:DATA`, the data C-escaped, or Base64 when encrypted.
pub(super) fn set_credential(ltype: &str, value: &str) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    let Some((name, data)) = value.split_once(':').filter(|(_, d)| !d.is_empty()) else {
        return rejected(format!("{value:?} is not NAME:DATA"));
    };
    let name = match expanded(name) {
        Ok(n) => n,
        Err(e) => return rejected(e),
    };
    if let Some(p) = credential_name_problem(&name) {
        return rejected(p);
    }
    let data_ok = if ltype == "1" { is_base64(data) } else { c_unescapes(data) };
    match data_ok {
        true => Verdict::Accepted,
        false if ltype == "1" => rejected("the encrypted data is not Base64".into()),
        false => rejected(format!("{data:?} has an invalid escape sequence")),
    }
}

/// unbase64mem(): Base64 with padding; blanks anywhere are skipped.
pub(super) fn is_base64(text: &str) -> bool {
    let s: Vec<u8> = text.bytes().filter(|b| !b" \t\n\r".contains(b)).collect();
    if s.len() % 4 != 0 {
        return false;
    }
    let pad = s.iter().rev().take_while(|b| **b == b'=').count();
    pad <= 2 && s[..s.len() - pad].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

/// cunescape(): every backslash starts a valid C escape.
pub(super) fn c_unescapes(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let hex = |s: &[u8], n: usize| s.len() >= n && s[..n].iter().all(|c| c.is_ascii_hexdigit());
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let rest = &b[i + 1..];
        let len = match rest.first() {
            Some(b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'\\' | b'"' | b'\'' | b's') => 1,
            Some(b'x') if hex(&rest[1..], 2) && &rest[1..3] != b"00" => 3,
            Some(b'u') if hex(&rest[1..], 4) => 5,
            Some(b'U') if hex(&rest[1..], 8) => 9,
            Some(b'0'..=b'7')
                if rest.len() >= 3 && rest[1..3].iter().all(|c| (b'0'..=b'7').contains(c)) && &rest[..3] != b"000" =>
            {
                3
            }
            _ => return false,
        };
        i += 1 + len;
    }
    true
}

/// env_name_is_valid(): letters, digits and `_`, not starting with a digit.
fn env_name_is_valid(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// config_parse_pass_environ() (`names_only`) and config_parse_unset_environ() (names or
/// NAME=VALUE assignments): each bad word is dropped.
pub(super) fn environment_names(value: &str, names_only: bool) -> Verdict {
    list(value, WordFlags::UNQUOTE, |w| {
        let w = match expanded(w) {
            Ok(w) => w,
            Err(e) => return Some(e),
        };
        let name = if names_only { w.as_str() } else { w.split_once('=').map_or(w.as_str(), |(n, _)| n) };
        (!env_name_is_valid(name)).then(|| "not an environment variable name".to_owned())
    })
}

/// config_parse_log_extra_fields(): `FIELD=VALUE` words, the field in upper case.
pub(super) fn log_extra_fields(value: &str) -> Verdict {
    list(value, WordFlags::UNQUOTE, |w| {
        let Some((field, _)) = w.split_once('=') else { return Some("no '=' (FIELD=VALUE)".into()) };
        let valid = !field.is_empty()
            && field.len() <= 64
            && !field.starts_with(|c: char| c.is_ascii_digit() || c == '_')
            && field.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        (!valid).then(|| "not a journal field name (upper case letters, digits, _)".to_owned())
    })
}

/// log_namespace_name_valid(): a file name usable as an instance name, without globs.
pub(super) fn log_namespace(value: &str) -> Verdict {
    empty_or(value, |v| {
        let v = match expanded(v) {
            Ok(v) => v,
            Err(e) => return rejected(e),
        };
        let valid = !v.is_empty()
            && v != "."
            && v != ".."
            && v.len() <= 200
            && v.chars().all(|c| c.is_ascii_alphanumeric() || ":-_.\\@".contains(c));
        match valid {
            true => Verdict::Accepted,
            false => rejected(format!("{v:?} is not a log namespace name")),
        }
    })
}

/// parse_cpu_set_extend(): CPU numbers and ranges (`0-3`), separated by blanks or commas;
/// `numa` for CPUAffinity=, `all` for NUMAMask=.
pub(super) fn cpu_set(value: &str, keyword: Option<&str>) -> Verdict {
    if value.is_empty() || keyword == Some(value) {
        return Verdict::Accepted;
    }
    let number = |s: &str| s.parse::<u32>().ok().filter(|_| s.bytes().all(|b| b.is_ascii_digit()));
    for item in value.split(|c: char| WHITESPACE.contains(&c) || c == ',').filter(|w| !w.is_empty()) {
        let (low, high) = match item.split_once('-') {
            Some((a, b)) => (number(a), number(b)),
            None => (number(item), number(item)),
        };
        let (Some(low), Some(high)) = (low, high) else {
            return rejected(format!("{item:?} is not a CPU number or range (e.g. 0-3)"));
        };
        if low > high {
            return rejected(format!("the range {item:?} is empty"));
        }
        if high >= 8192 {
            return rejected(format!("{item:?} is beyond the highest CPU number (8191)"));
        }
    }
    Verdict::Accepted
}

/// personality_from_string(): the architectures whose personality systemd can set. Which
/// ones a machine runs depends on it; lint knows the names.
pub(super) fn personality(value: &str, release: &Release) -> Verdict {
    if value.is_empty() || (value != "native" && release.is_seccomp_arch(value)) {
        return Verdict::Accepted;
    }
    rejected(format!("{value:?} is not an architecture (x86, x86-64, arm64...)"))
}

/// coredump_filter_mask_from_string(): names, `default`, `all`, or a hexadecimal mask.
pub(super) fn coredump_filter(value: &str) -> Verdict {
    const NAMES: &[&str] = &[
        "private-anonymous",
        "shared-anonymous",
        "private-file-backed",
        "shared-file-backed",
        "elf-headers",
        "private-huge",
        "shared-huge",
        "private-dax",
        "shared-dax",
        "default",
        "all",
    ];
    let hex = |w: &str| {
        let digits = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")).unwrap_or(w);
        !digits.is_empty() && digits.len() <= 16 && digits.chars().all(|c| c.is_ascii_hexdigit())
    };
    match value.split(WHITESPACE).filter(|w| !w.is_empty()).find(|w| !NAMES.contains(w) && !hex(w)) {
        Some(w) => rejected(format!("{w:?} is not a core dump filter name (e.g. private-anonymous, default) or mask")),
        None => Verdict::Accepted,
    }
}

/// config_parse_exec_root_hash(): an absolute path, or a hash in hexadecimal (16 bytes or more).
pub(super) fn root_hash(value: &str) -> Verdict {
    if value.is_empty() || value.starts_with('/') {
        return Verdict::Accepted;
    }
    if value.len() % 2 != 0 || !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return rejected(format!("{value:?} is neither an absolute path nor a hexadecimal hash"));
    }
    if value.len() < 32 {
        return rejected(format!("{value:?} is too short for a root hash (at least 16 bytes)"));
    }
    Verdict::Accepted
}

/// config_parse_exec_root_hash_sig(): an absolute path or `base64:DATA`.
pub(super) fn root_hash_signature(value: &str) -> Verdict {
    if value.is_empty() || value.starts_with('/') {
        return Verdict::Accepted;
    }
    match value.strip_prefix("base64:") {
        Some(data) if is_base64(data) => Verdict::Accepted,
        Some(_) => rejected("the data after base64: is not Base64".into()),
        None => rejected(format!("{value:?} is neither an absolute path nor base64:DATA")),
    }
}

/// config_parse_exec_input_text(): C-escaped text after specifiers.
pub(super) fn input_text(value: &str) -> Verdict {
    let v = match expanded(value) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    match c_unescapes(&v) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} has an invalid escape sequence")),
    }
}

/// SELinuxContext=, AppArmorProfile=, SmackProcessLabel=: any label (a `-` prefix makes it
/// optional); only the specifiers can fail, and then systemd refuses the unit.
pub(super) fn security_label(value: &str) -> Verdict {
    specifiers_only(value.strip_prefix('-').unwrap_or(value))
}

/// config_parse_pid_file(): a relative path is taken below /run; it must be normalized.
pub(super) fn pid_file(value: &str) -> Verdict {
    empty_or(value, |v| {
        let v = match expanded(v) {
            Ok(v) => v,
            Err(e) => return rejected(e),
        };
        match path_is_normalized(&format!("/run/{}", v.trim_start_matches('/'))) {
            true => Verdict::Accepted,
            false => rejected(format!("{v:?} is not a normalized path")),
        }
    })
}

/// exit_status_from_string(): a name such as FAILURE or 0..255.
fn exit_status(word: &str) -> bool {
    const NAMES: &[&str] = &[
        "SUCCESS",
        "FAILURE",
        "CHDIR",
        "NICE",
        "FDS",
        "EXEC",
        "MEMORY",
        "LIMITS",
        "OOM_ADJUST",
        "SIGNAL_MASK",
        "STDIN",
        "STDOUT",
        "CHROOT",
        "IOPRIO",
        "TIMERSLACK",
        "SECUREBITS",
        "SETSCHEDULER",
        "CPUAFFINITY",
        "GROUP",
        "USER",
        "CAPABILITIES",
        "CGROUP",
        "SETSID",
        "CONFIRM",
        "STDERR",
        "PAM",
        "NETWORK",
        "NAMESPACE",
        "NO_NEW_PRIVILEGES",
        "SECCOMP",
        "SELINUX_CONTEXT",
        "PERSONALITY",
        "APPARMOR",
        "ADDRESS_FAMILIES",
        "RUNTIME_DIRECTORY",
        "CHOWN",
        "SMACK_PROCESS_LABEL",
        "KEYRING",
        "STATE_DIRECTORY",
        "CACHE_DIRECTORY",
        "LOGS_DIRECTORY",
        "CONFIGURATION_DIRECTORY",
        "NUMA_POLICY",
        "CREDENTIALS",
        "BPF",
        "EXCEPTION",
        "INVALIDARGUMENT",
        "NOTIMPLEMENTED",
        "NOPERMISSION",
        "NOTINSTALLED",
        "NOTCONFIGURED",
        "NOTRUNNING",
        // sysexits.h, 64..78
        "USAGE",
        "DATAERR",
        "NOINPUT",
        "NOUSER",
        "NOHOST",
        "UNAVAILABLE",
        "SOFTWARE",
        "OSERR",
        "OSFILE",
        "CANTCREAT",
        "IOERR",
        "TEMPFAIL",
        "PROTOCOL",
        "NOPERM",
        "CONFIG",
    ];
    NAMES.contains(&word) || crate::grammar::safe_atou8(word).is_some()
}

/// config_parse_set_status(): exit statuses and signals, each bad word dropped.
pub(super) fn exit_statuses_and_signals(value: &str) -> Verdict {
    list(value, WordFlags::NONE, |w| {
        (!exit_status(w) && signal(w) != Verdict::Accepted)
            .then(|| "not an exit status (0..255, a name such as FAILURE) or a signal".to_owned())
    })
}

/// config_parse_exit_status(): 0..255.
pub(super) fn exit_status_number(value: &str) -> Verdict {
    empty_or(value, |v| ranged(v, 0, 255))
}

/// parse_emergency_action() for the system manager.
pub(super) fn emergency_action(value: &str, target: u32) -> Verdict {
    one_of(value, &crate::grammar::release::ParserRelease::emergency_actions(target), "action")
}

/// An exact name among `names` (the empty value is not one).
pub(super) fn one_of(value: &str, names: &[&str], what: &str) -> Verdict {
    match names.contains(&value) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not an {what} ({})", names.join(", "))),
    }
}

/// config_parse_unit_condition_path(): `|` then `!` (no blanks after them), then an absolute
/// path.
pub(super) fn condition_path(value: &str) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    let v = value.strip_prefix('|').unwrap_or(value);
    absolute(v.strip_prefix('!').unwrap_or(v))
}

/// config_parse_unit_condition_string(): the value is only tested when the unit starts
/// (verify does not), so only its specifiers can fail here.
pub(super) fn condition_string(value: &str) -> Verdict {
    let v = value.strip_prefix('|').map_or(value, |r| r.trim_start_matches(WHITESPACE));
    specifiers_only(v.strip_prefix('!').map_or(v, |r| r.trim_start_matches(WHITESPACE)))
}

/// config_parse_unit_requires_mounts_for() and config_parse_unit_path_strv_printf(): absolute
/// paths, each bad one dropped.
pub(super) fn path_list(value: &str) -> Verdict {
    list(value, WordFlags::UNQUOTE, path_problem)
}

/// config_parse_restrict_filesystems(): file system names (any; the kernel knows them) and
/// @groups (known ones).
pub(super) fn restrict_filesystems(value: &str) -> Verdict {
    const GROUPS: &[&str] = &[
        "@basic-api",
        "@anonymous",
        "@application",
        "@auxiliary-api",
        "@common-block",
        "@historical-block",
        "@network",
        "@privileged-api",
        "@security",
        "@temporary",
        "@known",
    ];
    list(value.strip_prefix('~').unwrap_or(value), WordFlags::UNQUOTE, |w| {
        (w.starts_with('@') && !GROUPS.contains(&w)).then(|| "not a file system group".to_owned())
    })
}

/// config_parse_restrict_network_interfaces(): interface names (no specifiers), the list
/// inverted by `~`.
pub(super) fn restrict_network_interfaces(value: &str, target: u32) -> Verdict {
    let max = crate::grammar::release::ParserRelease::of(target).restrict_interface_name_max;
    list_until_bad(value.strip_prefix('~').unwrap_or(value), |w| super::socket::interface_name_problem(w, max))
}
