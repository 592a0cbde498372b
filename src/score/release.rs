//! What changed in `systemd-analyze security --offline=true` between the systemd releases the
//! score follows, as data: one assessor table and one loop read it (analyze-security.c's
//! table itself is the same 81 rows, weights and texts in 252, 257 and 262; what changed is
//! how the manager parses some settings before SecurityInfo reads them, the seccomp
//! architectures it knows and its system-call groups).
//!
//! Each fact below was found by running that release's own `systemd-analyze` (Debian's
//! bookworm, trixie and sid builds) on units that differ in one setting; the conformance
//! tests run every fixture, corpus unit and generated unit against all three.

/// How a release parses a setting that SecurityInfo reads as one on/off flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagGrammar {
    /// config_parse_bool(): parse_boolean(), anything else (the empty value too) is ignored.
    Boolean,
    /// config_parse_tristate() into an int that SecurityInfo copies into a bool: unset and
    /// the empty value (-1) read as on, so only an explicit "no" is bad (PrivateMounts=, 257).
    Tristate,
    /// An enumeration that also takes booleans: "yes" or one of these modes turns it on,
    /// "no" off, anything else (the empty value too) is ignored.
    Modes(&'static [&'static str]),
    /// 262's ProtectHostname=: MODE[:HOSTNAME], MODE a boolean or one of these modes, the
    /// hostname (specifiers expanded) valid and given only with a mode that is on; the empty
    /// value resets it to "no"; anything else is ignored.
    ModesWithHostname(&'static [&'static str]),
}

/// One supported release.
#[derive(Debug)]
pub struct Release {
    pub version: u32,
    /// Settings whose grammar is not [`FlagGrammar::Boolean`].
    flags: &'static [(&'static str, FlagGrammar)],
    /// seccomp_arch_from_string()'s names.
    pub seccomp_archs: &'static [&'static str],
    /// data/syscall-groups*.txt of the release, see scripts/regen-syscall-groups.
    pub(super) syscall_data: &'static str,
    /// The instance a template is scored as (`foo@.service` becomes `foo@INSTANCE.service`).
    pub template_instance: &'static str,
    /// Where the table puts the one row that can lack a description (ProtectProc=noaccess):
    /// first (262), or where glibc's merge sort leaves it (252, 257).
    pub empty_description_first: bool,
    /// Whether the offline manager refuses to load a unit whose own file gives a valid
    /// IPIngressFilterPath= or IPEgressFilterPath= (257: it fails to open the BPF programs;
    /// the same in a drop-in is scored).
    pub refuses_ip_filter_paths: bool,
    /// Whether an unknown address family in RestrictAddressFamilies= ends the reading of the
    /// line (262: the families before it stay) instead of being skipped.
    pub unknown_family_ends_line: bool,
    /// The highest capability number capability_from_name() takes (CAP_LIMIT: 63, then 62).
    pub capability_number_max: i32,
    /// Whether a capability word cut short inside a quote (`"CAP_SYS_TIME`) still counts, as
    /// EXTRACT_RELAX reads it (257, 262); 252 drops it.
    pub capability_cut_word_counts: bool,
}

#[rustfmt::skip]
const ARCHES_252: &[&str] = &[
    "native", "x86", "x86-64", "x32", "arm", "arm64", "mips", "mips-le", "mips64", "mips64-le",
    "mips64-n32", "mips64-le-n32", "parisc", "parisc64", "ppc", "ppc64", "ppc64-le", "riscv64", "s390",
    "s390x",
];

#[rustfmt::skip]
const ARCHES_257: &[&str] = &[
    "native", "x86", "x86-64", "x32", "arm", "arm64", "loongarch64", "mips", "mips-le", "mips64",
    "mips64-le", "mips64-n32", "mips64-le-n32", "parisc", "parisc64", "ppc", "ppc64", "ppc64-le", "riscv64",
    "s390", "s390x",
];

const PRIVATE_TMP_257: FlagGrammar = FlagGrammar::Modes(&["connected", "disconnected"]);
const PROTECT_CONTROL_GROUPS_257: FlagGrammar = FlagGrammar::Modes(&["private", "strict"]);

