//! The hardening as a drop-in file, and the lines it shares with an in-place block.

use crate::directives;
use crate::plan::Plan;
use crate::unit::{Document, ParseError};

/// One `# what it does` line and one `Key=value` line per directive, in table order.
pub fn directive_lines(plan: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    for a in &plan.added {
        let comment = directives::comment_for(&a.directive, &a.value);
        if !comment.is_empty() {
            lines.push(["# ", &comment].concat());
        }
        lines.push([&a.directive, "=", &a.value].concat());
    }
    lines
}

/// A whole drop-in file; `None` when there is nothing to add.
pub fn document(plan: &Plan, profile: &str, systemd_version: u32) -> Result<Option<Document>, ParseError> {
    if plan.added.is_empty() {
        return Ok(None);
    }
    let mut lines = vec![
        format!("# Hardening added by hardenunit (profile {profile}, for systemd {systemd_version})."),
        "# Generated: change the hardenunit policy instead of editing this file. A drop-in".to_owned(),
        "# that sorts after this one overrides any of these settings.".to_owned(),
        "[Service]".to_owned(),
    ];
    lines.extend(directive_lines(plan));
    let mut doc = Document::parse("")?;
    doc.insert_lines(1, &lines)?;
    Ok(Some(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Added;

    #[test]
    fn the_document_is_the_file_and_holds_each_setting() {
        assert_eq!(document(&Plan::default(), "baseline", 252).unwrap(), None);
        let added = |d: &str, v: &str| Added { directive: d.into(), value: v.into(), reason: String::new() };
        let plan =
            Plan { added: vec![added("PrivateTmp", "yes"), added("ProtectHome", "read-only")], ..Plan::default() };
        let doc = document(&plan, "strict", 257).unwrap().unwrap();
        let text = doc.to_string();
        assert!(text.starts_with("# Hardening added by hardenunit (profile strict, for systemd 257).\n"));
        assert_eq!(doc.line_text(4), "[Service]");
        let settings: Vec<(&str, &str, &str)> =
            doc.entries().map(|e| (e.section.as_str(), e.key.as_str(), e.value.as_str())).collect();
        assert_eq!(settings, vec![("Service", "PrivateTmp", "yes"), ("Service", "ProtectHome", "read-only")]);
        assert_eq!(Document::parse(&text).unwrap(), doc, "the document is what reading its text gives");
    }

    #[test]
    fn each_comment_says_what_its_value_does() {
        let comment = |k: &str, v: &str| {
            let plan = Plan {
                added: vec![Added { directive: k.into(), value: v.into(), reason: String::new() }],
                ..Plan::default()
            };
            let lines = directive_lines(&plan);
            assert_eq!(lines[1], format!("{k}={v}"));
            lines[0].clone()
        };
        // A deny list is never introduced as an allow list, nor the other way round.
        for (k, deny, allow) in [
            ("SystemCallFilter", "~@clock @mount", "@system-service @mount"),
            ("RestrictAddressFamilies", "~AF_PACKET", "AF_UNIX AF_INET"),
            ("RestrictNamespaces", "~user net", "mnt"),
            ("CapabilityBoundingSet", "~CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"),
        ] {
            let (d, a) = (comment(k, deny), comment(k, allow));
            assert!(d.starts_with("# Forbid") || d.starts_with("# Drop"), "{k}={deny}: {d}");
            assert!(a.starts_with("# Allow") || a.starts_with("# Keep"), "{k}={allow}: {a}");
        }
        assert_eq!(
            comment("SystemCallFilter", "@system-service"),
            "# Allow only the system calls a typical service uses"
        );
        assert_eq!(comment("ProtectSystem", "full"), "# Mount /usr, /boot and /etc read-only for the service");
        assert!(comment("ProtectSystem", "strict").contains("whole file system"));
        assert!(!comment("ProtectSystem", "yes").contains("/etc"));
        assert!(comment("ProtectHome", "read-only").contains("read-only"));
        assert!(comment("ProtectHome", "tmpfs").contains("empty"));
        assert_eq!(comment("ProtectHome", "no"), "# Leave ProtectHome= off");
        assert!(comment("ProtectProc", "noaccess").contains("Forbid access"));
        assert_eq!(
            comment("SystemCallErrorNumber", "EACCES"),
            "# Fail filtered system calls with EACCES instead of killing the service"
        );
        assert!(comment("UMask", "0077").contains("user only"));
        assert!(!comment("UMask", "0027").contains("user only"));
        assert!(comment("UMask", "0022").contains("0022"));
    }
}
