//! The one table that turns what a program file shows into what its service needs. The
//! rows about programs known by name are in [`programs`].
//!
//! A row says: when a file links one of these libraries, imports (or, statically linked,
//! contains) one of these functions, runs one of these programs, or carries one of these
//! path strings, then the service has these needs, keeps these capabilities, uses these
//! socket address families, or its evidence is incomplete. Rows only ever add: a need found
//! is a reason to harden less, so a false match costs hardening, never a working service.
//!
//! Code generators under `MemoryDenyWriteExecute=yes`, measured on Debian 12 with
//! `tests/fixtures/evidence/mdwe-run.c` (the seccomp filter systemd 252 installs for it:
//! `cc -o mdwe-run mdwe-run.c && ./mdwe-run PROGRAM ...`):
//! - break: LuaJIT 2.1 (`luajit -e` loop: "runtime code generation failed"; `-joff` runs),
//!   Node.js 18 / V8 (trap in the baseline compiler; `--jitless` runs), OpenJDK 17 (fails at
//!   start even with `-Xint`: "Failed to mark memory page as executable"), Mono 6.8
//!   (SIGSEGV), gjs 1.74 / SpiderMonkey 102 (SIGSEGV).
//! - keep working: PCRE2 10.42 JIT (`pcre2grep`, `grep -P`: falls back to its interpreter),
//!   PHP 8.2's PCRE JIT (a warning, then the interpreter) and opcache JIT ("mprotect()
//!   failed" logged, the script runs), Erlang/OTP 25's BeamAsm JIT (maps code twice, RW and
//!   RX, and never asks for both: erlang/otp#2840, #6909), Python 3.11 ctypes callbacks
//!   (libffi 3.4's static trampolines).
//! - not measured here, kept as breaking: .NET (double-maps only since .NET 7 and still
//!   mprotects code: dotnet/runtime#50391, #70758), Qt's QML JIT, WebKit's JavaScriptCore,
//!   LLVM's ORC JIT (PostgreSQL's jit), UPX-packed files (upx/upx#702).

use crate::unit::words::base_name;
use std::ops::Bound;
use std::sync::Arc;

pub mod cited;
pub mod interpreters;
pub mod libraries;
pub mod numbered;
pub mod programs;

use super::elf::ElfFacts;
use super::files::ParsedElf;
pub use super::Findings;
use crate::directives::Need;

/// What a row looks for.
#[derive(Debug, Clone, Copy)]
pub enum Signal {
    /// A DT_NEEDED soname starting with one of these.
    Library(&'static [&'static str]),
    /// An imported function, or one linked into a static file.
    Function(&'static [&'static str]),
    /// A program run by the unit, a script, or (named in its strings) by a program that
    /// imports an exec function, matched by base name.
    Program(&'static [&'static str]),
    /// A string in the read-only data starting with one of these.
    Path(&'static [&'static str]),
}

/// What a row concludes.
#[derive(Debug, Clone, Copy)]
pub enum Effect {
    Need(Need),
    Capability(&'static str),
    Family(&'static str),
    /// What the program does is decided at run time in a way the files cannot show. Only
    /// counted for the program itself, not for libraries it links.
    Incomplete,
    /// Loads code with dlopen(3): incomplete like [`Effect::Incomplete`], unless the
    /// program's plugin directories are found and read (`super::plugins`).
    LoadsPlugins,
    /// Sets its own capabilities: incomplete like [`Effect::Incomplete`], unless the set it
    /// keeps is known ([`cited::KEEPS_CAPABILITIES`]), which then counts as used: asking
    /// for one the bounding set took away fails with EPERM.
    SetsOwnCapabilities,
    /// Runs the PAM modules its configuration names: incomplete like [`Effect::Incomplete`],
    /// unless the root's PAM configuration and every module it names are read
    /// (`super::pam`).
    RunsPamModules,
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub when: Signal,
    pub then: &'static [Effect],
    pub why: &'static str,
}

use Effect::{
    Capability as Cap, Family as Fam, Incomplete, LoadsPlugins, Need as N, RunsPamModules, SetsOwnCapabilities,
};
use Need::*;
use Signal::{Function as Fun, Library as Lib, Path, Program as Prog};

/// Functions that run another program: strings naming one only count beside them.
pub const EXEC_FUNCTIONS: &[&str] = &[
    "execve",
    "execv",
    "execvp",
    "execvpe",
    "execl",
    "execlp",
    "execle",
    "fexecve",
    "posix_spawn",
    "posix_spawnp",
    "system",
    "popen",
];

/// Functions with which a program sets its own capabilities.
/// (libcap's cap_setuid, cap_setgroups, cap_set_mode, cap_iab_set_proc and cap_launch set
/// them around what they do: libcap/cap_proc.c.)
pub const SETS_CAPABILITIES: &[&str] = &[
    "capset",
    "cap_set_proc",
    "capsetp",
    "cap_setuid",
    "cap_setgroups",
    "cap_set_mode",
    "cap_iab_set_proc",
    "cap_launch",
    "cap_set_ambient",
    "cap_drop_bound",
    "capng_apply",
    "capng_change_id",
];

/// Functions that load code chosen at run time.
pub const DLOPEN: &[&str] = &["dlopen", "dlmopen"];

/// Set-uid/set-gid programs of Debian 12 that services run to hand work to the system
/// (mail submission, privilege changes, ICMP, FUSE, PAM's password checker).
const SETUID_HELPERS: &[&str] = &[
    "sendmail",
    "exim",
    "exim4",
    "postdrop",
    "postqueue",
    "sudo",
    "su",
    "pkexec",
    "ping",
    "ping4",
    "ping6",
    "crontab",
    "at",
    "newgrp",
    "passwd",
    "chsh",
    "chfn",
    "gpasswd",
    "fusermount",
    "fusermount3",
    "unix_chkpwd",
    "ssh-keysign",
    "dotlockfile",
    "mutt_dotlock",
    "procmail",
    "wall",
    "write",
    "Xorg.wrap",
    "pppd",
    "ntfs-3g",
];

/// A program whose imports serve a mode that only some options select: `date` imports
/// clock_settime(2) for `date -s`, while services run it as `date +%s`. Its imports of
/// `functions` count only when an invocation may use one of the options (or its arguments
/// are built at run time). A program may have several roles, one per group of options.
#[derive(Debug, Clone, Copy)]
pub struct ArgumentRole {
    pub programs: &'static [&'static str],
    pub functions: &'static [&'static str],
    /// Long options (`--set`, also as `--set=VALUE` or abbreviated as getopt_long takes it).
    pub long: &'static [&'static str],
    /// Short option letters, alone or in a cluster (`-s`, `-us`).
    pub short: &'static [char],
    /// Read by Perl's Getopt::Long as it comes: in any case, after `-`, `--` or `+`, and a
    /// long option's abbreviation after a single `-` too (`-b`, `-bindir=DIR`).
    pub getopt_long: bool,
    pub why: &'static str,
}

