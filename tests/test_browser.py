"""What a person sees, in headless Chromium against the running app (skipped without a browser)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
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


@contextlib.contextmanager
def running_app(log: Path, env: dict[str, str] | None = None):
    """Start the app on a free port; yield its URL once ``/_stcore/health`` answers.

    The server's output goes to ``log`` (a pipe nobody reads would fill and stall the server).
    """
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=os.environ | (env or {}),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app stopped (exit {proc.returncode}): {log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer within 120 s: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)  # polling the server's health, not waiting for an assertion
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(bundle, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app") / "streamlit.log") as url:
        yield url


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
    """The streamlit-folium iframe once it has drawn at least ``minimum`` interactive paths.

    Polls every frame (the map's iframe is replaced when Streamlit reruns); fails only at the deadline.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length") >= minimum:
                    return frame
            except Exception:  # frame navigating or detached
                continue
        page.wait_for_timeout(300)
    raise AssertionError(f"the map did not draw {minimum} paths within {timeout} s")


def paths(frame):
    """The map's interactive paths (kommune parts and site markers)."""
    return frame.locator("path.leaflet-interactive")


def wait_idle(page, timeout: float = 90_000) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)


def other_hosts(page, server) -> set[str]:
    """Hosts other than the app's own that the page requested, once the network is quiet."""
    page.wait_for_load_state("networkidle", timeout=60_000)
    own = urlparse(server).netloc
    return {h for h in page.requested_hosts if h not in (own, "data", "blob", "about")}


@contextlib.contextmanager
def watched_page(browser):
    """A page in a fresh 1400×1000 context that records the hosts it requests and the dialogs
    that open (each dismissed)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.requested_hosts = set()
    pg.on("request", lambda r: pg.requested_hosts.add(urlparse(r.url).netloc or r.url.split(":")[0]))
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture()
def page(browser, server):
    with watched_page(browser) as pg:
        yield pg


def test_map_draws_every_kommune_and_hospital(page, server, bundle):
    from geo import model

    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, "sundhedsklynger")
    hospitals = int((bundle.sites["kind"] == "akutsygehus").sum())
    page.goto(server)
    frame = map_frame(page, len(parts))
    expect(paths(frame)).to_have_count(len(parts) + hospitals, timeout=30_000)  # every kommune part + every acute hospital


def test_no_request_leaves_the_app(page, server, bundle):
    page.goto(server)
    map_frame(page, len(bundle.kommuner))
    wait_idle(page)
    assert other_hosts(page, server) == set()


def click_kommune(page, bundle, kode: str) -> None:
    """Click the kommune's representative point on the national map once the map is idle, until the map
    page has taken the selection (it writes ?kommune= to the address).

    Just after the map appears, streamlit-folium resizes its frame (640 → 648 px) and redraws, so a point
    computed a moment earlier can land on a neighbour, or a click can fall between two draws. Each try
    therefore computes the point on the map as it is, points at it, waits for the kommune's own tooltip,
    and clicks; a person who sees the wrong kommune selected clicks again, and so does this helper, at
    most three times."""
    frame = map_frame(page, len(bundle.kommuner))
    wait_idle(page)
    point = bundle.kommuner.set_index("kommune_kode").to_crs(4326).geometry[kode].representative_point()
    for attempt in range(3):
        # streamlit-folium binds its click handler to every layer after drawing the map; a click before
        # that is lost (it would be for a person too), so wait until every kommune area listens for clicks.
        frame.wait_for_function("window.map_div && window.map_div._loaded && !window.map_div._animatingZoom"
                                " && Object.values(window.map_div._layers).filter(l => l.feature)"
                                ".every(l => l.listens('click'))", timeout=30_000)
        x, y = frame.evaluate(
            "([lat, lon]) => { const p = window.map_div.latLngToContainerPoint([lat, lon]);"
            " const r = window.map_div.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
            [point.y, point.x],
        )
        box = frame.frame_element().bounding_box()
        page.mouse.move(box["x"] + x, box["y"] + y)
        expect(frame.locator(".leaflet-tooltip", has_text=f"({kode})")).to_be_visible(timeout=30_000)
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            expect(page).to_have_url(re.compile(rf"[?&]kommune={kode}(&|$)"), timeout=10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def test_click_on_a_kommune_shows_its_klynge(page, server, bundle):
    page.goto(server)
    click_kommune(page, bundle, "0740")
    expect(page.get_by_text("Silkeborg (0740) i laget Sundhedsklynger (2022)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Midtklyngen: 100 %").first).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"kommune=0740"), timeout=30_000)


AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["/", "/min_kommune?kommune=0101", "/klynger", "/data", "/kilder"]


def wait_for_app(page, text: str, timeout: float = 90_000) -> None:
    """Wait until the page shows ``text`` and Streamlit has finished running the script."""
    expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=timeout)
    wait_idle(page, timeout)


DATE_FIELDS_READY = ("() => [...document.querySelectorAll(\"[data-testid='stDateInput'] [role='spinbutton']\")]"
                     ".every(e => { const r = e.getBoundingClientRect(); return r.width >= 24 && r.height >= 24; })")


def axe_violations(frame) -> list[dict]:
    """axe-core's WCAG A/AA violations of the frame once it is settled.

    The date picker's fields get their target size from a style drawn beside the picker; while Streamlit
    redraws the sidebar in a rerun that starts just after the first (Scenarier's controls, Sammenlign's
    kept choice), the picker can be drawn before its style. So the check waits until the script is idle
    and the style is applied, and a page with a finding is checked once more after the same wait (a
    finding that stays fails)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser); .ci/run installs it")

    def run() -> list[dict]:
        wait_idle(frame.page)
        frame.wait_for_function(DATE_FIELDS_READY, timeout=30_000)
        if not frame.evaluate("typeof axe !== 'undefined'"):
            frame.add_script_tag(path=str(AXE))
        return frame.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
            WCAG_TAGS,
        )

    found = run()
    if found:  # a rerun may have been drawing (seen: the date fields before their style, a button before
        found = run()  # its label, on Scenarier); what is still found on the settled page fails
    return found


