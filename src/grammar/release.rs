//! What systemd's value parsers read differently from one release to the next, as data (like
//! the score's `crate::score::release`), for lint and the score alike: each row holds what a
//! release's parsers accept; a target takes the newest row not newer than it. Found by the
//! generated conformance test against each release's own `systemd-analyze verify` (252 on
//! Debian 12, 257 on Debian 13).

pub struct ParserRelease {
    pub version: u32,
    /// What parse_emergency_action() for the system manager (SuccessAction=,
    /// FailureAction=...) reads besides the older releases' actions.
    pub emergency_actions_added: &'static [&'static str],
    /// SocketProtocol= values besides the older releases' (and the default).
    pub socket_protocols_added: &'static [&'static str],
    /// Whether SocketBindAllow=/SocketBindDeny= take port 0.
    pub socket_bind_port_zero: bool,
    /// The longest RestrictNetworkInterfaces= name (alternative names are longer than 15).
    pub restrict_interface_name_max: usize,
    /// Memory settings that take 0 besides the older releases' (others refuse it as out of
    /// range).
    pub memory_zero_ok_added: &'static [&'static str],
}

const ACTIONS_252: &[&str] = &[
    "none",
    "reboot",
    "reboot-force",
    "reboot-immediate",
    "poweroff",
    "poweroff-force",
    "poweroff-immediate",
    "exit",
    "exit-force",
];

/// Actions 257 reads besides 252's.
const ACTIONS_ADDED_257: &[&str] =
    &["soft-reboot", "soft-reboot-force", "kexec", "kexec-force", "halt", "halt-force", "halt-immediate"];

const MEMORY_ZERO_OK_252: &[&str] =
    &["MemoryLow", "MemoryMin", "MemorySwapMax", "DefaultMemoryLow", "DefaultMemoryMin"];

const MEMORY_ZERO_OK_ADDED_257: &[&str] =
    &["StartupMemoryLow", "StartupMemorySwapMax", "MemoryZSwapMax", "StartupMemoryZSwapMax"];

static ROWS: [ParserRelease; 2] = [
    ParserRelease {
        version: 252,
        emergency_actions_added: ACTIONS_252,
        socket_protocols_added: &["udplite", "sctp"],
        socket_bind_port_zero: false,
        restrict_interface_name_max: 15,
        memory_zero_ok_added: MEMORY_ZERO_OK_252,
    },
    ParserRelease {
        version: 257,
        emergency_actions_added: ACTIONS_ADDED_257,
        socket_protocols_added: &["mptcp"],
        socket_bind_port_zero: true,
        restrict_interface_name_max: 127,
        memory_zero_ok_added: MEMORY_ZERO_OK_ADDED_257,
    },
];

impl ParserRelease {
    pub fn of(target: u32) -> &'static ParserRelease {
        ROWS.iter().rev().find(|r| r.version <= target).unwrap_or(&ROWS[0])
    }

    /// The emergency actions `target` reads.
    pub fn emergency_actions(target: u32) -> Vec<&'static str> {
        Self::accumulated(target, |r| r.emergency_actions_added)
    }

    /// The SocketProtocol= values `target` reads.
    pub fn socket_protocols(target: u32) -> Vec<&'static str> {
        Self::accumulated(target, |r| r.socket_protocols_added)
    }

    /// The memory settings that take 0 at `target`.
    pub fn memory_zero_ok(target: u32) -> Vec<&'static str> {
        Self::accumulated(target, |r| r.memory_zero_ok_added)
    }

    /// A list each release extends: the oldest row's and every later one's up to `target`.
    fn accumulated(target: u32, added: fn(&ParserRelease) -> &'static [&'static str]) -> Vec<&'static str> {
        let rows = ROWS.iter().filter(|r| r.version == ROWS[0].version || r.version <= target);
        rows.flat_map(|r| added(r).iter().copied()).collect()
    }
}
