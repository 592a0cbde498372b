//! Generated units against the real `systemd-analyze verify`: the host's systemd 252, and
//! Debian 13's 257 from the cached root `scripts/debian-root trixie` (lint judging at 257). A
//! fixed pseudo-random mix of valid and invalid values for every key of the parsers lint
//! judges (read from data/systemd-unit-keys.tsv, that release's column), in .service, .socket,
//! .timer, .path and .mount units, plus mutations of real units (tests/fixtures, and
//! ../shared/corpus when it is there). Every line verify complains about must be reported on
//! that line (recall), and every lint error must be on such a line (precision), except lint's
//! documented beyond-verify check: names systemd drops without a word (capabilities, secure
//! bits, cgroup controllers), whose oracle
//! is the manager's own dump of the parsed unit (`SYSTEMD_LOG_LEVEL=debug systemd-analyze
//! verify`, the host's: at 257 capability lines verify accepts are not compared).
//!
//! Without systemd-analyze the test fails, unless HARDENUNIT_SKIP_ORACLE=1; without a trixie
//! root the 257 run is skipped, unless HARDENUNIT_REQUIRE_ROOTS=1.
//! HARDENUNIT_LINT_UNITS=N changes how many units are generated (default 1500),
//! HARDENUNIT_LINT_SEED=S the seed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod common;
#[path = "common/releases.rs"]
#[allow(dead_code)]
mod releases;

use common::lint_oracle::{silent_drops, verify_units, verify_units_by, Complaints, Tally, Verified};
use common::{oracle_available, Rng};
use hardenunit::lint::{self, Finding};
use hardenunit::unit::Document;
use releases::ReleaseOracle;

const KEYS: &str = include_str!("../data/systemd-unit-keys.tsv");
const ENUMS: &str = include_str!("../data/systemd-enums.tsv");

