"""Load benchmark: browserless Streamlit sessions against one process and against deploy/run.sh 2.

Prints, per front (one process as scripts/start.sh starts it; two replicas behind nginx), page and
number of sessions at once: server CPU-seconds per session, the median and p95 time to the end of
the script run, the health-probe latency (max, and probes over 1 s), errors and the load average,
then the memory per replica over 200 sessions, and each figure against its target.

    .venv/bin/python bench/bench_load.py [--sessions 1,10,25,50] [--pages min_kommune,kort,scenarier]
                                         [--fronts one,two] [--memory-sessions 200] [--json FILE]

The sessions are made by ../shared/tools/stload.py (KLYNGEKORT_STLOAD to use another copy), which speaks
Streamlit's WebSocket protocol the way the front end does on a first visit (GET the page, open
/_stcore/stream, rerun, read until script_finished), then changes widgets as a planner would:

- min_kommune: /min_kommune?kommune=0101, no change;
- kort: the map page, then one change of its fill;
- scenarier: Scenarier, then one move of a kommune (choose the kommune, choose the unit, press Flyt kommunen).

Every front is warmed with one session per page first (the bundle loads once per process; that
cost is not a visit's). Everything is bounded: each stload run is capped at 300 s, servers are
started on free local ports and stopped at the end (also on Ctrl-C). Sends traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
STLOAD = Path(os.environ.get("KLYNGEKORT_STLOAD", ROOT.parent / "shared" / "tools" / "stload.py"))
TARGETS = {"cpu_min_kommune": 0.2, "cpu_kort": 0.4, "p95_two_50": 10.0, "probe_s": 1.0}
PAGES = {
    "min_kommune": {"page": "min_kommune", "query": "kommune=0101", "change": []},
    "kort": {"page": "", "query": "", "change": ["kort_fill=Befolkning 65+"]},
    "scenarier": {"page": "scenarier", "query": "",
                  "change": ["sc_kommune=(0410)", "sc_unit=Sundhedsklynge Fyn", "Flyt kommunen=click"]},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not healthy(url):
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}) before it answered at {url}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no answer at {url} within {seconds:.0f} s")
        time.sleep(0.3)


def pids_on_ports(ports: list[int]) -> list[int]:
    """The Streamlit processes started with ``--server.port P`` for each of ``ports``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [w.decode(errors="replace") for w in cmd]
        if "streamlit" in " ".join(words) and "run" in words:
            for p in ports:
                if f"--server.port {p}" in " ".join(words):
                    found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Front:
    """A running front: its URL, the server processes to measure, and how to stop it."""

    def __init__(self, kind: str, tmp: Path):
        self.kind, self.tmp = kind, tmp
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.pids: list[int] = []
        self.direct: list[str] = []  # each replica's own address (to warm every one of them)
        self.log = None

    def start(self) -> Front:
        if self.kind == "one":
            # as scripts/start.sh starts it (its settings come from .streamlit/config.toml), minus the set-up
            port = free_port()
            env = os.environ | {"MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}
            self.log = open(self.tmp / "one.log", "wb")  # noqa: SIM115 (open while the server runs)
            self.proc = subprocess.Popen(
                [str(PY), "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=self.log, start_new_session=True)
            self.url = f"http://127.0.0.1:{port}"
            wait_healthy(self.url, self.proc)
            self.pids = [self.proc.pid]
        else:
            port = free_port()
            site = self.tmp / "site"  # no atlas build for a load test: /atlas/ is not measured
            site.mkdir(exist_ok=True)
            (site / "index.html").write_text("<!doctype html><title>atlas</title>\n", encoding="utf-8")
            env = os.environ | {"KLYNGEKORT_RUN": str(self.tmp / "run"), "KLYNGEKORT_ATLAS": str(site)}
            self.proc = subprocess.Popen(["bash", "deploy/run.sh", "2", str(port)], cwd=ROOT, env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                         start_new_session=True)
            replicas: list[int] = []
            deadline = time.monotonic() + 300
            for line in self.proc.stdout:
                if line.startswith("replicas:"):
                    replicas = [int(p) for p in line.split()[1:3]]
                    break
                if time.monotonic() > deadline:
                    break
            if len(replicas) != 2:
                self.stop()
                raise RuntimeError("deploy/run.sh 2 did not start")
            self.url = f"http://127.0.0.1:{port}"
            self.pids = pids_on_ports(replicas)
            self.direct = [f"http://127.0.0.1:{p}" for p in replicas]
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.log:
            self.log.close()


def stload(front: Front, page: str, sessions: int, concurrency: int | None = None, url: str | None = None) -> dict:
    """One stload run (against the front, or ``url``); returns its JSON figures."""
    spec = PAGES[page]
    out = front.tmp / f"stload-{front.kind}-{page}-{sessions}-{time.monotonic_ns()}.json"
    cmd = [str(PY), str(STLOAD), "--url", url or front.url, "--sessions", str(sessions),
           "--concurrency", str(concurrency or sessions), "--page", spec["page"], "--duration", "300",
           "--health-interval", "0.5", "--health-timeout", "30", "--json", str(out), "--quiet"]
    if spec["query"]:
        cmd += ["--query", spec["query"]]
    for change in spec["change"]:
        cmd += ["--change", change]
    for pid in front.pids:
        cmd += ["--pid", str(pid)]
    subprocess.run(cmd, cwd=ROOT, timeout=400, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return json.loads(out.read_text())


def p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(0.95 * len(v) + 0.5)) - 1))] if v else float("nan")


