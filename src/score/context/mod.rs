//! What systemd 252 makes of a unit's assignments, reduced to the facts the exposure score
//! reads (analyze-security.c's SecurityInfo): each key parsed as its config_parse_*()
//! function does — a refused value leaves the setting as it was, an empty one resets lists —
//! then the settings unit_patch_contexts() implies, then the checks that make systemd refuse
//! to load the unit at all.

use std::collections::BTreeSet;
use std::path::Path;

mod cgroup;
mod exec;
pub(crate) mod exec_line;
mod service;

use super::names::{capability_bit, AfRow, IpPrefix};
use super::release::{FlagGrammar, Release};
use super::specifiers::UnitIdent;
use super::syscalls::SyscallFilter;
use super::values::*;
use super::Refusal;
use crate::grammar::release::ParserRelease;
use crate::grammar::*;
use crate::unit::Assignment;
use cgroup::{apply_cgroup, device_entry};
use exec::apply_exec;
use service::{apply_service, verify};

/// NAMESPACE_FLAGS_ALL: every namespace type RestrictNamespaces= knows.
fn all_namespaces() -> u64 {
    super::names::NAMESPACES.iter().fold(0, |m, (_, bit)| m | bit)
}

/// One assignment as the score reads it, borrowed from the unit's files or from a plan: a
/// score copies no assignment.
#[derive(Debug, Clone, Copy)]
pub struct AssignmentRef<'a> {
    pub section: &'a str,
    pub key: &'a str,
    pub value: &'a str,
    pub file: &'a Path,
    pub line: usize,
}

impl<'a> From<&'a Assignment> for AssignmentRef<'a> {
    fn from(a: &'a Assignment) -> AssignmentRef<'a> {
        AssignmentRef { section: &a.section, key: &a.key, value: &a.value, file: &a.file, line: a.line }
    }
}

/// SecurityInfo of analyze-security.c, filled the way the offline check fills it.
#[derive(Debug, Clone)]
pub struct Info {
    pub ident: UnitIdent,
    /// The release whose parsing and system-call groups the facts follow.
    pub release: &'static Release,
    pub default_dependencies: bool,
    pub ambient_capabilities: u64,
    pub capability_bounding_set: u64,
    pub user: Option<String>,
    pub supplementary_groups: Vec<String>,
    pub dynamic_user: bool,
    pub ip_address_deny_all: bool,
    pub ip_address_allow_localhost: bool,
    pub ip_address_allow_other: bool,
    pub ip_filters_custom: bool,
    pub keyring_mode: Option<&'static str>,
    pub protect_proc: Option<&'static str>,
    pub proc_subset: Option<&'static str>,
    pub notify_access: Option<&'static str>,
    pub lock_personality: bool,
    pub memory_deny_write_execute: bool,
    pub no_new_privileges: bool,
    pub protect_hostname: bool,
    pub private_devices: bool,
    pub private_mounts: bool,
    pub private_network: bool,
    pub private_tmp: bool,
    pub private_users: bool,
    pub protect_control_groups: bool,
    pub protect_kernel_modules: bool,
    pub protect_kernel_tunables: bool,
    pub protect_kernel_logs: bool,
    pub protect_clock: bool,
    pub protect_home: Option<&'static str>,
    pub protect_system: Option<&'static str>,
    pub remove_ipc: bool,
    /// True when the family is NOT allowed, per row.
    pub restrict_af_inet: bool,
    pub restrict_af_unix: bool,
    pub restrict_af_netlink: bool,
    pub restrict_af_packet: bool,
    pub restrict_af_other: bool,
    pub restrict_namespaces: u64,
    pub restrict_realtime: bool,
    pub restrict_suid_sgid: bool,
    pub root_directory: Option<String>,
    pub root_image: Option<String>,
    pub delegate: bool,
    pub device_policy: Option<&'static str>,
    /// `path:rwm` entries, most recently added first, as the DeviceAllow= row lists them.
    pub device_allow: Vec<String>,
    pub syscall_archs: BTreeSet<String>,
    pub syscall_filter: SyscallFilter,
    pub umask: u32,
}

