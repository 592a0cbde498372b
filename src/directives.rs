//! Every hardening directive hardenunit knows, in one table: where it goes, the first
//! systemd release that understands it, which rows of `systemd-analyze security` it
//! moves, whether a user manager can apply it, what it takes away, and the one-line
//! comment written above it.
//!
//! Versions were checked against systemd's NEWS file. A unit manager older than `since`
//! only warns about an unknown key and runs the service without it, so the planner never
//! emits a directive newer than the target version.

/// What a directive takes away, in the terms the planner's evidence speaks. A unit that
/// shows one of these needs keeps the directives that list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// Generates code at run time (JIT, packers): writable+executable memory.
    WritableExecutableMemory,
    /// Executes set-uid/set-gid helpers (sendmail, sudo, ping) or gains privileges on exec.
    SetuidExecution,
    /// Creates set-uid/set-gid files (package managers, installers).
    SetuidFiles,
    /// Reads or writes under /home, /root or /run/user.
    HomeDirectories,
    /// Opens real devices (serial, USB, disks, tun/tap, RTC, watchdog, TPM...).
    Devices,
    /// Sets the system clock or opens the RTC.
    SystemClock,
    /// Loads kernel modules.
    KernelModules,
    /// Writes /proc/sys or /sys tunables.
    KernelTunables,
    /// Reads the kernel log ring (/dev/kmsg, /proc/kmsg).
    KernelLogs,
    /// Manages control groups (container managers, delegation).
    ControlGroups,
    /// Creates namespaces (containers, sandboxes of its own, mounting helpers).
    Namespaces,
    /// Sets the host name.
    Hostname,
    /// Uses realtime scheduling.
    RealtimeScheduling,
    /// Changes the execution domain (emulators).
    Personality,
    /// Mounts file systems or changes mount propagation others see.
    Mounts,
    /// Calls chroot(2), which SystemCallFilter's @mount group holds.
    Chroot,
    /// Writes /usr, /boot, /etc (package managers, configuration tools).
    WritesSystemDirectories,
    /// Writes anywhere below /var, /run... beyond what is declared (ProtectSystem=strict).
    WritesUndeclaredPaths,
    /// Uses system calls outside @system-service (swap, reboot, kexec, raw I/O, clock...).
    PrivilegedSystemCalls,
    /// Opens AF_PACKET sockets (DHCP servers, LLDP, VRRP, ARP).
    PacketSockets,
    /// Opens address families other than UNIX, IP and netlink (Bluetooth, CAN, VSOCK...).
    OtherAddressFamilies,
    /// Reads other processes' /proc entries or system-wide /proc files (monitoring agents).
    ProcessInspection,
    /// Needs real user ids and host capabilities (binds low ports, chowns, drops privileges).
    HostUserIds,
    /// Changes its user or group ids: files one of its users creates, another may have to
    /// read (varnishd's manager compiles the VCL as root, its worker loads it as vcache).
    ChangesUser,
    /// Runs in a user manager, where most sandboxing needs privileges it does not have.
    UserManager,
    /// Changes file ownership: chown(2) and its kin, SystemCallFilter's @chown (in @privileged).
    ChangesOwnership,
    /// Sets its own capabilities: capset(2), in SystemCallFilter's @privileged.
    SetsCapabilities,
    /// Changes priorities, scheduling, CPU affinity or memory policy: setpriority(2),
    /// sched_setaffinity(2), sched_setscheduler(2), ioprio_set(2), mbind(2)..., SystemCallFilter's
    /// @resources. (glibc's setrlimit() calls prlimit64(2), which is in @default, not @resources.)
    ResourceControl,
    /// Watches file systems with fanotify, opens files by handle or hangs up its terminal:
    /// fanotify_init(2), open_by_handle_at(2), vhangup(2), in SystemCallFilter's @privileged.
    AdministrativeCalls,
    /// Makes system calls by number (syscall(3)): which ones its imports cannot show.
    NumberedSystemCalls,
    /// The unit sets RestrictFileSystems=, which systemd before 257 applies with bpf(2) after
    /// it installs SystemCallFilter= (src/core/execute.c of 252: apply_restrict_filesystems()
    /// follows apply_syscall_filter(); 257's exec-invoke.c runs it before).
    RestrictFileSystemsAfterFilter,
    /// Opens files with openat2(2), which the seccomp filter of RestrictSUIDSGID= refuses with ENOSYS
    /// whatever the flags: they sit in a struct seccomp cannot read (src/shared/seccomp-util.c:
    /// seccomp_restrict_suid_sgid()). tftpd-hpa 7.2's --jail has no fallback.
    Openat2,
    /// Leaves files in /tmp or /var/tmp for other programs to open (winbindd's users' Kerberos
    /// ticket caches, FILE:/tmp/krb5cc_%u): a private /tmp hides them.
    SharedTmp,
    /// Reads /proc files outside the process entries (/proc/sys, /proc/net...), which
    /// ProcSubset=pid hides while ProtectProc= and ProtectKernelTunables= leave them readable.
    ProcSystemFiles,
}

