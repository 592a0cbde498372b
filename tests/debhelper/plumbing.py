"""dh plumbing of the addon, checked without running hardenunit: where dh puts
dh_hardenunit, when dh skips it (PROMISE), and what command line dh_hardenunit
builds from debhelper's options (--no-act prints it, runs nothing)."""

import os
import shlex

from packages import CHANGELOG, CONTROL_SOURCE, COPYRIGHT, Exec, newest_compat
from support import clean_env, run, write_tree

# The source stanza every test package shares, then two binary packages.
OPTS_CONTROL = CONTROL_SOURCE.replace("{name}", "hu-opts") + """
Package: hu-opts
Architecture: any
Description: arch-dependent test package
 Test package.

Package: hu-opts-data
Architecture: all
Description: arch-independent test package
 Test package.
"""


def write_source(root, compat=None, sequence_dep=False, rules_with=""):
    deps = f"debhelper-compat (= {compat or newest_compat()})"
    if sequence_dep:
        deps += ", dh-sequence-hardenunit"
    write_tree(root, {
        "debian/control": OPTS_CONTROL.format(build_depends=deps),
        "debian/changelog": CHANGELOG.format(name="hu-opts"),
        "debian/copyright": COPYRIGHT.format(name="hu-opts"),
        "debian/rules": Exec("#!/usr/bin/make -f\n%:\n\tdh $@" + rules_with + "\n"),
    })


def dh_sequence(root, env, *args):
    proc = run(["dh", "binary", "--no-act", *args], cwd=root, env=env)
    commands = [line.strip().split()[0] for line in proc.stdout.splitlines() if line.startswith("   ")]
    return proc, commands


def after(commands, anchor):
    """The command right after anchor in the sequence, or None."""
    if anchor in commands and commands.index(anchor) + 1 < len(commands):
        return commands[commands.index(anchor) + 1]
    return None


def hardenunit_commands(root, env, args, extra_env=None):
    """The hardenunit command lines dh_hardenunit --no-act prints, one argv per package."""
    proc = run(["dh_hardenunit", "--no-act", *args], cwd=root, env=clean_env({**env, **(extra_env or {})}))
    cmds = []
    for line in proc.stdout.splitlines():
        if line.startswith("\t") and os.path.basename(line.split()[0]) == "hardenunit":
            cmds.append(shlex.split(line.strip()))
    return proc, cmds


def roots(cmds):
    return sorted(c[c.index("--root") + 1] for c in cmds if "--root" in c)


def check_sequence(results, workdir, env):
    user_levels = sorted({newest_compat(), 13, 12}, reverse=True)
    levels = [(c, "dh_installsystemduser") for c in user_levels] + [(11, "dh_installsystemd")]
    for compat, anchor in levels:
        root = os.path.join(workdir, f"seq-compat{compat}")
        write_source(root, compat=compat)
        proc, commands = dh_sequence(root, env, "--with", "hardenunit")
        results.check(f"compat {compat}: dh --with hardenunit runs dh_hardenunit right after {anchor}",
                      after(commands, anchor) == "dh_hardenunit", proc.stdout)
        results.check(f"compat {compat}: dh_hardenunit before dh_fixperms, dh_md5sums and dh_builddeb",
                      "dh_hardenunit" in commands and all(
                          c in commands and commands.index("dh_hardenunit") < commands.index(c)
                          for c in ("dh_fixperms", "dh_md5sums", "dh_builddeb")), " ".join(commands))

    root = os.path.join(workdir, "seq-build-depends")
    write_source(root, sequence_dep=True)
    proc, commands = dh_sequence(root, env)
    results.check("Build-Depends: dh-sequence-hardenunit runs dh_hardenunit after dh_installsystemduser",
                  after(commands, "dh_installsystemduser") == "dh_hardenunit", proc.stdout)

    root = os.path.join(workdir, "seq-without")
    write_source(root)
    proc, commands = dh_sequence(root, env)
    results.check("without the addon dh does not run dh_hardenunit",
                  proc.returncode == 0 and "dh_hardenunit" not in commands, proc.stdout)

    root = os.path.join(workdir, "seq-compat10")
    write_source(root, compat=10)
    proc, commands = dh_sequence(root, env, "--with", "hardenunit")
    results.check("compat 10 (no anchor in the sequence): dh fails, naming both anchors",
                  proc.returncode != 0 and "dh_installsystemduser" in proc.stdout
                  and "dh_installsystemd " in proc.stdout, proc.stdout)


