//! The planner: for one service, which directives of the policy to add and, for each one
//! left out, why. It reads the unit (and, where given, evidence from its programs); it
//! never writes.

mod needs;
mod own_filter;
mod shape;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::directives::{self, Directive, Flag, Need, DIRECTIVES};
use crate::policy::{Policy, UnitPolicy};
use crate::unit::facts::UnitFacts;
use crate::unit::{values_of, Assignment, LoadedUnit, Scope};
use needs::{add_need, Needs};

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
    /// Hints of calls whose failure the program handles: they count for SystemCallFilter=
    /// only where a call the filter refuses kills the service instead of failing.
    pub hints_if_filter_kills: BTreeMap<Need, Vec<String>>,
    /// True when every program the unit runs was read and nothing was left unknown.
    pub complete: bool,
    /// Derived values for `auto` directives (CapabilityBoundingSet=auto), with reasons.
    pub derived: BTreeMap<String, (String, String)>,
    /// What could not be read, for the summary.
    pub missing: Vec<String>,
    /// Paths the package declares its service writes, with why (for ProtectSystem=strict).
    pub writable: Vec<(String, String)>,
}

pub struct Context<'a> {
    pub policy: &'a Policy,
    /// The systemd release the package is built for.
    pub systemd_version: u32,
}

/// The unit's own value of `key`, leaving out assignments the target's systemd rejects and
/// ignores (`PrivateTmp=yes   # comment` sets nothing, so the baseline still adds PrivateTmp=).
fn setting_of(base: &[Assignment], key: &str, systemd_version: u32) -> Option<String> {
    base.iter()
        .filter(|a| {
            a.section == "Service"
                && a.key == key
                && !crate::lint::is_ignored_by(&a.section, &a.key, &a.value, systemd_version)
        })
        .map(|a| a.value.clone())
        .next_back()
}

/// `facts`: the unit's own, read from `base`.
pub fn plan(
    unit: &LoadedUnit,
    base: &[Assignment],
    facts: &UnitFacts,
    evidence: Option<&ProgramEvidence>,
    ctx: &Context,
) -> Plan {
    let mut plan = Plan::default();
    let unit_policy = ctx.policy.unit(unit.name.as_str()).cloned().unwrap_or_default();
    if unit_policy.ignore {
        plan.left_alone = Some("the policy says to ignore this unit".into());
        return plan;
    }
    let mut needs = match needs::unit_needs(&unit.name, facts, base) {
        Ok(needs) => needs,
        Err(why) => {
            plan.left_alone = Some(why);
            return plan;
        }
    };
    if let Some(ev) = evidence {
        for (need, whys) in &ev.needs {
            for why in whys {
                add_need(&mut needs, *need, why.clone());
            }
        }
    }
    if ctx.systemd_version < directives::RESTRICT_FILE_SYSTEMS_BEFORE_FILTER_SINCE {
        if let Some(v) = setting_of(base, "RestrictFileSystems", ctx.systemd_version).filter(|v| !v.is_empty()) {
            let why = format!(
                "the unit sets RestrictFileSystems={v}, which systemd {} applies with bpf(2) after SystemCallFilter=",
                ctx.systemd_version
            );
            add_need(&mut needs, Need::RestrictFileSystemsAfterFilter, why);
        }
    }
    let wanted = wanted_directives(ctx.policy, &unit_policy, ctx.systemd_version);
    let seen = Seen {
        unit,
        policy: ctx.policy,
        base,
        policy_skips: &unit_policy.skip,
        facts,
        needs: &needs,
        evidence,
        systemd_version: ctx.systemd_version,
        filter_errno: paired_value(wanted.get("SystemCallErrorNumber").map(|(v, _)| v.as_str()), ctx.systemd_version),
    };
    for directive in DIRECTIVES {
        let key = directive.key;
        if let Some((value, reason)) = wanted.get(key) {
            let fallbacks = fallbacks(ctx.policy, &unit_policy, key, ctx.systemd_version);
            match decide_or_fall_back(directive, value, &fallbacks, &seen, &plan.added) {
                Decision::Add(v, note) => {
                    let beside = shape::deny_beside_allow_list(directive, &v, &fallbacks, &seen);
                    let reason = match note {
                        Some(n) => format!("{reason}; {n}"),
                        None => reason.clone(),
                    };
                    plan.added.push(Added { directive: key.to_owned(), value: v, reason });
                    if let Some((value, reason)) = beside {
                        plan.added.push(Added { directive: key.to_owned(), value, reason });
                    }
                }
                Decision::Skip(reason) => plan.skipped.push(Skipped { directive: key.to_owned(), reason }),
                Decision::Beside => {}
            }
        }
        if let Some(with) = directive.pairs_with() {
            pair(&mut plan, base, key, with, wanted.get(key).map(|(v, _)| v.as_str()), ctx.systemd_version);
        }
    }
    let declared = evidence.map_or(&[][..], |e| e.writable.as_slice());
    add_writable_paths(&mut plan, unit.name.prefix(), facts, base, &unit_policy.read_write_paths, declared);
    plan
}