/// Values (valid, invalid and odd) per parser; list parsers get words to combine.
fn pool(parser: &str) -> Option<Pool> {
    let v = |s: &[&'static str]| Some(Pool::Values(s.to_vec()));
    let w = |s: &[&'static str]| Some(Pool::Words(s.to_vec()));
    match parser {
        "config_parse_bool" => v(&["yes", "no", "On", "1", "", "maybe", "yes # c", "2"]),
        "config_parse_mode" => v(&["0755", "0999", "", "755", "+077", "07777", "017777", "0o7"]),
        "config_parse_sec"
        | "config_parse_sec_fix_0"
        | "config_parse_service_timeout"
        | "config_parse_job_timeout_sec" => {
            v(&["5", "5s", "5min 20s", "1.5h", "infinity", "", "5x", "-1", "0", "5 # x", "1."])
        }
        "config_parse_sec_def_infinity" | "config_parse_service_timeout_abort" => {
            v(&["5", "30s", "infinity", "", "x", "1h 5"])
        }
        "config_parse_nsec" => v(&["5us", "5ns", "50nsec", "", "5x", "100", "1ms"]),
        "config_parse_unsigned" => v(&["0", "5", "0x10", "-1", "4294967296", "", "x", "010"]),
        "config_parse_int" | "config_parse_long" => v(&["0", "-5", "0x10", "2147483648", "", "x", "+7"]),
        "config_parse_address_families" => w(&[
            "AF_UNIX",
            "AF_INET",
            "AF_INET6",
            "af_netlink",
            "AF_PACKETS",
            "AF_FOO",
            "~AF_INET",
            "AF_LOCAL",
            "#",
            "AF_ROUTE",
            "AF_MCTP",
            "AF_PACKET",
            "AF_DECnet",
        ]),
        "config_parse_syscall_filter" => w(&[
            "@system-service",
            "@networking",
            "@known",
            "reed",
            "read",
            "write",
            "_llseek",
            "@mount",
            "~@clock",
            "read:EPERM",
            "write:EBOGUS",
            "@privileged:EPERM",
            "sethostname",
            "kexec_file_load",
            "open:kill",
            "@obsolete",
            "@default",
            "pkey_alloc",
            "@resources",
            ":EPERM",
        ]),
        "config_parse_syscall_log" => {
            w(&["@system-service", "@networking", "reed", "read", "~@clock", "_llseek", "@mount", "write:EPERM"])
        }
        "config_parse_syscall_archs" => {
            w(&["native", "x86-64", "X86", "arm64", "x32", ";", "comment", "mips64-le", "riscv64"])
        }
        "config_parse_restrict_namespaces" => v(&[
            "yes",
            "no",
            "net",
            "ipc uts",
            "pids",
            "~net",
            "~net ipc",
            "NET",
            "cgroup mnt",
            "",
            "~",
            "user pid uts",
        ]),
        "config_parse_capability_set" => w(&[
            "CAP_SYS_ADMIN",
            "CAP_SYS_NIC",
            "CAP_KILL",
            "cap_net_admin",
            "CAP_NET_ADMINN",
            "Cap_Chown",
            "12",
            "40",
            "CAP_FOO",
            "NET_RAW",
            "CAP_SYS_PTRACEE",
            "CAP_DAC_OVERIDE",
            "CAP_SETUID",
            "~CAP_KILL",
            "CAP_BPF",
        ]),
        "config_parse_exec_nice" => v(&["-20", "19", "-21", "20", "+5", "0x5", "", "x", "-25"]),
        "config_parse_exec_oom_score_adjust" => v(&["-1000", "1000", "1001", "-1001", "", "0", "x"]),
        "config_parse_exec_io_priority" => v(&["0", "7", "8", "-1", "", "x"]),
        "config_parse_exec_cpu_sched_prio" => v(&["0", "99", "100", "", "-1", "50"]),
        "config_parse_exec_io_class" => v(&["none", "realtime", "best-effort", "idle", "Idle", "rt2", "4", "-1", ""]),
        "config_parse_exec_cpu_sched_policy" => {
            v(&["other", "batch", "idle", "fifo", "rr", "FIFO", "3", "-1", "", "deadline"])
        }
        "config_parse_log_level" => v(&["info", "debug", "7", "8", "warn", "warning", "", "INFO"]),
        "config_parse_log_facility" => v(&["daemon", "local7", "23", "24", "bogus", "", "authpriv"]),
        "config_parse_syscall_errno" => {
            v(&["EPERM", "eperm", "EBOGUS", "kill", "0", "1", "4095", "4096", "-1", "", "EACCES"])
        }
        "config_parse_signal" => v(&[
            "SIGTERM",
            "TERM",
            "term",
            "SIGRTMIN+1",
            "RTMAX-0",
            "RTMIN+31",
            "RTMIN+30",
            "0",
            "64",
            "65",
            "",
            "SIGFOO",
            "15",
            "SIGIO",
            "SIGPOLL",
            "SIGIOT",
            "SIGCLD",
            "RTMAX-31",
        ]),
        "config_parse_rlimit" => v(&[
            "infinity",
            "1024",
            "1024:4096",
            "512:64",
            "",
            "10:",
            ":10",
            "1K",
            "5s",
            "5min",
            "1K:2M",
            "-5",
            "40",
            "41",
            "-21",
            "0",
            "infinity:1",
            "8M:infinity",
            "5s:1min",
        ]),
        "config_parse_tasks_max" => v(&["infinity", "5%", "150%", "0", "", "100", "bogus", "4096", "0%"]),
        "config_parse_memory_limit" => v(&["", "5%", "1.5G", "0", "5X", "infinity", "512M", "100%", "101%", "1G 512M"]),
        "config_parse_cpu_quota" => v(&["", "0%", "150%", "150.5%", "20", "50.55%", "50.555%"]),
        "config_parse_cg_weight" | "config_parse_cg_cpu_weight" => v(&["", "0", "1", "10000", "10001", "100", "idle"]),
        "config_parse_cpu_shares" => v(&["", "1", "2", "262144", "262145", "1024"]),
        "config_parse_blockio_weight" => v(&["", "9", "10", "1000", "1001", "500"]),
        "config_parse_exec_output" => v(&[
            "inherit",
            "null",
            "tty",
            "journal",
            "kmsg",
            "journal+console",
            "kmsg+console",
            "socket",
            "syslog",
            "file:/x",
            "file:/x y",
            "append:x",
            "truncate:/x",
            "fd:",
            "fd:foo",
            "fd:a:b",
            "bogus",
            "",
            "file:%t/x",
        ]),
        "config_parse_exec_input" => {
            v(&["null", "tty", "tty-force", "socket", "data", "file:/dev/null", "file:rel", "fd:x", "bogus", ""])
        }
        "config_parse_unit_env_file" => v(&["/etc/default/x", "-/etc/x", "foo", "-foo", "", "%t/x", "%z", "/a/../b"]),
        "config_parse_unit_path_printf" => v(&["/srv", "srv", "", "%t/x", "/a/../b", "%z/x", "/srv/"]),
        "config_parse_working_directory" => v(&["~", "-/srv", "srv", "-srv", "", "/a/../b", "%h", "/srv"]),
        "config_parse_unit_string_printf" => v(&["hello", "%z", "100%%", "%n", "", "a b"]),
        "config_parse_user_group_compat" => {
            v(&["nobody", "root", "0", "a/b", "a:b", "-x", "", "4294967295", "a.b", "%z", "65535", "%i", "%I", "x%i"])
        }
        "config_parse_user_group_strv_compat" => v(&["adm", "adm a/b", "5", "", "adm\tdaemon", "a:b", "adm %i", "%I"]),
        "config_parse_device_allow" => v(&[
            "/dev/null rwm",
            "char-pts rw",
            "/dev/zero",
            "foo rw",
            "block-bogus",
            "",
            "/dev/zero m r",
            "/dev/zero rx",
            "/sys/x r",
            "/dev/../etc r",
        ]),
        "config_parse_exec_directories" => v(&["foo", "/foo", "a b:c", "../x", "private", "", "%N"]),
        "config_parse_namespace_path_strv" => v(&["/var/lib/x", "-/x", "relative", "+/a", "", "/a/../b"]),
        "config_parse_environ" => v(&["A=1", "A=1 #", "\"A=1 2\" B=", "1A=x", ""]),
        "config_parse_documentation" => v(&["man:foo(8)", "https://x.org", "foo", "man:x # y", ""]),
        "config_parse_exec" => v(&[
            "/bin/true",
            "-/bin/true \"x",
            "\"/bin/true",
            "/bin/true \"x",
            "\"@/bin/true x\"",
            "@/bin/true x",
            "\"\"",
            "-\"\"",
            "/bin/echo a ; /bin/true",
            "/bin/kill -HUP $MAINPID",
            "",
            "/bin/echo %z",
            "+/bin/true",
        ]),
        "config_parse_delegate" => v(&["yes", "no", "", "cpu io", "cpu \"io", "bogus", "\"", "memory pids"]),
        "config_parse_in_addr_prefixes" => w(&[
            "any",
            "ANY",
            "0/0",
            "10.0.0.0/8",
            "::1",
            "localhost",
            "link-local",
            "192.168.1.300",
            "\"any\"",
            "fe80::/129",
        ]),
        "config_parse_ip_filter_bpf_progs" => v(&["/sys/fs/bpf/x", "relative", "", "/a/../b"]),
        "config_parse_bus_name" => v(&["org.example.Foo", "no-dots", "", "a.1b", "a..b", "x.y-z"]),
        "config_parse_allowed_cpuset" | "config_parse_exec_cpu_affinity" | "config_parse_numa_mask" => {
            v(&["0", "0-3", "0,2", "1 3", "3-1", "x", "", "8192", "0-", "all", "numa", "0 # c", "1-2,5", "8191", "-1"])
        }
        "config_parse_numa_policy" => v(&["default", "preferred", "bind", "interleave", "local", "bogus", "", "Bind"]),
        "config_parse_bind_paths" => v(&[
            "/a",
            "/a:/b",
            "-/a:/b:rbind",
            "/a:/b:norbind",
            "/a:/b:bogus",
            "rel",
            "/a:rel",
            "",
            "/a:/b:rbind:x",
            "/a/../b",
            "+/a",
            "/a /b:/c",
            "\"/a b\"",
            "/a:",
            "-/a",
            "/a::rbind",
            "%t/a",
            "%z",
            "/a # x",
            "/a:/b:",
        ]),
        "config_parse_temporary_filesystems" => {
            v(&["/tmp", "/tmp:size=10M", "rel", "", "/tmp:ro /var", "/a/../b", "/tmp:", "%z", "/a # x"])
        }
        "config_parse_colon_separated_paths" => v(&["/bin:/usr/bin", "rel", "/a:rel", "", "/a/../b", "/a::/b", "%t/x"]),
        "config_parse_root_image_options" => {
            v(&["root:ro", "bogus:ro", "ro", "", "root:ro usr:nosuid", "root", "partition1:ro", "home:ro"])
        }
        "config_parse_extension_images" => v(&[
            "/a.raw",
            "-/a.raw",
            "rel",
            "/a.raw root:ro",
            "",
            "/a.raw:root:ro",
            "/a.raw:bogus:ro",
            "/a.raw /b.raw",
            "/a.raw:ro",
            "%z",
        ]),
        "config_parse_mount_images" => v(&[
            "/a.raw:/mnt",
            "/a.raw",
            "rel:/mnt",
            "",
            "/a.raw:rel",
            "-/a.raw:/mnt",
            "/a.raw:/mnt:root:ro",
            "/a.raw:/mnt:bogus:ro",
            "/a.raw:/mnt:x",
            "/a.raw:/mnt root:ro",
        ]),
        "config_parse_load_credential" => v(&[
            "foo:/path",
            "foo",
            "foo:rel",
            "a/b:/x",
            "",
            "foo:",
            "..:/x",
            "%z:/x",
            "foo:/a/../b",
            ":/x",
            "foo:/x:y",
        ]),
        "config_parse_set_credential" => v(&[
            "foo:bar",
            "foo",
            "a/b:x",
            "",
            "foo:",
            "foo:a\\qb",
            ":x",
            "..:x",
            "foo:%z",
            "foo:aGVsbG8=",
            "foo:!!",
            "foo:a\\x41",
        ]),
        "config_parse_pass_environ" => w(&["FOO", "BAR_1", "1FOO", "FOO=bar", "%z", "#", "_X", "a-b"]),
        "config_parse_unset_environ" => w(&["FOO", "FOO=bar", "1x", "FOO=", "%z", "#", "A=b c", "=x"]),
        "config_parse_log_extra_fields" => w(&["A=b", "a=b", "A", "1A=b", "_A=b", "#", "FOO_BAR=1", "X="]),
        "config_parse_log_namespace" => v(&["foo", "a/b", "", "a.b", "Foo", "a-b", "%z", "a*b", "."]),
        "config_parse_personality" => v(&["x86", "x86-64", "bogus", "", "X86", "native"]),
        "config_parse_exec_coredump_filter" => v(&[
            "default",
            "0x33",
            "private-anonymous shared-anonymous",
            "bogus",
            "",
            "33",
            "all",
            "0xffffffff",
            "0x1ffffffff",
            "default bogus",
            "private-dax",
            "0xg",
        ]),
        "config_parse_exec_root_hash" => v(&[
            "abcdabcdabcdabcdabcdabcdabcdabcd",
            "/x.roothash",
            "xyz",
            "",
            "abc",
            "rel/x",
            "ABCD",
            "abcdabcdabcdabcdabcdabcdabcdabcd # x",
            "ABCDABCDABCDABCDABCDABCDABCDABCDA",
        ]),
        "config_parse_exec_root_hash_sig" => v(&["base64:aGVsbG8=", "/x", "rel", "", "base64:!!", "base64:"]),
        "config_parse_exec_input_data" => v(&["aGVsbG8=", "!!!", "", "aGVs bG8=", "aGVsbG8", "aGVsbG8=="]),
        "config_parse_exec_input_text" => v(&["hello", "hello\\n", "bad\\q", "", "%z", "a\\x4", "a\\x41", "\\101"]),
        "config_parse_exec_apparmor_profile"
        | "config_parse_exec_selinux_context"
        | "config_parse_exec_smack_process_label" => v(&["-foo", "foo", "", "%z", "a b", "-", "%n"]),
        "config_parse_exec_mount_apivfs" | "config_parse_job_mode_isolate" => v(&["yes", "", "x", "no", "on"]),
        "config_parse_exec_mount_flags" => v(&["shared", "slave", "private", "bogus", "", "Shared"]),
        "config_parse_pid_file" => v(&["/run/x.pid", "rel", "", "/a/../b", "%t/x.pid", "x.pid", "../x", "%z"]),
        "config_parse_set_status" => {
            w(&["0", "1", "SIGTERM", "256", "bogus", "TERM", "-1", "255", "SIGBOGUS", "#", "FAILURE"])
        }
        "config_parse_exit_status" => v(&["0", "255", "256", "-1", "x", "", "1"]),
        "config_parse_emergency_action" => v(&[
            "none",
            "reboot",
            "reboot-force",
            "poweroff-immediate",
            "exit",
            "exit-force",
            "soft-reboot",
            "bogus",
            "",
            "halt",
            "kexec",
        ]),
        "config_parse_unit_condition_path" => {
            v(&["/x", "rel", "!/x", "|/x", "", "|!/x", "! /x", "%z", "/a/../b", "!rel", "|", "| /x"])
        }
        "config_parse_unit_condition_string" => v(&["x86-64", "bogus", "", "!arm64", "|x86", "%z", "| !%n", "a b"]),
        "config_parse_unit_requires_mounts_for" | "config_parse_unit_path_strv_printf" => {
            v(&["/a", "rel", "", "/a rel", "/a/../b", "%z", "\"/a", "/a /b"])
        }
        "config_parse_restrict_filesystems" => {
            w(&["ext4", "tmpfs", "@basic-api", "bogus", "@bogus", "@network", "~@temporary", "#"])
        }
        "config_parse_restrict_network_interfaces" => {
            w(&["eth0", "~lo", "a/b", "aaaaaaaaaaaaaaaaa", "#", "%i", "123", "lo"])
        }
        "config_parse_job_running_timeout_sec" => v(&["5s", "", "x", "infinity", "0"]),
        "config_parse_reboot_parameter" => v(&["foo", "", "%z", "a b"]),
        "config_parse_tty_size" => v(&["80", "0", "x", "", "-1", "65535", "65536"]),
        "config_parse_managed_oom_mode" => v(&["auto", "kill", "bogus", ""]),
        "config_parse_managed_oom_mem_pressure_limit" => v(&["50%", "101%", "x", "", "0%", "100%", "50", "50.5%"]),
        "config_parse_socket_listen" => v(&[
            "80",
            "/run/x",
            "[::]:80",
            "0.0.0.0:80",
            "x",
            "@abstract",
            "vsock:2:80",
            "70000",
            "0",
            "rel/x",
            "127.0.0.1",
            "eth0",
            "1.2.3.4:0",
            "80 # x",
            "/run/a/../b",
            "%t/x",
            "%z",
            "route 0",
            "route",
            "audit x",
        ]),
        "config_parse_iec_size" => v(&["5M", "x", "", "1.5K", "0", "-1", "5 M"]),
        "config_parse_ip_tos" => v(&["low-delay", "throughput", "reliability", "low-cost", "5", "bogus", "", "256"]),
        "config_parse_fdname" => v(&["foo", "a:b", "", "a b", "stored", "%n", "%z"]),
        "config_parse_socket_bindtodevice" => v(&["eth0", "*", "a/b", "", "aaaaaaaaaaaaaaaaa", "%z"]),
        "config_parse_socket_timestamping" => v(&["off", "us", "ns", "usec", "nsec", "bogus", "", "micro"]),
        "config_parse_socket_protocol" => v(&["udplite", "sctp", "bogus", "", "tcp"]),
        "config_parse_socket_service" => {
            v(&["foo.service", "foo.socket", "foo@.service", "", "x", "%z.service", "foo@bar.service"])
        }
        "config_parse_trigger_unit" => {
            v(&["foo.service", "foo.timer", "x", "", "foo@.service", "foo.target", "%z.service", "%N.service"])
        }
        "config_parse_service_sockets" => {
            w(&["foo.socket", "foo.service", "x", "foo@.socket", "%z.socket", "%N.socket"])
        }
        "config_parse_unit_slice" => {
            v(&["foo.slice", "foo.service", "-.slice", "", "x", "foo-bar.slice", "%z.slice", "foo@bar.slice"])
        }
        "config_parse_path_spec" => v(&["/srv", "rel", "/a/../b", "%z", "%t/x"]),
        "config_parse_timer" => v(&[
            "daily",
            "weekly",
            "Mon *-*-* 00:00:00",
            "*-*-* 04:00",
            "bogus",
            "Mon..Fri 10:00",
            "*:0/15",
            "2023-01-01",
            "*-*-01 00:00:00 UTC",
            "Sat,Sun 20:00",
            "*-*~01",
            "25:00",
            "*-02-30",
            "Monday",
            "Fri 9:00",
            "2023-13-01",
            "@1700000000",
            "today",
            "00:00:60",
            "00:00:59.5",
            "Mon..Wed,Fri 10:00",
            "daily # x",
            "*-*-1..7 10:00",
            "1..31/2",
            "5min",
            "x",
            "0",
            "infinity",
            "1 hour",
            "-1",
            "Mon-Fri",
            "Fri..Mon",
            "*-*-* 0:0:0.1..0.5",
            "2199-12-31",
            "2200-01-01",
            "69-01-01",
            "*~03",
            "*-*~29",
            "Mon,",
            "Mon..",
            "12:00 Etc/UTC",
            "%z",
        ]),
        "config_parse_io_device_weight" => {
            v(&["/dev/sda 100", "/dev/sda 0", "/dev/sda 10001", "", "/dev/sda", "sda 100", "/dev/sda x"])
        }
        "config_parse_io_device_latency" => v(&["/dev/sda 5ms", "/dev/sda x", "sda 5ms", "", "/dev/sda", "/dev/sda 0"]),
        "config_parse_io_limit" => v(&[
            "/dev/sda 5M",
            "/dev/sda infinity",
            "/dev/sda x",
            "",
            "/dev/sda",
            "sda 5M",
            "/dev/sda 0",
            "/dev/sda 5%",
            "/dev/sda 1.5K",
            "/dev/a/../b 5M",
        ]),
        "config_parse_blockio_bandwidth" => v(&["/dev/sda 5M", "/dev/sda", "/dev/sda x", "sda 5M", "", "/dev/sda 0"]),
        "config_parse_blockio_device_weight" => {
            v(&["/dev/sda 500", "/dev/sda 5", "/dev/sda", "x 10", "", "/dev/sda 1001"])
        }
        "config_parse_bpf_foreign_program" => v(&[
            "ingress:/sys/fs/bpf/x",
            "bogus:/sys/fs/bpf/x",
            "ingress:rel",
            "",
            "ingress",
            "egress:/a",
            "cgroup_skb/ingress:/a",
            "sock_create:/a",
            "a:b:c",
            "ingress:",
        ]),
        "config_parse_cgroup_socket_bind" => v(&[
            "any",
            "80",
            "tcp:80",
            "ipv4:udp:1-100",
            "ipv6:any",
            "bogus",
            "tcp:x",
            "70000",
            "",
            "0",
            "1-65535",
            "65535-1",
            "ipv4:80",
            "tcp:ipv4:80",
            "ipv4:tcp:80",
            "none",
            "tcp",
            "ipv4:tcp:80:x",
            "ipv4::80",
        ]),
        "config_parse_disable_controllers" => v(&["cpu io", "bogus", "", "cpu bogus", "memory", "bpf-firewall"]),
        "config_parse_string" => v(&["cubic", "", "a b", "%z"]),
        "config_parse_exec_secure_bits" => {
            w(&["keep-caps", "noroot-locked", "bogus", "no-setuid-fixup", "KEEP-CAPS", "#", "keep-caps-locked"])
        }
        "config_parse_obsolete_unit_deps" => v(&["foo.service", "", "x"]),
        _ => None,
    }
}

enum Pool {
    Values(Vec<&'static str>),
    Words(Vec<&'static str>),
}

/// Parsers of keys that, when invalid, make systemd refuse the unit and stop reading the
/// file: the generator puts at most one of them, last.
fn is_fatal(parser: &str, ltype: &str) -> bool {
    matches!(
        parser,
        "config_parse_user_group_compat"
            | "config_parse_user_group_strv_compat"
            | "config_parse_working_directory"
            | "config_parse_exec_apparmor_profile"
            | "config_parse_exec_selinux_context"
            | "config_parse_exec_smack_process_label"
            | "config_parse_pid_file"
            // 257 refuses the unit when the BPF program is not there.
            | "config_parse_ip_filter_bpf_progs"
    ) || (parser == "config_parse_unit_path_printf" && ltype == "true")
}

struct Key {
    section: &'static str,
    key: &'static str,
    parser: &'static str,
    ltype: &'static str,
    /// The release whose enumeration values the key takes ("252", "257").
    enum_release: &'static str,
}

/// Parsers 257 renamed without changing their grammar: generated with the 252 parser's pool.
const SAME_GRAMMAR_257: &[(&str, &str)] = &[
    ("config_parse_tristate", "config_parse_exec_mount_apivfs"),
    ("config_parse_exec_mount_propagation_flag", "config_parse_exec_mount_flags"),
    ("config_parse_unit_mounts_for", "config_parse_unit_requires_mounts_for"),
];

/// The keys of the five unit types that `release` (252 or 257) reads with a parser the
/// generator has values for.
fn keys(release: u32) -> Vec<Key> {
    let enum_release = if release == 252 { "252" } else { "257" };
    let enums: BTreeSet<&str> = ENUMS
        .lines()
        .filter(|l| l.split('\t').next() == Some(enum_release))
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    let mut out = Vec::new();
    for line in KEYS.lines().filter(|l| !l.starts_with('#')) {
        let r: Vec<&str> = line.split('\t').collect();
        let parser = if release == 252 { r[2] } else { r[4] };
        if !["Unit", "Service", "Socket", "Timer", "Path", "Mount"].contains(&r[0]) || parser == "-" {
            continue;
        }
        let parser = SAME_GRAMMAR_257.iter().find(|(p, _)| *p == parser).map_or(parser, |(_, same)| same);
        if pool(parser).is_some() || enums.contains(parser) {
            out.push(Key { section: r[0], key: r[1], parser, ltype: r[3], enum_release });
        }
    }
    out
}

fn enum_values(k: &Key) -> Vec<&'static str> {
    let row = ENUMS.lines().find(|l| {
        let mut f = l.split('\t');
        f.next() == Some(k.enum_release) && f.next() == Some(k.parser)
    });
    let mut values: Vec<&str> = row.and_then(|r| r.split('\t').nth(4)).unwrap_or("").split(' ').collect();
    values.extend(["", "bogus", "Yes", "yes"]);
    values
}

fn value(rng: &mut Rng, k: &Key) -> String {
    match pool(k.parser) {
        Some(Pool::Values(values)) => rng.pick(&values).to_owned(),
        Some(Pool::Words(words)) => {
            let n = 1 + rng.below(3);
            let list: Vec<&str> = (0..n).map(|_| rng.pick(&words)).collect();
            let tilde = if rng.chance(25) { "~" } else { "" };
            format!("{tilde}{}", list.join(" "))
        }
        None => rng.pick(&enum_values(k)).to_owned(),
    }
}

/// (file name, unit type's own section, the lines it needs to load).
fn unit_shape(kind: usize, i: usize) -> (String, &'static str, String) {
    match kind {
        0 => (format!("g{i}.service"), "Service", "ExecStart=/bin/true\n".into()),
        1 => (format!("g{i}.socket"), "Socket", format!("ListenStream=/run/g{i}.sock\n")),
        2 => (format!("g{i}.timer"), "Timer", "OnCalendar=daily\n".into()),
        3 => (format!("g{i}.path"), "Path", "PathExists=/srv\n".into()),
        _ => (format!("mnt-g{i}.mount"), "Mount", format!("What=/dev/sdx1\nWhere=/mnt/g{i}\n")),
    }
}

/// A unit of `lines` random assignments: [Unit] lines, then the type's own section.
fn generate(rng: &mut Rng, keys: &[Key], i: usize, lines: usize) -> (String, String) {
    let (name, own, head) = unit_shape(rng.below(5), i);
    let pick = |rng: &mut Rng, section: &str, fatal: bool| -> Option<String> {
        let candidates: Vec<&Key> =
            keys.iter().filter(|k| k.section == section && is_fatal(k.parser, k.ltype) == fatal).collect();
        if candidates.is_empty() {
            return None;
        }
        let k = candidates[rng.below(candidates.len())];
        Some(format!("{}={}", k.key, value(rng, k)))
    };
    let mut text = String::from("[Unit]\n");
    for _ in 0..rng.below(3) {
        text.extend(pick(rng, "Unit", false).map(|l| l + "\n"));
    }
    text.push_str(&format!("[{own}]\n{head}"));
    for _ in 0..lines {
        text.extend(pick(rng, own, false).map(|l| l + "\n"));
    }
    if rng.chance(30) {
        text.extend(pick(rng, own, true).map(|l| l + "\n"));
    }
    (name, text)
}

/// A real unit with some values replaced by generated ones, and some lines added.
fn mutate(rng: &mut Rng, keys: &[Key], text: &str) -> String {
    let by_key: BTreeMap<&str, &Key> = keys.iter().filter(|k| k.section == "Service").map(|k| (k.key, k)).collect();
    let mut out = String::new();
    let mut in_service = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_service = line.trim() == "[Service]";
        }
        let replaced = line.split_once('=').and_then(|(k, _)| by_key.get(k.trim())).filter(|k| {
            in_service && !is_fatal(k.parser, k.ltype) && !line.trim_end().ends_with('\\') && rng.chance(40)
        });
        match replaced {
            Some(k) => out.push_str(&format!("{}={}\n", k.key, value(rng, k))),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    let extra: Vec<&&Key> = by_key.values().filter(|k| !is_fatal(k.parser, k.ltype)).collect();
    if !extra.is_empty() && text.contains("[Service]") {
        out.push_str("[Service]\n");
        for _ in 0..3 {
            let k = extra[rng.below(extra.len())];
            out.push_str(&format!("{}={}\n", k.key, value(rng, k)));
        }
    }
    out
}

/// Real units to mutate: lint's own fixtures, and the shared corpus of Debian units when it
/// is there.
fn seed_services() -> Vec<String> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::service_texts(&[here.join("tests/fixtures/lint"), common::corpus_dir()])
}

/// Lint's findings for each file read on its own, as verify reads each (no drop-ins here).
fn lint_files(files: &[PathBuf], target: u32) -> Vec<Finding> {
    common::parallel(files, |f| {
        let text = fs::read_to_string(f).unwrap();
        let unit_type = f.extension().and_then(|e| e.to_str()).unwrap();
        let doc = Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        lint::lint_document(&doc, f, unit_type, target)
    })
    .into_iter()
    .flatten()
    .collect()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn generated_units_agree_with_verify() {
    if !oracle_available() {
        return;
    }
    agree_with_verify(252, |dir, files, file_set| {
        let verified = verify_units(files, file_set, 250);
        let mut silent = silent_drops(dir, files);
        // A line verify complains about is judged against verify (DisableControllers= naming
        // no controller at all).
        silent.retain(|at, _| verified.was_read(&at.0, at.1) && !verified.complaints.contains_key(at));
        (verified, Some(silent))
    });
}

/// The same against Debian 13's systemd 257 (a cached root, `scripts/debian-root trixie`),
/// lint judging at 257. The manager-dump oracle of silent drops is the host's: not used here.
#[test]
fn generated_units_agree_with_verify_257() {
    if !oracle_available() {
        return;
    }
    let Some(oracle) = ReleaseOracle::of(257) else { return };
    agree_with_verify(257, |dir, files, file_set| {
        let staged = oracle.stage(dir);
        let run = |chunk: &[PathBuf]| {
            let units: Vec<PathBuf> = chunk.iter().map(|f| ReleaseOracle::staged_path(dir, &staged, f)).collect();
            let (mut cmd, root) = oracle.analyze_many(&["verify", "--man=no"], &units);
            let out = cmd.env("LC_ALL", "C.UTF-8").env("SYSTEMD_LOG_COLOR", "0").output().expect("run verify");
            let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
            let inside = Path::new("/").join(staged.strip_prefix(&root).unwrap_or(&staged));
            text.replace(&*inside.to_string_lossy(), &dir.to_string_lossy())
        };
        (verify_units_by(files, file_set, 250, run), None)
    });
}

type Oracle<'a> = dyn Fn(&Path, &[PathBuf], &BTreeSet<PathBuf>) -> (Verified, Option<Complaints>) + 'a;

/// Generates units for `release`, asks `oracle` (verify's complaints, and the silent drops
/// when it knows them) and compares lint at that release, line by line.
fn agree_with_verify(
    release: u32,
    oracle: impl Fn(&Path, &[PathBuf], &BTreeSet<PathBuf>) -> (Verified, Option<Complaints>),
) {
    let oracle: &Oracle = &oracle;
    let started = Instant::now();
    let count = env_number("HARDENUNIT_LINT_UNITS", 1500) as usize;
    let seed = env_number("HARDENUNIT_LINT_SEED", 0x5eed_1157);
    let mut rng = Rng(seed);
    let keys = keys(release);
    let dir = tempfile::tempdir().unwrap();
    let dir = fs::canonicalize(dir.path()).unwrap();
    let mut files = Vec::new();
    for i in 0..count {
        let lines = 6 + rng.below(8);
        let (name, text) = generate(&mut rng, &keys, i, lines);
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        files.push(path);
    }
    let seeds = seed_services();
    let mutations = if seeds.is_empty() { 0 } else { (count / 3).max(seeds.len()) };
    let mutated_dir = dir.join("mutated");
    fs::create_dir_all(&mutated_dir).unwrap();
    for i in 0..mutations {
        // An instance, so that the specifiers of a template (%i) stand for something.
        let path = mutated_dir.join(format!("m{i}@x.service"));
        fs::write(&path, mutate(&mut rng, &keys, &seeds[i % seeds.len()])).unwrap();
        files.push(path);
    }
    let file_set: BTreeSet<PathBuf> = files.iter().cloned().collect();
    let verify_started = Instant::now();
    let (verified, silent) = oracle(&dir, &files, &file_set);
    let complaints = &verified.complaints;
    let verify_time = verify_started.elapsed().as_secs_f64();
    let lint_started = Instant::now();
    // Lines after a fatal one are not read by systemd: nothing to compare there.
    let findings: Vec<Finding> =
        lint_files(&files, release).into_iter().filter(|f| verified.was_read(&f.file, f.line)).collect();
    let lint_time = lint_started.elapsed().as_secs_f64();

    // A line systemd drops names from silently is the beyond-verify check's; every other
    // line is judged against verify.
    let no_silent = Complaints::new();
    let silent_known = silent.is_some();
    let silent = silent.unwrap_or_default();
    let silent_only = |f: &Finding| {
        let at = (f.file.clone(), f.line);
        silent.contains_key(&at) && !complaints.contains_key(&at)
    };
    // Without that oracle (257), a line of those lists verify accepts is not compared.
    let silent_list_line = |f: &Finding| {
        let text = fs::read_to_string(&f.file).unwrap_or_default();
        let line = text.lines().nth(f.line - 1).unwrap_or("");
        !complaints.contains_key(&(f.file.clone(), f.line))
            && ["CapabilityBoundingSet=", "AmbientCapabilities=", "SecureBits=", "DisableControllers="]
                .iter()
                .any(|k| line.starts_with(k))
    };
    let (beyond, verify_findings): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| f.tag == "name-dropped-silently" || silent_only(f) || (!silent_known && silent_list_line(f)));
    let mut against_verify = Tally::default();
    against_verify.compare(complaints, &verify_findings);
    let mut beyond_verify = Tally::default();
    if silent_known {
        beyond_verify.compare(&silent, &beyond);
    } else {
        beyond_verify.compare(&no_silent, &[]);
    }
    let parsers: BTreeSet<&str> = keys.iter().map(|k| k.parser).collect();
    println!(
        "lint at {release} vs systemd-analyze verify ({release}), seed {seed:#x}: {count} generated units + {mutations} \
         mutated real units, {} keys of {} parsers",
        keys.len(),
        parsers.len()
    );
    println!(
        "  verify complaints: recall {:.2}% ({}/{} lines), precision {:.2}% ({}/{} errors)",
        against_verify.recall(),
        against_verify.found,
        against_verify.complaints,
        against_verify.precision(),
        against_verify.true_errors,
        against_verify.errors
    );
    if silent_known {
        println!(
            "  beyond verify (names dropped silently): recall {:.2}% ({}/{}), precision {:.2}% ({}/{})",
            beyond_verify.recall(),
            beyond_verify.found,
            beyond_verify.complaints,
            beyond_verify.precision(),
            beyond_verify.true_errors,
            beyond_verify.errors
        );
    }
    println!("  run time {:.1}s (verify {verify_time:.1}s, lint {lint_time:.1}s)", started.elapsed().as_secs_f64());
    let show = |what: &str, v: &[String]| {
        let shown: Vec<String> = v.iter().take(40).cloned().collect();
        if v.is_empty() {
            String::new()
        } else {
            format!("{what} ({}):\n{}\n", v.len(), shown.join("\n"))
        }
    };
    let report = show("verify complaints lint missed", &against_verify.misses)
        + &show("lint errors on lines verify accepts", &against_verify.false_errors)
        + &show("silent drops lint missed", &beyond_verify.misses)
        + &show("lint errors on lines where systemd keeps every name", &beyond_verify.false_errors);
    assert!(report.is_empty(), "{report}");
}