/// Options as each program's manual page describes them (date(1); start-stop-daemon(8) of
/// dpkg 1.21/1.22, whose --stop with --pidfile alone signals the pid the file holds).
pub static ARGUMENT_ROLES: &[ArgumentRole] = &[
    ArgumentRole {
        programs: &["date"],
        functions: &["clock_settime", "settimeofday", "stime"],
        long: &["--set"],
        short: &['s'],
        getopt_long: false,
        why: "sets the clock only with -s or --set",
    },
    ArgumentRole {
        programs: &["start-stop-daemon"],
        functions: &["chroot"],
        long: &["--chroot"],
        short: &['r'],
        getopt_long: false,
        why: "chroots only with --chroot (-r)",
    },
    ArgumentRole {
        programs: &["start-stop-daemon"],
        functions: &[
            "setuid",
            "seteuid",
            "setreuid",
            "setresuid",
            "setgid",
            "setegid",
            "setregid",
            "setresgid",
            "setgroups",
            "initgroups",
        ],
        long: &["--chuid", "--group"],
        short: &['c', 'g'],
        getopt_long: false,
        why: "changes user or group only with --chuid or --group (-c, -g)",
    },
    ArgumentRole {
        programs: &["start-stop-daemon"],
        functions: &["sched_setscheduler", "sched_setparam", "setpriority", "nice", "ioprio_set"],
        long: &["--procsched", "--iosched", "--nicelevel"],
        short: &['P', 'I', 'N'],
        getopt_long: false,
        why: "changes scheduling only with --procsched, --iosched or --nicelevel (-P, -I, -N)",
    },
    // pg_ctlcluster (postgresql-common 248, 278, 293) leaves Getopt::Long as it comes, so
    // `-b DIR`, `-bindir=DIR` and `+BinDir DIR` are --bindir too.
    ArgumentRole {
        programs: &["pg_ctlcluster"],
        functions: &[],
        long: &["--bindir"],
        short: &['b'],
        getopt_long: true,
        why: "runs the pg_ctl of another directory only with --bindir",
    },
];

impl ArgumentRole {
    /// The roles of a program, by its base name.
    pub fn of(program: &str) -> impl Iterator<Item = &'static ArgumentRole> + '_ {
        ARGUMENT_ROLES.iter().filter(move |r| r.programs.contains(&base_name(program)))
    }

    /// Whether any of `args` may select the options (`None`: the arguments are unknown). A
    /// word expanded at run time may be any option; getopt_long takes any unambiguous
    /// abbreviation of a long option, so a prefix of one counts as that option.
    pub fn selected_by(&self, args: Option<&[String]>) -> bool {
        let Some(args) = args else { return true };
        args.iter().any(|a| {
            if self.getopt_long {
                let a = a.to_ascii_lowercase();
                let name = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
                let bare = name.strip_prefix("--").or(name.strip_prefix(['-', '+'])).unwrap_or("");
                let long = !bare.is_empty() && self.long.iter().any(|l| l[2..].starts_with(bare));
                let short = bare.starts_with(|c: char| self.short.contains(&c));
                return long || short || a.starts_with('$');
            }
            let name = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
            let long = name.len() > 2 && name.starts_with("--") && self.long.iter().any(|l| l.starts_with(name));
            let cluster =
                a.strip_prefix('-').filter(|c| !c.starts_with('-') && c.chars().all(|ch| ch.is_ascii_alphabetic()));
            long || cluster.is_some_and(|c| c.chars().any(|ch| self.short.contains(&ch))) || a.starts_with('$')
        })
    }
}

/// Every row: those read from files, then the programs known by name.
pub fn rows() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().chain(programs::PROGRAMS)
}

