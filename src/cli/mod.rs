//! The command line: parse, run the engine, present its result in the chosen mode.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

mod docs;
mod packages;
mod score;
mod survey;

use crate::engine::{self, Request};
use crate::policy::{self, Mode, Overrides, Policy};
use crate::render::report;
use crate::unit::LoadError;

const ABOUT: &str = "Harden the systemd services a package ships: add a policy-defined baseline of \
sandboxing directives, skip what a unit evidently needs, and show the diff with the exposure \
score of `systemd-analyze security` before and after.";

const AFTER_HELP: &str = "\
Examples:
  hardenunit --root debian/foo                 summary of what would be added, writes nothing
  hardenunit --diff foo.service                the drop-in to review, exposure before -> after
  hardenunit --write --root debian/foo         apply (atomic writes inside the root only)
  hardenunit --check --root debian/foo         exit 1 if anything would still change (CI)
  hardenunit score --root debian/foo           systemd-analyze's exposure table, per service
  hardenunit policy --profile strict           print the effective policy
  hardenunit lint foo.service                  settings systemd would silently ignore
  hardenunit --diff foo_1.0_amd64.deb          a built package, read in memory (.deb, .rpm)
  hardenunit report --html out.html DIR        survey of every package in DIR

Policy layers, later wins: built-in < /usr/share/hardenunit/policy.toml (the distribution's)
< /etc/hardenunit/policy.toml < each --policy FILE. The format: hardenunit-policy(5).

Exit status: 0 done; 1 --check found changes, or an exposure is above --max-exposure /
--threshold, or lint found errors; 2 bad input (the message names the file and line; with
--write nothing is written when any unit has an error).";

#[derive(Parser, Debug)]
#[command(name = "hardenunit", version, about = ABOUT, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    harden: HardenArgs,
}

const ROOT_HELP: &str = "A build root (debian/PKG, %{buildroot}) searched like `/`: its \
{etc,run,usr/local/lib,usr/lib,lib}/systemd/{system,user}; symlinks never leave it";
const PROFILE_HELP: &str = "Profile of the policy to apply: baseline (default) or strict";

/// The options of a command that hardens or explains units: what to read, and how to harden.
#[derive(Args, Debug, Clone)]
pub struct Common {
    #[arg(long, value_name = "DIR", help = ROOT_HELP)]
    root: Option<PathBuf>,
    #[command(flatten)]
    layers: Layers,
    #[arg(long, value_name = "NAME", help = PROFILE_HELP)]
    profile: Option<String>,
}

/// The policy layers and the target systemd: every command reads these. Commands that do
/// not harden (score, lint) take no --profile, and `policy` no --root: the parser refuses
/// an option the command would ignore.
#[derive(Args, Debug, Clone)]
pub struct Layers {
    /// A policy file (TOML) layered over the built-in and system-wide ones; repeatable
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// Do not read the installed layers, /usr/share/hardenunit/policy.toml and
    /// /etc/hardenunit/policy.toml (also: HARDENUNIT_NO_SYSTEM_POLICY=1)
    #[arg(long)]
    no_system_policy: bool,
    /// The systemd release to write for: no newer directive is added, and the exposure is
    /// that release's `systemd-analyze security`, exactly for 252, 257 and 262; for a
    /// release between them (or after 262) the nearest older one's, with a note
    /// [default: the policy's systemd_version, built in: 257]
    #[arg(long, value_name = "N", value_parser = parse_systemd_version)]
    systemd_version: Option<u32>,
}

