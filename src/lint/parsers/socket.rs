//! Parsers of socket units' own settings (src/core/load-fragment.c, src/basic/socket-util.c,
//! src/shared/socket-netlink.c) and of the units a socket, timer or path unit names.

use super::*;
use crate::unit::name::UnitName;

/// config_parse_socket_listen(): by `ltype`, an address (ListenStream= and the other
/// SOCKET_SOCKET ones), a netlink family, or an absolute path.
pub(super) fn listen(key: &str, ltype: &str, value: &str) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    let v = match expanded(value) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    let ok = match (ltype, key) {
        ("SOCKET_SOCKET", "ListenNetlink") => netlink_address(&v),
        ("SOCKET_SOCKET", "ListenSequentialPacket") if socket_address(&v) && !v.starts_with(['/', '@']) => {
            return rejected(format!("{value:?}: sequential packet sockets are AF_UNIX only (/PATH or @ABSTRACT)"));
        }
        ("SOCKET_SOCKET", _) => socket_address(&v),
        _ => return absolute(value),
    };
    match ok {
        true => Verdict::Accepted,
        false => rejected(format!(
            "{value:?} is not a socket address (PORT, ADDRESS:PORT, [IPV6]:PORT, /PATH, @ABSTRACT, vsock:CID:PORT)"
        )),
    }
}

/// socket_address_parse(): what ListenStream=, ListenDatagram= and ListenSequentialPacket= take.
fn socket_address(s: &str) -> bool {
    if let Some(path) = s.strip_prefix('/') {
        return path.len() + 1 < 108;
    }
    if let Some(name) = s.strip_prefix('@') {
        return name.len() < 107;
    }
    if let Some(rest) = s.strip_prefix("vsock:") {
        return rest
            .split_once(':')
            .is_some_and(|(cid, port)| (cid.is_empty() || cid.parse::<u32>().is_ok()) && port.parse::<u32>().is_ok());
    }
    if let Some(rest) = s.strip_prefix('[') {
        let Some((addr, port)) = rest.split_once("]:") else { return false };
        let addr = addr.split_once('%').map_or(addr, |(a, _)| a);
        return addr.parse::<std::net::Ipv6Addr>().is_ok() && ip_port(port);
    }
    match s.rsplit_once(':') {
        Some((addr, port)) => ip_port(port) && addr.parse::<std::net::Ipv4Addr>().is_ok(),
        None => ip_port(s),
    }
}

/// parse_ip_port(): 1..65535.
fn ip_port(s: &str) -> bool {
    parse_integer(s).is_some_and(|n| (1..=65535).contains(&n)) && !s.starts_with(['+', '-'])
}

/// socket_address_parse_netlink(): a netlink family (name or number) and a group number.
fn netlink_address(s: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "route",
        "firewall",
        "inet-diag",
        "nflog",
        "xfrm",
        "selinux",
        "iscsi",
        "audit",
        "fib-lookup",
        "connector",
        "netfilter",
        "ip6-fw",
        "dnrtmsg",
        "kobject-uevent",
        "generic",
        "scsitransport",
        "ecryptfs",
        "rdma",
        "crypto",
        "smc",
        "usersock",
    ];
    let mut words = s.split(WHITESPACE).filter(|w| !w.is_empty());
    let Some(family) = words.next() else { return false };
    let family_ok = FAMILIES.contains(&family) || family.parse::<u32>().is_ok();
    let group_ok = match words.next() {
        Some(g) => g.parse::<u32>().is_ok(),
        None => true,
    };
    family_ok && group_ok && words.next().is_none()
}

/// parse_size(): a size in bytes with K, M, G... suffixes; no empty value.
pub(super) fn iec_size(value: &str) -> Verdict {
    match parse_size_1024(value) {
        Some(_) => Verdict::Accepted,
        None => rejected(format!("{value:?} is not a size such as 64K or 1M")),
    }
}

/// ip_tos_from_string(): a name or 0..255.
pub(super) fn ip_tos(value: &str) -> Verdict {
    const NAMES: &[&str] = &["low-delay", "throughput", "reliability", "low-cost"];
    empty_or(value, |v| named_or_number_up_to(v, NAMES, 255, "IP type of service"))
}

