//! Names systemd 252 knows for the values the score reads — errno names, capabilities,
//! address families, namespace types, seccomp architectures — and IP address prefixes, each
//! as the systemd function in its comment matches them.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::grammar::{extract_first_word, extract_words, safe_atoi, safe_atou8, WordFlags};

#[rustfmt::skip]
const ERRNO_NAMES: &[&str] = &[
    "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EADV", "EAFNOSUPPORT", "EAGAIN", "EALREADY", "EBADE",
    "EBADF", "EBADFD", "EBADMSG", "EBADR", "EBADRQC", "EBADSLT", "EBFONT", "EBUSY", "ECANCELED", "ECHILD",
    "ECHRNG", "ECOMM", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDEADLOCK", "EDESTADDRREQ",
    "EDOM", "EDOTDOT", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTDOWN", "EHOSTUNREACH", "EHWPOISON",
    "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR", "EISNAM", "EKEYEXPIRED",
    "EKEYREJECTED", "EKEYREVOKED", "EL2HLT", "EL2NSYNC", "EL3HLT", "EL3RST", "ELIBACC", "ELIBBAD", "ELIBEXEC",
    "ELIBMAX", "ELIBSCN", "ELNRNG", "ELOOP", "EMEDIUMTYPE", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
    "ENAMETOOLONG", "ENAVAIL", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOANO", "ENOBUFS", "ENOCSI",
    "ENODATA", "ENODEV", "ENOENT", "ENOEXEC", "ENOKEY", "ENOLCK", "ENOLINK", "ENOMEDIUM", "ENOMEM", "ENOMSG",
    "ENONET", "ENOPKG", "ENOPROTOOPT", "ENOSPC", "ENOSR", "ENOSTR", "ENOSYS", "ENOTBLK", "ENOTCONN", "ENOTDIR",
    "ENOTEMPTY", "ENOTNAM", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY", "ENOTUNIQ", "ENXIO",
    "EOPNOTSUPP", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPFNOSUPPORT", "EPIPE", "EPROTO", "EPROTONOSUPPORT",
    "EPROTOTYPE", "ERANGE", "EREMCHG", "EREMOTE", "EREMOTEIO", "ERESTART", "ERFKILL", "EROFS", "ESHUTDOWN",
    "ESOCKTNOSUPPORT", "ESPIPE", "ESRCH", "ESRMNT", "ESTALE", "ESTRPIPE", "ETIME", "ETIMEDOUT", "ETOOMANYREFS",
    "ETXTBSY", "EUCLEAN", "EUNATCH", "EUSERS", "EWOULDBLOCK", "EXDEV", "EXFULL",
];

/// seccomp_parse_errno_or_action(): `kill`, an errno name (any case) or 0..=4095. Only
/// whether it parses matters to the score, so a name maps to 1.
pub fn parse_errno(s: &str) -> Option<i32> {
    if s == "kill" || ERRNO_NAMES.iter().any(|n| n.eq_ignore_ascii_case(s)) {
        return Some(1);
    }
    safe_atoi(s).filter(|e| (0..=4095).contains(e))
}

/// Capability names by number (capability_from_name(); names are matched in any case).
#[rustfmt::skip]
pub const CAPABILITIES: &[&str] = &[
    "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
    "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
    "cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module",
    "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot",
    "cap_sys_nice", "cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
    "cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override", "cap_mac_admin", "cap_syslog",
    "cap_wake_alarm", "cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
    "cap_checkpoint_restore",
];

pub fn capability_bit(name: &str) -> u64 {
    let i = CAPABILITIES.iter().position(|c| *c == name).expect("known capability name");
    1 << i
}

/// capability_from_name(): a number 0..=`max_number` or a known name.
pub fn capability_from_name(s: &str, max_number: i32) -> Option<u32> {
    if let Some(n) = safe_atoi(s) {
        return (0..=max_number).contains(&n).then_some(n as u32);
    }
    CAPABILITIES.iter().position(|c| c.eq_ignore_ascii_case(s)).map(|i| i as u32)
}

/// capability_set_from_string(): unknown words are skipped.
pub fn capability_set_from_string(s: &str, max_number: i32, cut_word_counts: bool) -> u64 {
    let words = if cut_word_counts { extract_words(s, WordFlags::UNQUOTE_RELAX) } else { capability_words(s) };
    words.iter().filter_map(|w| capability_from_name(w, max_number)).fold(0, |acc, c| acc | (1u64 << c))
}

