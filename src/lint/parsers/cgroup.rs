//! Parsers of cgroup settings beyond plain weights and limits (src/core/load-fragment.c):
//! per-device IO limits, BPF programs, socket bind rules, controllers, systemd-oomd.

use super::*;

/// `DEVICE VALUE` of the per-device settings: the device path (not checked against /dev:
/// systemd resolves it when the unit starts) must be normalized; `value` judges the rest.
fn device_and(value: &str, what: &str, judge_rest: impl Fn(&str) -> Option<String>) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    let mut p = value;
    let path = match extract_first_word(&mut p, WordFlags::UNQUOTE) {
        Ok(Some(path)) => path,
        _ => return rejected(format!("{value:?} is not DEVICE {what}")),
    };
    let rest = p.trim_matches(WHITESPACE);
    if rest.is_empty() {
        return rejected(format!("{value:?} is not DEVICE {what} (the {what} is missing)"));
    }
    let path = match expanded(&path) {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    if !crate::grammar::path_is_normalized(&path) {
        return rejected(format!("{path:?} is not a normalized path"));
    }
    match judge_rest(rest) {
        Some(why) => rejected(why),
        None => Verdict::Accepted,
    }
}

/// IODeviceWeight=: 1..10000.
pub(super) fn io_device_weight(value: &str) -> Verdict {
    device_and(value, "WEIGHT", |w| match ranged(w, 1, 10_000) {
        Verdict::Accepted => None,
        _ => Some(format!("{w:?} is not an IO weight (1..10000)")),
    })
}

/// IODeviceLatencyTargetSec=: a time span.
pub(super) fn io_device_latency(value: &str) -> Verdict {
    device_and(value, "TIME", |t| (!is_time_span(t)).then(|| format!("{t:?} is not a time span")))
}

/// IO{Read,Write}{Bandwidth,IOPS}Max=: `infinity` or an amount above 0 (K, M, G suffixes).
pub(super) fn io_limit(value: &str) -> Verdict {
    device_and(value, "LIMIT", |l| {
        let ok = l == "infinity" || parse_size_1024(l).is_some_and(|n| n > 0);
        (!ok).then(|| format!("{l:?} is not an IO limit (an amount above 0 such as 5M, or infinity)"))
    })
}

/// BlockIO{Read,Write}Bandwidth= (deprecated): an amount above 0.
pub(super) fn blockio_bandwidth(value: &str) -> Verdict {
    device_and(value, "BYTES", |l| {
        parse_size_1024(l).is_none_or(|n| n == 0).then(|| format!("{l:?} is not a bandwidth above 0 such as 5M"))
    })
}

/// BlockIODeviceWeight= (deprecated): 10..1000.
pub(super) fn blockio_device_weight(value: &str) -> Verdict {
    device_and(value, "WEIGHT", |w| match ranged(w, 10, 1000) {
        Verdict::Accepted => None,
        _ => Some(format!("{w:?} is not a block IO weight (10..1000)")),
    })
}

/// config_parse_bpf_foreign_program(): `ATTACH-TYPE:PATH`.
pub(super) fn bpf_foreign_program(value: &str) -> Verdict {
    const ATTACH_TYPES: &[&str] = &[
        "ingress",
        "egress",
        "sock_create",
        "sock_ops",
        "device",
        "bind4",
        "bind6",
        "connect4",
        "connect6",
        "post_bind4",
        "post_bind6",
        "sendmsg4",
        "sendmsg6",
        "sysctl",
        "recvmsg4",
        "recvmsg6",
        "getsockopt",
        "setsockopt",
    ];
    if value.is_empty() {
        return Verdict::Accepted;
    }
    match value.split_once(':').filter(|(_, path)| !path.is_empty()) {
        None => rejected(format!("{value:?} is not ATTACH-TYPE:PATH")),
        Some((kind, _)) if !ATTACH_TYPES.contains(&kind) => {
            rejected(format!("{kind:?} is not a BPF attach type (ingress, egress, sock_create...)"))
        }
        Some((_, path)) => absolute(path),
    }
}

/// parse_socket_bind_item(): `[ipv4|ipv6:][tcp|udp:](any|PORT|PORT-PORT)`, each part optional
/// but in this order.
pub(super) fn socket_bind(value: &str, target: u32) -> Verdict {
    if value.is_empty()
        || socket_bind_item(value, crate::grammar::release::ParserRelease::of(target).socket_bind_port_zero)
    {
        return Verdict::Accepted;
    }
    rejected(format!("{value:?} is not a socket bind rule ([ipv4|ipv6:][tcp|udp:]any|PORT|PORT-PORT)"))
}

fn socket_bind_item(s: &str, port_zero: bool) -> bool {
    let port =
        |p: &str| p.parse::<u16>().ok().filter(|n| (*n > 0 || port_zero) && p.bytes().all(|b| b.is_ascii_digit()));
    let parsers: [&dyn Fn(&str) -> bool; 3] = [&|t| t == "ipv4" || t == "ipv6", &|t| t == "tcp" || t == "udp", &|t| {
        t == "any"
            || match t.split_once('-') {
                Some((a, b)) => port(a).zip(port(b)).is_some_and(|(a, b)| a <= b),
                None => port(t).is_some(),
            }
    }];
    let tokens: Vec<&str> = s.split(':').collect();
    let mut next_parser = 0;
    let mut ok = false;
    let mut used = 0;
    for token in &tokens {
        if token.is_empty() {
            return false;
        }
        used += 1;
        while next_parser < parsers.len() {
            ok = parsers[next_parser](token);
            next_parser += 1;
            if ok {
                break;
            }
        }
        if next_parser == parsers.len() {
            break;
        }
    }
    ok && used == tokens.len()
}

/// Controller names of cgroup_controller_from_string() (systemd 252).
pub(super) const CONTROLLERS: &[&str] = &[
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

/// config_parse_disable_controllers(): unknown names are skipped without a word; only a
/// line naming no known controller is refused.
pub(super) fn disable_controllers(value: &str) -> Verdict {
    let (words, _) = list_words(value, WordFlags::NONE);
    if !value.is_empty() && !words.iter().any(|w| CONTROLLERS.contains(&w.as_str())) {
        return rejected(format!("{value:?} names no cgroup controller ({})", CONTROLLERS.join(", ")));
    }
    silently_dropped(&words, CONTROLLERS, "not a cgroup controller")
}

/// Secure bits of secure_bits_from_string(), which skips other words without a word.
pub(super) const SECURE_BITS: &[&str] =
    &["keep-caps", "keep-caps-locked", "no-setuid-fixup", "no-setuid-fixup-locked", "noroot", "noroot-locked"];

pub(super) fn secure_bits(value: &str) -> Verdict {
    silently_dropped(&list_words(value, WordFlags::UNQUOTE).0, SECURE_BITS, "not a secure bit")
}

/// The words of a list systemd drops without a word: those not among `known`.
fn silently_dropped(words: &[String], known: &[&str], why: &str) -> Verdict {
    let dropped: Vec<(String, String)> =
        words.iter().filter(|w| !known.contains(&w.as_str())).map(|w| (w.clone(), why.to_owned())).collect();
    match dropped.is_empty() {
        true => Verdict::Accepted,
        false => Verdict::SilentlyDropped(dropped),
    }
}

/// ManagedOOMMemoryPressureLimit=: a percentage 0%..100%.
pub(super) fn oom_pressure_limit(value: &str) -> Verdict {
    empty_or(value, |v| match parse_permyriad(v, false).is_some() {
        true => Verdict::Accepted,
        false => rejected(format!("{v:?} is not a percentage between 0% and 100%")),
    })
}
