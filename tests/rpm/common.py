"""Shared helpers of the RPM integration test: paths, drop-in parsing, systemd.exec(5)."""

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import REPO, run  # noqa: E402

MACROS = REPO / "rpm-macros" / "macros.hardenunit"
DROPIN = "10-hardenunit.conf"
UNITDIR = "usr/lib/systemd/system"
USERUNITDIR = "usr/lib/systemd/user"


def macro_path(*files):
    """rpm's configured macro path with these macro files after it, as if installed in
    %{_rpmmacrodir}. From rpm 4.20 rpmbuild builds a spec with the configured macros only: a
    file given with --load is seen by --eval, not by the spec."""
    showrc = run(["rpm", "--showrc"]).stdout
    configured = re.search(r"^Macro path: (.*)$", showrc, re.MULTILINE)
    if configured is None:
        raise RuntimeError(f"rpm --showrc names no macro path: {showrc[:500]}")
    return ":".join([configured.group(1), *map(str, files)])


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
    # Neither hyphenated nor justified: words stay whole on every release's groff.
    text = run(["sh", "-c", f"zcat {page} | MANWIDTH=80 man --nh --nj -l - 2>/dev/null | col -b"]).stdout
    if not text.strip():
        return None
    # The options' names are indented alike (7 columns in 252, 5 in 262), their text deeper;
    # a line of prose can look like a name line too, at another indent.
    lines = text.expandtabs().splitlines()
    name_line = re.compile(r"^( +)((?:[A-Z][A-Za-z]+=\S*(?:, )?)+)\s*$")
    indents = Counter(len(m.group(1)) for m in map(name_line.match, lines) if m)
    if not indents:
        return {}
    name_indent = indents.most_common(1)[0][0]
    paragraphs = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        header = name_line.match(line)
        if header and indent == name_indent:
            names = re.findall(r"([A-Z][A-Za-z]+)=", header.group(2))
            if paragraphs and not paragraphs[-1][1]:
                paragraphs[-1][0].extend(names)
            else:
                paragraphs.append((names, []))
        elif paragraphs and line.strip() and indent > name_indent:
            paragraphs[-1][1].append(line.strip())
        elif line.strip() and paragraphs:
            paragraphs.append(([], ["(section text)"]))
    classes = {}
    for names, body in paragraphs:
        text = re.sub(r"\s+", " ", " ".join(body))
        if re.search(r"only available for system services and (is|are) not supported", text):
            kind = "system-only"
        # 252: "... when PrivateUsers= is enabled"; from 257 a user manager turns it on itself
        # ("in which case PrivateUsers= is implicitly enabled", 262 also "this option
        # implicitly enables PrivateUsers="), which needs unprivileged user namespaces, which
        # a kernel or an AppArmor policy may refuse.
        elif re.search(r"PrivateUsers= is (implicitly )?enabled|implicitly enables PrivateUsers=", text):
            kind = "needs-PrivateUsers"
        elif re.search(r"[Ii]f running in user mode", text):
            kind = "user-ok"
        else:
            continue
        for name in names:
            classes[name] = kind
    return classes
