"""AppTest of Egne tal: upload a kommune table, choose its column and kind, see the units; bad files change
nothing; the table stays in the session that uploaded it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import catalog
from tests.test_owndata import csv_bytes, esundhed_xlsx, statistikbanken_csv

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "8_egne_tal.py")
TIMEOUT = 180
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(elements) -> str:
    """Markdown as a reader sees it (backslash escapes of geo.safe.md removed)."""
    return " ".join(ESCAPED.sub(r"\1", e.value) for e in elements)


def everything(at: AppTest) -> str:
    return " ".join([shown(at.markdown), shown(at.caption), shown(at.info), shown(at.error), shown(at.title)])


@pytest.fixture(scope="module")
def sb(bundle) -> bytes:
    pop, _ = catalog.population_total(bundle.population, 2024)
    values = {k: (str(int(v) - 1), str(int(v))) for k, v in pop.items()}
    values["0825"] = ("1800", "..")
    return statistikbanken_csv(bundle.kommuner, values)


@pytest.fixture()
def page(bundle):
    return AppTest.from_file(PAGE, default_timeout=TIMEOUT)


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    return at.file_uploader(key="own_upload").upload(name, data, mime).run()


def test_before_an_upload_the_page_says_what_to_do(page):
    at = page.run()
    assert not at.exception and not at.error
    assert at.title[0].value.startswith("Egne tal")
    assert "Ingen tabel endnu" in shown(at.info)
    assert not at.dataframe


def test_a_statistikbanken_upload_is_mapped_on_the_first_layer(page, sb, bundle):
    at = upload(page.run(), "folk1a.csv", sb)
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = everything(at)
    assert "folk1a.csv: CSV, adskilt af ';', decimaltegn ','" in text
    assert "Sprunget over, hele landet (1): linje 5 (Hele landet)" in text
    assert "Tallet er kolonnen '2024', et antal, lagt sammen efter andel." in text
    assert "Kommuner uden data" in text and "Læsø (0825)" in text
    assert at.selectbox(key="own_layer").value == "sundhedsklynger"  # the first layer (the lead: the one in force)
    ranking = at.dataframe[0].value
    assert len(ranking) == (bundle.units["layer"] == "sundhedsklynger").sum() and ranking["Nr."].iloc[0] == "1"
    labels = {d.proto.label for d in at.get("download_button")}
    assert labels == {"Enheder (CSV)", "Enheder (Excel)", "Enheder (GeoJSON)", "Kortet (PNG)"}


def test_the_column_kind_and_layer_can_be_chosen(page, bundle):
    pop, _ = catalog.population_total(bundle.population, 2024)
    rows = [["Kommune", "År", "Indlæggelser", "Borgere 65+"]]
    for k in bundle.kommuner["kommune_kode"]:
        rows += [[k, "2023", "1", "10"], [k, "2024", "30", str(int(pop[k] * 0.2))]]
    at = upload(page.run(), "long.csv", csv_bytes(rows))
    at.radio(key="own_kind").set_value("ratio").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="own_denominator").value == "Borgere 65+"
    assert "Tallet er en rate: Σ andel·'Indlæggelser' / Σ andel·'Borgere 65+'." in everything(at)
    at.selectbox(key="own_layer").set_value("regioner-2027").run()
    assert len(at.dataframe[0].value) == 4
    at.selectbox(key="own_year").set_value("2023").run()
    assert "År 2023." in everything(at) and not at.error
    at.radio(key="own_kind").set_value("weighted").run()
    at.selectbox(key="own_weight").set_value(2020).run()
    assert "en rate vægtet med befolkningen 2020" in everything(at) and not at.error


def test_an_esundhed_workbook_upload(page, bundle):
    at = upload(page.run(), "esundhed.xlsx", esundhed_xlsx(bundle.kommuner, {}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert not at.exception and not at.error
    assert "esundhed.xlsx: Excel, første ark (Forebyggelige indlæggelser)." in everything(at)


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("bad.csv", b"Kommune;Antal\nAarhus;1\nKbh;2\n", "linje 3, kolonne 'Kommune': 'Kbh' er ikke en kommune"),
    ("big.csv", b"x" * (2 * 1024 * 1024 + 1), "højst 2 MB modtages"),
    ("regions.csv", b"Omr\xe5de;Antal\nHele landet;1\nRegion Sj\xe6lland;2\n",
     "kun rækker for hele landet eller regionerne"),
])
def test_a_bad_upload_lists_its_problems_and_maps_nothing(page, name, data, needle):
    at = upload(page.run(), name, data)
    assert not at.exception
    error = shown(at.error)
    assert "Filen blev ikke brugt" in error and needle in error
    assert not at.dataframe and not at.get("download_button")


def test_a_bad_value_in_the_chosen_column_is_named(page):
    at = upload(page.run(), "t.csv", b"Kommune;Antal;Andet\nAarhus;1;2\nOdense;-3;4\n")
    assert "t.csv linje 3, kolonne 'Antal': -3 er negativ" in shown(at.error)
    at.selectbox(key="own_value").set_value("Andet").run()
    assert not at.error and at.dataframe


def _cache_names() -> set[str]:
    from streamlit.runtime.caching.cache_data_api import _data_caches
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    return {s.cache_name for caches in (_data_caches, _resource_caches)
            for stats in caches.get_stats().values() for s in stats}


# The caches the page may use: none of them takes the table (the layer's labels, the bundle, its geometry).
SHARED_CACHES = {"ui.unit_labels", "ui._load", "ui._display", "ui._own_geography"}


def test_the_table_never_reaches_another_session(bundle, sb):
    first = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    before = _cache_names()
    upload(first, "hemmelig_tabel.csv", sb)
    first.radio(key="own_kind").set_value("weighted").run()
    assert _cache_names() - before <= SHARED_CACHES  # nothing cached across sessions was keyed by the table
    assert "hemmelig_tabel.csv" in everything(first) and first.dataframe
    second = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    assert not second.exception
    assert "hemmelig_tabel.csv" not in everything(second) and "Ingen tabel endnu" in shown(second.info)
    assert "own_table" not in second.session_state and not second.dataframe
    first.run()  # the first session keeps its own table
    assert "hemmelig_tabel.csv" in everything(first)


def test_the_page_in_english(page, sb):
    page.query_params["lang"] = "en"
    at = upload(page.run(), "folk1a.csv", sb)
    assert not at.exception and not at.error
    text = everything(at)
    assert at.title[0].value.startswith("Your numbers")
    assert "The figure is column '2024', a count, summed by share." in text
    assert "Municipalities without data" in text
    assert "Rank" in at.dataframe[0].value.columns


@pytest.mark.parametrize("lang", ["da", "en"])
def test_after_an_upload_the_page_speaks_one_language(bundle, lang):
    """The language walk of tests/test_language.py over the page with a table and every kind shown."""
    from tests.test_language import _problems, _walk_texts

    pop, _ = catalog.population_total(bundle.population, 2024)
    rows = [["Kode", "Antal", "Borgere"], ["084", "1", "1"], ["0411", "1", "1"]]
    rows += [[k, "5", str(int(v))] for k, v in pop.items() if k != "0825"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if lang == "en":
        at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/8_egne_tal.py").run()
    upload(at, "tal.csv", csv_bytes(rows))
    for kind in ("count", "ratio", "weighted"):
        at.radio(key="own_kind").set_value(kind).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert _problems(_walk_texts(at), lang, str(bundle.sources_dir)) == []


def test_hostile_file_names_headers_and_cells_are_shown_as_text(page, bundle):
    """The corpus of tests/hostile.py as the file's name, every column header and bad kommune names."""
    from tests.hostile import CORPUS
    from tests.test_hostile import ATTACK, assert_only_escaped, texts

    rows = [["Kommune", *CORPUS]] + [[k, *[str(i + 1) for i in range(len(CORPUS))]]
                                     for k in bundle.kommuner["kommune_kode"]]
    at = upload(page.run(), f"{ATTACK}.csv", csv_bytes(rows))
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert_only_escaped(texts(at))
    at.radio(key="own_kind").set_value("ratio").run()
    assert not at.exception and not at.error
    assert_only_escaped(texts(at))
    bad = [["Kommune", "Antal"], ["Aarhus", "1"]] + [[s, "2"] for s in CORPUS]
    at = upload(page.run(), "bad.csv", csv_bytes(bad))
    assert not at.exception and len(at.error) == 1
    assert_only_escaped(texts(at))
