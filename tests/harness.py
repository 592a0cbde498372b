"""What the Python test harnesses share (tests/debhelper, tests/rpm, tests/bootlab): a tally
of named checks, running a command, finding the hardenunit binary, the systemd release
hardenunit targets, and that release's own systemd-analyze as the oracle.

A harness puts this directory on sys.path and imports it:

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from harness import Tally, run, find_hardenunit

Standard library only: it also runs inside the Debian roots of tests/in-release-root.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# tests/in-release-root marks the private root a harness runs in with this file.
RELEASE_ROOT_MARK = "/.hardenunit-release-root"


class Tally:
    """Named checks: each prints one line ("ok", "FAIL" with the detail's last lines, "skip"
    with the reason), and the harness ends with summary() and exit_code()."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            self.failures.append(name)
            print(f"FAIL {name}", flush=True)
            for line in str(detail).rstrip("\n").splitlines()[-40:]:
                print(f"     | {line}", flush=True)
        return ok

    def equal(self, name, got, want):
        return self.check(name, got == want, f"got:  {got!r}\nwant: {want!r}")

    def skip(self, name, why):
        """A check that cannot run here, said as such: never counted as passed."""
        self.skipped += 1
        print(f"skip {name}: {why}", flush=True)

    def unavailable(self, name, why):
        """An oracle this machine lacks: skipped, or failed under HARDENUNIT_REQUIRE_ROOTS=1
        (scripts/test as root), so that CI never skips one."""
        if os.environ.get("HARDENUNIT_REQUIRE_ROOTS") == "1":
            self.check(name, False, f"{why} (HARDENUNIT_REQUIRE_ROOTS=1)")
        else:
            self.skip(name, why)

    def summary(self):
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return f"{self.passed} passed, {self.failed} failed{skipped}"

    def exit_code(self):
        return 1 if self.failed else 0


def run(cmd, cwd=None, env=None, extra_env=None, stdin=None, merge=False):
    """Runs cmd and returns the CompletedProcess (text), never raising on a non-zero exit.

    env: the whole environment (default: this process's), extra_env: added to it. stdin: None
    (no input), a str (the input) or a file. merge: stderr into stdout, in order, as a build
    log shows them."""
    environment = dict(os.environ if env is None else env)
    environment.update(extra_env or {})
    feed = {"input": stdin} if isinstance(stdin, str) else {"stdin": stdin or subprocess.DEVNULL}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=environment, text=True, errors="replace",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                          **feed)


