"""The static atlas (``python -m geo site``): every page, no broken or foreign link, safe rebuilds,
and in headless Chromium: the maps draw from the site alone and axe-core finds nothing."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import redirect_stderr
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import expect

from geo import export, site
from tests.test_browser import browser  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent


# `atlas`: the atlas built once per session on the real bundle (tests/conftest.py).


class Links(HTMLParser):
    """Every href/src with its tag, and every id, of one HTML file."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.refs.append((tag, name, value))
            if name == "id":
                self.ids.add(value)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def test_every_expected_page_exists_in_both_languages(atlas, bundle):
    expected = ["index.html", *(f"layer/{layer}/index.html" for layer in bundle.layers["layer"])]
    expected += [f"kommune/{k}/index.html" for k in bundle.kommuner["kommune_kode"]]
    expected += [f"{u.layer}/{u.unit_id}/index.html" for u in bundle.units.itertuples()]
    assert len(bundle.kommuner) == 98
    for path in expected:
        for prefix in ("", "en/"):
            page = atlas / prefix / path
            assert page.is_file(), page
            assert gzip.decompress((atlas / prefix / (path + ".gz")).read_bytes()) == page.read_bytes()
    assert len(list(atlas.rglob("*.html"))) == 2 * len(expected)
    assert (atlas / site.MARKER).is_file()
    for name in ("leaflet.js", "site.css", "site.js", "images/layers.png"):
        assert (atlas / "assets" / name).is_file()