impl Need {
    pub fn describe(self) -> &'static str {
        use Need::*;
        match self {
            WritableExecutableMemory => "generates code at run time (a JIT or packer)",
            SetuidExecution => "runs set-uid/set-gid helpers or gains privileges on exec",
            SetuidFiles => "creates set-uid/set-gid files",
            HomeDirectories => "uses /home, /root or /run/user",
            Devices => "opens hardware devices",
            SystemClock => "sets the system clock",
            KernelModules => "loads kernel modules",
            KernelTunables => "writes kernel tunables in /proc/sys or /sys",
            KernelLogs => "reads the kernel log",
            ControlGroups => "manages control groups",
            Namespaces => "creates namespaces",
            Hostname => "sets the host name",
            RealtimeScheduling => "uses realtime scheduling",
            Personality => "changes the execution domain",
            Mounts => "mounts file systems",
            Chroot => "chroots",
            WritesSystemDirectories => "writes /usr, /boot or /etc",
            WritesUndeclaredPaths => "writes paths that no *Directory= or ReadWritePaths= declares",
            PrivilegedSystemCalls => "uses system calls outside @system-service",
            PacketSockets => "opens AF_PACKET sockets",
            OtherAddressFamilies => "opens address families other than UNIX, INET and NETLINK",
            ProcessInspection => "reads other processes and system-wide /proc files",
            HostUserIds => "needs real user ids and host capabilities",
            ChangesUser => "changes its user or group ids, so files it creates as one user another may read",
            UserManager => "runs in a user manager",
            ChangesOwnership => "changes file ownership",
            SetsCapabilities => "sets its own capabilities",
            ResourceControl => "changes priorities, scheduling, CPU affinity or memory policy",
            AdministrativeCalls => "uses fanotify, file handles or vhangup(2)",
            NumberedSystemCalls => "makes system calls by number (syscall(3)), which its imports do not name",
            RestrictFileSystemsAfterFilter => {
                "sets RestrictFileSystems=, which this systemd applies with bpf(2) after SystemCallFilter="
            }
            Openat2 => "opens files with openat2(2), which RestrictSUIDSGID= refuses",
            SharedTmp => "leaves files in /tmp for other programs",
            ProcSystemFiles => "reads /proc files outside the process entries, which ProcSubset=pid hides",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Directive {
    pub key: &'static str,
    pub section: &'static str,
    /// First systemd release that understands the key at all.
    pub since: u32,
    /// Values that arrived later than the key (`ProtectSystem=strict` in 232).
    pub value_since: &'static [(&'static str, u32)],
    /// `json_field`s of `systemd-analyze security` rows the directive moves.
    pub rows: &'static [&'static str],
    /// Whether a user manager (`systemctl --user`) can apply it without privileges.
    pub user_manager: bool,
    /// What the unit must not need for the directive to be safe.
    pub breaks: &'static [Need],
    /// What the unit must not need for one value of it: the parent profile's value is then
    /// written instead (`ProtectSystem=strict` falls back to `full`).
    pub value_breaks: &'static [(&'static str, &'static [Need])],
    /// The comment written above the directive in a generated drop-in.
    pub comment: &'static str,
    /// How the planner treats it beyond its needs.
    pub flags: &'static [Flag],
    /// How the planner turns the policy's value into the one written.
    pub shape: Shape,
    /// What a policy may give it.
    pub value_type: ValueType,
}

/// What a policy may give a directive. Booleans, enums and modes are judged by systemd's own
/// parser for the key, from lint's parser tables; the lists those tables do not model are
/// named after the parser that reads them (src/core/load-fragment.c), and a test holds each
/// row to the parser the tables give its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// A boolean, one of an enum's words or a file mode, as the key's parser accepts it.
    Parsed,
    /// A boolean, or namespace types (`~` inverts the list).
    Namespaces,
    /// System call architectures (`native`, `x86-64`...).
    Architectures,
    /// `none` or AF_* address families (`~` inverts the list).
    AddressFamilies,
    /// System calls and @groups, each with an optional `:errno` (`~` inverts the list).
    SystemCalls,
    /// An errno name, a number or `kill`.
    Errno,
    /// Absolute paths, each with optional `-` and `+` prefixes.
    Paths,
    /// `auto` (derived by the planner) or CAP_* capabilities (`~` inverts the list).
    Capabilities,
}

impl ValueType {
    /// The parser systemd reads a value of this type with; None for [`ValueType::Parsed`],
    /// which is whatever parser the key has.
    pub fn parser(self) -> Option<&'static str> {
        use ValueType::*;
        Some(match self {
            Parsed => return None,
            Namespaces => "config_parse_restrict_namespaces",
            Architectures => "config_parse_syscall_archs",
            AddressFamilies => "config_parse_address_families",
            SystemCalls => "config_parse_syscall_filter",
            Errno => "config_parse_syscall_errno",
            Paths => "config_parse_namespace_path_strv",
            Capabilities => "config_parse_capability_set",
        })
    }
}

/// How the planner turns the policy's value into the value written for one unit. Each
/// variant is one function of the planner (`plan::shape`); a need in `breaks` that the
/// shape does not adapt to leaves the directive out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The policy's value as it is.
    AsGiven,
    /// A deny list (`~@group ...`) loses the groups that [`SYSCALL_GROUP_BREAKS`] rules out
    /// for the unit's needs; an allow list (`@system-service`) is all or nothing.
    SyscallFilter,
    /// The families the programs' evidence derives when it is complete; otherwise the
    /// policy's list, with the family each `(need, family)` pair names added for a unit that
    /// shows the need (a need in `breaks` without a family leaves the directive out).
    AddressFamilies { kept_for: &'static [(Need, &'static str)] },
    /// `auto`: the value the programs' evidence derives, only when every program was read;
    /// any other value as it is.
    DerivedWhenAuto,
}

