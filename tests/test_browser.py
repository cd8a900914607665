"""What a person sees, in headless Chromium against the running app (skipped without a browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.browser
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(bundle):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start: " + proc.stdout.read1().decode(errors="replace"))
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium installed (apt-get install chromium); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        br = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield br
        br.close()


def map_frame(page, minimum: int, timeout: float = 90):
    """The streamlit-folium iframe once it has drawn at least ``minimum`` interactive paths."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length") >= minimum:
                    return frame
            except Exception:  # frame navigating or detached
                continue
        time.sleep(0.3)
    raise AssertionError(f"the map did not draw {minimum} paths within {timeout} s")


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.requested_hosts = set()
    pg.on("request", lambda r: pg.requested_hosts.add(urlparse(r.url).netloc or r.url.split(":")[0]))
    yield pg
    context.close()


def test_map_draws_every_kommune_and_hospital(page, server, bundle):
    from geo import model

    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, "sundhedsklynger")
    hospitals = (bundle.sites["kind"] == "akutsygehus").sum()
    page.goto(server)
    frame = map_frame(page, len(parts))
    time.sleep(1)
    n_paths = frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
    assert n_paths == len(parts) + hospitals  # 99 kommune parts (København in two) + 22 hospitals


def test_no_request_leaves_the_app(page, server):
    page.goto(server)
    map_frame(page, 98)
    page.wait_for_timeout(1500)
    own = urlparse(server).netloc
    others = {h for h in page.requested_hosts if h not in (own, "data", "blob", "about")}
    assert others == set(), f"requests to other hosts: {others}"


def test_click_on_a_kommune_shows_its_klynge(page, server, bundle):
    silkeborg = bundle.kommuner.set_index("kommune_kode").to_crs(4326).geometry["0740"].representative_point()
    page.goto(server)
    frame = map_frame(page, 98)
    page.wait_for_timeout(1000)
    x, y = frame.evaluate(
        "([lat, lon]) => { const p = window.map_div.latLngToContainerPoint([lat, lon]);"
        " const r = window.map_div.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [silkeborg.y, silkeborg.x],
    )
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    heading = page.get_by_text("Silkeborg (0740) i laget Sundhedsklynger (2022)")
    heading.wait_for(timeout=30_000)
    assert page.get_by_text("Midtklyngen: 100 %").first.is_visible()
    assert "kommune=0740" in page.url