/// Whether the plan of the unit `name` may add ProtectSystem=strict: the only value the paths
/// its package declares it writes, and those no reading can know, count for.
pub fn may_protect_system_strict(policy: &Policy, name: &str, systemd_version: u32) -> bool {
    const KEY: &str = "ProtectSystem";
    let unit_policy = policy.unit(name).cloned().unwrap_or_default();
    if unit_policy.ignore {
        return false;
    }
    let wanted = wanted_directives(policy, &unit_policy, systemd_version);
    let Some((value, _)) = wanted.get(KEY) else { return false };
    let fallbacks = fallbacks(policy, &unit_policy, KEY, systemd_version);
    std::iter::once(value).chain(fallbacks.iter().map(|(v, _)| v)).any(|v| v.eq_ignore_ascii_case("strict"))
}

/// The values the policy falls back to for `key` when its own cannot be added, unless the
/// unit's section sets `key`: a value set for one unit has no fallback.
fn fallbacks(policy: &Policy, unit_policy: &UnitPolicy, key: &str, systemd_version: u32) -> Vec<(String, String)> {
    match unit_policy.set.contains_key(key) {
        true => Vec::new(),
        false => policy.fallbacks_for(key, systemd_version),
    }
}

/// The policy's directives, with this unit's own values on top: key -> (value, why).
fn wanted_directives(
    policy: &Policy,
    unit_policy: &UnitPolicy,
    systemd_version: u32,
) -> BTreeMap<String, (String, String)> {
    let profile = format!("{} profile", policy.profile);
    let mut wanted: BTreeMap<String, (String, String)> =
        policy.directives_for(systemd_version).into_iter().map(|(k, v)| (k, (v, profile.clone()))).collect();
    for (k, v) in &unit_policy.set {
        wanted.insert(k.clone(), (v.clone(), "set by the policy for this unit".into()));
    }
    wanted
}

/// What the planner knows about one unit while it goes through the table.
struct Seen<'a> {
    unit: &'a LoadedUnit,
    /// Where the plan is written, which decides what systemd reads after it.
    policy: &'a Policy,
    /// The unit's own settings, drop-ins included.
    base: &'a [Assignment],
    /// What the policy skips for this unit.
    policy_skips: &'a BTreeSet<String>,
    facts: &'a UnitFacts,
    /// What the unit and the evidence show the service needs.
    needs: &'a Needs,
    evidence: Option<&'a ProgramEvidence>,
    systemd_version: u32,
    /// The SystemCallErrorNumber= the plan writes beside a filter it adds ([`pair`]), if any.
    filter_errno: Option<&'a str>,
}

impl Seen<'_> {
    fn evidence_complete(&self) -> bool {
        self.evidence.is_some_and(|e| e.complete)
    }

    /// The value the complete evidence derives for `key`, and why.
    fn derived(&self, key: &str) -> Option<&(String, String)> {
        self.evidence.filter(|e| e.complete).and_then(|e| e.derived.get(key))
    }

    /// The first of `needs` the unit shows, and the first evidence for it.
    fn first_need(&self, needs: &[Need]) -> Option<(Need, &str)> {
        needs.iter().find_map(|n| self.needs.get(n).map(|w| (*n, w[0].as_str())))
    }
}

enum Decision {
    /// Written with this value, and a note on how it was shaped.
    Add(String, Option<String>),
    Skip(String),
    /// Written only beside the directive it pairs with.
    Beside,
}

/// [`decide`] for the profile's value; where the unit rules it out, for each value the
/// profiles it inherits from give the directive (`fallbacks`: value, profile), so that a
/// profile never leaves a unit weaker than its parent would.
fn decide_or_fall_back(
    directive: &Directive,
    value: &str,
    fallbacks: &[(String, String)],
    seen: &Seen,
    added: &[Added],
) -> Decision {
    let first = decide(directive, value, seen, added);
    let Decision::Skip(why) = &first else { return first };
    for (fallback, profile) in fallbacks {
        if let Decision::Add(v, note) = decide(directive, fallback, seen, added) {
            let instead = format!("{value} ruled out: {why}; the {profile} profile's value instead");
            return Decision::Add(v, Some(note.map_or(instead.clone(), |n| format!("{instead}; {n}"))));
        }
    }
    first
}