/// The needs the rows give a program known by its base name, each with the row's reason.
pub fn program_needs(program: &str) -> impl Iterator<Item = (Need, &'static str)> + '_ {
    rows()
        .filter(move |r| matches!(r.when, Prog(names) if names.contains(&program)))
        .flat_map(|r| r.then.iter().filter_map(move |e| if let N(need) = e { Some((*need, r.why)) } else { None }))
}

pub static RULES: &[Rule] = &[
    // Code generators that need memory both writable and executable.
    Rule {
        when: Lib(&["libluajit"]),
        then: &[N(WritableExecutableMemory)],
        why: "LuaJIT generates machine code (fails with \"runtime code generation failed\")",
    },
    Rule { when: Prog(&["luajit"]), then: &[N(WritableExecutableMemory)], why: "generates machine code (LuaJIT)" },
    Rule {
        when: Lib(&["libnode.so", "libv8.so", "libv8_libplatform"]),
        then: &[N(WritableExecutableMemory)],
        why: "V8 compiles JavaScript to machine code",
    },
    Rule {
        when: Prog(&["node", "nodejs"]),
        then: &[N(WritableExecutableMemory)],
        why: "compiles JavaScript to machine code (V8)",
    },
    Rule {
        when: Lib(&["libjvm.so", "libjli.so"]),
        then: &[N(WritableExecutableMemory)],
        why: "the Java VM generates its interpreter and compiled code at run time",
    },
    Rule {
        when: Prog(&["java"]),
        then: &[N(WritableExecutableMemory)],
        why: "generates its interpreter and compiled code at run time (the Java VM)",
    },
    Rule {
        when: Lib(&["libmonosgen-", "libmono-2.0", "libcoreclr.so", "libclrjit.so", "libhostfxr.so"]),
        then: &[N(WritableExecutableMemory)],
        why: "the .NET/Mono runtime compiles CIL to machine code",
    },
    Rule {
        when: Prog(&["mono", "mono-sgen", "dotnet"]),
        then: &[N(WritableExecutableMemory)],
        why: "compiles CIL to machine code (the .NET/Mono runtime)",
    },
    Rule {
        when: Lib(&["libmozjs-", "libjavascriptcoregtk-", "libQt5Qml.so", "libQt6Qml.so", "libLLVM", "libtcc.so"]),
        then: &[N(WritableExecutableMemory)],
        why: "links a JIT compiler (SpiderMonkey, JavaScriptCore, QML, LLVM, TCC)",
    },
    Rule { when: Prog(&["gjs", "gjs-console"]), then: &[N(WritableExecutableMemory)], why: "runs SpiderMonkey's JIT" },
    // Scripts and embedded interpreters: their code is not in the ELF files.
    Rule {
        when: Lib(&["libpython", "libperl.so", "libruby", "liblua5", "libphp", "libtcl"]),
        then: &[Incomplete],
        why: "embeds an interpreter: the scripts it runs are not read",
    },
    // The Java VM: its launcher's files show neither. libjli loads libjvm.so with dlopen
    // (OpenJDK's src/java.base/unix/native/libjli/java_md.c, LoadJavaVM()), a library's
    // dlopen that counts for nothing here; the classes it runs, chosen at run time (a web
    // application deployed later), load JNI libraries from java.library.path
    // (System.loadLibrary) and start any program (ProcessBuilder: libjava's
    // ProcessImpl_md.c, Java_java_lang_ProcessImpl_forkAndExec(), in the libjava.so of
    // Debian's openjdk-17, -21 and -25). Read alone, java showed nothing but AF_UNIX.
    Rule {
        when: Prog(&["java"]),
        then: &[Incomplete],
        why: "runs the classes it is given, which load native libraries and start programs chosen at run time (the Java VM)",
    },
    Rule {
        when: Lib(&["libpam.so"]),
        then: &[RunsPamModules],
        why: "uses PAM: the modules of /etc/pam.d decide what it does, and not all of them were read",
    },
    Rule {
        when: Lib(&["libpam.so"]),
        then: &[N(HostUserIds), N(ChangesUser), Cap("CAP_SETUID"), Cap("CAP_SETGID"), Cap("CAP_AUDIT_WRITE")],
        why: "uses PAM, which changes users and writes audit records",
    },
    Rule {
        when: Fun(DLOPEN),
        then: &[LoadsPlugins],
        why: "loads code chosen at run time, and no plugin directory of it was found to read",
    },
    // Privileges: user and group changes, capabilities, ownership.
    Rule {
        when: Fun(&["setuid", "seteuid", "setreuid", "setresuid", "setfsuid"]),
        then: &[Cap("CAP_SETUID"), N(HostUserIds), N(ChangesUser)],
        why: "changes its user id (drops privileges)",
    },
    Rule {
        when: Fun(&["setgid", "setegid", "setregid", "setresgid", "setfsgid", "setgroups", "initgroups"]),
        then: &[Cap("CAP_SETGID"), N(HostUserIds), N(ChangesUser)],
        why: "changes its group ids (drops privileges)",
    },
    Rule {
        when: Fun(SETS_CAPABILITIES),
        then: &[SetsOwnCapabilities],
        why: "sets its own capabilities: which ones it keeps is decided at run time",
    },
    Rule {
        when: Fun(SETS_CAPABILITIES),
        then: &[Cap("CAP_SETPCAP"), N(HostUserIds), N(SetsCapabilities)],
        why: "sets its own capabilities: which ones it keeps is decided at run time",
    },
    Rule {
        when: Fun(&["chown", "fchown", "lchown", "fchownat"]),
        then: &[Cap("CAP_CHOWN"), N(HostUserIds), N(ChangesOwnership)],
        why: "changes file ownership",
    },
    Rule {
        when: Fun(&["kill", "killpg", "sigqueue", "pidfd_send_signal"]),
        then: &[Cap("CAP_KILL")],
        why: "signals processes, possibly of other users",
    },
    Rule { when: Fun(&["chroot"]), then: &[Cap("CAP_SYS_CHROOT"), N(Chroot)], why: "confines itself with chroot" },
    Rule { when: Fun(&["mknod", "mknodat"]), then: &[Cap("CAP_MKNOD")], why: "creates special files" },
    Rule {
        when: Fun(&["setrlimit", "setrlimit64", "prlimit", "prlimit64"]),
        then: &[Cap("CAP_SYS_RESOURCE")],
        why: "raises resource limits",
    },
    Rule { when: Fun(&["mlock", "mlock2", "mlockall"]), then: &[Cap("CAP_IPC_LOCK")], why: "locks memory" },
    Rule {
        when: Fun(&["audit_open", "audit_log_user_message", "audit_log_acct_message", "audit_log_user_comm_message"]),
        then: &[Cap("CAP_AUDIT_WRITE")],
        why: "writes audit records",
    },
    Rule {
        when: Prog(&["chown", "chgrp"]),
        then: &[Cap("CAP_CHOWN"), N(HostUserIds), N(ChangesOwnership)],
        why: "changes file ownership",
    },
    Rule {
        when: Prog(&["runuser", "setpriv", "chpst", "setuidgid", "start-stop-daemon", "su", "sudo"]),
        then: &[Cap("CAP_SETUID"), Cap("CAP_SETGID"), N(HostUserIds), N(ChangesUser)],
        why: "can change user before running a program",
    },
    Rule {
        when: Prog(SETUID_HELPERS),
        then: &[N(SetuidExecution)],
        why: "is a set-uid/set-gid helper on Debian, which NoNewPrivileges= stops from gaining its privileges",
    },
    // The system bus starts a service that has no SystemdService= through the set-uid helper
    // its configuration names (dbus's bus/activation.c, bus_activation_activate_service(),
    // runs bus_context_get_servicehelper()'s path; system.conf of dbus 1.14.10-1~deb12u1,
    // 1.16.2-2 and 1.16.2-8 names /usr/lib/dbus-1.0/dbus-daemon-launch-helper, installed 4754
    // root). Configuration names the helper, no import does, so the rule is on the daemon; a
    // session bus pays with a NoNewPrivileges= it could have had.
    Rule {
        when: Prog(&["dbus-daemon"]),
        then: &[N(SetuidExecution)],
        why: "starts bus services through the set-uid dbus-daemon-launch-helper, which NoNewPrivileges= stops from gaining its privileges",
    },
    // System state outside the service.
    Rule {
        when: Fun(&["clock_settime", "settimeofday", "stime", "adjtimex", "clock_adjtime", "ntp_adjtime", "adjtime"]),
        then: &[N(SystemClock), Cap("CAP_SYS_TIME")],
        why: "sets the system clock",
    },
    Rule {
        when: Path(&["/dev/rtc"]),
        then: &[N(SystemClock), N(Devices), Cap("CAP_SYS_TIME")],
        why: "uses the hardware clock",
    },
    Rule {
        when: Fun(&[
            "init_module",
            "finit_module",
            "delete_module",
            "kmod_module_insert_module",
            "kmod_module_probe_insert_module",
        ]),
        then: &[N(KernelModules), Cap("CAP_SYS_MODULE")],
        why: "loads kernel modules",
    },
    Rule {
        when: Prog(&["modprobe", "insmod", "rmmod"]),
        then: &[N(KernelModules), Cap("CAP_SYS_MODULE")],
        why: "loads kernel modules",
    },
    Rule {
        when: Fun(&[
            "mount",
            "umount",
            "umount2",
            "pivot_root",
            "fsopen",
            "fsmount",
            "move_mount",
            "open_tree",
            "mount_setattr",
            "mnt_context_mount",
            "mnt_context_umount",
        ]),
        then: &[N(Mounts), Cap("CAP_SYS_ADMIN")],
        why: "mounts file systems",
    },
    Rule { when: Prog(&["mount", "umount"]), then: &[N(Mounts), Cap("CAP_SYS_ADMIN")], why: "mounts file systems" },
    Rule {
        when: Fun(&["unshare", "setns", "clone3"]),
        then: &[N(Namespaces), Cap("CAP_SYS_ADMIN")],
        why: "creates or enters namespaces",
    },
    Rule {
        when: Fun(&["sethostname", "setdomainname"]),
        then: &[N(Hostname), Cap("CAP_SYS_ADMIN")],
        why: "sets the host name",
    },
    Rule {
        when: Fun(&[
            "sched_setscheduler",
            "sched_setattr",
            "sched_setparam",
            "pthread_setschedparam",
            "pthread_attr_setschedpolicy",
        ]),
        then: &[N(RealtimeScheduling), N(ResourceControl), Cap("CAP_SYS_NICE")],
        why: "sets a scheduling policy (possibly realtime)",
    },
    Rule {
        when: Fun(&["setpriority", "nice"]),
        then: &[Cap("CAP_SYS_NICE"), N(ResourceControl)],
        why: "changes process priorities",
    },
    // The rest of SystemCallFilter's @resources, by the glibc function that makes the call:
    // pthread_setaffinity_np() and a thread created with pthread_attr_setaffinity_np() call
    // sched_setaffinity(2); pthread_setschedprio() sched_setparam(2); pthread_create() with
    // an attribute of pthread_attr_setinheritsched()/setschedparam(), and posix_spawn() with
    // posix_spawnattr_setschedpolicy()/setschedparam(), sched_setscheduler(2). ioprio_set(2),
    // mbind(2), set_mempolicy(2), migrate_pages(2) and move_pages(2) have no glibc wrapper
    // (syscall(3), or libnuma's). glibc's setrlimit() calls prlimit64(2), which is in @default.
    Rule {
        when: Fun(&[
            "sched_setaffinity",
            "pthread_setaffinity_np",
            "pthread_attr_setaffinity_np",
            "pthread_setschedprio",
            "pthread_attr_setinheritsched",
            "pthread_attr_setschedparam",
            "posix_spawnattr_setschedpolicy",
            "posix_spawnattr_setschedparam",
            "ioprio_set",
            "mbind",
            "set_mempolicy",
            "migrate_pages",
            "move_pages",
        ]),
        then: &[N(ResourceControl)],
        why: "sets CPU affinity, thread scheduling, I/O priority or memory policy",
    },
    Rule {
        when: Lib(&["libnuma.so", "libhwloc.so"]),
        then: &[N(ResourceControl)],
        why: "sets memory policy and CPU affinity (NUMA placement)",
    },
    Rule {
        when: Prog(&["nice", "renice", "ionice", "chrt", "taskset", "numactl"]),
        then: &[N(ResourceControl), Cap("CAP_SYS_NICE")],
        why: "changes the priority, scheduling or CPU affinity of what it runs",
    },
    Rule {
        when: Fun(&["syscall"]),
        then: &[N(NumberedSystemCalls)],
        why: "makes system calls by number: which ones, its imports do not show",
    },
    Rule {
        when: Fun(&["fanotify_init", "fanotify_mark"]),
        then: &[N(AdministrativeCalls), Cap("CAP_SYS_ADMIN")],
        why: "watches file systems with fanotify",
    },
    Rule {
        when: Fun(&["open_by_handle_at"]),
        then: &[N(AdministrativeCalls), Cap("CAP_DAC_READ_SEARCH")],
        why: "opens files by handle",
    },
    Rule {
        when: Fun(&["vhangup"]),
        then: &[N(AdministrativeCalls), Cap("CAP_SYS_TTY_CONFIG")],
        why: "hangs up its terminal",
    },
    Rule { when: Fun(&["personality"]), then: &[N(Personality)], why: "changes its execution domain" },
    Rule {
        when: Fun(&["openat2"]),
        then: &[N(Openat2)],
        why: "opens files with openat2(2), which the seccomp filter of RestrictSUIDSGID= refuses (ENOSYS)",
    },
    Rule {
        when: Fun(&["reboot", "kexec_load", "kexec_file_load"]),
        then: &[N(PrivilegedSystemCalls), Cap("CAP_SYS_BOOT")],
        why: "reboots or loads a kernel",
    },
    Rule {
        when: Fun(&["swapon", "swapoff", "quotactl"]),
        then: &[N(PrivilegedSystemCalls), Cap("CAP_SYS_ADMIN")],
        why: "manages swap or quotas",
    },
    Rule {
        when: Fun(&["iopl", "ioperm"]),
        then: &[N(PrivilegedSystemCalls), N(Devices), Cap("CAP_SYS_RAWIO")],
        why: "accesses I/O ports",
    },
    Rule {
        when: Fun(&["acct"]),
        then: &[N(PrivilegedSystemCalls), Cap("CAP_SYS_PACCT")],
        why: "switches process accounting",
    },
    Rule {
        when: Fun(&["bpf"]),
        then: &[N(PrivilegedSystemCalls), Cap("CAP_BPF"), Cap("CAP_SYS_ADMIN")],
        why: "loads BPF programs",
    },
    Rule { when: Fun(&["klogctl"]), then: &[N(KernelLogs), Cap("CAP_SYSLOG")], why: "reads the kernel log" },
    Rule {
        when: Path(&["/dev/kmsg", "/proc/kmsg"]),
        then: &[N(KernelLogs), Cap("CAP_SYSLOG")],
        why: "reads or writes the kernel log",
    },
    Rule {
        when: Fun(&["ptrace", "process_vm_readv", "process_vm_writev"]),
        then: &[N(ProcessInspection), Cap("CAP_SYS_PTRACE")],
        why: "inspects other processes",
    },
    // Reach another process by its PID, without /proc: with another user's process they need
    // CAP_SYS_PTRACE (kernel/kcmp.c, mm/madvise.c, kernel/pid.c: ptrace_may_access()).
    Rule {
        when: Fun(&["kcmp", "process_madvise", "pidfd_getfd"]),
        then: &[N(ProcessInspection), Cap("CAP_SYS_PTRACE")],
        why: "reaches other processes by PID",
    },
    Rule {
        when: Path(&[
            "/proc/%",
            "/proc/1",
            "/proc/meminfo",
            "/proc/net",
            "/proc/stat",
            "/proc/loadavg",
            "/proc/cpuinfo",
            "/proc/mounts",
            "/proc/diskstats",
            "/proc/vmstat",
            "/proc/partitions",
        ]),
        then: &[N(ProcessInspection)],
        why: "reads other processes or system-wide /proc files",
    },
    // Reading /sys is fine under ProtectKernelTunables=; /proc/sys vanishes under ProcSubset=pid.
    Rule { when: Path(&["/proc/sys/"]), then: &[N(KernelTunables)], why: "uses kernel tunables" },
    Rule { when: Path(&["/dev/net/tun"]), then: &[Cap("CAP_NET_ADMIN")], why: "creates network interfaces" },
    // Networking: capabilities and address families.
    Rule {
        when: Fun(&["bind"]),
        then: &[Cap("CAP_NET_BIND_SERVICE")],
        why: "binds sockets, to ports its configuration chooses",
    },
    Rule {
        when: Fun(&["socket", "socketpair", "connect", "accept", "accept4", "listen"]),
        then: &[Fam("AF_UNIX"), Fam("AF_INET"), Fam("AF_INET6")],
        why: "creates or uses sockets, of families chosen at run time",
    },
    Rule {
        when: Fun(&[
            "getaddrinfo",
            "gethostbyname",
            "gethostbyname2",
            "gethostbyname_r",
            "gethostbyname2_r",
            "gethostbyaddr",
            "getnameinfo",
            "res_query",
            "res_search",
            "__res_query",
            "__res_search",
        ]),
        then: &[Fam("AF_INET"), Fam("AF_INET6"), Fam("AF_NETLINK")],
        why: "resolves host names (glibc asks netlink which addresses are configured)",
    },
    Rule {
        when: Fun(&["getifaddrs", "if_nameindex", "udev_monitor_new_from_netlink", "sd_device_monitor_new"]),
        then: &[Fam("AF_NETLINK")],
        why: "lists interfaces or watches devices over netlink",
    },
    Rule {
        when: Lib(&[
            "libmnl.so",
            "libnl-3.so",
            "libnl-route-3.so",
            "libnl-genl-3.so",
            "libnftnl.so",
            "libnftables.so",
            "libip4tc.so",
            "libip6tc.so",
            "libxtables.so",
        ]),
        then: &[Fam("AF_NETLINK"), Fam("AF_INET"), Fam("AF_INET6"), Cap("CAP_NET_ADMIN")],
        why: "configures the network stack",
    },
    Rule {
        when: Prog(&["ip", "tc", "iptables", "ip6tables", "nft", "ifconfig", "brctl", "ethtool"]),
        then: &[Fam("AF_NETLINK"), Cap("CAP_NET_ADMIN")],
        why: "configures the network stack",
    },
    Rule {
        when: Lib(&["libpcap.so"]),
        then: &[N(PacketSockets), Fam("AF_PACKET"), Cap("CAP_NET_RAW")],
        why: "captures packets",
    },
    Rule {
        when: Lib(&["libbluetooth.so"]),
        then: &[N(OtherAddressFamilies), Fam("AF_BLUETOOTH")],
        why: "talks Bluetooth",
    },
    Rule {
        when: Fun(&[
            "sd_notify",
            "sd_journal_send",
            "syslog",
            "vsyslog",
            "openlog",
            "dbus_bus_get",
            "sd_bus_open_system",
            "g_bus_get_sync",
        ]),
        then: &[Fam("AF_UNIX")],
        why: "talks to local services over UNIX sockets",
    },
    // /proc files ProcSubset=pid hides, read where nothing else stands in for them.
    // systemd (src/libsystemd/sd-id128/sd-id128.c, 252 to 262: id128_get_boot()) reads
    // /proc/sys/kernel/random/boot_id and fails without it: journal-gatewayd's /machine
    // answers 500 "Failed to determine boot ID".
    Rule {
        when: Fun(&["sd_id128_get_boot", "sd_id128_get_boot_app_specific"]),
        then: &[N(ProcSystemFiles)],
        why: "reads the boot id, /proc/sys/kernel/random/boot_id",
    },
    // OpenJDK (src/java.base/unix/native/libnet/net_util_md.c: IPv6_supported(); the string
    // is in the libnet.so of Debian's openjdk-17, -21 and -25) takes IPv6 as missing when it cannot
    // read /proc/net/if_inet6, and then listens on IPv4 only.
    Rule {
        when: Lib(&["libjvm.so", "libjli.so"]),
        then: &[N(ProcSystemFiles)],
        why: "the Java VM reads /proc/net/if_inet6, and without it listens on IPv4 only",
    },
    Rule {
        when: Prog(&["java"]),
        then: &[N(ProcSystemFiles)],
        why: "reads /proc/net/if_inet6, and without it listens on IPv4 only (the Java VM)",
    },
];

/// Strings under /dev that PrivateDevices=yes keeps, so naming them needs no real devices,
/// and OpenSSL's fallback entropy sources, tried only when /dev/urandom fails.
const PRIVATE_DEV: &[&str] = &[
    "/dev/",
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
    "/dev/pts",
    "/dev/shm",
    "/dev/mqueue",
    "/dev/hugepages",
    "/dev/log",
    "/dev/stdin",
    "/dev/stdout",
    "/dev/stderr",
    "/dev/fd",
    "/dev/hwrng",
    "/dev/srandom",
    "/dev/arandom",
    "/dev/entropy",
    "/dev/egd-pool",
];

/// An absolute path in a directory programs are installed in (`/usr/sbin/sendmail`, the
/// traditional `/usr/lib/sendmail`), not a file that shares a program's name (`/etc/crontab`).
fn in_program_dir(path: &str) -> bool {
    let Some((dir, _)) = path.rsplit_once('/') else { return false };
    dir.starts_with('/') && (dir.ends_with("bin") || dir == "/usr/lib" || dir.starts_with("/usr/libexec"))
}

/// The path a string starts with (`/dev/%s` of "/dev/%s: not a tty").
fn path_token(s: &str) -> &str {
    s.split([' ', '\t', ':', ',']).next().unwrap_or(s)
}

/// A row that matched one ELF file, with its reason: a file that many services run (a
/// shell, a common library) is matched once per run and the matches applied to each.
#[derive(Debug, Clone)]
pub struct Match {
    pub then: &'static [Effect],
    pub reason: String,
}

const OPENS_DEVICE: &[Effect] = &[N(Devices)];

/// Applies every row to one ELF file: `file` is its path inside the root, `is_program`
/// false for a library it links (whose run-time choices are its program's business).
pub fn apply_elf(file: &str, facts: &ElfFacts, is_program: bool, out: &mut Findings) {
    apply_matches(&matches(file, facts), is_program, out);
}

/// Applies matches found by [`matches`], in their order.
pub fn apply_matches(matches: &[Match], is_program: bool, out: &mut Findings) {
    for m in matches {
        out.apply_effects(m.then, &m.reason, is_program);
    }
}

/// Every row that matches one ELF file (`file`: its path inside the root), in the order of
/// the rows, then the devices it names.
pub fn matches(file: &str, facts: &ElfFacts) -> Vec<Match> {
    matches_with(file, facts, &row_functions_used(facts))
}

/// [`matches`] of a file whose [`row_functions_used`] are `row_functions`.
pub fn matches_with(file: &str, facts: &ElfFacts, row_functions: &[&str]) -> Vec<Match> {
    matches_counting(file, facts, |f| row_functions.binary_search(&f).is_ok())
}

/// The functions the rows look for (`Fun` rows, and those that say a file runs programs)
/// that `facts` uses, sorted: looked up for each unit instead of the file's imports (a
/// library imports thousands).
pub fn row_functions_used(facts: &ElfFacts) -> Vec<&'static str> {
    static ROW_FUNCTIONS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let funs = RULES.iter().filter_map(|r| if let Fun(names) = r.when { Some(names) } else { None });
        let mut all: Vec<&'static str> = funs.chain([EXEC_FUNCTIONS]).flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    });
    let used = facts.used_functions();
    if used.len() > 8 * ROW_FUNCTIONS.len() {
        return ROW_FUNCTIONS.iter().copied().filter(|f| used.contains(*f)).collect();
    }
    // Both sorted by their bytes: walked side by side, each name compared once or twice.
    let mut found = Vec::new();
    let mut imports = used.iter().peekable();
    for &row in ROW_FUNCTIONS.iter() {
        while imports.next_if(|i| i.as_str() < row).is_some() {}
        if imports.next_if(|i| i.as_str() == row).is_some() {
            found.push(row);
        }
    }
    found
}

