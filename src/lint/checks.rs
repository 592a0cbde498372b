//! The checks, one file at a time and then across a unit's files.

use std::path::Path;

use super::table::{self, KeyInfo};
use super::values::{self, Verdict};
use super::{Finding, Severity};
use crate::directives;
use crate::unit::{Document, Entry, Item, LoadedUnit};

pub const ASSIGNMENT_OUTSIDE_SECTION: &str = "assignment-outside-section";
pub const LINE_WITHOUT_EQUALS: &str = "line-without-equals";
pub const ASSIGNMENT_WITHOUT_KEY: &str = "assignment-without-key";
pub const UNKNOWN_SECTION: &str = "unknown-section";
pub const UNKNOWN_KEY: &str = "unknown-key";
pub const KEY_IN_WRONG_SECTION: &str = "key-in-wrong-section";
pub const KEY_FOR_OTHER_UNIT_TYPE: &str = "key-for-other-unit-type";
pub const KEY_REMOVED: &str = "key-removed";
pub const KEY_NEWER_THAN_TARGET: &str = "key-newer-than-target";
pub const VALUE_NEWER_THAN_TARGET: &str = "value-newer-than-target";
pub const INVALID_VALUE: &str = "invalid-value";
pub const VALUE_HAS_TRAILING_COMMENT: &str = "value-has-trailing-comment";
pub const DIRECTORY_PATH_IS_ABSOLUTE: &str = "directory-path-is-absolute";
pub const DEPRECATED_KEY: &str = "deprecated-key";
pub const DEPRECATED_VALUE: &str = "deprecated-value";
pub const PATH_UNDER_VAR_RUN: &str = "path-under-var-run";
pub const SYSCALL_FILTER_WITHOUT_ERRNO: &str = "syscall-filter-without-errno";
pub const STRICT_PATH_NOT_WRITABLE: &str = "protect-system-strict-path-not-writable";
pub const UNPARSABLE_FILE: &str = "unit-file-unparsable";
/// Beyond `verify`: a name systemd drops from a list without logging anything.
pub const NAME_DROPPED_SILENTLY: &str = "name-dropped-silently";
pub const VALUE_SYSTEMD_WARNS_ABOUT: &str = "value-systemd-warns-about";

/// A deprecated key, what replaces it, and whether renaming keeps the meaning (same parser,
/// same setting: systemd reads both names into one field).
pub struct Deprecation {
    pub key: &'static str,
    /// Sections where the key is deprecated; empty: every section that has it.
    pub sections: &'static [&'static str],
    pub replacement: &'static str,
    pub rename_to: Option<&'static str>,
}

const fn dep(
    key: &'static str,
    sections: &'static [&'static str],
    replacement: &'static str,
    rename_to: Option<&'static str>,
) -> Deprecation {
    Deprecation { key, sections, replacement, rename_to }
}

pub static DEPRECATIONS: &[Deprecation] = &[
    dep("ReadWriteDirectories", &[], "ReadWritePaths=", Some("ReadWritePaths")),
    dep("ReadOnlyDirectories", &[], "ReadOnlyPaths=", Some("ReadOnlyPaths")),
    dep("InaccessibleDirectories", &[], "InaccessiblePaths=", Some("InaccessiblePaths")),
    dep(
        "PermissionsStartOnly",
        &[],
        "the \"+\" prefix on the ExecStartPre=/ExecStartPost=/ExecReload=/ExecStop= commands that need full privileges",
        None,
    ),
    dep("MemoryLimit", &[], "MemoryMax= (cgroup v2)", None),
    dep("CPUShares", &[], "CPUWeight= (1..10000, default 100; CPUShares= defaulted to 1024)", None),
    dep("StartupCPUShares", &[], "StartupCPUWeight=", None),
    dep("BlockIOAccounting", &[], "IOAccounting=", None),
    dep("BlockIOWeight", &[], "IOWeight= (1..10000, default 100)", None),
    dep("StartupBlockIOWeight", &[], "StartupIOWeight=", None),
    dep("BlockIODeviceWeight", &[], "IODeviceWeight=", None),
    dep("BlockIOReadBandwidth", &[], "IOReadBandwidthMax=", None),
    dep("BlockIOWriteBandwidth", &[], "IOWriteBandwidthMax=", None),
    dep("BindTo", &["Unit"], "BindsTo=", Some("BindsTo")),
    dep("PropagateReloadTo", &["Unit"], "PropagatesReloadTo=", Some("PropagatesReloadTo")),
    dep("PropagateReloadFrom", &["Unit"], "ReloadPropagatedFrom=", Some("ReloadPropagatedFrom")),
    dep("RequiresOverridable", &["Unit"], "Requires= (systemd already reads it as Requires=)", Some("Requires")),
    dep("RequisiteOverridable", &["Unit"], "Requisite= (systemd already reads it as Requisite=)", Some("Requisite")),
    dep("StartLimitInterval", &["Unit"], "StartLimitIntervalSec=", Some("StartLimitIntervalSec")),
    dep("OnFailureIsolate", &["Unit"], "OnFailureJobMode=isolate", None),
    dep("StartLimitInterval", &["Service"], "StartLimitIntervalSec= in [Unit]", None),
    dep("StartLimitBurst", &["Service"], "StartLimitBurst= in [Unit]", None),
    dep("StartLimitAction", &["Service"], "StartLimitAction= in [Unit]", None),
    dep("FailureAction", &["Service"], "FailureAction= in [Unit]", None),
    dep("RebootArgument", &["Service"], "RebootArgument= in [Unit]", None),
];

