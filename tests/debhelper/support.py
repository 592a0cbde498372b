"""Helpers of the debhelper integration test: commands, trees, builds."""

import os
import shutil
import stat
import time
from dataclasses import dataclass

import harness
from packages import Exec, Symlink, render


def run(cmd, cwd=None, env=None, stdin=None):
    """Runs cmd, stdout and stderr merged as in a build log, never raises on failure."""
    return harness.run(cmd, cwd=cwd, env=env, stdin=stdin, merge=True)


def clean_env(extra=None):
    """The caller's environment minus what would change how debhelper behaves."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DH_", "DEB_")) and k not in ("HARDENUNIT", "PERL5LIB", "MAKEFLAGS")
    }
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra or {})
    return env


def write_tree(root, files):
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, path)
            continue
        text = content.text if isinstance(content, Exec) else content
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o755 if isinstance(content, Exec) else 0o644)


def snapshot(root):
    """relative path -> ("dir",) | ("link", target) | ("file", bytes, mode), symlinks not followed."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                tree[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                tree[rel] = ("dir",)
            else:
                with open(path, "rb") as f:
                    tree[rel] = ("file", f.read(), stat.S_IMODE(st.st_mode))
    return tree


def tree_changes(before, after):
    """Paths added, removed and changed from one snapshot to the other (sorted lists)."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after) if before[p] != after[p])
    return added, removed, changed


def systemd_paths(tree):
    return {p: v for p, v in tree.items() if "/systemd/" in "/" + p}


def describe_changes(before, after, limit=20):
    added, removed, changed = tree_changes(before, after)
    lines = [f"+ {p}" for p in added] + [f"- {p}" for p in removed] + [f"~ {p}" for p in changed]
    return "\n".join(lines[:limit]) or "(no differences)"


@dataclass
class Build:
    ok: bool
    log: str
    srcdir: str
    outdir: str
    debs: dict  # binary package -> .deb path
    seconds: float


def build(pkg, mode, outdir, env):
    """Writes pkg for mode into outdir/NAME-1.0 and runs dpkg-buildpackage -b there."""
    os.makedirs(outdir)
    srcdir = os.path.join(outdir, f"{pkg.name}-1.0")
    write_tree(srcdir, render(pkg, mode))
    start = time.monotonic()
    proc = run(["dpkg-buildpackage", "-us", "-uc", "-b", "-d"], cwd=srcdir, env=env)
    seconds = time.monotonic() - start
    with open(os.path.join(outdir, "build.log"), "w", encoding="utf-8") as f:
        f.write(proc.stdout)
    debs = {}
    for name in os.listdir(outdir):
        if name.endswith(".deb"):
            debs[name.split("_", 1)[0]] = os.path.join(outdir, name)
    return Build(proc.returncode == 0, proc.stdout, srcdir, outdir, debs, seconds)


def extract(deb, dest):
    proc = run(["dpkg-deb", "-x", deb, dest])
    if proc.returncode != 0:
        raise RuntimeError(f"dpkg-deb -x {deb}: {proc.stdout}")
    return dest


def deb_listing(deb):
    """path -> (mode string, owner/group) from the data tarball."""
    proc = run(["dpkg-deb", "-c", deb])
    listing = {}
    for line in proc.stdout.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        name = parts[5].split(" -> ")[0]
        listing[name.lstrip("./").rstrip("/")] = (parts[0], parts[1])
    return listing


def lintian_tags(deb):
    """Set of "X: package: tag details" lines lintian prints for the .deb (all severities)."""
    proc = run(["lintian", "--pedantic", "-I", "-E", "--no-tag-display-limit", deb],
               env=clean_env())
    tags = set()
    for line in proc.stdout.splitlines():
        if len(line) > 2 and line[1] == ":" and line[0] in "EWIPX":
            tags.add(line)
    return tags, proc


def need_tools(results, tools):
    missing = [t for t in tools if shutil.which(t) is None]
    results.check(
        "needed tools installed: " + " ".join(tools),
        not missing,
        "missing: " + " ".join(missing)
        + "\n(apt-get install -y debhelper dpkg-dev lintian fakeroot perl systemd make)",
    )
    return not missing
