//! The evidence as `hardenunit explain UNIT` prints it: what was read, what it means for
//! each directive, and what could not be read.

use std::fmt::Write;

use super::{derive, Evidence, ProgramKind};
use crate::directives::kept_off_by;

pub fn explain_text(evidence: &Evidence) -> String {
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
    match derive(evidence) {
        Some(d) => {
            out.push_str("\nDerived from the evidence (strict profile):\n");
            for (key, v) in [
                ("CapabilityBoundingSet", &d.capability_bounding_set),
                ("RestrictAddressFamilies", &d.restrict_address_families),
            ] {
                let _ = writeln!(out, "  {key}={}", v.value);
                for r in &v.reasons {
                    let _ = writeln!(out, "    - {r}");
                }
            }
        }
        None => out.push_str("\nNo CapabilityBoundingSet= or RestrictAddressFamilies= derived: evidence incomplete.\n"),
    }
    out
}

fn kebab(need: &crate::directives::Need) -> String {
    serde_json::to_value(need).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