/// The words of a capability list as systemd 252 takes them (EXTRACT_RELAX): a last word
/// cut short inside a quote counts for nothing (`"CAP_SYS_TIME` adds no capability, as
/// `systemd-analyze security` shows), one that ends in a lone backslash loses it.
fn capability_words(s: &str) -> Vec<String> {
    let mut p = s;
    let mut words = Vec::new();
    loop {
        let before = p;
        match extract_first_word(&mut p, WordFlags::UNQUOTE) {
            Ok(Some(w)) => words.push(w),
            Ok(None) => break,
            Err(_) => {
                let escapes_as_text = WordFlags { unquote: true, relax: false, retain_escape: true };
                let (mut a, mut b) = (before, before);
                let quote_open = extract_first_word(&mut a, escapes_as_text).is_err();
                if !quote_open {
                    if let Ok(Some(w)) = extract_first_word(&mut b, WordFlags::UNQUOTE_RELAX) {
                        words.push(w);
                    }
                }
                break;
            }
        }
    }
    words
}

/// The address-family rows a family falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AfRow {
    Inet,
    Unix,
    Netlink,
    Packet,
    Other,
}

/// af_from_name() (any case), mapped through af_to_name() to the row systemd-analyze uses:
/// aliases count as the family they alias (AF_LOCAL and AF_FILE are AF_UNIX, AF_ROUTE is
/// AF_NETLINK). Returns the family number and row.
pub fn address_family(s: &str) -> Option<(u32, AfRow)> {
    #[rustfmt::skip]
    const FAMILIES: &[(&str, u32)] = &[
        ("AF_LOCAL", 1), ("AF_UNIX", 1), ("AF_FILE", 1), ("AF_INET", 2), ("AF_AX25", 3), ("AF_IPX", 4),
        ("AF_APPLETALK", 5), ("AF_NETROM", 6), ("AF_BRIDGE", 7), ("AF_ATMPVC", 8), ("AF_X25", 9),
        ("AF_INET6", 10), ("AF_ROSE", 11), ("AF_DECnet", 12), ("AF_NETBEUI", 13), ("AF_SECURITY", 14),
        ("AF_KEY", 15), ("AF_NETLINK", 16), ("AF_ROUTE", 16), ("AF_PACKET", 17), ("AF_ASH", 18),
        ("AF_ECONET", 19), ("AF_ATMSVC", 20), ("AF_RDS", 21), ("AF_SNA", 22), ("AF_IRDA", 23),
        ("AF_PPPOX", 24), ("AF_WANPIPE", 25), ("AF_LLC", 26), ("AF_IB", 27), ("AF_MPLS", 28), ("AF_CAN", 29),
        ("AF_TIPC", 30), ("AF_BLUETOOTH", 31), ("AF_IUCV", 32), ("AF_RXRPC", 33), ("AF_ISDN", 34),
        ("AF_PHONET", 35), ("AF_IEEE802154", 36), ("AF_CAIF", 37), ("AF_ALG", 38), ("AF_NFC", 39),
        ("AF_VSOCK", 40), ("AF_KCM", 41), ("AF_QIPCRTR", 42), ("AF_SMC", 43), ("AF_XDP", 44), ("AF_MCTP", 45),
    ];
    let (_, n) = FAMILIES.iter().find(|(name, _)| name.eq_ignore_ascii_case(s))?;
    let row = match n {
        1 => AfRow::Unix,
        2 | 10 => AfRow::Inet,
        16 => AfRow::Netlink,
        17 => AfRow::Packet,
        _ => AfRow::Other,
    };
    Some((*n, row))
}

/// Namespace flag bits (CLONE_NEW*) by the names namespace_flags_from_string() accepts.
pub const NAMESPACES: &[(&str, u64)] = &[
    ("cgroup", 0x0200_0000),
    ("ipc", 0x0800_0000),
    ("net", 0x4000_0000),
    ("mnt", 0x0002_0000),
    ("pid", 0x2000_0000),
    ("user", 0x1000_0000),
    ("uts", 0x0400_0000),
    ("time", 0x0000_0080),
];

pub fn namespace_bit(name: &str) -> u64 {
    NAMESPACES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b).expect("known namespace")
}

