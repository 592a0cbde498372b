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
