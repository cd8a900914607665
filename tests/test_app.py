"""AppTest over every page: it renders, reacts to widgets and deep links, and shows what it claims."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
TIMEOUT = 180
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(elements) -> str:
    """The text of Markdown elements as a reader sees it (escapes from geo.safe.md removed)."""
    return " ".join(ESCAPED.sub(r"\1", e.value) for e in elements)


def shown(at: AppTest) -> str:
    """The page's Markdown as a reader sees it: backslash escapes (geo.safe.md) removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", " ".join(m.value for m in at.markdown))


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
    assert app.get("page_link")[0].proto.label == "Download det viste"
    assert app.title[0].value == "Sundhedsklynger, -råd og optageområder"
    legend = plain(app.markdown)
    assert "Sundhedsklynge Byen" in legend and "Aarhusklyngen" in legend


def test_membership_confidence_is_shown(app):
    captions = plain(app.caption)
    assert "Sikkerhed for lagets rækker: høj 45 · middel 52 · lav 2" in captions


def test_indicator_fill_shows_source_year_caveat_and_national_value(app):
    app.selectbox(key="kort_fill").set_value("ind:gini@2022").run()
    assert not app.exception
    captions = plain(app.caption)
    assert "År: 2022" in captions and "Hele landet:" in captions
    assert "Vejen er en reel outlier" in captions
    assert app.query_params["fill"] == "ind:gini@2022"


def test_units_level_and_user_defined_breaks(app):
    app.selectbox(key="kort_fill").set_value("pop:2020:pop_65plus").run()
    app.radio(key="kort_level").set_value("units").run()
    app.selectbox(key="kort_scheme").set_value("user_defined").run()
    app.text_input(key="kort_breaks").input("40000; 80000; 200000").run()
    assert not app.exception
    legend = plain(app.markdown)
    assert "40.000 – 80.000" in legend
    captions = plain(app.caption)
    assert "Aldersgrupper findes kun for 2020" in captions


@pytest.mark.parametrize(
    ("text", "message"),
    [("30; nan", "Klassegrænsen »nan« er ikke et tal"),
     ("; ".join(str(i) for i in range(1, 14)), "Højst 12 klassegrænser; der er 13")],
)
def test_unusable_breaks_get_a_visible_message(bundle, text, message):
    at = page("1_kort.py").run()
    at.selectbox(key="kort_fill").set_value("ind:gini@2022").run()
    at.selectbox(key="kort_scheme").set_value("user_defined").run()
    at.text_input(key="kort_breaks").input(text).run()
    assert not at.exception
    assert message in " ".join(e.value for e in at.error)


def test_selecting_a_kommune_shows_its_memberships_and_url(app):
    app.selectbox(key="kort_fill").set_value("membership").run()
    app.selectbox(key="kort_kommune").set_value("0101").run()
    text = shown(app)
    assert "Sundhedsklynge Byen: 54 %" in text and "Sundhedsklynge Syd: 46 %" in text
    assert app.query_params["kommune"] == "0101"


def test_deep_link_opens_layer_and_kommune(bundle):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["layer"] = "psykiatri-voksen"
    at.query_params["kommune"] = "0101"
    at.run()
    assert not at.exception
    text = shown(at)
    assert "Psykiatrisk Center Glostrup" in text and "sikkerhed lav" in text


def test_named_layer_shows_samsoe_as_not_assigned(app):
    app.selectbox(key="kort_layer").set_value("midt-2018").run()
    legend = plain(app.markdown)
    assert "Ikke tildelt" in legend
    table = app.dataframe[0].value
    assert len(table) == 19 and "0741" in set(table["Kode"])


def test_missing_source_data_is_a_clear_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("KLYNGEKORT_SOURCES", str(tmp_path / "nowhere"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    message = at.error[0].value
    assert "KLYNGEKORT_SOURCES" in message and str(tmp_path / "nowhere") in message
    assert "boundaries/kommuner.geojson" in message


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)


@pytest.mark.parametrize("code", ["0101", "101"])
def test_min_kommune_deep_link_lands_on_the_kommune(bundle, code):
    at = page("2_min_kommune.py")
    at.query_params["kommune"] = code
    at.run()
    assert not at.exception
    text = shown(at)
    assert "København (0101) hører til Sundhedsklynge Byen (54 % af borgerne" in text
    assert "⚠️ Voksenpsykiatri:" in text  # the low-confidence Valby row is flagged
    assert at.query_params["kommune"] == "0101"
    assert at.text_input[0].value.endswith("?kommune=0101")
    assert not at.code  # no syntax highlighter for the copy-link box


def test_min_kommune_unknown_code_gives_message_and_a_way_on(bundle):
    at = page("2_min_kommune.py")
    at.query_params["kommune"] = "9999"
    at.run()
    assert not at.exception
    assert "Kommunekoden 9999 findes ikke" in at.error[0].value
    at.selectbox(key="mk_kommune").set_value("0751").run()
    assert not at.exception and not at.error
    assert "Aarhus (0751) hører til Aarhusklyngen" in shown(at)


def test_min_kommune_key_figures_show_byen_and_syd(bundle):
    at = page("2_min_kommune.py")
    at.query_params["kommune"] = "0101"
    at.run()
    figures = at.dataframe[1].value
    assert {"Sundhedsklynge Byen", "Sundhedsklynge Syd", "Danmark"} <= set(figures.columns)
    assert figures.iloc[0]["Placering (1 = højeste)"] == f"1 af {len(bundle.kommuner)}"  # count: test_data


def test_klynger_page_ranks_compares_and_lists_psychiatry(bundle):
    at = page("3_klynger.py").run()
    assert not at.exception
    at.selectbox(key="kl_unit_sundhedsklynger").set_value("h_syd").run()
    at.selectbox(key="kl_fill").set_value("ind:sp_daglig_rygning@2025").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert {"Højeste", "Laveste", "Forhold (højeste/laveste)"} <= set(labels)  # short labels, never cut off
    text = plain(at.markdown)
    assert "Psykiatrisk Center Amager" in text and "Sundhedsråd Amager og Vestegnen" in text
    at.selectbox(key="kl_other_sundhedsklynger").set_value("h_byen").run()
    compare = at.dataframe[-1].value
    assert {"Sundhedsklynge Syd", "Sundhedsklynge Byen", "Forskel", "Danmark"} <= set(compare.columns)
    assert len(compare) == 29


def test_data_page_offers_every_download(bundle):
    at = page("4_data.py").run()
    assert not at.exception
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"Kommuner (GeoJSON)", "Enheder (GeoJSON)", "Medlemskaber (GeoJSON)", "Kommuner (CSV)",
                      "Enheder (CSV)", "Medlemskaber (CSV)", "Kommuner (Excel)", "Enheder (Excel)",
                      "Medlemskaber (Excel)", "Signaturforklaring (CSV)", "Kortet som billede (PNG)"}


