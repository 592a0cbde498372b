//! SystemCallFilter= for a unit that sets its own: one `~` line of the policy's deny groups
//! after the unit's lines ([`Flag::NarrowsUnitsOwn`](crate::directives::Flag)). Such a line
//! only takes calls away, whatever the unit's mode, so the unit's own filter stays in force;
//! a line without `~` could give calls back and is never written over it.
//!
//! Of the policy's groups the line holds those the evidence lets the planner deny for a unit
//! without a filter (the same needs and complete-evidence gates), less the ones the unit's
//! filter already denies (the line would change nothing), the ones holding a call its own
//! lines allow by name (a need its maintainer declared) and the ones holding a call it gives
//! an errno of its own (naming the call again would reset that errno).
//!
//! SystemCallErrorNumber= is left as the unit has it. It is the action of the whole filter,
//! the unit's own lines included: EPERM would turn the kill its maintainer chose (or left as
//! systemd's default) into an error the service may carry on after. A per-call `:EPERM` on
//! the added groups would do the same to every call of theirs the unit already denies
//! (seccomp_parse_syscall_filter() updates the errno of a call the filter holds), and
//! @privileged holds @clock, @module, @reboot and @swap, which units often deny themselves.
//! So a call the added line denies fails the way the unit's own denied calls fail.

use super::shape::{read_filter, refuses, syscall_filter, Shaped};
use super::Seen;
use crate::directives::{Directive, GENERIC_ALLOWED_SYSCALL_GROUPS};
use crate::grammar::{extract_words, WordFlags};
use crate::policy::Mode;
use crate::score::syscalls::{SyscallFilter, SyscallTable};
use crate::unit::Assignment;

/// The unit's SystemCallFilter= lines in force: those after its last empty assignment, which
/// resets the filter. None when it has none, or when its last one is a reset.
fn own_lines<'a>(seen: &Seen<'a>, key: &str) -> Option<Vec<&'a Assignment>> {
    let all: Vec<&Assignment> = seen
        .base
        .iter()
        .filter(|a| {
            a.section == "Service"
                && a.key == key
                && !crate::lint::is_ignored_by(&a.section, &a.key, &a.value, seen.systemd_version)
        })
        .collect();
    let after_reset = all.iter().rposition(|a| a.value.trim().is_empty()).map_or(0, |i| i + 1);
    let lines = all[after_reset..].to_vec();
    (!lines.is_empty()).then_some(lines)
}

/// Whether the unit sets `key` with lines in force, which the planner narrows.
pub(super) fn sets_own(seen: &Seen, key: &str) -> bool {
    own_lines(seen, key).is_some()
}

fn shown(lines: &[&Assignment]) -> String {
    let each: Vec<String> = lines.iter().map(|a| format!("{}={}", a.key, a.value)).collect();
    each.join(", ")
}

/// systemd reads the unit's files and then hardenunit's output: a line the unit has in a
/// drop-in that sorts after hardenunit's (or, in place, in any drop-in) would come after the
/// added one and could fix the mode the other way round. Where one does, the reason.
fn comes_after_output(seen: &Seen, lines: &[&Assignment]) -> Option<String> {
    let main = seen.unit.path();
    let late = lines.iter().find(|a| {
        a.file != main
            && match seen.policy.mode {
                Mode::InPlace => true,
                Mode::DropIn => {
                    a.file.file_name().is_none_or(|n| n.to_string_lossy().as_ref() >= seen.policy.dropin.as_str())
                }
            }
    })?;
    Some(format!(
        "{} sets {}={}, which systemd reads after the line hardenunit would add",
        late.file.display(),
        late.key,
        late.value
    ))
}