#[derive(Args, Debug)]
struct HardenArgs {
    #[command(flatten)]
    common: Common,
    /// Print, for each unit, the diff of what would be written (instead of the settings)
    #[arg(long)]
    diff: bool,
    /// List every directive of the policy with why it was added or skipped (build logs:
    /// dh_hardenunit passes it under DH_VERBOSE=1, `%hardenunit -v` too)
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Exit 1 when anything would change (for CI and `dh_hardenunit --check`); a --policy
    /// section for a unit that is not there is an error (exit 2), not a warning
    #[arg(long, conflicts_with = "write")]
    check: bool,
    /// Write the changes (each file atomically, inside the root only)
    #[arg(long)]
    write: bool,
    /// Where the hardening goes: a drop-in beside the unit, or a marked block in it
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Leave this unit alone (foo.service, foo@.service); repeatable
    #[arg(long, short = 'X', value_name = "UNIT")]
    exclude: Vec<String>,
    /// Plan from the unit files alone: do not read the programs in the root for evidence
    #[arg(long)]
    no_evidence: bool,
    /// Exit 1 when a service's exposure after hardening is above this (0.0 to 10.0)
    #[arg(long, value_name = "N.N", value_parser = parse_exposure)]
    max_exposure: Option<u32>,
    #[arg(long, value_enum, default_value = "text", help = FORMAT_HELP)]
    format: Format,
    /// Colour the diff: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Unit files, or unit names looked up in the root; none with --root: every service
    #[arg(value_name = "UNIT")]
    units: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The exposure table of `systemd-analyze security --offline=true`, per unit
    Score {
        #[arg(long, value_name = "DIR", help = ROOT_HELP)]
        root: Option<PathBuf>,
        #[command(flatten)]
        layers: Layers,
        #[arg(long, value_enum, default_value = "text", help = FORMAT_HELP)]
        format: Format,
        /// The same as --format json (systemd-analyze's spelling)
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Exit 1 when a unit's exposure is above N. With a decimal point N is on the
        /// 0.0-10.0 scale of the table (5.0, like --max-exposure); without one it counts
        /// tenths, 0-100, as systemd-analyze's --threshold does: 5 is 0.5, 50 is 5.0
        #[arg(long, value_name = "N", value_parser = parse_threshold)]
        threshold: Option<u32>,
        #[arg(value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Print the effective policy (all layers applied) as TOML, or JSON
    Policy {
        #[command(flatten)]
        layers: Layers,
        #[arg(long, value_name = "NAME", help = PROFILE_HELP)]
        profile: Option<String>,
        #[arg(long, value_enum, default_value = "text", help = FORMAT_HELP)]
        format: Format,
    },
    /// Settings systemd would reject or silently ignore, deprecated keys, and their fixes
    Lint {
        #[arg(long, value_name = "DIR", help = ROOT_HELP)]
        root: Option<PathBuf>,
        #[command(flatten)]
        layers: Layers,
        /// Show the safe fixes as a diff (trailing comments moved, deprecated keys renamed, ...)
        #[arg(long)]
        fix: bool,
        /// With --fix: write the fixed files (atomically, inside the root only)
        #[arg(long, requires = "fix")]
        write: bool,
        #[arg(long, value_enum, default_value = "text", help = FORMAT_HELP)]
        format: Format,
        /// Unit files, drop-in .conf files or unit names; none with --root: every unit
        #[arg(value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Survey built packages: each service's exposure now and after the policy, what it
    /// would add and skip, the heaviest rows left, lint findings; histograms and worst packages
    Report {
        #[command(flatten)]
        layers: Layers,
        #[arg(long, value_name = "NAME", help = PROFILE_HELP)]
        profile: Option<String>,
        /// Also write the survey as JSON to FILE
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Also write a self-contained HTML page (sortable, filterable table, histogram) to FILE
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// .deb and .rpm files, or directories searched for them (.udeb files are skipped)
        #[arg(value_name = "PACKAGE|DIR", required = true)]
        inputs: Vec<PathBuf>,
    },
    /// What a service's programs were found to need, and the decision for each directive
    Explain {
        #[command(flatten)]
        common: Common,
        #[arg(long, value_enum, default_value = "text", help = FORMAT_HELP)]
        format: Format,
        /// A unit file, or a unit name looked up in the root; or a built package (.deb,
        /// .rpm), then the unit in it when it ships more than one service
        #[arg(value_name = "UNIT|PACKAGE", required = true)]
        targets: Vec<String>,
    },
}

const FORMAT_HELP: &str = "text for people, or json for programs (one document on stdout; its shape: \
hardenunit(1), JSON OUTPUT, and /usr/share/hardenunit/output.schema.json)";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ModeArg {
    Dropin,
    InPlace,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

fn parse_exposure(s: &str) -> Result<u32, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number like 5.0"))?;
    if !(0.0..=10.0).contains(&v) {
        return Err(format!("{s} is not between 0.0 and 10.0"));
    }
    Ok((v * 10.0).round() as u32)
}

/// `--threshold`: with a decimal point on the table's 0.0-10.0 scale, without one in tenths
/// as systemd-analyze counts.
fn parse_threshold(s: &str) -> Result<u32, String> {
    if s.contains('.') {
        return parse_exposure(s);
    }
    match s.parse::<u32>() {
        Ok(v) if v <= 100 => Ok(v),
        _ => Err(format!("{s} is neither tenths from 0 to 100 (as systemd-analyze counts) nor 0.0 to 10.0")),
    }
}

/// Exit codes, as documented in --help.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

pub fn main() -> i32 {
    // Not a subcommand of `Cli`: the completions and pages made from `Cli` would offer it.
    if std::env::args_os().nth(1).is_some_and(|a| a == docs::COMMAND) {
        return docs::main(std::env::args_os().skip(1));
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Some(Command::Score { root, layers, format, json, threshold, units }) => {
            match load_policy(&layers, None, None) {
                Ok((p, source)) => {
                    note_builtin_target(&p, &source);
                    let version = systemd_version_of(&p);
                    if let Some(note) = crate::score::approximation_note(version) {
                        eprintln!("hardenunit: {note}");
                    }
                    let (pkgs, units_left) = packages::split(&units);
                    if packages::only_udebs(&units) {
                        return EXIT_OK;
                    }
                    let roots = packages::roots(&root, &pkgs);
                    score::run(&roots, &units_left, json || format == Format::Json, threshold, version)
                }
                Err(e) => fail(&e),
            }
        }
        Some(Command::Policy { layers, profile, format }) => match load_policy(&layers, profile, None) {
            Ok((p, _)) => {
                match format {
                    Format::Text => print!("{}", p.to_toml()),
                    Format::Json => print!("{}", p.to_json()),
                }
                EXIT_OK
            }
            Err(e) => fail(&e),
        },
        Some(Command::Explain { common, format, targets }) => explain(&common, &targets, format),
        Some(Command::Lint { root, layers, fix, write, format, units }) => {
            if fix && !write && format == Format::Json {
                return usage_error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "lint --fix shows its fixes as a diff, which --format json does not carry: \
                     add --write to apply them, or leave out --format json",
                );
            }
            lint(root.as_deref(), &layers, &units, fix, write, format)
        }
        Some(Command::Report { layers, profile, json, html, inputs }) => {
            survey::run(&layers, profile, json.as_deref(), html.as_deref(), &inputs)
        }
        None => harden(cli.harden),
    }
}

/// A combination of options the parser cannot express, refused as the parser refuses one.
fn usage_error(kind: clap::error::ErrorKind, message: &str) -> i32 {
    let _ = Cli::command().error(kind, message).print();
    EXIT_ERROR
}

fn fail(e: &LoadError) -> i32 {
    eprintln!("hardenunit: {e}");
    EXIT_ERROR
}

/// The policy with every layer, and the target systemd with where it came from.
fn load_policy(layers: &Layers, profile: Option<String>, mode: Option<Mode>) -> Result<(Policy, String), LoadError> {
    let overrides = Overrides { profile, mode, systemd_version: layers.systemd_version };
    let skip_installed = layers.no_system_policy || std::env::var_os("HARDENUNIT_NO_SYSTEM_POLICY").is_some();
    let installed: Vec<&Path> =
        if skip_installed { vec![] } else { policy::INSTALLED_POLICIES.iter().map(Path::new).collect() };
    let mut p = Policy::load_layers(&installed, &layers.policies, &overrides)?;
    let source = match p.systemd_version {
        Some(v) if p.systemd_version_is_builtin() => {
            format!("systemd {v} (built-in default; no policy layer sets systemd_version)")
        }
        Some(v) => format!("systemd {v} ({})", p.systemd_version_from),
        None => {
            let v = detect_systemd_version().ok_or_else(|| {
                LoadError::new(
                    Path::new(&p.systemd_version_from),
                    "systemd_version = \"host\", but `systemctl --version` did not give a version",
                )
            })?;
            p.systemd_version = Some(v);
            let note = format!(
                "systemd {v} (detected with systemctl --version: {} asks for \"host\")",
                p.systemd_version_from
            );
            eprintln!("hardenunit: target {note}");
            note
        }
    };
    Ok((p, source))
}

/// For output without the summary's header: one line on stderr when the built-in default chose
/// the target systemd, since the result depends on it and no input named it.
fn note_builtin_target(policy: &Policy, source: &str) {
    if policy.systemd_version_is_builtin() {
        eprintln!("hardenunit: target {source}");
    }
}

fn systemd_version_of(policy: &Policy) -> u32 {
    policy.systemd_version.expect("load_policy resolves the target systemd")
}

/// Only for a policy that says `systemd_version = "host"`.
fn detect_systemd_version() -> Option<u32> {
    let out = std::process::Command::new("systemctl").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(1)?.parse().ok()
}

/// Lint over each root in turn (the host, a build root, or a built package); a package's
/// findings name it. `--fix` shows the fixes for a package too, but only a directory (or
/// the host) is written.
fn lint(root: Option<&Path>, layers: &Layers, units: &[String], fix: bool, write: bool, format: Format) -> i32 {
    let (pkgs, unit_args) = packages::split(units);
    if packages::only_udebs(units) {
        return EXIT_OK;
    }
    let roots = packages::roots(&root.map(Path::to_path_buf), &pkgs);
    if write {
        if let Some(p) = roots.iter().flatten().find(|r| crate::package::Format::of(r).is_some()) {
            return fail(&packages::write_refused(p));
        }
    }
    if unit_args.is_empty() && roots.iter().all(Option::is_none) {
        eprintln!("hardenunit lint: name unit files, packages, or a build root with --root DIR (see --help)");
        return EXIT_ERROR;
    }
    let systemd_version = match load_policy(layers, None, None) {
        Ok((p, source)) => {
            note_builtin_target(&p, &source);
            systemd_version_of(&p)
        }
        Err(e) => return fail(&e),
    };
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let mut text = String::new();
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    let mut findings_are_errors = false;
    let mut fixes = Vec::new();
    for root in &roots {
        let run = crate::lint::run_lint(root.as_deref(), &unit_args, systemd_version, fix);
        findings_are_errors |= run.has_errors();
        let package = root.as_deref().filter(|r| crate::package::Format::of(r).is_some());
        for f in run.findings {
            text.push_str(&format!("{f}\n"));
            // In JSON a package's file is the path it installs, beside "package".
            let inside = match package {
                Some(p) => f.file.strip_prefix(p).map(|rel| Path::new("/").join(rel)).unwrap_or(f.file.clone()),
                None => f.file.clone(),
            };
            objects.push(packages::InPackage { package, item: crate::lint::Finding { file: inside, ..f } });
        }
        fixes.extend(run.fixes.into_iter().filter(|f| f.before != f.after));
        errors.extend(run.errors.into_iter().map(|e| crate::package::in_package(package, e)));
    }
    if format == Format::Json {
        text = serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".into());
        text.push('\n');
    } else {
        for f in &fixes {
            let shown = f.path.display().to_string();
            text.push_str(&crate::render::diff::unified(&f.before, &f.after, &shown, &shown, color));
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    for e in &errors {
        eprintln!("hardenunit: {e}");
    }
    if !errors.is_empty() {
        return EXIT_ERROR;
    }
    if write {
        // Packages were refused above: the one root is a directory, or the host.
        let fs = match root {
            Some(r) => crate::unit::rootfs::RootFs::new(r),
            None => Ok(crate::unit::rootfs::RootFs::host()),
        };
        let fs = match fs {
            Ok(fs) => fs,
            Err(e) => return fail(&e),
        };
        let plan: Vec<crate::unit::write_set::PlannedWrite> = fixes
            .iter()
            .map(|f| crate::unit::write_set::PlannedWrite { path: &f.real_path, contents: Some(f.after.as_bytes()) })
            .collect();
        if let Err(e) = crate::unit::write_set::write_all_or_none(&fs, &plan) {
            return fail(&e);
        }
        // What is left after the fixes decides the exit status.
        let again = crate::lint::run_lint(root, &unit_args, systemd_version, false);
        return if again.has_errors() { EXIT_FINDINGS } else { EXIT_OK };
    }
    if findings_are_errors {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// One service explained: a unit file, a unit in the root, or the one in a package (or the
/// one named beside it).
fn explain(common: &Common, targets: &[String], format: Format) -> i32 {
    let (pkgs, units) = packages::split(targets);
    if packages::only_udebs(targets) {
        return EXIT_OK;
    }
    let roots = packages::roots(&common.root, &pkgs);
    if roots.len() > 1 || units.len() > 1 {
        eprintln!("hardenunit explain: explains one service: name one unit, or one package (see --help)");
        return EXIT_ERROR;
    }
    let (policy, target_source) = match load_policy(&common.layers, common.profile.clone(), None) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let systemd_version = systemd_version_of(&policy);
    let req = Request {
        root: None,
        units,
        exclude: vec![],
        policy,
        systemd_version,
        no_evidence: false,
        full_evidence: true,
    };
    let outcome = packages::run_engine(&req, &roots);
    if let Some(e) = outcome.errors.first() {
        return fail(e);
    }
    let report = match &outcome.units[..] {
        [one] => one,
        [] => {
            eprintln!("hardenunit: {}: nothing to explain", targets.join(" "));
            return EXIT_ERROR;
        }
        several => {
            let names: Vec<String> = several.iter().map(|u| u.unit.clone()).collect();
            eprintln!(
                "hardenunit explain: {} ships {} services ({}): name one after it",
                targets.join(" "),
                several.len(),
                names.join(", ")
            );
            return EXIT_ERROR;
        }
    };
    match format {
        Format::Text => print!("{}", report::explain(report, &req.policy, &target_source)),
        Format::Json => print!("{}", report::explain_json(report, &req.policy, &target_source)),
    }
    EXIT_OK
}

fn harden(args: HardenArgs) -> i32 {
    let mode = args.mode.map(|m| match m {
        ModeArg::Dropin => Mode::DropIn,
        ModeArg::InPlace => Mode::InPlace,
    });
    if args.diff && args.format == Format::Json {
        return usage_error(
            clap::error::ErrorKind::ArgumentConflict,
            "--diff prints diffs, which --format json does not carry (its \"files\" name what would \
             change): leave out one of them",
        );
    }
    let (policy, target_source) = match load_policy(&args.common.layers, args.common.profile.clone(), mode) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let (pkgs, units) = packages::split(&args.units);
    if packages::only_udebs(&args.units) {
        return EXIT_OK;
    }
    if args.write {
        if let Some(p) = pkgs.first().or(args.common.root.as_ref().filter(|_| packages::is_package(&args.common.root)))
        {
            return fail(&packages::write_refused(p));
        }
    }
    if units.is_empty() && args.common.root.is_none() && pkgs.is_empty() {
        eprintln!("hardenunit: nothing to do: name unit files, packages, or a build root with --root DIR (see --help)");
        return EXIT_ERROR;
    }
    let systemd_version = systemd_version_of(&policy);
    if let Some(note) = crate::score::approximation_note(systemd_version) {
        eprintln!("hardenunit: {note}");
    }
    let req = Request {
        root: args.common.root.clone(),
        units,
        exclude: args.exclude.clone(),
        policy,
        systemd_version,
        no_evidence: args.no_evidence,
        full_evidence: false,
    };
    // Never dropped: the process ends when this returns, and freeing every report piece by
    // piece cost 6% of a corpus run's instructions. Nothing in it needs a destructor (packages
    // are read in memory; files are written by engine::apply, stdout by the writes below).
    let outcome = std::mem::ManuallyDrop::new(packages::run_engine(&req, &packages::roots(&req.root, &pkgs)));
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    };
    // A run that found no unit because of an error (no such root) has nothing to report.
    let failed_outright = outcome.units.is_empty() && !outcome.errors.is_empty();
    if !failed_outright {
        let text = match args.format {
            Format::Json => {
                note_builtin_target(&req.policy, &target_source);
                report::json(&outcome.units)
            }
            Format::Text => packages::by_package(&outcome.units, |units| {
                let style = report::LogStyle { diff: args.diff, verbose: args.verbose, color };
                report::summary(units, &req.policy, &target_source, style)
            }),
        };
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
    for w in &outcome.warnings {
        eprintln!("hardenunit: warning: {w}");
    }
    // --check is what CI and dh_hardenunit --check run: a policy section that applies to
    // nothing there fails it, where a build only warns.
    for e in &outcome.unmatched_sections {
        if args.check {
            eprintln!("hardenunit: {e}");
        } else {
            eprintln!("hardenunit: warning: {e}");
        }
    }
    for e in &outcome.errors {
        eprintln!("hardenunit: {e}");
    }
    if !outcome.errors.is_empty() || (args.check && !outcome.unmatched_sections.is_empty()) {
        if args.write && !outcome.units.is_empty() {
            eprintln!("hardenunit: nothing written: fix the errors above first");
        }
        return EXIT_ERROR;
    }
    if args.write {
        if let Err(e) = engine::apply(req.root.as_deref(), &outcome.units) {
            return fail(&e);
        }
    }
    let changes = outcome.units.iter().any(|u| u.would_change());
    let too_exposed: Vec<&engine::UnitReport> = outcome
        .units
        .iter()
        .filter(|u| args.max_exposure.is_some_and(|m| u.after.as_ref().is_some_and(|a| a.exposure > m)))
        .collect();
    for u in &too_exposed {
        eprintln!(
            "hardenunit: {}: exposure after hardening {} is above --max-exposure {}",
            report::shown_name(u),
            report::tenths(u.after.as_ref().map(|a| a.exposure).unwrap_or(0)),
            report::tenths(args.max_exposure.unwrap_or(0))
        );
    }
    if (args.check && changes) || !too_exposed.is_empty() {
        return EXIT_FINDINGS;
    }
    EXIT_OK
}

/// The rule the policy's `systemd_version` follows, for the command line too.
fn parse_systemd_version(s: &str) -> Result<u32, String> {
    let v: i64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    crate::policy::check_version(v)
}
