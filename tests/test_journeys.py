"""Journeys across pages in one session (issue 15): the scenario outlives a visit to other pages, and
Sammenlign reads it only through the session's scenario state."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import plans

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SCENARIER = "pages/6_scenarier.py"
SAMMENLIGN = "pages/7_sammenlign.py"
MIN_KOMMUNE = "pages/2_min_kommune.py"
TIMEOUT = 240
# (base layer, kommune moved, unit it moves to): the care layer and adult psychiatry
JOURNEYS = [("sundhedsklynger", "0410", "sd_fyn"), ("psykiatri-voksen", "0561", "sd_psyk_vejle")]


def _no_trouble(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _scenario_intact(at: AppTest, base: str, change: str) -> None:
    _no_trouble(at)
    assert at.selectbox(key="sc_base").value == base
    assert at.session_state["sc_changes"] == [change]
    assert at.query_params["base"] in (base, [base])
    token = at.query_params["s"]
    assert plans.decode_changes(token if isinstance(token, str) else token[0]) == [plans.parse_change(change)]
    assert not [w.value for w in at.warning if "link" in w.value.lower()]


@pytest.mark.parametrize(("base", "kommune", "unit"), JOURNEYS, ids=[j[0] for j in JOURNEYS])
def test_a_scenario_survives_sammenlign_and_min_kommune(bundle, base, kommune, unit):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(SCENARIER).run()
    _no_trouble(at)
    at.selectbox(key="sc_base").set_value(base).run()
    at.selectbox(key="sc_kommune").set_value(kommune).run()
    at.selectbox(key="sc_unit").set_value(unit).run()
    next(b for b in at.button if b.label == "Flyt kommunen").click().run()
    change = f"{kommune}={unit}"
    _scenario_intact(at, base, change)

    at.switch_page(SAMMENLIGN).run()
    _no_trouble(at)
    assert any(o.startswith("Dette scenarie") for o in at.selectbox(key="sm_b").options)
    at.selectbox(key="sm_b").set_value("scenario").run()
    _no_trouble(at)
    assert at.selectbox(key="sm_b").value == "scenario"

    at.switch_page(SCENARIER).run()
    _scenario_intact(at, base, change)
    at.switch_page(MIN_KOMMUNE).run()
    _no_trouble(at)
    at.switch_page(SCENARIER).run()
    _scenario_intact(at, base, change)
    at.switch_page(SAMMENLIGN).run()  # the scenario is still offered, and still chosen
    _no_trouble(at)
    assert at.selectbox(key="sm_b").value == "scenario"


def _scenarier() -> AppTest:
    return AppTest.from_file(str(ROOT / SCENARIER), default_timeout=TIMEOUT).run()


def test_the_default_three_way_split_is_accepted(bundle):
    at = _scenarier()
    at.selectbox(key="sc_kommune").set_value("0101").run()
    at.multiselect(key="sc_split_units").set_value(["h_byen", "h_syd", "h_midt"]).run()
    assert [at.number_input(key=f"sc_share_{u}").value for u in ("h_byen", "h_syd", "h_midt")] == [34, 33, 33]
    next(b for b in at.button if b.label == "Giv andele").click().run()
    _no_trouble(at)
    assert not at.warning, [w.value for w in at.warning]
    change = plans.decode_changes(at.query_params["s"])[0]
    assert dict(change.shares) == pytest.approx({"h_byen": 0.34, "h_syd": 0.33, "h_midt": 0.33})


def test_shares_that_do_not_add_up_are_refused_in_the_page_language(bundle):
    for lang, words in (("da", "Andelene skal give 100 %"), ("en", "The shares must add up to 100 %")):
        at = AppTest.from_file(str(ROOT / SCENARIER), default_timeout=TIMEOUT)
        at.session_state["lang"] = lang
        at.run()
        at.selectbox(key="sc_kommune").set_value("0101").run()
        at.multiselect(key="sc_split_units").set_value(["h_byen", "h_syd"]).run()
        at.number_input(key="sc_share_h_byen").set_value(30).run()
        next(b for b in at.button if b.label in ("Giv andele", "Give shares")).click().run()
        assert words in " ".join(w.value for w in at.warning).replace("\\", "")
        assert "s" not in at.query_params


def test_a_repeated_move_replaces_the_earlier_one(bundle):
    at = _scenarier()
    at.selectbox(key="sc_kommune").set_value("0410").run()
    for unit in ("sd_fyn", "sd_sydvest", "sd_fyn"):
        at.selectbox(key="sc_unit").set_value(unit).run()
        next(b for b in at.button if b.label == "Flyt kommunen").click().run()
    assert at.session_state["sc_changes"] == ["0410=sd_fyn"]


def test_a_scenario_too_long_for_a_link_is_refused_with_a_message(bundle, monkeypatch):
    monkeypatch.setattr(plans, "MAX_TOKEN_CHARS", 30)
    at = _scenarier()
    for kode in ("0410", "0101"):
        at.selectbox(key="sc_kommune").set_value(kode).run()
        at.selectbox(key="sc_unit").set_value("sd_fyn").run()
        next(b for b in at.button if b.label == "Flyt kommunen").click().run()
    _no_trouble(at)
    assert "scenariet ville fylde" in " ".join(w.value for w in at.warning)
    assert at.session_state["sc_changes"] == ["0410=sd_fyn"]


def test_the_scenario_metrics_download_as_csv_and_excel_hold_the_table(bundle):
    import io

    import pandas as pd
    from openpyxl import load_workbook

    at = _scenarier()
    at.selectbox(key="sc_kommune").set_value("0410").run()
    at.selectbox(key="sc_unit").set_value("sd_fyn").run()
    next(b for b in at.button if b.label == "Flyt kommunen").click().run()
    _no_trouble(at)
    shown = at.dataframe[0].value
    buttons = {b.label for b in at.get("download_button")}
    assert {"Nøgletal (CSV)", "Nøgletal (Excel)"} <= buttons
    import ui

    indicator = at.selectbox(key="sc_indicator").value
    csv_text, xlsx = ui.scenario_metrics_files("sundhedsklynger", at.query_params["s"], indicator, "2026-12-02")
    assert csv_text.count("\r\n") == len(shown) + 1
    frame = pd.read_csv(io.StringIO(csv_text))
    assert list(frame["unit_navn"]) == list(shown["Enhed"]) and (frame["population_year"] == 2026).all()
    assert [f"{v:,}".replace(",", ".") for v in frame["population_after"]] == list(shown["Befolkning efter"])
    assert frame["population_after"].sum() == frame["population_before"].sum()
    fyn = frame.set_index("unit_id").loc["sd_fyn"]
    assert fyn["population_change"] == fyn["population_after"] - fyn["population_before"] > 40_000
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert book.sheetnames == ["metrics", "sources"]
    sources = dict(book["sources"].iter_rows(min_row=2, values_only=True))
    assert sources["changes"] == "0410=sd_fyn" and sources["population year"] == "2026"
