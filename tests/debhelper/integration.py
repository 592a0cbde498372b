"""Real builds: each test package built without the addon, with `dh --with
hardenunit` and with Build-Depends: dh-sequence-hardenunit, the .debs unpacked
and compared with what hardenunit predicts for the unhardened tree, with the
package's policy, with lintian, and with the target release's systemd-analyze security
(this machine's, or the one in that release's cached Debian root: tests/harness.py)."""

import json
import os
import re
import shutil
from collections import Counter

import packages
from packages import MASKED, MULTI, PLAIN, POLICY, SOCKET, dh_units
from support import (build, clean_env, deb_listing, describe_changes, extract, lintian_tags,
                     snapshot, systemd_paths, tree_changes)
import harness
from harness import Oracles, target_version

# "foo.service: exposure 9.6 → 4.1"; words after a number (a rating like UNSAFE) are allowed;
# a user unit is "foo.service (user)".
EXPOSURE_IN_LOG = re.compile(r"(\S+(?: \(user\))?): exposure (\d+\.\d)\b[^\d\n]*?(?:→|->)\s*(\d+\.\d)")
ORACLE_OVERALL = re.compile(r"Overall exposure level for \S+: (\d+\.\d)")


class Context:
    def __init__(self, results, workdir, env, hardenunit):
        self.results = results
        self.workdir = workdir
        self.env = env
        self.hardenunit = hardenunit
        self.timings = []
        self.lintian_report = []
        self.oracles = Oracles()

    def check(self, *args):
        return self.results.check(*args)

    def build(self, pkg, mode, label, extra_env=None):
        outdir = os.path.join(self.workdir, "builds", pkg.name, label)
        b = build(pkg, mode, outdir, clean_env({**self.env, **(extra_env or {})}))
        self.timings.append((f"{pkg.name}/{label}", b.seconds))
        return b

    def unpack(self, b, binary, label):
        return extract(b.debs[binary], os.path.join(b.outdir, f"unpacked-{binary}-{label}"))

    def hardenunit_run(self, args, cwd):
        """stdout apart from stderr: --format json is read from stdout alone."""
        return harness.run([self.hardenunit, *args], cwd=cwd, env=clean_env(self.env))


def tail(text, lines=30):
    return "\n".join(text.splitlines()[-lines:])


def rel_in_root(path, root):
    """hardenunit may print paths inside the root, host paths, or rooted paths: make them relative."""
    root = os.path.abspath(root)
    if os.path.isabs(path) and (path == root or path.startswith(root + "/")):
        return os.path.relpath(path, root)
    return path.lstrip("/")


