//! Manual pages and shell completions, generated from the same clap definitions that `--help`
//! prints, so that they cannot drift apart. A package build runs
//! `hardenunit generate-docs --man DIR --completions DIR` once, after the binary is built.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
use clap_complete::Shell;

use super::{Cli, AFTER_HELP, EXIT_ERROR, EXIT_OK};

/// The first argument that leads here instead of to `Cli`.
pub const COMMAND: &str = "generate-docs";

/// Write the manual pages and shell completions (for package builds)
#[derive(Parser, Debug)]
#[command(name = "generate-docs", bin_name = "hardenunit generate-docs")]
struct GenerateDocs {
    /// Where hardenunit.1 and hardenunit-SUBCOMMAND.1 go
    #[arg(long, value_name = "DIR")]
    man: Option<PathBuf>,
    /// Where the bash (hardenunit), zsh (_hardenunit) and fish (hardenunit.fish) files go
    #[arg(long, value_name = "DIR")]
    completions: Option<PathBuf>,
}

pub fn main(args: impl Iterator<Item = OsString>) -> i32 {
    let args = match GenerateDocs::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    let written = args
        .man
        .as_deref()
        .map_or(Ok(()), write_man_pages)
        .and_then(|()| args.completions.as_deref().map_or(Ok(()), write_completions));
    match written {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("hardenunit {COMMAND}: {e}");
            EXIT_ERROR
        }
    }
}

/// The hand-written pages the generated ones point to, besides each other.
const SEE_ALSO: &[(&str, &str)] = &[
    ("hardenunit-policy", "5"),
    ("dh_hardenunit", "1"),
    ("systemd-analyze", "1"),
    ("systemd.exec", "5"),
    ("systemd.unit", "5"),
];

/// Writes hardenunit.1 and hardenunit-SUBCOMMAND.1 for every visible subcommand into `dir`.
pub fn write_man_pages(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let subcommands: Vec<clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned().collect();
    let sub_pages: Vec<String> = subcommands.iter().map(display_name).collect();

    let mut page = render(&cmd, "1")?;
    page.push_str(&examples_section(AFTER_HELP));
    page.push_str(JSON_SECTION);
    page.push_str(FILES_SECTION);
    page.push_str(&see_also(sub_pages.iter().map(String::as_str)));
    std::fs::write(dir.join("hardenunit.1"), page)?;

    for sub in &subcommands {
        let mut page = render(sub, "1")?;
        page.push_str(&see_also(std::iter::once("hardenunit")));
        std::fs::write(dir.join(format!("{}.1", display_name(sub))), page)?;
    }
    Ok(())
}

/// Writes the bash, zsh and fish completions into `dir`, named as each shell's directory
/// expects them: hardenunit, _hardenunit, hardenunit.fish.
pub fn write_completions(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (shell, file) in [(Shell::Bash, "hardenunit"), (Shell::Zsh, "_hardenunit"), (Shell::Fish, "hardenunit.fish")] {
        let mut text = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "hardenunit", &mut text);
        std::fs::write(dir.join(file), text)?;
    }
    Ok(())
}

fn display_name(cmd: &clap::Command) -> String {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_owned()
}