def figures(r: dict) -> dict:
    ss = r["sessions"]
    ends = [s["total_s"] for s in ss if s["total_s"] is not None and not s["errors"]]
    health = [h["latency_s"] for h in r["health"]]
    cpu = sum(fig["cpu_s"] for fig in r["server"].values())
    return {"sessions": len(ss), "errors": sum(1 for s in ss if s["errors"]),
            "error_kinds": sorted({e[:100] for s in ss for e in s["errors"]})[:3],
            "cpu_per_session": cpu / max(1, len(ss)),
            "end_median": statistics.median(ends) if ends else float("nan"), "end_p95": p95(ends),
            "probes": len(health), "probe_max": max(health) if health else float("nan"),
            "probes_over_1s": sum(1 for x in health if x > TARGETS["probe_s"]),
            "probes_failed": sum(1 for h in r["health"] if not h["ok"]),
            "load": f"{r['loadavg_before']} -> {r['loadavg_after']}", "wall_s": r["wall_s"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,25,50", help="sessions at once, comma-separated")
    parser.add_argument("--pages", default="min_kommune,kort,scenarier")
    parser.add_argument("--fronts", default="one,two", help="one (a process as start.sh), two (deploy/run.sh 2)")
    parser.add_argument("--memory-sessions", type=int, default=200,
                        help="sessions (10 at once) on the map page with a change, for memory per replica; 0: skip")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    if not STLOAD.is_file():
        print(f"bench_load: no load client at {STLOAD} (set KLYNGEKORT_STLOAD)", file=sys.stderr)
        return 2
    counts = [int(x) for x in args.sessions.split(",") if x]
    pages = [p for p in args.pages.split(",") if p]
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        parser.error(f"unknown page(s) {unknown}; known: {', '.join(PAGES)}")
    results: dict = {"cpus": os.cpu_count(), "rows": [], "memory": {}}
    print(f"bench_load: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    header = (f"{'front':5} {'page':12} {'n':>3} {'CPU-s/session':>13} {'end median':>10} {'end p95':>8} "
              f"{'probe max':>9} {'>1 s':>5} {'errors':>6}  load average")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp_name:
        tmp = Path(tmp_name)
        for kind in [k for k in args.fronts.split(",") if k]:
            front = Front(kind, tmp)
            try:
                front.start()
                for page in pages:  # warm-up of every process: the bundle and the first map of each page
                    for url in front.direct or [front.url]:
                        stload(front, page, 1, url=url)
                print("\n" + header)
                for page in pages:
                    for n in counts:
                        f = figures(stload(front, page, n))
                        results["rows"].append({"front": kind, "page": page, "n": n, **f})
                        print(f"{kind:5} {page:12} {n:>3} {f['cpu_per_session']:>13.3f} {f['end_median']:>9.2f}s "
                              f"{f['end_p95']:>7.2f}s {f['probe_max']:>8.3f}s {f['probes_over_1s']:>5} "
                              f"{f['errors']:>6}  {f['load']}" + (f"  {f['error_kinds']}" if f["errors"] else ""),
                              flush=True)
                if kind == "two" and args.memory_sessions:
                    steps, per = [], 50
                    rss = {pid: [round(rss_mb(pid))] for pid in front.pids}
                    done = 0
                    while done < args.memory_sessions:
                        n = min(per, args.memory_sessions - done)
                        stload(front, "kort", n, concurrency=10)
                        done += n
                        steps.append(done)
                        for pid in front.pids:
                            rss[pid].append(round(rss_mb(pid)))
                    results["memory"] = {"after_sessions": [0, *steps], "rss_mb": {str(k): v for k, v in rss.items()}}
                    print(f"\nmemory per replica (RSS MB) after {', '.join(map(str, [0, *steps]))} map sessions "
                          "(10 at once, one fill change each):")
                    for pid, values in rss.items():
                        print(f"  replica pid {pid}: {' -> '.join(map(str, values))}")
            finally:
                front.stop()
    print("\ntargets:")
    rows = results["rows"]

    def best(front: str, page: str) -> list[dict]:
        return [r for r in rows if r["front"] == front and r["page"] == page]

    for page, key in (("min_kommune", "cpu_min_kommune"), ("kort", "cpu_kort")):
        for kind in ("one", "two"):
            got = best(kind, page)
            if got:
                worst = max(r["cpu_per_session"] for r in got)
                ok = worst <= TARGETS[key]
                print(f"  CPU per {page} visit ≤ {TARGETS[key]} s ({kind}): worst {worst:.3f} s over "
                      f"{', '.join(str(r['n']) for r in got)} at once: {'met' if ok else 'NOT met'}")
    got = [r for r in rows if r["front"] == "two" and r["n"] == 50]
    for r in got:
        print(f"  p95 ≤ {TARGETS['p95_two_50']:.0f} s at 50 on two replicas ({r['page']}): {r['end_p95']:.2f} s: "
              f"{'met' if r['end_p95'] <= TARGETS['p95_two_50'] and not r['errors'] else 'NOT met'}")
    if rows:
        slow = sum(r["probes_over_1s"] + r["probes_failed"] for r in rows)
        print(f"  no health probe > {TARGETS['probe_s']:.0f} s: {slow} of {sum(r['probes'] for r in rows)} over or "
              f"failed, slowest {max(r['probe_max'] for r in rows):.2f} s: {'met' if slow == 0 else 'NOT met'}")
    if results["memory"]:
        for pid, values in results["memory"]["rss_mb"].items():
            half = values[len(values) // 2]
            growth = values[-1] - half
            print(f"  memory flat after 200 sessions (replica {pid}): {values[0]} -> {half} -> {values[-1]} MB, "
                  f"{growth:+d} MB over the second half: {'met' if growth <= 0.05 * half else 'NOT met'}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench_load: interrupted", file=sys.stderr)
        sys.exit(130)
