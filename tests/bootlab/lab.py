"""The boot lab: a cached Debian root file system per suite, booted under systemd-nspawn.

The host needs no systemd as PID 1 (no machined, no system bus): containers run with
--register=no --keep-unit, each in a cgroup of its own so that the payload/ and supervisor/
cgroups nspawn creates cannot collide with another run's and can be removed afterwards.

Each boot runs on an overlay of the cached root (upper layer on a tmpfs): every trial starts
clean, the cache is never written, and the merged tree is a plain directory on the host that
`hardenunit --root` can work on exactly as on a package build root. (`/proc/PID/root` of a
--volatile container is not usable for that: canonicalising it yields the host's `/`.)
"""

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

# tests/harness.py: running a command, finding the binary, shared with the other harnesses.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402

# What the lab itself needs inside the container: PID 1, the bus, ss for the socket census.
BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "iproute2", "procps"]
# Bump when the build recipe below changes in a way that must invalidate cached roots.
RECIPE_VERSION = "1"
RUN_BASE = Path("/run/hardenunit-bootlab")
CGROUP_HIERARCHIES = [Path("/sys/fs/cgroup/systemd"), Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")]
CGROUP_PREFIX = "hardenunit-bootlab-"
BOOT_WAIT = 120


class LabError(Exception):
    """The lab itself could not do its job (not a verdict about a service)."""


def log(msg):
    print(f"bootlab: {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True, extra_env=None):
    """harness.run (output captured); with check, a failure is a LabError that shows the
    command's error output."""
    res = harness.run(cmd, extra_env=extra_env)
    if check and res.returncode != 0:
        detail = (res.stderr or res.stdout).strip()
        raise LabError(f"{' '.join(map(str, cmd[:3]))}... exited {res.returncode}" + (f":\n{detail}" if detail else ""))
    return res


# ---------------------------------------------------------------------------- host side


def ensure_host_tools():
    missing = [pkg for tool, pkg in (("systemd-nspawn", "systemd-container"), ("debootstrap", "debootstrap"),
                                      ("nsenter", "util-linux")) if not shutil.which(tool)]
    if missing:
        log(f"installing host packages: {' '.join(missing)}")
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
            extra_env={"DEBIAN_FRONTEND": "noninteractive"})


def apt_sources_uris():
    """URIs of the host's Debian sources, deb822 first, then one-line format."""
    uris = []
    deb822 = Path("/etc/apt/sources.list.d/debian.sources")
    if deb822.exists():
        uris += [u for line in deb822.read_text().splitlines() if line.startswith("URIs:") for u in line.split()[1:]]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        uris += [line.split()[1] for line in legacy.read_text().splitlines()
                 if line.startswith("deb ") and len(line.split()) > 2 and not line.split()[1].startswith("[")]
    return uris


def mirrors():
    """(main mirror, security mirror): environment, then the host's sources, then deb.debian.org."""
    uris = apt_sources_uris()
    main = os.environ.get("HARDENUNIT_BOOTLAB_MIRROR") or next(
        (u for u in uris if "security" not in u), "http://deb.debian.org/debian")
    security = os.environ.get("HARDENUNIT_BOOTLAB_SECURITY_MIRROR") or next(
        (u for u in uris if "security" in u), "http://deb.debian.org/debian-security")
    return main.rstrip("/"), security.rstrip("/")


def root_identity(suite, packages, setup):
    """What a cached root is built from; a root serves every list whose packages it holds."""
    setup = hashlib.sha256(setup).hexdigest()
    return {"recipe": RECIPE_VERSION, "suite": suite, "setup": setup, "packages": sorted(set(packages))}


def cache_key(identity):
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def find_root(cache, identity):
    for marker in sorted(cache.glob("rootfs-*/.bootlab-ready")):
        try:
            have = json.loads(marker.read_text())
        except (OSError, ValueError):
            continue
        same = all(have.get(k) == identity[k] for k in ("recipe", "suite", "setup"))
        if same and set(identity["packages"]) <= set(have.get("packages", [])):
            return marker.parent
    return None


def root_suite(root):
    try:
        return json.loads((root / ".bootlab-ready").read_text()).get("suite")
    except (OSError, ValueError, AttributeError):
        return None


class CacheLock:
    """Shared while a run boots a cached root, exclusive while one is built or pruned."""

    def __init__(self, cache):
        cache.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(cache / "lock", os.O_RDWR | os.O_CREAT, 0o644)

    def shared(self):
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def exclusive(self):
        fcntl.flock(self.fd, fcntl.LOCK_EX)


def nspawn_run(root, script, logfile, timeout):
    """A non-booted nspawn run: a chroot with namespaces, the host's network (apt works)."""
    with Cgroup(f"build-{os.getpid()}") as cg, open(logfile, "a") as out:
        res = subprocess.run(
            ["timeout", str(timeout), "systemd-nspawn", "-q", "--register=no", "--keep-unit",
             f"--machine=bootlab-build-{os.getpid()}", "-D", str(root), "--pipe", "sh", "-c", script],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=cg.join_self)
    remove_propagate_dir(f"bootlab-build-{os.getpid()}")
    if res.returncode != 0:
        raise LabError(f"in the root file system, {script.split()[0]}... exited {res.returncode}; see {logfile}")


def apt_sources(suite, main_mirror, security_mirror):
    """deb822 sources of a suite: a release also has -updates and -security; unstable has neither."""
    signed = "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    if suite in ("sid", "unstable"):
        return f"Types: deb\nURIs: {main_mirror}\nSuites: {suite}\nComponents: main\n{signed}"
    return (f"Types: deb\nURIs: {main_mirror}\nSuites: {suite} {suite}-updates\nComponents: main\n{signed}\n"
            f"Types: deb\nURIs: {security_mirror}\nSuites: {suite}-security\nComponents: main\n{signed}")


def build_rootfs(cache, suite, packages, setup_script, lock):
    """Returns a cached root of SUITE holding these packages and this setup, building it when missing."""
    # Read once: the root runs the very script its identity names, even if the file is edited
    # while the root is built.
    setup = Path(setup_script).read_bytes()
    identity = root_identity(suite, packages, setup)
    found = find_root(cache, identity)
    if found:
        return found
    lock.exclusive()
    try:
        found = find_root(cache, identity)
        if found:
            return found
        key = cache_key(identity)
        final = cache / f"rootfs-{key}"
        ensure_host_tools()
        main_mirror, security_mirror = mirrors()
        partial = cache / f"rootfs-{key}.partial"
        logfile = cache / f"build-{key}.log"
        if partial.exists():
            shutil.rmtree(partial)
        logfile.write_text("")
        started = time.monotonic()
        log(f"building {final} from {main_mirror} (log: {logfile})")
        with open(logfile, "a") as out:
            res = subprocess.run(
                ["timeout", "1800", "debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}",
                 suite, str(partial), main_mirror], stdout=out, stderr=subprocess.STDOUT)
        if res.returncode != 0:
            raise LabError(f"debootstrap exited {res.returncode}; see {logfile}")
        log(f"  debootstrap done after {time.monotonic() - started:.0f} s")
        (partial / "etc/apt/sources.list").unlink(missing_ok=True)
        (partial / "etc/apt/sources.list.d/debian.sources").write_text(
            apt_sources(suite, main_mirror, security_mirror))
        # Keep maintainer scripts from starting daemons in the (unbooted) build: they would
        # bind the host's ports, since this nspawn run shares the host's network.
        policy = partial / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        # A mirror that is a snapshot (or a clock ahead of it) serves an unstable Release file
        # past its Valid-Until; debootstrap took it, and a throw-away test root may too.
        apt = "apt-get -o Acquire::Check-Valid-Until=false"
        nspawn_run(partial, f"{apt} update -q && DEBIAN_FRONTEND=noninteractive {apt} install -y -q "
                   f"--no-install-recommends {' '.join(sorted(packages))} && apt-get clean", logfile, 1800)
        log(f"  packages installed after {time.monotonic() - started:.0f} s")
        (partial / "root/bootlab-setup.sh").write_bytes(setup)
        nspawn_run(partial, "sh -eu /root/bootlab-setup.sh", logfile, 300)
        (partial / "root/bootlab-setup.sh").unlink()
        policy.unlink()
        (partial / ".bootlab-ready").write_text(json.dumps(identity, indent=1) + "\n")
        partial.rename(final)
        log(f"  root file system ready after {time.monotonic() - started:.0f} s")
        # One root per suite is kept: each is over a GiB. (Runs hold the lock shared, so none is
        # in use.) A root without a readable marker is a leftover of an interrupted build.
        for stale in cache.glob("rootfs-*"):
            if stale != final and root_suite(stale) in (suite, None):
                log(f"  removing stale {stale}")
                shutil.rmtree(stale, ignore_errors=True)
                (cache / f"build-{stale.name.removeprefix('rootfs-')}.log").unlink(missing_ok=True)
        return final
    finally:
        lock.shared()


# ---------------------------------------------------------------------------- cgroups


class Cgroup:
    """A cgroup of our own in every hierarchy nspawn uses (v1 name=systemd and v2)."""

    def __init__(self, name):
        self.name = CGROUP_PREFIX + name
        self.dirs = []
        for hier in CGROUP_HIERARCHIES:
            if (hier / "cgroup.procs").exists() and not (hier == Path("/sys/fs/cgroup") and self.dirs):
                self.dirs.append(hier / self.name)

    def __enter__(self):
        for d in self.dirs:
            d.mkdir(exist_ok=True)
        return self

    def join_self(self):
        for d in self.dirs:
            (d / "cgroup.procs").write_text(str(os.getpid()))

    def __exit__(self, *exc):
        self.remove()

    def remove(self):
        for d in self.dirs:
            remove_cgroup_tree(d)


def remove_cgroup_tree(top):
    if not top.is_dir():
        return
    for dirpath, _, _ in sorted(os.walk(top), key=lambda entry: -entry[0].count("/")):
        try:
            os.rmdir(dirpath)
        except OSError:
            pass


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def cgroup_pids(top):
    pids = set()
    for dirpath, _, files in os.walk(top):
        if "cgroup.procs" in files:
            try:
                pids |= {int(p) for p in Path(dirpath, "cgroup.procs").read_text().split()}
            except OSError:
                pass
    return pids


def cleanup_stale():
    """Removes what a killed run left behind: its container, overlay mounts and cgroups."""
    for hier in CGROUP_HIERARCHIES:
        if not hier.is_dir():
            continue
        for d in hier.glob(CGROUP_PREFIX + "*"):
            owner = d.name.rsplit("-", 1)[-1]
            if not owner.isdigit() or pid_alive(int(owner)):
                continue
            leftovers = cgroup_pids(d)
            if leftovers:
                log(f"stopping what run {owner} left running: {len(leftovers)} process(es)")
                for pid in leftovers:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                for _ in range(50):
                    if not cgroup_pids(d):
                        break
                    time.sleep(0.1)
            remove_cgroup_tree(d)
    if RUN_BASE.is_dir():
        for entry in RUN_BASE.iterdir():
            if entry.name.isdigit() and not pid_alive(int(entry.name)):
                log(f"removing the overlay of run {entry.name}")
                unmount_run_dir(entry)
                remove_propagate_dir(f"bootlab-{entry.name}")


def unmount_run_dir(run_dir):
    for mnt in (run_dir / "merged", run_dir / "layers"):
        if os.path.ismount(mnt):
            run(["umount", "-l", str(mnt)], check=False)
    shutil.rmtree(run_dir, ignore_errors=True)


def remove_propagate_dir(machine):
    # nspawn leaves its (empty) mount propagation directory when /run is not a tmpfs.
    propagate = Path("/run/systemd/nspawn/propagate") / machine
    if propagate.is_dir():
        shutil.rmtree(propagate, ignore_errors=True)


# ---------------------------------------------------------------------------- container


def children_of():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Container:
    def __init__(self, rootfs, lifetime=3600):
        self.rootfs = rootfs
        self.lifetime = lifetime
        self.run_dir = RUN_BASE / str(os.getpid())
        self.merged = self.run_dir / "merged"
        self.boot_log = self.run_dir / "boot.log"
        self.cgroup = Cgroup(str(os.getpid()))
        self.proc = None
        self.leader = None

    def start(self):
        started = time.monotonic()
        layers = self.run_dir / "layers"
        for d in (layers, self.merged):
            d.mkdir(parents=True, exist_ok=True)
        run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=8g", "bootlab-layers", str(layers)])
        (layers / "upper").mkdir()
        (layers / "work").mkdir()
        run(["mount", "-t", "overlay", "bootlab", "-o",
             f"lowerdir={self.rootfs},upperdir={layers}/upper,workdir={layers}/work", str(self.merged)])
        self.cgroup.__enter__()
        # A v2-only container: with the host's hybrid layout, IPAddressDeny= and DevicePolicy=
        # need cgroup2 and BPF, which nspawn's own seccomp filter blocks unless allowed.
        env = {**os.environ, "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY": "1"}
        with open(self.boot_log, "w") as out:
            self.proc = subprocess.Popen(
                ["timeout", str(self.lifetime), "systemd-nspawn", "--register=no", "--keep-unit", "-q",
                 f"--machine=bootlab-{os.getpid()}", "-D", str(self.merged), "-b", "--console=read-only",
                 "--private-network", "--system-call-filter=bpf"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True, preexec_fn=self.cgroup.join_self)
        self.leader = self._find_leader()
        deadline = time.monotonic() + 30
        while not (Path(f"/proc/{self.leader}/root/run/systemd/system")).exists():
            if time.monotonic() > deadline:
                raise LabError(f"container never came up; see {self.boot_log}")
            time.sleep(0.05)
        # "offline" until the container's bus answers; then wait for the boot to finish, but
        # not forever: a unit stuck in its start timeout must not stall the whole lab.
        state, deadline = "", time.monotonic() + BOOT_WAIT
        while time.monotonic() < deadline:
            left = max(1, int(deadline - time.monotonic()))
            state = self.x("systemctl", "is-system-running", "--wait", timeout=left, check=False).stdout.strip()
            if state and state != "offline":
                break
            time.sleep(0.1)
        log(f"container up in {time.monotonic() - started:.1f} s (system {state or 'unknown'})")
        return state

    def _find_leader(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LabError(f"systemd-nspawn exited {self.proc.returncode}; see {self.boot_log}")
            kids = children_of()
            todo = list(kids.get(self.proc.pid, []))
            while todo:
                pid = todo.pop(0)
                if comm(pid) == "systemd":
                    return pid
                todo += kids.get(pid, [])
            time.sleep(0.05)
        raise LabError(f"no systemd inside the container; see {self.boot_log}")

    def x(self, *cmd, timeout=60, check=True, stdin=None):
        """Runs a command inside the container (all its namespaces); returns CompletedProcess."""
        # A probe's tool may print bytes that are not UTF-8; output is only shown, so such bytes
        # must not stop the lab.
        try:
            res = subprocess.run(["nsenter", "-t", str(self.leader), "-a", *cmd], text=True, errors="replace",
                                 capture_output=True, timeout=timeout, input=stdin)
        except subprocess.TimeoutExpired:
            res = subprocess.CompletedProcess(cmd, 124, "", f"timed out after {timeout} s")
        if check and res.returncode != 0:
            raise LabError(f"in the container, {' '.join(cmd)[:60]} exited {res.returncode}: {res.stderr.strip()[:300]}")
        return res

    def sh(self, script, timeout=60, check=True):
        return self.x("sh", "-c", script, timeout=timeout, check=check)

    def in_netns(self, *cmd, timeout=30):
        """A host program inside the container's network namespace only (it sees only lo)."""
        try:
            return subprocess.run(["nsenter", f"--net=/proc/{self.leader}/ns/net", *cmd], text=True, errors="replace",
                                  capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(cmd, 124, "", f"timed out after {timeout} s")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            if self.leader:
                self.x("systemctl", "poweroff", timeout=20, check=False)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Nothing in the container is worth a graceful stop (its changes are thrown
                # away), and a daemon stuck in its stop timeout (spamd while it loads) would
                # hold the poweroff for 90 s: killing PID 1 ends its whole PID namespace.
                log("container still shutting down after 15 s; killing it")
                try:
                    os.kill(self.leader, signal.SIGKILL)
                    self.proc.wait(timeout=10)
                except (ProcessLookupError, TypeError, subprocess.TimeoutExpired):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        unmount_run_dir(self.run_dir)
        self.cgroup.remove()
        remove_propagate_dir(f"bootlab-{os.getpid()}")