/// The page clap_mangen makes, without its EXTRA section: the after-help text gets a section
/// of its own below, laid out as in `--help`.
fn render(cmd: &clap::Command, section: &str) -> io::Result<String> {
    let man = clap_mangen::Man::new(cmd.clone().after_help(None::<&str>).after_long_help(None::<&str>))
        .section(section)
        .manual("hardenunit manual")
        .source(format!("hardenunit {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render(&mut out)?;
    String::from_utf8(out).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// `--help`'s closing text: "Heading:" lines become sections, the rest stays as laid out.
fn examples_section(after_help: &str) -> String {
    let mut out = String::new();
    for block in after_help.split("\n\n") {
        let mut lines = block.lines();
        let first = lines.next().unwrap_or_default();
        if let Some(heading) = first.strip_suffix(':') {
            let _ = writeln!(out, ".SH {}", heading.to_uppercase());
            let _ = writeln!(out, ".nf");
            for line in lines {
                let _ = writeln!(out, "{}", escape(line));
            }
            let _ = writeln!(out, ".fi");
        } else {
            let heading = first.split_whitespace().next().unwrap_or_default();
            let _ = writeln!(out, ".SH {}", if heading == "Exit" { "EXIT STATUS" } else { "NOTES" });
            let _ = writeln!(out, "{}", escape(&block.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    out
}

/// The shapes of `--format json`, as schema/output.schema.json defines them (a test holds
/// the two together).
const JSON_SECTION: &str = r#".SH "JSON OUTPUT"
With \fB\-\-format json\fR each command prints one JSON document on standard output;
\fBscore \-\-json\fR is the same, as \fBsystemd\-analyze\fR spells it. The JSON Schema
\fI/usr/share/hardenunit/output.schema.json\fR defines each shape, under \fB$defs\fR by the
command's name (harden for the main command). Exposures are numbers from 0.0 to 10.0, null
where a unit is not scored. A user unit may have a system unit's name: \fBscope\fR tells
them apart. A unit or finding read from a built package (.deb, .rpm) starts with
\fBpackage\fR, the package file as named; its \fBpath\fR or \fBfile\fR is then the path
the package installs.
.TP
\fBhardenunit \-\-format json\fR (harden)
An array, an object per unit: \fBunit\fR, \fBscope\fR (system or user), \fBpath\fR,
\fBstatus\fR (planned, masked, excluded, not\-a\-service), \fBexposure_before\fR,
\fBexposure_after\fR, \fBadded\fR (objects with \fBdirective\fR, \fBvalue\fR,
\fBreason\fR), \fBskipped\fR (\fBdirective\fR, \fBreason\fR), \fBleft_alone\fR (why
the whole unit is left alone, or null), \fBfiles\fR (the files that change),
\fBevidence_complete\fR (whether every program was read; null without evidence) and
\fBfindings\fR (as lint's).
.TP
\fBhardenunit score \-\-format json\fR (score)
An array, an object per unit: \fBunit\fR, \fBscope\fR, \fBpath\fR, \fBexposure\fR,
\fBlabel\fR (PERFECT to DANGEROUS) and \fBrows\fR in the order of the table, each with
\fBjson_field\fR (the name \fBsystemd\-analyze security \-\-json\fR gives the row),
\fBbadness\fR, \fBweight\fR, \fBrange\fR and \fBexposure\fR (null where the table
shows none).
.TP
\fBhardenunit lint \-\-format json\fR (lint)
An array of findings: \fBfile\fR, \fBline\fR, \fBtag\fR, \fBseverity\fR (error,
warning, info), \fBmessage\fR, \fBfix\fR and \fBautofix\fR (whether \fB\-\-fix\fR
applies it).
.TP
\fBhardenunit policy \-\-format json\fR (policy)
An object: \fBlayers\fR, \fBprofile\fR, \fBmode\fR, \fBdropin\fR,
\fBsystemd_version\fR, \fBdirectives\fR (objects with \fBdirective\fR, \fBvalue\fR,
the value the target systemd gets, and \fBvalues\fR, every value the policy lists, newest
release first; in the order they are written) and \fBunits\fR (by unit name: \fBignore\fR, \fBskip\fR,
\fBset\fR, \fBread_write_paths\fR).
.TP
\fBhardenunit explain \-\-format json\fR (explain)
An object: \fBunit\fR, \fBscope\fR, \fBpath\fR, \fBprofile\fR, \fBtarget\fR,
\fBsystemd_version\fR, \fBexposure_before\fR, \fBexposure_after\fR, \fBevidence\fR (the
programs read and what they were found to need, or null), \fBadded\fR, \fBskipped\fR and
\fBleft_alone\fR.
"#;

const FILES_SECTION: &str = r#".SH FILES
.TP
\fI/usr/share/hardenunit/policy.toml\fR
The distribution's policy layer, installed with hardenunit; it names the systemd release of
the distribution (\fBsystemd_version\fR).
.TP
\fI/etc/hardenunit/policy.toml\fR
The administrator's policy layer. Neither installed layer is read with
\fB\-\-no\-system\-policy\fR or \fBHARDENUNIT_NO_SYSTEM_POLICY=1\fR.
.TP
\fI/usr/share/hardenunit/output.schema.json\fR
The JSON Schema of \fB\-\-format json\fR (see JSON OUTPUT).
.SH ENVIRONMENT
.TP
\fBHARDENUNIT_NO_SYSTEM_POLICY\fR
Set, the installed policy layers are not read.
.TP
\fBNO_COLOR\fR
Set, diffs are not coloured (unless \fB\-\-color=always\fR).
"#;

fn see_also<'a>(pages: impl Iterator<Item = &'a str>) -> String {
    let mut refs: Vec<String> = pages.map(|p| format!("\\fB{}\\fR(1)", escape(p))).collect();
    refs.extend(SEE_ALSO.iter().map(|(name, section)| format!("\\fB{}\\fR({section})", escape(name))));
    format!(".SH \"SEE ALSO\"\n{}\n", refs.join(",\n"))
}

/// Plain text for roff: backslashes and minus signs escaped, no line read as a request.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