/// What the planner must know about a directive besides what it takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Left off early-boot units (DefaultDependencies=no): PrivateTmp= pulls in
    /// RequiresMountsFor=/tmp /var/tmp (an ordering cycle before local-fs.target), and /usr,
    /// /home may not be mounted yet. systemd-analyze rates these rows "not appropriate" for
    /// such units too.
    EarlyBootExcluded,
    /// For a service without CAP_SYS_ADMIN (any User= but root) systemd sets no_new_privs
    /// along with it (systemd.exec(5), NoNewPrivileges=).
    ImpliesNoNewPrivileges,
    /// DynamicUser=yes turns it on by itself (systemd.exec(5)).
    ImpliedByDynamicUser,
    /// Written only together with this directive, never on its own, with the policy's value,
    /// unless the unit sets it. Where the policy drops it, or its value is newer than the
    /// target, nothing is written beside the filter and a call it refuses kills the service
    /// (the planner then counts what a refused call breaks: `plan::shape::refused_calls_kill`).
    PairsWith(&'static str),
    /// A unit that sets it itself still gets a `~` line of it that only takes more away:
    /// systemd merges the assignments (src/core/load-fragment.c config_parse_syscall_filter()
    /// and src/shared/seccomp-util.c seccomp_parse_syscall_filter(), alike from 252 to 256;
    /// the systemd-analyze of 257 and 262 scores the merged filter alike): the first one fixes
    /// allow- or deny-list mode, and a later `~` list then takes its names out of an allow list
    /// or adds them to a deny list. A line without `~` would give names back.
    NarrowsUnitsOwn,
    /// Makes the score row `row` worse only by granting what `under=yes` (the unit's own or
    /// added, in effect after the plan) puts out of reach: the planner accepts that worsening,
    /// and no other, as long as the exposure does not rise. ProtectClock= adds
    /// `DeviceAllow=char-rtc r` where the device policy is closed, so systemd-analyze rates a
    /// minimal device ACL (0) as one "with some special devices" (5 of 10). Under
    /// PrivateDevices=yes there is no rtc to read: the service's /dev holds only the nodes of
    /// src/core/namespace.c mount_private_dev()'s devnodes[] (/dev/null, zero, full, random,
    /// urandom, tty), and unit_patch_contexts() (src/core/unit.c) drops CAP_MKNOD, so it
    /// cannot make one, and sets DevicePolicy=closed; alike in 252, 257 and 262 (the list as
    /// libsystemd-core-252.so, -257.so and -262.so of Debian hold it, and systemd.exec(5)).
    UnreachableGrantUnder { row: &'static str, under: &'static str },
}

impl Directive {
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }

    /// The directive whose `yes` makes this one's worsening of `row` harmless, if any.
    pub fn unreachable_grant_under(&self, row: &str) -> Option<&'static str> {
        self.flags.iter().find_map(|f| match f {
            Flag::UnreachableGrantUnder { row: r, under } if *r == row => Some(*under),
            _ => None,
        })
    }

    /// The directive this one is only written together with.
    pub fn pairs_with(&self) -> Option<&'static str> {
        self.flags.iter().find_map(|f| if let Flag::PairsWith(k) = f { Some(*k) } else { None })
    }

    /// What `value` takes away beyond what every value does.
    pub fn breaks_of_value(&self, value: &str) -> &'static [Need] {
        self.value_breaks.iter().find(|(v, _)| *v == value).map_or(&[], |(_, needs)| needs)
    }

    /// The first systemd release that accepts `value` for this key.
    pub fn since_for(&self, value: &str) -> u32 {
        let mut since = self.since;
        for word in value.split_whitespace() {
            let word = word.trim_start_matches('~');
            for (v, s) in self.value_since {
                if word == *v {
                    since = since.max(*s);
                }
            }
        }
        since
    }
}

use Flag::*;
use Need::*;

/// What a row leaves unsaid: a [Service] directive as old as systemd's first release, that
/// moves no score row, needs root's manager, takes nothing away, and is written as the policy
/// gives it.
const SERVICE: Directive = Directive {
    key: "",
    section: "Service",
    since: 1,
    value_since: &[],
    rows: &[],
    user_manager: false,
    breaks: &[],
    value_breaks: &[],
    comment: "",
    flags: &[],
    shape: Shape::AsGiven,
    value_type: ValueType::Parsed,
};

