//! Where systemd looks for the programs a unit runs. The command lines themselves are the
//! unit's own facts ([`crate::unit::facts`]); what a wrapper shell script runs is read in
//! `super::shell`.

/// Where systemd 252 looks up a command given by a bare name (its built-in default PATH for
/// a split-/usr system, which a build root may be).
pub const COMMAND_PATH: &[&str] = &["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