def assignment_lines(data):
    """Key=Value lines of a unit file (comments, blanks and section headers left out)."""
    lines = []
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;" or line.startswith("["):
            continue
        key, sep, value = line.partition("=")
        if sep:
            lines.append(f"{key.strip()}={value.strip()}")
    return lines


def added_assignments(before, after, files):
    """Key=Value lines the hardening added, over the files it wrote."""
    added = Counter()
    for rel in files:
        new = Counter(assignment_lines(after[rel][1])) if after.get(rel, ("",))[0] == "file" else Counter()
        old = Counter(assignment_lines(before[rel][1])) if before.get(rel, ("",))[0] == "file" else Counter()
        added += new - old
    return added


def oracle_exposure(oracle, root, unit):
    name = unit.replace("@.", "@i.") if "@." in unit else unit
    proc = oracle.security(root, name)
    m = ORACLE_OVERALL.search(proc.stdout)
    return (m.group(1) if m else None), proc.stdout


def hardenunit_args(pkg, binary):
    args = list(pkg.hardenunit_args[binary])
    policy = pkg.policy_for(binary)
    return (["--policy", policy] if policy else []) + args


def copy_tree(src, dest):
    shutil.copytree(src, dest, symlinks=True)
    return dest


def shown_name(entry):
    """The unit as the log names it: a user unit is marked, a system unit may share its name."""
    return entry["unit"] + (" (user)" if entry.get("scope") == "user" else "")


def check_log_shape(ctx, label, log, binary, plan, predict_root, verbose):
    """Per unit: one line (exposure, counts, file), each skip with its reason, the diff once;
    every directive with its reason only in a verbose log."""
    lines = log.splitlines()
    for entry in plan:
        if entry.get("status") != "planned" or entry.get("left_alone") is not None:
            continue
        rel = rel_in_root(entry["path"], predict_root)
        head = re.compile(rf"{re.escape(shown_name(entry))}: exposure {entry['exposure_before']:.1f}(?: [A-Z]+)? "
                          rf"-> {entry['exposure_after']:.1f}(?: [A-Z]+)?, {len(entry['added'])} added, "
                          rf"{len(entry['skipped'])} skipped, in debian/{re.escape(binary)}/{re.escape(rel)}")
        heads = [line for line in lines if head.fullmatch(line)]
        ctx.check(f"{label}: {rel}: one line with exposure, counts and file", len(heads) == 1,
                  f"{head.pattern}\n" + tail(log, 30))
        missing = [k for k in entry["skipped"] if f"  - {k['directive']} skipped: {k['reason']}" not in lines
                   and not any(re.fullmatch(rf"  - {re.escape(k['directive'])} +skipped: {re.escape(k['reason'])}", line)
                               for line in lines)]
        ctx.check(f"{label}: {rel}: each skip with its reason", not missing, f"missing {missing}\n" + tail(log, 30))
        for f in entry["files"]:
            frel = rel_in_root(f, predict_root)
            shown = [line for line in lines if line.startswith("+++ ") and line.endswith("/" + frel)]
            ctx.check(f"{label}: {frel}: the diff is in the log once", len(shown) == 1, tail(log, 30))
        table = [a for a in entry["added"]
                 if any(line.startswith(f"  + {a['directive']}={a['value']} ") and line.endswith(a["reason"])
                        for line in lines)]
        if verbose:
            ctx.check(f"{label}: {rel}: verbose: every added directive with its reason",
                      len(table) == len(entry["added"]), tail(log, 30))
        else:
            ctx.check(f"{label}: {rel}: no per-directive table (the diff shows the settings)", not table,
                      str(table))


def check_hardened_binary(ctx, pkg, binary, plain, hardened, seq):
    """Compares one binary package built with the addon against the unhardened build."""
    name = f"{pkg.name}/{binary}"
    pristine_dir = ctx.unpack(plain, binary, "plain")
    hardened_dir = ctx.unpack(hardened, binary, "with")
    before, after = snapshot(pristine_dir), snapshot(hardened_dir)

    if pkg.hardenunit_args.get(binary) is None:
        ctx.check(f"{name}: left out with -N, identical to the build without the addon",
                  before == after, describe_changes(before, after))
        return before, after

    args = hardenunit_args(pkg, binary)
    predict_root = copy_tree(pristine_dir, os.path.join(hardened.outdir, f"predict-{binary}"))
    proc = ctx.hardenunit_run(["--format", "json", "--root", predict_root, *args], cwd=plain.srcdir)
    plan = None
    try:
        plan = json.loads(proc.stdout)
    except ValueError:
        pass
    ctx.check(f"{name}: hardenunit --format json predicts a plan for the unhardened tree",
              proc.returncode == 0 and isinstance(plan, list), tail(proc.stdout + proc.stderr))
    ctx.check(f"{name}: the prediction wrote nothing", snapshot(predict_root) == before,
              describe_changes(before, snapshot(predict_root)))
    if not isinstance(plan, list):
        return before, after

    apply_root = copy_tree(pristine_dir, os.path.join(hardened.outdir, f"apply-{binary}"))
    proc = ctx.hardenunit_run(["--write", "--root", apply_root, *args], cwd=plain.srcdir)
    applied = snapshot(apply_root)
    ctx.check(f"{name}: the .deb holds exactly what hardenunit --write does to the unhardened tree",
              proc.returncode == 0 and applied == after,
              tail(proc.stdout + proc.stderr) + "\n" + describe_changes(applied, after))

    check_log_shape(ctx, f"{name}: build log", hardened.log, binary, plan, predict_root, verbose=False)
    if pkg is PLAIN:
        check_log_shape(ctx, f"{name}: DH_VERBOSE=1 build log", seq.log, binary, plan, predict_root, verbose=True)

    added, removed, changed = tree_changes(before, after)
    touched = {p for p in added + changed if after[p][0] != "dir"}
    planned = {rel_in_root(f, predict_root) for entry in plan for f in entry.get("files", [])}
    ctx.check(f"{name}: files changed by the build = files in the plan, all unit files",
              touched == planned and not removed and all("/systemd/" in "/" + p for p in touched),
              f"changed {sorted(touched)}\nplanned {sorted(planned)}\nremoved {removed}")
    ctx.check(f"{name}: the addon hardened at least one unit", bool(touched))

    for entry in plan:
        files = [rel_in_root(f, predict_root) for f in entry.get("files", [])]
        # The same name can be a system and a user unit: name the unit by its path.
        unit = rel_in_root(entry.get("path", entry.get("unit", "?")), predict_root)
        expected = Counter(f"{a['directive']}={a['value']}" for a in entry.get("added", []))
        got = added_assignments(before, after, files)
        ctx.check(f"{name}: {unit} carries exactly the planned directives",
                  got == expected, f"planned {sorted(expected)}\nshipped {sorted(got)}")
        skipped = {s["directive"] for s in entry.get("skipped", [])}
        leaked = [line for line in got if line.split("=", 1)[0] in skipped]
        ctx.check(f"{name}: {unit}: no skipped directive was written", not leaked, str(leaked))
        if not files:
            continue
        pair = (f"{float(entry['exposure_before']):.1f}", f"{float(entry['exposure_after']):.1f}")
        ctx.check(f"{name}: {unit}: build log shows exposure {pair[0]} → {pair[1]}",
                  (shown_name(entry), *pair) in EXPOSURE_IN_LOG.findall(hardened.log), tail(hardened.log, 15))
        in_log = all(any(line.startswith("+++") and f.split("/systemd/", 1)[-1] in line
                         for line in hardened.log.splitlines()) for f in files)
        ctx.check(f"{name}: {unit}: build log shows the diff of {', '.join(files)}", in_log)
        if "/systemd/system/" in "/" + files[0]:
            target = target_version(ctx.hardenunit, args, cwd=plain.srcdir)
            oracle, why = ctx.oracles.for_target(target)
            if oracle is None:
                ctx.results.unavailable(f"{name}: {unit}: exposure before/after = systemd {target}'s", why)
                continue
            oracle_before, out_b = oracle_exposure(oracle, pristine_dir, entry["unit"])
            oracle_after, out_a = oracle_exposure(oracle, hardened_dir, entry["unit"])
            ctx.check(f"{name}: {unit}: exposure before/after = systemd {oracle.version}'s systemd-analyze "
                      f"security ({oracle_before} → {oracle_after})",
                      (oracle_before, oracle_after) == pair, tail(out_b, 3) + "\n" + tail(out_a, 3)
                      + f"\nhardenunit said {pair}")

    listing = deb_listing(hardened.debs[binary])
    bad = {p: listing.get(p) for p in touched if listing.get(p) != ("-rw-r--r--", "root/root")}
    ctx.check(f"{name}: written unit files are -rw-r--r-- root/root in the .deb", not bad, str(bad))

    check_root = copy_tree(hardened_dir, os.path.join(hardened.outdir, f"check-{binary}"))
    proc = ctx.hardenunit_run(["--check", "--root", check_root, *args], cwd=plain.srcdir)
    ctx.check(f"{name}: hardenunit --check finds nothing left to do in the .deb",
              proc.returncode == 0, tail(proc.stdout + proc.stderr))

    seq_after = snapshot(ctx.unpack(seq, binary, "seq"))
    ctx.check(f"{name}: Build-Depends: dh-sequence-hardenunit gives the same files as --with",
              seq_after == after, describe_changes(after, seq_after))

    tags_plain, _ = lintian_tags(plain.debs[binary])
    tags_hardened, lproc = lintian_tags(hardened.debs[binary])
    new = sorted(t for t in tags_hardened - tags_plain if t[0] in "EW")
    ctx.check(f"{name}: lintian reports no new error or warning", not new, "\n".join(new) or lproc.stdout)
    ctx.lintian_report.append((name, sorted(tags_plain - tags_hardened), sorted(tags_hardened - tags_plain),
                               sum(t[0] in "EW" for t in tags_hardened)))
    return before, after


def check_specifics(ctx, pkg, trees):
    """Expectations read off the package and its policy, independent of hardenunit's own plan."""
    trees = {binary: pair for binary, pair in trees.items() if pair}
    if pkg is PLAIN:
        before, after = trees["hu-plain"]
        for dropin in (f"{dh_units()}/hu-plain.service.d/10-hardenunit.conf",
                       "usr/lib/systemd/system/hu-plain-worker.service.d/10-hardenunit.conf",
                       "usr/lib/systemd/user/hu-plain.service.d/10-hardenunit.conf"):
            ctx.check(f"hu-plain: {dropin} shipped (both layouts, user units)",
                      after.get(dropin, ("",))[0] == "file")
        shipped = f"{dh_units()}/hu-plain.service.d/50-environment.conf"
        ctx.check("hu-plain: the package's own drop-in is unchanged", before[shipped] == after[shipped])
    if pkg is SOCKET:
        before, after = trees["hu-sock"]
        ctx.check("hu-sock: the template gets a drop-in hu-sock@.service.d/10-hardenunit.conf",
                  "usr/lib/systemd/system/hu-sock@.service.d/10-hardenunit.conf" in after)
        ctx.check("hu-sock: socket-activated service hardened",
                  "usr/lib/systemd/system/hu-sock-listener.service.d/10-hardenunit.conf" in after)
        sockets = [p for p in before if p.endswith(".socket")]
        ctx.check("hu-sock: .socket units unchanged", sockets and all(before[p] == after[p] for p in sockets))
    if pkg is MASKED:
        before, after = trees["hu-mask"]
        base = dh_units() + "/"
        ctx.check("hu-mask: masked unit still a symlink to /dev/null, no drop-in for it",
                  after.get(base + "hu-mask-legacy.service") == ("link", "/dev/null")
                  and not any(p.startswith(base + "hu-mask-legacy.service.d") for p in after))
        ctx.check("hu-mask: alias still a symlink to the unit, no drop-in under the alias name",
                  after.get(base + "hu-mask-alias.service") == ("link", "hu-mask.service")
                  and not any(p.startswith(base + "hu-mask-alias.service.d") for p in after))
        ctx.check("hu-mask: alias made by dh_link (debian/hu-mask.links) is a plain symlink, no drop-in",
                  after.get(base + "hu-mask-compat.service") == ("link", "hu-mask.service")
                  and not any(p.startswith(base + "hu-mask-compat.service.d") for p in after))
        ctx.check("hu-mask: the real unit hardened",
                  base + "hu-mask.service.d/10-hardenunit.conf" in after)
    if pkg is POLICY:
        before, after = trees["hu-policy"]
        dropin = after.get("usr/lib/systemd/system/hu-policy.service.d/10-hardenunit.conf")
        lines = assignment_lines(dropin[1]) if dropin else []
        ctx.check("hu-policy: opted-out ProtectHome absent, other directives present",
                  dropin and lines and not any(l.startswith("ProtectHome=") for l in lines), "\n".join(lines))
        ctx.check("hu-policy: read_write_paths gives ReadWritePaths=/var/lib/hu-policy",
                  any(l.startswith("ReadWritePaths=") and "/var/lib/hu-policy" in l for l in lines),
                  "\n".join(lines))
    if pkg is MULTI:
        before, after = trees["hu-multi-a"]
        unit = f"{dh_units()}/hu-multi-a.service"
        ctx.check("hu-multi-a: mode = \"in-place\" from debian/hardenunit edits the unit, no drop-in",
                  before[unit] != after[unit] and not any(".service.d/" in p for p in after))
        debug = "usr/lib/systemd/system/hu-multi-a-debug.service"
        ctx.check("hu-multi-a: unit excluded with -X unchanged", before[debug] == after[debug])


def check_failure(ctx, label, pkg, mode, expect_in_log, extra_env=None):
    b = ctx.build(pkg, mode, label, extra_env)
    missing = [s for s in expect_in_log if not re.search(s, b.log)]
    ctx.check(f"{label}: build fails, log says {' + '.join(expect_in_log)}",
              not b.ok and not missing and not b.debs,
              f"build {'succeeded' if b.ok else 'failed'}; missing in log: {missing}\n" + tail(b.log, 20))


def check_failures(ctx, no_binary_path):
    broken_toml = packages.POLICY_OPT_OUT.replace('skip = ["ProtectHome"]', "skip = [ProtectHome]")
    check_failure(ctx, "broken-policy-syntax",
                  packages.variant(POLICY, {"debian/hu-policy.hardenunit": broken_toml}), "with",
                  [r"debian/hu-policy\.hardenunit:3\b", r"dh_hardenunit: error:"])
    check_failure(ctx, "broken-policy-no-units",
                  packages.variant(POLICY, {"debian/hu-policy.hardenunit": broken_toml,
                                            "debian/hu-policy.install": "hu-policyd usr/sbin\n"},
                                   drop=("units/hu-policy.service",)), "with",
                  [r"debian/hu-policy\.hardenunit:3\b", r"dh_hardenunit: error:"])
    typo = packages.POLICY_OPT_OUT.replace('"ProtectHome"', '"ProtectHomme"')
    check_failure(ctx, "policy-unknown-directive",
                  packages.variant(POLICY, {"debian/hu-policy.hardenunit": typo}), "seq",
                  [r"debian/hu-policy\.hardenunit:3\b", "ProtectHomme", r"dh_hardenunit: error:"])
    broken_unit = packages.POLICY_UNIT.replace("[Service]", "[Service")
    check_failure(ctx, "broken-unit",
                  packages.variant(POLICY, {"units/hu-policy.service": broken_unit}), "with",
                  [r"hu-policy\.service:5\b", r"dh_hardenunit: error:"])
    check_failure(ctx, "check-mode-unhardened",
                  packages.variant(PLAIN, rules_targets="override_dh_hardenunit:\n\tdh_hardenunit --check\n"),
                  "with", [r"10-hardenunit\.conf", r"dh_hardenunit: error: the units of hu-plain .* not hardened"])
    check_failure(ctx, "max-exposure",
                  packages.variant(PLAIN, rules_targets="override_dh_hardenunit:\n"
                                                        "\tdh_hardenunit --max-exposure 0.5\n"),
                  "with", [r"dh_hardenunit: error: a unit of hu-plain stays above exposure 0\.5"])
    check_failure(ctx, "max-exposure-given-to-dh",
                  packages.variant(PLAIN, rules_targets="", dh_options="--max-exposure=0.5"),
                  "seq", [r"dh_hardenunit -O--max-exposure=0\.5",
                          r"dh_hardenunit: error: a unit of hu-plain stays above exposure 0\.5"])
    check_failure(ctx, "hardenunit-not-installed", PLAIN, "seq",
                  [r"dh_hardenunit: error: hardenunit not found in PATH"], {"PATH": no_binary_path})

    plain = ctx.build(PLAIN, "plain", "nohardenunit-reference")
    skipped = ctx.build(PLAIN, "with", "nohardenunit", {"DEB_BUILD_OPTIONS": "nohardenunit"})
    same = (plain.ok and skipped.ok and snapshot(ctx.unpack(plain, "hu-plain", "a"))
            == snapshot(ctx.unpack(skipped, "hu-plain", "b")))
    ctx.check("DEB_BUILD_OPTIONS=nohardenunit: build succeeds, units as without the addon, log says so",
              same and "nohardenunit" in skipped.log, tail(skipped.log))


def check_all(results, workdir, env, hardenunit, no_binary_path):
    ctx = Context(results, workdir, env, hardenunit)
    try:
        check_packages(ctx, no_binary_path)
    finally:
        ctx.oracles.close()
    return ctx


def check_packages(ctx, no_binary_path):
    for pkg in packages.ALL:
        plain = ctx.build(pkg, "plain", "plain")
        hardened = ctx.build(pkg, "with", "with")
        # DH_VERBOSE shows the hardenunit command line in the log.
        seq = ctx.build(pkg, "seq", "seq", {"DH_VERBOSE": "1"} if pkg is PLAIN else None)
        built = True
        for label, b in (("without the addon", plain), ("dh --with hardenunit", hardened),
                         ("Build-Depends: dh-sequence-hardenunit", seq)):
            built &= ctx.check(f"{pkg.name}: builds {label}", b.ok and set(b.debs) == set(pkg.binaries),
                               tail(b.log))
        if not built:
            continue
        trees = {}
        for binary in pkg.binaries:
            trees[binary] = check_hardened_binary(ctx, pkg, binary, plain, hardened, seq)
        check_specifics(ctx, pkg, trees)
        if pkg is PLAIN:
            ctx.check("hu-plain: DH_VERBOSE=1 shows the hardenunit command in the log",
                      "hardenunit --write --diff --root debian/hu-plain" in seq.log, tail(seq.log))
            again = ctx.build(pkg, "with", "with-again")
            if ctx.check("hu-plain: builds a second time", again.ok, tail(again.log)):
                first = systemd_paths(snapshot(ctx.unpack(hardened, "hu-plain", "repro1")))
                second = systemd_paths(snapshot(ctx.unpack(again, "hu-plain", "repro2")))
                ctx.check("hu-plain: two builds give byte-identical unit files", first == second,
                          describe_changes(first, second))
                with open(hardened.debs["hu-plain"], "rb") as f1, open(again.debs["hu-plain"], "rb") as f2:
                    ctx.check("hu-plain: two builds give byte-identical .debs", f1.read() == f2.read())
    check_failures(ctx, no_binary_path)
