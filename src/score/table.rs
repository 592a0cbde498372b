//! The 81 rows of `systemd-analyze security` (systemd 252) in the order of its
//! security_assessor_table[]: json_field, the name shown, the texts for a good, a bad and an
//! N/A row, weight, range, and how the row judges the unit. The order matters: it decides
//! where systemd's sort puts a row without a description.

use super::assessors::{Assessor, Check};
use super::names::AfRow;

macro_rules! flag {
    ($json:literal, $name:literal, $good:literal, $bad:literal, $w:literal, $field:ident) => {
        flag!($json, $name, $good, $bad, $w, $field, false, false)
    };
    ($json:literal, $name:literal, $good:literal, $bad:literal, $w:literal, $field:ident, $dd:literal, $inv:literal) => {
        Assessor {
            json_field: $json,
            name: $name,
            good: Some($good),
            bad: Some($bad),
            na: None,
            weight: $w,
            range: 1,
            default_dependencies_only: $dd,
            check: Check::Flag(|i| i.$field, $inv),
        }
    };
}

macro_rules! row {
    ($json:expr, $name:expr, $good:expr, $bad:expr, $w:literal, $r:literal, $check:expr) => {
        row!($json, $name, $good, $bad, None, $w, $r, false, $check)
    };
    ($json:expr, $name:expr, $good:expr, $bad:expr, $na:expr, $w:literal, $r:literal, $dd:literal, $check:expr) => {
        Assessor {
            json_field: $json,
            name: $name,
            good: $good,
            bad: $bad,
            na: $na,
            weight: $w,
            range: $r,
            default_dependencies_only: $dd,
            check: $check,
        }
    };
}

macro_rules! cap {
    ($json:literal, $name:literal, $good:literal, $bad:literal, $w:literal, [$($c:literal),+]) => {
        row!($json, $name, Some($good), Some($bad), $w, 1, Check::Capabilities(&[$($c),+]))
    };
}

macro_rules! ns {
    ($ns:literal, $what:literal, $w:literal) => {
        row!(
            concat!("RestrictNamespaces_", $ns),
            concat!("RestrictNamespaces=~", $ns),
            Some(concat!("Service cannot create ", $what, " namespaces")),
            Some(concat!("Service may create ", $what, " namespaces")),
            $w,
            1,
            Check::Namespace($ns)
        )
    };
}

macro_rules! af {
    ($json:literal, $name:literal, $what:literal, $w:literal, $row:expr) => {
        row!(
            $json,
            $name,
            Some(concat!("Service cannot allocate ", $what, " sockets")),
            Some(concat!("Service may allocate ", $what, " sockets")),
            $w,
            1,
            Check::AddressFamily($row)
        )
    };
}

macro_rules! syscalls {
    ($json:literal, $group:literal, $w:literal) => {
        row!($json, concat!("SystemCallFilter=~", $group), None, None, $w, 10, Check::SyscallGroup($group))
    };
}