def test_data_files_are_the_bytes_the_cli_writes(atlas, bundle, tmp_path):
    from geo.__main__ import main

    for layer in bundle.layers["layer"]:
        for what in export.WHATS:
            for ext in ("geojson", "csv"):  # the atlas publishes these two; xlsx stays a CLI/app download
                assert (atlas / "data" / f"{layer}-{what}.{ext}").is_file()
    cli = tmp_path / "units.csv"
    with redirect_stderr(io.StringIO()):
        assert main(["export", "--layer", "psykiatri-voksen", "--what", "units", "--format", "csv",
                     "--out", str(cli)]) == 0
    assert (atlas / "data/psykiatri-voksen-units.csv").read_bytes() == cli.read_bytes()
    frame = export.frame_for(bundle, "sundhedsklynger", "kommuner")
    assert (atlas / "data/sundhedsklynger-kommuner.geojson").read_bytes() == export.render(frame, "geojson").encode()
    geo = json.loads((atlas / "data/sundhedsklynger-kommuner.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 98


def test_crawl_finds_no_broken_link_and_no_other_host(atlas):
    pages = sorted(atlas.rglob("*.html"))
    ids = {p: parse(p).ids for p in pages}
    external = set()
    for page in pages:
        for tag, attr, ref in parse(page).refs:
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I) or ref.startswith("//"):
                # Citation links to sources are allowed as plain links; nothing is ever loaded from elsewhere.
                assert (tag, attr) == ("a", "href") and ref.startswith(("http://", "https://")), (page, tag, ref)
                external.add(ref)
                continue
            url = urlparse(ref)
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            assert target.is_relative_to(atlas.resolve()), (page, ref)
            assert target.is_file(), f"{page.relative_to(atlas)}: broken link {ref}"
            if url.fragment and target.suffix == ".html":
                assert url.fragment in ids[target], f"{page.relative_to(atlas)}: no #{url.fragment} in {ref}"
    assert external, "the unit pages cite their sources"


def test_every_page_has_title_language_and_a_link_to_the_other_language(atlas):
    for page in sorted(atlas.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(atlas).as_posix()
        lang, other = ("en", rel[3:]) if rel.startswith("en/") else ("da", f"en/{rel}")
        assert f'<html lang="{lang}">' in text, rel
        assert re.search(r"<title>[^<]+ – Klyngekort</title>", text), rel
        switch = re.search(r'<a class="lang" href="([^"]+)"', text).group(1)
        assert (page.parent / switch).resolve() == (atlas / other).resolve(), rel
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text


def test_layer_pages_describe_the_layer_in_their_language(atlas):
    da = (atlas / "layer" / "psykiatri-voksen" / "index.html").read_text(encoding="utf-8")
    en = (atlas / "en" / "layer" / "psykiatri-voksen" / "index.html").read_text(encoding="utf-8")
    assert "Optageområder for almen voksenpsykiatri" in da
    assert "Catchments of general adult psychiatry" in en and "Optageområder" not in en


def test_koebenhavn_names_byen_and_syd_with_their_shares_before_the_map(atlas):
    text = (atlas / "kommune/0101/index.html").read_text(encoding="utf-8")
    summary = text.index("København (0101) hører til Sundhedsklynge Byen (54 % af borgerne; bydelene Indre By")
    assert "og Sundhedsklynge Syd (46 %; bydelene Vesterbro-Kongens Enghave" in text
    assert "sikkerhed: lav – usikkert, bygger på et skøn" in text
    assert "Bispebjerg Hospital" in text and "1 af 98" in text
    assert summary < text.index('class="map"') < text.index('id="mapdata"')
    english = (atlas / "en/kommune/0101/index.html").read_text(encoding="utf-8")
    assert "Sundhedsklynge Byen (54% of residents" in english and "Sundhedsklynge Syd (46%" in english


def test_kommune_map_carries_only_its_klynger_and_neighbours(atlas):
    text = (atlas / "kommune/0740/index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="mapdata">(.*?)</script>', text, re.S).group(1))
    polygons = [f for f in data["features"] if f["geometry"]["type"] != "Point"]
    codes = {f["properties"].get("k") for f in polygons}
    assert "0740" in codes and "0101" not in codes and 5 < len(codes) < 30
    assert sum(1 for f in polygons if f["properties"].get("o")) == 1
    assert all(f["properties"].get("f") for f in polygons if "Midtklyngen" in f["properties"].get("t", ""))


def test_atlas_maps_name_their_units_in_the_main_maps_colours(atlas, bundle):
    national = json.loads((atlas / "map/sundhedsklynger.json").read_text(encoding="utf-8"))
    labels = [f["properties"] for f in national["features"] if f["properties"].get("l")]
    assert len(labels) == int((bundle.units["layer"] == "sundhedsklynger").sum())
    byen = next(p for p in labels if p["n"] == "Sundhedsklynge Byen")
    fills = {f["properties"]["c"] for f in national["features"]
             if f["properties"].get("t", "").startswith("København (0101): Sundhedsklynge Byen")}
    assert fills == {byen["c"]}  # the label's legend swatch has the colour of the unit's areas
    text = (atlas / "kommune/0740/index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="mapdata">(.*?)</script>', text, re.S).group(1))
    named = {f["properties"]["n"] for f in data["features"] if f["properties"].get("l")}
    assert "Midtklyngen" in named and "Sundhedsklynge Byen" not in named  # the units shown, no others


def test_unit_page_lists_members_psychiatry_and_councils_and_indicators(atlas):
    text = (atlas / "sundhedsklynger/h_byen/index.html").read_text(encoding="utf-8")
    assert "<h1>Sundhedsklynge Byen</h1>" in text
    assert "Frederiksberg (0147)" in text and "54 %" in text  # København's share, bydel split 2025
    assert "Psykiatri der betjener borgerne: Voksenpsykiatri (optageområder)" in text
    assert "Sundhedsråd Hovedstaden" in text and "Danmark" in text
    english = (atlas / "en/sundhedsklynger/h_byen/index.html").read_text(encoding="utf-8")
    assert "Life expectancy at birth" in english and "personer" not in english
    sources = text.split('<ul class="cite">', 1)[1]
    assert re.search(r'<li><a href="https?://[^"]+">[^<:]+: [^<]+ \(', sources)  # publisher: title (date)


def test_data_text_is_escaped_in_html_and_in_map_json():
    env = site.environment()
    html = env.from_string("<p>{{ name }}</p>").render(name='<img src=x onerror="alert(1)">`${x}`')
    assert "<img" not in html and "&lt;img" in html and "&#96;" in html and "&#36;" in html
    text = site.map_json([({"t": "</script><script>alert(1)</script>"}, '{"type":"Point","coordinates":[1,2]}')])
    assert "</script>" not in text and json.loads(text)["features"][0]["properties"]["t"].startswith("</script>")


def test_a_non_empty_directory_that_is_not_an_atlas_is_refused(bundle, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    with pytest.raises(site.AtlasError, match="not empty and is not a previous atlas"):
        site.build_site(bundle, mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_the_command_refuses_before_loading_anything(tmp_path, capsys):
    from geo.__main__ import main

    (tmp_path / "notes.txt").write_text("mine")
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["site", "--out", str(tmp_path)]) == 1
    assert f"--out {tmp_path}: the directory is not empty" in err.getvalue()
    assert (tmp_path / "notes.txt").read_text() == "mine"


def _old_atlas(path: Path, entries: tuple[str, ...] | None = None) -> Path:
    """A previous atlas: its marker lists ``entries`` (None: a marker of an older build, listing none)."""
    path.mkdir()
    (path / site.MARKER).write_text("old" if entries is None else site.marker_text(set(entries)))
    (path / "index.html").write_text("old atlas")
    return path


def _tiny_site(_bundle, root, _today, _log, _on=None, **_options):
    (root / "index.html").write_text("new atlas")
    (root / "kommune").mkdir()
    (root / "kommune" / "index.html").write_text("new kommune")
    return {"files": 2, "kommuner": 0, "units": 0}


def test_a_failed_build_leaves_the_previous_atlas_intact(bundle, tmp_path, monkeypatch):
    old = _old_atlas(tmp_path / "site")

    def broken(_w):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(site, "write_layer_pages", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        site.build_site(bundle, old)
    assert (old / "index.html").read_text() == "old atlas"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary directory left behind


def test_a_rebuild_replaces_the_previous_atlas(tmp_path, monkeypatch):
    old = _old_atlas(tmp_path / "site", ("index.html", "stale.html"))
    (old / "stale.html").write_text("from the old build")
    monkeypatch.setattr(site, "write_site", _tiny_site)
    site.build_site(None, old)
    assert (old / "index.html").read_text() == "new atlas"
    assert not (old / "stale.html").exists() and (old / site.MARKER).is_file()
    assert site.own_entries(old) == {"index.html", "kommune"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("entries", [None, ("index.html", "kommune")], ids=["older-marker", "marker-with-entries"])
def test_a_rebuild_keeps_the_files_the_atlas_did_not_write(tmp_path, monkeypatch, entries):
    old = _old_atlas(tmp_path / "site", entries)
    (old / ".git" / "refs").mkdir(parents=True)
    (old / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (old / "CNAME").write_text("atlas.example.dk\n")
    (old / "kommune").mkdir()
    (old / "kommune" / "0101.html").write_text("old page")  # inside an atlas folder: the atlas's own
    monkeypatch.setattr(site, "write_site", _tiny_site)
    for _ in range(2):  # and again: the marker never claims them
        site.build_site(None, old)
        assert (old / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
        assert (old / ".git" / "refs").is_dir()
        assert (old / "CNAME").read_text() == "atlas.example.dk\n"
        assert (old / "index.html").read_text() == "new atlas"
        assert sorted(p.name for p in (old / "kommune").iterdir()) == ["index.html"]
        assert site.own_entries(old) == {"index.html", "kommune"}
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_swap_rolls_back_and_keeps_foreign_files(tmp_path, monkeypatch):
    import os

    old = _old_atlas(tmp_path / "site", ("index.html",))
    (old / "CNAME").write_text("atlas.example.dk\n")
    monkeypatch.setattr(site, "write_site", _tiny_site)
    real = os.replace

    def failing(src, dst, *args, **kwargs):
        if Path(src).parent.name.startswith(".site.building-"):
            raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="No space left"):
        site.build_site(None, old)
    assert (old / "index.html").read_text() == "old atlas"
    assert (old / "CNAME").read_text() == "atlas.example.dk\n"
    assert not (old / "kommune").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_folders_of_killed_builds_are_removed_by_the_next_build(tmp_path, monkeypatch):
    """A build killed with SIGKILL leaves its building folder (and holds the lock until it dies);
    the next build removes it and any retired folder."""
    out = _old_atlas(tmp_path / "site", ("index.html",))
    child = subprocess.Popen([sys.executable, "-c", f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from geo import site
def blocked(bundle, root, today, log, on=None, **_options):
    (root / "index.html").write_text("half")
    print("building", flush=True)
    sys.stdin.read()  # blocks until killed
site.write_site = blocked
site.build_site(None, {str(out)!r})
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "building\n"
        assert len(list(tmp_path.glob(".site.building-*"))) == 1
        with pytest.raises(site.AtlasError, match="another atlas build is running"):
            site.build_site(None, out)  # while it runs, its folder is not stale
    finally:
        child.kill()
        child.wait()
    assert len(list(tmp_path.glob(".site.building-*"))) == 1  # SIGKILL: no clean-up ran
    (tmp_path / ".site.old-0badc0de").mkdir()  # as a swap killed before it removed the previous atlas leaves
    (tmp_path / ".site.old-0badc0de" / "index.html").write_text("older")
    monkeypatch.setattr(site, "write_site", _tiny_site)
    lines = []
    site.build_site(None, out, log=lines.append)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert any("removed .site.building-" in line for line in lines) and any(".site.old-0badc0de" in x for x in lines)
    assert (out / "index.html").read_text() == "new atlas"


# --------------------------------------------------------------------------- in the browser

@pytest.fixture(scope="module")
def atlas_server(atlas):
    from tests.test_browser import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(atlas)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/index.html", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def atlas_page(browser, atlas_server):  # noqa: F811 - the shared module-scoped browser
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.requested = []
    page.on("request", lambda r: page.requested.append(r.url))
    yield page
    context.close()


def _polygons_and_points(atlas: Path, rel: str) -> int:
    text = (atlas / rel).read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="mapdata">(.*?)</script>', text, re.S).group(1))
    return sum(1 for f in data["features"] if not f["properties"].get("o") and not f["properties"].get("l"))


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["kommune/0101/index.html", "en/sundhedsraad-2027/hovedstaden/index.html"])
def test_page_draws_its_map_from_the_site_alone(atlas_page, atlas_server, atlas, rel):
    page = atlas_page
    page.goto(f"{atlas_server}/{rel}")
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(_polygons_and_points(atlas, rel),
                                                                          timeout=30_000)
    expect(page.locator(".map")).to_have_attribute("data-drawn", "1")
    others = [u for u in page.requested if not u.startswith(atlas_server)]
    assert others == [], others


@pytest.mark.browser
def test_national_map_draws_every_kommune_and_the_finder_filters(atlas_page, atlas_server, atlas):
    page = atlas_page
    page.goto(f"{atlas_server}/index.html")
    geo = re.search(r'class="map" data-geo="([^"]+)"', (atlas / "index.html").read_text(encoding="utf-8")).group(1)
    features = json.loads((atlas / geo).read_text(encoding="utf-8"))["features"]
    drawn = [f for f in features if not f["properties"].get("o") and not f["properties"].get("l")]  # no outline, label
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(len(drawn), timeout=30_000)  # København in two
    page.get_by_label("Skriv en del af navnet eller koden").fill("købe")
    expect(page.locator("#kommuner li:visible")).to_have_count(1)
    expect(page.get_by_role("link", name="København (0101)")).to_be_visible()
    page.get_by_label("Skriv en del af navnet eller koden").fill("zzz")
    expect(page.get_by_text("Ingen kommune passer")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["index.html", "kommune/0101/index.html", "sundhedsklynger/h_syd/index.html",
                                 "en/kommune/0851/index.html"])
def test_axe_finds_no_wcag_violation(atlas_page, atlas_server, rel):
    from tests.test_browser import axe_violations

    page = atlas_page
    page.goto(f"{atlas_server}/{rel}")
    expect(page.locator(".map")).to_have_attribute("data-drawn", "1", timeout=30_000)
    violations = axe_violations(page.main_frame)
    assert violations == [], violations


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["index.html", "kommune/0101/index.html", "sundhedsklynger/h_syd/index.html"])
def test_pages_fit_a_phone(atlas_page, atlas_server, rel):
    page = atlas_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{atlas_server}/{rel}")
    expect(page.locator(".map")).to_have_attribute("data-drawn", "1", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("h1")).to_be_in_viewport()
