//! [Service] settings and the checks after which systemd refuses to load a unit, so
//! that hardenunit reports no score where systemd-analyze prints none.

use super::{bool_into, exec_section, one_of, Info, ServiceFacts};
use crate::score::values::*;
use crate::score::Refusal;
use crate::unit::Assignment;

pub(super) fn apply_service(info: &mut Info, f: &mut ServiceFacts, a: &Assignment) {
    let v = a.value.as_str();
    match a.key.as_str() {
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
                // Commands on one line are separated by a lone ';'.
                *count += 1 + extract_words(v, WordFlags::UNQUOTE).iter().filter(|w| *w == ";").count();
            }
        }
        "BusName" => f.bus_name = !v.is_empty(),
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
pub(super) fn verify(info: &Info, f: &ServiceFacts, ty: &str, assignments: &[Assignment]) -> Result<(), Refusal> {
    let unit_refusal = |message: &str| Refusal {
        file: assignments.first().map(|a| a.file.clone()).unwrap_or_default(),
        line: 0,
        message: format!("{}: {message}", info.ident.id),
    };
    if exec_section(ty).is_some() && info.dynamic_user && f.working_directory_home {
        return Err(unit_refusal("WorkingDirectory=~ is not allowed under DynamicUser=yes. Refusing."));
    }
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
        _ => {}
    }
    Ok(())
}
