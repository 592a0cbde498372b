//! Unified diffs for review, coloured only on a terminal that wants colour.

use similar::{ChangeTag, TextDiff};

pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let paint = |code: &str, s: &str| if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() };
    out.push_str(&paint("1", &format!("--- {old_name}\n+++ {new_name}\n")));
    for group in diff.grouped_ops(3) {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        out.push_str(&paint(
            "36",
            &format!(
                "@@ -{} +{} @@\n",
                hunk_range(old_range.start, old_range.len()),
                hunk_range(new_range.start, new_range.len())
            ),
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, code) = match change.tag() {
                    ChangeTag::Delete => ("-", "31"),
                    ChangeTag::Insert => ("+", "32"),
                    ChangeTag::Equal => (" ", ""),
                };
                let mut line = format!("{sign}{}", change.value());
                if !line.ends_with('\n') {
                    line.push_str("\n\\ No newline at end of file\n");
                }
                out.push_str(&if code.is_empty() { line } else { paint(code, &line) });
            }
        }
    }
    out
}

/// `start,len` as unified diff writes it (1-based; an empty range names the line before).
fn hunk_range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_diff_u_format() {
        let d = unified("a\nb\n", "a\nc\n", "a/x", "b/x", false);
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
        let new_file = unified("", "x\n", "/dev/null", "b/y", false);
        assert_eq!(new_file, "--- /dev/null\n+++ b/y\n@@ -0,0 +1 @@\n+x\n");
    }
}
