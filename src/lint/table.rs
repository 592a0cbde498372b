//! The settings systemd accepts, read from the tables in `data/` (generated from systemd's
//! sources by `scripts/gen-lint-data`): which key exists in which section, which parser reads
//! it, and since which release.

use crate::unit::words::edit_distance;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::directives;

const UNIT_KEYS: &str = include_str!("../../data/systemd-unit-keys.tsv");
const ENUMS: &str = include_str!("../../data/systemd-enums.tsv");
const KEY_VERSIONS: &str = include_str!("../../data/key-versions.tsv");

/// The release whose parser table the data holds in full; value checks follow it.
pub const REFERENCE_VERSION: u32 = 252;

/// The newest release the tables know (from its binaries: keys, legacy keys, enum values).
pub const NEWEST_VERSION: u32 = 262;

#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub section: &'static str,
    pub key: &'static str,
    /// systemd 252's parser function, None when 252 does not know the key.
    pub parser_252: Option<&'static str>,
    pub ltype_252: &'static str,
    /// systemd 257's parser function, None when 257 dropped the key.
    pub parser_257: Option<&'static str>,
    /// First release for keys newer than 252.
    pub since_after_252: Option<u32>,
    /// systemd 262's parser: None when 262 does not read the key, `config_parse_warn_compat`
    /// when it ignores it with a warning, `?KIND` when it reads it with a parser not recorded.
    pub parser_262: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct EnumInfo {
    pub empty_ok: bool,
    pub booleans: bool,
    pub values: Vec<&'static str>,
}

struct Tables {
    enums_252: BTreeMap<&'static str, EnumInfo>,
    enums_257: BTreeMap<&'static str, EnumInfo>,
    enums_262: BTreeMap<&'static str, EnumInfo>,
    versions: BTreeMap<&'static str, u32>,
}

fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

fn dash(s: &'static str) -> Option<&'static str> {
    (s != "-").then_some(s)
}

/// One row of the key table, its section and key found when the table is first used, the
/// rest parsed when the row is first asked for: a run asks for a few dozen of its 1 468 rows,
/// and parsing them all cost more than the rest of a one-unit `hardenunit score`.
struct KeyRow {
    section: &'static str,
    key: &'static str,
    line: &'static str,
    info: OnceLock<Box<KeyInfo>>,
}

impl KeyRow {
    fn info(&self) -> &KeyInfo {
        self.info.get_or_init(|| {
            let r: Vec<&'static str> = self.line.split('\t').collect();
            Box::new(KeyInfo {
                section: r[0],
                key: r[1],
                parser_252: dash(r[2]),
                ltype_252: r[3],
                parser_257: dash(r[4]),
                since_after_252: dash(r[5]).and_then(|s| s.parse().ok()),
                parser_262: dash(r[6]),
            })
        })
    }
}

/// The rows of the key table, in its order: by section, then key (scripts/gen-lint-data
/// sorts them; a test checks it), so that a key is found by binary search.
fn key_rows() -> &'static [KeyRow] {
    static ROWS: OnceLock<Vec<KeyRow>> = OnceLock::new();
    // Every run that reads a policy builds this: the lines and their first two fields are
    // found with memchr (splitting the text with `lines` and `splitn` cost 1.8 M instructions,
    // a third of a one-unit `hardenunit score`).
    ROWS.get_or_init(|| {
        let ends = memchr::memchr_iter(b'\n', UNIT_KEYS.as_bytes());
        let mut rows = Vec::with_capacity(ends.count() + 1);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', UNIT_KEYS.as_bytes()).chain([UNIT_KEYS.len()]) {
            let line = UNIT_KEYS[start..end].trim_end_matches('\r');
            start = end + 1;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some(tab) = memchr::memchr(b'\t', line.as_bytes()) else { continue };
            let (section, rest) = (&line[..tab], &line[tab + 1..]);
            let key = memchr::memchr(b'\t', rest.as_bytes()).map_or(rest, |tab| &rest[..tab]);
            rows.push(KeyRow { section, key, line, info: OnceLock::new() });
        }
        rows
    })
}

