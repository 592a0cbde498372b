//! The value written for a directive the planner keeps, one function per [`Shape`] of the
//! directive table: the policy's value as it is, or adapted to what the unit shows it needs.
//! `Err` leaves the directive out, with the reason.

use super::{Added, Seen};
use crate::directives::{
    syscall_group_breaks, Directive, FloorCapability, Need, Shape, CAPABILITY_FLOOR, DENIED_ONLY_WITH_EVIDENCE,
};
use crate::score::release::Release;
use crate::score::syscalls::{SyscallFilter, SyscallTable};

/// The value to write and a note on how it was shaped.
pub(super) type Shaped = Result<(String, Option<String>), String>;

/// `added`: what the plan adds before this directive.
pub(super) fn shape(directive: &Directive, value: &str, seen: &Seen, added: &[Added]) -> Shaped {
    match directive.shape {
        Shape::AsGiven => as_given(directive, value, seen),
        Shape::SyscallFilter if super::own_filter::sets_own(seen, directive.key) => {
            super::own_filter::narrow(directive, value, seen)
        }
        Shape::SyscallFilter => syscall_filter(directive, value, seen),
        Shape::AddressFamilies { kept_for } => address_families(directive, value, kept_for, seen),
        Shape::DerivedWhenAuto if value == "auto" => derived(directive, seen, added),
        Shape::DerivedWhenAuto => as_given(directive, value, seen),
    }
}

/// An `auto` value: for CapabilityBoundingSet=, where the unit shows that no process under
/// it can hold a capability but those AmbientCapabilities= grants, those (empty without
/// any); else what the complete evidence derives.
fn derived(directive: &Directive, seen: &Seen, added: &[Added]) -> Shaped {
    let bounded = (directive.key == "CapabilityBoundingSet").then(|| seen.facts.bounded_start_capabilities()).flatten();
    if let (Some((caps, why)), Some(nnp)) = (bounded, super::no_new_privileges(added, seen.facts)) {
        let note = match caps.join(" ") {
            none if none.is_empty() => format!("{why}, and {nnp}: no process can hold a capability"),
            caps => format!("{why}, and {nnp}: no process can hold a capability but {caps}"),
        };
        return Ok((caps.join(" "), Some(note)));
    }
    match seen.derived(directive.key) {
        Some((v, why)) => Ok((v.clone(), Some(format!("from the programs: {why}")))),
        None if directive.key == "CapabilityBoundingSet" => capability_floor(seen, added),
        None => Err(NOT_DERIVED.into()),
    }
}

const NOT_DERIVED: &str = "derived from the program's evidence, which is missing or incomplete";

/// Without a derived set, `~` the capabilities of [`CAPABILITY_FLOOR`] whose every use the
/// directives added before it refuse, each with why.
fn capability_floor(seen: &Seen, added: &[Added]) -> Shaped {
    if !seen.facts.ambient_capabilities.is_empty() {
        let v = seen.facts.ambient_capabilities.join(" ");
        return Err(format!("{NOT_DERIVED}; the unit sets AmbientCapabilities={v}"));
    }
    let lines = added.iter().filter(|a| a.directive == "SystemCallFilter").map(|a| a.value.as_str());
    let filter = read_filter(seen.systemd_version, lines);
    let mut dropped = Vec::new();
    let mut whys = Vec::new();
    for floor in CAPABILITY_FLOOR {
        if floor_holds(floor, &filter, seen, added) {
            dropped.push(floor.capability);
            whys.push(format!("dropped {}: {}", floor.capability, floor.why));
        }
    }
    if dropped.is_empty() {
        return Err(NOT_DERIVED.into());
    }
    let note = format!(
        "the evidence derives no set ({NOT_DERIVED}), so only what the directives above make unusable: {}",
        whys.join("; ")
    );
    Ok((format!("~{}", dropped.join(" ")), Some(note)))
}

/// SystemCallFilter= `lines`, in order, as systemd `version` reads them.
pub(super) fn read_filter<'a>(
    version: u32,
    lines: impl IntoIterator<Item = &'a str>,
) -> (SyscallFilter, &'static SyscallTable) {
    let table = SyscallTable::of(Release::of(version));
    let mut filter = SyscallFilter::default();
    for line in lines {
        filter.apply(table, line);
    }
    (filter, table)
}

