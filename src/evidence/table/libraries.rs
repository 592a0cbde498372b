//! Imports of shared libraries that only some of the library's exports reach. A library
//! imports what all its functions together need: libcap imports capset(2) for cap_set_proc,
//! libsystemd setns(2) for sd-bus connections into containers. A program that uses the
//! library for something else (cap_get_proc, sd_notify) never reaches them, and counting
//! them costs its service hardening for nothing.
//!
//! A row names the library, the imports (and path strings) it governs, and how they are
//! reached, from the library's source: the function chain is in the row's comment. The
//! imports count when the program or any other object it loads imports an export that
//! may reach them; when anything it loads was not read, they count too (see
//! `super::super::gather`). Everything not listed counts as before.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use super::super::files::ParsedElf;
use super::{matches_without, names, Match};

/// How a library's imports are reached.
#[derive(Debug, Clone, Copy)]
pub enum Reached {
    /// Only through these exports: the library's source shows no other caller.
    Through(&'static [&'static str]),
    /// Through any export whose name starts with one of `namespace`, except those listed
    /// (a name, or a prefix ending in `*`), which the source shows cannot reach them.
    AnyExcept { namespace: &'static [&'static str], except: &'static [&'static str] },
}

#[derive(Debug, Clone, Copy)]
pub struct Reach {
    /// Sonames starting with one of these.
    pub library: &'static [&'static str],
    /// Functions it imports that only `reached` leads to.
    pub imports: &'static [&'static str],
    /// Path strings it carries that only `reached` leads to (matched as the rows match them).
    pub paths: &'static [&'static str],
    pub reached: Reached,
    /// The exports that reach them, for `explain` (with `Reached::Through`: the same list).
    pub through: &'static str,
}

impl Reach {
    /// Whether `import`, imported by some object of the program, may reach the row's imports.
    pub fn reached_by(&self, import: &str) -> bool {
        match self.reached {
            Reached::Through(names) => names.contains(&import),
            Reached::AnyExcept { namespace, except } => {
                namespace.iter().any(|p| import.starts_with(p))
                    && !except.iter().any(|e| match e.strip_suffix('*') {
                        Some(prefix) => import.starts_with(prefix),
                        None => *e == import,
                    })
            }
        }
    }

    pub fn governs(&self, soname: &str) -> bool {
        self.library.iter().any(|p| soname.starts_with(p))
    }
}

/// The exports of libcap (2.x, libcap/cap_proc.c) that reach capset(2), through
/// `_libcap_capset()`: cap_set_proc() and capsetp() directly; cap_setuid() and
/// cap_setgroups() (`_cap_set_proc` around the id change), cap_set_mode(), cap_iab_set_proc()
/// and cap_launch() (whose child runs `_cap_launch`: ids, mode, IAB, chroot, execve).
const LIBCAP_SETS: &[&str] =
    &["cap_set_proc", "capsetp", "cap_setuid", "cap_setgroups", "cap_set_mode", "cap_iab_set_proc", "cap_launch"];

/// libsystemd's exports that reach none of the governed imports: sd-daemon
/// (src/libsystemd/sd-daemon/sd-daemon.c: getenv, fcntl, fstat/getsockname, and the
/// notification socket), journal-send.c (a datagram, or a memfd passed over it, to
/// journald), sd-id128 (reads /etc/machine-id and /proc/sys/kernel/random/boot_id) and
/// sd-login (sd-login.c: files under /run/systemd and /proc/PID/cgroup).
const LIBSYSTEMD_LOCAL: &[&str] = &[
    "sd_listen_fds*",
    "sd_is_*",
    "sd_notify*",
    "sd_pid_notify*",
    "sd_booted",
    "sd_watchdog_enabled",
    "sd_journal_print*",
    "sd_journal_send*",
    "sd_journal_perror*",
    "sd_journal_stream_fd*",
    "sd_id128_*",
    "sd_pid_get_*",
    "sd_pidfd_get_*",
    "sd_peer_get_*",
    "sd_peer_pidfd_get_*",
    "sd_uid_*",
    "sd_session_*",
    "sd_seat_*",
    "sd_get_sessions",
    "sd_get_seats",
    "sd_get_uids",
    "sd_get_machine_names",
    "sd_machine_get_*",
    "sd_login_monitor_*",
];

