//! Libraries that import syscall(3) and pass it only numbers their source names. Without
//! a row, a file importing syscall makes system calls its imports do not show
//! ([`crate::directives::Need::NumberedSystemCalls`]), which keeps `@privileged` and
//! `@resources` out of the deny list. With one, the library's syscall() counts as the calls
//! the row lists, and the row's effects are what those calls need.
//!
//! Each row is read from the library's source (the function that calls syscall() and the
//! constant it passes, every call site) for the versions of Debian 12, 13 and sid, and
//! checked against the numbers loaded before each call to syscall@plt in the x86-64 files
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
    /// File names (base names) starting with one of these.
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
    // libcap's libcap/cap_proc.c (2.66, 2.75, 2.76 read; in 2.78's file the constants
    // loaded for these callers are the same, and the two calls in _cap_syscall3() and
    // _cap_syscall6() take their caller's): _cap_syscall3() and _cap_syscall6() hand
    // syscall() the number their callers pass, and every caller passes a constant: SYS_capset in _libcap_capset(),
    // SYS_prctl in _libcap_wprctl3()/_libcap_wprctl6(), SYS_setuid in _cap_setuid(),
    // SYS_setgid and SYS_setgroups in _cap_setgroups(), SYS_chroot in _cap_chroot(). It
    // imports each of them by name too, from the same functions.
    NumberedCalls {
        library: &["libcap.so.2"],
        calls: &["capset", "prctl", "setuid", "setgid", "setgroups", "chroot"],
        then: &[],
        imported: &["capset", "prctl", "setuid", "setgid", "setgroups", "chroot"],
        fallback: &[],
        source: "libcap's libcap/cap_proc.c, _cap_syscall3()/_cap_syscall6() called only with SYS_capset, \
                 SYS_prctl, SYS_setuid, SYS_setgid, SYS_setgroups, SYS_chroot, each imported by name too \
                 (2.66, 2.75, 2.76; 2.78 checked in its file)",
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
        source: "libbsd's src/closefrom.c closefrom(): SYS_close_range; src/getentropy_linux.c getentropy(): \
                 SYS_getrandom, and SYS__sysctl only after getrandom and /dev/urandom failed, falling \
                 through when it fails (0.11.7, 0.12.2)",
    },
    // keyutils' keyutils.c (1.6.3): add_key(), request_key() and keyctl() are the wrappers
    // of the calls of the same names, `syscall(__NR_add_key, ...)` and so on.
    NumberedCalls {
        library: &["libkeyutils.so.1"],
        calls: &["add_key", "request_key", "keyctl"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "keyutils' keyutils.c, add_key(), request_key(), keyctl(): __NR_add_key, __NR_request_key, \
                 __NR_keyctl (1.6.3)",
    },
    // MIT Kerberos' lib/crypto/krb/prng.c get_os_entropy(): syscall(SYS_getrandom) for
    // the PRNG seed (krb5 1.20.1, 1.21.3; sid's 1.22.1 imports no syscall).
    NumberedCalls {
        library: &["libk5crypto.so.3"],
        calls: &["getrandom"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "MIT Kerberos' lib/crypto/krb/prng.c, get_os_entropy(): SYS_getrandom (1.20.1, 1.21.3)",
    },
    // attr's libattr/syscalls.c (2.5.1, 2.5.2, 2.6.0): the twelve *xattr() functions are
    // wrappers of the calls of the same names, `syscall(__NR_setxattr, ...)` and so on.
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
        source: "attr's libattr/syscalls.c: each *xattr() function calls the system call of its name \
                 (2.5.1, 2.5.2, 2.6.0)",
    },
    // systemd's src/basic/missing_syscall.h and raw-clone.h wrappers, as libsystemd 252
    // (libsystemd.so.0.35.0) and 257 (0.40.0) use them: raw_clone() (clone),
    // raw_getpid() (getpid), sd-id128.c sd_id128_get_invocation() (request_key, keyctl),
    // sd-event.c's child sources (pidfd_open, pidfd_send_signal in 252, and
    // rt_sigqueueinfo for sd_event_source_send_child_signal() with a siginfo). Signalling a
    // child goes with its kill and pidfd_send_signal imports, which the reach row of
    // libsystemd counts. 262 (0.45.0) passes more (open_tree, openat2, ...): not listed.
    NumberedCalls {
        library: &["libsystemd.so.0.35.0", "libsystemd.so.0.40.0"],
        calls: &["clone", "getpid", "request_key", "keyctl", "pidfd_open", "pidfd_send_signal", "rt_sigqueueinfo"],
        then: &[],
        imported: &[],
        fallback: &[],
        source: "systemd's src/basic/missing_syscall.h and raw-clone.h: clone, getpid, request_key, keyctl, \
                 pidfd_open, pidfd_send_signal, rt_sigqueueinfo (libsystemd 252.39, 257.13)",
    },
    // Samba's lib/util/setid.c (4.17.12, 4.22.11, 4.25.1): samba_setresuid(),
    // samba_setresgid(), samba_setreuid(), samba_setregid(), samba_seteuid() (setresuid),
    // samba_setegid() (setresgid), samba_setuid(), samba_setgid(), samba_setgroups():
    // syscall(SYS_...) so that the change is made for the calling thread only.
    NumberedCalls {
        library: &["libutil-setid-samba4.so", "libutil-setid-private-samba.so"],
        calls: &["setresuid", "setresgid", "setreuid", "setregid", "setuid", "setgid", "setgroups"],
        then: &[N(ChangesUser), N(HostUserIds), Cap("CAP_SETUID"), Cap("CAP_SETGID")],
        imported: &[],
        fallback: &[],
        source: "Samba's lib/util/setid.c, samba_setresuid() and its kin: SYS_setresuid, SYS_setresgid, \
                 SYS_setreuid, SYS_setregid, SYS_setuid, SYS_setgid, SYS_setgroups (4.17.12, 4.22.11, 4.25.1)",
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
    NUMBERED_CALLS.iter().find(|r| r.library.iter().any(|p| name.starts_with(p)))
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
        for release in &RELEASES {
            let table = SyscallTable::of(release);
            for row in NUMBERED_CALLS {
                assert!(!row.library.is_empty() && !row.calls.is_empty() && !row.source.is_empty(), "{row:?}");
                assert!(row.imported.iter().chain(row.fallback).all(|c| row.calls.contains(c)), "{row:?}");
                for call in row.calls {
                    assert_eq!(table.class(call), Some(SyscallClass::Native), "{call} ({})", release.version);
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
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libsystemd.so.0.45.0").is_none(), "262 is not read");
        assert!(numbered_calls_of("/usr/lib/x86_64-linux-gnu/libnuma.so.1.0.0").is_none());
    }
}
