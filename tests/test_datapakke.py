"""The datapakke (issue 13): printable PDF profiles of a unit or a kommune, the CLI, site --pdf, the buttons.

The PDFs' text is read back with poppler's ``pdftotext`` (``pdfinfo``, ``pdfimages``, ``pdffonts``);
tests that need it are skipped where poppler-utils is not installed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import citations, fmt, png, profile_doc, ulighed
from geo.__main__ import main
from tests.test_language import FOREIGN, NAMES

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 12, 2)
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")


def pdf_text(payload: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(payload)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def squeezed(text: str) -> str:
    """Text without any whitespace: what pdftotext wraps over lines is found whole."""
    return re.sub(r"\s+", "", text)


def poppler(tool: str, payload: bytes, tmp: Path, *args: str) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(payload)
    return subprocess.run([tool, *args, str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def ctx(bundle):
    return profile_doc.Context.of(bundle)


@pytest.fixture(scope="module")
def care(bundle):
    return bundle.registry.main_layer(DAY)


@pytest.fixture(scope="module")
def council(bundle, care):
    return bundle.registry.successor(care).layer


@pytest.fixture(scope="module")
def byen(ctx, care):
    return {lang: profile_doc.unit_pdf(ctx, care, "h_byen", lang, DAY) for lang in ("da", "en")}


@pytest.fixture(scope="module")
def koebenhavn(ctx):
    return {lang: profile_doc.kommune_pdf(ctx, "0101", lang, DAY) for lang in ("da", "en")}


# --------------------------------------------------------------------------- contents

@POPPLER
def test_unit_pdf_names_the_unit_its_population_members_and_citations(bundle, byen, care, tmp_path):
    text = pdf_text(byen["da"], tmp_path)
    flat = squeezed(text)
    assert "Sundhedsklynge Byen" in text
    members = ulighed.kommuner_in_unit(bundle, care, "h_byen")
    total = fmt.number(profile_doc.Context.of(bundle).unit_aggregates(care)[
        f"pop:{bundle.latest_year()}:population_total"].loc["h_byen", "value"], 0, "da")
    assert re.fullmatch(r"\d{3}\.\d{3}", total)  # Danish grouping, e.g. 472.234
    assert total in text
    for m in members.itertuples():
        assert m.kommune_navn in text
        assert fmt.number(m.population, 0, "da") in text
    for bydel in ("Indre By", "Østerbro", "Nørrebro"):  # København's part of Byen, by bydel
        assert bydel in text
    unit = bundle.units[(bundle.units["layer"] == care) & (bundle.units["unit_id"] == "h_byen")].iloc[0]
    cited = citations.citations_for(unit["source"], bundle.citations)
    assert cited
    for c in cited:
        assert squeezed(c.text("da")) in flat
    assert "Bispebjerg Hospital" in text  # its acute hospital
    assert "Geografien pr. 2. december 2026" in text  # the date of the data


@POPPLER
def test_pdf_is_a4_with_2_to_4_pages_an_image_and_embedded_fonts(byen, koebenhavn, tmp_path):
    for payload in (byen["da"], byen["en"], koebenhavn["da"], koebenhavn["en"]):
        assert payload.startswith(b"%PDF-")
        info = poppler("pdfinfo", payload, tmp_path)
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert 2 <= pages <= 4, info
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info), info  # A4 in points
        images = poppler("pdfimages", payload, tmp_path, "-list").splitlines()[2:]
        assert images, "the map is in the PDF"
        fonts = poppler("pdffonts", payload, tmp_path).splitlines()[2:]
        assert fonts and all(" yes " in line for line in fonts), fonts  # every font embedded
        assert len(payload) <= 600 * 1024


@POPPLER
def test_english_pdf_has_no_danish_ui_words(bundle, byen, koebenhavn, tmp_path):
    """The language test's word list on the English PDFs; names from the data (units, kommuner, bydele,
    hospitals, cited titles, source names) are names, not text to translate."""
    names = [*bundle.units["unit_navn"], *bundle.kommuner["kommune_navn"], *bundle.sub_areas["sub_area_navn"],
             *bundle.sites["name"], *bundle.citations["title"], *bundle.citations["publisher"],
             *bundle.assignments["why_en"].fillna("")]
    for payload in (byen["en"], koebenhavn["en"]):
        text = " ".join(pdf_text(payload, tmp_path).split())
        for name in sorted({n for n in names if n}, key=len, reverse=True):
            text = text.replace(" ".join(str(name).split()), "")
        text = re.sub(r"https?://\S+", "", NAMES.sub("", text))
        found = [w for w in FOREIGN["en"] if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
        assert found == [], [text[max(0, text.find(w) - 80): text.find(w) + 80] for w in found]
    assert "Member municipalities" in pdf_text(byen["en"], tmp_path)


@POPPLER
def test_kommune_pdf_has_its_units_bydele_hospitals_and_summary(bundle, koebenhavn, ctx, tmp_path):
    text = pdf_text(koebenhavn["da"], tmp_path)
    assert "København (0101)" in text
    pop = bundle.population
    latest = pop[(pop["year"] == bundle.latest_year()) & (pop["kommune_kode"] == "0101")]["population_total"].iloc[0]
    assert fmt.number(latest, 0, "da") in text
    for name in bundle.sub_areas.loc[bundle.sub_areas["kommune_kode"] == "0101", "sub_area_navn"]:
        assert name in text
    assert "Sundhedsklynge Byen" in text and "Sundhedsklynge Syd" in text
    assert "Sundhedsråd" in text  # what follows on 1 January 2027
    assert "Placering" in text and "af 98" in text  # rank among the kommuner


@POPPLER
def test_council_pdf_lists_every_member_and_the_care_layer_it_replaces(bundle, ctx, council, tmp_path):
    payload = profile_doc.unit_pdf(ctx, council, "lillebaelt", "da", DAY)
    text = pdf_text(payload, tmp_path)
    assert "Sundhedsråd Lillebælt" in text
    for name in ulighed.kommuner_in_unit(bundle, council, "lillebaelt")["kommune_navn"]:
        assert name in text
    assert "fra 1. januar 2027" in text


def test_doc_uses_the_registry_for_serving_layers(bundle, ctx, care, council):
    doc = profile_doc.unit_doc(ctx, care, "h_byen", "da", DAY)
    titles = [s["layer"] for s in doc["serving"]]
    assert bundle.registry.entry(council).name("da") in titles  # the 2027 council of a klynge
    assert any("psykiatri" in s["layer"].lower() for s in doc["serving"])
    assert doc["shaky"], "København's split share is not of high confidence: the reason is given"
    assert all(s["why"] for s in doc["shaky"])


def test_dot_plot_and_bars_are_honest_svg():
    svg = profile_doc.dot_plot([1.0, 2.0, 3.0], 2.0, 2.5, "x")
    assert svg.startswith("<svg") and svg.count("M") == 3  # one dot per value, in one path
    bars = profile_doc.bar_pair(0.25, 0.5, "<b>")
    widths = [float(w) for w in re.findall(r'<rect x="1" y="\d+" width="([\d.]+)"', bars)]
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.01)  # from zero: twice the share, twice the bar
    assert "<b>" not in bars


# --------------------------------------------------------------------------- safety

def test_fetcher_refuses_other_hosts_and_files_and_nothing_is_requested(monkeypatch):
    calls = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: calls.append(addr) or (_ for _ in ()).throw(
        OSError("no network in tests")))
    fetcher = profile_doc.local_only_fetcher()
    page = ('<html><body><p>x</p><img src="http://evil.example/p.png"><img src="https://evil.example/q.png">'
            '<link rel="stylesheet" href="file:///etc/passwd"><img src="file:///etc/hostname"></body></html>')
    payload = profile_doc.pdf_bytes(page, fetcher)
    assert payload.startswith(b"%PDF-")
    assert sorted(fetcher.refused) == sorted(["http://evil.example/p.png", "https://evil.example/q.png",
                                              "file:///etc/passwd", "file:///etc/hostname"])
    assert calls == []


@POPPLER
def test_a_hostile_name_stays_literal_text_and_causes_no_fetch(bundle, ctx, care, tmp_path, monkeypatch):
    hostile = '<img src=http://evil.example/x.png onerror=alert(1)> {{ 7*7 }} </table><script>x</script>'
    units = bundle.units.copy()
    units.loc[(units["layer"] == care) & (units["unit_id"] == "h_byen"), "unit_navn"] = hostile
    evil = replace(bundle, units=units)
    evil_ctx = profile_doc.Context(evil, ctx.fills, parts={}, aggregates=ctx.aggregates)
    evil_ctx._displays.update(ctx._displays)
    refused = []
    real = profile_doc.local_only_fetcher

    def recording(images=()):
        fetcher = real(images)
        refused.append(fetcher)
        return fetcher

    monkeypatch.setattr(profile_doc, "local_only_fetcher", recording)
    payload = profile_doc.unit_pdf(evil_ctx, care, "h_byen", "en", DAY)
    text = " ".join(pdf_text(payload, tmp_path).split())
    assert hostile in text  # literal, as written: no markup, no template evaluation
    assert refused and refused[0].refused == []  # nothing outside was even asked for


def test_a_missing_pango_gives_one_clear_message(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(profile_doc._Engine, "module", None)
    monkeypatch.setattr(builtins, "__import__", failing)
    with pytest.raises(profile_doc.PdfEngineError, match="libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"):
        profile_doc.engine()


# --------------------------------------------------------------------------- the map on paper

def test_unit_map_png_draws_labels_hospitals_and_a_scale_bar():
    parts = gpd.GeoDataFrame(
        {"kommune_kode": ["0001", "0002", "0003"], "kommune_navn": ["A", "B", "C"], "unit_id": ["u1", "u1", "u2"],
         "unit_navn": ["Enhed 1", "Enhed 1", "Enhed <2>"], "colour": ["#1b9e77", "#1b9e77", "#d95f02"]},
        geometry=[box(500_000, 6_100_000, 510_000, 6_110_000), box(510_000, 6_100_000, 520_000, 6_110_000),
                  box(520_000, 6_100_000, 530_000, 6_110_000)], crs="EPSG:25832")
    sites = pd.DataFrame({"name": ["Sygehus $x$"], "lat": [55.1], "lon": [9.0]})
    text = png.UnitMapText("Enheden", "Naboer", "Akutsygehus", "Kommunegrænse")
    image = png.unit_map_png(parts, ["u1"], text, sites=sites, outline=parts.geometry[0], dpi=60)
    assert image.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="no parts"):
        png.unit_map_png(parts, ["nope"], text)
    assert png.nice_length(100_000) == 20_000
    assert png.nice_length(37_000) == 5_000


# --------------------------------------------------------------------------- command line

@pytest.fixture()
def cli(bundle, monkeypatch):
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: bundle)

    def run(*argv: str) -> int:
        return main(list(argv), out=io.StringIO())

    return run


def test_cli_profile_writes_a_pdf_for_a_role_unit_and_a_kommune(cli, tmp_path):
    out = tmp_path / "byen.pdf"
    assert cli("profile", "--unit", "care/h_byen", "--date", "2026-12-02", "--lang", "en", "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    kommune = tmp_path / "k.pdf"
    assert cli("profile", "--kommune", "101", "--out", str(kommune)) == 0
    assert kommune.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["byen.pdf", "k.pdf"]  # no temporary files left


def test_cli_profile_exit_codes_and_atomic_write(cli, tmp_path, monkeypatch, capsys):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"previous")
    assert cli("profile", "--unit", "care/nope", "--out", str(out)) == 1
    assert "is not a unit of" in capsys.readouterr().err
    assert cli("profile", "--kommune", "9999", "--out", str(out)) == 1
    assert cli("profile", "--unit", "nolayer/x", "--out", str(out)) == 1
    assert cli("profile", "--unit", "h_byen", "--out", str(out)) == 2  # no layer
    assert cli("profile", "--kommune", "0101", "--out", str(tmp_path / "x.txt")) == 2
    assert cli("profile", "--kommune", "0101", "--unit", "care/h_byen", "--out", str(out)) == 2
    assert cli("profile", "--kommune", "0101", "--year", "1999", "--out", str(out)) == 1
    assert cli("profile", "--kommune", "0101", "--out", str(tmp_path / "missing" / "x.pdf")) == 2

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(profile_doc, "kommune_pdf", interrupted)
    assert cli("profile", "--kommune", "0101", "--out", str(out)) == 130
    assert out.read_bytes() == b"previous"  # never half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]


# --------------------------------------------------------------------------- site --pdf and the app

def test_site_pdf_writes_and_links_a_pdf_beside_every_kommune_and_unit_page(bundle, tmp_path, monkeypatch):
    """The atlas with ``pdf=True``; the documents themselves are stubbed (they are tested above), so this
    checks where they go and that every page links its own."""
    from geo import site

    asked = []

    def stub(b, jobs, on, today, processes=2):
        asked.extend(jobs)
        for kind, ident, lang, rel in jobs:
            yield rel, f"%PDF-stub {kind} {ident} {lang}".encode()

    monkeypatch.setattr(profile_doc, "site_pdfs", stub)
    out = tmp_path / "site"
    site.build_site(bundle, out, today=DAY, pdf=True)
    assert len(asked) == 2 * (len(bundle.kommuner) + len(bundle.units))
    for page, pdf in (("kommune/0101/index.html", "kommune/0101/datapakke.pdf"),
                      ("en/kommune/0101/index.html", "en/kommune/0101/datapakke.pdf"),
                      ("sundhedsklynger/h_byen/index.html", "sundhedsklynger/h_byen/datapakke.pdf"),
                      ("en/sundhedsraad-2027/lillebaelt/index.html", "en/sundhedsraad-2027/lillebaelt/datapakke.pdf")):
        html = (out / page).read_text(encoding="utf-8")
        assert 'href="datapakke.pdf"' in html
        assert (out / pdf).read_bytes().startswith(b"%PDF-stub")
    lang = "en" if "/en/" in f"/{pdf}" else "da"
    assert (out / pdf).read_bytes().endswith(lang.encode())
    assert not list(out.glob("**/*.pdf.gz"))


def test_buttons_exist_on_min_kommune_and_klynger(bundle):
    from streamlit.testing.v1 import AppTest

    for page, params, label in (("pages/2_min_kommune.py", {"kommune": "0101"}, "Datapakke (PDF)"),
                                ("pages/3_klynger.py", {}, "Datapakke (PDF)"),
                                ("pages/3_klynger.py", {"lang": "en"}, "Data pack (PDF)")):
        at = AppTest.from_file(str(ROOT / page), default_timeout=240)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        labels = [b.label for b in at.get("download_button")]
        assert label in labels, labels
