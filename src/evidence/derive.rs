//! Values the evidence supports for the two directives that list what a service may use:
//! `CapabilityBoundingSet=` and `RestrictAddressFamilies=`. Only complete evidence gives
//! them; with anything unread, a list of what is allowed could leave out what breaks it.

use super::Evidence;

/// One derived value and why each part of it is there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DerivedValue {
    pub value: String,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Derived {
    pub capability_bounding_set: DerivedValue,
    pub restrict_address_families: DerivedValue,
}

/// A root service opens files it does not own (state written by package scripts, other
/// users' files): which ones cannot be read from its binaries, so these stay.
const ROOT_FILE_ACCESS: &[&str] = &["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID"];

/// Families in the order they are written; others follow sorted by name.
const FAMILY_ORDER: &[&str] = &["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"];

/// The derived values, or None when the evidence is incomplete.
pub fn derive(evidence: &Evidence) -> Option<Derived> {
    if !evidence.complete {
        return None;
    }
    Some(Derived { capability_bounding_set: capabilities(evidence), restrict_address_families: families(evidence) })
}

fn capabilities(evidence: &Evidence) -> DerivedValue {
    let mut kept: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for (cap, why) in &evidence.capabilities {
        kept.entry(cap.clone()).or_default().extend(why.iter().cloned());
    }
    for cap in &evidence.facts.unit.ambient_capabilities {
        let cap = cap.trim_start_matches('~');
        let cap = if cap.starts_with("CAP_") { cap.to_owned() } else { format!("CAP_{}", cap.to_uppercase()) };
        kept.entry(cap).or_default().push("the unit grants it in AmbientCapabilities=".into());
    }
    let unit = &evidence.facts.unit;
    // `!` lifts User= but not the bounding set; `+` lifts both (systemd.service(5), "Command
    // lines").
    let as_root = if unit.runs_as_root() {
        Some("runs as root".to_owned())
    } else {
        let bounded_root = unit.commands().find(|(_, c)| c.privileged() && !c.unsandboxed);
        bounded_root.map(|(key, c)| format!("{key}= runs {} as root", c.program))
    };
    if let Some(as_root) = as_root {
        for cap in ROOT_FILE_ACCESS {
            let why = format!("{as_root}: which files it opens, and whose they are, cannot be read from its files");
            kept.entry((*cap).to_owned()).or_default().push(why);
        }
    }
    if let Some(why) = kept.get_mut("CAP_NET_BIND_SERVICE") {
        for s in &evidence.facts.sockets {
            if let Some(port) = s.port.filter(|p| *p < 1024) {
                why.push(format!("listens on port {port} per {} in {}", s.directive, s.unit));
            }
        }
    }
    let reasons = if kept.is_empty() {
        vec!["no capability needed: none of its programs imports a privileged function".into()]
    } else {
        kept.iter().map(|(cap, why)| format!("kept {cap}: {}", why.join("; "))).collect()
    };
    DerivedValue { value: kept.keys().cloned().collect::<Vec<_>>().join(" "), reasons }
}

fn families(evidence: &Evidence) -> DerivedValue {
    let mut kept = evidence.families.clone();
    kept.entry("AF_UNIX".into())
        .or_default()
        .insert(0, "always: syslog(), sd_notify and local IPC use UNIX sockets".into());
    let mut names: Vec<&String> = kept.keys().collect();
    names.sort_by_key(|n| (FAMILY_ORDER.iter().position(|f| f == n).unwrap_or(FAMILY_ORDER.len()), n.to_string()));
    let reasons = names.iter().map(|n| format!("kept {n}: {}", kept[*n].join("; "))).collect();
    DerivedValue { value: names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" "), reasons }
}