/// The table. Order is the order directives are written in a drop-in.
pub static DIRECTIVES: &[Directive] = &[
    Directive {
        key: "ProtectSystem",
        since: 214,
        value_since: &[("strict", 232)],
        rows: &["ProtectSystem"],
        breaks: &[WritesSystemDirectories, Mounts],
        // Only the paths declared stay writable under strict.
        value_breaks: &[("strict", &[WritesUndeclaredPaths])],
        comment: "Mount /usr, /boot and /etc read-only for the service",
        flags: &[EarlyBootExcluded, ImpliedByDynamicUser],
        ..SERVICE
    },
    Directive {
        key: "ReadWritePaths",
        since: 231,
        comment: "Keep these paths writable under ProtectSystem=",
        flags: &[EarlyBootExcluded],
        value_type: ValueType::Paths,
        ..SERVICE
    },
    Directive {
        key: "ProtectHome",
        since: 214,
        value_since: &[("read-only", 214), ("tmpfs", 238)],
        rows: &["ProtectHome"],
        breaks: &[HomeDirectories, Mounts],
        comment: "Hide /home, /root and /run/user from the service",
        flags: &[EarlyBootExcluded],
        ..SERVICE
    },
    Directive {
        key: "PrivateTmp",
        since: 183,
        value_since: &[("disconnected", 257)],
        rows: &["PrivateTmp"],
        breaks: &[Mounts, SharedTmp],
        comment: "Give the service its own /tmp and /var/tmp",
        flags: &[EarlyBootExcluded, ImpliedByDynamicUser],
        ..SERVICE
    },
    Directive {
        key: "PrivateDevices",
        since: 209,
        rows: &[
            "PrivateDevices",
            "DeviceAllow",
            "CapabilityBoundingSet_CAP_MKNOD",
            "CapabilityBoundingSet_CAP_SYS_RAWIO",
        ],
        breaks: &[Devices, Mounts, PrivilegedSystemCalls],
        comment: "Give the service a minimal /dev without hardware devices",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "ProtectKernelTunables",
        since: 232,
        rows: &["ProtectKernelTunables"],
        breaks: &[KernelTunables, Mounts],
        comment: "Make /proc/sys and /sys read-only",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "ProtectKernelModules",
        since: 232,
        rows: &["ProtectKernelModules", "CapabilityBoundingSet_CAP_SYS_MODULE"],
        breaks: &[KernelModules],
        comment: "Forbid loading kernel modules",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "ProtectKernelLogs",
        since: 244,
        rows: &["ProtectKernelLogs", "CapabilityBoundingSet_CAP_SYSLOG"],
        breaks: &[KernelLogs],
        comment: "Forbid reading the kernel log ring",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "ProtectControlGroups",
        since: 232,
        value_since: &[("private", 257), ("strict", 257)],
        rows: &["ProtectControlGroups"],
        breaks: &[ControlGroups],
        comment: "Make the control group hierarchy read-only",
        ..SERVICE
    },
    Directive {
        key: "ProtectClock",
        since: 245,
        rows: &[
            "ProtectClock",
            "CapabilityBoundingSet_CAP_SYS_TIME",
            "CapabilityBoundingSet_CAP_WAKE_ALARM",
            "DeviceAllow",
        ],
        breaks: &[SystemClock, Devices],
        comment: "Forbid setting the system and hardware clocks",
        flags: &[ImpliesNoNewPrivileges, UnreachableGrantUnder { row: "DeviceAllow", under: "PrivateDevices" }],
        ..SERVICE
    },
    Directive {
        key: "ProtectHostname",
        since: 242,
        rows: &["ProtectHostname"],
        breaks: &[Hostname],
        comment: "Forbid changing the host name",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "ProtectProc",
        since: 247,
        rows: &["ProtectProc"],
        breaks: &[ProcessInspection],
        comment: "Hide other users' processes in /proc",
        ..SERVICE
    },
    Directive {
        key: "ProcSubset",
        since: 247,
        rows: &["ProcSubset"],
        breaks: &[ProcessInspection, KernelTunables, ProcSystemFiles],
        comment: "Show only process entries in /proc",
        ..SERVICE
    },
    Directive {
        key: "PrivateMounts",
        since: 239,
        rows: &["PrivateMounts"],
        breaks: &[Mounts],
        comment: "Keep the service's mounts to itself",
        ..SERVICE
    },
    // What a user namespace takes from a service that starts as its non-root User= (or
    // DynamicUser=), read in setup_private_users() and exec_invoke()/exec_child() (src/core/
    // execute.c of v252.31, exec-invoke.c of 257): the system manager maps only root and the
    // service's user and group (`identity`, 257: 0-65535), after enforce_groups() has set the
    // SupplementaryGroups= and the user's groups in the host's namespace, so the kernel's
    // permission checks, on kgids, still grant the files those groups own; getgroups(2), stat(2)
    // and SO_PEERCRED show an unmapped id as 65534 (net/core/sock.c cred_to_ucred():
    // from_kuid_munged()), so a daemon that judges local clients by their uid sees nobody.
    // "deny" is written to /proc/PID/setgroups (257.13: every mode), and fs/exec.c
    // bprm_fill_uid() ignores a set-uid/set-gid bit whose owner has no mapping: sendmail's
    // set-gid postdrop does nothing. A program that changes to an id outside the map gets
    // EINVAL where, without the namespace, it got EPERM: tftpd-hpa 7.2 (sid), run as User=tftp,
    // tries setresgid(65534) for its default --user nobody per request and exits 71 on EINVAL
    // (strace in a namespace mapped as systemd maps it; EPERM, which it tolerates, outside), so
    // ChangesUser, from imports, keeps it off too. `!` commands run as root inside it, and an
    // AmbientCapabilities= grant is the namespace's only: a port below 1024 is checked against
    // the host's network namespace (knot, pdns, kea and tomcat grant CAP_NET_BIND_SERVICE; the
    // lab moves them to high ports, so it cannot show this). Hence HostUserIds for any process
    // that may start with a capability (plan::needs), `+` commands and PermissionsStartOnly=
    // too, although they run outside it (needs_sandboxing is false for them). Where user
    // namespaces are unavailable (user.max_user_namespaces=0, a kernel without CONFIG_USER_NS)
    // setup_private_users() fails and 252 and 257 end the command with EXIT_USER (217/USER): the
    // service does not start there, as Debian's own upower.service and fstrim.service, which
    // set PrivateUsers=yes themselves, do not either: why it stays in strict, not the baseline.
    // `identity` (257) is no way around HostUserIds for daemons started as root: systemd writes
    // "deny" to /proc/PID/setgroups for it, so setgroups(2) and initgroups(3) fail with EPERM
    // (kernel/groups.c may_setgroups(), userns_may_setgroups()), and every capability checked in
    // the host's user namespace (ports below 1024, NET_ADMIN, SYS_RESOURCE, ...) is gone. With
    // only `PrivateUsers=identity` added, 31 of the 51 daemons the trixie lab starts as root stop
    // working (29 of 45 on sid): postfix, named, avahi-daemon on setgroups, sshd, apache2, slapd
    // on their ports (tests/bootlab/run --inject-dropin).
    Directive {
        key: "PrivateUsers",
        since: 232,
        // NEWS: "self" and "identity" in 257 (before, a boolean), "full" in 258.
        value_since: &[("self", 257), ("identity", 257), ("full", 258)],
        rows: &["PrivateUsers"],
        breaks: &[HostUserIds, Devices, Mounts, SetuidExecution, ChangesUser],
        comment: "Run the service in a user namespace without host users",
        ..SERVICE
    },
    Directive {
        key: "NoNewPrivileges",
        since: 187,
        rows: &["NoNewPrivileges"],
        user_manager: true,
        breaks: &[SetuidExecution],
        comment: "Forbid gaining privileges through set-uid binaries or file capabilities",
        flags: &[ImpliesNoNewPrivileges, ImpliedByDynamicUser],
        ..SERVICE
    },
    Directive {
        key: "RestrictSUIDSGID",
        since: 242,
        rows: &["RestrictSUIDSGID"],
        user_manager: true,
        breaks: &[SetuidFiles, Openat2],
        comment: "Forbid creating set-uid/set-gid files",
        flags: &[ImpliesNoNewPrivileges, ImpliedByDynamicUser],
        ..SERVICE
    },
    Directive {
        key: "RestrictRealtime",
        since: 231,
        rows: &["RestrictRealtime"],
        user_manager: true,
        breaks: &[RealtimeScheduling],
        comment: "Forbid realtime scheduling",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "LockPersonality",
        since: 235,
        rows: &["LockPersonality"],
        user_manager: true,
        breaks: &[Personality],
        comment: "Lock the execution domain",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "MemoryDenyWriteExecute",
        since: 231,
        rows: &["MemoryDenyWriteExecute"],
        user_manager: true,
        breaks: &[WritableExecutableMemory],
        comment: "Forbid memory that is both writable and executable",
        flags: &[ImpliesNoNewPrivileges],
        ..SERVICE
    },
    Directive {
        key: "RestrictNamespaces",
        since: 233,
        rows: &[
            "RestrictNamespaces_user",
            "RestrictNamespaces_mnt",
            "RestrictNamespaces_ipc",
            "RestrictNamespaces_pid",
            "RestrictNamespaces_cgroup",
            "RestrictNamespaces_net",
            "RestrictNamespaces_uts",
        ],
        user_manager: true,
        breaks: &[Namespaces, ControlGroups],
        comment: "Forbid creating namespaces",
        flags: &[ImpliesNoNewPrivileges],
        value_type: ValueType::Namespaces,
        ..SERVICE
    },
    Directive {
        key: "SystemCallArchitectures",
        since: 209,
        rows: &["SystemCallArchitectures"],
        user_manager: true,
        breaks: &[Personality],
        comment: "Allow only native system calls",
        flags: &[ImpliesNoNewPrivileges],
        value_type: ValueType::Architectures,
        ..SERVICE
    },
    Directive {
        key: "RestrictAddressFamilies",
        since: 211,
        rows: &[
            "RestrictAddressFamilies_AF_PACKET",
            "RestrictAddressFamilies_OTHER",
            "RestrictAddressFamilies_AF_NETLINK",
            "RestrictAddressFamilies_AF_UNIX",
            "RestrictAddressFamilies_AF_INET_INET6",
        ],
        user_manager: true,
        breaks: &[PacketSockets, OtherAddressFamilies],
        comment: "Allow only these socket address families",
        flags: &[ImpliesNoNewPrivileges],
        shape: Shape::AddressFamilies { kept_for: &[(PacketSockets, "AF_PACKET")] },
        value_type: ValueType::AddressFamilies,
        ..SERVICE
    },
    Directive {
        key: "SystemCallFilter",
        since: 187,
        value_since: &[("@system-service", 239)],
        rows: &[
            "SystemCallFilter_swap",
            "SystemCallFilter_obsolete",
            "SystemCallFilter_clock",
            "SystemCallFilter_cpu_emulation",
            "SystemCallFilter_debug",
            "SystemCallFilter_mount",
            "SystemCallFilter_module",
            "SystemCallFilter_raw_io",
            "SystemCallFilter_reboot",
            "SystemCallFilter_privileged",
            "SystemCallFilter_resources",
        ],
        user_manager: true,
        // What the @system-service allow list lacks: @privileged, @clock, @mount (which holds
        // chroot), @module. It holds @process, so unshare(2) and setns(2) stay allowed, and
        // @chown, @setuid, capset(2) of @privileged.
        breaks: &[PrivilegedSystemCalls, SystemClock, Mounts, Chroot, KernelModules, AdministrativeCalls],
        comment: "Allow only the system calls a typical service uses",
        flags: &[ImpliesNoNewPrivileges, NarrowsUnitsOwn],
        shape: Shape::SyscallFilter,
        value_type: ValueType::SystemCalls,
        ..SERVICE
    },
    Directive {
        key: "SystemCallErrorNumber",
        since: 209,
        user_manager: true,
        comment: "Fail filtered system calls with EPERM instead of killing the service",
        flags: &[PairsWith("SystemCallFilter")],
        value_type: ValueType::Errno,
        ..SERVICE
    },
    Directive {
        key: "UMask",
        since: 1,
        rows: &["UMask"],
        user_manager: true,
        comment: "Create files readable by the service's user only",
        breaks: &[ChangesUser],
        ..SERVICE
    },
    Directive {
        key: "RemoveIPC",
        since: 232,
        rows: &["RemoveIPC"],
        comment: "Remove the service user's IPC objects when it stops",
        flags: &[ImpliedByDynamicUser],
        ..SERVICE
    },
    Directive {
        key: "CapabilityBoundingSet",
        since: 187,
        comment: "Keep only the capabilities the service needs",
        shape: Shape::DerivedWhenAuto,
        value_type: ValueType::Capabilities,
        ..SERVICE
    },
];

