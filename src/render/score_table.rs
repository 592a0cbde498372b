//! One unit's exposure table, byte for byte as `systemd-analyze security --offline=true`
//! prints it when its output is not a terminal (no colours, no links, no width limit), and
//! the JSON object `hardenunit score --json` prints for a unit.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::score::{Assessment, Row};
use crate::unit::Scope;

/// The characters systemd picks for marks, the arrow and the smiley.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyphs {
    /// UTF-8 locale and a terminal type that is set and not `dumb` or `linux`.
    Emoji,
    /// UTF-8 locale, but emoji off: ASCII smileys.
    Utf8,
    /// Any other locale: `+`, `-`, `->` and ASCII smileys.
    Ascii,
}

impl Glyphs {
    /// What systemd-analyze would use in this environment (is_locale_utf8() and
    /// emoji_enabled(): LC_ALL, LC_CTYPE, LANG, TERM, SYSTEMD_UTF8, SYSTEMD_EMOJI).
    pub fn from_env() -> Glyphs {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let flag = |k: &str| var(k).and_then(|v| crate::grammar::parse_boolean(&v));
        let utf8 = flag("SYSTEMD_UTF8").unwrap_or_else(|| {
            match var("LC_ALL").or_else(|| var("LC_CTYPE")).or_else(|| var("LANG")) {
                // With no locale at all systemd assumes UTF-8 works.
                None => true,
                Some(l) => {
                    let l = l.to_ascii_lowercase();
                    l.contains("utf-8") || l.contains("utf8")
                }
            }
        });
        let term_ok = var("TERM").is_some_and(|t| t != "dumb" && t != "linux");
        match (utf8, flag("SYSTEMD_EMOJI").unwrap_or(utf8 && term_ok)) {
            (false, _) => Glyphs::Ascii,
            (true, true) => Glyphs::Emoji,
            (true, false) => Glyphs::Utf8,
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// `s`, then blanks up to `w` characters.
fn push_padded(out: &mut String, s: &str, w: usize) {
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
}

/// The table and the "Overall exposure level" line for unit `name` (pass `&a.unit` to
/// name a template as systemd-analyze does) as a terminal with emoji shows them.
pub fn text(name: &str, a: &Assessment) -> String {
    text_with(name, a, Glyphs::Emoji)
}

/// The table and the "Overall exposure level" line, ending in a newline.
pub fn text_with(name: &str, a: &Assessment, glyphs: Glyphs) -> String {
    let rows = a.displayed();
    let exposures: Vec<String> =
        rows.iter().map(|r| a.row_exposure(r).map(crate::score::tenths).unwrap_or_default()).collect();
    let name_w = rows.iter().map(|r| width(r.setting)).chain([width("NAME")]).max().unwrap_or(0);
    let desc_w = rows.iter().map(|r| width(&r.description)).chain([width("DESCRIPTION")]).max().unwrap_or(0);
    let exp_w = exposures.iter().map(|e| width(e)).chain([width("EXPOSURE")]).max().unwrap_or(0);
    // Written straight into one string: a cell formatted on its own cost a sixth of a
    // one-unit `hardenunit score`.
    let mut out = String::with_capacity((rows.len() + 3) * (name_w + desc_w + exp_w + 8));
    let line = |out: &mut String, mark: &str, name: &str, desc: &str, exp: &str| {
        out.push_str(mark);
        out.push(' ');
        push_padded(out, name, name_w);
        out.push(' ');
        push_padded(out, desc, desc_w);
        out.push(' ');
        // The last column is right-aligned; format-table drops trailing blanks of a last cell.
        let text = exp.trim_end();
        if !text.is_empty() {
            out.extend(std::iter::repeat_n(' ', exp_w.saturating_sub(width(exp))));
            out.push_str(text);
        }
        out.push('\n');
    };
    line(&mut out, " ", "NAME", "DESCRIPTION", "EXPOSURE");
    for (r, e) in rows.iter().zip(&exposures) {
        let mark = match (glyphs, r.badness) {
            (Glyphs::Ascii, Some(0)) => "+",
            (Glyphs::Ascii, Some(_)) => "-",
            _ => r.mark(),
        };
        line(&mut out, mark, r.setting, &r.description, e);
    }
    let (arrow, smiley) = match glyphs {
        Glyphs::Emoji => ("→", a.smiley()),
        Glyphs::Utf8 => ("→", a.smiley_ascii()),
        Glyphs::Ascii => ("->", a.smiley_ascii()),
    };
    let _ = writeln!(out, "\n{arrow} Overall exposure level for {name}: {} {} {smiley}", a.exposure_text(), a.label());
    out
}

fn tenths_number(x: u32) -> f64 {
    f64::from(x) / 10.0
}

/// One unit's JSON object. Fields are in alphabetical order, the order of a serde_json
/// object, so that writing this straight out gives the bytes [`json`]'s value prints.
#[derive(Debug, Serialize)]
pub struct UnitJson<'a> {
    exposure: f64,
    label: &'static str,
    path: &'a str,
    rows: Vec<RowJson>,
    /// `system` or `user`: a user unit may have a system unit's name.
    scope: Scope,
    unit: &'a str,
}

#[derive(Debug, Serialize)]
struct RowJson {
    badness: Option<u32>,
    exposure: Option<f64>,
    json_field: &'static str,
    range: u32,
    weight: u32,
}

/// [`json`] before it becomes a value: serialise it directly to skip the value tree.
pub fn json_object<'a>(name: &'a str, scope: Scope, path: &'a str, a: &Assessment) -> UnitJson<'a> {
    let row = |r: &Row| RowJson {
        badness: r.badness,
        exposure: a.row_exposure(r).map(tenths_number),
        json_field: r.json_field,
        range: r.range,
        weight: r.weight,
    };
    UnitJson {
        exposure: tenths_number(a.exposure),
        label: a.label(),
        path,
        rows: a.displayed().into_iter().map(row).collect(),
        scope,
        unit: name,
    }
}

/// [`json_object`]'s bytes, written without serde's machinery: row names come from the score
/// table (letters, digits and '_', nothing to escape) and every number is an integer or
/// tenths, so only the unit's name and path go through the JSON string escaper. The score of
/// a whole corpus spent a quarter of its time serialising these objects.
pub fn write_json(
    out: &mut impl std::io::Write,
    name: &str,
    scope: Scope,
    path: &str,
    a: &Assessment,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(8192);
    buf.extend_from_slice(b"{\"exposure\":");
    push_tenths(&mut buf, a.exposure);
    buf.extend_from_slice(b",\"label\":");
    push_str(&mut buf, a.label());
    buf.extend_from_slice(b",\"path\":");
    push_str(&mut buf, path);
    buf.extend_from_slice(b",\"rows\":[");
    for (i, r) in a.displayed().into_iter().enumerate() {
        buf.extend_from_slice(if i == 0 { b"{\"badness\":" } else { b",{\"badness\":" });
        match r.badness {
            Some(b) => push_u32(&mut buf, b),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\"exposure\":");
        match a.row_exposure(r) {
            Some(x) => push_tenths(&mut buf, x),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\"json_field\":");
        push_str(&mut buf, r.json_field);
        buf.extend_from_slice(b",\"range\":");
        push_u32(&mut buf, r.range);
        buf.extend_from_slice(b",\"weight\":");
        push_u32(&mut buf, r.weight);
        buf.push(b'}');
    }
    buf.extend_from_slice(b"],\"scope\":");
    let _ = serde_json::to_writer(&mut buf, &scope);
    buf.extend_from_slice(b",\"unit\":");
    push_str(&mut buf, name);
    buf.push(b'}');
    out.write_all(&buf)
}

/// Decimal digits, without the formatting machinery (which cost more than the rest).
fn push_u32(buf: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[start..]);
}

/// A number of tenths as serde_json writes the f64 `x / 10`: `0.1`, `9.6`, `10.0`.
fn push_tenths(buf: &mut Vec<u8>, x: u32) {
    push_u32(buf, x / 10);
    buf.push(b'.');
    buf.push(b'0' + (x % 10) as u8);
}

/// A JSON string: plain text as it is, anything that may need escaping through serde_json.
fn push_str(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'@' | b' ')) {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *buf, s);
    }
}

