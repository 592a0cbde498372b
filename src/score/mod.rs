//! The exposure score of `systemd-analyze security --offline=true` of systemd 252, 257 and
//! 262 (other releases: the nearest older one's, see [`release`]): the same overall value,
//! the same rows with the same badness, descriptions and order.
//!
//! [`assess`] reads nothing but the unit's name and its assignments, so the planner can
//! score a unit with planned assignments appended. The facts come from [`context`] (each
//! key parsed as systemd parses it), the rows from [`assessors`] (systemd's assessor table),
//! and the order from [`order`].

mod assessors;
pub(crate) mod context;
pub(crate) mod names;
mod order;
pub mod release;
pub(crate) mod specifiers;
pub mod syscalls;
mod table;
pub(crate) mod values;

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use crate::unit::{Assignment, LoadedUnit};
use context::AssignmentRef;

pub use release::{approximation_note, Release, DEFAULT_RELEASE};
pub use specifiers::TEMPLATE_INSTANCE;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// systemd's key for the row in `--json` output and security policies.
    pub json_field: &'static str,
    /// The name shown, e.g. `PrivateTmp=` or `CapabilityBoundingSet=~CAP_SYS_ADMIN`.
    pub setting: &'static str,
    /// The text shown; empty where systemd shows none (a partly bad row without its own text).
    /// Borrowed from the table where the text is fixed: a score makes no string per row.
    pub description: Cow<'static, str>,
    pub weight: u32,
    pub range: u32,
    /// 0..=range, or None when the row does not apply (N/A).
    pub badness: Option<u32>,
}

impl Row {
    /// The mark systemd prints in front: ✓ good, ✗ bad, blank for N/A.
    pub fn mark(&self) -> &'static str {
        match self.badness {
            None => " ",
            Some(0) => "✓",
            Some(_) => "✗",
        }
    }
}

/// A unit's score: every row, and the overall exposure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The unit as systemd names it (a template `foo@.service` becomes `foo@i.service`).
    pub unit: String,
    /// All 81 rows in the fixed order of systemd's assessor table, the same for every unit
    /// (so two assessments can be compared row by row); [`Assessment::displayed`] gives the
    /// order systemd prints them in.
    pub rows: Vec<Row>,
    /// 0..=100, in tenths: 96 is shown as 9.6.
    pub exposure: u32,
    /// Sum of the weights of the rows that apply.
    pub weight_sum: u32,
    /// Set when systemd would refuse to load the unit and print no score.
    pub refusal: Option<Refusal>,
    /// The release whose systemd-analyze the score follows (see [`Release::of`]).
    pub release: u32,
}

/// Why systemd would not load the unit (and so prints no score for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub file: PathBuf,
    /// 1-based; 0 when the refusal is about the unit as a whole.
    pub line: usize,
    pub message: String,
}

impl Refusal {
    /// The refusal as reports word it: the line, when there is one, and the message.
    pub fn text(&self) -> String {
        match self.line {
            0 => self.message.clone(),
            n => format!("line {n}: {}", self.message),
        }
    }
}

/// Why systemd `version` would refuse to load this unit (so that systemd-analyze prints no score
/// and the manager would not start it): a service with nothing to run, a fatal setting in
/// the unit file (an invalid User=, a relative RootDirectory=...), a socket without
/// Listen*=, and the other load checks the assessment follows.
pub fn refused_by_systemd(version: u32, unit: &LoadedUnit) -> Option<String> {
    assess_loaded(version, unit, &[]).refusal.as_ref().map(Refusal::text)
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.as_os_str().is_empty(), self.line) {
            (true, _) => write!(f, "{}", self.message),
            (false, 0) => write!(f, "{}: {}", self.file.display(), self.message),
            (false, l) => write!(f, "{}:{}: {}", self.file.display(), l, self.message),
        }
    }
}

impl std::error::Error for Refusal {}

/// Labels by lowest exposure, first match wins, with systemd's smileys (emoji, and the
/// ASCII ones it prints where emoji are off).
const LABELS: [(u32, &str, &str, &str); 7] = [
    (100, "DANGEROUS", "🤢", ":-["),
    (90, "UNSAFE", "😨", ":-{"),
    (75, "EXPOSED", "🙁", ":-("),
    (50, "MEDIUM", "😐", ":-|"),
    (10, "OK", "🙂", ":-)"),
    (1, "SAFE", "😀", ":-}"),
    (0, "PERFECT", "😇", ":-]"),
];

/// `96` → `"9.6"`.
pub fn tenths(x: u32) -> String {
    format!("{}.{}", x / 10, x % 10)
}

fn div_round_up(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

fn label_entry(exposure: u32) -> &'static (u32, &'static str, &'static str, &'static str) {
    LABELS.iter().find(|(min, ..)| exposure >= *min).unwrap_or(&LABELS[6])
}

