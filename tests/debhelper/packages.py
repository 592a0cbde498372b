"""The Debian source packages the debhelper integration test builds.

Each package is a dict of relative path -> file content; a value of
Symlink(target) makes a symlink, Exec(text) an executable file.  The packages
are written out fresh by the test, built with dpkg-buildpackage and thrown
away: nothing built is kept in the repository.

Between them they cover both places debhelper puts system units
(lib/systemd/system with Debian 12's dh_installsystemd, usr/lib/systemd/system
as Debian 13's does; here installed with debian/PKG.install), user units,
shipped drop-ins, templates, socket activation, masked units, aliases, a
package policy, and a second binary package left out with -N. They use the newest
stable compat level of the debhelper that builds them, as a new package would,
and @UNITS@ stands for the directory its dh_installsystemd installs units into.
"""

import functools
import os
import subprocess
import tempfile
from dataclasses import dataclass, field


@functools.cache
def dh_units():
    """Where this debhelper's dh_installsystemd puts debian/PKG.service: lib/systemd/system in
    Debian 12, usr/lib/systemd/system from Debian 13. Asked of dh_installsystemd itself."""
    with tempfile.TemporaryDirectory() as src:
        files = {"debian/control": f"Source: probe\nBuild-Depends: debhelper-compat (= {newest_compat()})\n\n"
                                   "Package: probe\nArchitecture: all\nDescription: probe\n probe\n",
                 "debian/changelog": CHANGELOG.format(name="probe"),
                 "debian/probe.service": "[Service]\nExecStart=/bin/true\n"}
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
            with open(os.path.join(src, rel), "w", encoding="utf-8") as f:
                f.write(text)
        subprocess.run(["dh_installsystemd", "-pprobe"], cwd=src, check=True, capture_output=True)
        for units in ("usr/lib/systemd/system", "lib/systemd/system"):
            if os.path.exists(os.path.join(src, "debian/probe", units, "probe.service")):
                return units
    raise RuntimeError("dh_installsystemd installed debian/probe.service nowhere known")


def with_units(text):
    return text.replace("@UNITS@", dh_units())


@functools.cache
def newest_compat():
    """debhelper's newest stable compat level: 13 in Debian 12 and 13, 14 in unstable."""
    return int(subprocess.run(["perl", "-MDebian::Debhelper::Dh_Lib", "-e",
                               "print Debian::Debhelper::Dh_Lib::HIGHEST_STABLE_COMPAT_LEVEL"],
                              capture_output=True, text=True, check=True).stdout)


@dataclass(frozen=True)
class Symlink:
    target: str


@dataclass(frozen=True)
class Exec:
    text: str


@dataclass
class SourcePackage:
    name: str
    binaries: list  # binary package names, first is debian/control's first
    files: dict  # path -> str | Symlink | Exec (debian/control, changelog, rules are generated)
    rules_targets: str = ""  # extra debian/rules targets, same in every build mode
    # The arguments dh_hardenunit passes to hardenunit besides --root/--policy,
    # per binary package; None means dh_hardenunit leaves the package alone.
    hardenunit_args: dict = field(default_factory=dict)
    policy_files: dict = field(default_factory=dict)  # binary -> debian/... policy path
    dh_options: str = ""  # appended to "dh $@ --with hardenunit" (dh hands them to dh_hardenunit as -O)

    def policy_for(self, binary):
        return self.policy_files.get(binary)


DAEMON = Exec("#!/bin/sh\n# A stand-in daemon: waits until stopped.\nexec sleep infinity\n")

CONTROL_SOURCE = """\
Source: {name}
Section: admin
Priority: optional
Maintainer: Hardenunit Tests <tests@hardenunit.invalid>
Build-Depends: {build_depends}
Standards-Version: 4.6.2
Rules-Requires-Root: no
"""

CONTROL_BINARY = """
Package: {binary}
Architecture: all
Depends: ${{misc:Depends}}
Description: hardenunit test package {binary}
 A package built by the hardenunit debhelper test; it ships systemd units
 that dh_hardenunit hardens at build time.
"""

CHANGELOG = """\
{name} (1.0) unstable; urgency=medium

  * Test package for dh_hardenunit.

 -- Hardenunit Tests <tests@hardenunit.invalid>  Mon, 01 Jan 2024 00:00:00 +0000
"""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: {name}

