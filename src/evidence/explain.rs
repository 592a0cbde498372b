//! The evidence as `hardenunit explain UNIT` prints it: what was read, what it means for
//! each directive, and what could not be read.

use std::fmt::Write;

use super::{derive, Evidence, ProgramKind};
use crate::directives::kept_off_by;

/// [`explain_planned`] where no_new_privs holds only if the unit itself makes it hold.
pub fn explain_text(evidence: &Evidence) -> String {
    explain_planned(evidence, evidence.facts.unit.no_new_privileges())
}

/// `no_new_privileges`: why no_new_privs holds for the service under the plan, if it does.
pub fn explain_planned(evidence: &Evidence, no_new_privileges: Option<&str>) -> String {
    let mut out = String::new();
    let state = if evidence.complete { "complete" } else { "incomplete" };
    let _ = writeln!(out, "{}: evidence from its files is {state}", evidence.unit);
    out.push_str("\nPrograms:\n");
    if evidence.programs.is_empty() {
        out.push_str("  (none: the unit runs no program)\n");
    }
    for p in &evidence.programs {
        let kind = match &p.kind {
            ProgramKind::Elf { linking } => format!(
                "ELF, {}ly linked",
                serde_json::to_value(linking).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            ),
            ProgramKind::Script { interpreter } => format!("script run by {interpreter}"),
            ProgramKind::Shell => "shell".into(),
            ProgramKind::Missing => "not found in the root".into(),
            ProgramKind::Other => "not a program hardenunit can read".into(),
        };
        let at = match &p.found {
            Some(f) if *f != p.path => format!(" (at {f})"),
            _ => String::new(),
        };
        let setuid = if p.setuid { ", set-uid/set-gid" } else { "" };
        let _ = writeln!(out, "  {}{at} [{}]: {kind}{setuid}", p.path, p.reached_by);
        if !p.needed.is_empty() {
            let _ = writeln!(out, "    links: {}", p.needed.join(" "));
        }
        let in_root: Vec<String> =
            p.libraries.iter().filter_map(|l| l.path.as_ref().map(|path| format!("{} ({path})", l.soname))).collect();
        if !in_root.is_empty() {
            let _ = writeln!(out, "    libraries read in the root: {}", in_root.join(", "));
        }
        if !p.plugins.is_empty() {
            let _ = writeln!(out, "    plugins (loaded with dlopen) read from the directories its strings name: {}; a plugin its configuration loads from elsewhere is not read", p.plugins.join(", "));
        }
        if matches!(p.kind, ProgramKind::Elf { .. }) {
            let _ = writeln!(out, "    {} imported functions", p.imports.len());
        }
        if let Some(note) = &p.note {
            let _ = writeln!(out, "    {note}");
        }
    }
    out.push_str("\nNeeds (what keeps a directive off):\n");
    if evidence.needs.is_empty() {
        out.push_str("  none found\n");
    }
    for (need, why) in &evidence.needs {
        let keeps_off = kept_off_by(*need);
        let _ = writeln!(out, "  {} ({}); keeps off: {}", need.describe(), kebab(need), keeps_off.join(" "));
        for w in why {
            let _ = writeln!(out, "    - {w}");
        }
    }
    for (title, map) in [("Capabilities used", &evidence.capabilities), ("Address families used", &evidence.families)] {
        let _ = writeln!(out, "\n{title}:");
        if map.is_empty() {
            out.push_str("  none found\n");
        }
        for (name, why) in map {
            let _ = writeln!(out, "  {name}");
            for w in why {
                let _ = writeln!(out, "    - {w}");
            }
        }
    }
    if !evidence.missing.is_empty() {
        out.push_str("\nNot read (the evidence is incomplete):\n");
        for m in &evidence.missing {
            let _ = writeln!(out, "  - {m}");
        }
    }
    admin_files(evidence, &mut out);
    let unit_bound = unit_bound(evidence, no_new_privileges, &mut out);
    match derive(evidence) {
        Some(d) => {
            // Every profile writes these: CapabilityBoundingSet=auto, and the families in place
            // of the policy's list (plan::shape, derived and address_families).
            out.push_str("\nDerived from the evidence (CapabilityBoundingSet=auto writes it; RestrictAddressFamilies= replaces the policy's list):\n");
            for (key, v) in [
                ("CapabilityBoundingSet", &d.capability_bounding_set),
                ("RestrictAddressFamilies", &d.restrict_address_families),
            ] {
                let _ = writeln!(out, "  {key}={}", v.value);
                for r in &v.reasons {
                    let _ = writeln!(out, "    - {r}");
                }
                if key == "CapabilityBoundingSet" && unit_bound {
                    out.push_str("    - not what `auto` writes: the bound from the unit alone (above) comes first\n");
                }
            }
        }
        None if unit_bound => out.push_str(
            "\nNo RestrictAddressFamilies= derived, and no CapabilityBoundingSet= from the programs: evidence incomplete.\n",
        ),
        None => out.push_str("\nNo CapabilityBoundingSet= or RestrictAddressFamilies= derived: evidence incomplete.\n"),
    }
    out
}

/// The files scripts source that were taken as the administrator's configuration, which
/// the evidence counts as read (shell.rs, `read_sourced`), and what that leaves unknown.
fn admin_files(evidence: &Evidence, out: &mut String) {
    if evidence.admin_files.is_empty() {
        return;
    }
    out.push_str(
        "\nTaken as the administrator's configuration (sourced only when present; no package in the root ships it):\n",
    );
    for (script, files) in &evidence.admin_files {
        for f in files {
            let before = match f.unknown.join(", ") {
                none if none.is_empty() => String::new(),
                names => format!("{names} (assigned before it) and "),
            };
            let _ = writeln!(
                out,
                "  {} (sourced by {script}): it may set any variable, so unknown from there on: {before}every variable the script does not assign after it; what else it runs is the administrator's own, not read",
                f.file
            );
        }
    }
}

/// The CapabilityBoundingSet= the unit alone bounds (UnitFacts::bounded_start_capabilities),
/// which `auto` writes whatever the programs show; whether it holds.
fn unit_bound(evidence: &Evidence, no_new_privileges: Option<&str>, out: &mut String) -> bool {
    let Some((caps, why)) = evidence.facts.unit.bounded_start_capabilities() else { return false };
    let Some(nnp) = no_new_privileges else {
        let _ = writeln!(
            out,
            "\nNo CapabilityBoundingSet= from the unit alone: {why}, but NoNewPrivileges= is neither set nor added, so a set-uid or file-capability program could gain a capability."
        );
        return false;
    };
    let value = match caps.join(" ") {
        none if none.is_empty() => "CapabilityBoundingSet= (empty: no capability)".to_owned(),
        caps => format!("CapabilityBoundingSet={caps}"),
    };
    let _ = writeln!(out, "\nDerived from the unit alone, whatever its programs show:\n  {value}\n    - {why}");
    let _ = writeln!(out, "    - {nnp}: no process can gain a capability it did not start with");
    true
}

fn kebab(need: &crate::directives::Need) -> String {
    serde_json::to_value(need).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
