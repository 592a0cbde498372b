//! The control-group settings the score reads: Delegate=, DevicePolicy=, DeviceAllow=,
//! IPAddressDeny=/IPAddressAllow= and the BPF filter paths.

use super::{one_of, AssignmentRef, Info, ServiceFacts};
use crate::grammar::*;
use crate::score::names::ip_prefixes;
use crate::score::specifiers::expand;
use crate::score::values::*;

/// Returns whether the assignment added a BPF filter program path.
pub(super) fn apply_cgroup(info: &mut Info, f: &mut ServiceFacts, ty: &str, a: &AssignmentRef) -> bool {
    let v = a.value;
    match a.key {
        "Delegate" if matches!(ty, "service" | "scope") => {
            // config_parse_delegate(): empty or a list of controllers also turns it on; a
            // list with a syntax error (an unbalanced quote) is ignored.
            info.delegate = parse_boolean(v).unwrap_or(words_parse(v) || info.delegate);
        }
        "DevicePolicy" => info.device_policy = one_of(v, &["auto", "closed", "strict"]).or(info.device_policy),
        "DeviceAllow" => {
            if v.is_empty() {
                f.device_allow.clear();
                return false;
            }
            let mut p = v;
            let Ok(Some(path)) = extract_first_word(&mut p, WordFlags::UNQUOTE) else { return false };
            let Ok(resolved) = expand(&info.ident, &path) else { return false };
            if !valid_device_allow_path(&resolved) {
                return false;
            }
            let rights = p;
            if !rights.is_empty() && !rights.chars().all(|c| "rwm".contains(c)) {
                return false;
            }
            let resolved = if resolved.starts_with("block-") || resolved.starts_with("char-") {
                resolved
            } else {
                path_simplify(&resolved)
            };
            f.device_allow.push(device_entry(&resolved, rights));
        }
        "IPAddressDeny" | "IPAddressAllow" => {
            let list = if a.key == "IPAddressDeny" { &mut f.ip_deny } else { &mut f.ip_allow };
            if v.is_empty() {
                list.clear();
                return false;
            }
            for w in extract_words(v, WordFlags::NONE) {
                if let Some(p) = ip_prefixes(&w) {
                    list.extend(p);
                }
            }
        }
        "IPIngressFilterPath" | "IPEgressFilterPath" => {
            let list =
                if a.key == "IPIngressFilterPath" { &mut f.ip_ingress_filters } else { &mut f.ip_egress_filters };
            if v.is_empty() {
                list.clear();
                return false;
            }
            let Ok(resolved) = expand(&info.ident, v) else { return false };
            if let Some(p) = absolute_path(&resolved) {
                list.push(p);
                return true;
            }
        }
        _ => {}
    }
    false
}

/// `path:rwm` as cgroup_device_permissions_to_string() spells the rights (all when none).
pub(super) fn device_entry(path: &str, rights: &str) -> String {
    let rights = if rights.is_empty() { "rwm" } else { rights };
    let canonical: String = "rwm".chars().filter(|c| rights.contains(*c)).collect();
    format!("{path}:{canonical}")
}

/// Whether every word of `v` parses (extract_first_word() with EXTRACT_UNQUOTE).
fn words_parse(v: &str) -> bool {
    let mut p = v;
    loop {
        match extract_first_word(&mut p, WordFlags::UNQUOTE) {
            Ok(Some(_)) => continue,
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}