fn named_or_number_up_to(value: &str, names: &[&str], max: i128, what: &str) -> Verdict {
    if names.contains(&value) || (parse_integer(value).is_some_and(|n| (0..=max).contains(&n))) {
        Verdict::Accepted
    } else {
        rejected(format!("{value:?} is not a {what} ({} or 0..{max})", names.join(", ")))
    }
}

/// fdname_is_valid(): printable ASCII without ':', at most 255 characters.
pub(super) fn fd_name(value: &str) -> Verdict {
    let v = match expanded(value) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    let valid = v.len() <= 255 && v.chars().all(|c| (' '..='~').contains(&c) && c != ':');
    match valid {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a file descriptor name (printable, no ':', at most 255)")),
    }
}

/// ifname_valid(): at most `max` characters (15, or 127 for alternative names), none of `/`,
/// `:`, `%` or blanks, not `.`, `..` or all digits. Read without specifiers.
pub(super) fn interface_name_problem(name: &str, max: usize) -> Option<String> {
    let valid = !name.is_empty()
        && name.len() <= max
        && name != "."
        && name != ".."
        && !name.bytes().all(|b| b.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '/' | ':' | '%'));
    (!valid).then(|| format!("not a network interface name (at most {max} characters, no '/', ':' or '%')"))
}

pub(super) fn bind_to_device(value: &str) -> Verdict {
    if value.is_empty() || value == "*" {
        return Verdict::Accepted;
    }
    match interface_name_problem(value, 15) {
        Some(p) => rejected(format!("{value:?} is {p}")),
        None => Verdict::Accepted,
    }
}

/// socket_timestamping_from_string_harder().
pub(super) fn timestamping(value: &str) -> Verdict {
    match ["off", "us", "usec", "µs", "ns", "nsec"].contains(&value) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a timestamping precision (off, us, ns)")),
    }
}

/// config_parse_socket_protocol(): only what the release supports besides the default.
pub(super) fn socket_protocol(value: &str, target: u32) -> Verdict {
    let known = crate::grammar::release::ParserRelease::socket_protocols(target);
    match known.contains(&value) {
        true => Verdict::Accepted,
        false => rejected(format!("{value:?} is not a socket protocol systemd {target} sets ({})", known.join(", "))),
    }
}

/// The unit a setting names, after specifiers: a valid name of `unit_type` (any type when
/// None); a template only when `template_ok`.
fn unit_of_type(value: &str, unit_type: Option<&str>, template_ok: bool) -> Verdict {
    let v = match expanded(value) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    let Some(name) = UnitName::parse(&v) else {
        return rejected(format!("{value:?} is not a unit name"));
    };
    if let Some(t) = unit_type.filter(|t| name.unit_type() != *t) {
        return rejected(format!("{value:?} is not a .{t} unit"));
    }
    if name.is_template() && !template_ok {
        return rejected(format!("{value:?} is a template without an instance name"));
    }
    Verdict::Accepted
}

/// Socket's Service=: a service, not a bare template.
pub(super) fn socket_service(value: &str) -> Verdict {
    unit_of_type(value, Some("service"), false)
}

/// Timer's and path's Unit=: any unit name.
pub(super) fn trigger_unit(value: &str) -> Verdict {
    unit_of_type(value, None, true)
}

/// Service's Sockets=: socket unit names, each dropped on its own.
pub(super) fn service_sockets(value: &str) -> Verdict {
    list(value, WordFlags::UNQUOTE, |w| match unit_of_type(w, Some("socket"), true) {
        Verdict::Rejected(why) => Some(why),
        _ => None,
    })
}

/// config_parse_unit_slice(): a plain `.slice` name (no template, no instance).
pub(super) fn slice(value: &str) -> Verdict {
    match unit_of_type(value, Some("slice"), false) {
        Verdict::Accepted if expanded(value).is_ok_and(|v| v.contains('@')) => {
            rejected(format!("{value:?}: a slice has no instances"))
        }
        other => other,
    }
}
