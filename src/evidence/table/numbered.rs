//! Libraries that import syscall(3) and pass it only numbers their source names. Without
//! a row, a file importing syscall makes system calls its imports do not show
//! ([`crate::directives::Need::NumberedSystemCalls`]), which keeps `@privileged` and
//! `@resources` out of the deny list. With one, the library's syscall() counts as the calls
//! the row lists, and the row's effects are what those calls need.
//!
//! Each row is read from the library's source (the function that calls syscall() and the
//! constant it passes, every call site), naming the versions read, and checked for every
//! version of Debian 12, 13 and sid it matches against the numbers loaded before each
//! call to syscall@plt in the x86-64 files
//! (`objdump -d --no-show-raw-insn LIBRARY`, then the `mov $N,%edi` before each `call`
//! or `jmp <syscall@plt>`; no file takes syscall's address: `objdump -R` shows only its
//! JUMP_SLOT). A row is keyed by the file name, with the version where the set differs
//! between versions (libsystemd). A library whose numbers are computed at run time, or
//! that was not read, has no row and stays as it was.

use super::Effect::{self, Capability as Cap, Need as N};
use crate::directives::Need::{ChangesUser, HostUserIds};
use crate::unit::words::base_name;

#[derive(Debug, Clone, Copy)]
pub struct NumberedCalls {
    /// File names (base names) starting with one of these sonames, or a program's name.
    pub library: &'static [&'static str],
    /// Every system call it passes to syscall(), by its name.
    pub calls: &'static [&'static str],
    /// What those calls need. Calls the library also imports under the same name are not
    /// repeated here: the rows about that import count them (and the reach rows of
    /// [`super::libraries`] decide whether they do), listed in `imported`.
    pub then: &'static [Effect],
    /// Calls of `calls` that the library imports by that name too.
    pub imported: &'static [&'static str],
    /// Calls of a deny-list group that can fail with EPERM without harm: the source tries
    /// them only after other ways failed and goes on to the next one when they fail.
    pub fallback: &'static [&'static str],
    /// Where the source shows it, for `explain`.
    pub source: &'static str,
}

/// openat2(2) is in no deny-list group. RestrictSUIDSGID='s filter refuses it with ENOSYS,
/// which Samba's caller takes as a kernel without openat2 and falls back on.
const SAMBA_OPENAT2: &str = "Samba's lib/replace/replace.c, rep_openat2(): syscall(__NR_openat2) only; \
     its caller source3/smbd/files.c openat_pathref_fsp_nosymlink() falls back to openat() on ENOSYS \
     (Samba 4.17.12, 4.22.11)";

