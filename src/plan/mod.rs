//! The planner: for one service, which directives of the policy to add and, for each one
//! left out, why. It reads the unit (and, where given, evidence from its programs); it
//! never writes.

pub mod facts;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::directives::{self, Directive, Flag, Need, SYSCALL_GROUP_BREAKS};
use crate::policy::Policy;
use crate::unit::{values_of, Assignment, LoadedUnit, Scope};

pub use facts::UnitFacts;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    pub directive: String,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub directive: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub added: Vec<Added>,
    pub skipped: Vec<Skipped>,
    /// Set when the whole unit is left as it is, with the reason.
    pub left_alone: Option<String>,
}

/// What the programs of a unit were found to need, from outside the unit file.
#[derive(Debug, Clone, Default)]
pub struct ProgramEvidence {
    /// Needs that leave a directive of the policy out.
    pub needs: BTreeMap<Need, Vec<String>>,
    /// Weaker signs of a need: they only hold back what evidence alone would add.
    pub hints: BTreeMap<Need, Vec<String>>,
    /// True when every program the unit runs was read and nothing was left unknown.
    pub complete: bool,
    /// Derived values for `auto` directives (CapabilityBoundingSet=auto), with reasons.
    pub derived: BTreeMap<String, (String, String)>,
    /// What could not be read, for the summary.
    pub missing: Vec<String>,
}

pub struct Context<'a> {
    pub policy: &'a Policy,
    /// The systemd release the package is built for.
    pub systemd_version: u32,
}

/// The unit's own value of `key`, leaving out assignments systemd rejects and ignores
/// (`PrivateTmp=yes   # comment` sets nothing, so the baseline still adds PrivateTmp=).
fn setting_of(base: &[Assignment], key: &str) -> Option<String> {
    base.iter()
        .filter(|a| a.section == "Service" && a.key == key && !crate::lint::is_ignored(&a.section, &a.key, &a.value))
        .map(|a| a.value.clone())
        .next_back()
}