/// The names the unit's lines allow by name: every word of a line without `~`, except the
/// generic groups.
fn explicitly_allowed(lines: &[&Assignment]) -> Vec<String> {
    let mut names = Vec::new();
    for a in lines.iter().filter(|a| !a.value.trim_start().starts_with('~')) {
        for word in extract_words(&a.value, WordFlags::NONE) {
            let name = word.split_once(':').map_or(word.as_str(), |(n, _)| n);
            if !name.is_empty() && !GENERIC_ALLOWED_SYSCALL_GROUPS.contains(&name) && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The first of `names` (calls or @groups) that `group` holds a call of, with the call.
fn holds_one_of<'n>(table: &SyscallTable, group: &str, names: &'n [String]) -> Option<(&'n str, String)> {
    names.iter().find_map(|name| {
        let named = |call: &str| match name.starts_with('@') {
            true => table.first_offender(name, &|c| c == call).is_some(),
            false => call == name,
        };
        table.first_offender(group, &named).map(|call| (name.as_str(), call.to_owned()))
    })
}

/// What the unit's filter does to a call it denies, in words.
fn action_of(seen: &Seen) -> String {
    match super::setting_of(seen.base, "SystemCallErrorNumber", seen.systemd_version) {
        Some(v) if !v.is_empty() && v != "kill" => format!("fails with {v} (the unit's)"),
        Some(v) if v == "kill" => "kills the service (the unit's SystemCallErrorNumber=kill)".into(),
        _ => "kills the service (systemd's default: the unit sets none)".into(),
    }
}

/// The `~` line to add after the unit's own SystemCallFilter= lines, and why; `Err` when none
/// is added, with the reason.
pub(super) fn narrow(directive: &Directive, value: &str, seen: &Seen) -> Shaped {
    let key = directive.key;
    let lines = own_lines(seen, key).ok_or_else(|| format!("the unit sets no {key}="))?;
    if !value.starts_with('~') {
        return Err(format!("written after the unit's own {key}=, it would allow calls they deny"));
    }
    let own = format!("the unit already sets {}", shown(&lines));
    if let Some(why) = comes_after_output(seen, &lines) {
        return Err(format!("{own}; {why}"));
    }
    let (filter, table) = read_filter(seen.systemd_version, lines.iter().map(|a| a.value.as_str()));
    let (denied, open): (Vec<&str>, Vec<&str>) = value
        .trim_start_matches('~')
        .split_whitespace()
        .partition(|group| table.first_offender(group, &|c| !refuses(&filter, c)).is_none());
    let allowed = explicitly_allowed(&lines);
    let mut declared = Vec::new();
    let mut candidates = Vec::new();
    for group in open {
        if let Some((name, call)) = holds_one_of(table, group, &allowed) {
            declared.push(format!("{group} (holds {call}, which the unit allows: {name})"));
        } else if let Some(call) = table.first_offender(group, &|c| has_own_errno(&filter, c)) {
            declared.push(format!("{group} (holds {call}, to which the unit gives an errno of its own)"));
        } else {
            candidates.push(group);
        }
    }
    let mut notes = Vec::new();
    if !denied.is_empty() {
        notes.push(format!("it already denies {}", denied.join(", ")));
    }
    if !declared.is_empty() {
        notes.push(format!("left out {}", declared.join(", ")));
    }
    if candidates.is_empty() {
        return Err(format!("{own}; {}", notes.join("; ")));
    }
    // What the evidence lets the planner deny for a unit without a filter of its own.
    let kept = match syscall_filter(directive, &format!("~{}", candidates.join(" ")), seen) {
        Ok((kept, evidence_note)) => {
            notes.extend(evidence_note);
            kept
        }
        Err(why) if notes.is_empty() => return Err(format!("{own}; {why}")),
        Err(why) => return Err(format!("{own}; {}; of the others, {why}", notes.join("; "))),
    };
    notes.insert(
        0,
        format!(
            "{own}, which stays in force: a ~ line after it only takes calls away; SystemCallErrorNumber= is left as the unit has it, so a call this line denies {}",
            action_of(seen)
        ),
    );
    Ok((kept, Some(notes.join("; "))))
}

/// Whether the unit's filter gives `call` an errno of its own (`call:EACCES`).
fn has_own_errno(filter: &SyscallFilter, call: &str) -> bool {
    filter.entries.as_ref().is_some_and(|e| e.get(call).is_some_and(|errno| *errno >= 0))
}