pub static LIBRARY_REACH: &[Reach] = &[
    // libcap/cap_proc.c: capset() only in _libcap_capset() and capsetp().
    Reach {
        library: &["libcap.so."],
        imports: &["capset"],
        paths: &[],
        reached: Reached::Through(LIBCAP_SETS),
        through: "cap_set_proc, capsetp, cap_setuid, cap_setgroups, cap_set_mode, cap_iab_set_proc, cap_launch",
    },
    // setuid() only in _cap_setuid(); setgid() and setgroups() only in _cap_setgroups();
    // both called by cap_setuid(), cap_setgroups() and cap_launch()'s child.
    Reach {
        library: &["libcap.so."],
        imports: &["setuid", "setgid", "setgroups"],
        paths: &[],
        reached: Reached::Through(&["cap_setuid", "cap_setgroups", "cap_launch"]),
        through: "cap_setuid, cap_setgroups, cap_launch",
    },
    // chroot() only in _cap_chroot(), called by _cap_launch() for cap_launcher_set_chroot().
    Reach {
        library: &["libcap.so."],
        imports: &["chroot"],
        paths: &[],
        reached: Reached::Through(&["cap_launch"]),
        through: "cap_launch",
    },
    // src/basic/namespace-util.c namespace_enter() (setns, fchdir + chroot, then
    // reset_uid_gid(): setgroups, setresgid, setresuid) runs in the child that
    // src/libsystemd/sd-bus/bus-container.c bus_container_connect_socket() forks for a
    // bus address naming a container (`x-machine-unix:`, which any sd_bus_* connection may
    // be given through $DBUS_SYSTEM_BUS_ADDRESS); safe_fork() there and in sd-bus's
    // `unixexec:` transport resets RLIMIT_NOFILE (setrlimit) and kills the child (kill,
    // pidfd_send_signal), as sd-event's child sources do; /dev/kmsg is src/basic/log.c's
    // target when a program sets it up with log_open(), which no public function does.
    Reach {
        library: &["libsystemd.so."],
        imports: &[
            "setns",
            "chroot",
            "setresuid",
            "setresgid",
            "setgroups",
            "setrlimit",
            "setrlimit64",
            "kill",
            "pidfd_send_signal",
        ],
        paths: &["/dev/kmsg"],
        reached: Reached::AnyExcept { namespace: &["sd_"], except: LIBSYSTEMD_LOCAL },
        through: "sd-bus, sd-event and every other sd_* function but those of sd-daemon, journal-send, \
                  sd-id128 and sd-login",
    },
    // libselinux/src/load_policy.c: mount(), umount() and umount2() only in
    // selinux_init_load_policy(), which an init system calls to mount /proc, /sys and
    // selinuxfs before it loads the first policy.
    Reach {
        library: &["libselinux.so."],
        imports: &["mount", "umount", "umount2"],
        paths: &[],
        reached: Reached::Through(&["selinux_init_load_policy"]),
        through: "selinux_init_load_policy",
    },
    // libstatgrab's src/libstatgrab/tools.c: setegid() and seteuid() (setresgid() and
    // setresuid() where those are missing) only in sg_drop_privileges(), which gives up a
    // set-uid/set-gid program's privileges for statgrab(1) and saidar(1).
    Reach {
        library: &["libstatgrab.so."],
        imports: &["setegid", "seteuid", "setresgid", "setresuid"],
        paths: &[],
        reached: Reached::Through(&["sg_drop_privileges"]),
        through: "sg_drop_privileges",
    },
    // Samba's source3/lib/per_thread_cwd.c: unshare(CLONE_FS), which gives a thread a
    // working directory of its own, only in per_thread_cwd_check() and
    // per_thread_cwd_activate() (smbd's threads doing file I/O).
    Reach {
        library: &["libsamba3-util-private-samba.so.", "libsamba3-util-samba4.so.", "libsamba3-util.so."],
        imports: &["unshare"],
        paths: &[],
        reached: Reached::Through(&["per_thread_cwd_check", "per_thread_cwd_activate"]),
        through: "per_thread_cwd_check, per_thread_cwd_activate",
    },
    // util-linux's libmount (2.38.1, 2.41.5 and 2.42.2 read; Debian 12, 13 and sid link it
    // into GIO): every call of these is made on a struct libmnt_context, which a program
    // gets only from mnt_new_context() (mnt_copy_context() is not exported): mount(2) and
    // umount(2) in context_mount.c do_mount()/do_mount_subdir() and context_umount.c
    // do_umount()/umount_nofollow_support() (2.41 on: the hook_mount*.c, hook_subdir.c and
    // hook_idmap.c hooks the context runs, and context.c mnt_context_reopen_target_fd());
    // unshare(2) and setns(2) in utils.c mnt_tmptgt_unshare()/mnt_tmptgt_cleanup() for
    // do_mount() (2.41 on: hook_subdir.c, hook_idmap.c) and in context.c
    // mnt_context_set_target_ns()/mnt_context_switch_ns(); setuid() and setgid() in
    // drop_permissions() (include/c.h) of the exec_helper() that runs /sbin/mount.TYPE or
    // /sbin/umount.TYPE for a context (lib/canonicalize.c's and lib/fileutils.c's callers
    // are not called in libmount). Reading a table, fstab or the monitor (what GIO does)
    // calls none of them. libblockdev loads its plugins with dlopen(3), which the chain read
    // does not show, and its fs plugin (libbd_fs.so.2, libblockdev 2.28) mounts with
    // mnt_context_mount(): a program using any bd_* function counts them too.
    Reach {
        library: &["libmount.so."],
        imports: &["mount", "umount", "umount2", "unshare", "setns", "setuid", "setgid"],
        paths: &[],
        reached: Reached::AnyExcept { namespace: &["mnt_new_context", "bd_"], except: &[] },
        through: "mnt_new_context, or libblockdev's bd_* functions (its plugins, loaded with dlopen, mount)",
    },
];