/// The groups of a `SystemCallFilter=~...` deny list and the needs that rule each one out.
/// Group contents: `systemd-analyze syscall-filter @GROUP`.
pub static SYSCALL_GROUP_BREAKS: &[(&str, &[Need])] = &[
    ("@clock", &[SystemClock]),
    ("@cpu-emulation", &[Personality]),
    ("@debug", &[PrivilegedSystemCalls]),
    ("@module", &[KernelModules]),
    ("@mount", &[Mounts, Chroot, Namespaces]),
    ("@obsolete", &[]),
    // @privileged holds @chown, @clock, @module, @raw-io, @reboot and @swap, then setuid(2),
    // setreuid(2), setresuid(2), setfsuid(2), setgroups(2) (not the set*gid calls), capset(2),
    // chroot(2), pivot_root(2), sethostname(2), acct(2), bpf(2), quotactl(2), fanotify_init(2),
    // open_by_handle_at(2) and vhangup(2): a need of any of them rules it out (a test holds
    // each nested group's needs to this list). systemd changes the user before it installs
    // the filter and, from 257, calls capset(2) after it only when the filter allows capset
    // (exec-invoke.c: seccomp_allows_drop_privileges()); 252 applies RestrictFileSystems=
    // with bpf(2) after it.
    (
        "@privileged",
        &[
            SystemClock,
            KernelModules,
            Devices,
            PrivilegedSystemCalls,
            ChangesOwnership,
            ChangesUser,
            SetsCapabilities,
            Chroot,
            Mounts,
            Hostname,
            AdministrativeCalls,
            NumberedSystemCalls,
            RestrictFileSystemsAfterFilter,
        ],
    ),
    ("@raw-io", &[Devices, PrivilegedSystemCalls]),
    ("@reboot", &[PrivilegedSystemCalls]),
    // setpriority(2), sched_setscheduler(2), sched_setparam(2), sched_setattr(2),
    // sched_setaffinity(2), ioprio_set(2), mbind(2), set_mempolicy(2), migrate_pages(2),
    // move_pages(2), setrlimit(2) (which glibc's setrlimit() no longer calls: prlimit64).
    ("@resources", &[ResourceControl, RealtimeScheduling, NumberedSystemCalls]),
    ("@swap", &[PrivilegedSystemCalls]),
];