pub fn plan(unit: &LoadedUnit, base: &[Assignment], evidence: Option<&ProgramEvidence>, ctx: &Context) -> Plan {
    let mut plan = Plan::default();
    let unit_policy = ctx.policy.unit(unit.name.as_str()).cloned().unwrap_or_default();
    if unit_policy.ignore {
        plan.left_alone = Some("the policy says to ignore this unit".into());
        return plan;
    }
    let mut facts = facts::gather(unit, base);
    if let Some(why) = facts.leave_alone.clone() {
        plan.left_alone = Some(why);
        return plan;
    }
    if let Some(ev) = evidence {
        for (need, whys) in &ev.needs {
            for why in whys {
                facts.add_need(*need, why.clone());
            }
        }
    }
    let evidence_complete = evidence.is_some_and(|e| e.complete);

    // The policy's directives, with this unit's own values on top.
    let mut wanted: Vec<(String, String, String)> = ctx
        .policy
        .directives_for(ctx.systemd_version)
        .into_iter()
        .map(|(k, v)| (k, v, format!("{} profile", ctx.policy.profile)))
        .collect();
    for (k, v) in &unit_policy.set {
        match wanted.iter_mut().find(|(wk, _, _)| wk == k) {
            Some(w) => *w = (k.clone(), v.clone(), "set by the policy for this unit".into()),
            None => wanted.push((k.clone(), v.clone(), "set by the policy for this unit".into())),
        }
    }
    wanted.sort_by_key(|(k, _, _)| directives::order(k));

    let skip = |plan: &mut Plan, key: &str, reason: String| {
        plan.skipped.push(Skipped { directive: key.to_owned(), reason });
    };
    for (key, value, reason) in wanted {
        let Some(directive) = directives::lookup(&key) else { continue };
        if unit_policy.skip.contains(&key) {
            skip(&mut plan, &key, "the policy skips it for this unit".into());
            continue;
        }
        if let Some(existing) = setting_of(base, &key) {
            skip(&mut plan, &key, format!("the unit already sets {key}={existing}"));
            continue;
        }
        if facts.dynamic_user && directive.has(Flag::ImpliedByDynamicUser) {
            skip(&mut plan, &key, "implied by DynamicUser=yes".into());
            continue;
        }
        if directive.pairs_with().is_some() {
            continue; // written beside the directive it pairs with (pair_syscall_error_number)
        }
        let since = directive.since_for(&value);
        if since > ctx.systemd_version {
            skip(&mut plan, &key, format!("needs systemd {since}; the target is {}", ctx.systemd_version));
            continue;
        }
        if unit.scope == Scope::User && !directive.user_manager {
            skip(&mut plan, &key, "a user manager cannot apply it".into());
            continue;
        }
        if !facts.default_dependencies && directive.has(Flag::EarlyBootExcluded) {
            skip(
                &mut plan,
                &key,
                "early-boot unit (DefaultDependencies=no): its file systems may not be mounted yet".into(),
            );
            continue;
        }
        if facts.runs_unprivileged() && directive.has(Flag::ImpliesNoNewPrivileges) {
            if let Some(why) = facts.needs.get(&Need::SetuidExecution) {
                skip(
                    &mut plan,
                    &key,
                    format!(
                        "implies NoNewPrivileges= for User={}, and {}",
                        facts.user.as_deref().unwrap_or("?"),
                        why[0]
                    ),
                );
                continue;
            }
        }
        let shaped = match key.as_str() {
            "SystemCallFilter" => {
                let mount_free = evidence_complete
                    && evidence.is_some_and(|e| {
                        [Need::Mounts, Need::Chroot, Need::Namespaces].iter().all(|n| !e.hints.contains_key(n))
                    });
                shape_syscall_filter(directive, &value, &facts, mount_free, ctx.systemd_version)
            }
            "RestrictAddressFamilies" => match evidence.and_then(|e| e.derived.get(&key)) {
                Some((v, why)) if evidence_complete && !v.is_empty() => {
                    Ok((v.clone(), Some(format!("from the programs: {why}"))))
                }
                _ => shape_address_families(&value, &facts),
            },
            "CapabilityBoundingSet" if value == "auto" => match evidence.and_then(|e| e.derived.get(&key)) {
                Some((v, why)) if evidence_complete => Ok((v.clone(), Some(format!("from the programs: {why}")))),
                _ => Err("derived from the program's evidence, which is missing or incomplete".into()),
            },
            _ => match directive.breaks.iter().find_map(|n| facts.needs.get(n).map(|w| (n, w))) {
                Some((need, why)) => Err(format!("{} ({})", need.describe(), why[0])),
                None => Ok((value.clone(), None)),
            },
        };
        match shaped {
            Ok((v, note)) => {
                let reason = match note {
                    Some(n) => format!("{reason}; {n}"),
                    None => reason,
                };
                plan.added.push(Added { directive: key.clone(), value: v, reason });
            }
            Err(why) => skip(&mut plan, &key, why),
        }
    }
    pair_syscall_error_number(&mut plan, base);
    add_writable_paths(&mut plan, &facts, base, &unit_policy.read_write_paths);
    plan
}

/// A deny list loses the groups the unit needs; an allow list is all or nothing.
fn shape_syscall_filter(
    directive: &Directive,
    value: &str,
    facts: &UnitFacts,
    evidence_complete: bool,
    systemd_version: u32,
) -> Result<(String, Option<String>), String> {
    let Some(list) = value.strip_prefix('~') else {
        let since = directive.since_for("@system-service");
        if systemd_version < since {
            return Err(format!(
                "an allow list needs @system-service (systemd {since}); the target is {systemd_version}"
            ));
        }
        return match directive.breaks.iter().find_map(|n| facts.needs.get(n).map(|w| (n, w))) {
            Some((need, why)) => Err(format!("{} ({})", need.describe(), why[0])),
            None => Ok((value.to_owned(), None)),
        };
    };
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for group in list.split_whitespace() {
        let breaks = SYSCALL_GROUP_BREAKS.iter().find(|(g, _)| *g == group).map(|(_, n)| *n).unwrap_or(&[]);
        if let Some(need) = breaks.iter().find(|n| facts.needs.contains_key(n)) {
            dropped.push(format!("{group} ({})", need.describe()));
        } else if group == "@mount" && !evidence_complete {
            dropped.push("@mount (it holds chroot(2); only the program's imports can rule that out)".into());
        } else {
            kept.push(group);
        }
    }
    if kept.is_empty() {
        return Err(format!("every group is needed: {}", dropped.join(", ")));
    }
    let note = (!dropped.is_empty()).then(|| format!("left out {}", dropped.join(", ")));
    Ok((format!("~{}", kept.join(" ")), note))
}