/// namespace_flags_from_string(): words split without unquoting, every one must be known.
pub fn namespace_flags_from_string(s: &str) -> Option<u64> {
    let mut p = s;
    let mut flags = 0;
    loop {
        match extract_first_word(&mut p, WordFlags::NONE) {
            Ok(Some(w)) => flags |= NAMESPACES.iter().find(|(n, _)| *n == w)?.1,
            Ok(None) => return Some(flags),
            Err(_) => return None,
        }
    }
}

/// An address prefix after in_addr_prefix_add() masked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpPrefix {
    V4(Ipv4Addr, u8),
    V6(Ipv6Addr, u8),
}

impl IpPrefix {
    pub fn is_localhost(&self) -> bool {
        match self {
            IpPrefix::V4(a, _) => a.octets()[0] == 127,
            IpPrefix::V6(a, _) => *a == Ipv6Addr::LOCALHOST,
        }
    }

    fn masked(self) -> IpPrefix {
        match self {
            IpPrefix::V4(a, l) => {
                let m = if l == 0 { 0 } else { u32::MAX << (32 - u32::from(l)) };
                IpPrefix::V4(Ipv4Addr::from(u32::from(a) & m), l)
            }
            IpPrefix::V6(a, l) => {
                let m = if l == 0 { 0 } else { u128::MAX << (128 - u32::from(l)) };
                IpPrefix::V6(Ipv6Addr::from(u128::from(a) & m), l)
            }
        }
    }
}

/// is_localhost() of a host name.
fn is_localhost_name(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    ["localhost", "localhost.", "localhost.localdomain", "localhost.localdomain."].contains(&l.as_str())
        || [".localhost", ".localhost.", ".localhost.localdomain", ".localhost.localdomain."]
            .iter()
            .any(|suffix| l.ends_with(suffix))
}

/// One word of config_parse_in_addr_prefixes(): `any`, a localhost name, `link-local`,
/// `multicast`, or ADDRESS[/PREFIXLEN]. None when systemd rejects it.
pub fn ip_prefixes(word: &str) -> Option<Vec<IpPrefix>> {
    let v4 = |s: &str, l| IpPrefix::V4(s.parse().expect("literal"), l);
    let v6 = |s: &str, l| IpPrefix::V6(s.parse().expect("literal"), l);
    if word == "any" {
        return Some(vec![v4("0.0.0.0", 0), v6("::", 0)]);
    }
    if is_localhost_name(word) {
        return Some(vec![v4("127.0.0.0", 8), v6("::1", 128)]);
    }
    if word == "link-local" {
        return Some(vec![v4("169.254.0.0", 16), v6("fe80::", 64)]);
    }
    if word == "multicast" {
        return Some(vec![v4("224.0.0.0", 4), v6("ff00::", 8)]);
    }
    let (addr, len) = match word.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (word, None),
    };
    let prefix = if let Ok(a) = addr.parse::<Ipv4Addr>() {
        let l = match len {
            Some(l) => safe_atou8(l).filter(|l| *l <= 32)?,
            None => 32,
        };
        IpPrefix::V4(a, l)
    } else if let Ok(a) = addr.parse::<Ipv6Addr>() {
        let l = match len {
            Some(l) => safe_atou8(l).filter(|l| *l <= 128)?,
            None => 128,
        };
        IpPrefix::V6(a, l)
    } else {
        return None;
    };
    Some(vec![prefix.masked()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities() {
        assert_eq!(
            capability_set_from_string("cap_kill bogus 12 \"CAP_SYS_ADMIN\"", 63, false),
            (1 << 5) | (1 << 12) | (1 << 21)
        );
        assert_eq!(capability_from_name("64", 63), None);
        assert_eq!(capability_from_name("63", 62), None);
        assert_eq!(capability_from_name("kill", 63), None);
    }

    #[test]
    fn address_prefixes() {
        assert_eq!(ip_prefixes("127.1.2.3/7").unwrap()[0], IpPrefix::V4("126.0.0.0".parse().unwrap(), 7));
        assert!(ip_prefixes("foo.localhost").unwrap()[0].is_localhost());
        assert_eq!(ip_prefixes("0.0.0.0/0x0").unwrap()[0], IpPrefix::V4(Ipv4Addr::UNSPECIFIED, 0));
        for bad in ["ANY", "0/0", "00.0.0.0/0", "127.0.0.1/33", "1.2.3.4/", "\"any\""] {
            assert!(ip_prefixes(bad).is_none(), "{bad}");
        }
    }
}
