//! What an interpreter of a scripting language does for its scripts. Its file imports every
//! privileged function the language offers (`time.clock_settime`, `socket.sethostname`, Perl's
//! `chroot`): a script uses one only when it calls it, so those imports count only for a
//! script that names the function, and not at all for a program that embeds the interpreter
//! to run scripts it is given at run time (those leave its evidence incomplete instead).

use std::collections::BTreeSet;

/// Libraries that embed an interpreter.
pub const INTERPRETER_LIBRARIES: &[&str] = &["libpython", "libperl.so", "libruby", "liblua5", "libphp", "libtcl"];

/// Modules built into Debian's python3 (13: `sys.builtin_module_names`), which have no file.
pub const PYTHON_BUILTIN_MODULES: &[&str] = &[
    "_abc",
    "_ast",
    "_bisect",
    "_blake2",
    "_codecs",
    "_collections",
    "_csv",
    "_datetime",
    "_elementtree",
    "_functools",
    "_heapq",
    "_imp",
    "_io",
    "_json",
    "_locale",
    "_md5",
    "_opcode",
    "_operator",
    "_pickle",
    "_posixsubprocess",
    "_random",
    "_sha1",
    "_sha2",
    "_sha3",
    "_signal",
    "_socket",
    "_sre",
    "_stat",
    "_statistics",
    "_string",
    "_struct",
    "_suggestions",
    "_symtable",
    "_sysconfig",
    "_thread",
    "_tokenize",
    "_tracemalloc",
    "_typing",
    "_warnings",
    "_weakref",
    "array",
    "atexit",
    "binascii",
    "builtins",
    "cmath",
    "errno",
    "faulthandler",
    "fcntl",
    "gc",
    "grp",
    "itertools",
    "marshal",
    "math",
    "posix",
    "pwd",
    "pyexpat",
    "select",
    "sys",
    "syslog",
    "time",
    "unicodedata",
    "zlib",
];

/// Privileged functions an interpreter offers its scripts, and the names a script calls
/// them by in Perl (builtins, POSIX::, `$<`/`$>`/`$(`/`$)`) or Python (os., time., socket.).
pub struct LanguageFunction {
    pub functions: &'static [&'static str],
    pub names: &'static [&'static str],
}

pub static LANGUAGE_FUNCTIONS: &[LanguageFunction] = &[
    LanguageFunction {
        functions: &["clock_settime", "settimeofday", "stime", "adjtimex", "clock_adjtime", "ntp_adjtime", "adjtime"],
        names: &["clock_settime", "clock_settime_ns", "settimeofday", "adjtime", "adjtimex"],
    },
    LanguageFunction { functions: &["sethostname", "setdomainname"], names: &["sethostname", "setdomainname"] },
    LanguageFunction {
        functions: &["setuid", "seteuid", "setreuid", "setresuid", "setfsuid"],
        names: &["setuid", "seteuid", "setreuid", "setresuid", "$<", "$>"],
    },
    LanguageFunction {
        functions: &["setgid", "setegid", "setregid", "setresgid", "setfsgid", "setgroups", "initgroups"],
        names: &["setgid", "setegid", "setregid", "setresgid", "setgroups", "initgroups", "$(", "$)"],
    },
    LanguageFunction { functions: &["chroot"], names: &["chroot"] },
    LanguageFunction { functions: &["chown", "fchown", "lchown", "fchownat"], names: &["chown", "fchown", "lchown"] },
    LanguageFunction { functions: &["kill", "killpg", "sigqueue", "pidfd_send_signal"], names: &["kill", "killpg"] },
    LanguageFunction { functions: &["mknod", "mknodat"], names: &["mknod"] },
    LanguageFunction {
        functions: &["setrlimit", "setrlimit64", "prlimit", "prlimit64"],
        names: &["setrlimit", "prlimit"],
    },
    LanguageFunction {
        functions: &["sched_setscheduler", "sched_setattr", "sched_setparam", "setpriority", "nice"],
        names: &["sched_setscheduler", "sched_setparam", "setpriority", "nice"],
    },
    LanguageFunction { functions: &["unshare", "setns"], names: &["unshare", "setns"] },
];

/// The interpreter's functions that do not count: those no word of its scripts names
/// (`words` None: its scripts are not read, so none counts).
pub fn uncounted(words: Option<&BTreeSet<String>>) -> BTreeSet<&'static str> {
    LANGUAGE_FUNCTIONS
        .iter()
        .filter(|f| words.is_none_or(|w| !f.names.iter().any(|n| w.contains(*n))))
        .flat_map(|f| f.functions.iter().copied())
        .collect()
}

/// Whether a DT_NEEDED soname is an interpreter's library.
pub fn is_interpreter_library(soname: &str) -> bool {
    INTERPRETER_LIBRARIES.iter().any(|p| soname.starts_with(p))
}

/// Interpreters whose scripts are only data for the interpreter and run no program of their
/// own: an nft(8) rule set (`include` reads more rules, nothing runs a command). Such a script
/// needs what its interpreter needs.
pub const DATA_INTERPRETERS: &[&str] = &["nft"];

