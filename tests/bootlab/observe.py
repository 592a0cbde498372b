"""What "still works" means here, measured on the booted container.

`systemctl is-active` alone lies (a Restart= loop or a service cut off from the network can
read active), so a service works when, after a restart and a settle time:
  - it is running (a one-shot: exited successfully; a socket: listening), before and after
    its probe;
  - NRestarts did not grow and the main process is the same, alive, not a zombie;
  - it listens on every port it listened on unhardened (ss -ltnup in the container, matched to
    the unit by cgroup; ephemeral ports are ignored);
  - its functional probe passes.
"""

import re
import time

from lab import LabError, log

PROPS = ["Id", "LoadState", "Type", "ActiveState", "SubState", "Result", "NRestarts", "MainPID", "ControlGroup",
         "FragmentPath", "Accept", "Triggers", "Listen"]
EPHEMERAL_FROM = 32768  # Linux's default ip_local_port_range starts here; such ports change per start
PROBE_SCRIPT = str(__import__("pathlib").Path(__file__).resolve().parent / "probes.py")


def show(ct, units):
    res = ct.x("systemctl", "show", "--no-pager", *[f"-p{p}" for p in PROPS], *units, timeout=60)
    blocks, current = [], {}
    for line in res.stdout.splitlines() + [""]:
        if not line:
            if current:
                blocks.append(current)
            current = {}
            continue
        key, _, value = line.partition("=")
        if key == "Listen":
            current.setdefault("Listen", []).append(value)
        else:
            current[key] = value
    by_id = {b.get("Id"): b for b in blocks}
    return {u: by_id.get(u, {}) for u in units}


def process_states(ct, pids):
    """PID -> one-letter state inside the container ('gone' when there is no such process)."""
    pids = sorted({p for p in pids if p and p != "0"})
    if not pids:
        return {}
    script = 'for p in "$@"; do s=$(sed "s/.*) //" /proc/$p/stat 2>/dev/null | cut -d" " -f1); echo "$p ${s:-gone}"; done'
    res = ct.x("sh", "-c", script, "states", *pids, timeout=30)
    return dict(line.split() for line in res.stdout.splitlines() if len(line.split()) == 2)


def snapshot(ct, units):
    props = show(ct, units)
    states = process_states(ct, [p.get("MainPID", "0") for p in props.values()])
    for p in props.values():
        p["MainState"] = states.get(p.get("MainPID", "0"), "")
    return props


def socket_census(ct, props):
    """Unit -> set of 'tcp 0.0.0.0:80' it listens on (non-ephemeral ports only)."""
    script = ("ss -ltnupH; echo @@; for p in /proc/[0-9]*; do "
              "echo \"${p#/proc/} $(grep '^0::' $p/cgroup 2>/dev/null)\"; done")
    res = ct.sh(script, timeout=30)
    ss_out, _, cg_out = res.stdout.partition("@@")
    cgroup_of = {}
    for line in cg_out.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2:
            cgroup_of[parts[0]] = parts[1].split("::", 1)[-1]
    owner = {}
    for unit, p in props.items():
        cg = p.get("ControlGroup", "")
        if cg:
            owner[unit] = cg
    result = {unit: set() for unit in props}
    for line in ss_out.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        proto, local = fields[0], fields[4]
        port = local.rsplit(":", 1)[-1]
        if not port.isdigit() or int(port) >= EPHEMERAL_FROM:
            continue
        pids = re.findall(r"pid=(\d+)", line)
        for unit, cg in owner.items():
            if any(cgroup_of.get(pid, "") == cg or cgroup_of.get(pid, "").startswith(cg + "/") for pid in pids):
                result[unit].add(f"{proto} {local}")
    for unit, p in props.items():
        for listen in p.get("Listen", []):  # sockets a .socket unit holds in PID 1
            addr = listen.split(" (")[0]
            result[unit].add(f"listen {addr}")
    return result


def run_probe(ct, svc):
    kind = svc.probe[0]
    if kind == "none":
        return True, "no probe"
    if kind == "cmd":
        res = ct.sh(svc.probe[1], timeout=30, check=False)
        text = (res.stdout + res.stderr).strip().splitlines()
        tail = text[-1][:160] if text else ""
        return res.returncode == 0, f"cmd exit {res.returncode}" + (f": {tail}" if tail else "")
    args = list(svc.probe[1:])
    if kind == "unix":
        # The container's path seen from the host; no network namespace involved.
        args = [f"/proc/{ct.leader}/root{args[0]}"]
    res = ct.in_netns("python3", PROBE_SCRIPT, kind, *args, timeout=30)
    text = (res.stdout + res.stderr).strip()
    return res.returncode == 0, text.replace(f"/proc/{ct.leader}/root", "")


