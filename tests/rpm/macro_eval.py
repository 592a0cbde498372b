"""What `%hardenunit` and its companions expand to, with the real rpm: the exact command
line per option, and the argument vector a real shell hands to the program from it."""

from pathlib import Path

from common import MACROS, run

BUILDROOT = "/BR"


class Expander:
    def __init__(self, tally, tmp: Path):
        self.tally = tally
        self.tmp = tmp
        bin_dir = tmp / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        # Records the argument vector it is given, NUL-separated: what the shell made of the
        # expansion, quoting and the run-time policy default included.
        self.recorder = bin_dir / "argv-recorder"
        self.recorder.write_text('#!/bin/sh\nprintf "%s\\0" "$@" > "$ARGV_OUT"\n')
        self.recorder.chmod(0o755)
        self.sources_without_policy = tmp / "sources-empty"
        self.sources_without_policy.mkdir(exist_ok=True)
        self.sources_with_policy = tmp / "sources-policy"
        self.sources_with_policy.mkdir(exist_ok=True)
        (self.sources_with_policy / "hardenunit.toml").write_text('profile = "baseline"\n')

    def expand(self, expr, defines=(), macros=MACROS, sourcedir=None, rpm_options=()):
        cmd = ["rpm", *rpm_options, "--load", macros, "--define", f"buildroot {BUILDROOT}",
               "--define", f"_sourcedir {sourcedir or self.sources_without_policy}"]
        for define in defines:
            cmd += ["--define", define]
        return run(cmd + ["--eval", expr])

    def argv(self, script):
        out = self.tmp / "argv.out"
        out.unlink(missing_ok=True)
        result = run(["sh", "-e", "-c", script], extra_env={"ARGV_OUT": str(out)})
        if result.returncode != 0 or not out.exists():
            return None, result.stdout + result.stderr
        return out.read_text().split("\0")[:-1], ""


def command_line(expansion, program):
    lines = [line for line in expansion.splitlines() if line.startswith(program + " ")]
    return lines[0] if len(lines) == 1 else f"<{len(lines)} command lines>"


def check_option_cases(tally, ex: Expander):
    rec = str(ex.recorder)
    base = f"{rec} --root {BUILDROOT}"
    # (name, macro call, expected command line, expected argv after the program name)
    cases = [
        ("no options", "%hardenunit",
         f"{base} --write --diff || {{",
         ["--root", BUILDROOT, "--write", "--diff"]),
        ("brace form", "%{hardenunit}",
         f"{base} --write --diff || {{",
         ["--root", BUILDROOT, "--write", "--diff"]),
        ("-f replaces the default policy", "%hardenunit -f /p/site.toml",
         f"{base} --write --diff --policy /p/site.toml || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--policy", "/p/site.toml"]),
        ("-f repeated keeps the order", "%hardenunit -f /p/a.toml -f /p/b.toml",
         f"{base} --write --diff --policy /p/a.toml --policy /p/b.toml || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--policy", "/p/a.toml", "--policy", "/p/b.toml"]),
        ("-p", "%hardenunit -p strict",
         f"{base} --write --diff --profile strict || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--profile", "strict"]),
        ("-s", "%hardenunit -s 247",
         f"{base} --write --diff --systemd-version 247 || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--systemd-version", "247"]),
        ("-c checks instead of writing", "%hardenunit -c",
         f"{base} --check --diff || {{",
         ["--root", BUILDROOT, "--check", "--diff"]),
        ("-v asks for every directive's reason", "%hardenunit -v",
         f"{base} --write --diff --verbose || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--verbose"]),
        ("-m", "%hardenunit -m 4.5",
         f"{base} --write --diff --max-exposure 4.5 || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--max-exposure", "4.5"]),
        ("-x single", "%hardenunit -x foo.service",
         f"{base} --write --diff --exclude foo.service || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--exclude", "foo.service"]),
        ("-x comma list and repeated", "%hardenunit -x a.service,b@.service -x c.service",
         f"{base} --write --diff --exclude a.service --exclude b@.service "
         "--exclude c.service || {",
         ["--root", BUILDROOT, "--write", "--diff", "--exclude", "a.service", "--exclude",
          "b@.service", "--exclude", "c.service"]),
        ("units as arguments", "%hardenunit foo.service bar@x.service",
         f"{base} --write --diff -- foo.service bar@x.service || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--", "foo.service", "bar@x.service"]),
        ("clustered flags, options after units", "%hardenunit -cx a.service u.service -p strict",
         f"{base} --check --diff --profile strict --exclude a.service -- u.service || {{",
         ["--root", BUILDROOT, "--check", "--diff", "--profile", "strict", "--exclude", "a.service",
          "--", "u.service"]),
        ("quoting of escaped unit names and odd paths",
         "%hardenunit -x dev-a\\x2db.device.service -f /p/it's.toml",
         f"{base} --write --diff --policy '/p/it'\\''s.toml' --exclude 'dev-a\\x2db.device.service' || {{",
         ["--root", BUILDROOT, "--write", "--diff", "--policy", "/p/it's.toml", "--exclude",
          "dev-a\\x2db.device.service"]),
        ("every option at once",
         "%hardenunit -f /p/a.toml -p strict -s 252 -c -m 5.0 -x a.service,b.service -x c@.service u.service",
         f"{base} --check --diff --policy /p/a.toml --profile strict --systemd-version 252 "
         "--max-exposure 5.0 --exclude a.service --exclude b.service --exclude c@.service -- u.service || {",
         ["--root", BUILDROOT, "--check", "--diff", "--policy", "/p/a.toml", "--profile", "strict",
          "--systemd-version", "252", "--max-exposure", "5.0", "--exclude", "a.service",
          "--exclude", "b.service", "--exclude", "c@.service", "--", "u.service"]),
    ]
    for name, call, want_line, want_argv in cases:
        result = ex.expand(call, [f"__hardenunit {rec}"])
        if not tally.check(f"eval {name}: rpm expands it", result.returncode == 0, result.stderr):
            continue
        tally.equal(f"eval {name}: command line", command_line(result.stdout, rec), want_line)
        syntax = run(["sh", "-n", "-c", result.stdout])
        tally.check(f"eval {name}: valid shell", syntax.returncode == 0, syntax.stderr)
        argv, error = ex.argv(result.stdout)
        tally.equal(f"eval {name}: argv the shell passes", argv if argv is not None else error, want_argv)

    verbose = ex.expand("%hardenunit", [f"__hardenunit {rec}", "_hardenunit_verbose 1"])
    tally.equal("eval: with _hardenunit_verbose 1 defined the log gets every directive's reason",
                command_line(verbose.stdout, rec), f"{base} --write --diff --verbose || {{")
    quiet = ex.expand("%hardenunit", [f"__hardenunit {rec}"], rpm_options=["-v"])
    tally.equal("eval: rpm's own -v (which rpmbuild -bb always sets) leaves the log short",
                command_line(quiet.stdout, rec), f"{base} --write --diff || {{")

    with_policy = ex.expand("%hardenunit", [f"__hardenunit {rec}"], sourcedir=ex.sources_with_policy)
    argv, error = ex.argv(with_policy.stdout)
    tally.equal("eval: a hardenunit.toml in %{_sourcedir} is not picked up without -f",
                argv if argv is not None else error, ["--root", BUILDROOT, "--write", "--diff"])
    named = str(ex.sources_with_policy / "hardenunit.toml")
    with_f = ex.expand("%hardenunit -f %{SOURCE1}", [f"__hardenunit {rec}", f"SOURCE1 {named}"],
                       sourcedir=ex.sources_with_policy)
    argv, error = ex.argv(with_f.stdout)
    tally.equal("eval: -f %{SOURCE1} passes the file the spec names",
                argv if argv is not None else error, ["--root", BUILDROOT, "--write", "--diff", "--policy", named])