Files: *
Copyright: 2024 Hardenunit Tests
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software, to deal in the Software without restriction.
"""

# How dh is told to use the addon; "plain" builds the package without it.
MODES = ("plain", "with", "seq")


def render(pkg, mode):
    """All files of the source package for one build mode."""
    assert mode in MODES
    build_depends = f"debhelper-compat (= {newest_compat()})"
    if mode == "seq":
        build_depends += ", dh-sequence-hardenunit"
    control = CONTROL_SOURCE.format(name=pkg.name, build_depends=build_depends)
    for binary in pkg.binaries:
        control += CONTROL_BINARY.format(binary=binary)
    with_arg = " --with hardenunit" if mode == "with" else ""
    if mode != "plain" and pkg.dh_options:
        with_arg += " " + pkg.dh_options
    rules = "#!/usr/bin/make -f\n\n%:\n\tdh $@" + with_arg + "\n"
    if pkg.rules_targets:
        rules += "\n" + pkg.rules_targets
    files = {
        "debian/control": control,
        "debian/changelog": CHANGELOG.format(name=pkg.name),
        "debian/copyright": COPYRIGHT.format(name=pkg.name),
        "debian/source/format": "3.0 (native)\n",
        "debian/rules": Exec(rules),
    }
    files.update(pkg.files)
    return {with_units(rel): with_units_in(content) for rel, content in files.items()}


def with_units_in(content):
    if isinstance(content, Symlink):
        return Symlink(with_units(content.target))
    if isinstance(content, Exec):
        return Exec(with_units(content.text))
    return with_units(content)


# (1) A plain daemon, its unit where dh_installsystemd puts it (lib/systemd/system in
# Debian 12), a second one in usr/lib/systemd/system, a user unit, and a shipped drop-in.
# After hardening, the build itself runs dh_hardenunit --check: a second pass
# must find nothing left to do.
PLAIN = SourcePackage(
    name="hu-plain",
    binaries=["hu-plain"],
    files={
        "hu-plaind": DAEMON,
        "debian/hu-plain.service": """\
[Unit]
Description=hu-plain test daemon
Documentation=man:sleep(1)
After=network.target

[Service]
Type=simple
ExecStart=/usr/sbin/hu-plaind
Restart=on-failure

[Install]
WantedBy=multi-user.target
""",
        "debian/hu-plain.user.service": """\
[Unit]
Description=hu-plain per-user agent
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-plaind --user

[Install]
WantedBy=default.target
""",
        "units/hu-plain-worker.service": """\
[Unit]
Description=hu-plain background worker
Documentation=man:sleep(1)

[Service]
Type=simple
ExecStart=/usr/sbin/hu-plaind --worker
""",
        "units/hu-plain.service.d/50-environment.conf": """\
[Service]
Environment=HU_PLAIN_MODE=production
""",
        "debian/hu-plain.install": """\
hu-plaind usr/sbin
units/hu-plain-worker.service usr/lib/systemd/system
units/hu-plain.service.d @UNITS@
""",
    },
    rules_targets="execute_after_dh_hardenunit:\n\tdh_hardenunit --check\n",
    hardenunit_args={"hu-plain": []},
)

# (2) A template service started per connection by an Accept=yes socket, and a
# service activated by its own socket; Debian 13 layout (usr/lib).  Built with
# the strict profile and an explicit systemd version, passed through dh.
SOCKET = SourcePackage(
    name="hu-sock",
    binaries=["hu-sock"],
    files={
        "hu-sockd": DAEMON,
        "units/hu-sock@.service": """\
[Unit]
Description=hu-sock connection handler
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-sockd --inetd
StandardInput=socket
""",
        "units/hu-sock.socket": """\
[Unit]
Description=hu-sock per-connection socket
Documentation=man:sleep(1)

[Socket]
ListenStream=127.0.0.1:7777
Accept=yes

[Install]
WantedBy=sockets.target
""",
        "units/hu-sock-listener.service": """\
[Unit]
Description=hu-sock listener
Documentation=man:sleep(1)
Requires=hu-sock-listener.socket

[Service]
ExecStart=/usr/sbin/hu-sockd --listen
NonBlocking=yes
""",
        "units/hu-sock-listener.socket": """\
[Unit]
Description=hu-sock listener socket
Documentation=man:sleep(1)

[Socket]
ListenStream=/run/hu-sock/listener.sock

[Install]
WantedBy=sockets.target
""",
        "debian/hu-sock.install": """\