/// A library's imports that count only under a condition its source shows, and where it
/// shows it, for `explain`.
#[derive(Debug, Clone, Copy)]
pub struct LibraryImports {
    /// Sonames starting with one of these.
    pub library: &'static [&'static str],
    pub imports: &'static [&'static str],
    pub source: &'static str,
}

/// The rows of `table` for a library by its soname.
pub fn rows_for<'s>(
    table: &'static [LibraryImports],
    soname: &'s str,
) -> impl Iterator<Item = &'static LibraryImports> + 's {
    table.iter().filter(move |r| r.library.iter().any(|p| soname.starts_with(p)))
}

/// Imports a library makes only in a process whose real user id is not its effective one.
/// A service's process is in that state only when it (or a process before it) ran a
/// set-uid program without no_new_privs, or changed its own ids, which its own imports then
/// show (with the same needs). So such an import does not count where neither can happen
/// through a set-uid bit: for a service started as root that runs no set-uid program, and
/// for one with NoNewPrivileges=yes (or DynamicUser=yes, which implies it).
pub static ONLY_WHEN_IDS_DIFFER: &[LibraryImports] = &[
    // libgcrypt's src/secmem.c (1.10.1, 1.11.0, 1.12.0 and 1.12.2 read): setuid() in
    // lock_pool_pages(), `if (uid && !geteuid())` with uid = getuid() (a set-uid-root
    // program run by another user, giving up root once its secure memory is locked), and in
    // _gcry_secmem_init_internal(0), `if (uid != geteuid())`; then `!setuid(0)` must fail,
    // which needs CAP_SETUID and setuid(2) allowed, so where the branch is taken the import
    // does count. Debian builds it without USE_CAPABILITIES (its libgcrypt.so.20 of 1.10.1,
    // 1.11.0 and 1.12.4 links no libcap and imports no cap_set_proc), the other branch, and
    // without random/rndunix.c, the only other caller (none of its /usr/bin/vmstat,
    // netstat command strings is in the library).
    LibraryImports {
        library: &["libgcrypt.so."],
        imports: &["setuid"],
        source: "libgcrypt's src/secmem.c, lock_pool_pages() and _gcry_secmem_init_internal() \
                 (1.10.1 to 1.12.2): only when getuid() != geteuid()",
    },
];