def check_messages(tally, ex: Expander):
    def status_one_message(call):
        text = ex.expand(call).stdout
        line = [l for l in text.splitlines() if l.strip().startswith("1)")]
        return line[0] if line else text

    tally.check("eval -c: exit 1 is explained as check-only",
                "check-only" in status_one_message("%hardenunit -c"), status_one_message("%hardenunit -c"))
    tally.check("eval -m: exit 1 names the maximum",
                "above 4.5 (-m)" in status_one_message("%hardenunit -m 4.5"),
                status_one_message("%hardenunit -m 4.5"))
    text = ex.expand("%hardenunit").stdout
    tally.check("eval: exit 2 points at the file:line message",
                "the line above names the file and line" in text, text)
    tally.check("eval: exit 127 says the program is missing",
                "hardenunit program was not found" in text, text)
    tally.check("eval: success is recorded for %__brp_hardenunit",
                text.rstrip().endswith("hardenunit_done=1"), text)


def check_switches_and_defaults(tally, ex: Expander):
    rec = str(ex.recorder)
    result = ex.expand("%hardenunit -p strict -x a.service", [f"__hardenunit {rec}", "_without_hardenunit 1"])
    tally.check("eval off when _without_hardenunit is defined: no command, a note",
                "--root" not in result.stdout and "hardenunit: skipped" in result.stdout,
                result.stdout)
    # rpmbuild --without NAME is a popt alias for --define "_without_NAME --without": the same
    # macro as the spec-level switch, checked here without a build.
    alias = run(["sh", "-c", "grep -h -- '--without' /usr/lib/rpm/rpmpopt-* 2>/dev/null"])
    tally.check("rpmbuild --without defines _without_<name>",
                "_without_!#:+" in alias.stdout, alias.stdout or alias.stderr)

    plain = ex.expand("%hardenunit")
    tally.check("eval %__hardenunit defaults to hardenunit from PATH",
                command_line(plain.stdout, "hardenunit").startswith("hardenunit --root /BR "),
                plain.stdout)
    with_options = ex.expand("%hardenunit", ["__hardenunit /opt/bin/hardenunit --no-system-policy"])
    tally.check("eval %__hardenunit is a command: options it carries are kept",
                command_line(with_options.stdout, "/opt/bin/hardenunit").startswith(
                    "/opt/bin/hardenunit --no-system-policy --root /BR "), with_options.stdout)
    for call, letter in (("%hardenunit -z", "z"), ("%hardenunit -p", "p"), ("%hardenunit -x", "x")):
        result = ex.expand(call)
        tally.check(f"eval {call}: rpm refuses it", result.returncode != 0 and letter in result.stderr,
                    f"rc={result.returncode}\n{result.stdout}{result.stderr}")

    dirs = ex.expand("%{_hardenunit_unitdir} %{_hardenunit_userunitdir}", ["_prefix /usr"])
    tally.equal("eval unit dirs fall back to %{_prefix}/lib/systemd/{system,user}",
                dirs.stdout.strip(), "/usr/lib/systemd/system /usr/lib/systemd/user")
    dirs = ex.expand("%{_hardenunit_unitdir} %{_hardenunit_userunitdir}",
                     ["_unitdir /lib/systemd/system", "_userunitdir /usr/lib/systemd/user2"])
    tally.equal("eval unit dirs follow %_unitdir/%_userunitdir when defined",
                dirs.stdout.strip(), "/lib/systemd/system /usr/lib/systemd/user2")

    brp = ex.expand("%{__brp_hardenunit}", [f"__hardenunit {rec}", "_prefix /usr"])
    tally.check("eval %__brp_hardenunit: runs only where the build root has a unit directory",
                "[ -d '/BR/usr/lib/systemd/system' ] || [ -d '/BR/usr/lib/systemd/user' ]" in brp.stdout
                and '-z "${hardenunit_done:-}"' in brp.stdout, brp.stdout)
    tally.equal("eval %__brp_hardenunit: the plain %hardenunit command",
                command_line(brp.stdout, rec), f"{rec} --root {BUILDROOT} --write --diff || {{")
    syntax = run(["sh", "-n", "-c", brp.stdout])
    tally.check("eval %__brp_hardenunit: valid shell", syntax.returncode == 0, syntax.stderr)

    # A build root with a space and shell characters: the directory test and the command see
    # it whole, and nothing in it is expanded.
    odd_root = ex.tmp / "top dir $HOME 'q'" / "BUILDROOT"
    (odd_root / "usr/lib/systemd/system").mkdir(parents=True)
    brp = ex.expand("%{__brp_hardenunit}", [f"__hardenunit {rec}", "_prefix /usr", f"buildroot {odd_root}"])
    argv, error = ex.argv(brp.stdout)
    tally.equal("eval %__brp_hardenunit: a build root with spaces and $ is quoted",
                argv if argv is not None else error + brp.stdout, ["--root", str(odd_root), "--write", "--diff"])


