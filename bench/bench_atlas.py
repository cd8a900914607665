"""Benchmark: the static atlas — build time, bytes per page and load times on an emulated 3G link.

    .venv/bin/python bench/bench_atlas.py [--site DIR] [--loads 5] [--jobs 2]

Builds the atlas (both languages) into a temporary directory, or measures an existing one with
``--site``, and prints: the build time (wall and CPU), the bytes of a kommune page and of
everything it loads (raw and gzip, from the ``.gz`` files the build writes), and, in headless
Chromium with CDP network emulation (150 ms latency, 1.6 Mbit/s down), the bytes that crossed the
wire (the build's CPU counts its worker processes; ``--jobs`` sets how many write pages, default
`geo.site.JOBS`), when the summary was visible and when the map had drawn (median of ``--loads``), against the
targets (≤ 120 KB gzip, summary ≤ 1.5 s, map ≤ 2.5 s). The site is served by a local server that
sends the pre-compressed ``.gz`` files, as nginx's ``gzip_static`` or an object store would.

`measure_atlas_page(url, profile)` is the measurement on its own, for a page served by anything
(the deploy benchmark imports it to print the atlas beside the app).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROFILE_3G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8}
TARGETS = {"kb_gzip": 120.0, "summary_s": 1.5, "map_s": 2.5, "build_s": 60.0}
PAGE = "kommune/0101/index.html"
PAGE_ASSETS = ("assets/site.css", "assets/leaflet.js", "assets/site.js")
SUMMARY_JS = """() => {
  const s = document.querySelector('.summary');
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return s && s.getBoundingClientRect().height > 0 && paint ? Math.max(paint.startTime, 0) : null;
}"""


def measure_atlas_page(url: str, profile: dict | None, browser=None) -> dict:
    """Load ``url`` once in a fresh headless-Chromium context under a CDP network ``profile``.

    Parameters
    ----------
    url : str
        An atlas page with a summary (``.summary``) and a map (``.map``).
    profile : dict or None
        ``Network.emulateNetworkConditions`` parameters (e.g. `PROFILE_3G`); None: no throttling.
    browser : playwright Browser, optional
        Reused when given; otherwise one is launched and closed.

    Returns
    -------
    dict
        ``bytes_gzip`` (bytes received for the page and everything it loaded, as encoded on the
        wire), ``summary_visible_s`` (first contentful paint with the summary laid out, seconds
        from navigation start) and ``map_drawn_s`` (when the map had drawn its paths).
    """
    from playwright.sync_api import sync_playwright

    def run(br) -> dict:
        context = br.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if profile:
            cdp.send("Network.emulateNetworkConditions", profile)
        received = []
        cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
        page.goto(url)
        summary = page.wait_for_function(SUMMARY_JS, timeout=120_000).json_value() / 1000
        page.wait_for_function("document.querySelector('.map[data-drawn]') && "
                               "document.querySelectorAll('.map path.leaflet-interactive').length > 0",
                               timeout=120_000)
        drawn = page.evaluate("performance.now()") / 1000
        page.wait_for_load_state("load")
        context.close()
        return {"bytes_gzip": int(sum(received)), "summary_visible_s": summary, "map_drawn_s": drawn}

    if browser is not None:
        return run(browser)
    with sync_playwright() as p:
        br = p.chromium.launch(executable_path=_chromium(), args=FLAGS)
        try:
            return run(br)
        finally:
            br.close()


def _chromium() -> str:
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("no Chromium installed (apt-get install chromium)")
    return path


class PrecompressedHandler(http.server.SimpleHTTPRequestHandler):
    """Serve ``X.gz`` as ``X`` with ``Content-Encoding: gzip`` when it exists (nginx gzip_static)."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        packed = path.with_name(path.name + ".gz")
        if not path.is_file():
            self.send_error(404)
            return
        gz = packed.is_file() and "gzip" in self.headers.get("Accept-Encoding", "")
        body = (packed if gz else path).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(PrecompressedHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def page_bytes(site_dir: Path, page: str = PAGE) -> list[tuple[str, int, int]]:
    """(file, raw bytes, gzip bytes) of a page and the files it loads."""
    rows = []
    for rel in (page, *PAGE_ASSETS):
        path = site_dir / rel
        packed = path.with_name(path.name + ".gz")
        rows.append((rel, path.stat().st_size, packed.stat().st_size if packed.exists() else path.stat().st_size))
    return rows


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the build's worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def build(out: Path, jobs: int | None = None) -> dict:
    from geo import site
    from geo.bundle import load_bundle

    if jobs is not None:
        site.JOBS = jobs
    t0, c0 = time.perf_counter(), _cpu()
    bundle = load_bundle()
    load_s = time.perf_counter() - t0
    stats = site.build_site(bundle, out)
    stats.update(load_s=load_s, total_s=time.perf_counter() - t0, total_cpu_s=_cpu() - c0, jobs=site.JOBS)
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="an atlas already built (default: build one now)")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--jobs", type=int, help="processes writing the pages (default: geo.site.JOBS, 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site_dir = args.site
        if site_dir is None:
            site_dir = Path(tmp) / "site"
            stats = build(site_dir, args.jobs)
            met = "met" if stats["total_s"] <= TARGETS["build_s"] else "NOT met"
            print(f"Build ({stats['jobs']} processes): {stats['files']} files; "
                  f"loading the data {stats['load_s']:.1f} s, writing "
                  f"{stats['seconds']:.1f} s; total {stats['total_s']:.1f} s wall "
                  f"(target ≤ {TARGETS['build_s']:.0f} s: "
                  f"{met}), {stats['total_cpu_s']:.1f} s CPU; load average during the build "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        rows = page_bytes(site_dir)
        print(f"\n{'file':<34}{'bytes':>10}{'gzip':>10}")
        for rel, raw, packed in rows:
            print(f"{rel:<34}{raw:>10,}{packed:>10,}")
        total_gz = sum(r[2] for r in rows)
        print(f"{'total':<34}{sum(r[1] for r in rows):>10,}{total_gz:>10,}   "
              f"target ≤ {TARGETS['kb_gzip']:.0f} KB: {'met' if total_gz / 1000 <= TARGETS['kb_gzip'] else 'NOT met'}")

        from playwright.sync_api import sync_playwright

        server, base = serve(site_dir)
        try:
            with sync_playwright() as p:
                br = p.chromium.launch(executable_path=_chromium(), args=FLAGS)
                runs = [measure_atlas_page(f"{base}/{PAGE}", PROFILE_3G, br) for _ in range(args.loads)]
                br.close()
        finally:
            server.shutdown()
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"\n{PAGE} on emulated 3G (150 ms, 1.6 Mbit/s), 390 px, median of {args.loads} cold loads:")
        print(f"  on the wire: {med['bytes_gzip'] / 1000:.1f} KB")
        print(f"  summary visible: {med['summary_visible_s']:.2f} s (target ≤ {TARGETS['summary_s']} s: "
              f"{'met' if med['summary_visible_s'] <= TARGETS['summary_s'] else 'NOT met'})")
        print(f"  map drawn: {med['map_drawn_s']:.2f} s (target ≤ {TARGETS['map_s']} s: "
              f"{'met' if med['map_drawn_s'] <= TARGETS['map_s'] else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