/// Imports of a library whose failure its source handles at every call: it logs the error
/// or ignores the result, and goes on. A call that SystemCallFilter= refuses with an errno
/// (the plan pairs the policy's SystemCallErrorNumber=, EPERM built in, with the filter it
/// writes) or that a missing capability refuses takes that path, so neither the deny-list
/// group holding the call nor the capability is a need. A filter that kills on a refused
/// call (a unit's own SystemCallFilter= without SystemCallErrorNumber=, or with `kill`, or a
/// policy that pairs none or `kill`) gives the library no path to take: there the needs
/// still keep the group out (`crate::plan::shape`).
pub static FAILURE_HANDLED: &[LibraryImports] = &[
    // tcp_wrappers' options.c nice_option(), the "nice" option of a hosts.allow rule, is the
    // only caller of nice(3) in libwrap: `if (dry_run == 0 && nice(niceval) < 0)
    // tcpd_warn("nice(%d): %m", niceval);`, and diag.c tcpd_warn() only logs (the rule's
    // other options still run, the connection is served). glibc's nice() returns -1 when
    // setpriority(2) fails, EPERM or EACCES alike (a negative value without CAP_SYS_NICE).
    // Read: 7.6.q-32's options.c and diag.c, whose Debian patches change neither function.
    // The files of 7.6.q-32 and 7.6.q-36 call nice@plt once, then `test %eax,%eax; jns`
    // past a call to tcpd_warn@plt.
    LibraryImports {
        library: &["libwrap.so.0"],
        imports: &["nice"],
        source: "tcp_wrappers' options.c nice_option(), the only caller: a failing nice() is logged with \
                 tcpd_warn() and the connection is served (7.6.q)",
    },
    // jemalloc's src/background_thread.c set_current_thread_affinity() is the only caller of
    // sched_setaffinity(2), from background_thread_entry() when percpu_arena is set, which
    // drops its result: the background thread runs on whichever CPUs it has (Debian's
    // 5.3.0-1, 5.3.0-3 and 5.3.1-2 sources read). The files of 5.3.0-1 and 5.3.0-3 call
    // sched_setaffinity@plt once, then jump on without reading %eax.
    LibraryImports {
        library: &["libjemalloc.so.2"],
        imports: &["sched_setaffinity"],
        source: "jemalloc's src/background_thread.c set_current_thread_affinity(), the only caller: \
                 background_thread_entry() ignores its result (5.3.0, 5.3.1)",
    },
];

/// What the program and every object it loads import, each object's set as read: whether
/// some import reaches a row is looked up in them (a library chain imports thousands of
/// functions; a row names a few exports, or a namespace).
pub struct Callers<'a> {
    pub imports: Vec<&'a BTreeSet<String>>,
}

impl Callers<'_> {
    /// Whether any of the imports may reach the row's imports ([`Reach::reached_by`]).
    pub fn reach(&self, row: &Reach) -> bool {
        match row.reached {
            Reached::Through(names) => names.iter().any(|n| self.imports.iter().any(|set| set.contains(*n))),
            Reached::AnyExcept { namespace, .. } => self.imports.iter().any(|set| {
                namespace.iter().any(|prefix| {
                    let from = set.range::<str, _>((Bound::Included(*prefix), Bound::Unbounded));
                    from.take_while(|c| c.starts_with(prefix)).any(|c| row.reached_by(c))
                })
            }),
        }
    }
}

/// The rows for a library by its soname.
pub fn reach_of(soname: &str) -> impl Iterator<Item = &'static Reach> + '_ {
    LIBRARY_REACH.iter().filter(move |r| r.governs(soname))
}

