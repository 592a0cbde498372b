//! The hardening as text: a drop-in file, or the lines of an in-place block.

use crate::directives;
use crate::plan::Plan;

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
pub fn render_dropin(plan: &Plan, profile: &str, systemd_version: u32) -> Option<String> {
    if plan.added.is_empty() {
        return None;
    }
    let mut out = String::new();
    out.push_str(&format!("# Hardening added by hardenunit (profile {profile}, for systemd {systemd_version}).\n"));
    out.push_str("# Generated: change the hardenunit policy instead of editing this file. A drop-in\n");
    out.push_str("# that sorts after this one overrides any of these settings.\n");
    out.push_str("[Service]\n");
    for l in directive_lines(plan) {
        out.push_str(&l);
        out.push('\n');
    }
    Some(out)
}
