//! Value checks of systemd 252's config_parse_*() functions beyond booleans, enums and
//! modes (those are in `values`): name lists, ranges, paths, limits, outputs. The key table
//! in data/ names each key's parser; [`judge`] dispatches on that name, so one grammar serves
//! every key read by the same parser. Each check says "rejected" only where the parser
//! certainly logs and ignores; what depends on the running system (users that exist, kernel
//! features) is left alone. Name tables are the score's (crate::score::names, the release's
//! seccomp data), so lint and the score agree on what systemd knows.

mod calendar;
mod cgroup;
mod exec;
mod limits;
mod names;
mod paths;
mod socket;

use self::{calendar::*, cgroup::*, exec::*, limits::*, names::*, paths::*, socket::*};
use super::table::KeyInfo;
use super::values::Verdict;
use crate::grammar::{
    absolute_path, extract_first_word, is_nsec_span, is_time_span, parse_boolean, parse_integer, parse_permyriad,
    parse_size_1024, WordFlags, WHITESPACE,
};
use crate::score::context::exec_line::exec_line_problem;
use crate::score::names::{
    address_family, capability_from_name, ip_prefixes, namespace_flags_from_string, parse_errno, CAPABILITIES,
};
use crate::score::release::Release;
use crate::score::specifiers::{expand, UnitIdent, TEMPLATE_INSTANCE};
use crate::score::syscalls::SyscallTable;
use crate::score::values::{valid_device_allow_path, valid_user_group_name_relaxed};
pub use names::{effect_of_dropping, repair_silent_names};
pub use paths::empty_instance_problem;

/// Parsers that take any value, and why lint has nothing to judge there.
pub const ACCEPTS_ANY: &[(&str, &str)] = &[
    ("NULL", "[Install] is read by systemctl enable, not by the manager; verify does not read it either"),
    (
        "config_parse_string",
        "TCPCongestion= names a kernel congestion algorithm, checked only when the socket is set up",
    ),
];

/// A boolean, not empty (config_parse_bool() and the parsers that call parse_boolean()).
fn boolean(value: &str) -> Verdict {
    match parse_boolean(value) {
        Some(_) => Verdict::Accepted,
        None => rejected(format!("{value:?} is not a boolean (yes/no, true/false, on/off, 1/0)")),
    }
}