impl Info {
    /// What a unit without an execution context scores with.
    fn defaults(ident: UnitIdent, release: &'static Release) -> Info {
        Info {
            ident,
            release,
            default_dependencies: true,
            ambient_capabilities: 0,
            capability_bounding_set: u64::MAX,
            user: None,
            supplementary_groups: Vec::new(),
            dynamic_user: false,
            ip_address_deny_all: false,
            ip_address_allow_localhost: false,
            ip_address_allow_other: false,
            ip_filters_custom: false,
            keyring_mode: None,
            protect_proc: None,
            proc_subset: None,
            notify_access: None,
            lock_personality: false,
            memory_deny_write_execute: false,
            no_new_privileges: false,
            protect_hostname: false,
            private_devices: false,
            private_mounts: false,
            private_network: false,
            private_tmp: false,
            private_users: false,
            protect_control_groups: false,
            protect_kernel_modules: false,
            protect_kernel_tunables: false,
            protect_kernel_logs: false,
            protect_clock: false,
            protect_home: None,
            protect_system: None,
            remove_ipc: false,
            restrict_af_inet: false,
            restrict_af_unix: false,
            restrict_af_netlink: false,
            restrict_af_packet: false,
            restrict_af_other: false,
            restrict_namespaces: u64::MAX,
            restrict_realtime: false,
            restrict_suid_sgid: false,
            root_directory: None,
            root_image: None,
            delegate: false,
            device_policy: None,
            device_allow: Vec::new(),
            syscall_archs: BTreeSet::new(),
            syscall_filter: SyscallFilter::default(),
            umask: 0o002,
        }
    }

    /// SecurityInfo runs_privileged(): root, or no user and no DynamicUser=.
    pub fn runs_privileged(&self) -> bool {
        match self.user.as_deref() {
            Some("0") | Some("root") => true,
            _ if self.dynamic_user => false,
            u => u.unwrap_or("").is_empty(),
        }
    }
}

fn exec_section(unit_type: &str) -> Option<&'static str> {
    match unit_type {
        "service" => Some("Service"),
        "socket" => Some("Socket"),
        "mount" => Some("Mount"),
        "swap" => Some("Swap"),
        _ => None,
    }
}

fn cgroup_section(unit_type: &str) -> Option<&'static str> {
    match unit_type {
        "slice" => Some("Slice"),
        "scope" => Some("Scope"),
        t => exec_section(t),
    }
}

