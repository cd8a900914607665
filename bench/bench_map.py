"""Benchmark: the national sundhedsklynge map built the app's way vs ``GeoDataFrame.explore()``.

Prints, for both: HTML bytes, gzip bytes, vertex count and the time until every polygon is drawn
in headless Chromium (median of several loads), plus the ratios and the targets.

    .venv/bin/python bench/bench_map.py [--loads 7]

All pages are served gzip-compressed from a local HTTP server, with the same local Leaflet 1.9.4.
explore() links Leaflet and its plug-ins from a CDN: its Leaflet links are pointed at the local
copy and the other plug-ins (jQuery, Bootstrap, Font Awesome, awesome-markers, not needed to draw
polygons) at empty files, which favours explore(). Each page is timed on two network profiles:
loopback, and a throttled 4G-like link (Chromium network emulation). A page with Leaflet and one
polygon gives the floor: the time any Leaflet map needs before it can draw anything.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import roles, views  # noqa: E402
from geo.assets import install as install_leaflet  # noqa: E402
from geo.bundle import load_bundle  # noqa: E402
from geo.mapbuild import build_map, draw_frame  # noqa: E402
from geo.viewstate import MapState  # noqa: E402

GOTO_TIMEOUT_MS = 180_000
TARGETS = {"gzip_ratio": 5.0, "draw_ratio": 3.0, "gzip_kb_max": 100.0}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build_pages(directory: Path) -> dict[str, dict]:
    bundle = load_bundle()
    display = views.make_display(bundle)
    layer = bundle.registry.main_layer(roles.today())
    view = views.national_view(bundle, display, MapState(layer=layer, on=roles.today(), labels=False))
    sites = views.site_points(bundle.sites, ["hospitals"])
    t0 = time.perf_counter()
    app_map = build_map(view.areas, assets_url="leaflet", sites=sites)
    app_html = app_map.get_root().render()
    app_build = time.perf_counter() - t0

    members = views.membership_table(bundle, layer).drop(columns="lines")
    full = bundle.kommuner[["kommune_kode", "geometry"]].merge(members, on="kommune_kode", validate="one_to_one")
    t0 = time.perf_counter()
    explore_map = full.explore(column="unit_navne", tiles=None, legend=False)
    explore_html = explore_map.get_root().render()
    explore_build = time.perf_counter() - t0

    install_leaflet(directory / "leaflet")
    (directory / "app.html").write_text(app_html, encoding="utf-8")
    (directory / "explore.html").write_text(localise_cdn(explore_html), encoding="utf-8")
    (directory / "floor.html").write_text(FLOOR_HTML, encoding="utf-8")
    (directory / "empty.js").write_text("", encoding="utf-8")
    (directory / "empty.css").write_text("", encoding="utf-8")
    n_sites = len(sites)
    return {
        "app": {"html": app_html, "paths": len(view.areas) + n_sites, "build_s": app_build},
        "explore": {"html": explore_html, "paths": len(full), "build_s": explore_build},
        "vertices": {"app": int(shapely.get_num_coordinates(draw_frame(view.areas, []).geometry.values).sum())
                     + n_sites,
                     "explore": int(shapely.get_num_coordinates(full.geometry.values).sum())},
    }


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


PROFILES = {
    "loopback": None,
    "4G-like (9 Mbit/s, 60 ms)": {"offline": False, "latency": 60, "downloadThroughput": 9e6 / 8,
                                  "uploadThroughput": 1.5e6 / 8},
    "3G-like (1.6 Mbit/s, 150 ms)": {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8,
                                     "uploadThroughput": 0.75e6 / 8},
}
FLOOR_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><script src="leaflet/leaflet.js"></script>
<link rel="stylesheet" href="leaflet/leaflet.css"/></head><body style="margin:0">
<div id="m" style="width:100%;height:100vh"></div><script>var m = L.map("m").fitBounds([[54.55, 8.05],
[57.76, 15.2]]); L.polygon([[55, 10], [56, 10], [56, 11]]).addTo(m);</script></body></html>"""