/// How systemd `target` reads `value` with `parser`; None for a parser not modelled here.
pub fn judge(parser: &str, info: &KeyInfo, value: &str, target: u32) -> Option<Verdict> {
    let release = Release::of(target);
    Some(match parser {
        "config_parse_address_families" => address_families(value),
        "config_parse_syscall_filter" => syscall_list(value, release, true),
        "config_parse_syscall_log" => syscall_list(value, release, false),
        "config_parse_syscall_archs" => list(value, WordFlags::UNQUOTE, |w| {
            (!release.is_seccomp_arch(w)).then(|| "not a system call architecture".to_owned())
        }),
        "config_parse_restrict_namespaces" => restrict_namespaces(value),
        "config_parse_capability_set" => capability_set(value, release),
        "config_parse_exec_nice" => empty_or(value, |v| ranged(v, -20, 19)),
        "config_parse_exec_oom_score_adjust" => empty_or(value, |v| ranged(v, -1000, 1000)),
        "config_parse_exec_io_priority" => empty_or(value, |v| ranged(v, 0, 7)),
        "config_parse_exec_cpu_sched_prio" => ranged(value, 0, 99),
        "config_parse_exec_io_class" => {
            empty_or(value, |v| named_or_number(v, &["none", "realtime", "best-effort", "idle"], "IO scheduling class"))
        }
        "config_parse_exec_cpu_sched_policy" => {
            empty_or(value, |v| named_or_number(v, &["other", "batch", "idle", "fifo", "rr"], "scheduling policy"))
        }
        "config_parse_log_level" => log_level(value),
        "config_parse_log_facility" => log_facility(value),
        "config_parse_syscall_errno" => empty_or(value, errno),
        "config_parse_signal" => signal(value),
        "config_parse_rlimit" => rlimit(info.key, value),
        "config_parse_tasks_max" => empty_or(value, tasks_max),
        "config_parse_memory_limit" => empty_or(value, |v| memory_limit(info.key, v, target)),
        "config_parse_cpu_quota" => empty_or(value, |v| match parse_permyriad(v, true) {
            Some(p) if p > 0 => Verdict::Accepted,
            _ => rejected(format!("{v:?} is not a positive percentage such as 50% or 150%")),
        }),
        "config_parse_cg_weight" => empty_or(value, |v| ranged(v, 1, 10_000)),
        "config_parse_cg_cpu_weight" => {
            empty_or(value, |v| if v == "idle" { Verdict::Accepted } else { ranged(v, 1, 10_000) })
        }
        "config_parse_cpu_shares" => empty_or(value, |v| ranged(v, 2, 262_144)),
        "config_parse_blockio_weight" => empty_or(value, |v| ranged(v, 10, 1000)),
        "config_parse_service_timeout" | "config_parse_job_timeout_sec" => time_span(value),
        "config_parse_service_timeout_abort" => empty_or(value, time_span),
        "config_parse_nsec" => match is_nsec_span(value) {
            true => Verdict::Accepted,
            false => rejected(format!("{value:?} is not a time span in nanoseconds (e.g. 50us)")),
        },
        "config_parse_exec_output" => exec_output(value),
        "config_parse_exec_input" => exec_input(value),
        "config_parse_unit_env_file" => empty_or(value, |v| absolute(v.strip_prefix('-').unwrap_or(v))),
        "config_parse_unit_path_printf" => empty_or(value, absolute),
        "config_parse_working_directory" => empty_or(value, |v| {
            let path = v.strip_prefix('-').unwrap_or(v);
            if path == "~" {
                Verdict::Accepted
            } else {
                absolute(path)
            }
        }),
        "config_parse_unit_string_printf" => specifiers_only(value),
        "config_parse_user_group_compat" => empty_or(value, user_group),
        "config_parse_user_group_strv_compat" => match list_words(value, WordFlags::UNQUOTE) {
            (_, Some(e)) => rejected(e),
            (words, None) => match words.iter().find(|w| user_group(w) != Verdict::Accepted) {
                Some(w) => rejected(format!("{w:?} is not a valid user or group name or numeric ID")),
                None => Verdict::Accepted,
            },
        },
        "config_parse_device_allow" => empty_or(value, device_allow),
        "config_parse_exec" => empty_or(value, |v| match exec_line_problem(&lint_ident(), v) {
            Some(problem) => rejected(problem),
            None => Verdict::Accepted,
        }),
        "config_parse_delegate" if !matches!(info.section, "Service" | "Scope") => {
            rejected("only services and scopes can delegate a cgroup subtree; this unit type ignores it".into())
        }
        "config_parse_delegate" => delegate(value),
        "config_parse_in_addr_prefixes" => list(value, WordFlags::NONE, |w| {
            ip_prefixes(w).is_none().then(|| "not an address prefix (ADDRESS[/LENGTH], any, localhost...)".to_owned())
        }),
        "config_parse_ip_filter_bpf_progs" => empty_or(value, absolute),
        "config_parse_bus_name" => bus_name(value),
        "config_parse_allowed_cpuset" => cpu_set(value, None),
        "config_parse_exec_cpu_affinity" => cpu_set(value, Some("numa")),
        "config_parse_numa_mask" => cpu_set(value, Some("all")),
        "config_parse_numa_policy" => {
            empty_or(value, |v| one_of(v, &["default", "preferred", "bind", "interleave", "local"], "NUMA policy"))
        }
        "config_parse_bind_paths" => bind_paths(value),
        "config_parse_temporary_filesystems" => temporary_filesystems(value),
        "config_parse_colon_separated_paths" => colon_separated_paths(value),
        "config_parse_root_image_options" => root_image_options(value),
        "config_parse_extension_images" => extension_images(value),
        "config_parse_mount_images" => mount_images(value),
        "config_parse_load_credential" => load_credential(value),
        "config_parse_set_credential" => set_credential(info.ltype_252, value),
        "config_parse_pass_environ" => environment_names(value, true),
        "config_parse_unset_environ" => environment_names(value, false),
        "config_parse_log_extra_fields" => log_extra_fields(value),
        "config_parse_log_namespace" => log_namespace(value),
        "config_parse_personality" => personality(value, release),
        "config_parse_exec_coredump_filter" => coredump_filter(value),
        "config_parse_exec_root_hash" => root_hash(value),
        "config_parse_exec_root_hash_sig" => root_hash_signature(value),
        "config_parse_exec_input_data" => match is_base64(value) {
            true => Verdict::Accepted,
            false => rejected(format!("{value:?} is not Base64 data")),
        },
        "config_parse_exec_input_text" => input_text(value),
        "config_parse_exec_apparmor_profile"
        | "config_parse_exec_selinux_context"
        | "config_parse_exec_smack_process_label" => security_label(value),
        "config_parse_exec_mount_apivfs" => empty_or(value, boolean),
        "config_parse_job_mode_isolate" => boolean(value),
        "config_parse_exec_mount_flags" => {
            empty_or(value, |v| one_of(v, &["shared", "slave", "private"], "mount propagation"))
        }
        "config_parse_pid_file" => pid_file(value),
        "config_parse_set_status" => exit_statuses_and_signals(value),
        "config_parse_exit_status" => exit_status_number(value),
        "config_parse_emergency_action" => emergency_action(value, target),
        "config_parse_unit_condition_path" => condition_path(value),
        "config_parse_unit_condition_string" => condition_string(value),
        "config_parse_unit_requires_mounts_for" | "config_parse_unit_path_strv_printf" => path_list(value),
        "config_parse_restrict_filesystems" => restrict_filesystems(value),
        "config_parse_restrict_network_interfaces" => restrict_network_interfaces(value, target),
        "config_parse_job_running_timeout_sec" => time_span(value),
        "config_parse_reboot_parameter" => specifiers_only(value),
        "config_parse_tty_size" => empty_or(value, |v| ranged(v, 0, u32::MAX as i128)),
        "config_parse_managed_oom_mode" | "config_parse_managed_oom_mem_pressure_limit"
            if !matches!(info.section, "Service" | "Slice" | "Scope") =>
        {
            rejected("only services, slices and scopes are watched by systemd-oomd; this unit type ignores it".into())
        }
        "config_parse_managed_oom_mode" => empty_or(value, |v| one_of(v, &["auto", "kill"], "oomd mode")),
        "config_parse_managed_oom_mem_pressure_limit" => oom_pressure_limit(value),
        "config_parse_socket_listen" => listen(info.key, info.ltype_252, value),
        "config_parse_iec_size" => iec_size(value),
        "config_parse_ip_tos" => ip_tos(value),
        "config_parse_fdname" => empty_or(value, fd_name),
        "config_parse_socket_bindtodevice" => bind_to_device(value),
        "config_parse_socket_timestamping" => timestamping(value),
        "config_parse_socket_protocol" => socket_protocol(value, target),
        "config_parse_socket_service" => socket_service(value),
        "config_parse_trigger_unit" => trigger_unit(value),
        "config_parse_service_sockets" => service_sockets(value),
        "config_parse_unit_slice" => slice(value),
        "config_parse_path_spec" => empty_or(value, absolute),
        "config_parse_timer" => timer(info.key, value),
        "config_parse_io_device_weight" => io_device_weight(value),
        "config_parse_io_device_latency" => io_device_latency(value),
        "config_parse_io_limit" => io_limit(value),
        "config_parse_blockio_bandwidth" => blockio_bandwidth(value),
        "config_parse_blockio_device_weight" => blockio_device_weight(value),
        "config_parse_bpf_foreign_program" => bpf_foreign_program(value),
        "config_parse_cgroup_socket_bind" => socket_bind(value, target),
        "config_parse_disable_controllers" => disable_controllers(value),
        "config_parse_exec_secure_bits" => secure_bits(value),
        other if ACCEPTS_ANY.iter().any(|(p, _)| *p == other) => Verdict::Accepted,
        _ => return None,
    })
}