/// The releases whose score is exact, oldest first.
pub static RELEASES: [Release; 3] = [
    Release {
        version: 252,
        flags: &[],
        seccomp_archs: ARCHES_252,
        syscall_data: include_str!("../../data/syscall-groups.txt"),
        template_instance: "i",
        empty_description_first: false,
        refuses_ip_filter_paths: false,
        unknown_family_ends_line: false,
        capability_number_max: 63,
        capability_cut_word_counts: false,
    },
    Release {
        version: 257,
        flags: &[
            ("PrivateMounts", FlagGrammar::Tristate),
            ("PrivateTmp", PRIVATE_TMP_257),
            ("PrivateUsers", FlagGrammar::Modes(&["self", "identity"])),
            ("ProtectControlGroups", PROTECT_CONTROL_GROUPS_257),
        ],
        seccomp_archs: ARCHES_257,
        syscall_data: include_str!("../../data/syscall-groups-257.txt"),
        template_instance: "test_instance",
        empty_description_first: false,
        refuses_ip_filter_paths: true,
        unknown_family_ends_line: false,
        capability_number_max: 62,
        capability_cut_word_counts: true,
    },
    Release {
        version: 262,
        flags: &[
            ("PrivateMounts", FlagGrammar::Tristate),
            ("PrivateTmp", PRIVATE_TMP_257),
            ("PrivateUsers", FlagGrammar::Modes(&["self", "identity", "full", "managed"])),
            ("ProtectControlGroups", PROTECT_CONTROL_GROUPS_257),
            ("ProtectHostname", FlagGrammar::ModesWithHostname(&["private"])),
        ],
        seccomp_archs: ARCHES_257,
        syscall_data: include_str!("../../data/syscall-groups-262.txt"),
        template_instance: "test_instance",
        empty_description_first: true,
        refuses_ip_filter_paths: false,
        unknown_family_ends_line: true,
        capability_number_max: 62,
        capability_cut_word_counts: true,
    },
];

/// The release whose systemd-analyze the score follows by default.
pub const DEFAULT_RELEASE: u32 = 252;

impl Release {
    /// The data the score uses for `version`: that release's when it is one of
    /// [`RELEASES`], else the nearest older one (the oldest for anything older).
    pub fn of(version: u32) -> &'static Release {
        RELEASES.iter().rev().find(|r| r.version <= version).unwrap_or(&RELEASES[0])
    }

    /// Whether the score for `version` is exactly that release's.
    pub fn is_exact(version: u32) -> bool {
        RELEASES.iter().any(|r| r.version == version)
    }

    pub fn flag_grammar(&self, key: &str) -> FlagGrammar {
        self.flags.iter().find(|(k, _)| *k == key).map(|(_, g)| *g).unwrap_or(FlagGrammar::Boolean)
    }

    pub fn is_seccomp_arch(&self, s: &str) -> bool {
        self.seccomp_archs.contains(&s)
    }
}

/// One line for users who target a release the score does not follow exactly.
pub fn approximation_note(version: u32) -> Option<String> {
    if Release::is_exact(version) {
        return None;
    }
    let used = Release::of(version).version;
    let exact: Vec<String> = RELEASES.iter().map(|r| r.version.to_string()).collect();
    Some(format!(
        "systemd {version}: the exposure follows systemd {used}'s systemd-analyze (exact for {} only)",
        exact.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_between_releases_use_the_older_one() {
        assert_eq!(Release::of(250).version, 252);
        assert_eq!(Release::of(252).version, 252);
        assert_eq!(Release::of(256).version, 252);
        assert_eq!(Release::of(257).version, 257);
        assert_eq!(Release::of(261).version, 257);
        assert_eq!(Release::of(262).version, 262);
        assert_eq!(Release::of(300).version, 262);
        assert!(approximation_note(257).is_none());
        assert!(approximation_note(258).unwrap().contains("follows systemd 257"));
    }

    #[test]
    fn releases_are_in_order() {
        assert!(RELEASES.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!(Release::of(DEFAULT_RELEASE).version, DEFAULT_RELEASE);
    }
}