def check_promise(results, workdir, env):
    root = os.path.join(workdir, "promise")
    write_source(root)
    # dh evaluates NOOP promises under --no-act only with this variable.
    skip_env = clean_env({**env, "DH_INTERNAL_TEST_CAN_SKIP": "1"})

    def runs():
        proc, commands = dh_sequence(root, skip_env, "--with", "hardenunit")
        return "dh_hardenunit" in commands

    results.check("PROMISE: dh skips dh_hardenunit without units or policy", not runs())
    for unit_dir in ("lib/systemd/system", "usr/lib/systemd/system", "usr/lib/systemd/user"):
        path = os.path.join(root, "debian/hu-opts-data", unit_dir)
        os.makedirs(path)
        results.check(f"PROMISE: dh runs dh_hardenunit when a package has {unit_dir}", runs())
        os.removedirs(path)
    for policy in ("debian/hu-opts-data.hardenunit", "debian/hardenunit"):
        write_tree(root, {policy: "# empty policy\n"})
        results.check(f"PROMISE: dh runs dh_hardenunit when {policy} exists", runs())
        os.unlink(os.path.join(root, policy))


def check_options(results, workdir, env):
    root = os.path.join(workdir, "options")
    write_source(root)
    os.makedirs(os.path.join(root, "debian/hu-opts/lib/systemd/system"))
    os.makedirs(os.path.join(root, "debian/hu-opts-data/usr/lib/systemd/user"))
    both = ["debian/hu-opts", "debian/hu-opts-data"]

    proc, cmds = hardenunit_commands(root, env, ["-v"])
    results.check("-v --no-act: one hardenunit --write --diff --root debian/PKG per package",
                  sorted(c[:5] for c in cmds) == [["hardenunit", "--write", "--diff", "--root", r] for r in both],
                  proc.stdout)
    results.check("-v asks hardenunit for every directive's reason (--verbose)",
                  all(c[-1] == "--verbose" for c in cmds), proc.stdout)
    proc, cmds = hardenunit_commands(root, env, [])
    results.check("--no-act without -v prints the commands, as dh_hardenunit(1) says",
                  proc.returncode == 0 and roots(cmds) == both, proc.stdout)
    results.check("without -v or DH_VERBOSE the log stays short (no --verbose)",
                  cmds and all("--verbose" not in c for c in cmds), proc.stdout)
    proc, cmds = hardenunit_commands(root, env, [], {"DH_VERBOSE": "1"})
    results.check("DH_VERBOSE=1 prints the commands", roots(cmds) == both, proc.stdout)
    results.check("DH_VERBOSE=1 passes --verbose", cmds and all(c[-1] == "--verbose" for c in cmds), proc.stdout)

    selections = [
        (["-a"], {}, ["debian/hu-opts"]),
        (["-i"], {}, ["debian/hu-opts-data"]),
        (["-phu-opts-data"], {}, ["debian/hu-opts-data"]),
        (["-Nhu-opts-data"], {}, ["debian/hu-opts"]),
        ([], {"DH_OPTIONS": "-Nhu-opts"}, ["debian/hu-opts-data"]),
        ([], {"DH_INTERNAL_OPTIONS": "-a"}, ["debian/hu-opts"]),
    ]
    for args, extra, expected in selections:
        label = " ".join(args + [f"{k}={v}" for k, v in extra.items()])
        proc, cmds = hardenunit_commands(root, env, ["-v", *args], extra)
        results.check(f"{label} acts on {' '.join(expected)} only", roots(cmds) == expected, proc.stdout)

    proc, cmds = hardenunit_commands(root, env, [
        "-v", "-phu-opts", "--check", "--max-exposure", "4.5", "--profile", "strict",
        "--systemd-version", "252", "-Xfoo.service", "-Xlib/systemd/system/bar@.service"])
    expected = ["hardenunit", "--check", "--diff", "--root", "debian/hu-opts", "--profile", "strict",
                "--systemd-version", "252", "--max-exposure", "4.5",
                "--exclude", "foo.service", "--exclude", "bar@.service", "--verbose"]
    results.check("--check/--max-exposure/--profile/--systemd-version/-X reach hardenunit",
                  cmds == [expected], proc.stdout)

    write_tree(root, {"debian/hardenunit": "# first package\n",
                      "debian/hu-opts-data.hardenunit": "# second package\n"})
    proc, cmds = hardenunit_commands(root, env, ["-v"])
    policies = {c[c.index("--root") + 1]: c[c.index("--policy") + 1] if "--policy" in c else None for c in cmds}
    results.check("policy: debian/hardenunit for the first package, debian/PKG.hardenunit for another",
                  policies == {"debian/hu-opts": "debian/hardenunit",
                               "debian/hu-opts-data": "debian/hu-opts-data.hardenunit"}, proc.stdout)
    os.unlink(os.path.join(root, "debian/hardenunit"))

    # A policy with no units is still handed over, so a broken one fails the build.
    os.rmdir(os.path.join(root, "debian/hu-opts-data/usr/lib/systemd/user"))
    proc, cmds = hardenunit_commands(root, env, ["-v", "-phu-opts-data"])
    results.check("a package with a policy but no units: the policy is still checked",
                  cmds == [["hardenunit", "policy", "--policy", "debian/hu-opts-data.hardenunit", ">", "/dev/null"]],
                  proc.stdout)
    os.unlink(os.path.join(root, "debian/hu-opts-data.hardenunit"))
    proc, cmds = hardenunit_commands(root, env, ["-v", "-phu-opts-data"])
    results.check("a package with neither units nor policy is skipped", cmds == [], proc.stdout)

    proc, cmds = hardenunit_commands(root, env, ["-v"], {"HARDENUNIT": "/opt/hu/bin/hardenunit"})
    results.check("HARDENUNIT overrides the program", cmds and cmds[0][0] == "/opt/hu/bin/hardenunit", proc.stdout)

    proc, cmds = hardenunit_commands(root, env, ["-v"], {"DEB_BUILD_OPTIONS": "nocheck nohardenunit"})
    results.check("DEB_BUILD_OPTIONS=nohardenunit: nothing run, and it says so",
                  proc.returncode == 0 and cmds == [] and "nohardenunit" in proc.stdout, proc.stdout)

    for bad in (["--max-exposure", "11"], ["--max-exposure", "high"], ["--systemd-version", "v252"],
                ["--profile", "Strict Profile"]):
        proc, cmds = hardenunit_commands(root, env, ["-v", *bad])
        results.check(f"{' '.join(bad)} is refused with a message naming the option",
                      proc.returncode != 0 and bad[0] in proc.stdout and cmds == [], proc.stdout)

    proc = run(["dh_hardenunit"], cwd=root, env=clean_env({**env, "HARDENUNIT": "/nonexistent/hardenunit"}))
    results.check("a missing hardenunit program fails with a clear message",
                  proc.returncode != 0 and "not an executable" in proc.stdout, proc.stdout)
    no_binary_env = clean_env({**env, "PATH": os.path.dirname(shutil_which("dh_hardenunit", env))
                               + ":/usr/bin:/bin"})
    proc = run(["dh_hardenunit"], cwd=root, env=no_binary_env)
    results.check("hardenunit not in PATH: the message says to Build-Depend on it",
                  proc.returncode != 0 and "Build-Depends" in proc.stdout, proc.stdout)


def shutil_which(program, env):
    for d in env["PATH"].split(":"):
        if os.access(os.path.join(d, program), os.X_OK):
            return os.path.join(d, program)
    raise FileNotFoundError(program)


def check_all(results, workdir, env):
    check_sequence(results, workdir, env)
    check_promise(results, workdir, env)
    check_options(results, workdir, env)