/// What systemd logs while accepting a value (a warning, not a rejection).
pub fn accepted_with_warning(key: &str, value: &str) -> Option<String> {
    matches!(key, "User" | "SocketUser").then_some(()).filter(|_| value == "nobody").map(|_| {
        format!("systemd warns that {key}=nobody is not safe: every service running as nobody shares its files and processes")
    })
}

fn lint_ident() -> UnitIdent {
    UnitIdent::new("lint@.service", None, TEMPLATE_INSTANCE)
}

fn rejected(why: String) -> Verdict {
    Verdict::Rejected(why)
}

/// The empty value resets most settings; `then` judges any other.
fn empty_or(value: &str, then: impl FnOnce(&str) -> Verdict) -> Verdict {
    if value.is_empty() {
        Verdict::Accepted
    } else {
        then(value)
    }
}

/// safe_atoi() and a range check.
fn ranged(value: &str, min: i128, max: i128) -> Verdict {
    match parse_integer(value) {
        Some(n) if (min..=max).contains(&n) => Verdict::Accepted,
        Some(_) => rejected(format!("{value:?} is out of range ({min}..{max})")),
        None => rejected(format!("{value:?} is not a number ({min}..{max})")),
    }
}

/// *_from_string_with_fallback(): one of `names` (exact case) or a non-negative number.
fn named_or_number(value: &str, names: &[&str], what: &str) -> Verdict {
    if names.contains(&value) || parse_integer(value).is_some_and(|n| (0..=i32::MAX as i128).contains(&n)) {
        Verdict::Accepted
    } else {
        rejected(format!("{value:?} is not a {what} ({})", names.join(", ")))
    }
}

/// The words extract_first_word() gives with `flags`, and the syntax error that ended them.
fn list_words(value: &str, flags: WordFlags) -> (Vec<String>, Option<String>) {
    let mut p = value;
    let mut words = Vec::new();
    loop {
        match extract_first_word(&mut p, flags) {
            Ok(Some(w)) => words.push(w),
            Ok(None) => return (words, None),
            Err(e) => return (words, Some(format!("invalid syntax ({e}); the rest of the line is ignored"))),
        }
    }
}