/// `{"unit","scope","path","exposure","label","rows":[{"json_field","badness","weight","range","exposure"}]}`,
/// rows in systemd's order; a row's exposure is null when systemd shows none (good or N/A),
/// its badness null for N/A.
pub fn json(name: &str, scope: Scope, path: &str, a: &Assessment) -> Value {
    serde_json::to_value(json_object(name, scope, path, a)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Assignment;
    use serde_json::json;

    #[test]
    fn default_service_layout() {
        let a = crate::score::assess(252, "a.service", &[Assignment::planned("Service", "ExecStart", "/bin/true")]);
        assert!(a.refusal.is_none());
        let t = text(&a.unit, &a);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 84);
        assert!(lines[0].starts_with("  NAME ") && lines[0].ends_with(" EXPOSURE"));
        assert!(lines[1].starts_with("✗ RootDirectory=/RootImage= ") && lines[1].ends_with("     0.1"));
        assert_eq!(lines[83], "→ Overall exposure level for a.service: 9.6 UNSAFE 😨");
        let j = json(&a.unit, Scope::System, "/x/a.service", &a);
        assert_eq!(j["scope"], json!("system"));
        assert_eq!(j["exposure"], json!(9.6));
        assert_eq!(j["rows"][1]["badness"], Value::Null);
        assert_eq!(j["rows"][0]["exposure"], json!(0.1));
    }

    /// The hand-written object is byte for byte what serde_json writes, for exposures from
    /// 0.0 to 10.0 and names and paths that need escaping.
    #[test]
    fn written_json_is_serde_json_s() {
        let a = |lines: &[(&str, &str)]| {
            let set: Vec<Assignment> = lines.iter().map(|(k, v)| Assignment::planned("Service", k, v)).collect();
            crate::score::assess(252, "a.service", &set)
        };
        let hardened = [
            ("ExecStart", "/bin/true"),
            ("DynamicUser", "yes"),
            ("PrivateNetwork", "yes"),
            ("CapabilityBoundingSet", ""),
            ("SystemCallFilter", "@system-service"),
            ("RestrictAddressFamilies", "none"),
            ("ProtectHome", "yes"),
            ("ProtectSystem", "strict"),
            ("PrivateDevices", "yes"),
            ("ProtectKernelTunables", "yes"),
        ];
        for (assessment, name, path) in [
            (a(&[("ExecStart", "/bin/true")]), "a.service", "/x/a.service"),
            (a(&hardened), "b@x\\y.service", "/x/\"q\"/\u{e9}\u{1}/b.service"),
        ] {
            let mut written = Vec::new();
            write_json(&mut written, name, Scope::System, path, &assessment).unwrap();
            let serde = serde_json::to_vec(&json_object(name, Scope::System, path, &assessment)).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(serde).unwrap());
        }
        for x in [0, 1, 9, 10, 96, 100, 12345, u32::MAX] {
            let mut buf = Vec::new();
            push_tenths(&mut buf, x);
            assert_eq!(buf, serde_json::to_vec(&tenths_number(x)).unwrap(), "{x}");
        }
    }
}