def test_deep_link_shows_the_summary(page, server):
    page.goto(f"{server}/min_kommune?kommune=0101")
    wait_for_app(page, "København (0101) hører til Sundhedsklynge Byen")
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text("Sundhedsklynge Syd (46 %")
    expect(main).to_contain_text("sikkerhed: lav – usikkert, bygger på et skøn")
    expect(main).to_contain_text("Bispebjerg Hospital")
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_geojson_download_parses_with_every_kommune(page, server, bundle):
    import json

    page.goto(f"{server}/data")
    wait_for_app(page, "Kommuner (GeoJSON)")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text("Kommuner (GeoJSON)").click()
    download = info.value
    assert download.suggested_filename == "klyngekort_sundhedsklynger_membership_kommuner.geojson"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(bundle.kommuner)
    kbh = next(f for f in data["features"] if f["properties"]["kommune_kode"] == "0101")
    assert kbh["properties"]["unit_ids"] == "h_byen;h_syd" and kbh["properties"]["shares"] == "0.545;0.455"


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_a_or_aa_violations(page, server, path):
    page.goto(f"{server}{path}")
    wait_for_app(page, "Sprog / Language")
    violations = axe_violations(page.main_frame)
    assert violations == [], violations


def test_axe_inside_the_map(page, server, bundle):
    page.goto(server)
    frame = map_frame(page, len(bundle.kommuner))
    violations = axe_violations(frame)
    assert violations == [], violations


@pytest.mark.parametrize("path", PAGES)
def test_every_page_stays_on_the_apps_own_host(page, server, path):
    page.goto(f"{server}{path}")
    wait_for_app(page, "Sprog / Language")
    assert other_hosts(page, server) == set()


@pytest.mark.parametrize(("path", "heading"), [("/", "Sundhedsklynger, -råd og optageområder"),
                                              ("/min_kommune?kommune=0101", "Min kommune"),
                                              ("/klynger", "Klynger og ulighed")])
