"""The hostile-string corpus through every name field and query parameter: shown as text, never run.

Every page runs (AppTest) on a copy of the data whose every name, description and source starts
with a hostile string (see `tests/hostile.py`). The browser half of this (no dialog, no request to
another host, every kommune drawn) is in `tests/test_browser.py`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import export, files, safe
from geo.config import DATA_ENV, SOURCES_ENV
from tests.hostile import CORPUS, EVIL_HOST, MARKUP, write_hostile_copies

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
TIMEOUT = 240
ATTACK = "[log ind](https://evil.example/login) ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> ${x}"


@pytest.fixture(scope="module")
def hostile(bundle, tmp_path_factory):
    """Hostile copies, with the app's settings pointing at them (and no cached results from the real data)."""
    copies = write_hostile_copies(tmp_path_factory.mktemp("hostile"), bundle.sources_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SOURCES_ENV, str(copies.sources))
        mp.setenv(DATA_ENV, str(copies.data))
        st.cache_data.clear()
        yield copies
        st.cache_data.clear()


@pytest.fixture(scope="module")
def hostile_bundle(hostile):
    from geo.bundle import load_bundle

    return load_bundle(hostile.sources, hostile.data)


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> list[str]:
    """Every piece of Markdown the page rendered (text elements, captions, alerts, labels)."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "subheader", "title", "header"):
        out += [str(e.value) for e in at.get(kind)]
    out += [str(e.label) for e in at.get("metric")]
    out += [str(e.label) for e in at.get("expander")]
    return out


def assert_only_escaped(shown: list[str], reach: bool = True) -> None:
    """No corpus string formed markup, and (``reach``) the corpus did reach the page, escaped."""
    for text in shown:
        for bad in MARKUP:  # markup counts unless its first character is backslash-escaped
            assert not re.search(r"(?<!\\)" + re.escape(bad), text), f"unescaped {bad!r} in {text[:300]!r}"
        unescaped = re.sub(r"\\(.)", r"\1", text)  # GFM links bare URLs in the text after escapes
        assert not re.search(r"https?://evil|www\.evil", unescaped), f"bare URL in {text[:300]!r}"
    if not reach:
        return
    joined = "\n".join(shown)
    reached = [s for s in CORPUS if safe.md(s) in joined or safe.html_in_md(s) in joined]
    assert reached, "no corpus string reached the page: the test would not see an escaping fault"


def assert_no_error(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_hostile_copies_load_and_keep_every_kommune(hostile_bundle, bundle):
    assert list(hostile_bundle.kommuner["kommune_kode"]) == list(bundle.kommuner["kommune_kode"])
    assert hostile_bundle.kommuner["kommune_navn"].str.startswith(CORPUS).all()
    assert hostile_bundle.units["unit_navn"].str.startswith(CORPUS).all()


def test_map_page_with_hostile_query_parameters(hostile):
    at = run("1_kort.py", layer=ATTACK, fill=ATTACK, kommune=ATTACK, lang=ATTACK)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 3  # one message per unknown value (layer, fill, kommune), each shown literally
    assert all(safe.md(ATTACK) in e.value for e in at.error), [e.value for e in at.error]
    assert at.title and all(at.query_params.get(k) != ATTACK for k in ("layer", "fill", "kommune"))
    assert_only_escaped(texts(at))


def test_map_page_with_a_kommune_and_an_indicator(hostile):
    at = run("1_kort.py", kommune="0101", fill="ind:gini@2022")
    assert_no_error(at)
    shown = texts(at)
    assert_only_escaped(shown)
    at.selectbox(key="kort_overlay").set_value("psykiatri-voksen").run()
    at.radio(key="kort_level").set_value("units").run()
    assert_no_error(at)
    assert_only_escaped(texts(at))


def test_unknown_kommune_in_the_link_is_shown_literally(hostile):
    at = run("2_min_kommune.py", kommune=ATTACK)
    assert not at.exception
    assert len(at.error) == 1
    assert safe.md(ATTACK) in at.error[0].value
    assert_only_escaped(texts(at), reach=False)  # the page stops before it shows any data


def test_kommune_page_summary_escapes_names(hostile):
    at = run("2_min_kommune.py", kommune="0101")
    assert_no_error(at)
    assert_only_escaped(texts(at))


@pytest.mark.parametrize("page", ["3_klynger.py", "4_data.py"])
def test_other_pages_escape_names(hostile, page):
    at = run(page, layer=ATTACK, kommune=ATTACK)
    assert not at.exception, [e.value for e in at.exception]
    assert all(safe.md(ATTACK) in e.value for e in at.error), [e.value for e in at.error]  # only the link's values
    assert_only_escaped(texts(at))


def test_sources_page_shows_evidence_without_images(hostile):
    at = run("5_kilder.py")
    assert_no_error(at)
    notes = [str(m.value) for e in at.expander for m in e.markdown]
    assert any("evil.example/pixel.png" in n for n in notes), notes
    assert not any(re.search(r"(?<!\\)!\[", n) for n in notes), notes
    shown = [s for s in texts(at) if s not in notes]
    assert_only_escaped(shown, reach=False)  # names from the tables are shown in data frames here


def test_csv_export_of_the_hostile_bundle_is_neutralised(hostile_bundle):
    frame = export.frame_for(hostile_bundle, "sundhedsklynger", "units")
    text = export.render(files.neutralise_frame(frame), "csv")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).to_numpy().ravel()
    formulas = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert formulas == []
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert EVIL_HOST in text  # the text is kept, only neutralised


# --- Fra klynge til sundhedsråd (the crosswalk page) ---------------------------------------------------

@pytest.mark.parametrize("params", [{"kommune": "0101"}, {"fra": "h_syd"}, {"til": "hovedstaden"}, {}])
def test_transition_page_escapes_names(hostile, params):
    at = run("9_overgang.py", **params)
    assert_no_error(at)
    assert_only_escaped(texts(at))


def test_transition_page_with_hostile_query_parameters(hostile):
    at = run("9_overgang.py", kommune=ATTACK, fra=ATTACK, til=ATTACK)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 3 and all(safe.md(ATTACK) in e.value for e in at.error), [e.value for e in at.error]
    assert all(at.query_params.get(k) != ATTACK for k in ("kommune", "fra", "til"))
    assert_only_escaped(texts(at))


def test_crosswalk_csv_of_the_hostile_bundle_is_neutralised(hostile_bundle):
    old, new = hostile_bundle.registry.change_pair(dt.date(2026, 12, 2))
    text = export.crosswalk_export(hostile_bundle, old, new, "csv")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).to_numpy().ravel()
    assert [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    assert any(c.startswith("'=HYPERLINK") for c in cells) and EVIL_HOST in text
