//! [Service] settings, the few settings of other unit types that decide whether they load,
//! and the checks after which systemd refuses to load a unit, so that hardenunit reports no
//! score where systemd-analyze prints none.

use super::{bool_into, one_of, AssignmentRef, Info, ServiceFacts};
use crate::grammar::*;
use crate::score::specifiers::expand;
use crate::score::Refusal;

pub(super) fn apply_service(info: &mut Info, f: &mut ServiceFacts, a: &AssignmentRef) {
    let v = a.value;
    match a.key {
        "NotifyAccess" => info.notify_access = one_of(v, &["none", "main", "exec", "all"]).or(info.notify_access),
        "Type" => {
            if let Some(t) = one_of(v, &["simple", "exec", "forking", "oneshot", "dbus", "notify", "idle"]) {
                f.service_type = Some(t);
            }
        }
        "ExecStart" | "ExecStop" => {
            let count = if a.key == "ExecStart" { &mut f.exec_start } else { &mut f.exec_stop };
            if v.is_empty() {
                *count = 0;
            } else {
                // A fatal line never gets here (apply_exec refused it); a dropped one adds 0.
                *count += super::exec_line::exec_line_commands(&info.ident, v).unwrap_or(0);
            }
        }
        // config_parse_bus_name(): an invalid name, the empty one included, is ignored.
        "BusName" if expand(&info.ident, v).is_ok_and(|k| bus_name_is_valid(&k)) => f.bus_name = true,
        "RemainAfterExit" => bool_into(&mut f.remain_after_exit, v),
        "Restart" => {
            let all = ["no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"];
            f.restart = one_of(v, &all).or(f.restart);
        }
        "KillMode" => f.kill_mode = one_of(v, &["control-group", "process", "mixed", "none"]).or(f.kill_mode),
        _ => {}
    }
}

/// The checks after which systemd refuses to load the unit (service_verify(),
/// socket_verify(), unit_verify_contexts()), as far as they follow from these settings.
const TIMER_KEYS: &[&str] =
    &["OnCalendar", "OnActiveSec", "OnBootSec", "OnStartupSec", "OnUnitActiveSec", "OnUnitInactiveSec"];
const PATH_KEYS: &[&str] = &["PathExists", "PathExistsGlob", "PathChanged", "PathModified", "DirectoryNotEmpty"];

/// The settings of timer, path, mount, swap and automount units their load checks read.
pub(super) fn apply_other_types(info: &Info, f: &mut ServiceFacts, ty: &str, a: &AssignmentRef) {
    let v = a.value;
    match (ty, a.section, a.key) {
        ("timer", "Timer", k) if TIMER_KEYS.contains(&k) => f.triggers = !v.is_empty(),
        ("timer", "Timer", "OnClockChange" | "OnTimezoneChange") => {
            f.triggers |= parse_boolean(v).unwrap_or(false);
        }
        ("path", "Path", k) if PATH_KEYS.contains(&k) => f.triggers = !v.is_empty(),
        ("mount", "Mount", "What") | ("swap", "Swap", "What") => {
            f.what = expand(&info.ident, v).ok().filter(|w| !w.is_empty()).or(f.what.take());
        }
        ("mount", "Mount", "Where") | ("automount", "Automount", "Where") => {
            if let Some(p) = expand(&info.ident, v).ok().and_then(|w| absolute_path(&w)) {
                f.where_ = Some(p);
            }
        }
        _ => {}
    }
}

/// unit_name_from_path(): `/srv/data` → `srv-data.mount`.
fn unit_name_from_path(path: &str, suffix: &str) -> String {
    let p = path_simplify(path);
    let trimmed = p.trim_matches('/');
    if trimmed.is_empty() {
        return format!("-.{suffix}");
    }
    let mut out = String::new();
    for (i, b) in trimmed.bytes().enumerate() {
        match b {
            b'/' => out.push('-'),
            b'.' if i == 0 => out.push_str("\\x2e"),
            b if b.is_ascii_alphanumeric() || b == b':' || b == b'_' || b == b'.' => out.push(b as char),
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    format!("{out}.{suffix}")
}

pub(super) fn verify(info: &Info, f: &ServiceFacts, ty: &str, assignments: &[AssignmentRef]) -> Result<(), Refusal> {
    let unit_refusal = |message: &str| Refusal {
        file: assignments.first().map(|a| a.file.to_owned()).unwrap_or_default(),
        line: 0,
        message: format!("{}: {message}", info.ident.id),
    };
    match ty {
        "service" => {
            let service_type = f.service_type.unwrap_or(if f.bus_name {
                "dbus"
            } else if f.exec_start > 0 {
                "simple"
            } else {
                "oneshot"
            });
            if f.exec_start == 0 && f.exec_stop == 0 && !f.success_action {
                return Err(unit_refusal("Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing."));
            }
            if service_type != "oneshot" && f.exec_start == 0 {
                return Err(unit_refusal(
                    "Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
                ));
            }
            if !f.remain_after_exit && f.exec_start == 0 && !f.success_action {
                return Err(unit_refusal(
                    "Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing.",
                ));
            }
            if service_type != "oneshot" && f.exec_start > 1 {
                return Err(unit_refusal(
                    "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
                ));
            }
            if service_type == "oneshot" && matches!(f.restart, Some("always") | Some("on-success")) {
                return Err(unit_refusal(
                    "Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.",
                ));
            }
            if service_type == "dbus" && !f.bus_name {
                return Err(unit_refusal(
                    "Service is of type D-Bus but no D-Bus service name has been specified. Refusing.",
                ));
            }
            if f.pam && matches!(f.kill_mode, Some("process") | Some("none")) {
                return Err(unit_refusal(
                    "Service has PAM enabled. Kill mode must be set to 'control-group' or 'mixed'. Refusing.",
                ));
            }
        }
        "socket" if !f.listen => {
            return Err(unit_refusal(
                "Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.",
            ));
        }
        "timer" if !f.triggers => return Err(unit_refusal("Timer unit lacks value setting. Refusing.")),
        "path" if !f.triggers => return Err(unit_refusal("Path unit lacks path setting. Refusing.")),
        "mount" | "automount" => {
            if f.where_.as_ref().is_some_and(|w| unit_name_from_path(w, ty) != info.ident.id) {
                return Err(unit_refusal("Where= setting doesn't match unit name. Refusing."));
            }
            if ty == "mount" && f.what.is_none() {
                return Err(unit_refusal("What= setting is missing. Refusing."));
            }
        }
        "swap" if f.what.as_ref().is_some_and(|w| unit_name_from_path(w, ty) != info.ident.id) => {
            return Err(unit_refusal("Value of What= and unit name do not match, not loading."));
        }
        _ => {}
    }
    Ok(())
}

/// sd_bus_service_name_is_valid().
fn bus_name_is_valid(p: &str) -> bool {
    let unique = p.starts_with(':');
    let body = if unique { &p[1..] } else { p };
    let (mut dot, mut found_dot) = (true, false);
    for c in body.chars() {
        if c == '.' {
            if dot {
                return false;
            }
            found_dot = true;
            dot = true;
        } else {
            let good = c.is_ascii_alphabetic() || ((!dot || unique) && c.is_ascii_digit()) || c == '_' || c == '-';
            if !good {
                return false;
            }
            dot = false;
        }
    }
    !p.is_empty() && p.len() <= 255 && !dot && found_dot
}