/// Whether a directive the policy wants is written for this unit, and with which value.
/// `added`: what the plan adds before it, in the order of the table.
fn decide(directive: &Directive, value: &str, seen: &Seen, added: &[Added]) -> Decision {
    let (key, facts) = (directive.key, seen.facts);
    if seen.policy_skips.contains(key) {
        return Decision::Skip("the policy skips it for this unit".into());
    }
    if let Some(existing) = setting_of(seen.base, key, seen.systemd_version) {
        if !(directive.has(Flag::NarrowsUnitsOwn) && own_filter::sets_own(seen, key)) {
            return Decision::Skip(format!("the unit already sets {key}={existing}"));
        }
    }
    if facts.dynamic_user && directive.has(Flag::ImpliedByDynamicUser) {
        return Decision::Skip("implied by DynamicUser=yes".into());
    }
    if directive.pairs_with().is_some() {
        return Decision::Beside;
    }
    let since = directive.since_for(value);
    if since > seen.systemd_version {
        return Decision::Skip(format!("needs systemd {since}; the target is {}", seen.systemd_version));
    }
    if seen.unit.scope == Scope::User && !directive.user_manager {
        return Decision::Skip("a user manager cannot apply it".into());
    }
    if !facts.default_dependencies && directive.has(Flag::EarlyBootExcluded) {
        return Decision::Skip(
            "early-boot unit (DefaultDependencies=no): its file systems may not be mounted yet".into(),
        );
    }
    if !facts.runs_as_root() && directive.has(Flag::ImpliesNoNewPrivileges) {
        let no_new_privileges = directives::lookup("NoNewPrivileges").map_or(&[][..], |d| d.breaks);
        if let Some((_, why)) = seen.first_need(no_new_privileges) {
            let user = facts.user.as_deref().unwrap_or("?");
            return Decision::Skip(format!("implies NoNewPrivileges= for User={user}, and {why}"));
        }
    }
    match shape::shape(directive, value, seen, added) {
        Ok((v, note)) => Decision::Add(v, note),
        Err(why) => Decision::Skip(why),
    }
}

/// Why no_new_privs is in effect for the service, when it is: the unit or the plan (in
/// `added`) sets NoNewPrivileges=yes, or DynamicUser=yes implies it.
pub(crate) fn no_new_privileges(added: &[Added], facts: &UnitFacts) -> Option<&'static str> {
    // The plan adds NoNewPrivileges= only where the unit does not set it.
    facts.no_new_privileges().or_else(|| {
        added
            .iter()
            .any(|a| a.directive == "NoNewPrivileges" && a.value == "yes")
            .then_some("NoNewPrivileges=yes is added")
    })
}

/// A directive written only beside another goes right after it, unless the unit sets it,
/// or sets the other itself: the line added then narrows the unit's own (plan::own_filter),
/// whose action stays the unit's.
/// What the plan writes beside the directive it pairs with: the policy's value, unless the
/// policy drops it (`wanted` is None) or the target's systemd does not know the value.
fn paired_value(wanted: Option<&str>, systemd_version: u32) -> Option<&str> {
    wanted.filter(|v| directives::since("SystemCallErrorNumber", v) <= systemd_version)
}

fn pair(plan: &mut Plan, base: &[Assignment], key: &str, with: &str, wanted: Option<&str>, systemd_version: u32) {
    let Some(pos) = plan.added.iter().rposition(|a| a.directive == with) else { return };
    if setting_of(base, key, systemd_version).is_some() {
        return;
    }
    if setting_of(base, with, systemd_version).is_some() {
        let reason = format!("the unit sets {with}= itself, and {key}= would change what its own lines do to a call they deny: left as it is");
        plan.skipped.push(Skipped { directive: key.to_owned(), reason });
        return;
    }
    let Some(value) = paired_value(wanted, systemd_version) else {
        let reason = match wanted {
            None => "the policy drops it: a call the filter refuses kills the service".to_owned(),
            Some(v) => format!(
                "{key}={v} needs systemd {}; the target is {systemd_version}: a call the filter refuses kills the service",
                directives::since(key, v)
            ),
        };
        plan.skipped.push(Skipped { directive: key.to_owned(), reason });
        return;
    };
    plan.added.insert(
        pos + 1,
        Added { directive: key.to_owned(), value: value.to_owned(), reason: format!("pairs with {with}=") },
    );
}

/// ProtectSystem=strict leaves only declared paths writable: the PID file's directory and
/// the policy's read_write_paths. `-` lets a missing path pass.
/// `name`: `foo` of `foo@bar.service`, the name daemons use for their directories.
/// `declared`: what the package says its service writes.
fn add_writable_paths(
    plan: &mut Plan,
    name: &str,
    facts: &UnitFacts,
    base: &[Assignment],
    from_policy: &[String],
    declared: &[(String, String)],
) {
    let strict = plan.added.iter().any(|a| a.directive == "ProtectSystem" && a.value == "strict");
    let mut paths: Vec<(String, String)> = Vec::new();
    if strict {
        // Where a daemon named like its unit keeps its files, by the FHS: writable when they
        // exist, ignored when not ("-"). The policy's read_write_paths name the rest.
        for dir in ["/var/lib", "/var/log", "/var/cache", "/var/spool", "/run"] {
            paths.push((format!("-{dir}/{name}"), format!("{dir}/{name} is where {name} keeps its files")));
        }
        let runtime_dirs: Vec<String> = values_of(base, "Service", "RuntimeDirectory")
            .iter()
            .flat_map(|v| v.split_whitespace().map(|d| format!("/run/{d}")).collect::<Vec<_>>())
            .collect();
        paths.extend(declared.iter().cloned());
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