def find_hardenunit():
    """$HARDENUNIT when set, else target/release/hardenunit, else target/debug/hardenunit: an
    absolute path, or None when none is an executable file. A $HARDENUNIT that is not one
    gives None: the binary asked for is never replaced by another build."""
    chosen = os.environ.get("HARDENUNIT")
    candidates = [chosen] if chosen else [str(REPO / "target" / kind / "hardenunit") for kind in ("release", "debug")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


def hardenunit_env():
    """The environment hardenunit runs with in a harness. The build machine's installed policy
    layers must not change the results, so they are off, unless HARDENUNIT_TEST_SYSTEM_POLICY=1
    says that they belong to the test: a private release root whose vendor layer names its
    release, as that release's package would (tests/in-release-root)."""
    env = {"NO_COLOR": "1", "LC_ALL": "C.UTF-8"}
    if os.environ.get("HARDENUNIT_TEST_SYSTEM_POLICY") != "1":
        env["HARDENUNIT_NO_SYSTEM_POLICY"] = "1"
    return env


def target_version(hardenunit, options=(), cwd=None, env=None):
    """The systemd release a hardenunit run with these options writes for (what its --policy
    and --systemd-version say, else the policy layers), from `hardenunit policy`."""
    picked = []
    for flag, value in zip(options, options[1:]):
        if flag in ("--policy", "--systemd-version"):
            picked += [flag, value]
    proc = run([hardenunit, "policy", *picked], cwd=cwd, env=env, extra_env=hardenunit_env())
    m = re.search(r"^systemd_version = (\d+)$", proc.stdout, re.MULTILINE)
    if not m:
        raise RuntimeError(f"hardenunit policy names no systemd_version: {proc.stdout}{proc.stderr}")
    return int(m.group(1))


def local_systemd_version():
    if shutil.which("systemd-analyze") is None:
        return None
    m = re.match(r"systemd (\d+)", run(["systemd-analyze", "--version"]).stdout)
    return int(m.group(1)) if m else None


class Oracle:
    """The `systemd-analyze` whose exposure hardenunit reproduces for a target release: this
    machine's when it runs that release, else the one in the cached Debian root of it
    (scripts/debian-root; as root), with the trees copied under the root's /tmp.

    Target releases between the exact ones are scored by the rules of the one before them
    (252 for anything older than 257, 257 up to 261, 262 from there): the oracle is that one's.
    """

    SUITES = {252: "bookworm", 257: "trixie", 262: "sid"}

    def __init__(self, version, root=None):
        self.version = version
        self.root = root
        self.scratch = tempfile.mkdtemp(prefix="hardenunit-oracle.", dir=os.path.join(root, "tmp")) if root else None

    @classmethod
    def release_for(cls, target):
        return max(v for v in cls.SUITES if v <= max(target, min(cls.SUITES)))

    @classmethod
    def for_version(cls, version):
        """(Oracle, None), or (None, why it cannot run here)."""
        if local_systemd_version() == version:
            return cls(version), None
        suite = cls.SUITES[version]
        if os.geteuid() != 0:
            return None, f"systemd {version} is not this machine's, and only root can chroot into a {suite} root"
        if Path(RELEASE_ROOT_MARK).exists():
            return None, f"in a release root (systemd {local_systemd_version()}), no other release's root"
        proc = run([REPO / "scripts" / "debian-root", suite])
        if proc.returncode != 0:
            return None, f"scripts/debian-root {suite} failed: {proc.stderr.strip()}"
        return cls(version, proc.stdout.strip()), None

    def security(self, tree, unit):
        """`systemd-analyze security --offline=true --root=TREE UNIT` (CompletedProcess)."""
        args = ["security", "--offline=true", "--no-pager"]
        env = {"SYSTEMD_COLORS": "0", "LC_ALL": "C.UTF-8"}
        if self.root is None:
            return run(["systemd-analyze", *args, f"--root={tree}", unit], extra_env=env)
        copy = tempfile.mkdtemp(dir=self.scratch)
        shutil.copytree(tree, copy, symlinks=True, dirs_exist_ok=True)
        merge_usr(copy, self.root)
        try:
            inside = "/" + os.path.relpath(copy, self.root)
            return run(["chroot", self.root, "systemd-analyze", *args, f"--root={inside}", unit], extra_env=env)
        finally:
            shutil.rmtree(copy, ignore_errors=True)

    def close(self):
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def merge_usr(tree, like):
    """Where the root `like` has merged /usr (lib -> usr/lib), `tree`'s lib/ moves into usr/lib,
    as dpkg installs a package there. systemd 257's systemd-analyze --root searches
    usr/lib/systemd/system only; Debian 12's debhelper puts units in lib/systemd/system."""
    lib = os.path.join(tree, "lib")
    if not os.path.islink(os.path.join(like, "lib")) or os.path.islink(lib) or not os.path.isdir(lib):
        return
    shutil.copytree(lib, os.path.join(tree, "usr", "lib"), symlinks=True, dirs_exist_ok=True)
    shutil.rmtree(lib)
    os.symlink("usr/lib", lib)


class Oracles:
    """The oracle of each target release a harness meets, made once."""

    def __init__(self):
        self.made = {}

    def for_target(self, target):
        """(Oracle, None), or (None, why it cannot run here)."""
        version = Oracle.release_for(target)
        if version not in self.made:
            self.made[version] = Oracle.for_version(version)
        return self.made[version]

    def close(self):
        for oracle, _ in self.made.values():
            if oracle:
                oracle.close()