def check_without_raw_arguments(tally, ex: Expander):
    """rpm < 4.17 has no %**: simulate it with a copy whose re-read gets a string that does
    not match rpm's own parse, as an unknown %** would; rpm's parse must then be used."""
    text = MACROS.read_text()
    assert 'rpm.expand("%**")' in text
    old_rpm = ex.tmp / "macros.hardenunit-no-rawargs"
    old_rpm.write_text(text.replace('rpm.expand("%**")', 'rpm.expand("%*") .. "*"'))
    rec = str(ex.recorder)
    result = ex.expand("%hardenunit -x a.service -x b.service -c -p strict u.service",
                       [f"__hardenunit {rec}"], macros=old_rpm)
    tally.equal("eval without %**: rpm's own parse (last -x only) is used",
                command_line(result.stdout, rec),
                f"{rec} --root {BUILDROOT} --check --diff --profile strict "
                "--exclude b.service -- u.service || {")


def check_macros_d_cannot_append(tally, ex: Expander):
    """The documented reason for %__brp_hardenunit: a definition of %__os_install_post in a
    macros.d file is replaced by the platform macros read after it."""
    macro_path = run(["rpm", "--showrc"]).stdout
    path_line = [l for l in macro_path.splitlines() if l.startswith("Macro path: ")]
    if not tally.check("rpm --showrc names the macro path", bool(path_line), macro_path[:500]):
        return
    macros_d = ex.tmp / "macros.d"
    macros_d.mkdir(exist_ok=True)
    (macros_d / "macros.zz-try-append").write_text(
        "%__os_install_post %{?__brp_hardenunit} /usr/lib/rpm/brp-compress\n")
    path = path_line[0][len("Macro path: "):].replace(
        "/usr/lib/rpm/macros.d/macros.*", f"{macros_d}/macros.*")
    result = run(["rpm", "--macros", path, "--eval", "%{__os_install_post}"])
    tally.check("a macros.d definition of %__os_install_post does not survive the platform macros",
                result.returncode == 0 and "brp_hardenunit" not in result.stdout
                and "brp-" in result.stdout, result.stdout + result.stderr)


def run_all(tally, tmp: Path):
    ex = Expander(tally, tmp)
    check_option_cases(tally, ex)
    check_messages(tally, ex)
    check_switches_and_defaults(tally, ex)
    check_without_raw_arguments(tally, ex)
    check_macros_d_cannot_append(tally, ex)