def wait_for_jobs(ct, timeout):
    """Waits until systemd's job queue is empty; names the jobs that keep it busy."""
    started = time.monotonic()
    reported = False
    while time.monotonic() - started < timeout:
        res = ct.x("systemctl", "list-jobs", "--no-legend", "--no-pager", timeout=30, check=False)
        jobs = res.stdout.strip()
        if res.returncode == 0 and not jobs:
            return True
        if not reported and time.monotonic() - started > 20:
            running = [line.split()[1] + " " + line.split()[2] for line in jobs.splitlines()
                       if len(line.split()) > 3 and line.split()[3] == "running"]
            log(f"still waiting after 20 s for: {', '.join(running) or jobs.splitlines()[0]}")
            reported = True
        time.sleep(0.5)
    log(f"jobs still queued after {timeout} s; observing anyway")
    return False


def phase(ct, services, settle, baseline=None):
    """Restarts every service, lets it settle, and observes it (before and after its probe)."""
    units = [s.unit for s in services]
    since = ct.x("date", "+%s").stdout.strip()
    ct.x("systemctl", "reset-failed", *units, check=False)
    ct.x("systemctl", "restart", "--no-block", *units, timeout=60)
    t0 = time.monotonic()
    wait_for_jobs(ct, 300)
    log(f"{'hardened' if baseline else 'unhardened'}: restart done in {time.monotonic() - t0:.1f} s, settling {settle} s")
    first = snapshot(ct, units)
    time.sleep(settle)
    settled = snapshot(ct, units)
    sockets = socket_census(ct, settled)
    probes = {s.unit: run_probe(ct, s) for s in services}
    time.sleep(1)  # a daemon killed by handling the probe's request shows it now
    last = snapshot(ct, units)
    out = {}
    for s in services:
        problems = judge(s, first[s.unit], settled[s.unit], last[s.unit], sockets[s.unit], probes[s.unit],
                         baseline[s.unit]["sockets"] if baseline else None)
        out[s.unit] = {
            "works": not problems, "problems": problems, "since": since,
            "state": f"{last[s.unit].get('ActiveState')}/{last[s.unit].get('SubState')}",
            "nrestarts": last[s.unit].get("NRestarts"), "main_pid": last[s.unit].get("MainPID"),
            "sockets": sorted(sockets[s.unit]), "probe": probes[s.unit][1],
            "exposure": None,
        }
    for unit, value in exposures(ct, services).items():
        out[unit]["exposure"] = value
    return out


def state_problem(svc, p):
    active, sub, result = p.get("ActiveState"), p.get("SubState"), p.get("Result")
    if svc.unit.endswith(".socket"):
        good = active == "active" and sub in ("listening", "running")  # running: it triggered its service
    elif p.get("Type") == "oneshot":
        good = (active, sub) == ("active", "exited") or (active == "inactive" and result == "success")
    else:
        good = (active, sub) == ("active", "running")
    return None if good else f"{active}/{sub} (result {result})"


def judge(svc, first, settled, last, sockets, probe, baseline_sockets):
    problems = []
    for when, p in (("after settling", settled), ("after the probe", last)):
        bad = state_problem(svc, p)
        if bad:
            problems.append(f"{bad} {when}")
            break
    n0, n1 = int(first.get("NRestarts") or 0), int(last.get("NRestarts") or 0)
    if n1 > n0:
        problems.append(f"restarted {n1 - n0} time(s) while observed (NRestarts {n0} -> {n1})")
    pid0, pid1 = first.get("MainPID", "0"), last.get("MainPID", "0")
    if pid0 != "0" and pid1 != "0" and pid0 != pid1:
        problems.append(f"main process replaced (PID {pid0} -> {pid1})")
    if pid1 != "0" and last.get("MainState") in ("gone", "Z", "X"):
        problems.append(f"main process {pid1} is {'a zombie' if last['MainState'] == 'Z' else 'gone'}")
    if baseline_sockets is not None:
        lost = sorted(set(baseline_sockets) - set(sockets))
        if lost:
            problems.append("no longer listening on " + ", ".join(lost))
    if not probe[0]:
        problems.append(f"probe failed: {probe[1]}")
    return problems


def service_of(ct, unit, template=False):
    """The service a listed unit runs: itself, or what its socket triggers (a template for Accept=yes)."""
    if unit.endswith(".service"):
        return unit
    p = show(ct, [unit])[unit]
    if p.get("Accept") == "yes":
        prefix = unit[: -len(".socket")]
        return f"{prefix}@.service" if template else f"{prefix}@bootlab.service"
    triggers = p.get("Triggers", "").split()
    if not triggers:
        raise LabError(f"{unit} triggers no service")
    return triggers[0]


def package_units(ct, services):
    """Every .service file shipped by the packages that ship the listed units (as their builds see them)."""
    props = show(ct, [s.unit for s in services])
    fragments = [p.get("FragmentPath") for p in props.values() if p.get("FragmentPath")]
    res = ct.x("dpkg", "-S", *fragments, timeout=60, check=False)
    owners = sorted({line.split(":", 1)[0] for line in res.stdout.splitlines() if ":" in line})
    missing = [s.unit for s in services if not props[s.unit].get("FragmentPath")]
    if missing:
        raise LabError(f"no unit file for {', '.join(missing)}")
    res = ct.x("dpkg", "-L", *owners, timeout=60)
    names = {line.rsplit("/", 1)[1] for line in res.stdout.splitlines()
             if re.search(r"/systemd/system/[^/]+\.service$", line)}
    return sorted(names)