hu-sockd usr/sbin
units/hu-sock@.service usr/lib/systemd/system
units/hu-sock.socket usr/lib/systemd/system
units/hu-sock-listener.service usr/lib/systemd/system
units/hu-sock-listener.socket usr/lib/systemd/system
""",
    },
    rules_targets=(
        "override_dh_hardenunit:\n\tdh_hardenunit --profile strict --systemd-version 252\n"
    ),
    hardenunit_args={"hu-sock": ["--profile", "strict", "--systemd-version", "252"]},
)

# (3) A masked unit (symlink to /dev/null) and an alias symlink next to the
# real unit, in place before dh_hardenunit runs: neither may be rewritten.
MASKED = SourcePackage(
    name="hu-mask",
    binaries=["hu-mask"],
    files={
        "hu-maskd": DAEMON,
        "debian/hu-mask.service": """\
[Unit]
Description=hu-mask test daemon
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-maskd

[Install]
WantedBy=multi-user.target
""",
        "debian/hu-mask.install": "hu-maskd usr/sbin\n",
        # dh_link runs after dh_hardenunit: this alias appears only afterwards.
        "debian/hu-mask.links": "@UNITS@/hu-mask.service @UNITS@/hu-mask-compat.service\n",
    },
    rules_targets="""\
execute_after_dh_install:
\tmkdir -p debian/hu-mask/@UNITS@
\tln -s /dev/null debian/hu-mask/@UNITS@/hu-mask-legacy.service
\tln -s hu-mask.service debian/hu-mask/@UNITS@/hu-mask-alias.service
""",
    hardenunit_args={"hu-mask": []},
)

POLICY_OPT_OUT = """\
# hu-policyd serves files from the home directories of its users.
[unit."hu-policy.service"]
skip = ["ProtectHome"]
read_write_paths = ["/var/lib/hu-policy"]
"""

POLICY_UNIT = """\
[Unit]
Description=hu-policy test daemon
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-policyd

[Install]
WantedBy=multi-user.target
"""

# (4) A package policy that opts its unit out of ProtectHome.
POLICY = SourcePackage(
    name="hu-policy",
    binaries=["hu-policy"],
    files={
        "hu-policyd": DAEMON,
        "units/hu-policy.service": POLICY_UNIT,
        "debian/hu-policy.install": """\
hu-policyd usr/sbin
units/hu-policy.service usr/lib/systemd/system
""",
        "debian/hu-policy.hardenunit": POLICY_OPT_OUT,
    },
    hardenunit_args={"hu-policy": []},
    policy_files={"hu-policy": "debian/hu-policy.hardenunit"},
)

# (5) Two binary packages; debian/rules leaves the second one out with -N and
# one unit of the first with -X.  The policy, debian/hardenunit (no package
# prefix: it belongs to the first package), asks for in-place editing.
MULTI = SourcePackage(
    name="hu-multi",
    binaries=["hu-multi-a", "hu-multi-b"],
    files={
        "hu-multid": DAEMON,
        "debian/hu-multi-a.service": """\
[Unit]
Description=hu-multi main daemon
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-multid

[Install]
WantedBy=multi-user.target
""",
        "units/hu-multi-a-debug.service": """\
[Unit]
Description=hu-multi debug shell, left as it is
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-multid --debug
""",
        "debian/hu-multi-b.service": """\
[Unit]
Description=hu-multi helper daemon, in the package left out
Documentation=man:sleep(1)

[Service]
ExecStart=/usr/sbin/hu-multid --helper

[Install]
WantedBy=multi-user.target
""",
        "debian/hu-multi-a.install": """\
hu-multid usr/sbin
units/hu-multi-a-debug.service usr/lib/systemd/system
""",
        "debian/hardenunit": 'mode = "in-place"\n',
    },
    rules_targets=(
        "override_dh_hardenunit:\n\tdh_hardenunit -Nhu-multi-b -Xhu-multi-a-debug.service\n"
    ),
    hardenunit_args={"hu-multi-a": ["--exclude", "hu-multi-a-debug.service"], "hu-multi-b": None},
    policy_files={"hu-multi-a": "debian/hardenunit"},
)

ALL = [PLAIN, SOCKET, MASKED, POLICY, MULTI]


def variant(pkg, files=None, rules_targets=None, drop=(), dh_options=None):
    """A copy of pkg with some files replaced or removed (for the failure cases)."""
    new_files = {k: v for k, v in pkg.files.items() if k not in drop}
    new_files.update(files or {})
    return SourcePackage(
        name=pkg.name,
        binaries=list(pkg.binaries),
        files=new_files,
        rules_targets=pkg.rules_targets if rules_targets is None else rules_targets,
        hardenunit_args=dict(pkg.hardenunit_args),
        policy_files=dict(pkg.policy_files),
        dh_options=pkg.dh_options if dh_options is None else dh_options,
    )
