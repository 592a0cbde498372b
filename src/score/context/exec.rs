//! The execution settings ([Service], [Socket], [Mount], [Swap]) the score reads, parsed
//! as systemd 252's config_parse_*() functions do.

use std::collections::BTreeSet;

use super::exec_line::{exec_line_commands, is_exec_key};
use super::{all_namespaces, bool_into, one_of, refuse, AssignmentRef, Info, ServiceFacts};
use crate::grammar::*;
use crate::score::names::*;
use crate::score::release::FlagGrammar;
use crate::score::specifiers::expand;
use crate::score::syscalls::SyscallTable;
use crate::score::values::*;
use crate::score::Refusal;

pub(super) fn apply_exec(
    info: &mut Info,
    f: &mut ServiceFacts,
    ns_initial: &mut bool,
    a: &AssignmentRef,
) -> Result<(), Refusal> {
    let v = a.value;
    match a.key {
        "User" => {
            if v.is_empty() {
                info.user = None;
                return Ok(());
            }
            let k = expand(&info.ident, v)
                .map_err(|_| refuse(a, format!("Failed to resolve unit specifiers in {v}: Invalid slot")))?;
            if !valid_user_group_name_relaxed(&k) {
                return Err(refuse(a, format!("Invalid user/group name or numeric ID: {k}")));
            }
            info.user = Some(k);
        }
        "SupplementaryGroups" => {
            if v.is_empty() {
                info.supplementary_groups.clear();
                return Ok(());
            }
            let mut p = v;
            loop {
                let flags = WordFlags { unquote: false, relax: false, retain_escape: true };
                let word = match extract_first_word(&mut p, flags) {
                    Ok(Some(w)) => w,
                    Ok(None) => break,
                    Err(_) => return Err(refuse(a, format!("Invalid syntax: {v}"))),
                };
                let k = expand(&info.ident, &word)
                    .map_err(|_| refuse(a, format!("Failed to resolve unit specifiers in {word}: Invalid slot")))?;
                if !valid_user_group_name_relaxed(&k) {
                    return Err(refuse(a, format!("Invalid user/group name or numeric ID: {k}")));
                }
                info.supplementary_groups.push(k);
            }
        }
        // The one boolean systemd refuses the whole unit for.
        "DynamicUser" => match parse_boolean(v) {
            Some(b) => info.dynamic_user = b,
            None => return Err(refuse(a, format!("Failed to parse boolean value: {v}"))),
        },
        "PrivateMounts" | "PrivateTmp" | "PrivateUsers" | "ProtectControlGroups" | "ProtectHostname" => {
            let on = flag_of(info, a.key, v);
            let target = match a.key {
                "PrivateMounts" => &mut info.private_mounts,
                "PrivateTmp" => &mut info.private_tmp,
                "PrivateUsers" => &mut info.private_users,
                "ProtectControlGroups" => &mut info.protect_control_groups,
                _ => &mut info.protect_hostname,
            };
            if let Some(on) = on {
                *target = on;
            }
        }
        "PrivateDevices" => bool_into(&mut info.private_devices, v),
        "PrivateNetwork" => bool_into(&mut info.private_network, v),
        "ProtectKernelModules" => bool_into(&mut info.protect_kernel_modules, v),
        "ProtectKernelTunables" => bool_into(&mut info.protect_kernel_tunables, v),
        "ProtectKernelLogs" => bool_into(&mut info.protect_kernel_logs, v),
        "ProtectClock" => bool_into(&mut info.protect_clock, v),
        "LockPersonality" => bool_into(&mut info.lock_personality, v),
        "MemoryDenyWriteExecute" => bool_into(&mut info.memory_deny_write_execute, v),
        "NoNewPrivileges" => bool_into(&mut info.no_new_privileges, v),
        "RestrictRealtime" => bool_into(&mut info.restrict_realtime, v),
        "RestrictSUIDSGID" => bool_into(&mut info.restrict_suid_sgid, v),
        "RemoveIPC" => bool_into(&mut info.remove_ipc, v),
        "ProtectHome" => {
            // protect_home_from_string(): a boolean or one of the words, exactly.
            info.protect_home = match parse_boolean(v) {
                Some(true) => Some("yes"),
                Some(false) => Some("no"),
                None => one_of(v, &["read-only", "tmpfs"]).or(info.protect_home),
            }
        }
        "ProtectSystem" => {
            info.protect_system = match parse_boolean(v) {
                Some(true) => Some("yes"),
                Some(false) => Some("no"),
                None => one_of(v, &["full", "strict"]).or(info.protect_system),
            }
        }
        "RootDirectory" | "RootImage" => {
            let target = if a.key == "RootDirectory" { &mut info.root_directory } else { &mut info.root_image };
            if v.is_empty() {
                *target = None;
                return Ok(());
            }
            let k = expand(&info.ident, v)
                .map_err(|_| refuse(a, format!("Failed to resolve unit specifiers in '{v}': Invalid slot")))?;
            if k.is_empty() {
                *target = None;
                return Ok(());
            }
            if !k.starts_with('/') {
                return Err(refuse(a, format!("{}= path is not absolute: {k}", a.key)));
            }
            let s = path_simplify(&k);
            if !path_is_normalized(&s) {
                return Err(refuse(a, format!("{}= path is not normalized: {s}", a.key)));
            }
            *target = Some(s);
        }
        "MountImages" => f.mount_images = !v.is_empty(),
        "CapabilityBoundingSet" | "AmbientCapabilities" => {
            let bounding = a.key == "CapabilityBoundingSet";
            let initial = if bounding { u64::MAX } else { 0 };
            let set = if bounding { &mut info.capability_bounding_set } else { &mut info.ambient_capabilities };
            let (invert, rest) = match v.strip_prefix('~') {
                Some(r) => (true, r),
                None => (false, v),
            };
            let sum = capability_set_from_string(
                rest,
                info.release.capability_number_max,
                info.release.capability_cut_word_counts,
            );
            // config_parse_capability_set(): the first list (or an empty one) replaces,
            // later ones add to it or, with '~', take away from it.
            if sum == 0 || *set == initial {
                *set = if invert { !sum } else { sum };
            } else if invert {
                *set &= !sum;
            } else {
                *set |= sum;
            }
        }
        "UMask" => {
            if let Some(m) = parse_mode(v) {
                info.umask = m;
            }
        }
        "KeyringMode" => info.keyring_mode = one_of(v, &["inherit", "private", "shared"]).or(info.keyring_mode),
        "ProtectProc" => {
            info.protect_proc = one_of(v, &["default", "noaccess", "invisible", "ptraceable"]).or(info.protect_proc)
        }
        "ProcSubset" => info.proc_subset = one_of(v, &["all", "pid"]).or(info.proc_subset),
        "RestrictAddressFamilies" => apply_address_families(f, v, info.release.unknown_family_ends_line),
        "RestrictNamespaces" => {
            if v.is_empty() {
                info.restrict_namespaces = u64::MAX;
                *ns_initial = true;
                return Ok(());
            }
            match parse_boolean(v) {
                Some(true) => {
                    info.restrict_namespaces = 0;
                    *ns_initial = false;
                    return Ok(());
                }
                Some(false) => {
                    info.restrict_namespaces = all_namespaces();
                    *ns_initial = false;
                    return Ok(());
                }
                None => {}
            }
            let (invert, rest) = match v.strip_prefix('~') {
                Some(r) => (true, r),
                None => (false, v),
            };
            let Some(flags) = namespace_flags_from_string(rest) else { return Ok(()) };
            if *ns_initial {
                info.restrict_namespaces = if invert { !flags & all_namespaces() } else { flags };
            } else if invert {
                info.restrict_namespaces &= !flags;
            } else {
                info.restrict_namespaces |= flags;
            }
            *ns_initial = false;
        }
        "SystemCallArchitectures" => {
            if v.is_empty() {
                info.syscall_archs.clear();
            }
            for w in extract_words(v, WordFlags::UNQUOTE) {
                if info.release.is_seccomp_arch(&w) {
                    info.syscall_archs.insert(w);
                }
            }
        }
        "SystemCallFilter" => info.syscall_filter.apply(SyscallTable::of(info.release), v),
        "PAMName" => f.pam = !v.is_empty(),
        "Group" => check_group(info, a)?,
        "WorkingDirectory" => check_working_directory(info, a)?,
        k if !v.is_empty() && is_exec_key(&info.ident.unit_type, k) => {
            exec_line_commands(&info.ident, v).map_err(|m| refuse(a, m))?;
        }
        _ => {}
    }
    Ok(())
}