/// A list whose parser drops each bad word on its own and logs it.
fn list(value: &str, flags: WordFlags, problem: impl Fn(&str) -> Option<String>) -> Verdict {
    let (words, error) = list_words(value, flags);
    let mut bad: Vec<(String, String)> = words.iter().filter_map(|w| problem(w).map(|p| (w.clone(), p))).collect();
    if let Some(e) = error {
        bad.push((value.to_owned(), e));
    }
    if bad.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::PartlyRejected(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::table;

    fn judge_key(key: &str, value: &str) -> Verdict {
        let info = table::key("Service", key).unwrap();
        judge(info.parser_252.unwrap(), info, value, 252).unwrap()
    }

    fn bad(key: &str, value: &str) -> bool {
        judge_key(key, value).is_rejection()
    }

    /// Item 1 of the lint issue: each parser the settings of .service, .socket, .timer, .path
    /// and .mount units use in systemd 252 is judged, or listed in ACCEPTS_ANY with the reason.
    #[test]
    fn every_parser_of_the_five_unit_types_is_judged_or_documented() {
        let mut unjudged = std::collections::BTreeSet::new();
        for section in ["Unit", "Service", "Socket", "Timer", "Path", "Mount", "Install"] {
            for key in table::keys_in(section, 252) {
                let info = table::key(section, key).unwrap();
                if crate::lint::values::judge(info, "x", 252) == Verdict::NotJudged {
                    unjudged.insert(format!("{section}.{key} ({})", info.parser_252.unwrap_or("-")));
                }
            }
        }
        assert!(unjudged.is_empty(), "not judged: {unjudged:?}");
    }

    #[test]
    fn the_issue_examples_are_rejected() {
        assert!(bad("RestrictAddressFamilies", "AF_UNIX AF_PACKETS AF_INET6"));
        assert!(bad("SystemCallFilter", "@system-service @networking reed"));
        assert!(bad("SystemCallArchitectures", "native ; comment"));
        assert!(bad("RestrictNamespaces", "ipc uts pids"));
        assert!(bad("Nice", "-25"));
        assert!(bad("LimitNPROC", "512:64"));
        assert!(bad("IOSchedulingClass", "rt2"));
        assert!(bad("DeviceAllow", "/dev/zero rx"));
        assert!(bad("User", "a/b"));
        assert!(bad("SystemCallErrorNumber", "EBOGUS"));
        assert!(bad("StandardOutput", "bogus"));
        assert!(bad("TimeoutSec", "5x"));
        assert!(bad("RootDirectory", "srv"));
        assert!(bad("EnvironmentFile", "foo"));
    }

    #[test]
    fn what_systemd_accepts_is_accepted() {
        for (k, v) in [
            ("RestrictAddressFamilies", "~AF_INET af_unix"),
            ("RestrictAddressFamilies", "none"),
            ("SystemCallFilter", "~@mount read:EPERM _llseek"),
            ("SystemCallArchitectures", "native x86-64"),
            ("RestrictNamespaces", "~net ipc"),
            ("Nice", "+5"),
            ("LimitNOFILE", "1024:infinity"),
            ("LimitNICE", "-5"),
            ("LimitFSIZE", "1K:2M"),
            ("IOSchedulingClass", "8"),
            ("DeviceAllow", "char-pts rw"),
            ("KillSignal", "RTMIN+3"),
            ("KillSignal", "SIGTERM"),
            ("TasksMax", "5%"),
            ("MemoryMax", "1.5G"),
            ("CPUQuota", "150%"),
            ("StandardOutput", "file:/var/log/x y"),
            ("StandardError", "fd:foo"),
            ("SyslogFacility", "local7"),
            ("User", "-x"),
            ("EnvironmentFile", "-/etc/default/%p"),
        ] {
            assert_eq!(judge_key(k, v), Verdict::Accepted, "{k}={v}");
        }
    }

    #[test]
    fn misspelt_capabilities_are_dropped_silently_with_a_suggestion() {
        let v = judge_key("CapabilityBoundingSet", "CAP_SYS_NIC CAP_KILL");
        assert_eq!(
            v,
            Verdict::SilentlyDropped(vec![(
                "CAP_SYS_NIC".into(),
                "not a capability; did you mean CAP_SYS_NICE?".into()
            )])
        );
        assert_eq!(capability_suggestion("CAP_NET_ADMINN").as_deref(), Some("CAP_NET_ADMIN"));
        assert_eq!(capability_suggestion("net_admin").as_deref(), Some("CAP_NET_ADMIN"));
        assert_eq!(capability_suggestion("CAP_FROBNICATE"), None);
        assert_eq!(judge_key("AmbientCapabilities", "cap_kill 12"), Verdict::Accepted);
    }
}
