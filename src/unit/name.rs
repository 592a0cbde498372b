//! Unit names: `prefix[@instance].type`, as systemd splits them.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitName {
    full: String,
}

/// Unit types whose files hardenunit reads.
pub const UNIT_TYPES: &[&str] =
    &["service", "socket", "timer", "path", "mount", "automount", "swap", "target", "slice", "scope", "device"];

impl UnitName {
    /// systemd 252's unit_name_is_valid(): `foo.service`, `foo@.service`, `foo@bar.service`
    /// (the first `@` splits; the instance may hold more), at most 255 bytes, a known type,
    /// a non-empty prefix, and only ASCII letters, digits and `:-_.\@` before the type.
    pub fn parse(s: &str) -> Option<UnitName> {
        if s.len() > 255 {
            return None;
        }
        let (stem, ty) = s.rsplit_once('.')?;
        if !UNIT_TYPES.contains(&ty) || stem.is_empty() || stem.starts_with('@') {
            return None;
        }
        if !stem.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '\\' | '@')) {
            return None;
        }
        Some(UnitName { full: s.to_owned() })
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// `service`, `socket`, ...
    pub fn unit_type(&self) -> &str {
        self.full.rsplit_once('.').map(|(_, t)| t).unwrap_or("")
    }

    fn stem(&self) -> &str {
        self.full.rsplit_once('.').map(|(s, _)| s).unwrap_or(&self.full)
    }

    /// `foo` of `foo@bar.service`.
    pub fn prefix(&self) -> &str {
        self.stem().split_once('@').map(|(p, _)| p).unwrap_or(self.stem())
    }

    /// `Some("bar")` for `foo@bar.service`, `Some("")` for the template `foo@.service`.
    pub fn instance(&self) -> Option<&str> {
        self.stem().split_once('@').map(|(_, i)| i)
    }

    pub fn is_template(&self) -> bool {
        self.instance() == Some("")
    }

    /// `foo@.service` for an instance or a template.
    pub fn template(&self) -> Option<UnitName> {
        self.instance()?;
        Some(UnitName { full: format!("{}@.{}", self.prefix(), self.unit_type()) })
    }

    /// `foo@i.service` for the template `foo@.service`, which is how
    /// `systemd-analyze security --offline` loads a template.
    pub fn with_instance(&self, instance: &str) -> UnitName {
        UnitName { full: format!("{}@{}.{}", self.prefix(), instance, self.unit_type()) }
    }

    /// Drop-in directory names that apply to this unit, most specific first:
    /// `foo-bar@x.service.d`, `foo-bar@.service.d`, `foo-bar-.service.d`, `foo-.service.d`,
    /// `service.d` (systemd 252's unit_file_find_dropin_paths()).
    pub fn dropin_dir_names(&self) -> Vec<String> {
        let ty = self.unit_type();
        let mut names = vec![format!("{}.d", self.full)];
        if let Some(t) = self.template() {
            if t != *self {
                names.push(format!("{}.d", t.full));
            }
        }
        // Prefix drop-ins: every dash-separated leading part of the prefix.
        let prefix = self.prefix();
        let mut ends: Vec<usize> = prefix.match_indices('-').map(|(i, _)| i).collect();
        ends.reverse();
        for i in ends {
            names.push(format!("{}-.{}.d", &prefix[..i], ty));
        }
        names.push(format!("{ty}.d"));
        names.dedup();
        names
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names() {
        let n = UnitName::parse("getty@tty1.service").unwrap();
        assert_eq!(n.prefix(), "getty");
        assert_eq!(n.instance(), Some("tty1"));
        assert_eq!(n.template().unwrap().as_str(), "getty@.service");
        assert!(UnitName::parse("getty@.service").unwrap().is_template());
        assert!(UnitName::parse("a/b.service").is_none());
        assert!(UnitName::parse("foo.conf").is_none());
        assert!(UnitName::parse("@x.service").is_none());
        // As `systemd-analyze security --offline=true ./NAME` (252) accepts or refuses them.
        for bad in ["a b.service", "a%n.service", "ü.service", "a\nb.service", "@a.service", ".service"] {
            assert!(UnitName::parse(bad).is_none(), "{bad:?}");
        }
        for good in ["x@a@b.service", "x@@.service", "a:b\\x2d.service", "a.b.service", "-a.service"] {
            assert!(UnitName::parse(good).is_some(), "{good:?}");
        }
        assert_eq!(UnitName::parse("x@a@b.service").unwrap().instance(), Some("a@b"));
        assert!(UnitName::parse(&format!("{}.service", "a".repeat(247))).is_some());
        assert!(UnitName::parse(&format!("{}.service", "a".repeat(248))).is_none());
    }

    #[test]
    fn dropin_dirs_most_specific_first() {
        let n = UnitName::parse("foo-bar@x.service").unwrap();
        assert_eq!(
            n.dropin_dir_names(),
            vec!["foo-bar@x.service.d", "foo-bar@.service.d", "foo-.service.d", "service.d"]
        );
    }
}