/// A command a script or module runs whose reading the file's package decides: a variable
/// the package fills from constants, or a command run only under conditions the unit never
/// meets. Any other command named by a variable leaves the evidence incomplete.
pub struct ScriptCommand {
    /// The files (paths inside the root) whose lines run it.
    pub files: &'static [&'static str],
    /// As the file runs it: a variable (`$pg_ctl`, `@_`) or a command named literally (`dpkg`).
    pub command: &'static str,
    /// What a variable runs, in the root: a `*` component stands for every directory there.
    /// Empty: it runs what callers of [`ScriptCommand::only_for_callers_of`] give it.
    pub runs: &'static [&'static str],
    /// A long option of the script that names another program instead (`--bindir`): the
    /// row holds only where no invocation may give it ([`super::ArgumentRole`]).
    pub unless_option: Option<&'static str>,
    /// The function of the file the lines are in: it runs only for scripts or modules that
    /// call that function (the file itself calls it nowhere).
    pub only_for_callers_of: Option<&'static str>,
    /// It runs only when the script's first argument is not this.
    pub unless_first_argument: Option<&'static str>,
    pub source: &'static str,
}

/// postgresql-common's pg_ctlcluster and PgCommon.pm, read in 248+deb12u2 (Debian 12), 278+deb13u1
/// (13) and 293 (sid): `$binroot` is the constant "/usr/lib/postgresql/", get_program_path()
/// returns "$binroot$version/bin/$program" (or '' when it is not executable), and
/// pg_ctlcluster's `$version` is what its arguments match with `qr/(\d+\.?\d)/`: a version
/// directory's name. PostgreSQL's pg_ctl (src/bin/pg_ctl/pg_ctl.c of 15, 17 and 18)
/// runs the postgres of its own directory (find_other_exec() of src/common/exec.c, which
/// runs it with -V first), through /bin/sh -c "exec postgres ..." (start_postmaster()) or
/// popen (adjust_data_dir(): `postgres -C data_directory`); the pg_ctl of the roots (15.20,
/// 17.12, 18.6) imports execl, popen and system, and holds "/bin/sh", "exec \"%s\" %s%s < \"%s\"
/// 2>&1", "\"%s\" -V" and "\"%s\" -C data_directory %s%s" (`objdump -T`, `strings`).
pub static SCRIPT_COMMANDS: &[ScriptCommand] = &[
    ScriptCommand {
        files: &["/usr/bin/pg_ctlcluster"],
        command: "$pg_ctl",
        runs: &["/usr/lib/postgresql/*/bin/pg_ctl", "/usr/lib/postgresql/*/bin/postgres", "/bin/sh"],
        unless_option: Some("--bindir"),
        only_for_callers_of: None,
        unless_first_argument: None,
        source: "pg_ctlcluster: `$pg_ctl = $bindir ? \"$bindir/pg_ctl\" : get_program_path ('pg_ctl', $version)`; \
                 pg_ctl runs the postgres of its directory through /bin/sh",
    },
    ScriptCommand {
        files: &["/usr/bin/pg_ctlcluster"],
        command: "$postgres",
        runs: &["/usr/lib/postgresql/*/bin/postgres"],
        unless_option: None,
        only_for_callers_of: None,
        unless_first_argument: None,
        source: "pg_ctlcluster, start(): `my $postgres = get_program_path 'postgres', $version`",
    },
    ScriptCommand {
        files: &["/usr/bin/pg_ctlcluster"],
        command: "$psql",
        runs: &["/usr/lib/postgresql/*/bin/psql"],
        unless_option: None,
        only_for_callers_of: None,
        unless_first_argument: None,
        source: "pg_ctlcluster, cluster_port_ready(): `my $psql = get_program_path('psql', $v)`",
    },
    // `if (not $skip_systemctl_redirect and getppid() != 1 and ...) { ... system 'systemctl', ... }`
    ScriptCommand {
        files: &["/usr/bin/pg_ctlcluster"],
        command: "systemctl",
        runs: &[],
        unless_option: None,
        only_for_callers_of: None,
        unless_first_argument: Some("--skip-systemctl-redirect"),
        source: "pg_ctlcluster runs systemctl only to redirect its action to systemd, which \
                 --skip-systemctl-redirect turns off",
    },
    ScriptCommand {
        files: &["/usr/share/perl5/PgCommon.pm"],
        command: "$pg_controldata",
        runs: &["/usr/lib/postgresql/*/bin/pg_controldata"],
        unless_option: None,
        only_for_callers_of: None,
        unless_first_argument: None,
        source: "PgCommon.pm, get_cluster_locales() and get_cluster_controldata(): \
                 `my $pg_controldata = get_program_path 'pg_controldata', $version`",
    },
    ScriptCommand {
        files: &["/usr/share/perl5/PgCommon.pm"],
        command: "@_",
        runs: &[],
        unless_option: None,
        only_for_callers_of: Some("system_or_error"),
        unless_first_argument: None,
        source: "PgCommon.pm: `system @_` is system_or_error()'s, which PgCommon.pm itself calls nowhere",
    },
    // 278 and 293 only: 248 runs no dpkg.
    ScriptCommand {
        files: &["/usr/share/perl5/PgCommon.pm"],
        command: "dpkg",
        runs: &[],
        unless_option: None,
        only_for_callers_of: Some("package_list"),
        unless_first_argument: None,
        source: "PgCommon.pm: `open (my $fh, '-|', 'dpkg', '-l', $pattern)` is package_list()'s, which \
                 PgCommon.pm itself calls nowhere",
    },
];

impl ScriptCommand {
    /// Whether the command is a variable (else a command named literally).
    pub fn is_variable(&self) -> bool {
        self.command.starts_with(['$', '@'])
    }
}
