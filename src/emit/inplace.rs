//! In-place mode: a marked block at the end of the unit's [Service] section; every byte
//! outside the block stays as it was.

use crate::unit::{Document, ParseError};

pub const BEGIN: &str = "# --- BEGIN hardenunit (generated: change the policy, not these lines) ---";
pub const END: &str = "# --- END hardenunit ---";

/// 1-based first and last line of the block, when the document has one.
fn find_block(doc: &Document) -> Option<(usize, usize)> {
    let begin = (1..=doc.line_count()).find(|n| doc.line_text(*n).trim() == BEGIN)?;
    let end = (begin..=doc.line_count()).find(|n| doc.line_text(*n).trim() == END)?;
    Some((begin, end))
}

/// The document without its hardenunit block.
pub fn strip_block(doc: &Document) -> Result<Document, ParseError> {
    let mut d = doc.clone();
    if let Some((b, e)) = find_block(doc) {
        d.remove_lines(b, e)?;
    }
    Ok(d)
}

/// `base` (a document without a block) with a block of `lines` at the end of [Service].
pub fn with_block(base: &Document, lines: &[String]) -> Result<Document, ParseError> {
    let mut d = base.clone();
    if lines.is_empty() {
        return Ok(d);
    }
    let mut block = vec![BEGIN.to_owned()];
    if d.section_end("Service").is_none() {
        // A unit without [Service] (SuccessAction= only): the header goes inside the block,
        // so that removing the block gives back the file byte for byte.
        block.push("[Service]".to_owned());
        block.extend(lines.iter().cloned());
        block.push(END.to_owned());
        let end = d.line_count() + 1;
        d.insert_lines(end, &block)?;
        return Ok(d);
    }
    block.extend(lines.iter().cloned());
    block.push(END.to_owned());
    d.append_to_section("Service", &block)?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_round_trip_keeps_every_other_byte() {
        let text = "[Unit]\nDescription=x\n\n[Service]\n# keep me\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n";
        let base = Document::parse(text).unwrap();
        let with = with_block(&base, &["# c".into(), "PrivateTmp=yes".into()]).unwrap();
        let s = with.to_string();
        assert!(s.contains(&format!("ExecStart=/bin/true\n{BEGIN}\n# c\nPrivateTmp=yes\n{END}\n\n[Install]")));
        assert_eq!(strip_block(&with).unwrap().to_string(), text);
        let again = with_block(&strip_block(&with).unwrap(), &["# c".into(), "PrivateTmp=yes".into()]).unwrap();
        assert_eq!(again.to_string(), s);
    }

    #[test]
    fn a_unit_without_service_section_gets_it_inside_the_block() {
        let text = "[Unit]\nSuccessAction=exit-force\n";
        let with = with_block(&Document::parse(text).unwrap(), &["PrivateTmp=yes".into()]).unwrap();
        assert_eq!(with.to_string(), format!("{text}{BEGIN}\n[Service]\nPrivateTmp=yes\n{END}\n"));
        assert_eq!(strip_block(&with).unwrap().to_string(), text);
        assert!(with.entries().any(|e| e.section == "Service" && e.key == "PrivateTmp"));
    }
}