/// The rows of one section, in key order.
fn section_rows(section: &str) -> &'static [KeyRow] {
    // Where each section's rows are, found once: two binary searches over all the rows for
    // each setting linted compared a section name a score of times.
    static SECTIONS: OnceLock<Vec<(&'static str, std::ops::Range<usize>)>> = OnceLock::new();
    let rows = key_rows();
    let sections = SECTIONS.get_or_init(|| {
        let mut sections: Vec<(&'static str, std::ops::Range<usize>)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            match sections.last_mut() {
                Some((name, range)) if *name == row.section => range.end = i + 1,
                _ => sections.push((row.section, i..i + 1)),
            }
        }
        sections
    });
    match sections.binary_search_by(|(name, _)| (*name).cmp(section)) {
        Ok(i) => &rows[sections[i].1.clone()],
        Err(_) => &[],
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut enums_252 = BTreeMap::new();
        let mut enums_257 = BTreeMap::new();
        let mut enums_262 = BTreeMap::new();
        for r in rows(ENUMS) {
            let info = EnumInfo { empty_ok: r[2] == "yes", booleans: r[3] == "yes", values: r[4].split(' ').collect() };
            match r[0] {
                "252" => enums_252.insert(r[1], info),
                "257" => enums_257.insert(r[1], info),
                _ => enums_262.insert(r[1], info),
            };
        }
        let versions = rows(KEY_VERSIONS).filter_map(|r| Some((r[0], r[1].parse().ok()?))).collect();
        Tables { enums_252, enums_257, enums_262, versions }
    })
}

/// The sections a unit of this type reads (`service` → Unit, Service, Install).
pub fn sections_for(unit_type: &str) -> [&'static str; 3] {
    let own = match unit_type {
        "service" => "Service",
        "socket" => "Socket",
        "mount" => "Mount",
        "automount" => "Automount",
        "swap" => "Swap",
        "timer" => "Timer",
        "path" => "Path",
        "slice" => "Slice",
        "scope" => "Scope",
        "target" => "Target",
        "device" => "Device",
        _ => "Unit",
    };
    ["Unit", own, "Install"]
}

/// The unit type whose own section this is (`Socket` → `socket`).
pub fn unit_type_of_section(section: &str) -> Option<&'static str> {
    const TYPES: &[&str] = &["service", "socket", "mount", "automount", "swap", "timer", "path", "slice", "scope"];
    TYPES.iter().copied().find(|t| sections_for(t)[1] == section)
}

pub fn is_known_section(section: &str) -> bool {
    matches!(section, "Unit" | "Install" | "Target" | "Device") || unit_type_of_section(section).is_some()
}

pub fn key(section: &str, key: &str) -> Option<&'static KeyInfo> {
    let rows = section_rows(section);
    rows.binary_search_by(|r| r.key.cmp(key)).ok().map(|i| rows[i].info())
}

const WARN_COMPAT: &str = "config_parse_warn_compat";

/// Whether systemd `target` reads `key` in `section` at all (for a release between the ones
/// the tables know, the older one's table answers).
pub fn known_at(info: &KeyInfo, target: u32) -> bool {
    if target >= NEWEST_VERSION && (info.parser_262.is_none() || removed_at(info, target).is_some()) {
        return false;
    }
    match info.parser_252 {
        Some(_) => target <= REFERENCE_VERSION || info.parser_257.is_some(),
        None => target > REFERENCE_VERSION && info.since_after_252.is_some_and(|s| s <= target),
    }
}

/// The release from which systemd ignores the key with a "support has been removed" warning,
/// when `target` is that release or later and the key was read before.
pub fn removed_at(info: &KeyInfo, target: u32) -> Option<u32> {
    let dropped = info.parser_262 == Some(WARN_COMPAT) && info.parser_257.is_some_and(|p| p != WARN_COMPAT);
    (dropped && target >= NEWEST_VERSION).then_some(NEWEST_VERSION)
}

/// The first release that reads `key` (None when older than the tables know, or unknown).
pub fn key_since(section: &str, key_name: &str) -> Option<u32> {
    // The directive table speaks of [Service]; the same settings exist in every section that
    // runs processes.
    if let Some(d) = directives::lookup(key_name).filter(|_| section != "Unit" && section != "Install") {
        return Some(d.since);
    }
    if let Some(v) = tables().versions.get(key_name) {
        return Some(*v);
    }
    key(section, key_name).and_then(|k| k.since_after_252)
}

/// Parsers systemd 257 renamed without changing what they accept: lint judges them as the
/// 252 parser of the same grammar (checked against 257's parser sources and its verify).
const SAME_GRAMMAR_257: &[(&str, &str)] = &[
    // Empty (unset) or a boolean.
    ("config_parse_tristate", "config_parse_exec_mount_apivfs"),
    ("config_parse_exec_mount_propagation_flag", "config_parse_exec_mount_flags"),
    ("config_parse_unit_mounts_for", "config_parse_unit_requires_mounts_for"),
];