/// A setting SecurityInfo reads as a flag, parsed with the release's grammar for it: Some
/// with the new value, None when the release ignores the value.
fn flag_of(info: &Info, key: &str, v: &str) -> Option<bool> {
    let mode = |modes: &[&str], m: &str| parse_boolean(m).or_else(|| modes.contains(&m).then_some(true));
    match info.release.flag_grammar(key) {
        FlagGrammar::Boolean => parse_boolean(v),
        FlagGrammar::Tristate if v.is_empty() => Some(true),
        FlagGrammar::Tristate => parse_boolean(v),
        FlagGrammar::Modes(modes) => mode(modes, v),
        FlagGrammar::ModesWithHostname(_) if v.is_empty() => Some(false),
        FlagGrammar::ModesWithHostname(modes) => match v.split_once(':') {
            None => mode(modes, v),
            Some((m, host)) => {
                let on = mode(modes, m)?;
                let host = expand(&info.ident, host).ok()?;
                (on && hostname_is_valid(&host)).then_some(true)
            }
        },
    }
}

/// hostname_is_valid() without a trailing dot: dot-separated labels of letters, digits and
/// inner hyphens, at most 64 characters.
fn hostname_is_valid(s: &str) -> bool {
    s.len() <= 64
        && s.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// config_parse_user_group_compat() for Group=: the score does not read the group, but
/// systemd refuses the unit for the values it refuses for User=.
fn check_group(info: &Info, a: &AssignmentRef) -> Result<(), Refusal> {
    let v = a.value;
    if v.is_empty() {
        return Ok(());
    }
    let k = expand(&info.ident, v)
        .map_err(|_| refuse(a, format!("Failed to resolve unit specifiers in {v}: Invalid slot")))?;
    if !valid_user_group_name_relaxed(&k) {
        return Err(refuse(a, format!("Invalid user/group name or numeric ID: {k}")));
    }
    Ok(())
}

/// config_parse_working_directory(): a path that is not absolute and normalized (after
/// specifiers) is fatal, unless a leading '-' makes it only ignored; `~` is the home.
fn check_working_directory(info: &Info, a: &AssignmentRef) -> Result<(), Refusal> {
    let v = a.value;
    if v.is_empty() || v.starts_with('-') || v == "~" {
        return Ok(());
    }
    let k = expand(&info.ident, v).map_err(|_| {
        refuse(a, format!("Failed to resolve unit specifiers in working directory path '{v}': Invalid slot"))
    })?;
    if !k.starts_with('/') {
        return Err(refuse(a, format!("WorkingDirectory= path is not absolute: {k}")));
    }
    let s = path_simplify(&k);
    if !path_is_normalized(&s) {
        return Err(refuse(a, format!("WorkingDirectory= path is not normalized: {s}")));
    }
    Ok(())
}

/// config_parse_address_families().
fn apply_address_families(f: &mut ServiceFacts, v: &str, unknown_ends_line: bool) {
    if v.is_empty() || v == "none" {
        f.af_set = None;
        f.af_allow_list = v == "none";
        return;
    }
    let (invert, rest) = match v.strip_prefix('~') {
        Some(r) => (true, r),
        None => (false, v),
    };
    if f.af_set.is_none() {
        f.af_allow_list = !invert;
    }
    let allow_list = f.af_allow_list;
    let set = f.af_set.get_or_insert_with(BTreeSet::new);
    for w in extract_words(rest, WordFlags::UNQUOTE) {
        let Some(af) = address_family(&w) else {
            if unknown_ends_line {
                break;
            }
            continue;
        };
        if invert != allow_list {
            set.insert(af);
        } else {
            set.remove(&af);
        }
    }
}