/// [`matches`] with `used` saying which functions the file uses.
fn matches_counting(file: &str, facts: &ElfFacts, used: impl Fn(&str) -> bool) -> Vec<Match> {
    let mut found = Vec::new();
    each_match(file, facts, used, |m, _| found.push(m));
    found
}

/// [`matches_with`], and apart those of the matches that come from the file's strings.
pub(super) fn matches_and_those_from_strings(
    file: &str,
    facts: &ElfFacts,
    row_functions: &[&str],
) -> (Vec<Match>, Vec<Match>) {
    let (mut all, mut from_strings) = (Vec::new(), Vec::new());
    each_match(
        file,
        facts,
        |f| row_functions.binary_search(&f).is_ok(),
        |m, of_strings| {
            if of_strings {
                from_strings.push(m.clone());
            }
            all.push(m);
        },
    );
    (all, from_strings)
}

/// Gives `out` each match of [`matches_counting`] in order, and whether it comes from the
/// file's strings.
fn each_match(file: &str, facts: &ElfFacts, used: impl Fn(&str) -> bool, mut out: impl FnMut(Match, bool)) {
    let verb = if facts.linking == Some(super::elf::Linking::Static) { "contains" } else { "imports" };
    let runs_programs = EXEC_FUNCTIONS.iter().any(|f| used(f));
    // Every row prefix is absolute, and a string's path token starts where the string does,
    // so only the strings starting with '/' can match: in the sorted set, those from "/" up
    // to "0", the next character. Read once here instead of once per row.
    let paths: Vec<&str> =
        facts.strings.range::<str, _>((Bound::Included("/"), Bound::Excluded("0"))).map(|s| path_token(s)).collect();
    // Only absolute paths name a program: bare words (`java`, `at`, `write`) are everyday
    // identifiers. (First word, its base name.)
    let programs: Vec<(&str, &str)> = if runs_programs {
        facts
            .strings
            .iter()
            .map(|s| s.split_whitespace().next().unwrap_or(""))
            .filter(|first| in_program_dir(first))
            .map(|first| (first, base_name(first)))
            .collect()
    } else {
        Vec::new()
    };
    // A library whose syscall() numbers its source names counts as those calls instead.
    let numbered = numbered::numbered_calls_of(file).filter(|_| used("syscall"));
    // The rows of programs known by name are for programs a unit or script runs: a name in
    // a file's strings (`systemctl` naming kexec) is too weak a sign for them.
    for rule in RULES {
        match rule.when {
            Lib(prefixes) => {
                for soname in &facts.needed {
                    if prefixes.iter().any(|p| soname.starts_with(p)) {
                        out(Match { then: rule.then, reason: format!("{file} links {soname}: {}", rule.why) }, false);
                    }
                }
            }
            Fun(names) => {
                let by_number = |n: &str| n == "syscall" && numbered.is_some();
                let counted = |n: &&str| used(n) && !by_number(n);
                if names.iter().any(counted) {
                    let found: Vec<&str> = names.iter().copied().filter(counted).collect();
                    let reason = format!("{file} {verb} {}: {}", found.join(", "), rule.why);
                    out(Match { then: rule.then, reason }, false);
                }
            }
            Prog(names) => {
                for (first, _) in programs.iter().filter(|(_, base)| names.contains(base)) {
                    out(Match { then: rule.then, reason: format!("{file} runs {first}: {}", rule.why) }, true);
                }
            }
            Path(prefixes) => {
                for s in paths.iter().filter(|s| prefixes.iter().any(|p| s.starts_with(p))) {
                    out(Match { then: rule.then, reason: format!("{}: {}", names(file, s), rule.why) }, true);
                }
            }
        }
    }
    if let Some(row) = numbered {
        out(Match { then: row.then, reason: format!("{file} {verb} syscall: {}", row.describe()) }, false);
    }
    for s in paths.iter().filter(|s| s.starts_with("/dev/")) {
        let kept = PRIVATE_DEV.iter().any(|d| *s == *d || (s.starts_with(d) && s[d.len()..].starts_with('/')));
        if !kept {
            let reason = format!("{}: opens a device PrivateDevices= hides", names(file, s));
            out(Match { then: OPENS_DEVICE, reason }, true);
        }
    }
}