pub fn deprecation(section: &str, key: &str) -> Option<&'static Deprecation> {
    DEPRECATIONS.iter().find(|d| d.key == key && (d.sections.is_empty() || d.sections.contains(&section)))
}

/// Values systemd replaces by others while reading (src/core/load-fragment.c).
pub fn deprecated_value(key: &str, value: &str) -> Option<(&'static str, Option<&'static str>)> {
    match (key, value) {
        ("StandardOutput" | "StandardError", "syslog") => Some(("journal", Some("journal"))),
        ("StandardOutput" | "StandardError", "syslog+console") => Some(("journal+console", Some("journal+console"))),
        ("KillMode", "none") => Some(("mixed or control-group (none leaves processes behind)", None)),
        _ => None,
    }
}

pub fn unparsable(path: &Path, line: usize, message: &str) -> Finding {
    Finding {
        file: path.to_owned(),
        line,
        tag: UNPARSABLE_FILE,
        severity: Severity::Error,
        message: format!("{message}; systemd refuses to load the whole unit"),
        fix: "correct the line".into(),
        autofix: false,
    }
}

struct Ctx<'a> {
    path: &'a Path,
    unit_type: &'a str,
    target: u32,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn push(&mut self, line: usize, tag: &'static str, severity: Severity, message: String, fix: String, auto: bool) {
        self.out.push(Finding { file: self.path.to_owned(), line, tag, severity, message, fix, autofix: auto });
    }
}

pub fn document_findings(doc: &Document, path: &Path, unit_type: &str, target: u32) -> Vec<Finding> {
    let mut ctx = Ctx { path, unit_type, target, out: Vec::new() };
    let own = table::sections_for(unit_type);
    // Lines in a section systemd does not read are skipped without a word, like systemd does.
    let mut section_read = true;
    let mut trigger_seen = false;
    for item in doc.items() {
        match item {
            Item::Section { name, line } => {
                section_read = own.contains(&name.as_str());
                if !section_read && !name.starts_with("X-") {
                    unknown_section(&mut ctx, name, *line);
                }
            }
            Item::Ignored { line, text, reason } if section_read => {
                let tag = match *reason {
                    "assignment outside of any section" => ASSIGNMENT_OUTSIDE_SECTION,
                    "missing key name before '='" => ASSIGNMENT_WITHOUT_KEY,
                    _ => LINE_WITHOUT_EQUALS,
                };
                let fix = match tag {
                    ASSIGNMENT_OUTSIDE_SECTION => format!("move it below a [{}] header", own[1]),
                    _ => "write it as Key=value, or start it with # to make it a comment".into(),
                };
                ctx.push(*line, tag, Severity::Error, format!("systemd ignores {text:?}: {reason}"), fix, false);
            }
            Item::Assignment(e) if section_read => {
                entry(&mut ctx, doc, e);
                second_trigger(&mut ctx, e, &mut trigger_seen);
            }
            _ => {}
        }
    }
    ctx.out
}