def localise_cdn(html: str) -> str:
    """Point explore()'s CDN links at the local Leaflet, and its other plug-ins at empty files."""
    def swap(match: re.Match) -> str:
        url = match.group(2)
        if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.js$", url):
            local = "leaflet/leaflet.js"
        elif re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.css$", url):
            local = "leaflet/leaflet.css"
        else:
            local = "empty.css" if url.endswith(".css") else "empty.js"
        return f"{match.group(1)}{local}{match.group(3)}"

    return re.sub(r"""((?:src|href)=["'])(https?://[^"']+)(["'])""", swap, html)


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files gzip-compressed, as a production web server would."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def time_once(browser, url: str, paths: int, profile: dict | None) -> float:
    """Seconds from navigation start until ``paths`` interactive paths are in the page."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    if profile:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", profile)
    # A loaded machine (load average 17 seen) can take longer than Playwright's default 30 s
    page.goto(url, timeout=GOTO_TIMEOUT_MS)
    page.wait_for_function(f"document.querySelectorAll('path.leaflet-interactive').length >= {paths}",
                           timeout=GOTO_TIMEOUT_MS)
    seconds = page.evaluate("performance.now()") / 1000
    context.close()
    return seconds


def time_pages(browser, base: str, paths: dict[str, int], loads: int, profile: dict | None) -> dict[str, float]:
    """Median draw time per page; loads interleaved so machine noise hits every page alike."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(loads):
        for name, n in paths.items():
            times[name].append(time_once(browser, f"{base}/{name}.html", n, profile))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=11, help="page loads per map and profile (median)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    results: dict = {"app": {}, "explore": {}, "floor": {}}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        pages = build_pages(directory)
        for name in ("app", "explore"):
            raw = pages[name]["html"].encode("utf-8")
            results[name].update({
                "html_bytes": len(raw),
                "gzip_bytes": len(gzip.compress(raw, 9)),
                "vertices": pages["vertices"][name],
                "build_s": round(pages[name]["build_s"], 3),
            })
        if chromium:
            from playwright.sync_api import sync_playwright

            server, base = serve(directory)
            paths = {"app": pages["app"]["paths"], "explore": pages["explore"]["paths"], "floor": 1}
            from playwright.sync_api import Error as PlaywrightError

            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
                    for profile, conditions in PROFILES.items():
                        medians = time_pages(browser, base, paths, args.loads, conditions)
                        for name, value in medians.items():
                            results[name][f"draw_s[{profile}]"] = round(value, 3)
                    browser.close()
            except PlaywrightError as exc:  # includes TimeoutError: a page that did not load in time
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                print(f"bench_map: a page did not load or draw within {GOTO_TIMEOUT_MS // 1000} s "
                      f"(machine load average {os.getloadavg()[0]:.1f}): {first}", file=sys.stderr)
                print("bench_map: draw times skipped; the byte figures below still hold", file=sys.stderr)
                for name in results:
                    for key in [k for k in results[name] if k.startswith("draw_s[")]:
                        del results[name][key]
            finally:
                server.shutdown()
    a, e, f = results["app"], results["explore"], results["floor"]
    print(f"{'':38}{'app':>12}{'explore()':>12}{'ratio':>9}{'floor':>9}")
    rows = [("html_bytes", "HTML bytes"), ("gzip_bytes", "gzip bytes"), ("vertices", "vertices"),
            ("build_s", "build in Python (s)")]
    rows += [(f"draw_s[{p}]", f"drawn, median (s), {p}") for p in PROFILES]
    for key, label in rows:
        if key in a:
            floor = f"{f[key]:>9}" if key in f else ""
            print(f"{label:38}{a[key]:>12,}{e[key]:>12,}{e[key] / a[key]:>8.1f}×{floor}")
    gzip_ratio, gzip_kb = e["gzip_bytes"] / a["gzip_bytes"], a["gzip_bytes"] / 1000
    checks = [(f"gzip ≥ {TARGETS['gzip_ratio']:.0f}× smaller", gzip_ratio >= TARGETS["gzip_ratio"]),
              (f"national map ≤ {TARGETS['gzip_kb_max']:.0f} KB gzip", gzip_kb <= TARGETS["gzip_kb_max"])]
    for p in PROFILES:
        key = f"draw_s[{p}]"
        if key in a:
            best = e[key] / f[key]
            checks.append((f"draws ≥ {TARGETS['draw_ratio']:.0f}× faster, {p} (ratio {e[key] / a[key]:.1f}×; "
                           f"even a map that costs nothing beyond the floor would reach only {best:.1f}×)",
                           e[key] / a[key] >= TARGETS["draw_ratio"]))
    if not chromium:
        print("draw times: skipped (no Chromium found)")
    for label, ok in checks:
        print(f"target {label}: {'met' if ok else 'NOT met'}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
