//! Checks systemd 252's unit file loader makes of the settings only the exposure score reads
//! (device paths, user and group names); the grammar they build on is in crate::grammar.

use crate::grammar::{path_is_normalized, path_simplify, WHITESPACE};

/// path_startswith() by components.
fn path_startswith(path: &str, prefix: &str) -> bool {
    let mut a = path.split('/').filter(|c| !c.is_empty());
    prefix.split('/').filter(|c| !c.is_empty()).all(|c| a.next() == Some(c)) && path.starts_with('/')
}

/// The checks config_parse_device_allow() makes of a DeviceAllow= path.
pub fn valid_device_allow_path(resolved: &str) -> bool {
    if resolved.starts_with("block-") || resolved.starts_with("char-") {
        return true;
    }
    let s = path_simplify(resolved);
    path_is_normalized(&s)
        && (path_startswith(&s, "/dev/") || path_startswith(&s, "/run/systemd/inaccessible/"))
        && !s.ends_with('/')
}

/// parse_uid(): decimal, no sign or leading zero, not one of the two invalid ids.
fn parse_uid(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse::<u32>().ok().filter(|u| *u != u32::MAX && *u != 0xFFFF)
}

/// valid_user_group_name(VALID_USER_ALLOW_NUMERIC | VALID_USER_RELAX), what User= and
/// SupplementaryGroups= accept.
pub fn valid_user_group_name_relaxed(u: &str) -> bool {
    if u.is_empty() {
        return false;
    }
    if parse_uid(u).is_some() {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    !(u.chars().any(|c| c.is_control())
        || u.contains(':')
        || u.contains('/')
        || digits(u)
        || u.strip_prefix('-').is_some_and(digits)
        || u == "."
        || u == ".."
        || u.starts_with(WHITESPACE)
        || u.ends_with(WHITESPACE))
}

/// valid_user_group_name(0), the strict rule DynamicUser= uses to take the unit name as the
/// user name.
pub fn valid_user_group_name_strict(u: &str) -> bool {
    let mut chars = u.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && u.len() <= 31
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_paths() {
        for ok in ["/dev/null", "/dev//null/", "/dev", "char-rtc", "block-foo", "/run/systemd/inaccessible/chr"] {
            assert!(valid_device_allow_path(ok), "{ok}");
        }
        for bad in ["relative", "/sys/foo", "/dev/../etc", "/etc/passwd"] {
            assert!(!valid_device_allow_path(bad), "{bad}");
        }
    }

    #[test]
    fn user_names() {
        for ok in ["foo", "123", "-foo", "+foo", "foo.", "foo bar", "\"foo\"", "NOBODY"] {
            assert!(valid_user_group_name_relaxed(ok), "{ok}");
        }
        for bad in ["", "00", "4294967295", "65535", "99999999999", ".", "a/b", "a:b"] {
            assert!(!valid_user_group_name_relaxed(bad), "{bad}");
        }
    }
}
