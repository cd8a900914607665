"""AppTest over every page: it renders, reacts to widgets and deep links, and shows what it claims."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
TIMEOUT = 180


@pytest.fixture(scope="module")
def app(bundle):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    return at.run()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_renders_without_error(bundle, page):
    at = AppTest.from_file(str(page), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"


def test_entry_point_runs_the_map_page(app):
    assert not app.exception
    assert app.title[0].value == "Sundhedsklynger og optageområder i Danmark"
    legend = " ".join(m.value for m in app.markdown)
    assert "Sundhedsklynge Byen" in legend and "Aarhusklyngen" in legend


def test_membership_confidence_is_shown(app):
    captions = " ".join(c.value for c in app.caption)
    assert "Sikkerhed for lagets rækker: høj 45 · middel 52 · lav 2" in captions


def test_indicator_fill_shows_source_year_caveat_and_national_value(app):
    app.selectbox(key="kort_fill").set_value("ind:gini@2022").run()
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "År: 2022" in captions and "Hele landet:" in captions
    assert "Vejen er en reel outlier" in captions
    assert app.query_params["fill"] == "ind:gini@2022"


def test_units_level_and_user_defined_breaks(app):
    app.selectbox(key="kort_fill").set_value("pop:2020:pop_65plus").run()
    app.radio(key="kort_level").set_value("units").run()
    app.selectbox(key="kort_scheme").set_value("user_defined").run()
    app.text_input(key="kort_breaks").input("40000; 80000; 200000").run()
    assert not app.exception
    legend = " ".join(m.value for m in app.markdown)
    assert "40.000 – 80.000" in legend
    captions = " ".join(c.value for c in app.caption)
    assert "Aldersgrupper findes kun for 2020" in captions


def test_selecting_a_kommune_shows_its_memberships_and_url(app):
    app.selectbox(key="kort_fill").set_value("membership").run()
    app.selectbox(key="kort_kommune").set_value("0101").run()
    text = " ".join(m.value for m in app.markdown)
    assert "Sundhedsklynge Byen: 58 %" in text and "Sundhedsklynge Syd: 42 %" in text
    assert app.query_params["kommune"] == "0101"


def test_deep_link_opens_layer_and_kommune(bundle):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["layer"] = "psykiatri-voksen"
    at.query_params["kommune"] = "0101"
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Psykiatrisk Center Glostrup" in text and "sikkerhed lav" in text


def test_named_layer_shows_samsoe_as_not_assigned(app):
    app.selectbox(key="kort_layer").set_value("midt-2018").run()
    legend = " ".join(m.value for m in app.markdown)
    assert "Ikke tildelt" in legend
    table = app.dataframe[0].value
    assert len(table) == 19 and "0741" in set(table["kommune_kode"])


def test_missing_source_data_is_a_clear_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("KLYNGEKORT_SOURCES", str(tmp_path / "nowhere"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    message = at.error[0].value
    assert "KLYNGEKORT_SOURCES" in message and str(tmp_path / "nowhere") in message
    assert "boundaries/kommuner.geojson" in message