impl Assessment {
    /// DANGEROUS, UNSAFE, EXPOSED, MEDIUM, OK, SAFE or PERFECT.
    pub fn label(&self) -> &'static str {
        label_entry(self.exposure).1
    }

    /// The smiley after the label, as an emoji.
    pub fn smiley(&self) -> &'static str {
        label_entry(self.exposure).2
    }

    /// The smiley where systemd does not print emoji (no UTF-8 locale, TERM unset or dumb).
    pub fn smiley_ascii(&self) -> &'static str {
        label_entry(self.exposure).3
    }

    /// The rows in the order systemd-analyze prints them.
    pub fn displayed(&self) -> Vec<&Row> {
        let empty_first = Release::of(self.release).empty_description_first;
        let order = order::remembered(&self.rows, empty_first, || {
            let mut keys = vec![order::SortKey { index: 0, description: Some("DESCRIPTION"), name: "NAME" }];
            keys.extend(self.rows.iter().enumerate().map(|(i, r)| order::SortKey {
                index: i + 1,
                description: (!r.description.is_empty()).then_some(&*r.description),
                name: r.setting,
            }));
            order::display_order(&keys, empty_first)
        });
        order.iter().filter(|i| **i > 0).map(|i| &self.rows[i - 1]).collect()
    }

    /// `"9.6"`.
    pub fn exposure_text(&self) -> String {
        tenths(self.exposure)
    }

    /// The row's EXPOSURE column in tenths: None when the row is good or N/A.
    pub fn row_exposure(&self, row: &Row) -> Option<u32> {
        let b = row.badness.filter(|b| *b > 0)?;
        let x = div_round_up(u64::from(b) * u64::from(row.weight) * 100, u64::from(row.range));
        Some(div_round_up(x, u64::from(self.weight_sum)) as u32)
    }

    pub fn row(&self, json_field: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.json_field == json_field)
    }
}

/// Scores a unit, as systemd `version`'s systemd-analyze does, from its name (`foo.service`, `foo@.service`, `foo@bar.socket`; a bare
/// type such as `service` stands for an unnamed unit of that type, whose specifiers then
/// expand without a name or instance) and every assignment of its file and drop-ins in the
/// order systemd applies them, planned ones appended. The first assignment's file is taken
/// as the unit file; assignments without a file count as a drop-in.
///
/// When systemd would refuse to load the unit, `refusal` says why; systemd-analyze then
/// prints no score at all, and the one computed here (without the refused setting) is only
/// a best effort.
pub fn assess(version: u32, unit: &str, assignments: &[Assignment]) -> Assessment {
    let fragment = assignments.first().map(|a| a.file.to_string_lossy().into_owned()).filter(|f| !f.is_empty());
    let release = Release::of(version);
    let all: Vec<AssignmentRef> = assignments.iter().map(AssignmentRef::from).collect();
    assess_ident(release, specifiers::UnitIdent::new(unit, fragment, release.template_instance), &all)
}

/// Scores a loaded unit as systemd `version` does, with `planned` assignments applied after
/// its own.
pub fn assess_loaded(version: u32, unit: &LoadedUnit, planned: &[Assignment]) -> Assessment {
    let own = crate::unit::entries_of(&unit.fragments).map(|(f, e)| AssignmentRef {
        section: &e.section,
        key: &e.key,
        value: &e.value,
        file: &f.path,
        line: e.line,
    });
    let all: Vec<AssignmentRef> = own.chain(planned.iter().map(AssignmentRef::from)).collect();
    let fragment = Some(unit.path().to_string_lossy().into_owned());
    let release = Release::of(version);
    assess_ident(release, specifiers::UnitIdent::new(unit.name.as_str(), fragment, release.template_instance), &all)
}

/// DANGEROUS, UNSAFE, EXPOSED, MEDIUM, OK, SAFE or PERFECT for an exposure in tenths.
pub fn label(exposure: u32) -> &'static str {
    label_entry(exposure).1
}

fn assess_ident(release: &'static Release, ident: specifiers::UnitIdent, assignments: &[AssignmentRef]) -> Assessment {
    let unit = ident.id.clone();
    let (info, refusal) = context::build(ident, assignments, release);
    let verdicts: Vec<_> = table::ASSESSORS.iter().map(|a| (a, a.assess(&info))).collect();
    let mut badness_sum = 0u64;
    let mut weight_sum = 0u64;
    for (a, v) in &verdicts {
        if let Some(b) = v.badness {
            badness_sum += div_round_up(u64::from(b) * u64::from(a.weight), u64::from(a.range));
            weight_sum += u64::from(a.weight);
        }
    }
    let rows = verdicts
        .into_iter()
        .map(|(a, v)| {
            let standard = match v.badness {
                None => a.na,
                Some(b) if b == a.range => a.bad,
                Some(0) => a.good,
                Some(_) => None,
            };
            Row {
                json_field: a.json_field,
                setting: a.name,
                description: v.description.or(standard.map(Cow::Borrowed)).unwrap_or_default(),
                weight: a.weight,
                range: a.range,
                badness: v.badness,
            }
        })
        .collect();
    let exposure = div_round_up(badness_sum * 100, weight_sum.max(1)) as u32;
    Assessment { unit, rows, exposure, weight_sum: weight_sum as u32, refusal, release: release.version }
}

#[cfg(test)]
mod tests;
