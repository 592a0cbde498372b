"""Shared helpers of the RPM integration test: tallies, processes, drop-in parsing."""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "rpm-macros" / "macros.hardenunit"
DROPIN = "10-hardenunit.conf"
UNITDIR = "usr/lib/systemd/system"
USERUNITDIR = "usr/lib/systemd/user"


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}")
            for line in str(detail).rstrip().splitlines()[-40:]:
                print(f"     | {line}")
        sys.stdout.flush()
        return ok

    def equal(self, name, got, want):
        return self.check(name, got == want, f"got:  {got!r}\nwant: {want!r}")


def run(cmd, cwd=None, env=None, stdin=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=merged, input=stdin,
                          capture_output=True, text=True)


def dropin_settings(text):
    """The (key, value) assignments of a drop-in's [Service] section, in file order."""
    settings, section = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            settings.append((key.strip(), value.strip()))
    return settings


# What a per-user service manager cannot apply, from systemd.exec(5) of systemd 252: options
# "only available for system services", and the file-system-namespacing ones that work there
# only together with PrivateUsers= (ProtectSystem= per the SANDBOXING introduction). When the
# man page is installed, it is read to confirm every entry.
USER_MANAGER_CANNOT = {
    "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateNetwork",
    "PrivateIPC", "PrivateMounts", "ProtectKernelTunables", "ProtectKernelModules",
    "ProtectKernelLogs", "ProtectClock", "ProtectHostname", "ProtectControlGroups",
    "ProtectProc", "RemoveIPC", "ReadOnlyPaths", "ReadWritePaths", "InaccessiblePaths",
    "TemporaryFileSystem",
}
# Classified by the introduction of the SANDBOXING section, not by a sentence of their own.
USER_MANAGER_CANNOT_BY_SECTION = {"ProtectSystem"}


def man_user_manager_classes():
    """Directive -> 'system-only' | 'needs-PrivateUsers' | 'user-ok' from the installed
    systemd.exec(5), or None when the man page is not installed."""
    page = Path("/usr/share/man/man5/systemd.exec.5.gz")
    if not page.exists():
        return None
    text = run(["sh", "-c", f"zcat {page} | MANWIDTH=80 man -l - 2>/dev/null | col -b"]).stdout
    if not text.strip():
        return None
    paragraphs = []
    for line in text.expandtabs().splitlines():
        header = re.match(r"^ {7}((?:[A-Z][A-Za-z]+=\S*(?:, )?)+)\s*$", line)
        if header:
            names = re.findall(r"([A-Z][A-Za-z]+)=", header.group(1))
            if paragraphs and not paragraphs[-1][1]:
                paragraphs[-1][0].extend(names)
            else:
                paragraphs.append((names, []))
        elif paragraphs and line.startswith(" " * 11):
            paragraphs[-1][1].append(line.strip())
        elif line.strip() and paragraphs:
            paragraphs.append(([], ["(section text)"]))
    classes = {}
    for names, body in paragraphs:
        text = re.sub(r"\s+", " ", " ".join(body))
        if re.search(r"only available for system services and (is|are) not supported", text):
            kind = "system-only"
        elif "PrivateUsers= is enabled" in text:
            kind = "needs-PrivateUsers"
        elif re.search(r"[Ii]f running in user mode", text):
            kind = "user-ok"
        else:
            continue
        for name in names:
            classes[name] = kind
    return classes