/// The matches of a library `program` loads (at `inside`, as read) that count, and what
/// was not counted and why. `callers`: what the program and everything it loads import
/// (None when some of it was not read: then everything counts). `also`: imports of the
/// library the caller does not count either (its note is the caller's).
pub(in crate::evidence) fn counted_matches(
    program: &str,
    inside: &str,
    soname: &str,
    library: &ParsedElf,
    callers: Option<&Callers>,
    also: &[&str],
) -> (Arc<[Match]>, Vec<String>) {
    let unreached: Vec<&Reach> = match callers {
        Some(callers) => reach_of(soname).filter(|r| !callers.reach(r)).collect(),
        None => Vec::new(),
    };
    let used = library.facts.used_functions();
    if unreached.is_empty() && !also.iter().any(|f| used.contains(*f)) {
        return (Arc::clone(&library.matches), Vec::new());
    }
    let functions: Vec<&str> = unreached
        .iter()
        .flat_map(|r| r.imports.iter().copied())
        .chain(also.iter().copied())
        .filter(|f| used.contains(*f))
        .collect();
    let paths: Vec<&str> = unreached.iter().flat_map(|r| r.paths.iter().copied()).collect();
    let named = |p: &str| library.matches.iter().any(|m| m.reason.starts_with(&names(inside, p)));
    let notes = unreached
        .iter()
        .filter_map(|r| {
            let functions = functions.iter().copied().filter(|f| r.imports.contains(f));
            let what: Vec<&str> = functions.chain(r.paths.iter().copied().filter(|p| named(p))).collect();
            (!what.is_empty()).then(|| {
                format!(
                    "{inside}: {} not counted: reached only through {}, which nothing {program} loads imports",
                    what.join(", "),
                    r.through
                )
            })
        })
        .collect();
    (matches_without(library, &functions, &paths), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_well_formed() {
        for r in LIBRARY_REACH {
            assert!(!r.library.is_empty(), "{r:?}");
            assert!(!r.imports.is_empty() || !r.paths.is_empty(), "{r:?}");
            assert!(r.paths.iter().all(|p| p.starts_with('/')), "{r:?}");
            if let Reached::Through(names) = r.reached {
                assert_eq!(names.join(", "), r.through, "explain names the exports the row lists");
            }
            if let Reached::AnyExcept { namespace, except } = r.reached {
                assert!(except.iter().all(|e| namespace.iter().any(|n| e.starts_with(n))), "{r:?}");
            }
        }
    }

    #[test]
    fn each_handled_failure_is_a_call_a_row_would_count_against_a_deny_list_group() {
        use super::super::{Effect, Signal, RULES};
        use crate::directives::{syscall_group_breaks, DENIED_ONLY_WITH_EVIDENCE};
        for row in FAILURE_HANDLED {
            assert!(!row.library.is_empty() && !row.source.is_empty(), "{row:?}");
            for import in row.imports {
                let needs = RULES.iter().filter(|r| matches!(r.when, Signal::Function(f) if f.contains(import)));
                let needs: Vec<_> = needs
                    .flat_map(|r| r.then)
                    .filter_map(|e| if let Effect::Need(n) = e { Some(*n) } else { None })
                    .collect();
                let groups = DENIED_ONLY_WITH_EVIDENCE
                    .iter()
                    .filter(|(g, _)| needs.iter().any(|n| syscall_group_breaks(g).contains(n)));
                assert!(groups.count() > 0, "{import}: no row makes it keep a deny-list group out");
            }
        }
        assert_eq!(rows_for(FAILURE_HANDLED, "libwrap.so.0").next().unwrap().imports, ["nice"]);
        assert!(rows_for(FAILURE_HANDLED, "libjemalloc.so.2").any(|r| r.imports.contains(&"sched_setaffinity")));
        assert_eq!(rows_for(FAILURE_HANDLED, "libc.so.6").count(), 0);
    }

    #[test]
    fn exports_reach_or_not() {
        let capset = reach_of("libcap.so.2").next().unwrap();
        assert!(capset.reached_by("cap_set_proc") && !capset.reached_by("cap_get_proc"));
        let systemd = reach_of("libsystemd.so.0").next().unwrap();
        assert!(systemd.reached_by("sd_bus_open_system") && systemd.reached_by("sd_new_function_of_2030"));
        assert!(!systemd.reached_by("sd_notifyf") && !systemd.reached_by("sd_listen_fds_with_names"));
        assert!(!systemd.reached_by("cap_set_proc") && systemd.reached_by("sd_booted_or_not"), "a name is exact");
        assert_eq!(reach_of("libcapng.so.0").count(), 0);
        let libmount = reach_of("libmount.so.1").next().unwrap();
        assert!(libmount.reached_by("mnt_new_context") && !libmount.reached_by("mnt_table_parse_mtab"));
        assert!(libmount.reached_by("bd_fs_resize") && !libmount.reached_by("mnt_new_table"));
        let selinux = reach_of("libselinux.so.1").next().unwrap();
        assert!(selinux.reached_by("selinux_init_load_policy") && !selinux.reached_by("is_selinux_enabled"));
    }
}
