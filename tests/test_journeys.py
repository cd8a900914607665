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


def _go(at: AppTest, page: str) -> AppTest:
    """Open a page as the sidebar's link does: within the session, the address without parameters."""
    at.query_params.clear()
    return at.switch_page(page).run()


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

    _go(at, SAMMENLIGN)
    _no_trouble(at)
    assert any(o.startswith("Dette scenarie") for o in at.selectbox(key="sm_b").options)
    at.selectbox(key="sm_b").set_value("scenario").run()
    _no_trouble(at)
    assert at.selectbox(key="sm_b").value == "scenario"

    _go(at, SCENARIER)
    _scenario_intact(at, base, change)
    _go(at, MIN_KOMMUNE)
    _no_trouble(at)
    _go(at, SCENARIER)
    _scenario_intact(at, base, change)
    _go(at, SAMMENLIGN)  # the scenario is still offered, and still chosen
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
    from geo import planview

    indicator = at.selectbox(key="sc_indicator").value
    token = at.query_params["s"]
    _, before, after, change = ui.scenario_metrics("sundhedsklynger", token)
    frame = planview.metrics_frame(change, after, before, indicator)  # as the page makes it
    csv_text, make_xlsx = ui.scenario_metrics_files(frame, "sundhedsklynger", token, 2026, "2026-12-02")
    xlsx = make_xlsx()
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


@pytest.mark.parametrize(("lang", "no_scenario", "unknown"), [
    ("da", "denne session har intet scenarie", "Linket har en ukendt værdi for a"),
    ("en", "this session has none", "The link has an unknown value for a"),
])
def test_sammenlign_names_a_scenario_it_does_not_have_and_unknown_layers(bundle, lang, no_scenario, unknown):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"a": "nowhere", "b": "scenario", "lang": lang})
    at.run()
    at.switch_page(SAMMENLIGN).run()
    assert not at.exception
    said = " ".join(m.value for m in [*at.warning, *at.error]).replace("\\", "")
    assert no_scenario in said and unknown in said and "nowhere" in said


def test_a_link_to_the_scenario_on_sammenlign_works_once_the_session_has_one(bundle):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"base": "sundhedsklynger", "s": plans.encode_changes([plans.parse_change("0410=sd_fyn")])})
    at.run()
    at.switch_page(SCENARIER).run()
    _scenario_intact(at, "sundhedsklynger", "0410=sd_fyn")
    at.query_params.clear()
    at.query_params.update({"a": "sundhedsklynger", "b": "scenario"})
    at.switch_page(SAMMENLIGN).run()
    _no_trouble(at)
    assert at.selectbox(key="sm_b").value == "scenario" and not at.warning



@pytest.mark.parametrize(("page", "param", "size"), [("pages/1_kort.py", "breaks", 150_000),
                                                     (SCENARIER, "s", 400_000),
                                                     (SAMMENLIGN, "a", 400_000)])
def test_an_overlong_link_gets_the_apps_own_message(bundle, page, param, size):
    """Up to Streamlit's limit (512 Ki characters; past it Streamlit drops the query, and the nginx front
    answers past 32,000 with its own page, deploy/pages/too-long.html) the page names the problem."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    value = ("1;" * (size // 2)) if param == "breaks" else ("v1." + "A" * size if param == "s" else "x" * size)
    at.query_params.update({param: value} | ({"scheme": "user_defined", "fill": "pop:2026:population_total"}
                                             if param == "breaks" else {}))
    at.run()
    if page != "pages/1_kort.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    said = " ".join(m.value for m in [*at.warning, *at.error])
    assert said, "the page says what is wrong with the link"
    assert len(said) < 2_000, "the message does not repeat the whole value"
    assert "characters" not in said and "the scenario" not in said, "said in the page's language (Danish)"


@pytest.mark.parametrize(("lang", "words"), [
    ("da", ["Filen blev ikke brugt", "linje 2, kolonne unit_id", "er ikke en enhed i laget",
            "er ikke en af de 98 kommunekoder"]),
    ("en", ["line 2, column unit_id", "is not a unit of layer", "is not one of the 98 kommune codes"]),
])
def test_upload_problems_are_said_in_the_pages_language(bundle, lang, words):
    at = AppTest.from_file(str(ROOT / SCENARIER), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    bad = b"layer,kommune_kode,unit_id,share\nsundhedsklynger,0101,h_nope,1\nsundhedsklynger,9999,h_byen,0.5\n"
    at.file_uploader(key="sc_upload").upload("mine.csv", bad, "text/csv").run()
    said = " ".join(e.value for e in at.error).replace("\\", "")
    assert [w for w in words if w not in said] == []


def test_messages_keep_what_they_do_not_know_and_every_value():
    from geo import messages

    text = "t.csv line 7, column share: '1e-300' must be at least 1e-09 and at most 1; something new"
    assert messages.say(text, "da") == "t.csv linje 7, kolonne share: '1e-300' skal være mindst 1e-09 og højst 1; something new"
    assert messages.say(text, "en") == text


def test_a_scenario_reset_on_scenarier_is_said_on_sammenlign(bundle):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"base": "sundhedsklynger", "s": plans.encode_changes([plans.parse_change("0410=sd_fyn")])})
    at.run()
    at.switch_page(SCENARIER).run()
    at.switch_page(SAMMENLIGN).run()
    at.selectbox(key="sm_b").set_value("scenario").run()
    at.switch_page(SCENARIER).run()
    next(b for b in at.button if b.label == "Nulstil alt").click().run()
    at.query_params.clear()  # as the sidebar's link opens a page: no parameters
    at.switch_page(SAMMENLIGN).run()
    _no_trouble(at)
    assert "Scenariet er nulstillet" in " ".join(i.value for i in at.info)
    assert at.selectbox(key="sm_b").value != "scenario"
