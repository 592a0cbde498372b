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
