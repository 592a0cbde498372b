//! The hardening as a drop-in file, and the lines it shares with an in-place block.

use crate::directives;
use crate::plan::Plan;
use crate::unit::{Document, ParseError};

/// One `# what it does` line and one `Key=value` line per directive, in table order.
pub fn directive_lines(plan: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    for a in &plan.added {
        let comment = directives::lookup(&a.directive).map(|d| d.comment).unwrap_or("");
        if !comment.is_empty() {
            lines.push(format!("# {comment}"));
        }
        lines.push(format!("{}={}", a.directive, a.value));
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
}