/// The parser whose grammar lint judges `info`'s values with at `target`: 252's up to 252;
/// between 253 and 261 257's (its enumerations from 257's tables, a renamed parser as the 252
/// one of the same grammar); from 262 252's where 257 and 262 kept it. None when lint cannot
/// tell how the target reads the key (the value is then not judged).
pub fn parser_for(info: &KeyInfo, target: u32) -> Option<&'static str> {
    if target <= REFERENCE_VERSION {
        return info.parser_252;
    }
    if target >= NEWEST_VERSION {
        let p252 = info.parser_252?;
        return (info.parser_257 == Some(p252) && info.parser_262 == Some(p252)).then_some(p252);
    }
    let p257 = info.parser_257?;
    if let Some((_, same)) = SAME_GRAMMAR_257.iter().find(|(renamed, _)| *renamed == p257) {
        return Some(same);
    }
    (info.parser_252.is_none_or(|p| p == p257) || tables().enums_257.contains_key(p257)).then_some(p257)
}

/// Enum values of a parser for the target: 252's; for targets up to 261 252's and 257's
/// together (a value new in 257 may or may not exist in between: not judged as an error),
/// or 257's alone for a parser 252 does not have; 262's own from 262 on.
pub fn enum_for(parser: &str, target: u32) -> Option<EnumInfo> {
    let t = tables();
    if target > REFERENCE_VERSION && target < NEWEST_VERSION && !t.enums_252.contains_key(parser) {
        return t.enums_257.get(parser).cloned();
    }
    let base = t.enums_252.get(parser)?.clone();
    if target <= REFERENCE_VERSION {
        return Some(base);
    }
    if let Some(newest) = t.enums_262.get(parser).filter(|_| target >= NEWEST_VERSION) {
        return Some(newest.clone());
    }
    let mut merged = base;
    if let Some(later) = t.enums_257.get(parser) {
        for v in &later.values {
            if !merged.values.contains(v) {
                merged.values.push(v);
            }
        }
    }
    Some(merged)
}

/// Every key systemd `target` reads in `section`.
pub fn keys_in(section: &str, target: u32) -> Vec<&'static str> {
    let in_section = section_rows(section).iter().map(KeyRow::info);
    in_section.filter(|k| known_at(k, target)).map(|k| k.key).collect()
}

/// Sections (of any unit type) that know this key.
pub fn sections_with(key_name: &str, target: u32) -> Vec<&'static str> {
    let all = key_rows().iter().filter(|r| r.key == key_name).map(KeyRow::info);
    all.filter(|k| known_at(k, target)).map(|k| k.section).collect()
}