/// A timer or path unit triggers one unit: systemd ignores each Unit= after one it accepted.
fn second_trigger(ctx: &mut Ctx, e: &Entry, seen: &mut bool) {
    if e.key != "Unit" || !matches!(e.section.as_str(), "Timer" | "Path") {
        return;
    }
    if *seen {
        let message = format!(
            "systemd ignores Unit={}: a .{} unit triggers one unit, named by an earlier Unit=",
            e.value, ctx.unit_type
        );
        return ctx.push(e.end_line, INVALID_VALUE, Severity::Error, message, "keep one Unit= line".into(), false);
    }
    *seen = table::key(&e.section, &e.key).is_some_and(|i| values::judge(i, &e.value, ctx.target) == Verdict::Accepted);
}

fn unknown_section(ctx: &mut Ctx, name: &str, line: usize) {
    let type_of = table::unit_type_of_section(name);
    let (message, fix) = match (table::suggest_section(ctx.unit_type, name), type_of) {
        (Some(s), _) => (
            format!("systemd ignores section [{name}] and every setting in it"),
            format!("section names are case-sensitive: write [{s}]"),
        ),
        (None, Some(t)) => (
            format!(
                "a .{} unit does not read [{name}] (only .{t} units do): every setting in it is ignored",
                ctx.unit_type
            ),
            format!("move these settings to a .{t} unit, or use [{}]", table::sections_for(ctx.unit_type)[1]),
        ),
        (None, None) => (
            format!("systemd ignores the unknown section [{name}] and every setting in it"),
            format!(
                "use [Unit], [{}] or [Install]; name private sections X-{name}",
                table::sections_for(ctx.unit_type)[1]
            ),
        ),
    };
    ctx.push(line, UNKNOWN_SECTION, Severity::Error, message, fix, false);
}

fn entry(ctx: &mut Ctx, doc: &Document, e: &Entry) {
    if e.key.starts_with("X-") {
        return;
    }
    let line = e.end_line;
    let single_line = e.line == e.end_line;
    let Some(info) = table::key(&e.section, &e.key).filter(|i| table::known_at(i, ctx.target)) else {
        return unknown_key(ctx, e);
    };
    if let Some(since) = table::key_since(&e.section, &e.key).filter(|s| *s > ctx.target) {
        let message =
            format!("{}= arrived in systemd {since}; systemd {} ignores it as an unknown key", e.key, ctx.target);
        let fix = format!("drop it, or require systemd >= {since}");
        return ctx.push(line, KEY_NEWER_THAN_TARGET, Severity::Error, message, fix, false);
    }
    if let Some(d) = directives::lookup(&e.key).filter(|_| e.section != "Unit") {
        let since = d.since_for(&e.value);
        if since > ctx.target {
            let message =
                format!("{}={} needs systemd {since}; systemd {} rejects the value", e.key, e.value, ctx.target);
            let fix = "use a value the target understands".into();
            return ctx.push(line, VALUE_NEWER_THAN_TARGET, Severity::Error, message, fix, false);
        }
    }
    if let Some(d) = deprecation(&e.section, &e.key) {
        let (fix, auto) = match d.rename_to {
            Some(new) => (format!("rename it to {new}= (same meaning)"), single_line),
            None => (format!("use {}", d.replacement), false),
        };
        let message = format!("{}= is deprecated; systemd still reads it for now", e.key);
        ctx.push(line, DEPRECATED_KEY, Severity::Warning, message, fix, auto);
    }
    if let Some((replacement, rename)) = deprecated_value(&e.key, &e.value) {
        let message = format!("{}={} is obsolete", e.key, e.value);
        ctx.push(
            line,
            DEPRECATED_VALUE,
            Severity::Warning,
            message,
            format!("use {replacement}"),
            rename.is_some() && single_line,
        );
    }
    let mut value = e.value.as_str();
    // In free text ("Description=Channel #2") a '#' glued to a word is text, not a comment.
    let free_text = matches!(info.parser_252, Some("config_parse_unit_string_printf" | "config_parse_string"));
    let comment = values::trailing_comment_start(value)
        .filter(|at| !free_text || value[at + 1..].chars().next().is_none_or(char::is_whitespace));
    if let Some(at) = comment {
        let whole = values::judge(info, value, ctx.target);
        let (severity, message) = if let Verdict::SilentlyDropped(_) = whole {
            (
                Severity::Error,
                format!(
                    "unit files have no trailing comments: systemd reads the words of {value:?} as names for {}= and drops the unknown ones without a word: {}",
                    e.key,
                    super::parsers::effect_of_dropping(&e.key, value)
                ),
            )
        } else if whole.is_rejection() {
            (
                Severity::Error,
                format!(
                    "unit files have no trailing comments: systemd reads {value:?} as the value of {}= and rejects it",
                    e.key
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "unit files have no trailing comments: systemd takes {:?} as part of the value of {}=",
                    value[at..].trim_end(),
                    e.key
                ),
            )
        };
        let auto = single_line && info.parser_252 != Some("config_parse_exec") && doc.line_text(e.line).contains(value);
        ctx.push(
            line,
            VALUE_HAS_TRAILING_COMMENT,
            severity,
            message,
            "move the comment to its own line above".into(),
            auto,
        );
        value = value[..at].trim_end();
    }
    judged(ctx, info, e, value, single_line);
    if let Some(warning) = super::parsers::accepted_with_warning(&e.key, value) {
        let fix = "use DynamicUser=yes or a dedicated system user".to_owned();
        ctx.push(line, VALUE_SYSTEMD_WARNS_ABOUT, Severity::Warning, warning, fix, false);
    }
    if let Some(fixed) = replace_var_run(value) {
        let message = format!("{}= names a path below the legacy /var/run", e.key);
        ctx.push(line, PATH_UNDER_VAR_RUN, Severity::Warning, message, format!("write {}={fixed}", e.key), single_line);
    }
}