/// Whether `filter` refuses the system call `name`.
pub(super) fn refuses(filter: &SyscallFilter, name: &str) -> bool {
    filter.entries.is_some() && filter.allow_list != filter.sees(name)
}

fn floor_holds(floor: &FloorCapability, filter: &(SyscallFilter, &SyscallTable), seen: &Seen, added: &[Added]) -> bool {
    // A path a file names (`/proc/%d/status`) is a /proc read, which ProtectProc= governs;
    // only an import (process_vm_readv, kcmp...) is a use the drop-in leaves open.
    let imported = |whys: &Vec<String>| whys.iter().any(|w| !w.contains(" names "));
    let hinted = seen.evidence.is_some_and(|e| floor.kept_for.iter().any(|n| e.hints.get(n).is_some_and(imported)));
    floor.refused_calls.iter().all(|c| refuses(&filter.0, c))
        && floor.added.iter().all(|(k, v)| added.iter().any(|a| a.directive == *k && a.value == *v))
        && seen.first_need(floor.kept_for).is_none()
        && !hinted
}

/// Beside an allow list, the groups of the parent profile's deny list (`fallbacks`) that the
/// unit lets it deny and that the allow list admits a call of: a profile with an allow list
/// then refuses everything its parent's deny list refuses (`@system-service` holds @chown,
/// @setuid and capset(2) of @privileged, and @resources).
pub(super) fn deny_beside_allow_list(
    directive: &Directive,
    value: &str,
    fallbacks: &[(String, String)],
    seen: &Seen,
) -> Option<(String, String)> {
    if directive.shape != Shape::SyscallFilter || value.starts_with('~') {
        return None;
    }
    let allowed = read_filter(seen.systemd_version, [value]);
    for (fallback, profile) in fallbacks.iter().filter(|(v, _)| v.starts_with('~')) {
        let Ok((kept, _)) = syscall_filter(directive, fallback, seen) else { continue };
        let admitted: Vec<&str> = kept
            .trim_start_matches('~')
            .split_whitespace()
            .filter(|g| allowed.1.first_offender(g, &|n| allowed.0.sees(n)).is_some())
            .collect();
        if !admitted.is_empty() {
            let why = format!("the {profile} profile denies them, and {value} allows some of their calls");
            return Some((format!("~{}", admitted.join(" ")), why));
        }
    }
    None
}

fn blocked_by(needs: &[Need], seen: &Seen) -> Result<(), String> {
    match seen.first_need(needs) {
        Some((need, why)) => Err(format!("{} ({why})", need.describe())),
        None => Ok(()),
    }
}

/// Written as the policy gives it, unless the unit needs what it takes away.
fn as_given(directive: &Directive, value: &str, seen: &Seen) -> Shaped {
    blocked_by(directive.breaks, seen)?;
    blocked_by(directive.breaks_of_value(value), seen)?;
    Ok((value.to_owned(), None))
}