/// Deny-list groups that stay out of the list unless the programs' evidence is complete and
/// hints at none of the group's needs, and why.
pub static DENIED_ONLY_WITH_EVIDENCE: &[(&str, &str)] = &[
    ("@mount", "it holds chroot(2); only the program's imports can rule that out"),
    (
        "@privileged",
        "it holds setuid(2), setgroups(2), chown(2) and capset(2); only the programs' imports can rule them out",
    ),
    (
        "@resources",
        "it holds setpriority(2), sched_setaffinity(2) and sched_setscheduler(2); only the programs' imports can rule them out",
    ),
];

/// Groups a unit's allow list may name without declaring a need of its own: what every
/// program (@default) or a typical service (@system-service) uses (systemd.exec(5)). Any
/// other group or call a unit allows is one its maintainer chose, and the planner denies
/// no group holding it.
pub static GENERIC_ALLOWED_SYSCALL_GROUPS: &[&str] = &["@default", "@system-service"];

/// A capability dropped from a service whose capabilities the evidence does not derive
/// (`CapabilityBoundingSet=auto` with the evidence incomplete or not read), because every use
/// the kernel makes of it is refused by what the same drop-in adds. systemd already takes
/// CAP_SYS_MODULE away for ProtectKernelModules=, CAP_SYS_TIME and CAP_WAKE_ALARM for
/// ProtectClock=, CAP_SYS_RAWIO and CAP_MKNOD for PrivateDevices=, CAP_SYSLOG for
/// ProtectKernelLogs= (src/core/unit.c: unit_patch_contexts()).
#[derive(Debug, Clone, Copy)]
pub struct FloorCapability {
    pub capability: &'static str,
    /// System calls the SystemCallFilter= of the drop-in must refuse, all of them.
    pub refused_calls: &'static [&'static str],
    /// Directives the drop-in must add, with their value.
    pub added: &'static [(&'static str, &'static str)],
    /// Needs that keep the capability, shown by the unit or by a program's imports: a use of it
    /// that the drop-in does not refuse (none where the refused calls are its only uses). A
    /// path string a file names does not keep it.
    pub kept_for: &'static [Need],
    /// Why dropping it takes nothing more away, as `explain` prints it.
    pub why: &'static str,
}