pub static NUMBERED_CALLS: &[NumberedCalls] = &[
    // libcap-ng's src/cap-ng.c (0.8.3, 0.8.5, 0.9.5 and 0.9.6 read): init(),
    // get_bounding_set() and get_ambient_set(), only `syscall(__NR_gettid)`, for the pid
    // of the capability header and the /proc/PID/status path.
    NumberedCalls {
        library: &["libcap-ng.so.0"],
        calls: &["gettid"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "libcap-ng's src/cap-ng.c, init(), get_bounding_set(), get_ambient_set(): \
                 syscall(__NR_gettid) only (0.8.3, 0.8.5, 0.9.6)",
    },
    // OpenSSL's crypto/mem_sec.c sh_init() (the secure heap CRYPTO_secure_malloc_init()
    // sets up): syscall(SYS_mlock2, ..., MLOCK_ONFAULT), mlock() on ENOSYS; and
    // providers/implementations/rands/seeding/rand_unix.c syscall_random(): getentropy(),
    // then syscall(__NR_getrandom, buf, buflen, 0) when getentropy() fails with ENOSYS. The
    // two call sites and their numbers (325, 318) checked in the files of OpenSSL 3.0.22,
    // 3.5.9 and 3.6.5.
    NumberedCalls {
        library: &["libcrypto.so.3"],
        calls: &["mlock2", "getrandom"],
        then: &[Cap("CAP_IPC_LOCK")],
        imported: &[],
        fallback: &[],
        source: "OpenSSL's crypto/mem_sec.c sh_init(): SYS_mlock2; \
                 providers/implementations/rands/seeding/rand_unix.c syscall_random(): __NR_getrandom \
                 (3.0.22, 3.5.9, 3.6.5)",
    },
    // libcap's libcap/cap_proc.c (2.66, 2.75, 2.76 and 2.78 read): _cap_syscall3() and
    // _cap_syscall6() hand syscall() the number their callers pass, and every caller
    // passes a constant: SYS_capset in _libcap_capset(), SYS_prctl in
    // _libcap_wprctl3()/_libcap_wprctl6(), SYS_setuid in _cap_setuid(), SYS_setgid and
    // SYS_setgroups in _cap_setgroups(), SYS_chroot in _cap_chroot() (the files of 2.66 and
    // 2.75 call syscall@plt only from the two wrappers; 2.78's also has the callers'
    // constants, 126, 157, 105, 106 and 116, inlined before ten more). It imports each of
    // them by name too, from the same functions.
    NumberedCalls {
        library: &["libcap.so.2"],
        calls: &["capset", "prctl", "setuid", "setgid", "setgroups", "chroot"],
        then: &[],
        imported: &["capset", "prctl", "setuid", "setgid", "setgroups", "chroot"],
        fallback: &[],
        source: "libcap's libcap/cap_proc.c, _cap_syscall3()/_cap_syscall6() called only with SYS_capset, \
                 SYS_prctl, SYS_setuid, SYS_setgid, SYS_setgroups, SYS_chroot, each imported by name too \
                 (2.66, 2.75, 2.76, 2.78)",
    },
    // libbsd's src/closefrom.c closefrom(): syscall(SYS_close_range) (0.11.7, 0.12.2);
    // 0.11.7's src/getentropy_linux.c getentropy(): getentropy_getrandom()
    // (SYS_getrandom), then /dev/urandom, then getentropy_sysctl() (SYS__sysctl, which
    // Linux removed in 5.5), then getentropy_fallback() when that fails.
    NumberedCalls {
        library: &["libbsd.so.0"],
        calls: &["close_range", "getrandom", "_sysctl"],
        then: &[],
        imported: &[],
        fallback: &["_sysctl"],
        source: "libbsd's src/closefrom.c closefrom(): SYS_close_range (0.11.7, 0.12.2); 0.11.7's \
                 src/getentropy_linux.c getentropy(): SYS_getrandom, and SYS__sysctl only after getrandom and \
                 /dev/urandom failed, falling through when it fails",
    },
    // keyutils' keyutils.c (Debian's 1.6.3-2 source read, its patches applied): add_key()
    // passes __NR_add_key, request_key() __NR_request_key, and __keyctl(), behind keyctl()
    // and every keyctl_*() helper, __NR_keyctl; there is no other syscall() in the
    // library. The files of 1.6.3-2, 1.6.3-6 and 1.6.3-6+b2 load 248, 249 and 250 before
    // their three calls, in add_key, request_key and keyctl.
    NumberedCalls {
        library: &["libkeyutils.so.1"],
        calls: &["add_key", "request_key", "keyctl"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "keyutils' keyutils.c: add_key() __NR_add_key, request_key() __NR_request_key, __keyctl() \
                 (behind keyctl() and the keyctl_*() helpers) __NR_keyctl (1.6.3-2 read; the numbers of \
                 1.6.3-2 and 1.6.3-6 checked in their files)",
    },
    // MIT Kerberos' src/lib/crypto/krb/prng.c get_os_entropy(), behind
    // krb5_c_random_make_octets(): syscall(SYS_getrandom, buf, len, 0) until the buffer is
    // full, /dev/urandom when it fails; the only syscall() under src/lib/crypto (Debian's
    // 1.20.1-2+deb12u5 and 1.21.3-5+deb13u1 sources read). The files of 1.20.1-2+deb12u5
    // and 1.21.3-5+deb13u2 load 318 before their one call; sid's 1.22.1 imports no syscall.
    NumberedCalls {
        library: &["libk5crypto.so.3"],
        calls: &["getrandom"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "MIT Kerberos' src/lib/crypto/krb/prng.c, get_os_entropy() behind krb5_c_random_make_octets(): \
                 SYS_getrandom (1.20.1, 1.21.3)",
    },
    // attr's libattr/syscalls.c: libattr_setxattr() to libattr_fremovexattr(), exported as
    // the compat symbols setxattr@ATTR_1.0 and so on, each pass the number of the call of
    // their name, and nothing else in libattr calls syscall() (Debian's 2.5.1-4 source
    // with its patches, 2.5.2's release tarball and upstream's tag v2.6.0 read; Debian's
    // patches of 2.5.2-3 and 2.6.0-1 not read). The files of 2.5.1-4, 2.5.2-3 and 2.6.0-1
    // load 188 to 199, one in each of the twelve functions.
    NumberedCalls {
        library: &["libattr.so.1"],
        calls: &[
            "setxattr",
            "lsetxattr",
            "fsetxattr",
            "getxattr",
            "lgetxattr",
            "fgetxattr",
            "listxattr",
            "llistxattr",
            "flistxattr",
            "removexattr",
            "lremovexattr",
            "fremovexattr",
        ],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "attr's libattr/syscalls.c: libattr_setxattr() to libattr_fremovexattr() (the compat symbols \
                 setxattr@ATTR_1.0 and so on) each pass __NR_ of their own call (2.5.1, 2.5.2, 2.6.0)",
    },
    // systemd's syscall() calls are the wrappers of src/basic/missing_syscall.h (a
    // missing_*() is used only where meson found no glibc function), raw_getpid() there,
    // and raw-clone.h raw_clone(); which of them a build keeps is read in its file. Debian's
    // 252.39-1~deb12u2 source: raw_getpid() in process-util.c getpid_cached() (getpid),
    // raw_clone() in safe_fork_full() for new namespaces (clone), sd-id128.c
    // sd_id128_get_invocation() (request_key, keyctl: glibc has neither), and sd-event.c's
    // child sources: pidfd_open() in sd_event_add_child(), pidfd_send_signal() when a
    // source is freed or signalled, rt_sigqueueinfo() in
    // sd_event_source_send_child_signal() with a siginfo. 252's meson looks for
    // pidfd_open and pidfd_send_signal without <sys/pidfd.h>, so both go through syscall():
    // libsystemd.so.0.35.0 loads 39, 56, 249, 250, 424, 434 and 129 before its 15 calls
    // and imports neither by name. Signalling a child goes with its kill import, which
    // the reach row of libsystemd counts.
    NumberedCalls {
        library: &["libsystemd.so.0.35.0"],
        calls: &["clone", "getpid", "request_key", "keyctl", "pidfd_open", "pidfd_send_signal", "rt_sigqueueinfo"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "systemd 252.39's src/basic/missing_syscall.h and raw-clone.h wrappers, as used by \
                 process-util.c getpid_cached() and safe_fork_full() (getpid, clone), sd-id128.c \
                 sd_id128_get_invocation() (request_key, keyctl) and sd-event.c's child sources (pidfd_open, \
                 pidfd_send_signal, rt_sigqueueinfo); numbers read in libsystemd.so.0.35.0",
    },
    // Debian's 257.13-1~deb13u1 source: the same callers, but meson finds glibc's
    // pidfd_open() and pidfd_send_signal() in <sys/pidfd.h>, which libsystemd.so.0.40.0
    // imports by name; it loads 39, 56, 249, 250 and 129 before its 8 calls to syscall().
    NumberedCalls {
        library: &["libsystemd.so.0.40.0"],
        calls: &["clone", "getpid", "request_key", "keyctl", "rt_sigqueueinfo"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "systemd 257.13's src/basic/missing_syscall.h and raw-clone.h wrappers, as used by \
                 process-util.c getpid_cached() and safe_fork_full() (getpid, clone), sd-id128.c \
                 sd_id128_get_invocation() (request_key, keyctl) and sd-event.c \
                 sd_event_source_send_child_signal() (rt_sigqueueinfo); numbers read in libsystemd.so.0.40.0",
    },
    // Debian's 262.1-1 (sid): its source could not be had at that version, so this row is
    // read from libsystemd.so.0.45.0 alone. Each of its 16 calls to syscall@plt loads a
    // constant into edi, and for all but two an assertion string beside it names the function: 249 and
    // 250 (twice) in sd-id128.c sd_id128_get_invocation() and keyring-util.c
    // keyring_describe(); 434 in sd-event.c sd_event_add_child(), pidref.c
    // pidref_set_pid_full() (twice) and by sd_pidfd_get_inode_id(); 424 in sd-event.c
    // source_disconnect(), sd_event_source_send_child_signal() and once more; 441
    // (epoll_pwait2) in code after sd_event_wait()'s entry, with no string beside it; 437
    // (openat2) in chase.c; 125 (capget) beside
    // /proc/sys/kernel/cap_last_cap; 428 (open_tree) in fs-util.c openat_with_automount();
    // 452 (fchmodat2) beside fd-util.c; 463 (setxattrat) in xattr-util.c xsetxattr_full().
    // It imports none of them by name. open_tree() is the only one in a deny-list group
    // (@mount): openat_with_automount() tries it for an O_PATH fd that triggers automounts,
    // and on EPERM (errno 1; also ENOSYS and the not-supported errnos) clears its static
    // can_open_tree and opens with openat() (the code after the call compares errno with
    // 1, 38, 25 and 92 to 97, then stores 0 in that static; the same fallback is in
    // systemd's fs-util.c as published after 262, read).
    NumberedCalls {
        library: &["libsystemd.so.0.45.0"],
        calls: &[
            "request_key",
            "keyctl",
            "pidfd_open",
            "pidfd_send_signal",
            "epoll_pwait2",
            "openat2",
            "capget",
            "open_tree",
            "fchmodat2",
            "setxattrat",
        ],
        then: &[],
        imported: &[],
        fallback: &["open_tree"],
        source: "systemd 262.1's libsystemd.so.0.45.0, its 16 constants read in the file: sd-id128.c \
                 sd_id128_get_invocation() (request_key, keyctl), sd-event.c and pidref.c (pidfd_open, \
                 pidfd_send_signal, epoll_pwait2), chase.c (openat2), capget beside /proc/sys/kernel/cap_last_cap, xattr-util.c \
                 xsetxattr_full() (setxattrat), fchmodat2, and fs-util.c openat_with_automount() (open_tree, \
                 openat() when it fails with EPERM)",
    },
    // Samba's lib/util/setid.c (tags samba-4.17.12 and samba-4.22.11 read; unchanged
    // from 4.22.11 to the 4.25 development branch): samba_setresuid(), samba_setresgid(),
    // samba_setreuid(), samba_setregid(), samba_seteuid() (setresuid), samba_setegid()
    // (setresgid), samba_setuid(), samba_setgid(), samba_setgroups(): syscall(SYS_...) so
    // that the change is made for the calling thread only; the library is that one file
    // (lib/util/wscript_build, util_setid). The files of 4.17.12, 4.22.11 and 4.25.1 load
    // 117, 119, 113, 114, 117, 119, 105, 106 and 116 in those nine functions.
    NumberedCalls {
        library: &["libutil-setid-samba4.so", "libutil-setid-private-samba.so"],
        calls: &["setresuid", "setresgid", "setreuid", "setregid", "setuid", "setgid", "setgroups"],
        then: &[N(ChangesUser), N(HostUserIds), Cap("CAP_SETUID"), Cap("CAP_SETGID")],
        imported: &[],
        fallback: &[],
        source: "Samba's lib/util/setid.c, samba_setresuid() and its kin: SYS_setresuid, SYS_setresgid, \
                 SYS_setreuid, SYS_setregid, SYS_setuid, SYS_setgid, SYS_setgroups (4.17.12, 4.22.11 read; \
                 4.25.1's numbers checked in its file)",
    },
    // D-Bus's dbus/dbus-sysdeps-unix.c (Debian's 1.16.2-2 source read): the only syscall()
    // calls of libdbus are _dbus_credentials_add_from_current_process()'s
    // `syscall (SYS_pidfd_open, pid, 0)`, whose pid fd is taken only when it is not negative
    // (the pid is added either way), and the close_range() stand-in that is built only where
    // glibc lacks close_range() (2.34 on has it). The file of 1.16.2-2 (Debian 13) loads 434
    // before its one call; 1.14.10's (Debian 12) imports no syscall.
    NumberedCalls {
        library: &["libdbus-1.so.3"],
        calls: &["pidfd_open", "close_range"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "D-Bus's dbus/dbus-sysdeps-unix.c: _dbus_credentials_add_from_current_process() \
                 SYS_pidfd_open, and a close_range() stand-in where glibc lacks one (1.16.2)",
    },
    // acl 2.4.0 (Debian's 2.4.0-1 source read, its two patches touch no syscall):
    // libmisc/xattrat.c getxattrat(), setxattrat(), listxattrat(), removexattrat() (glibc has
    // none of them), called by libacl's *_at() functions through libmisc's
    // *xattrat_compat(), which fall back to the path calls on ENOSYS; libmisc/openat2.c
    // openat2(), built where glibc lacks it; libmisc is linked into libacl
    // (libacl/Makemodule.am, LIBADD). There is no other syscall() in the source. The file of
    // 2.4.0-1 (sid) loads 464, 463, 465, 466 and 437 before its five calls; those of 2.3.1-3
    // and 2.3.2-2+b1 (Debian 12, 13) import no syscall.
    NumberedCalls {
        library: &["libacl.so.1.2.2400"],
        calls: &["getxattrat", "setxattrat", "listxattrat", "removexattrat", "openat2"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "acl's libmisc/xattrat.c getxattrat(), setxattrat(), listxattrat(), removexattrat() and \
                 libmisc/openat2.c openat2(): __NR_ of their own call (2.4.0)",
    },
    // jemalloc's src/pages.c os_overcommits_proc() (open or openat, read, close) and
    // include/jemalloc/internal/malloc_io.h malloc_write_fd()/malloc_read_fd() (write, read),
    // which pass SYS_ constants under JEMALLOC_USE_SYSCALL (Debian's 5.3.0-1 and 5.3.0-3
    // sources read); 5.3.1 (Debian's 5.3.1-2 source read) moves them to src/malloc_io.c and
    // malloc_io.h, adds lseek, and src/pages.c pages_purge_process_madvise_impl()
    // (process_madvise, for the hpa allocator). The files of 5.3.0-1 and 5.3.0-3 (Debian 12,
    // 13) load 0, 1, 2 and 3 before their 12 calls.
    NumberedCalls {
        library: &["libjemalloc.so.2"],
        calls: &["read", "write", "open", "openat", "close", "lseek", "process_madvise"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "jemalloc's src/pages.c os_overcommits_proc() and malloc_io's malloc_write_fd(), \
                 malloc_read_fd(): SYS_open or SYS_openat, SYS_read, SYS_write, SYS_close; 5.3.1 also \
                 SYS_lseek and pages_purge_process_madvise_impl() SYS_process_madvise (5.3.0, 5.3.1)",
    },
    // libseccomp's src/system.c: sys_chk_seccomp_syscall() resolves "seccomp" in its own
    // syscall table (arch_syscall_resolve_name()) and probes it; sys_chk_seccomp_action(),
    // _sys_chk_seccomp_flag_kernel() and sys_filter_load() pass the number it keeps
    // (_nr_seccomp), sys_notify_alloc() __NR_seccomp: seccomp(2) only (the 2.5 branch read).
    // The files of 2.5.4-1+deb12u1, 2.6.0-2 and 2.6.1-1+b2 make 7 calls: one with the number
    // just resolved from the string "seccomp", five with the static it alone is stored in
    // (or -1, on reset), one with 317.
    NumberedCalls {
        library: &["libseccomp.so.2"],
        calls: &["seccomp"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "libseccomp's src/system.c, sys_chk_seccomp_syscall(), sys_chk_seccomp_action(), \
                 sys_filter_load(), sys_notify_alloc(): the number arch_syscall_resolve_name() gives \
                 \"seccomp\", or __NR_seccomp (2.5.4, 2.6.0, 2.6.1)",
    },
    // Tor's src/lib/crypt_ops/crypto_rand.c, crypto_strongest_rand_syscall():
    // syscall(SYS_getrandom, out, out_len, 0), /dev/urandom when it fails. The programs of
    // 0.4.9.11-0+deb12u1, 0.4.9.15-0+deb13u1 and 0.4.9.15-1 (tor, tor-gencert,
    // tor-print-ed-signing-cert) load 318 before their one call.
    NumberedCalls {
        library: &["tor", "tor-gencert", "tor-print-ed-signing-cert"],
        calls: &["getrandom"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "Tor's src/lib/crypt_ops/crypto_rand.c, crypto_strongest_rand_syscall(): SYS_getrandom \
                 (0.4.9.11, 0.4.9.15)",
    },
    // rsyslog's runtime/debug.c dbgOutputTID(): syscall(SYS_gettid), twice, for the thread
    // id it prints when a thread starts; the only syscall() in the source (tag v8.2302.0's
    // release tarball and Debian's 8.2302.0-1+deb12u1 patches read; 8.2302.0-1+deb12u2's
    // patches not read). The programs of 8.2302.0-1+deb12u2, 8.2504.0-1+deb13u2 and
    // 8.2610.0-1 load 186 before their two calls.
    NumberedCalls {
        library: &["rsyslogd"],
        calls: &["gettid"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "rsyslog's runtime/debug.c dbgOutputTID(): SYS_gettid (8.2302.0; the numbers of 8.2302.0, \
                 8.2504.0 and 8.2610.0 checked in their files)",
    },
    // util-linux's lib/randutils.c, which libuuid is built with (libuuid/src/Makemodule.am):
    // ul_random_get_bytes() mixes syscall(__NR_gettid) into its jrand48 seed, and a
    // getrandom() stand-in passes SYS_getrandom where glibc has no getrandom() (2.25 on has
    // it, which libuuid imports by name); no other syscall() in libuuid's sources (Debian's
    // 2.38.1-5+deb12u3 source read, its patches applied). The files of 2.38.1-5+deb12u3,
    // 2.41.5-0+deb13u1 and 2.42.4-1, all libuuid.so.1.3.0, load 186 before their two calls.
    NumberedCalls {
        library: &["libuuid.so.1"],
        calls: &["gettid", "getrandom"],
        then: &[],
        imported: &["getrandom"],
        fallback: &[],
        source: "util-linux's lib/randutils.c ul_random_get_bytes(): __NR_gettid, and SYS_getrandom where \
                 glibc lacks getrandom() (2.38.1; the numbers of 2.38.1, 2.41.5 and 2.42.4 checked in their files)",
    },
    // rsync's syscall.c do_chmod(): syscall(SYS_fchmodat2, ..., AT_SYMLINK_NOFOLLOW) where
    // the build's headers define SYS_fchmodat2, after fchmodat() failed with ENOTSUP or
    // ENOSYS; lib/acl.c do_getxattr(), do_setxattr(), do_removexattr() and
    // xacl_at_available(): SYS_getxattrat, SYS_setxattrat, SYS_removexattrat under
    // HAVE_XATTRAT_SYSCALLS (headers of Linux 6.13 on); syscall.c do_fallocate():
    // SYS_fallocate only where glibc has no fallocate() (tag v3.5.0 and master at
    // 7c20b077 read). The program of 3.5.0+ds1-0+deb13u2 (Debian 13) loads 452 before its
    // one call, that of 3.5.1+ds1-2 (sid) 452, 463, 466, 464 and 464 before its five;
    // 3.5.0+ds1-0+deb12u1's (Debian 12) imports no syscall.
    NumberedCalls {
        library: &["rsync"],
        calls: &["fchmodat2", "getxattrat", "setxattrat", "removexattrat", "fallocate"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "rsync's syscall.c do_chmod() SYS_fchmodat2 and do_fallocate() SYS_fallocate, lib/acl.c \
                 do_getxattr(), do_setxattr(), do_removexattr(), xacl_at_available(): SYS_getxattrat, \
                 SYS_setxattrat, SYS_removexattrat (3.5.0; the numbers of 3.5.0 and 3.5.1 checked in their files)",
    },
    // Samba's libreplace, and the copy of it that libwbclient, talloc, tdb and tevent
    // carry: only rep_openat2().
    NumberedCalls {
        library: &[
            "libreplace-samba4.so",
            "libreplace-private-samba.so",
            "libwbclient.so.0",
            "libtalloc.so.2",
            "libtdb.so.1",
            "libtevent.so.0",
        ],
        calls: &["openat2"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: SAMBA_OPENAT2,
    },
];

/// The row of a library file, by its path or base name.
pub fn numbered_calls_of(file: &str) -> Option<&'static NumberedCalls> {
    let name = base_name(file);
    // The prefix first: every program and library run is looked up here, against every row.
    let matches = |p: &&str| name.starts_with(p) && (name.len() == p.len() || p.contains(".so"));
    NUMBERED_CALLS.iter().find(|r| r.library.iter().any(matches))
}

impl NumberedCalls {
    /// How the row reads in `explain`.
    pub fn describe(&self) -> String {
        format!("calls syscall(3) only for {} ({})", self.calls.join(", "), self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directives::{syscall_group_breaks, SYSCALL_GROUP_BREAKS};
    use crate::score::release::RELEASES;
    use crate::score::syscalls::{SyscallClass, SyscallTable};

    #[test]
    fn every_call_is_a_system_call_and_each_in_a_deny_list_group_is_needed_imported_or_a_fallback() {
        let newest = SyscallTable::of(RELEASES.last().unwrap());
        for release in &RELEASES {
            let table = SyscallTable::of(release);
            for row in NUMBERED_CALLS {
                assert!(!row.library.is_empty() && !row.calls.is_empty() && !row.source.is_empty(), "{row:?}");
                assert!(row.imported.iter().chain(row.fallback).all(|c| row.calls.contains(c)), "{row:?}");
                for call in row.calls {
                    // A call newer than a release's libseccomp is in none of its groups
                    // (252 has no *xattrat); every call is one of the newest release's.
                    let known = newest.class(call) == Some(SyscallClass::Native);
                    let class = table.class(call);
                    assert!(known && class.is_none_or(|c| c == SyscallClass::Native), "{call} ({})", release.version);
                    for (group, breaks) in SYSCALL_GROUP_BREAKS.iter().filter(|(_, b)| !b.is_empty()) {
                        if table.first_offender(group, &|c| c == *call).is_none() {
                            continue;
                        }
                        let needed = row.then.iter().any(|e| matches!(e, N(n) if breaks.contains(n)));
                        assert!(
                            needed || row.imported.contains(call) || row.fallback.contains(call),
                            "{call} of {:?} is in {group} ({}): the row must say what keeps it",
                            row.library,
                            release.version
                        );
                    }
                }
            }
        }
        // The check can fail: setresuid is in @privileged, which ChangesUser rules out.
        assert!(syscall_group_breaks("@privileged").contains(&ChangesUser));
    }

    #[test]
    fn rows_are_found_by_file_name() {
        let row = numbered_calls_of("/usr/lib/x86_64-linux-gnu/libcap-ng.so.0.0.0").unwrap();
        assert_eq!(row.calls, ["gettid"]);
        assert_eq!(numbered_calls_of("libcap.so.2.75").unwrap().calls[0], "capset");
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libsystemd.so.0.44.0").is_none(), "261 is not read");
        // 257 imports pidfd_open by name; 252 passes its number.
        assert!(numbered_calls_of("libsystemd.so.0.35.0").unwrap().calls.contains(&"pidfd_open"));
        assert!(!numbered_calls_of("libsystemd.so.0.40.0").unwrap().calls.contains(&"pidfd_open"));
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libnuma.so.1.0.0").is_none());
        // D-Bus 1.16's pid fd of its own process, and jemalloc's reads of /proc/sys/vm.
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libdbus-1.so.3.38.3")
            .unwrap()
            .calls
            .contains(&"pidfd_open"));
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2").unwrap().calls.contains(&"open"));
        assert!(numbered_calls_of("/usr/bin/rsync").unwrap().calls.contains(&"fchmodat2"));
        // A program's name is matched whole: only a soname is a prefix.
        assert!(numbered_calls_of("/usr/bin/rsync-ssl").is_none() && numbered_calls_of("/usr/bin/torify").is_none());
        assert!(numbered_calls_of("/usr/sbin/tor").is_some());
        assert_eq!(numbered_calls_of("/usr/sbin/rsyslogd").unwrap().calls, ["gettid"]);
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libuuid.so.1.3.0").unwrap().calls.contains(&"gettid"));
    }

    #[test]
    fn sids_libacl_and_libsystemd_are_read_by_their_versions() {
        let acl = numbered_calls_of("/usr/lib/x86_64-linux-gnu/libacl.so.1.2.2400").unwrap();
        assert_eq!(acl.calls, ["getxattrat", "setxattrat", "listxattrat", "removexattrat", "openat2"]);
        // 2.3's files import no syscall; a later 2.4 is not read.
        assert!(numbered_calls_of("libacl.so.1.1.2302").is_none());
        assert!(numbered_calls_of("libacl.so.1.2.2401").is_none());
        let systemd = numbered_calls_of("/usr/lib/x86_64-linux-gnu/libsystemd.so.0.45.0").unwrap();
        assert!(systemd.calls.contains(&"epoll_pwait2") && systemd.calls.contains(&"setxattrat"));
        // open_tree(2) is @mount's: it may fail with EPERM, openat() takes over.
        assert_eq!(systemd.fallback, ["open_tree"]);
        assert!(systemd.then.is_empty() && !systemd.calls.contains(&"clone"));
    }

    #[test]
    fn tor_and_its_libseccomp_call_only_getrandom_and_seccomp_by_number() {
        assert_eq!(numbered_calls_of("/usr/bin/tor").unwrap().calls, ["getrandom"]);
        assert_eq!(numbered_calls_of("/usr/bin/tor-gencert").unwrap().calls, ["getrandom"]);
        let seccomp = numbered_calls_of("/usr/lib/x86_64-linux-gnu/libseccomp.so.2.6.0").unwrap();
        assert_eq!(seccomp.calls, ["seccomp"]);
        // A program's row is its name alone: another program whose name starts alike is not read.
        assert!(numbered_calls_of("/usr/bin/torsocks").is_none());
        assert!(numbered_calls_of("/usr/bin/tor-resolve").is_none());
    }
}
