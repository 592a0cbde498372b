//! How each row of `systemd-analyze security` (systemd 252) judges a unit, and the texts it
//! words itself; the rows are in [`super::table`].

use std::borrow::Cow;

use super::context::Info;
use super::names::{capability_bit, namespace_bit, AfRow};
use super::syscalls::SyscallTable;

/// How a row judges the unit.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// A boolean setting: bad when off (or, inverted, when on).
    Flag(fn(&Info) -> bool, bool),
    User,
    SupplementaryGroups,
    ProtectHome,
    ProtectSystem,
    RootDirectory,
    /// Bad while any of these capabilities stays in the bounding set.
    Capabilities(&'static [&'static str]),
    UMask,
    KeyringMode,
    ProtectProc,
    ProcSubset,
    NotifyAccess,
    RemoveIpc,
    Namespace(&'static str),
    AddressFamily(AfRow),
    SyscallArchitectures,
    /// `SystemCallFilter=~@group`.
    SyscallGroup(&'static str),
    IpAddress,
    DeviceAllow,
    AmbientCapabilities,
}

pub struct Assessor {
    pub json_field: &'static str,
    /// The name systemd shows, e.g. `PrivateTmp=`.
    pub name: &'static str,
    pub good: Option<&'static str>,
    pub bad: Option<&'static str>,
    pub na: Option<&'static str>,
    pub weight: u32,
    pub range: u32,
    /// N/A when the unit has DefaultDependencies=no.
    pub default_dependencies_only: bool,
    pub check: Check,
}

/// A row's verdict: badness (None = N/A) and, when the assessor words it itself, a text.
pub struct Verdict {
    pub badness: Option<u32>,
    pub description: Option<Cow<'static, str>>,
}

fn plain(b: u32) -> Verdict {
    Verdict { badness: Some(b), description: None }
}

fn worded(b: u32, d: impl Into<Cow<'static, str>>) -> Verdict {
    Verdict { badness: Some(b), description: Some(d.into()) }
}

impl Assessor {
    pub fn assess(&self, i: &Info) -> Verdict {
        if self.default_dependencies_only && !i.default_dependencies {
            return Verdict {
                badness: None,
                description: Some(Cow::Borrowed("Service runs in special boot phase, option is not appropriate")),
            };
        }
        match self.check {
            Check::Flag(get, inverted) => plain(u32::from(get(i) == inverted)),
            Check::User => match i.user.as_deref() {
                Some("nobody") => {
                    worded(9, "Service runs under as 'nobody' user, which should not be used for services")
                }
                u if i.dynamic_user && !matches!(u, Some("0") | Some("root")) => {
                    worded(0, "Service runs under a transient non-root user identity")
                }
                Some(u) if !matches!(u, "0" | "root" | "") => {
                    worded(0, "Service runs under a static non-root user identity")
                }
                _ => plain(10),
            },
            Check::SupplementaryGroups => match i.runs_privileged() {
                true => Verdict { badness: None, description: None },
                false => plain(u32::from(!i.supplementary_groups.is_empty())),
            },
            Check::RemoveIpc => match i.runs_privileged() {
                true => Verdict { badness: None, description: None },
                false => plain(u32::from(!i.remove_ipc)),
            },
            Check::ProtectHome => match i.protect_home {
                Some("yes") => worded(0, "Service has no access to home directories"),
                Some("read-only") => worded(5, "Service has read-only access to home directories"),
                Some("tmpfs") => worded(1, "Service has access to fake empty home directories"),
                _ => worded(10, "Service has full access to home directories"),
            },
            Check::ProtectSystem => match i.protect_system {
                Some("yes") => worded(5, "Service has limited write access to the OS file hierarchy"),
                Some("full") => worded(3, "Service has very limited write access to the OS file hierarchy"),
                Some("strict") => worded(0, "Service has strict read-only access to the OS file hierarchy"),
                _ => worded(10, "Service has full access to the OS file hierarchy"),
            },
            Check::RootDirectory => {
                // empty_or_root(): unset, empty or `/`.
                let empty_or_root = |p: &Option<String>| matches!(p.as_deref(), None | Some("") | Some("/"));
                plain(u32::from(empty_or_root(&i.root_directory) && empty_or_root(&i.root_image)))
            }
            Check::Capabilities(caps) => {
                let mask = caps.iter().fold(0, |m, c| m | capability_bit(c));
                plain(u32::from(i.capability_bounding_set & mask != 0))
            }
            Check::UMask => {
                let m = i.umask;
                let (b, d) = if m & 0o002 == 0 {
                    (10, "Files created by service are world-writable by default")
                } else if m & 0o004 == 0 {
                    (5, "Files created by service are world-readable by default")
                } else if m & 0o020 == 0 {
                    (2, "Files created by service are group-writable by default")
                } else if m & 0o040 == 0 {
                    (1, "Files created by service are group-readable by default")
                } else {
                    (0, "Files created by service are accessible only by service's own user by default")
                };
                worded(b, d)
            }
            Check::KeyringMode => plain(u32::from(i.keyring_mode != Some("private"))),
            Check::ProtectProc => plain(match i.protect_proc {
                Some("noaccess") => 1,
                Some("invisible") | Some("ptraceable") => 0,
                _ => 3,
            }),
            Check::ProcSubset => plain(u32::from(i.proc_subset != Some("pid"))),
            Check::NotifyAccess => plain(u32::from(i.notify_access == Some("all"))),
            Check::Namespace(ns) => plain(u32::from(i.restrict_namespaces & namespace_bit(ns) != 0)),
            Check::AddressFamily(row) => {
                let restricted = match row {
                    AfRow::Inet => i.restrict_af_inet,
                    AfRow::Unix => i.restrict_af_unix,
                    AfRow::Netlink => i.restrict_af_netlink,
                    AfRow::Packet => i.restrict_af_packet,
                    AfRow::Other => i.restrict_af_other,
                };
                plain(u32::from(!restricted))
            }
            Check::SyscallArchitectures => {
                if i.syscall_archs.is_empty() {
                    worded(10, "Service may execute system calls with all ABIs")
                } else if i.syscall_archs.len() == 1 && i.syscall_archs.contains("native") {
                    worded(0, "Service may execute system calls only with native ABI")
                } else {
                    worded(8, "Service may execute system calls with multiple ABIs")
                }
            }
            Check::SyscallGroup(group) => syscall_group(i, group),
            Check::IpAddress => {
                if i.ip_filters_custom {
                    worded(0, "Service defines custom ingress/egress IP filters with BPF programs")
                } else if !i.ip_address_deny_all {
                    worded(10, "Service does not define an IP address allow list")
                } else if i.ip_address_allow_other {
                    worded(5, "Service defines IP address allow list with non-localhost entries")
                } else if i.ip_address_allow_localhost {
                    worded(2, "Service defines IP address allow list with only localhost entries")
                } else {
                    worded(0, "Service blocks all IP address ranges")
                }
            }
            Check::DeviceAllow => match i.device_policy {
                Some("strict") | Some("closed") if !i.device_allow.is_empty() => worded(
                    5,
                    format!("Service has a device ACL with some special devices: {}", i.device_allow.join(" ")),
                ),
                Some("strict") | Some("closed") => worded(0, "Service has a minimal device ACL"),
                _ => worded(10, "Service has no device ACL"),
            },
            Check::AmbientCapabilities => plain(u32::from(i.ambient_capabilities != 0)),
        }
    }
}

fn syscall_group(i: &Info, group: &str) -> Verdict {
    let filter = &i.syscall_filter;
    let Some(entries) = &filter.entries else {
        return worded(10, "Service does not filter system calls");
    };
    // A deny list sees every entry.
    if !filter.allow_list && entries.is_empty() {
        return worded(10, "Service does not filter system calls");
    }
    let allow_list = filter.allow_list;
    let offender = SyscallTable::of(i.release).first_offender(group, &|n| filter.sees(n) == allow_list);
    match (allow_list, offender) {
        (true, Some(o)) => worded(
            9,
            format!("System call allow list defined for service, and {group} is included (e.g. {o} is allowed)"),
        ),
        (true, None) => worded(0, format!("System call allow list defined for service, and {group} is not included")),
        (false, Some(o)) => worded(
            10,
            format!("System call deny list defined for service, and {group} is not included (e.g. {o} is allowed)"),
        ),
        (false, None) => worded(0, format!("System call deny list defined for service, and {group} is included")),
    }
}
