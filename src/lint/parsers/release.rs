//! What lint's parsers read differently from one systemd release to the next, as data (like
//! the score's `crate::score::release`): each row holds what a release's parsers accept; a
//! target takes the newest row not newer than it. Found by the generated conformance test
//! against each release's own `systemd-analyze verify` (252 on Debian 12, 257 on Debian 13).

pub struct ParserRelease {
    pub version: u32,
    /// parse_emergency_action() for the system manager (SuccessAction=, FailureAction=...).
    pub emergency_actions: &'static [&'static str],
    /// Whether SocketBindAllow=/SocketBindDeny= take port 0.
    pub socket_bind_port_zero: bool,
    /// The longest RestrictNetworkInterfaces= name (alternative names are longer than 15).
    pub restrict_interface_name_max: usize,
    /// Memory settings that take 0 (others refuse it as out of range).
    pub memory_zero_ok: &'static [&'static str],
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

const ACTIONS_257: &[&str] = &[
    "none",
    "reboot",
    "reboot-force",
    "reboot-immediate",
    "poweroff",
    "poweroff-force",
    "poweroff-immediate",
    "exit",
    "exit-force",
    "soft-reboot",
    "soft-reboot-force",
    "kexec",
    "kexec-force",
    "halt",
    "halt-force",
    "halt-immediate",
];

const MEMORY_ZERO_OK_252: &[&str] =
    &["MemoryLow", "MemoryMin", "MemorySwapMax", "DefaultMemoryLow", "DefaultMemoryMin"];

const MEMORY_ZERO_OK_257: &[&str] = &[
    "MemoryLow",
    "MemoryMin",
    "MemorySwapMax",
    "DefaultMemoryLow",
    "DefaultMemoryMin",
    "StartupMemoryLow",
    "StartupMemorySwapMax",
    "MemoryZSwapMax",
    "StartupMemoryZSwapMax",
];

static ROWS: [ParserRelease; 2] = [
    ParserRelease {
        version: 252,
        emergency_actions: ACTIONS_252,
        socket_bind_port_zero: false,
        restrict_interface_name_max: 15,
        memory_zero_ok: MEMORY_ZERO_OK_252,
    },
    ParserRelease {
        version: 257,
        emergency_actions: ACTIONS_257,
        socket_bind_port_zero: true,
        restrict_interface_name_max: 127,
        memory_zero_ok: MEMORY_ZERO_OK_257,
    },
];

impl ParserRelease {
    pub fn of(target: u32) -> &'static ParserRelease {
        ROWS.iter().rev().find(|r| r.version <= target).unwrap_or(&ROWS[0])
    }
}