fn shape_address_families(value: &str, facts: &UnitFacts) -> Result<(String, Option<String>), String> {
    if let Some(why) = facts.needs.get(&Need::OtherAddressFamilies) {
        return Err(format!("{} ({})", Need::OtherAddressFamilies.describe(), why[0]));
    }
    match facts.needs.get(&Need::PacketSockets) {
        Some(why) if !value.split_whitespace().any(|f| f == "AF_PACKET") => {
            Ok((format!("{value} AF_PACKET"), Some(format!("kept AF_PACKET: {}", why[0]))))
        }
        _ => Ok((value.to_owned(), None)),
    }
}

/// Filtered system calls fail with EPERM instead of killing the service: a daemon that
/// probes for a call gets an error it can handle, not SIGSYS.
fn pair_syscall_error_number(plan: &mut Plan, base: &[Assignment]) {
    let Some(pos) = plan.added.iter().position(|a| a.directive == "SystemCallFilter") else { return };
    if setting_of(base, "SystemCallErrorNumber").is_some() {
        return;
    }
    plan.added.insert(
        pos + 1,
        Added {
            directive: "SystemCallErrorNumber".into(),
            value: "EPERM".into(),
            reason: "pairs with SystemCallFilter=".into(),
        },
    );
}

/// ProtectSystem=strict leaves only declared paths writable: the PID file's directory and
/// the policy's read_write_paths. `-` lets a missing path pass.
fn add_writable_paths(plan: &mut Plan, facts: &UnitFacts, base: &[Assignment], from_policy: &[String]) {
    let strict = plan.added.iter().any(|a| a.directive == "ProtectSystem" && a.value == "strict");
    let mut paths: Vec<(String, String)> = Vec::new();
    if strict {
        // Where a daemon named like its unit keeps its files, by the FHS: writable when they
        // exist, ignored when not ("-"). The policy's read_write_paths name the rest.
        let name = facts.unit_prefix.as_str();
        for dir in ["/var/lib", "/var/log", "/var/cache", "/var/spool", "/run"] {
            paths.push((format!("-{dir}/{name}"), format!("{dir}/{name} is where {name} keeps its files")));
        }
        let runtime_dirs: Vec<String> = values_of(base, "Service", "RuntimeDirectory")
            .iter()
            .flat_map(|v| v.split_whitespace().map(|d| format!("/run/{d}")).collect::<Vec<_>>())
            .collect();
        if let Some(pid) = &facts.pid_file {
            let dir = pid.rsplit_once('/').map(|(d, _)| d).filter(|d| !d.is_empty()).unwrap_or("/run");
            if !runtime_dirs.iter().any(|r| r == dir) {
                paths.push((format!("-{dir}"), format!("PIDFile={pid} is written there")));
            }
        }
    }
    if plan.added.iter().any(|a| a.directive == "ProtectSystem") {
        for p in from_policy {
            let p = if p.starts_with('-') { p.clone() } else { format!("-{p}") };
            paths.push((p, "read_write_paths of the policy for this unit".into()));
        }
    }
    if paths.is_empty() {
        return;
    }
    paths.sort();
    paths.dedup_by(|a, b| a.0 == b.0);
    let value: Vec<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
    let reason: Vec<&str> = paths.iter().map(|(_, r)| r.as_str()).collect();
    let pos = plan.added.iter().position(|a| a.directive == "ProtectSystem").map(|p| p + 1).unwrap_or(0);
    plan.added
        .insert(pos, Added { directive: "ReadWritePaths".into(), value: value.join(" "), reason: reason.join("; ") });
}

#[cfg(test)]
mod tests;