def test_phone_width_has_no_horizontal_scroll(browser, server, path, heading):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server}{path}")
    wait_for_app(phone, heading)
    widths = ("(() => { const m = document.querySelector('[data-testid=stMain]');"
              " return [document.documentElement.scrollWidth, window.innerWidth, m.scrollWidth, m.clientWidth]; })()")
    try:
        phone.wait_for_function(f"(() => {{ const w = {widths}; return w[0] <= w[1] && w[2] <= w[3]; }})()",
                                timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail(f"horizontal scroll at phone width: {phone.evaluate(widths)}")
    finally:
        context.close()


def test_language_switch(page, server):
    page.goto(server)
    wait_for_app(page, "Signaturforklaring")
    layer = page.get_by_role("combobox", name="Lag", exact=True)
    expect(layer).to_have_value("Sundhedsklynger (2022)")
    # the sidebar's switch (the header's button, which says the same, has its own test)
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Health clusters, councils and catchments")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Map of Denmark")).to_have_count(1)
    # Every open selectbox shows its value in English at once (no Danish left until the page is
    # left), and the address says so.
    expect(page.get_by_role("combobox", name="Layer", exact=True)).to_have_value("Health clusters (2022)",
                                                                                 timeout=30_000)
    expect(page.get_by_role("combobox", name="Fill by")).to_have_value("Layer: Membership", timeout=30_000)
    expect(page.get_by_role("combobox", name="Outline of another layer")).to_have_attribute("placeholder", "None")
    expect(page).to_have_url(re.compile(r"[?&]lang=en"), timeout=30_000)
    # The language survives a reload and a move to another page.
    page.reload()
    page.get_by_role("heading", name="Health clusters, councils and catchments").wait_for(timeout=60_000)
    page.get_by_role("link", name="Clusters and inequality").click()
    page.get_by_role("heading", name="Clusters and inequality").wait_for(timeout=60_000)
    expect(page.get_by_role("combobox", name="Indicator")).to_have_value("Life expectancy at birth (2019-2023)",
                                                                          timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]lang=en"), timeout=30_000)
    page.get_by_test_id("stSidebar").get_by_text("Dansk", exact=True).click()
    page.get_by_role("heading", name="Klynger og ulighed").wait_for(timeout=30_000)
    expect(page.get_by_role("combobox", name="Indikator")).to_have_value("Middellevetid ved fødslen (2019-2023)",
                                                                          timeout=30_000)
    expect(page).not_to_have_url(re.compile(r"lang="), timeout=30_000)


# --- polish-map: labels on the map, /kort as a link, the answer in the first viewport --------------


def test_unit_names_are_drawn_on_the_map(page, server, bundle):
    page.goto(server)
    frame = map_frame(page, len(bundle.kommuner))
    expect(frame.locator(".unit-label", has_text="Midtklyngen")).to_be_visible(timeout=30_000)
    expect(frame.locator(".unit-label", has_text="Aarhusklyngen")).to_be_visible(timeout=30_000)


def test_min_kommune_map_names_the_kommunes_klynger(page, server, bundle):
    page.goto(f"{server}/min_kommune?kommune=0101")
    frame = map_frame(page, len(bundle.kommuner))
    expect(frame.locator(".unit-label", has_text="Sundhedsklynge Byen")).to_be_visible(timeout=30_000)
    expect(frame.locator(".unit-label", has_text="Sundhedsklynge Syd")).to_be_visible(timeout=30_000)


def test_kort_path_opens_the_layer_it_names(page, server, bundle):
    page.goto(f"{server}/kort?layer=psykiatri-voksen")
    frame = map_frame(page, len(bundle.kommuner))
    expect(frame.locator(".unit-label", has_text="PC Amager")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_text("Voksenpsykiatri (optageområder)").first).to_be_visible()


def test_a_click_answers_within_the_first_viewport(browser, server, bundle):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(server)
        expect(pg.get_by_text("Klik på en kommune på kortet")).to_be_in_viewport(timeout=90_000)
        click_kommune(pg, bundle, "0740")
        answer = pg.get_by_text("Midtklyngen: 100 %").first
        expect(answer).to_be_visible(timeout=30_000)
        expect(answer).to_be_in_viewport()
        assert answer.bounding_box()["y"] + answer.bounding_box()["height"] < 900
    finally:
        context.close()


# --- the hostile-string corpus in a real browser (see tests/hostile.py) ---------------------------