def exposures(ct, services):
    """Unit -> overall exposure as the booted system's own `systemd-analyze security` says."""
    targets = {s.unit: service_of(ct, s.unit) for s in services}
    res = ct.x("systemd-analyze", "security", "--no-pager", *sorted(set(targets.values())), timeout=120, check=False)
    found = {m.group(1): float(m.group(2)) for m in
             re.finditer(r"Overall exposure level for (\S+): ([0-9.]+)", res.stdout)}
    return {unit: found.get(target) for unit, target in targets.items()}


def journal(ct, svc, since, lines):
    units = ["-u", svc.unit]
    if svc.unit.endswith(".socket"):
        service = service_of(ct, svc.unit, template=True)
        units += ["-u", service.replace("@.service", "@*.service")]
    # Not `-n` with `--since`: together they give the first N lines after --since, not the last.
    res = ct.x("journalctl", "--no-pager", "-q", "-o", "short-precise", f"--since=@{since}", *units,
               timeout=60, check=False)
    return res.stdout.rstrip().splitlines()[-lines:]


def dropins(ct, svc):
    target = service_of(ct, svc.unit)
    res = ct.x("systemctl", "show", "-pDropInPaths", "--value", target, timeout=30, check=False)
    texts = {}
    for path in res.stdout.split():
        texts[path] = ct.x("cat", path, timeout=10, check=False).stdout
    return texts


def verdicts(ct, services, before, after, journal_lines):
    results = []
    for s in services:
        b = before[s.unit]
        a = after[s.unit] if after else None
        regression = bool(a) and b["works"] and not a["works"]
        entry = {"unit": s.unit, "package": s.package, "probe": s.probe_text(), "line": s.lineno,
                 "exposure_before": b["exposure"], "exposure_after": a["exposure"] if a else None,
                 "before": b, "after": a, "regression": regression}
        if regression:
            entry["journal"] = journal(ct, s, a["since"], journal_lines)
            entry["dropins"] = dropins(ct, s)
        elif not b["works"]:
            entry["journal_unhardened"] = journal(ct, s, b["since"], journal_lines)
        results.append(entry)
    return results


def fmt_exposure(value):
    return "  ?" if value is None else f"{value:3.1f}"


def table(results, hardened=True):
    claimed = any(r.get("hardenunit") for r in results)
    rows = [("SERVICE", "EXPOSURE", "CLAIMED", "UNHARDENED", "HARDENED", "WHY")]
    for r in results:
        b, a = r["before"], r["after"]
        exposure = fmt_exposure(r["exposure_before"]) + (f" -> {fmt_exposure(r['exposure_after'])}" if a else "")
        before = "works" if b["works"] else "broken"
        if not a:
            after = "-"
        elif a["works"]:
            after = "works"
        else:
            after = "REGRESSION" if r["regression"] else "broken"
        why = (a["problems"][0] if a and a["problems"] and r["regression"] else
               b["problems"][0] if b["problems"] else "")
        hu = r.get("hardenunit") or {}
        said = f"{fmt_exposure(hu.get('exposure_before'))} -> {fmt_exposure(hu.get('exposure_after'))}" if hu else ""
        rows.append((r["unit"], exposure, said, before, after, why))
    if not claimed:
        rows = [row[:2] + row[3:] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in rows]
    works_before = sum(r["before"]["works"] for r in results)
    regressions = [r for r in results if r["regression"]]
    summary = f"\n{len(results)} service(s); {works_before} work unhardened"
    if hardened:
        works_after = sum(bool(r["after"] and r["after"]["works"]) for r in results)
        summary += f", {works_after} work hardened; {len(regressions)} regression(s)"
    lines.append(summary)
    for r in regressions:
        lines.append(f"\n=== REGRESSION {r['unit']} (package {r['package']}, probe: {r['probe']})")
        for problem in r["after"]["problems"]:
            lines.append(f"  - {problem}")
        for path, text in r.get("dropins", {}).items():
            lines.append(f"  drop-in {path}:")
            lines += ["    " + t for t in text.rstrip().splitlines()]
        lines.append(f"  journal (journalctl -u {r['unit']}: the last {len(r.get('journal', []))} lines since the hardened restart):")
        lines += ["    " + j for j in r.get("journal", [])]
    for r in results:
        if not r["before"]["works"]:
            lines.append(f"\n--- {r['unit']} does not work even unhardened: " + "; ".join(r["before"]["problems"]))
            lines += ["    " + j for j in r.get("journal_unhardened", [])[-8:]]
    return "\n".join(lines)
