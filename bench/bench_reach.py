"""Benchmark: what a first visit to Min kommune costs, direct, through the nginx front, and as the static atlas.

Prints side by side, in one run:

- the app's ``/min_kommune?kommune=0101`` on a first visit with an empty cache, straight from one
  Streamlit process and through ``deploy/run.sh`` (nginx, pre-compressed front end, WebSocket
  compression): bytes of every response body (decoded), bytes on the wire (HTTP, as encoded), the
  WebSocket payload, and on emulated 3G (150 ms, 1.6 Mbit/s) the time until the summary text is
  visible and until the map has drawn;
- the atlas's kommune page (``python -m geo site``, served by the same nginx) measured by
  ``bench/bench_atlas.py``'s ``measure_atlas_page``, and the time to build the atlas;
- the issue's targets, met or not;
- the Streamlit process's memory (RSS) before and after 20 sessions that open the map, change the
  fill once and close.

    .venv/bin/python bench/bench_reach.py [--sessions 20]

One load per page and profile (a 3G first visit of the app takes half a minute): figures vary by a
few per cent between runs on the shared CI machine.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROFILE_3G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8}
PAGE = "/min_kommune?kommune=0101"
SUMMARY = "København (0101) hører til Sundhedsklynge Byen"
MAP_PATHS = 98
TARGETS = {"atlas_kb_gzip": 120, "bytes_ratio": 30, "summary_s": 1.5, "map_s": 2.5, "speed_ratio": 5,
           "build_s": 60}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_direct() -> tuple[subprocess.Popen, str]:
    """One Streamlit process as `scripts/start.sh` runs it (with ``MALLOC_ARENA_MAX=2``)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=os.environ | {"MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc)
    return proc, url


def start_front(run: Path, site: Path | None) -> tuple[subprocess.Popen, str]:
    """`bash deploy/run.sh 1 PORT` with its own run directory (one replica: the same CPU as direct)."""
    port = free_port()
    env = os.environ | {"KLYNGEKORT_RUN": str(run)}
    if site is not None:
        env["KLYNGEKORT_ATLAS"] = str(site)
    proc = subprocess.Popen(["bash", "deploy/run.sh", "1", str(port)], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc, timeout=300)
    return proc, url


def map_drawn(page, minimum: int) -> bool:
    for frame in page.frames:
        try:
            if frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length") >= minimum:
                return True
        except Exception:  # frame navigating or detached
            continue
    return False


def ws_payload_bytes(frame: dict) -> int:
    """Decoded bytes of one WebSocket frame as CDP reports it: binary frames (opcode 2, all of
    Streamlit's) arrive base64-encoded in ``payloadData``, text frames as text."""
    data = frame.get("payloadData", "")
    if frame.get("opcode") == 2:
        return len(base64.b64decode(data))
    return len(data.encode("utf-8"))


def first_visit(browser, url: str, profile: dict | None) -> dict:
    """Bytes and times of one first visit (new context: empty cache) to ``url``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    counts = {"body": 0, "wire": 0, "ws": 0, "requests": 0}

    def finished(event: dict) -> None:
        counts["wire"] += event["encodedDataLength"]
        counts["requests"] += 1

    cdp.on("Network.dataReceived", lambda e: counts.__setitem__("body", counts["body"] + e["dataLength"]))
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived",
           lambda e: counts.__setitem__("ws", counts["ws"] + ws_payload_bytes(e["response"])))
    cdp.send("Network.enable")
    if profile:
        cdp.send("Network.emulateNetworkConditions", profile)
    page.goto(url, wait_until="commit", timeout=180_000)
    page.wait_for_function(f"document.body && document.body.innerText.includes({json.dumps(SUMMARY)})",
                           timeout=180_000, polling=50)
    summary_s = page.evaluate("performance.now()") / 1000
    deadline = time.time() + 180
    while not map_drawn(page, MAP_PATHS):
        if time.time() > deadline:
            raise RuntimeError(f"the map of {url} did not draw")
        time.sleep(0.05)
    map_s = page.evaluate("performance.now()") / 1000
    page.wait_for_timeout(1500)  # what is still arriving (fonts, late chunks) counts too
    context.close()
    return {"bytes_body": counts["body"], "bytes_wire": counts["wire"], "bytes_ws": counts["ws"],
            "requests": counts["requests"], "summary_visible_s": round(summary_s, 2), "map_drawn_s": round(map_s, 2)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def one_session(browser, url: str) -> None:
    """Open the map, change the fill once, wait for the new map, close."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    deadline = time.time() + 120
    while not map_drawn(page, MAP_PATHS):
        if time.time() > deadline:
            raise RuntimeError("the map did not draw")
        time.sleep(0.1)
    box = page.get_by_label("Farvelæg efter")
    box.click()
    box.fill("Befolkning i alt (2026)")
    page.keyboard.press("Enter")
    page.get_by_text("Befolkning i alt (2026)").first.wait_for(timeout=120_000)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    while not map_drawn(page, MAP_PATHS):
        time.sleep(0.1)
    context.close()


def memory_over_sessions(browser, url: str, pid: int, sessions: int) -> list[tuple[int, float]]:
    """RSS (MB) of ``pid`` after 0, 5, 10, … sessions, and 10 s after the last one closed."""
    one_session(browser, url)  # warm: the bundle and caches are loaded once per process anyway
    figures = [(0, rss_mb(pid))]
    for i in range(1, sessions + 1):
        one_session(browser, url)
        if i % 5 == 0 or i == sessions:
            figures.append((i, rss_mb(pid)))
    time.sleep(10)
    figures.append((-1, rss_mb(pid)))
    return figures


def build_atlas(out: Path) -> float | None:
    """Seconds to build the atlas into ``out``, or None when this checkout has no `geo site`."""
    probe = subprocess.run([sys.executable, "-m", "geo", "site", "--help"], cwd=ROOT, capture_output=True)
    if probe.returncode != 0:
        return None
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo", "site", "--out", str(out)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def stop(proc: subprocess.Popen, group: bool = False) -> None:
    if proc.poll() is None:
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="sessions for the memory figure")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    nginx = os.environ.get("KLYNGEKORT_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not chromium:
        print("bench_reach: needs Chromium (apt-get install chromium)")
        return 1
    from playwright.sync_api import sync_playwright

    try:
        from bench_atlas import measure_atlas_page
    except ImportError:
        measure_atlas_page = None
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_s = build_atlas(site) if measure_atlas_page else None
        direct, direct_url = start_direct()
        front = front_url = None
        if Path(nginx).exists():
            front, front_url = start_front(Path(tmp) / "run", site if build_s is not None else None)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
                for url in filter(None, (direct_url, front_url)):  # warm: a new visitor, not a new server
                    first_visit(browser, url + PAGE, None)
                results["direct"] = first_visit(browser, direct_url + PAGE, PROFILE_3G)
                if front_url:
                    results["front"] = first_visit(browser, front_url + PAGE, PROFILE_3G)
                if build_s is not None and front_url:
                    results["atlas"] = measure_atlas_page(f"{front_url}/atlas/kommune/0101/", PROFILE_3G,
                                                          browser=browser)
                    results["atlas"]["build_s"] = round(build_s, 1)
                results["memory"] = memory_over_sessions(browser, direct_url, direct.pid, args.sessions)
                browser.close()
        finally:
            stop(direct)
            if front:
                stop(front, group=True)
    report(results, measure_atlas_page is not None, front_url is not None)
    print(json.dumps(results))
    return 0


def report(r: dict, have_atlas: bool, have_front: bool) -> None:
    d, f, a = r["direct"], r.get("front"), r.get("atlas")
    print("Min kommune (København), first visit, empty cache, emulated 3G (150 ms, 1.6 Mbit/s), warm server\n")
    print(f"{'':34}{'app direct':>14}{'app via nginx':>15}{'atlas':>12}")
    rows = [("bytes_body", "bytes (decoded bodies)"), ("bytes_wire", "bytes on the wire (HTTP)"),
            ("bytes_ws", "WebSocket payload (decoded)"), ("requests", "requests"),
            ("summary_visible_s", "summary visible (s)"), ("map_drawn_s", "map drawn (s)")]
    for key, label in rows:
        cells = [d.get(key), (f or {}).get(key), None]
        if a:
            cells[2] = {"bytes_wire": a.get("bytes_gzip"), "summary_visible_s": a.get("summary_visible_s"),
                        "map_drawn_s": a.get("map_drawn_s")}.get(key)
        print(f"{label:34}" + "".join(f"{'–' if c is None else format(c, ','):>{w}}"
                                      for c, w in zip(cells, (14, 15, 12), strict=True)))
    if not have_front:
        print("app via nginx: not measured (no nginx installed)")
    if not have_atlas:
        print("atlas: not measured (bench/bench_atlas.py / `python -m geo site` are not in this checkout)")
    if f:
        ratios = [d[k] / f[k] for k in ("bytes_wire", "summary_visible_s", "map_drawn_s")]
        print(f"\nvia nginx: {ratios[0]:.1f}× fewer bytes on the wire, summary {ratios[1]:.1f}× and map "
              f"{ratios[2]:.1f}× sooner than direct")
    if a:
        fewer = d["bytes_wire"] / a["bytes_gzip"]
        checks = [
            (f"atlas ≤ {TARGETS['atlas_kb_gzip']} KB gzip ({a['bytes_gzip'] / 1000:.0f} KB)",
             a["bytes_gzip"] <= TARGETS["atlas_kb_gzip"] * 1000),
            (f"atlas ≥ {TARGETS['bytes_ratio']}× fewer bytes than the app's first visit "
             f"({fewer:.0f}×)", fewer >= TARGETS["bytes_ratio"]),
            (f"summary ≤ {TARGETS['summary_s']} s ({a['summary_visible_s']} s)",
             a["summary_visible_s"] <= TARGETS["summary_s"]),
            (f"map ≤ {TARGETS['map_s']} s ({a['map_drawn_s']} s)", a["map_drawn_s"] <= TARGETS["map_s"]),
            (f"summary ≥ {TARGETS['speed_ratio']}× sooner than the app "
             f"({d['summary_visible_s'] / a['summary_visible_s']:.0f}×)",
             d["summary_visible_s"] / a["summary_visible_s"] >= TARGETS["speed_ratio"]),
            (f"map ≥ {TARGETS['speed_ratio']}× sooner than the app ({d['map_drawn_s'] / a['map_drawn_s']:.0f}×)",
             d["map_drawn_s"] / a["map_drawn_s"] >= TARGETS["speed_ratio"]),
            (f"atlas build ≤ {TARGETS['build_s']} s ({a['build_s']} s)", a["build_s"] <= TARGETS["build_s"]),
        ]
        print()
        for label, ok in checks:
            print(f"target {label}: {'met' if ok else 'NOT met'}")
    mem = r["memory"]
    print("\nStreamlit process RSS (MB), sessions that open the map, change the fill once and close:")
    print("  " + " · ".join(f"{'10 s after the last closed' if n < 0 else f'after {n}'}: {mb:.0f}" for n, mb in mem))


if __name__ == "__main__":
    sys.exit(main())