ATTACK = ("[log ind](https://evil.example/login) ![x](https://evil.example/p.png) "
          "<img src=x onerror=alert(1)> ${alert(1)}`")


@pytest.fixture(scope="module")
def hostile_server(bundle, tmp_path_factory):
    """The app started on hostile copies of every table and source."""
    from geo.config import DATA_ENV, SOURCES_ENV
    from tests.hostile import write_hostile_copies

    root = tmp_path_factory.mktemp("hostile")
    copies = write_hostile_copies(root, bundle.sources_dir)
    env = {SOURCES_ENV: str(copies.sources), DATA_ENV: str(copies.data)}
    with running_app(root / "streamlit.log", env) as url:
        yield url


@pytest.fixture()
def hostile_page(browser, hostile_server):
    with watched_page(browser) as pg:
        yield pg


def assert_harmless(page, server) -> None:
    """No dialog opened, nothing was requested from another host, no image or link to the attacker's host."""
    main = page.locator("[data-testid=stMain]")
    expect(main.locator("img[src*='evil.example']")).to_have_count(0)
    assert other_hosts(page, server) == set()
    assert page.dialogs == []


def test_hostile_data_map_draws_every_kommune_and_runs_nothing(hostile_page, hostile_server, bundle):
    from geo import model

    page = hostile_page
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, "sundhedsklynger")
    hospitals = int((bundle.sites["kind"] == "akutsygehus").sum())
    page.goto(hostile_server)
    frame = map_frame(page, len(parts))
    expect(paths(frame)).to_have_count(len(parts) + hospitals, timeout=30_000)
    wait_idle(page)
    box = frame.frame_element().bounding_box()
    kbh = bundle.kommuner.set_index("kommune_kode").to_crs(4326).geometry["0101"].representative_point()
    frame.wait_for_function("window.map_div && window.map_div._loaded", timeout=30_000)
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map_div.latLngToContainerPoint([lat, lon]);"
                          " const r = window.map_div.getContainer().getBoundingClientRect();"
                          " return [r.left + p.x, r.top + p.y]; }", [kbh.y, kbh.x])
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = frame.locator(".leaflet-tooltip")
    expect(tooltip.first).to_contain_text("København (0101)", timeout=30_000)
    expect(frame.locator(".leaflet-tooltip img")).to_have_count(0)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    assert_harmless(page, hostile_server)


HOSTILE_LINKS = [
    f"/?layer={quote(ATTACK)}&fill={quote(ATTACK)}&kommune={quote(ATTACK)}&lang={quote(ATTACK)}",
    "/?kommune=0101&fill=ind%3Agini%402022",
    "/min_kommune?kommune=0101",
    "/klynger",
    "/data",
]


@pytest.mark.parametrize("path", HOSTILE_LINKS)
def test_hostile_data_and_links_show_text_not_markup(hostile_page, hostile_server, path):
    page = hostile_page
    page.goto(f"{hostile_server}{path}")
    wait_for_app(page, "Sprog / Language")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    assert_harmless(page, hostile_server)


def test_unknown_kommune_in_a_link_is_shown_literally(hostile_page, hostile_server):
    page = hostile_page
    page.goto(f"{hostile_server}/min_kommune?kommune={quote(ATTACK)}")
    alert = page.locator("[data-testid=stAlertContentError]")
    # shown as written (an invisible word joiner after 'https:' keeps GFM from linking the URL)
    expect(alert).to_contain_text(re.compile(r"\[log ind\]\(https:\u2060?//evil\.example/login\)"), timeout=90_000)
    expect(alert).to_contain_text("<img src=x onerror=alert(1)> ${alert(1)}`")
    expect(alert.locator("a, img")).to_have_count(0)
    assert_harmless(page, hostile_server)


def test_evidence_notes_load_no_remote_image(hostile_page, hostile_server):
    page = hostile_page
    page.goto(f"{hostile_server}/kilder")
    wait_for_app(page, "hostile/NOTES.md")
    page.get_by_text("hostile/NOTES.md").click()
    expect(page.locator("a[href='https://evil.example/pixel.png']")).to_be_visible(timeout=30_000)
    expect(page.locator("img[src*='evil.example']")).to_have_count(0)
    assert_harmless(page, hostile_server)