/// Reports what the key's parser does with the value (the comment already taken off).
fn judged(ctx: &mut Ctx, info: &KeyInfo, e: &Entry, value: &str, single_line: bool) {
    let line = e.end_line;
    let verdict = match super::parsers::empty_instance_problem(ctx.path, info, value) {
        Some(why) => Verdict::Rejected(why),
        None => values::judge(info, value, ctx.target),
    };
    match verdict {
        Verdict::Rejected(why) if info.parser_252 == Some("config_parse_warn_compat") => {
            let message = format!("{}= {why}", e.key);
            ctx.push(line, KEY_REMOVED, Severity::Error, message, "remove the line".into(), false);
        }
        Verdict::Rejected(why) => {
            let message = format!("systemd ignores {}={value}: {why}", e.key);
            ctx.push(line, INVALID_VALUE, Severity::Error, message, fix_hint(info, &e.key), false);
        }
        Verdict::PartlyRejected(words) => {
            let (absolute, other): (Vec<_>, Vec<_>) =
                words.into_iter().partition(|(_, why)| why.starts_with("absolute"));
            if !absolute.is_empty() {
                let base = values::exec_directory_base(&e.key).unwrap_or("/");
                let list: Vec<&str> = absolute.iter().map(|(w, _)| w.as_str()).collect();
                let message = format!("{}= takes paths relative to {base}; systemd ignores {}", e.key, list.join(" "));
                let fix = format!("write {}={}", e.key, relative_directories(&e.key, value));
                let auto = single_line && !value.contains(['"', '\'', '\\']);
                ctx.push(line, DIRECTORY_PATH_IS_ABSOLUTE, Severity::Error, message, fix, auto);
            }
            if !other.is_empty() {
                let list: Vec<String> = other.iter().map(|(w, why)| format!("{w:?} ({why})")).collect();
                let message = format!("systemd ignores part of {}=: {}", e.key, list.join(", "));
                ctx.push(line, INVALID_VALUE, Severity::Error, message, fix_hint(info, &e.key), false);
            }
        }
        Verdict::SilentlyDropped(words) => {
            let list: Vec<String> = words.iter().map(|(w, why)| format!("{w:?} ({why})")).collect();
            let message = format!(
                "systemd drops {} from {}= without a word: {}",
                list.join(", "),
                e.key,
                super::parsers::effect_of_dropping(&e.key, value)
            );
            let repaired = super::parsers::repair_silent_names(info, value, ctx.target);
            let fix = match &repaired {
                Some(v) => format!("write {}={v}", e.key),
                None if e.key.contains("Capabilit") => {
                    "correct or remove the misspelt names (see man capabilities)".into()
                }
                None => format!("correct or remove the unknown names (see {}= in man systemd.directives)", e.key),
            };
            let auto = single_line && repaired.is_some();
            ctx.push(line, NAME_DROPPED_SILENTLY, Severity::Error, message, fix, auto);
        }
        Verdict::Accepted | Verdict::NotJudged => {}
    }
}

