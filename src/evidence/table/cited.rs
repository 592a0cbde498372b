//! What some programs do, cited from their sources, where their files alone would leave
//! the evidence incomplete: the capabilities a program that sets its own keeps, the dlopen(3)
//! calls that load no code, and what a program a script runs needs when the root does not
//! hold it. Each row names the file and function of the source it comes from.

use crate::directives::Need;

/// Programs that set their own capabilities, with every capability they ask to keep, from
/// their sources. A program not listed here keeps what it decides at run time, so its
/// evidence is incomplete. Measured in tests/bootlab/: bird asks for CAP_NET_ADMIN and
/// CAP_NET_RAW, which no function it imports shows, and fails ("capset: Operation not
/// permitted") when they are not in its bounding set.
pub static KEEPS_CAPABILITIES: &[(&[&str], &[&str], &str)] = &[
    (
        &["named"],
        &[
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_SETUID",
            "CAP_SETGID",
            "CAP_DAC_READ_SEARCH",
            "CAP_SYS_RESOURCE",
            "CAP_CHOWN",
        ],
        "BIND 9's bin/named/os.c, linux_initialprivs(); linux_minprivs() keeps fewer",
    ),
    (
        &["bird", "bird6"],
        &["CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW"],
        "BIRD's sysdep/linux/syspriv.h, drop_uid()",
    ),
    (
        &["avahi-daemon"],
        &["CAP_SYS_CHROOT", "CAP_SETUID", "CAP_SETGID"],
        "avahi-daemon/caps.c, avahi_caps_reduce() before it drops root; avahi_caps_reduce2() keeps CAP_SYS_CHROOT",
    ),
    (
        &["lldpd"],
        &["CAP_DAC_OVERRIDE", "CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_SETUID", "CAP_SETGID"],
        "lldpd's src/daemon/priv.c, priv_caps() of the monitor before priv_drop(); the first three after it",
    ),
    (
        &["dnsmasq"],
        &["CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"],
        "dnsmasq's src/dnsmasq.c, main(): capset() before it drops root; after it, only what its \
         configuration needs of the first three",
    ),
    (
        &["tor"],
        &["CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"],
        "tor's src/lib/process/setuid.c, drop_capabilities() around switch_id(); CAP_NET_BIND_SERVICE after it",
    ),
    (
        &["nscd"],
        &["CAP_AUDIT_WRITE", "CAP_SETUID", "CAP_SETGID"],
        "glibc's nscd/connections.c, finish_drop_privileges() when server-user is set: \
         preserve_capabilities() of nscd/selinux.c keeps these three while it changes user, \
         install_real_capabilities() then only CAP_AUDIT_WRITE (glibc 2.36 to 2.41)",
    ),
    (
        // The Debian packages install it as squid-gnutls or squid-openssl behind an alternative.
        &["squid", "squid-gnutls", "squid-openssl"],
        &["CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN"],
        "squid's src/tools.cc, restoreCapabilities() from leave_suid() and no_suid(): \
         CAP_NET_ADMIN only when its configuration turns on interception, TPROXY or netfilter \
         marks, which an administrator may do later (squid 5.7 to 7.6)",
    ),
];

/// Programs whose dlopen(3) only checks that a library is installed: it is closed again
/// and none of its code is called, so it loads no code of the program's, from their sources.
pub static DLOPEN_PROBES: &[(&[&str], &str)] = &[(
    &["avahi-daemon"],
    "avahi-client/check-nss.c, avahi_nss_support(): opens libnss_mdns*.so.2 and closes it at once, \
     to report whether host name lookups reach mDNS",
)];

/// Programs a script may run that no package of the service ships, with every capability
/// and socket address family they use: where one is not in the root (the build root holds
/// only the package; a system may install it later), what it would use is still known, so
/// its absence leaves nothing unread that complete evidence decides (the derived sets, and
/// the `@mount` group, which none of these calls).
pub static USED_WITHOUT_FILE: &[UsedWithoutFile] = &[UsedWithoutFile {
    programs: &["apparmor_parser"],
    capabilities: &["CAP_MAC_ADMIN"],
    families: &["AF_UNIX"],
    // It writes the policy to /sys/kernel/security/apparmor/.replace, which
    // ProtectKernelTunables= makes read-only (systemd's namespace.c exempts /sys/fs/selinux only):
    // a hint, like every kernel-tunables need, so strict holds it back and explain shows it.
    needs: &[Need::KernelTunables],
    source: "loads AppArmor policy through /sys/kernel/security/apparmor, which the kernel allows \
             with CAP_MAC_ADMIN (Linux's security/apparmor/policy.c, aa_policy_admin_capable()); \
             AppArmor 3.0.8 and 4.1.0 \
             (Debian 12 and 13) link only libc and import no socket, exec, mount, chroot, \
             set-id or capability function, only syslog's",
}];

pub struct UsedWithoutFile {
    pub programs: &'static [&'static str],
    pub capabilities: &'static [&'static str],
    pub families: &'static [&'static str],
    pub needs: &'static [Need],
    pub source: &'static str,
}