/// A deny list loses the groups the unit needs; an allow list is all or nothing.
pub(super) fn syscall_filter(directive: &Directive, value: &str, seen: &Seen) -> Shaped {
    let Some(list) = value.strip_prefix('~') else {
        let since = directive.since_for("@system-service");
        if seen.systemd_version < since {
            return Err(format!(
                "an allow list needs @system-service (systemd {since}); the target is {}",
                seen.systemd_version
            ));
        }
        // The allow list leaves out @mount, which holds chroot(2): a program that imports
        // it (a hint, too weak to veto the baseline's deny list) keeps the allow list off.
        if let Some(why) = hinted(syscall_group_breaks("@mount"), seen) {
            return Err(format!("{why}: the allow list leaves out @mount"));
        }
        return as_given(directive, value, seen);
    };
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    let mut evidenced = Vec::new();
    for group in list.split_whitespace() {
        let breaks = syscall_group_breaks(group);
        let only_with_evidence = DENIED_ONLY_WITH_EVIDENCE.iter().find(|(g, _)| *g == group);
        if let Some(need) = breaks.iter().find(|n| seen.needs.contains_key(n)) {
            dropped.push(format!("{group} ({})", need.describe()));
        } else if let Some((_, why)) = only_with_evidence.filter(|_| !ruled_out_by_evidence(breaks, seen)) {
            // Complete evidence names the import that keeps the group; else the group's reason.
            let shown = seen.evidence_complete().then(|| hinted(breaks, seen)).flatten();
            dropped.push(format!("{group} ({})", shown.as_deref().unwrap_or(why)));
        } else {
            if only_with_evidence.is_some() {
                evidenced.push(group);
            }
            kept.push(group);
        }
    }
    if kept.is_empty() {
        return Err(format!("every group is needed: {}", dropped.join(", ")));
    }
    let mut notes = Vec::new();
    if !evidenced.is_empty() {
        notes.push(format!("denied {}: every program was read and none imports a call of them", evidenced.join(", ")));
    }
    if !dropped.is_empty() {
        notes.push(format!("left out {}", dropped.join(", ")));
    }
    Ok((format!("~{}", kept.join(" ")), (!notes.is_empty()).then(|| notes.join("; "))))
}

/// The first of `needs` a program hints at, and why.
fn hinted(needs: &[Need], seen: &Seen) -> Option<String> {
    needs.iter().find_map(|n| filter_hint(n, seen).map(|w| format!("{} ({})", n.describe(), w[0])))
}

/// Every program was read and none hints at any of these needs.
fn ruled_out_by_evidence(needs: &[Need], seen: &Seen) -> bool {
    seen.evidence_complete() && needs.iter().all(|n| filter_hint(n, seen).is_none())
}

/// What the programs hint at of `need` that counts for a system call filter: their hints,
/// and, where a call the filter refuses kills the service, those of calls whose failure the
/// program handles (an errno takes the path it handles; a kill leaves none).
fn filter_hint<'a>(need: &Need, seen: &'a Seen) -> Option<&'a Vec<String>> {
    let evidence = seen.evidence?;
    let handled = || evidence.hints_if_filter_kills.get(need).filter(|_| refused_calls_kill(seen));
    evidence.hints.get(need).or_else(handled)
}

/// Whether a call the written filter refuses kills the service: the unit sets
/// SystemCallErrorNumber=kill (or empties it, which means the same); or sets
/// SystemCallFilter= itself without SystemCallErrorNumber= (the plan pairs an errno only with
/// a filter the unit does not set: `super::pair`); or the policy gives the filter no errno,
/// or `kill`.
fn refused_calls_kill(seen: &Seen) -> bool {
    let kills = |v: &str| matches!(v.trim(), "" | "kill");
    match super::setting_of(seen.base, "SystemCallErrorNumber", seen.systemd_version) {
        Some(v) => kills(&v),
        None if super::setting_of(seen.base, "SystemCallFilter", seen.systemd_version).is_some() => true,
        None => seen.filter_errno.is_none_or(kills),
    }
}

/// The evidence's families when it derived some; else the policy's, with a family kept for
/// each need that asks for one.
fn address_families(directive: &Directive, value: &str, kept_for: &[(Need, &str)], seen: &Seen) -> Shaped {
    if let Some((v, why)) = seen.derived(directive.key).filter(|(v, _)| !v.is_empty()) {
        return Ok((v.clone(), Some(format!("from the programs: {why}"))));
    }
    let blocking: Vec<Need> =
        directive.breaks.iter().copied().filter(|n| kept_for.iter().all(|(k, _)| k != n)).collect();
    blocked_by(&blocking, seen)?;
    let mut families = value.to_owned();
    let mut notes = Vec::new();
    for (need, family) in kept_for {
        if let Some((_, why)) = seen.first_need(&[*need]) {
            if !families.split_whitespace().any(|f| f == *family) {
                families = format!("{families} {family}");
                notes.push(format!("kept {family}: {why}"));
            }
        }
    }
    Ok((families, (!notes.is_empty()).then(|| notes.join("; "))))
}