/// Left out, with the use the drop-in does not block: CAP_BPF (kernel/bpf/core.c:
/// bpf_jit_charge_modmem() lets it exceed bpf_jit_limit for the classic BPF filters of
/// setsockopt(SO_ATTACH_FILTER) and seccomp, no bpf(2) needed), CAP_SYS_TTY_CONFIG (the VT
/// ioctls of drivers/tty/vt/vt_ioctl.c on a terminal systemd hands over), CAP_BLOCK_SUSPEND
/// (EPOLLWAKEUP, silently dropped without it: fs/eventpoll.c), CAP_SYS_ADMIN, CAP_NET_ADMIN,
/// CAP_LINUX_IMMUTABLE, CAP_KILL, CAP_CHOWN... (file system, network and process calls that
/// no directive of the drop-in refuses).
pub static CAPABILITY_FLOOR: &[FloorCapability] = &[
    FloorCapability {
        capability: "CAP_SYS_BOOT",
        // kernel/reboot.c: reboot(2) checks ns_capable(..., CAP_SYS_BOOT); kernel/kexec.c and
        // kernel/kexec_file.c: kexec_load(2) and kexec_file_load(2) check
        // kexec_load_permitted() (capable(CAP_SYS_BOOT)); the BPF verifier's destructive
        // kfuncs (kernel/bpf/verifier.c) are reached through bpf(2) with CAP_BPF besides.
        refused_calls: &["reboot", "kexec_load", "kexec_file_load"],
        added: &[],
        kept_for: &[],
        why: "its only uses, reboot(2), kexec_load(2) and kexec_file_load(2), are refused by SystemCallFilter=",
    },
    FloorCapability {
        capability: "CAP_SYS_PACCT",
        // kernel/acct.c: acct(2) checks capable(CAP_SYS_PACCT), and nothing else does.
        refused_calls: &["acct"],
        added: &[],
        kept_for: &[],
        why: "its only use, acct(2), is refused by SystemCallFilter=",
    },
    FloorCapability {
        capability: "CAP_SYS_PTRACE",
        // kernel/ptrace.c: __ptrace_may_access() lets it reach a process of another user or
        // with more capabilities (security/commoncap.c: cap_ptrace_access_check()) for
        // ptrace(2), perf_event_open(2) and pidfd_getfd(2) (@debug, refused), and for
        // /proc/PID/ files: with ProtectProc=invisible (hidepid) exactly those processes are
        // hidden (fs/proc/base.c: has_pid_permissions()), while CAP_SYS_PTRACE would show them.
        // process_vm_readv(2), process_madvise(2) (both @ipc), kcmp(2) and get_robust_list(2)
        // reach a process by PID without /proc: process inspection, whose imports (rows of the
        // evidence table) keep this capability. A /proc path a file names is a /proc read, which
        // ProtectProc=invisible governs as the baseline decided (the capability would undo it
        // for a root service: kernel/ptrace.c ptrace_has_cap()), so it does not keep it.
        refused_calls: &["ptrace", "perf_event_open", "pidfd_getfd"],
        added: &[("ProtectProc", "invisible")],
        kept_for: &[ProcessInspection],
        why: "ptrace(2), perf_event_open(2) and pidfd_getfd(2) are refused by SystemCallFilter=, and ProtectProc=invisible hides the processes it would let the service read in /proc",
    },
];

/// From this release on, systemd applies RestrictFileSystems= before SystemCallFilter=
/// (src/core/exec-invoke.c of 257; src/core/execute.c of 252 applies it after, with bpf(2)).
pub const RESTRICT_FILE_SYSTEMS_BEFORE_FILTER_SINCE: u32 = 257;

/// The needs that rule out a group of a `SystemCallFilter=~...` deny list.
pub fn syscall_group_breaks(group: &str) -> &'static [Need] {
    SYSCALL_GROUP_BREAKS.iter().find(|(g, _)| *g == group).map(|(_, n)| *n).unwrap_or(&[])
}

/// What a need keeps off, as `explain` prints it and the planner decides it: each directive
/// that lists it in `breaks`, then each deny-list group of SystemCallFilter= that it rules out.
pub fn kept_off_by(need: Need) -> Vec<String> {
    let mut out: Vec<String> =
        DIRECTIVES.iter().filter(|d| d.breaks.contains(&need)).map(|d| d.key.to_owned()).collect();
    for d in DIRECTIVES {
        for (value, _) in d.value_breaks.iter().filter(|(_, needs)| needs.contains(&need)) {
            out.push(format!("{}={value}", d.key));
        }
    }
    for (group, needs) in SYSCALL_GROUP_BREAKS {
        if needs.contains(&need) {
            out.push(format!("SystemCallFilter=~{group}"));
        }
    }
    out
}

pub fn lookup(key: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|d| d.key == key)
}

/// The first systemd release that accepts `value` for `key` (0 for a key the table lacks).
pub fn since(key: &str, value: &str) -> u32 {
    lookup(key).map_or(0, |d| d.since_for(value))
}

/// Position in the table, so that output order never depends on hash order or policy order.
pub fn order(key: &str) -> usize {
    DIRECTIVES.iter().position(|d| d.key == key).unwrap_or(usize::MAX)
}