/// PAM modules whose files do not show all they do, from Linux-PAM 1.5/1.7's sources
/// (Debian 12, 13). A module of the configuration that is read counts with its imports, as a
/// plugin does, plus what its row says; a row that runs what its arguments or other files
/// name leaves the evidence incomplete.
pub static PAM_MODULES: &[PamModule] = &[
    PamModule {
        modules: &["pam_exec.so"],
        capabilities: &[],
        families: &[],
        runs_unread: true,
        source: "runs the command its configuration line names (modules/pam_exec/pam_exec.c, call_exec())",
    },
    PamModule {
        modules: &["pam_motd.so"],
        capabilities: &[],
        families: &[],
        runs_unread: true,
        source: "runs the scripts of /etc/update-motd.d through run-parts (Debian's update-motd patch of \
                 modules/pam_motd/pam_motd.c)",
    },
    PamModule {
        modules: &["pam_mkhomedir.so"],
        capabilities: &[],
        families: &[],
        runs_unread: true,
        source: "runs mkhomedir_helper to create home directories (modules/pam_mkhomedir/pam_mkhomedir.c, \
                 create_homedir())",
    },
    PamModule {
        modules: &["pam_xauth.so"],
        capabilities: &[],
        families: &[],
        runs_unread: true,
        source: "runs xauth as the users it moves keys between (modules/pam_xauth/pam_xauth.c, run_coprocess())",
    },
    PamModule {
        modules: &["pam_namespace.so"],
        capabilities: &[],
        families: &[],
        runs_unread: true,
        source: "runs /etc/security/namespace.init for each directory it polyinstantiates \
                 (modules/pam_namespace/pam_namespace.c, inst_init())",
    },
    PamModule {
        modules: &["pam_loginuid.so"],
        capabilities: &["CAP_AUDIT_CONTROL"],
        families: &[],
        runs_unread: false,
        source: "writes /proc/self/loginuid (modules/pam_loginuid/pam_loginuid.c, set_loginuid()), which \
                 Linux allows, once a login uid is set, only with CAP_AUDIT_CONTROL (kernel/auditsc.c, \
                 audit_set_loginuid_perm())",
    },
    PamModule {
        modules: &["pam_tty_audit.so"],
        capabilities: &["CAP_AUDIT_CONTROL"],
        families: &["AF_NETLINK"],
        runs_unread: false,
        source: "sets the TTY auditing of the session through an audit netlink socket \
                 (modules/pam_tty_audit/pam_tty_audit.c, nl_send(AUDIT_TTY_SET)), which Linux allows only \
                 with CAP_AUDIT_CONTROL (kernel/audit.c, audit_netlink_ok())",
    },
    PamModule {
        modules: &["pam_setquota.so"],
        capabilities: &["CAP_SYS_ADMIN"],
        families: &[],
        runs_unread: false,
        source: "sets disk quotas with quotactl(Q_SETQUOTA) (modules/pam_setquota/pam_setquota.c), which \
                 Linux allows only with CAP_SYS_ADMIN (fs/quota/quota.c, check_quotactl_permission())",
    },
    PamModule {
        modules: &["pam_systemd.so", "pam_systemd_home.so"],
        capabilities: &[],
        families: &["AF_UNIX"],
        runs_unread: false,
        source: "asks systemd-logind (systemd-homed) over D-Bus on its AF_UNIX socket \
                 (systemd's src/login/pam_systemd.c, src/home/pam_systemd_home.c)",
    },
];

pub struct PamModule {
    /// Module file names (`pam_exec.so`).
    pub modules: &'static [&'static str],
    pub capabilities: &'static [&'static str],
    pub families: &'static [&'static str],
    /// Runs programs or scripts its arguments or other files name, which are not read.
    pub runs_unread: bool,
    pub source: &'static str,
}

/// Set-uid/set-gid helpers a PAM module runs only for a caller that is not root: pam_unix
/// reads /etc/shadow itself when its effective uid is 0 (modules/pam_unix/passverify.c,
/// get_account_info(): `if (geteuid() || SELINUX_ENABLED) return PAM_UNIX_RUN_HELPER;`; as
/// root under SELinux the helper runs as root, and needs no set-gid bit to read /etc/shadow).
pub static PAM_HELPERS_FOR_NON_ROOT: &[(&str, &[&str], &str)] = &[(
    "pam_unix.so",
    &["unix_chkpwd", "unix_update"],
    "modules/pam_unix/passverify.c, get_account_info(): as root it reads /etc/shadow itself",
)];

/// Why a set-gid helper that pam_unix runs for a service that is not root only hints at a
/// need for its privilege (NoNewPrivileges= would stop it): unix_chkpwd checks, for a caller
/// that is not root, only the password of the caller's own user, and for any other user
/// drops to the caller's uid first and fails (modules/pam_unix/unix_chkpwd.c, main()); a
/// daemon's clients do not log in as the daemon's own system user.
pub const PAM_HELPER_AS_USER: &str = "pam_unix runs this set-gid helper when not root, and it then checks only the \
     password of the service's own user (modules/pam_unix/unix_chkpwd.c, main()), which clients do not log in as";
