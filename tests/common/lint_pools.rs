//! Values, valid and invalid, for each parser lint judges: what tests/lint_generated.rs puts
//! in its generated units. Each was chosen by reading the parser in systemd's sources and
//! checked against `systemd-analyze verify`; the test compares lint with verify on them.

/// Values (valid, invalid and odd) per parser; list parsers get words to combine.
pub fn pool(parser: &str) -> Option<Pool> {
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
        "config_parse_socket_protocol" => v(&["udplite", "sctp", "bogus", "", "tcp", "mptcp"]),
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

pub enum Pool {
    Values(Vec<&'static str>),
    Words(Vec<&'static str>),
}