/// The closest key name in `section` for a misspelt one: same letters in another case, or
/// within a small edit distance.
pub fn suggest(section: &str, wrong: &str, target: u32) -> Option<&'static str> {
    let candidates = keys_in(section, target);
    if let Some(k) = candidates.iter().find(|k| k.eq_ignore_ascii_case(wrong)) {
        return Some(k);
    }
    let limit = if wrong.len() > 12 { 3 } else { 2 };
    candidates
        .iter()
        .map(|k| (edit_distance(&k.to_ascii_lowercase(), &wrong.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k)
}

/// The closest section name this unit type reads, for a misspelt header (`[service]`).
pub fn suggest_section(unit_type: &str, wrong: &str) -> Option<&'static str> {
    sections_for(unit_type).into_iter().find(|s| s.eq_ignore_ascii_case(wrong) || edit_distance(s, wrong) <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_context_keys_are_in_every_exec_section() {
        for s in ["Service", "Socket", "Mount", "Swap"] {
            assert!(key(s, "ProtectSystem").is_some(), "{s}");
            assert!(key(s, "KillMode").is_some(), "{s}");
            assert!(key(s, "MemoryMax").is_some(), "{s}");
        }
        assert!(key("Slice", "MemoryMax").is_some());
        assert!(key("Slice", "ProtectSystem").is_none());
        assert!(key("Timer", "ProtectSystem").is_none());
        assert_eq!(key("Service", "PrivateTmp").unwrap().parser_252, Some("config_parse_bool"));
    }

    #[test]
    fn key_rows_are_sorted_for_binary_search() {
        let rows = key_rows();
        assert!(rows.len() > 1000);
        for pair in rows.windows(2) {
            assert!(
                (pair[0].section, pair[0].key) < (pair[1].section, pair[1].key),
                "{} {}",
                pair[1].section,
                pair[1].key
            );
        }
        for r in rows {
            assert!(std::ptr::eq(key(r.section, r.key).unwrap(), r.info()), "{} {}", r.section, r.key);
        }
        assert!(key("Service", "NoSuchKey").is_none());
        assert!(key("Nowhere", "ProtectSystem").is_none());
    }

    #[test]
    fn near_misses_are_suggested() {
        assert_eq!(suggest("Service", "RestrictSUIDGUID", 252), Some("RestrictSUIDSGID"));
        assert_eq!(suggest("Service", "ProtectKernelTunable", 252), Some("ProtectKernelTunables"));
        assert_eq!(suggest("Service", "privatetmp", 252), Some("PrivateTmp"));
        assert_eq!(suggest("Service", "Frobnicate", 252), None);
        assert_eq!(suggest_section("service", "service"), Some("Service"));
    }

    #[test]
    fn versions_follow_the_target() {
        let pids = key("Service", "PrivatePIDs").unwrap();
        assert!(!known_at(pids, 252));
        assert!(known_at(pids, 257));
        assert_eq!(key_since("Service", "ExitType"), Some(250));
        assert_eq!(key_since("Service", "ProtectClock"), Some(245));
        // PrivateTmp reads more values from 257 on: 257's enumeration judges them there.
        let tmp = key("Service", "PrivateTmp").unwrap();
        assert_eq!(parser_for(tmp, 252), Some("config_parse_bool"));
        assert_eq!(parser_for(tmp, 257), Some("config_parse_private_tmp"));
        assert!(enum_for("config_parse_private_tmp", 257).unwrap().values.contains(&"disconnected"));
        // Renamed in 257, same grammar: judged as 252's.
        let apivfs = key("Service", "MountAPIVFS").unwrap();
        assert_eq!(parser_for(apivfs, 257), Some("config_parse_exec_mount_apivfs"));
        let mounts = key("Service", "PrivateMounts").unwrap();
        assert_eq!(parser_for(mounts, 252), Some("config_parse_bool"));
        assert_eq!(parser_for(mounts, 257), Some("config_parse_exec_mount_apivfs"));
    }

    #[test]
    fn releases_after_257_add_and_drop_keys() {
        // New in 258 (NEWS), read by 262.
        let bpf = key("Service", "PrivateBPF").unwrap();
        assert_eq!(key_since("Service", "PrivateBPF"), Some(258));
        assert!(!known_at(bpf, 257));
        assert!(known_at(bpf, 262));
        // cgroup v1 settings: read by 257, ignored with a warning by 262.
        let shares = key("Service", "CPUShares").unwrap();
        assert!(known_at(shares, 257));
        assert_eq!(removed_at(shares, 257), None);
        assert!(!known_at(shares, 262));
        assert_eq!(removed_at(shares, 262), Some(262));
        // ProtectHostname= became an enumeration: 252's boolean check does not apply in 262.
        let host = key("Service", "ProtectHostname").unwrap();
        assert_eq!(parser_for(host, 257), Some("config_parse_bool"));
        assert_eq!(parser_for(host, 262), None);
        // Values 262 added to an enumeration 252 knows.
        let users = enum_for("config_parse_private_users", 262);
        assert!(users.is_none(), "252 reads PrivateUsers= as a boolean, not this enumeration");
        let job = enum_for("config_parse_job_mode", 262).unwrap();
        assert!(job.values.contains(&"lenient"));
        assert!(!enum_for("config_parse_job_mode", 257).unwrap().values.contains(&"lenient"));
    }

    /// The directive table (what the planner gates on) and the tables generated from each
    /// release agree: a directive newer than 252 arrived when the release tables say, and a
    /// value it dates to 257 or 262 is one of that release's values.
    #[test]
    fn directive_versions_agree_with_the_release_tables() {
        let t = tables();
        for d in directives::DIRECTIVES {
            let Some(info) = key(d.section, d.key) else { continue };
            if let Some(since) = info.since_after_252 {
                assert_eq!(since, d.since, "{}", d.key);
            }
            assert!(known_at(info, d.since.max(REFERENCE_VERSION)), "{} unknown at {}", d.key, d.since);
            for (value, since) in d.value_since.iter().filter(|(_, s)| *s > REFERENCE_VERSION) {
                // Checked against the first release with a table that is not older than the value.
                let (parser, enums) = match *since > 257 {
                    true => (info.parser_262, &t.enums_262),
                    false => (info.parser_257, &t.enums_257),
                };
                if let Some(e) = parser.and_then(|p| enums.get(p)) {
                    assert!(e.values.contains(value), "{}={value} is not a value of systemd {since}", d.key);
                }
            }
        }
    }

    #[test]
    fn hand_kept_versions_agree_with_the_directive_table() {
        for d in directives::DIRECTIVES {
            if let Some(v) = tables().versions.get(d.key) {
                assert_eq!(*v, d.since, "{}", d.key);
            }
        }
    }
}