fn fix_hint(info: &KeyInfo, key: &str) -> String {
    if let Some(e) = info.parser_252.and_then(|p| table::enum_for(p, table::REFERENCE_VERSION)) {
        let mut v = e.values.join(", ");
        if e.booleans {
            v.push_str(", or a boolean");
        }
        return format!("set {key}= to one of {v}");
    }
    match info.parser_252 {
        Some("config_parse_bool") => format!("set {key}=yes or {key}=no, or remove the line"),
        Some("config_parse_mode") => format!("give {key}= an octal mode such as 0027"),
        Some("config_parse_sec" | "config_parse_sec_fix_0") => format!("give {key}= a time span such as 30s"),
        _ => format!("correct the value of {key}= (see man systemd.directives)"),
    }
}

/// `/var/run/x` → `/run/x` wherever a word or path starts with it.
pub fn replace_var_run(value: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut changed = false;
    let mut rest = value;
    while let Some(at) = rest.find("/var/run") {
        let before_ok = out.is_empty() && at == 0
            || rest[..at].chars().last().or(out.chars().last()).is_some_and(|c| " \t\"'=:-+!@|".contains(c));
        let after = &rest[at + 8..];
        let after_ok = after.is_empty() || after.starts_with(['/', ' ', '\t', '"', '\'', ':']);
        out.push_str(&rest[..at]);
        if before_ok && after_ok {
            out.push_str("/run");
            changed = true;
        } else {
            out.push_str("/var/run");
        }
        rest = after;
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The value with each absolute *Directory= path made relative to the directory's base.
pub fn relative_directories(key: &str, value: &str) -> String {
    let base = values::exec_directory_base(key).unwrap_or("/");
    let relative = |p: &str| -> String {
        let stripped =
            p.strip_prefix(base).or_else(|| (key == "RuntimeDirectory").then(|| p.strip_prefix("/var/run/")).flatten());
        stripped.unwrap_or(p).trim_start_matches('/').to_owned()
    };
    value
        .split(' ')
        .map(|word| match word.split_once(':') {
            Some((src, dest)) => format!("{}:{}", relative(src), relative(dest)),
            None => relative(word),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn unknown_key(ctx: &mut Ctx, e: &Entry) {
    let line = e.end_line;
    let own = table::sections_for(ctx.unit_type);
    if let Some(info) = table::key(&e.section, &e.key) {
        if let Some(since) = info.since_after_252.filter(|s| *s > ctx.target) {
            let message =
                format!("{}= arrived in systemd {since}; systemd {} ignores it as an unknown key", e.key, ctx.target);
            let fix = format!("drop it, or require systemd >= {since}");
            return ctx.push(line, KEY_NEWER_THAN_TARGET, Severity::Error, message, fix, false);
        }
    }
    if let Some(since) = table::key(&e.section, &e.key).and_then(|i| table::removed_at(i, ctx.target)) {
        let message = format!("{}= is no longer supported: systemd {since} ignores it", e.key);
        return ctx.push(line, KEY_REMOVED, Severity::Error, message, "remove the line".into(), false);
    }
    let elsewhere = table::sections_with(&e.key, ctx.target);
    if let Some(right) = own.iter().find(|s| elsewhere.contains(s)) {
        let message = format!("{}= belongs in [{right}]; systemd ignores it in [{}]", e.key, e.section);
        return ctx.push(line, KEY_IN_WRONG_SECTION, Severity::Error, message, format!("move it to [{right}]"), false);
    }
    if let Some(other) = elsewhere.iter().find_map(|s| table::unit_type_of_section(s)) {
        let message = format!("{}= is a setting of .{other} units; a .{} unit ignores it", e.key, ctx.unit_type);
        let fix = format!("move it to the .{other} unit that goes with this one");
        return ctx.push(line, KEY_FOR_OTHER_UNIT_TYPE, Severity::Error, message, fix, false);
    }
    let (message, fix) = match table::suggest(&e.section, &e.key, ctx.target) {
        Some(s) => {
            (format!("systemd ignores the unknown key {}= in [{}]", e.key, e.section), format!("did you mean {s}=?"))
        }
        None => (
            format!("systemd ignores the unknown key {}= in [{}]", e.key, e.section),
            "check the spelling in man systemd.directives; prefix private keys with X-".into(),
        ),
    };
    ctx.push(line, UNKNOWN_KEY, Severity::Error, message, fix, false);
}

/// What only shows when a unit's files are read together: the settings in effect after
/// every drop-in (the last valid assignment wins, an empty one resets a list).
pub fn unit_findings(unit: &LoadedUnit, target: u32) -> Vec<Finding> {
    let unit_type = unit.name.unit_type();
    let exec_section = table::sections_for(unit_type)[1];
    if table::key(exec_section, "SystemCallFilter").is_none() {
        return Vec::new();
    }
    let assignments: Vec<_> = unit.assignments().into_iter().filter(|a| a.section == exec_section).collect();
    let last = |key: &str| in_effect(&assignments, key, target).next_back();
    let list = |key: &str| -> Vec<&crate::unit::Assignment> {
        let all: Vec<_> = in_effect(&assignments, key, target).collect();
        let start = all.iter().rposition(|a| a.value.is_empty()).map_or(0, |i| i + 1);
        all[start..].to_vec()
    };
    let mut out = Vec::new();
    let finding = |a: &crate::unit::Assignment, tag, message: String, fix: String| Finding {
        file: a.file.clone(),
        line: a.line,
        tag,
        severity: Severity::Warning,
        message,
        fix,
        autofix: false,
    };
    // Pointed at the line that makes the filter: a later `~` line (hardenunit's own, after a
    // unit's filter) only adds to it and leaves its action as the unit has it.
    if let Some(filter) = list("SystemCallFilter").first() {
        if last("SystemCallErrorNumber").is_none_or(|a| a.value.is_empty()) {
            out.push(finding(
                filter,
                SYSCALL_FILTER_WITHOUT_ERRNO,
                "SystemCallFilter= without SystemCallErrorNumber=: a call outside the filter kills the whole service with SIGSYS".into(),
                "add SystemCallErrorNumber=EPERM so that a missed call fails instead".into(),
            ));
        }
    }
    let strict = last("ProtectSystem").is_some_and(|a| a.value == "strict")
        || last("DynamicUser").is_some_and(|a| crate::grammar::parse_boolean(&a.value) == Some(true));
    if strict {
        let writable = writable_paths(
            &list,
            last("PrivateTmp").is_some_and(|a| crate::grammar::parse_boolean(&a.value) == Some(true)),
        );
        let mut wanted: Vec<(&crate::unit::Assignment, String)> = Vec::new();
        if let Some(pid) = last("PIDFile") {
            let path = replace_var_run(&pid.value).unwrap_or_else(|| pid.value.clone());
            if let Some(dir) = Path::new(&path).parent().and_then(|d| d.to_str()) {
                wanted.push((pid, dir.to_owned()));
            }
        }
        let commands = assignments.iter().filter(|a| a.key == "ExecStart" || a.key == "ExecStartPre");
        for exec in commands.filter(|a| !super::is_ignored_by(&a.section, &a.key, &a.value, target)) {
            wanted.extend(data_paths_of_command(&exec.value).into_iter().map(|p| (exec, p)));
        }
        for (a, path) in wanted {
            if !writable.iter().any(|w| Path::new(&path).starts_with(w)) {
                out.push(finding(
                    a,
                    STRICT_PATH_NOT_WRITABLE,
                    format!("ProtectSystem=strict makes {path} read-only, and nothing makes it writable: the service likely fails to write there"),
                    format!("add ReadWritePaths={path}, or use StateDirectory=/RuntimeDirectory=/LogsDirectory=/CacheDirectory="),
                ));
            }
        }
    }
    out
}

/// The assignments of `key` that systemd `target` does not drop. Only the keys the checks
/// look at are judged: judging a command line costs as much as the rest of the checks.
fn in_effect<'a: 'k, 'k>(
    assignments: &'a [crate::unit::Assignment],
    key: &'k str,
    target: u32,
) -> impl DoubleEndedIterator<Item = &'a crate::unit::Assignment> + 'k {
    assignments.iter().filter(move |a| a.key == key && !super::is_ignored_by(&a.section, &a.key, &a.value, target))
}

fn writable_paths<'a>(list: &dyn Fn(&str) -> Vec<&'a crate::unit::Assignment>, private_tmp: bool) -> Vec<String> {
    let mut writable: Vec<String> = vec!["/dev".into(), "/proc".into(), "/sys".into()];
    if private_tmp {
        writable.extend(["/tmp".into(), "/var/tmp".into()]);
    }
    for a in list("ReadWritePaths").iter().chain(list("ReadWriteDirectories").iter()) {
        for w in crate::grammar::split_word_texts(&a.value).unwrap_or_default() {
            writable.push(w.trim_start_matches('-').trim_start_matches('+').to_owned());
        }
    }
    for key in ["RuntimeDirectory", "StateDirectory", "CacheDirectory", "LogsDirectory"] {
        let base = values::exec_directory_base(key).unwrap_or("/");
        for a in list(key) {
            for w in crate::grammar::split_word_texts(&a.value).unwrap_or_default() {
                let src = w.split(':').next().unwrap_or("");
                writable.push(format!("{base}{src}"));
            }
        }
    }
    writable
}

/// Paths a command line evidently writes to: the values of --pid-file, --log-file,
/// --data-dir and the like, when they lie below /var or /run.
fn data_paths_of_command(command: &str) -> Vec<String> {
    const OPTIONS: &[&str] = &[
        "pidfile",
        "pid-file",
        "pid_file",
        "logfile",
        "log-file",
        "log_file",
        "datadir",
        "data-dir",
        "data_dir",
        "statedir",
        "state-dir",
        "cachedir",
        "cache-dir",
        "rundir",
        "run-dir",
        "lockfile",
        "lock-file",
    ];
    let words = crate::grammar::split_word_texts(command).unwrap_or_default();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(opt) = w.strip_prefix("--") else { continue };
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (opt, words.get(i + 1).cloned()),
        };
        if !OPTIONS.contains(&name) {
            continue;
        }
        let Some(v) = value.filter(|v| v.starts_with("/var/") || v.starts_with("/run/")) else { continue };
        let is_file = name.contains("file");
        let path = if is_file { Path::new(&v).parent().and_then(|p| p.to_str()).unwrap_or(&v).to_owned() } else { v };
        out.push(replace_var_run(&path).unwrap_or(path));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_run_is_replaced_only_as_a_path() {
        assert_eq!(replace_var_run("/var/run/foo.pid").as_deref(), Some("/run/foo.pid"));
        assert_eq!(replace_var_run("-/var/run/a /var/run").as_deref(), Some("-/run/a /run"));
        assert_eq!(replace_var_run("--pid=/var/run/x").as_deref(), Some("--pid=/run/x"));
        assert_eq!(replace_var_run("/srv/var/run/x"), None);
        assert_eq!(replace_var_run("/var/running"), None);
    }

    #[test]
    fn directories_become_relative() {
        assert_eq!(relative_directories("LogsDirectory", "/myserv"), "myserv");
        assert_eq!(relative_directories("StateDirectory", "/var/lib/foo bar"), "foo bar");
        assert_eq!(relative_directories("RuntimeDirectory", "/var/run/foo"), "foo");
    }

    #[test]
    fn renames_keep_the_parser() {
        for d in DEPRECATIONS {
            let Some(new) = d.rename_to else { continue };
            for section in ["Unit", "Service", "Socket", "Mount", "Swap"] {
                if !d.sections.is_empty() && !d.sections.contains(&section) {
                    continue;
                }
                let (Some(old), Some(new)) = (table::key(section, d.key), table::key(section, new)) else { continue };
                // config_parse_obsolete_unit_deps() warns, then hands over to config_parse_unit_deps().
                let old_parser = old.parser_252.map(|p| p.replace("obsolete_", ""));
                assert_eq!((old_parser.as_deref(), old.ltype_252), (new.parser_252, new.ltype_252), "{}", d.key);
            }
        }
    }

    #[test]
    fn command_data_paths() {
        assert_eq!(
            data_paths_of_command("/usr/sbin/d --pid-file /var/run/d.pid --data-dir=/var/lib/d -x"),
            vec!["/run", "/var/lib/d"]
        );
    }
}