def test_sources_page_lists_sources_series_confidence_and_citations(bundle):
    at = page("5_kilder.py").run()
    assert not at.exception
    files = at.dataframe[0].value
    assert f"Kommunegrænser: {len(bundle.kommuner)} kommuner (+ Christiansø, udeladt)" in set(files["Indhold"])
    assert len(at.dataframe[1].value) == 21  # indicator series
    counts = at.dataframe[2].value
    assert list(counts.columns) == ["Lag", "høj", "middel", "lav"]
    cited = at.dataframe[3].value
    assert len(cited) == len(bundle.citations) and "Trap Danmark (lex.dk)" in set(cited["Udgiver"])
    text = plain(at.markdown)
    assert "Kun en liste fra 2019" in text and "Billund" in text
    assert str(bundle.sources_dir) not in text + plain(at.caption) + plain(at.subheader)


def test_english_translates_the_app(bundle):
    # The switch itself is clicked in the browser tests: AppTest drops the sidebar radio from its
    # element tree when st.navigation's page titles change, although the app keeps it.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Health clusters, councils and catchments"
    assert at.selectbox(key="kort_layer").format_func("sundhedsklynger") == "Health clusters (2022)"


def test_english_deep_link(bundle):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Health clusters, councils and catchments"


# --- polish-map: the answer beside the map, unit labels and highlight, state in the URL ---------------


def test_map_hint_labels_and_highlight_before_any_click(bundle):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "Klik på en kommune på kortet" in at.info[0].value
    assert at.checkbox(key="kort_labels_category").value is True
    at.selectbox(key="kort_unit_sundhedsklynger").set_value("m_midt").run()
    assert not at.exception
    assert at.query_params["unit"] == "m_midt"
    at.selectbox(key="kort_fill").set_value("ind:middellevetid_0aar_hisbk@2019-2023").run()
    assert at.checkbox(key="kort_labels_numeric").value is False
    captions = " ".join(c.value for c in at.caption)
    assert "4 kommuner uden data" in captions and "dækker 100 %" not in captions
    assert at.query_params["fill"] == "ind:middellevetid_0aar_hisbk@2019-2023"


def test_map_state_comes_from_the_url(bundle):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update({"layer": "regioner", "fill": "ind:gini@2022", "level": "units", "k": "4",
                            "palette": "viridis", "overlay": "sundhedsklynger", "kommune": "751"})
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="kort_layer").value == "regioner"
    assert at.radio(key="kort_level").value == "units"
    assert at.slider(key="kort_k").value == 4
    assert at.selectbox(key="kort_overlay").value == "sundhedsklynger"
    assert at.selectbox(key="kort_kommune").value == "0751"
    assert at.query_params["kommune"] == "0751" and at.query_params["k"] == "4"


@pytest.mark.parametrize("path", ["app.py", "pages/3_klynger.py"])
def test_unknown_url_values_get_one_clear_message(bundle, path):
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    at.query_params.update({"kommune": "9999", "layer": "*nope*"})
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Kommunekoden 9999 findes ikke" in e for e in errors)
    assert any("ukendt værdi for layer: \\*nope\\*" in e for e in errors)  # escaped by geo.safe.md


def test_klynger_state_comes_from_and_goes_to_the_url(bundle):
    at = page("3_klynger.py")
    at.query_params.update({"unit": "h_syd", "other": "h_byen"})
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="kl_unit_sundhedsklynger").value == "h_syd"
    assert at.selectbox(key="kl_other_sundhedsklynger").value == "h_byen"
    assert any(c.value.startswith("Punktdiagram") for c in at.caption)  # life expectancy: zero is far away
    at.selectbox(key="kl_fill").set_value("pop:2026:population_total").run()
    assert any(c.value.startswith("Søjlediagram fra nul") for c in at.caption)
    assert at.query_params["indicator"] == "pop:2026:population_total" and at.query_params["unit"] == "h_syd"