/// The values of an enumeration setting systemd accepts, to keep a `&'static str`.
fn one_of(value: &str, allowed: &[&'static str]) -> Option<&'static str> {
    allowed.iter().find(|a| **a == value).copied()
}

/// Settings the load-time checks need besides the score's facts.
#[derive(Default)]
struct ServiceFacts {
    exec_start: usize,
    exec_stop: usize,
    success_action: bool,
    service_type: Option<&'static str>,
    bus_name: bool,
    restart: Option<&'static str>,
    pam: bool,
    remain_after_exit: bool,
    kill_mode: Option<&'static str>,
    listen: bool,
    /// Timer or path triggers (OnCalendar=..., PathExists=...).
    triggers: bool,
    /// What= and Where= of mount, swap and automount units.
    what: Option<String>,
    where_: Option<String>,
    mount_images: bool,
    /// RestrictAddressFamilies=: whether it is an allow list, and its families (None until a
    /// list is started; `none` is an allow list with no set).
    af_allow_list: bool,
    af_set: Option<BTreeSet<(u32, AfRow)>>,
    ip_deny: Vec<IpPrefix>,
    ip_allow: Vec<IpPrefix>,
    ip_ingress_filters: Vec<String>,
    ip_egress_filters: Vec<String>,
    device_allow: Vec<String>,
}

fn refuse(a: &AssignmentRef, message: String) -> Refusal {
    Refusal { file: a.file.to_owned(), line: a.line, message }
}

fn bool_into(target: &mut bool, value: &str) {
    if let Some(b) = parse_boolean(value) {
        *target = b;
    }
}

/// Builds the facts from every assignment of the unit, in order, and says why systemd
/// would refuse the unit, if it would.
pub fn build(ident: UnitIdent, assignments: &[AssignmentRef], release: &'static Release) -> (Info, Option<Refusal>) {
    let ty = ident.unit_type.clone();
    let exec = exec_section(&ty);
    let cgroup = cgroup_section(&ty);
    let mut info = Info::defaults(ident, release);
    let mut f = ServiceFacts::default();
    if exec.is_some() {
        info.umask = 0o022;
        info.keyring_mode = Some(if ty == "service" { "private" } else { "inherit" });
        info.protect_home = Some("no");
        info.protect_system = Some("no");
        info.protect_proc = Some("default");
        info.proc_subset = Some("all");
        info.private_mounts = release.flag_grammar("PrivateMounts") == FlagGrammar::Tristate;
    }
    if ty == "service" {
        info.notify_access = Some("none");
    }
    if cgroup.is_some() {
        info.device_policy = Some("auto");
    }
    let mut namespaces_initial = true;
    // A fatal error in the unit file makes systemd refuse the unit; in a drop-in it only
    // ends the reading of that drop-in.
    let main_file = info.ident.fragment_path.clone();
    let mut abandoned: Vec<&Path> = Vec::new();
    let mut refusal = None;
    for a in assignments {
        if abandoned.contains(&a.file) {
            continue;
        }
        let v = a.value;
        let sect = a.section;
        if sect == "Unit" {
            match a.key {
                "DefaultDependencies" => bool_into(&mut info.default_dependencies, v),
                "SuccessAction" => {
                    if let Some(x) = one_of(v, &ParserRelease::emergency_actions(release.version)) {
                        f.success_action = x != "none";
                    }
                }
                _ => {}
            }
            continue;
        }
        if Some(sect) == exec {
            if let Err(r) = apply_exec(&mut info, &mut f, &mut namespaces_initial, a) {
                if main_file.as_deref() == Some(a.file.to_string_lossy().as_ref()) {
                    // systemd stops here and refuses the unit; the rest is read for a best effort.
                    refusal.get_or_insert(r);
                } else {
                    abandoned.push(a.file);
                }
                continue;
            }
        }
        if Some(sect) == cgroup
            && apply_cgroup(&mut info, &mut f, &ty, a)
            && release.refuses_ip_filter_paths
            && main_file.as_deref() == Some(a.file.to_string_lossy().as_ref())
        {
            refusal.get_or_insert(refuse(a, format!("{}=: BPF programs cannot be loaded offline", a.key)));
        }
        if ty == "service" && sect == "Service" {
            apply_service(&mut info, &mut f, a);
        }
        if ty == "socket" && sect == "Socket" && LISTEN_KEYS.contains(&a.key) {
            f.listen = !v.is_empty();
        }
        service::apply_other_types(&info, &mut f, &ty, a);
    }
    finish(&mut info, &mut f);
    if refusal.is_none() {
        refusal = verify(&info, &f, &ty, assignments).err();
    }
    (info, refusal)
}

const LISTEN_KEYS: &[&str] = &[
    "ListenStream",
    "ListenDatagram",
    "ListenSequentialPacket",
    "ListenFIFO",
    "ListenSpecial",
    "ListenNetlink",
    "ListenMessageQueue",
    "ListenUSBFunction",
];

/// The lists become SecurityInfo's flags, then unit_patch_contexts() adds what other
/// settings imply.
fn finish(info: &mut Info, f: &mut ServiceFacts) {
    {
        let mut r = [f.af_allow_list; 5];
        for (_, row) in f.af_set.iter().flatten() {
            r[*row as usize] = !f.af_allow_list;
        }
        [
            info.restrict_af_inet,
            info.restrict_af_unix,
            info.restrict_af_netlink,
            info.restrict_af_packet,
            info.restrict_af_other,
        ] = r;
    }
    let deny_v4 = f.ip_deny.iter().any(|p| matches!(p, IpPrefix::V4(_, 0)));
    let deny_v6 = f.ip_deny.iter().any(|p| matches!(p, IpPrefix::V6(_, 0)));
    info.ip_address_deny_all = deny_v4 && deny_v6;
    info.ip_address_allow_localhost = f.ip_allow.iter().any(IpPrefix::is_localhost);
    info.ip_address_allow_other = f.ip_allow.iter().any(|p| !p.is_localhost());
    info.ip_filters_custom = !f.ip_ingress_filters.is_empty() || !f.ip_egress_filters.is_empty();

    if info.private_devices {
        info.capability_bounding_set &= !(capability_bit("cap_mknod") | capability_bit("cap_sys_rawio"));
    }
    if info.protect_kernel_modules {
        info.capability_bounding_set &= !capability_bit("cap_sys_module");
    }
    if info.protect_kernel_logs {
        info.capability_bounding_set &= !capability_bit("cap_syslog");
    }
    if info.protect_clock {
        info.capability_bounding_set &= !(capability_bit("cap_sys_time") | capability_bit("cap_wake_alarm"));
    }
    if info.dynamic_user {
        if info.user.is_none() {
            // user_from_unit_name(): the prefix when it is a good user name, else a hash.
            let p = &info.ident.prefix;
            info.user = Some(if valid_user_group_name_strict(p) { p.clone() } else { "_du-hashed".to_owned() });
        }
        info.private_tmp = true;
        info.remove_ipc = true;
        info.protect_system = Some("strict");
        if info.protect_home == Some("no") {
            info.protect_home = Some("read-only");
        }
        info.no_new_privileges = true;
        info.restrict_suid_sgid = true;
    }
    if info.device_policy.is_some() && exec_section(&info.ident.unit_type).is_some() {
        if info.private_devices && info.device_policy == Some("auto") {
            info.device_policy = Some("closed");
        }
        if (info.root_image.is_some() || f.mount_images)
            && (info.device_policy != Some("auto") || !f.device_allow.is_empty())
        {
            for (p, r) in [("/dev/loop-control", "rw"), ("/dev/mapper/control", "rw")] {
                f.device_allow.push(device_entry(p, r));
            }
            for p in ["block-loop", "block-blkext", "block-device-mapper"] {
                f.device_allow.push(device_entry(p, "rwm"));
            }
        }
        if info.protect_clock && (info.device_policy != Some("auto") || !f.device_allow.is_empty()) {
            f.device_allow.push(device_entry("char-rtc", "r"));
        }
    }
    info.device_allow = f.device_allow.iter().rev().cloned().collect();
}