/// The comment written above `key=value` in a drop-in: the table's comment describes the
/// baseline's value, and a policy may write another (a deny list where the baseline allows,
/// `read-only` where it hides), so values that mean something else get their own words.
pub fn comment_for(key: &str, value: &str) -> String {
    let deny = value.starts_with('~');
    let text = match (key, value) {
        ("UMask", _) => return umask_comment(value),
        ("SystemCallErrorNumber", "kill") => "Kill the service on a filtered system call",
        ("SystemCallErrorNumber", _) => {
            return format!("Fail filtered system calls with {value} instead of killing the service");
        }
        _ if crate::grammar::parse_boolean(value) == Some(false) => return format!("Leave {key}= off"),
        ("ProtectSystem", "yes" | "true") => "Mount /usr and /boot read-only for the service",
        ("ProtectSystem", "strict") => {
            "Mount the whole file system read-only for the service, except /dev, /proc, /sys and what it may write"
        }
        ("ProtectHome", "read-only") => "Make /home, /root and /run/user read-only for the service",
        ("ProtectHome", "tmpfs") => "Show the service empty /home, /root and /run/user",
        ("PrivateTmp", "disconnected") => "Give the service its own /tmp and /var/tmp, shared with nothing",
        ("ProtectProc", "noaccess") => "Forbid access to other users' processes in /proc",
        ("ProtectProc", "ptraceable") => "Hide the processes in /proc that the service may not trace",
        ("ProtectProc", "default") => "Show every process in /proc",
        ("ProcSubset", "all") => "Show all of /proc",
        ("ProtectControlGroups", "private") => "Give the service its own control group namespace",
        ("ProtectControlGroups", "strict") => "Give the service its own control group namespace, read-only",
        ("PrivateUsers", "identity") => "Run the service in a user namespace that maps the host's system users",
        ("PrivateUsers", "full") => "Run the service in a user namespace that maps every host user",
        ("SystemCallFilter", "@system-service") => "Allow only the system calls a typical service uses",
        ("SystemCallFilter", _) if deny => "Forbid these system calls",
        ("SystemCallFilter", _) => "Allow only these system calls",
        ("RestrictAddressFamilies", "none") => "Forbid every socket address family",
        ("RestrictAddressFamilies", _) if deny => "Forbid these socket address families",
        ("RestrictNamespaces", "yes" | "true") => "Forbid creating namespaces",
        ("RestrictNamespaces", _) if deny => "Forbid creating these kinds of namespace",
        ("RestrictNamespaces", _) => "Allow creating only these kinds of namespace",
        ("SystemCallArchitectures", "native") => "Allow only native system calls",
        ("SystemCallArchitectures", _) => "Allow only system calls of these architectures",
        ("CapabilityBoundingSet", "") => "Drop every capability",
        ("CapabilityBoundingSet", _) if deny => "Drop these capabilities",
        ("CapabilityBoundingSet", _) => "Keep only these capabilities",
        _ => lookup(key).map(|d| d.comment).unwrap_or(""),
    };
    text.to_owned()
}

/// Who may use the files a service creates under `UMask=value`.
fn umask_comment(value: &str) -> String {
    let text = match u32::from_str_radix(value, 8) {
        Ok(m) if m & 0o077 == 0o077 => "Create files readable by the service's user only",
        Ok(m) if m & 0o027 == 0o027 => "Create files others cannot use and the service's group cannot change",
        _ => return format!("Remove the permission bits {value} from the files the service creates"),
    };
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_versions_sane() {
        for (i, d) in DIRECTIVES.iter().enumerate() {
            assert!(DIRECTIVES[..i].iter().all(|o| o.key != d.key), "{} twice", d.key);
            assert!(d.since <= 257, "{}", d.key);
            for (_, s) in d.value_since {
                assert!(*s >= d.since, "{}", d.key);
            }
        }
    }

    #[test]
    fn every_score_row_named_is_a_row_of_the_score_table() {
        let all = crate::score::assess(crate::score::DEFAULT_RELEASE, "x.service", &[]);
        for d in DIRECTIVES {
            for row in d.rows {
                assert!(all.row(row).is_some(), "{}: no score row {row}", d.key);
            }
            for f in d.flags {
                if let Flag::UnreachableGrantUnder { row, under } = f {
                    // The engine reads `under` as on where its own score row is good.
                    assert!(d.rows.contains(row), "{}: {row} is not a row it moves", d.key);
                    assert!(lookup(under).is_some_and(|u| u.rows.contains(under)), "{}: {under}", d.key);
                }
            }
            if let Some(other) = d.pairs_with() {
                // The planner writes it when it reaches its row, after the one it pairs with.
                assert!(order(other) < order(d.key), "{} pairs with {other}, which must come first", d.key);
            }
        }
    }

    #[test]
    fn a_group_is_ruled_out_by_every_need_that_rules_out_a_group_it_holds() {
        // Denying @privileged denies @clock, @chown...: a need that keeps a nested group off
        // must keep the group holding it off too, in every release's groups.
        for release in &crate::score::release::RELEASES {
            let table = crate::score::syscalls::SyscallTable::of(release);
            for (group, needs) in SYSCALL_GROUP_BREAKS {
                for nested in table.group(group).unwrap().iter().filter(|m| m.starts_with('@')) {
                    for need in syscall_group_breaks(nested) {
                        assert!(
                            needs.contains(need),
                            "{}: {group} holds {nested}, which {need:?} rules out",
                            release.version
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_capability_floor_names_calls_every_release_knows() {
        for release in &crate::score::release::RELEASES {
            let table = crate::score::syscalls::SyscallTable::of(release);
            for f in CAPABILITY_FLOOR {
                assert!(f.capability.starts_with("CAP_") && !f.why.is_empty());
                for call in f.refused_calls {
                    assert!(table.class(call).is_some(), "{}: {call} of {}", release.version, f.capability);
                }
                for (key, _) in f.added {
                    assert!(order(key) < order("CapabilityBoundingSet"), "{key} is planned after the bounding set");
                }
            }
        }
    }

    #[test]
    fn value_versions() {
        assert_eq!(lookup("ProtectSystem").unwrap().since_for("strict"), 232);
        assert_eq!(lookup("ProtectSystem").unwrap().since_for("full"), 214);
        assert_eq!(lookup("SystemCallFilter").unwrap().since_for("@system-service"), 239);
        assert_eq!(lookup("SystemCallFilter").unwrap().since_for("~@mount"), 187);
        assert_eq!(lookup("PrivateUsers").unwrap().since_for("yes"), 232);
        assert_eq!(lookup("PrivateUsers").unwrap().since_for("identity"), 257);
        assert_eq!(lookup("PrivateUsers").unwrap().since_for("full"), 258);
    }
}