#[rustfmt::skip]
pub static ASSESSORS: [Assessor; 81] = [
    row!("UserOrDynamicUser", "User=/DynamicUser=", None, Some("Service runs as root user"), 2000, 10, Check::User),
    row!("SupplementaryGroups", "SupplementaryGroups=", Some("Service has no supplementary groups"), Some("Service runs with supplementary groups"), Some("Service runs as root, option does not matter"), 200, 1, false, Check::SupplementaryGroups),
    flag!("PrivateDevices", "PrivateDevices=", "Service has no access to hardware devices", "Service potentially has access to hardware devices", 1000, private_devices),
    flag!("PrivateMounts", "PrivateMounts=", "Service cannot install system mounts", "Service may install system mounts", 1000, private_mounts),
    flag!("PrivateNetwork", "PrivateNetwork=", "Service has no access to the host's network", "Service has access to the host's network", 2500, private_network),
    flag!("PrivateTmp", "PrivateTmp=", "Service has no access to other software's temporary files", "Service has access to other software's temporary files", 1000, private_tmp, true, false),
    flag!("PrivateUsers", "PrivateUsers=", "Service does not have access to other users", "Service has access to other users", 1000, private_users),
    flag!("ProtectControlGroups", "ProtectControlGroups=", "Service cannot modify the control group file system", "Service may modify the control group file system", 1000, protect_control_groups),
    flag!("ProtectKernelModules", "ProtectKernelModules=", "Service cannot load or read kernel modules", "Service may load or read kernel modules", 1000, protect_kernel_modules),
    flag!("ProtectKernelTunables", "ProtectKernelTunables=", "Service cannot alter kernel tunables (/proc/sys, …)", "Service may alter kernel tunables", 1000, protect_kernel_tunables),
    flag!("ProtectKernelLogs", "ProtectKernelLogs=", "Service cannot read from or write to the kernel log ring buffer", "Service may read from or write to the kernel log ring buffer", 1000, protect_kernel_logs),
    flag!("ProtectClock", "ProtectClock=", "Service cannot write to the hardware clock or system clock", "Service may write to the hardware clock or system clock", 1000, protect_clock),
    row!("ProtectHome", "ProtectHome=", None, None, None, 1000, 10, true, Check::ProtectHome),
    flag!("ProtectHostname", "ProtectHostname=", "Service cannot change system host/domainname", "Service may change system host/domainname", 50, protect_hostname),
    row!("ProtectSystem", "ProtectSystem=", None, None, None, 1000, 10, true, Check::ProtectSystem),
    row!("RootDirectoryOrRootImage", "RootDirectory=/RootImage=", Some("Service has its own root directory/image"), Some("Service runs within the host's root directory"), None, 200, 1, true, Check::RootDirectory),
    flag!("LockPersonality", "LockPersonality=", "Service cannot change ABI personality", "Service may change ABI personality", 100, lock_personality),
    flag!("MemoryDenyWriteExecute", "MemoryDenyWriteExecute=", "Service cannot create writable executable memory mappings", "Service may create writable executable memory mappings", 100, memory_deny_write_execute),
    flag!("NoNewPrivileges", "NoNewPrivileges=", "Service processes cannot acquire new privileges", "Service processes may acquire new privileges", 1000, no_new_privileges),
    cap!("CapabilityBoundingSet_CAP_SYS_ADMIN", "CapabilityBoundingSet=~CAP_SYS_ADMIN", "Service has no administrator privileges", "Service has administrator privileges", 1500, ["cap_sys_admin"]),
    cap!("CapabilityBoundingSet_CAP_SET_UID_GID_PCAP", "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)", "Service cannot change UID/GID identities/capabilities", "Service may change UID/GID identities/capabilities", 1500, ["cap_setuid", "cap_setgid", "cap_setpcap"]),
    cap!("CapabilityBoundingSet_CAP_SYS_PTRACE", "CapabilityBoundingSet=~CAP_SYS_PTRACE", "Service has no ptrace() debugging abilities", "Service has ptrace() debugging abilities", 1500, ["cap_sys_ptrace"]),
    cap!("CapabilityBoundingSet_CAP_SYS_TIME", "CapabilityBoundingSet=~CAP_SYS_TIME", "Service processes cannot change the system clock", "Service processes may change the system clock", 1000, ["cap_sys_time"]),
    cap!("CapabilityBoundingSet_CAP_NET_ADMIN", "CapabilityBoundingSet=~CAP_NET_ADMIN", "Service has no network configuration privileges", "Service has network configuration privileges", 1000, ["cap_net_admin"]),
    cap!("CapabilityBoundingSet_CAP_SYS_RAWIO", "CapabilityBoundingSet=~CAP_SYS_RAWIO", "Service has no raw I/O access", "Service has raw I/O access", 1000, ["cap_sys_rawio"]),
    cap!("CapabilityBoundingSet_CAP_SYS_MODULE", "CapabilityBoundingSet=~CAP_SYS_MODULE", "Service cannot load kernel modules", "Service may load kernel modules", 1000, ["cap_sys_module"]),
    cap!("CapabilityBoundingSet_CAP_AUDIT", "CapabilityBoundingSet=~CAP_AUDIT_*", "Service has no audit subsystem access", "Service has audit subsystem access", 500, ["cap_audit_control", "cap_audit_read", "cap_audit_write"]),
    cap!("CapabilityBoundingSet_CAP_SYSLOG", "CapabilityBoundingSet=~CAP_SYSLOG", "Service has no access to kernel logging", "Service has access to kernel logging", 500, ["cap_syslog"]),
    cap!("CapabilityBoundingSet_CAP_SYS_NICE_RESOURCE", "CapabilityBoundingSet=~CAP_SYS_(NICE|RESOURCE)", "Service has no privileges to change resource use parameters", "Service has privileges to change resource use parameters", 500, ["cap_sys_nice", "cap_sys_resource"]),
    cap!("CapabilityBoundingSet_CAP_MKNOD", "CapabilityBoundingSet=~CAP_MKNOD", "Service cannot create device nodes", "Service may create device nodes", 500, ["cap_mknod"]),
    cap!("CapabilityBoundingSet_CAP_CHOWN_FSETID_SETFCAP", "CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)", "Service cannot change file ownership/access mode/capabilities", "Service may change file ownership/access mode/capabilities unrestricted", 1000, ["cap_chown", "cap_fsetid", "cap_setfcap"]),
    cap!("CapabilityBoundingSet_CAP_DAC_FOWNER_IPC_OWNER", "CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)", "Service cannot override UNIX file/IPC permission checks", "Service may override UNIX file/IPC permission checks", 1000, ["cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_ipc_owner"]),
    cap!("CapabilityBoundingSet_CAP_KILL", "CapabilityBoundingSet=~CAP_KILL", "Service cannot send UNIX signals to arbitrary processes", "Service may send UNIX signals to arbitrary processes", 500, ["cap_kill"]),
    cap!("CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)", "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)", "Service has no elevated networking privileges", "Service has elevated networking privileges", 500, ["cap_net_bind_service", "cap_net_broadcast", "cap_net_raw"]),
    cap!("CapabilityBoundingSet_CAP_SYS_BOOT", "CapabilityBoundingSet=~CAP_SYS_BOOT", "Service cannot issue reboot()", "Service may issue reboot()", 100, ["cap_sys_boot"]),
    cap!("CapabilityBoundingSet_CAP_MAC", "CapabilityBoundingSet=~CAP_MAC_*", "Service cannot adjust SMACK MAC", "Service may adjust SMACK MAC", 100, ["cap_mac_admin", "cap_mac_override"]),
    cap!("CapabilityBoundingSet_CAP_LINUX_IMMUTABLE", "CapabilityBoundingSet=~CAP_LINUX_IMMUTABLE", "Service cannot mark files immutable", "Service may mark files immutable", 75, ["cap_linux_immutable"]),
    cap!("CapabilityBoundingSet_CAP_IPC_LOCK", "CapabilityBoundingSet=~CAP_IPC_LOCK", "Service cannot lock memory into RAM", "Service may lock memory into RAM", 50, ["cap_ipc_lock"]),
    cap!("CapabilityBoundingSet_CAP_SYS_CHROOT", "CapabilityBoundingSet=~CAP_SYS_CHROOT", "Service cannot issue chroot()", "Service may issue chroot()", 50, ["cap_sys_chroot"]),
    cap!("CapabilityBoundingSet_CAP_BLOCK_SUSPEND", "CapabilityBoundingSet=~CAP_BLOCK_SUSPEND", "Service cannot establish wake locks", "Service may establish wake locks", 25, ["cap_block_suspend"]),
    cap!("CapabilityBoundingSet_CAP_WAKE_ALARM", "CapabilityBoundingSet=~CAP_WAKE_ALARM", "Service cannot program timers that wake up the system", "Service may program timers that wake up the system", 25, ["cap_wake_alarm"]),
    cap!("CapabilityBoundingSet_CAP_LEASE", "CapabilityBoundingSet=~CAP_LEASE", "Service cannot create file leases", "Service may create file leases", 25, ["cap_lease"]),
    cap!("CapabilityBoundingSet_CAP_SYS_TTY_CONFIG", "CapabilityBoundingSet=~CAP_SYS_TTY_CONFIG", "Service cannot issue vhangup()", "Service may issue vhangup()", 25, ["cap_sys_tty_config"]),
    cap!("CapabilityBoundingSet_CAP_SYS_PACCT", "CapabilityBoundingSet=~CAP_SYS_PACCT", "Service cannot use acct()", "Service may use acct()", 25, ["cap_sys_pacct"]),
    cap!("CapabilityBoundingSet_CAP_BPF", "CapabilityBoundingSet=~CAP_BPF", "Service may not load BPF programs", "Service may load BPF programs", 25, ["cap_bpf"]),
    row!("UMask", "UMask=", None, None, 100, 10, Check::UMask),
    row!("KeyringMode", "KeyringMode=", Some("Service doesn't share key material with other services"), Some("Service shares key material with other service"), 1000, 1, Check::KeyringMode),
    row!("ProtectProc", "ProtectProc=", Some("Service has restricted access to process tree (/proc hidepid=)"), Some("Service has full access to process tree (/proc hidepid=)"), 1000, 3, Check::ProtectProc),
    row!("ProcSubset", "ProcSubset=", Some("Service has no access to non-process /proc files (/proc subset=)"), Some("Service has full access to non-process /proc files (/proc subset=)"), 10, 1, Check::ProcSubset),
    row!("NotifyAccess", "NotifyAccess=", Some("Service child processes cannot alter service state"), Some("Service child processes may alter service state"), 1000, 1, Check::NotifyAccess),
    row!("RemoveIPC", "RemoveIPC=", Some("Service user cannot leave SysV IPC objects around"), Some("Service user may leave SysV IPC objects around"), Some("Service runs as root, option does not apply"), 100, 1, false, Check::RemoveIpc),
    flag!("Delegate", "Delegate=", "Service does not maintain its own delegated control group subtree", "Service maintains its own delegated control group subtree", 100, delegate, false, true),
    flag!("RestrictRealtime", "RestrictRealtime=", "Service realtime scheduling access is restricted", "Service may acquire realtime scheduling", 500, restrict_realtime),
    flag!("RestrictSUIDSGID", "RestrictSUIDSGID=", "SUID/SGID file creation by service is restricted", "Service may create SUID/SGID files", 1000, restrict_suid_sgid),
    ns!("user", "user", 1500),
    ns!("mnt", "file system", 500),
    ns!("ipc", "IPC", 500),
    ns!("pid", "process", 500),
    ns!("cgroup", "cgroup", 500),
    ns!("net", "network", 500),
    ns!("uts", "hostname", 100),
    af!("RestrictAddressFamilies_AF_INET_INET6", "RestrictAddressFamilies=~AF_(INET|INET6)", "Internet", 1500, AfRow::Inet),
    af!("RestrictAddressFamilies_AF_UNIX", "RestrictAddressFamilies=~AF_UNIX", "local", 25, AfRow::Unix),
    af!("RestrictAddressFamilies_AF_NETLINK", "RestrictAddressFamilies=~AF_NETLINK", "netlink", 200, AfRow::Netlink),
    af!("RestrictAddressFamilies_AF_PACKET", "RestrictAddressFamilies=~AF_PACKET", "packet", 1000, AfRow::Packet),
    af!("RestrictAddressFamilies_OTHER", "RestrictAddressFamilies=~…", "exotic", 1250, AfRow::Other),
    row!("SystemCallArchitectures", "SystemCallArchitectures=", None, None, 1000, 10, Check::SyscallArchitectures),
    syscalls!("SystemCallFilter_swap", "@swap", 1000),
    syscalls!("SystemCallFilter_obsolete", "@obsolete", 250),
    syscalls!("SystemCallFilter_clock", "@clock", 1000),
    syscalls!("SystemCallFilter_cpu_emulation", "@cpu-emulation", 250),
    syscalls!("SystemCallFilter_debug", "@debug", 1000),
    syscalls!("SystemCallFilter_mount", "@mount", 1000),
    syscalls!("SystemCallFilter_module", "@module", 1000),
    syscalls!("SystemCallFilter_raw_io", "@raw-io", 1000),
    syscalls!("SystemCallFilter_reboot", "@reboot", 1000),
    syscalls!("SystemCallFilter_privileged", "@privileged", 700),
    syscalls!("SystemCallFilter_resources", "@resources", 700),
    row!("IPAddressDeny", "IPAddressDeny=", None, None, 1000, 10, Check::IpAddress),
    row!("DeviceAllow", "DeviceAllow=", None, None, 1000, 10, Check::DeviceAllow),
    row!("AmbientCapabilities", "AmbientCapabilities=", Some("Service process does not receive ambient capabilities"), Some("Service process receives ambient capabilities"), 500, 1, Check::AmbientCapabilities),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_add_up_as_documented() {
        let total: u32 = ASSESSORS.iter().map(|a| a.weight).sum();
        assert_eq!(total, 56460);
        let mut fields: Vec<_> = ASSESSORS.iter().map(|a| a.json_field).collect();
        fields.sort();
        fields.dedup();
        assert_eq!(fields.len(), 81);
    }
}