/// How a match from a string begins: `/usr/lib/x/libfoo.so names /dev/kmsg`.
pub fn names(file: &str, string: &str) -> String {
    format!("{file} names {string}")
}

/// The matches of one ELF file with some of what it shows not counted: `functions` it
/// imports (or contains) and the strings starting with one of `paths`. Its matches as read
/// come from its facts and strings; its facts no longer hold its strings, so the matches
/// from strings are taken from those.
pub(super) fn matches_without(parsed: &ParsedElf, functions: &[&str], paths: &[&str]) -> Arc<[Match]> {
    parsed.without(functions, paths, || {
        let (file, row_functions) = (parsed.inside.as_str(), &parsed.row_functions);
        let used = |f: &str| row_functions.binary_search(&f).is_ok();
        let dropped: Vec<String> = paths.iter().map(|p| names(file, p)).collect();
        let mut own = matches_counting(file, &parsed.facts, |f| used(f) && !functions.contains(&f));
        let kept = parsed.from_strings.iter().filter(|m| !dropped.iter().any(|d| m.reason.starts_with(d.as_str())));
        own.extend(kept.cloned());
        own
    })
}

/// Applies the rows about programs to a program that `runner` runs.
pub fn apply_program(runner: &str, program: &str, out: &mut Findings) {
    let name = base_name(program);
    for rule in rows() {
        if let Prog(names) = rule.when {
            if names.contains(&name) {
                out.apply(rule, format!("{runner} runs {program}: {}", rule.why), true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Perl's Getopt::Long, as it comes, takes an option in any case, after `-`, `--` or
    /// `+`, abbreviated, with its value after `=` or as the next word.
    #[test]
    fn options_as_getopt_long_takes_them() {
        let role = ArgumentRole::of("/usr/bin/pg_ctlcluster").next().unwrap();
        let words = |text: &str| Some(text.split(' ').map(str::to_owned).collect::<Vec<_>>());
        for given in ["--bindir /x", "--bindir=/x", "-bindir=/x", "-b /x", "--bin /x", "+BINDIR /x", "-B=/x", "$OPTS"] {
            assert!(
                role.selected_by(words(&format!("--skip-systemctl-redirect {given} 17-main start")).as_deref()),
                "{given}"
            );
        }
        for not_given in ["-m fast", "--mode=fast", "--force", "-- bindir", "--"] {
            assert!(
                !role.selected_by(words(&format!("--skip-systemctl-redirect 17-main stop {not_given}")).as_deref()),
                "{not_given}"
            );
        }
        assert!(role.selected_by(None));
    }

    #[test]
    fn rows_are_well_formed() {
        for r in rows() {
            assert!(!r.then.is_empty() && !r.why.is_empty(), "{r:?}");
            for e in r.then {
                if let Cap(c) = e {
                    assert!(c.starts_with("CAP_") && c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{c}");
                }
                if let Fam(f) = e {
                    assert!(f.starts_with("AF_"), "{f}");
                }
            }
            // `matches` reads only the strings starting with '/' for these rows.
            if let Path(prefixes) = r.when {
                assert!(prefixes.iter().all(|p| p.starts_with('/')), "{r:?}");
            }
        }
    }

    #[test]
    fn each_row_about_a_program_adds_a_need_the_earlier_rows_do_not_give_it() {
        // A program listed again with needs it already has is knowledge kept twice.
        let mut known: std::collections::BTreeMap<&str, Vec<Need>> = Default::default();
        for r in rows() {
            let Prog(names) = r.when else { continue };
            let needs: Vec<Need> = r.then.iter().filter_map(|e| if let N(n) = e { Some(*n) } else { None }).collect();
            for name in names {
                let had = known.entry(name).or_default();
                assert!(needs.is_empty() || needs.iter().any(|n| !had.contains(n)), "{name}: {:?} again", r.why);
                had.extend(&needs);
            }
        }
        assert!(program_needs("chronyd").any(|(n, _)| n == SystemClock));
    }

    #[test]
    fn the_rows_read_only_strings_starting_with_a_slash() {
        use super::super::elf::{read, read_keeping, Strings};
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let mut all = read(&exe).unwrap();
        let mut paths = read_keeping(&exe, Strings::Paths).unwrap();
        assert!(paths.strings.len() < all.strings.len() && paths.strings.iter().all(|s| s.starts_with('/')));
        for facts in [&mut all, &mut paths] {
            facts.imports.insert("execve".into());
            facts.static_functions.insert("execve".into());
            facts.strings.extend(["/usr/sbin/sendmail -t".to_owned(), "/dev/rtc0".to_owned(), "/proc/1".to_owned()]);
        }
        let (a, b) = (matches("/x", &all), matches("/x", &paths));
        assert!(a.len() >= 3);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn the_row_functions_are_every_function_a_row_asks_about() {
        // Every function a row names, used: the matches from the row functions are those
        // from the whole set of imports.
        let mut facts = ElfFacts { linking: Some(super::super::elf::Linking::Dynamic), ..Default::default() };
        for rule in RULES {
            if let Fun(names) = rule.when {
                facts.imports.extend(names.iter().map(|n| n.to_string()));
            }
        }
        facts.imports.extend(EXEC_FUNCTIONS.iter().map(|n| n.to_string()));
        facts.imports.insert("not_a_row_function".into());
        let row_functions = row_functions_used(&facts);
        assert_eq!(row_functions.len(), facts.imports.len() - 1);
        let whole = matches_counting("/x", &facts, |f| facts.imports.contains(f));
        assert!(whole.len() >= 10);
        assert_eq!(format!("{:?}", matches_with("/x", &facts, &row_functions)), format!("{whole:?}"));
    }

    #[test]
    fn matches_without_are_kept_for_what_is_left_out() {
        let mut facts = ElfFacts { linking: Some(super::super::elf::Linking::Dynamic), ..Default::default() };
        facts.imports.extend(["setuid", "chroot"].map(String::from));
        facts.strings.insert("/dev/kmsg".into());
        let parsed = ParsedElf::of("/usr/lib/libx.so.1", facts);
        let reasons = |m: &[Match]| m.iter().map(|m| m.reason.clone()).collect::<Vec<_>>().join("\n");
        let all = reasons(&parsed.matches);
        assert!(all.contains("setuid") && all.contains("chroot") && all.contains("/dev/kmsg"), "{all}");
        let no_setuid = matches_without(&parsed, &["setuid"], &[]);
        let (shown, kmsg) = (reasons(&no_setuid), "/usr/lib/libx.so.1 names /dev/kmsg");
        assert!(!shown.contains("setuid") && shown.contains("chroot") && shown.contains(kmsg), "{shown}");
        let other = reasons(&matches_without(&parsed, &["chroot"], &["/dev/kmsg"]));
        assert!(other.contains("setuid") && !other.contains("chroot") && !other.contains("/dev/"), "{other}");
        assert!(Arc::ptr_eq(&no_setuid, &matches_without(&parsed, &["setuid"], &[])), "worked out once");
        assert_eq!(reasons(&matches_without(&parsed, &[], &[])), all);
    }

    #[test]
    fn calls_of_privileged_and_resources_show_their_needs() {
        for (import, need) in [
            ("fchownat", ChangesOwnership),
            ("initgroups", ChangesUser),
            ("cap_set_proc", SetsCapabilities),
            ("pthread_setaffinity_np", ResourceControl),
            ("nice", ResourceControl),
            ("syscall", NumberedSystemCalls),
            ("fanotify_init", AdministrativeCalls),
            ("kcmp", ProcessInspection),
            ("openat2", Openat2),
        ] {
            let facts = ElfFacts {
                linking: Some(super::super::elf::Linking::Dynamic),
                imports: [import.to_string()].into_iter().collect(),
                ..Default::default()
            };
            let mut f = Findings::default();
            apply_elf("/usr/sbin/food", &facts, true, &mut f);
            assert!(f.needs.contains_key(&need), "{import}: {:?}", f.needs.keys());
        }
        // glibc's setrlimit() calls prlimit64(2), which no deny-list group holds.
        let facts = ElfFacts { imports: ["setrlimit64".to_string()].into_iter().collect(), ..Default::default() };
        let mut f = Findings::default();
        apply_elf("/usr/sbin/food", &facts, true, &mut f);
        assert!(!f.needs.contains_key(&ResourceControl), "{:?}", f.needs.keys());
    }

    #[test]
    fn libraries_match_by_prefix_and_reasons_name_the_file() {
        let facts = ElfFacts {
            linking: Some(super::super::elf::Linking::Dynamic),
            needed: vec!["libluajit-5.1.so.2".into(), "libc.so.6".into()],
            imports: ["setgroups".to_string(), "dlopen".to_string()].into_iter().collect(),
            ..Default::default()
        };
        let mut lib = Findings::default();
        apply_elf("/usr/lib/x/libplugin.so", &facts, false, &mut lib);
        assert!(lib.missing.is_empty(), "a library's dlopen is not the program's gap");
        let mut f = Findings::default();
        apply_elf("/usr/bin/rspamd", &facts, true, &mut f);
        assert_eq!(
            f.needs[&WritableExecutableMemory],
            ["/usr/bin/rspamd links libluajit-5.1.so.2: LuaJIT generates machine code (fails with \"runtime code generation failed\")"]
        );
        assert!(f.capabilities["CAP_SETGID"][0].starts_with("/usr/bin/rspamd imports setgroups"));
        assert_eq!(f.missing.len(), 1);
    }

    #[test]
    fn privoxy_keeps_writable_executable_memory_for_its_pcre2_jit() {
        let mut f = Findings::default();
        apply_program("privoxy.service", "/usr/sbin/privoxy", &mut f);
        assert_eq!(
            f.needs[&WritableExecutableMemory],
            ["privoxy.service runs /usr/sbin/privoxy: treats a failed PCRE2 JIT compilation as fatal (privoxy 4.0 and later)"]
        );
        let mut other = Findings::default();
        apply_program("tinyproxy.service", "/usr/bin/tinyproxy", &mut other);
        assert!(!other.needs.contains_key(&WritableExecutableMemory));
    }

    #[test]
    fn coreutils_install_writes_files_but_installs_no_packages() {
        // tor's ExecStartPre=/usr/bin/install -Z -m 02755 -o debian-tor -g debian-tor -d /run/tor
        let mut f = Findings::default();
        apply_program("tor@default.service", "/usr/bin/install", &mut f);
        assert!(f.needs.contains_key(&SetuidFiles) && f.needs.contains_key(&WritesSystemDirectories));
        for need in [KernelModules, Mounts, Devices, SetuidExecution] {
            assert!(!f.needs.contains_key(&need), "{need:?}: {:?}", f.needs.get(&need));
        }
        let mut dpkg = Findings::default();
        apply_program("food.service", "/usr/bin/dpkg", &mut dpkg);
        assert!(dpkg.needs.contains_key(&KernelModules) && dpkg.needs.contains_key(&Mounts));
    }
}
