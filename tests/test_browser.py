"""What a person sees, in headless Chromium against the running app (skipped without a browser)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_text("Silkeborg (0740) i laget Sundhedsklynger (2022)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Midtklyngen: 100 %").first).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"kommune=0740"), timeout=30_000)


AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["/", "/min_kommune?kommune=0101", "/klynger", "/data", "/kilder"]


def wait_for_app(page, text: str, timeout: float = 90_000) -> None:
    """Wait until the page shows ``text`` and Streamlit has finished running the script."""
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)


def axe_violations(frame) -> list[dict]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser); .ci/run installs it")
    frame.add_script_tag(path=str(AXE))
    return frame.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        WCAG_TAGS,
    )


def test_deep_link_shows_the_summary(page, server):
    page.goto(f"{server}/min_kommune?kommune=0101")
    wait_for_app(page, "København (0101) hører til Sundhedsklynge Byen")
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "Sundhedsklynge Syd (42 %" in body
    assert "sikkerhed: lav – usikkert, bygger på et skøn" in body
    assert "Bispebjerg Hospital" in body
    assert page.get_by_text("Page not found").count() == 0


def test_geojson_download_parses_with_every_kommune(page, server):
    import json

    page.goto(f"{server}/data")
    wait_for_app(page, "Kommuner (GeoJSON)")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text("Kommuner (GeoJSON)").click()
    download = info.value
    assert download.suggested_filename == "klyngekort_sundhedsklynger_membership_kommuner.geojson"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 98
    kbh = next(f for f in data["features"] if f["properties"]["kommune_kode"] == "0101")
    assert kbh["properties"]["unit_ids"] == "h_byen;h_syd" and kbh["properties"]["shares"] == "0.577;0.423"


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_a_or_aa_violations(page, server, path):
    page.goto(f"{server}{path}")
    wait_for_app(page, "Sprog / Language")
    violations = axe_violations(page.main_frame)
    assert violations == [], violations


def test_axe_inside_the_map(page, server):
    page.goto(server)
    frame = map_frame(page, 98)
    violations = axe_violations(frame)
    assert violations == [], violations


@pytest.mark.parametrize("path", PAGES)
def test_every_page_stays_on_the_apps_own_host(page, server, path):
    page.goto(f"{server}{path}")
    wait_for_app(page, "Sprog / Language")
    page.wait_for_timeout(1000)
    own = urlparse(server).netloc
    assert {h for h in page.requested_hosts if h not in (own, "data", "blob", "about")} == set()


@pytest.mark.parametrize(("path", "heading"), [("/", "Sundhedsklynger og optageområder"),
                                              ("/min_kommune?kommune=0101", "Min kommune"),
                                              ("/klynger", "Klynger og ulighed")])
def test_phone_width_has_no_horizontal_scroll(browser, server, path, heading):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server}{path}")
    wait_for_app(phone, heading)
    widths = phone.evaluate("(() => { const m = document.querySelector('[data-testid=stMain]');"
                            " return [document.documentElement.scrollWidth, window.innerWidth,"
                            " m.scrollWidth, m.clientWidth]; })()")
    context.close()
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths


def test_language_switch(page, server):
    page.goto(f"{server}/klynger")
    wait_for_app(page, "Klynger og ulighed")
    page.get_by_text("English").click()
    page.get_by_role("heading", name="Clusters and inequality").wait_for(timeout=30_000)
    assert page.get_by_text("Map of Denmark").count() == 1


# --- polish-map: labels on the map, /kort as a link, the answer in the first viewport --------------


def test_unit_names_are_drawn_on_the_map(page, server):
    page.goto(server)
    frame = map_frame(page, 98)
    expect(frame.locator(".unit-label", has_text="Midtklyngen")).to_be_visible(timeout=30_000)
    expect(frame.locator(".unit-label", has_text="Aarhusklyngen")).to_be_visible(timeout=30_000)


def test_kort_path_opens_the_layer_it_names(page, server):
    page.goto(f"{server}/kort?layer=psykiatri-voksen")
    frame = map_frame(page, 98)
    expect(frame.locator(".unit-label", has_text="PC Amager")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_text("Voksenpsykiatri (optageområder)").first).to_be_visible()


def test_a_click_answers_within_the_first_viewport(browser, server, bundle):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(server)
        expect(pg.get_by_text("Klik på en kommune på kortet")).to_be_in_viewport(timeout=90_000)
        frame = map_frame(pg, 98)
        pg.wait_for_timeout(1000)
        silkeborg = bundle.kommuner.set_index("kommune_kode").to_crs(4326).geometry["0740"].representative_point()
        x, y = frame.evaluate(
            "([lat, lon]) => { const p = window.map_div.latLngToContainerPoint([lat, lon]);"
            " const r = window.map_div.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
            [silkeborg.y, silkeborg.x],
        )
        box = frame.frame_element().bounding_box()
        pg.mouse.click(box["x"] + x, box["y"] + y)
        answer = pg.get_by_text("Midtklyngen: 100 %").first
        expect(answer).to_be_visible(timeout=30_000)
        expect(answer).to_be_in_viewport()
        assert answer.bounding_box()["y"] + answer.bounding_box()["height"] < 900
    finally:
        context.close()
