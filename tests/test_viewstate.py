"""The page state in the URL: one frozen value read and written in one place, validated against registries."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.roles import Registry
from geo.viewstate import (
    Common,
    CompareState,
    KlyngerState,
    KommuneState,
    MapState,
    Problem,
    Registries,
    ScenarioState,
    parse_date,
    parse_kommune,
)

LAYERS = pd.DataFrame({
    "layer": ["klynger", "raad", "regioner", "psyk"],
    "role": ["care", "care", "region", "psych_adult"],
    "valid_from": ["2022-07-01", "2027-01-01", "", ""],
    "valid_to": ["2026-12-31", "", "", ""],
    "name_da": ["Klynger", "Råd", "Regioner", "Psyk"],
    "name_en": ["Clusters", "Councils", "Regions", "Psych"],
})
REG = Registries(
    layers=("klynger", "raad", "regioner", "psyk"),
    fills={"membership": "category", "ind:gini@2022": "rate", "pop:2026:population_total": "count"},
    units={"klynger": ("h_byen", "h_syd", "m_midt"), "raad": ("r1",), "regioner": ("r_h", "r_s"), "psyk": ("p1",)},
    kommuner=("0101", "0751"),
    registry=Registry.from_frame(LAYERS),
)
BEFORE, AFTER = dt.date(2026, 12, 31), dt.date(2027, 1, 2)
DA = Common("da", BEFORE)


def test_map_state_round_trips_through_the_url():
    state = MapState(layer="regioner", on=BEFORE, fill="ind:gini@2022", level="units", scheme="fisher_jenks", k=7,
                     palette="viridis", overlay="klynger", kommune="0751", unit="r_s", labels=True,
                     markers=("hospitals", "psychiatry"))
    query = state.to_query(REG)
    assert query == {"layer": "regioner", "fill": "ind:gini@2022", "level": "units", "scheme": "fisher_jenks",
                     "k": "7", "palette": "viridis", "overlay": "klynger", "kommune": "0751", "unit": "r_s",
                     "labels": "1", "markers": "hospitals,psychiatry"}
    assert MapState.from_query(query, REG, DA) == (state, [])


def test_the_default_layer_is_the_one_in_force_on_the_date():
    assert MapState.from_query({}, REG, Common("da", BEFORE))[0].layer == "klynger"
    assert MapState.from_query({}, REG, Common("da", AFTER))[0].layer == "raad"
    # the layer in force is the default, so a link on either side of the change names no layer
    assert MapState.default(REG, Common("en", AFTER)).to_query(REG) == {}
    # but an ended layer chosen on purpose stays in the link
    assert MapState(layer="klynger", on=AFTER).to_query(REG) == {"layer": "klynger"}


def test_defaults_give_an_empty_query_and_user_breaks_round_trip():
    assert MapState.default(REG, DA).to_query(REG) == {}
    state = MapState(layer="klynger", on=BEFORE, fill="ind:gini@2022", scheme="user_defined", breaks=(8.0, 10.5, 12.0))
    assert state.to_query(REG)["breaks"] == "8;10.5;12"
    assert MapState.from_query(state.to_query(REG), REG, DA)[0] == state


def test_no_markers_and_labels_off_are_written_and_read_back():
    state = MapState(layer="klynger", on=BEFORE, labels=False, markers=()).normalised()
    assert state.to_query(REG) == {"labels": "0", "markers": "none"}
    assert MapState.from_query(state.to_query(REG), REG, DA)[0] == state
    assert not state.show_labels


def test_labels_equal_to_the_default_for_the_fill_are_left_out():
    assert MapState(layer="klynger", on=BEFORE, labels=True).normalised().labels is None
    numeric = MapState(layer="klynger", on=BEFORE, fill="ind:gini@2022", labels=False).normalised()
    assert numeric.labels is None and not numeric.show_labels


def test_large_and_fractional_breaks_read_back_exactly():
    state = MapState(layer="klynger", on=BEFORE, fill="pop:2026:population_total", scheme="user_defined",
                     breaks=(250000.5, 1234567.0))
    assert state.to_query(REG)["breaks"] == "250000.5;1234567"
    assert MapState.from_query(state.to_query(REG), REG, DA)[0] == state


@pytest.mark.parametrize(("param", "value"), [
    ("layer", "nope"), ("fill", "ind:unknown"), ("level", "x"), ("scheme", "jenks"), ("k", "42"),
    ("k", "five"), ("palette", "rainbow"), ("overlay", "x"), ("breaks", "a;b"), ("kommune", "9999"),
    ("unit", "r_s"),  # a unit of another layer
    ("labels", "yes"), ("markers", "hospitals,ufo"),
])
def test_bad_values_fall_back_to_defaults_with_a_problem(param, value):
    state, problems = MapState.from_query({param: value}, REG, DA)
    assert problems == [Problem(param, value)]
    assert state == MapState.default(REG, DA)


def test_kommune_codes_are_normalised():
    assert parse_kommune("101", REG.kommuner) == ("0101", None)
    assert parse_kommune(None, REG.kommuner) == (None, None)
    assert parse_kommune("<b>x</b>", REG.kommuner) == (None, Problem("kommune", "<b>x</b>"))
    assert parse_kommune("0101\u200b", REG.kommuner) == ("0101", None)  # a zero-width space pasted with it


@pytest.mark.parametrize(("value", "expected", "bad"), [
    (None, BEFORE, False), ("", BEFORE, False), ("2027-01-02", AFTER, False), (" 2027-01-02 ", AFTER, False),
    ("2027-1-2", BEFORE, True), ("02.01.2027", BEFORE, True), ("2027-02-30", BEFORE, True), ("i morgen", BEFORE, True),
    ("1899-01-01", BEFORE, True),
])
def test_dates_from_the_url(value, expected, bad):
    day, problem = parse_date(value, BEFORE)
    assert day == expected
    assert (problem == Problem("dato", value)) if bad else problem is None


def test_common_writes_the_date_only_when_it_is_not_today():
    assert Common("da", BEFORE).to_query(BEFORE) == {}
    assert Common("en", AFTER).to_query(BEFORE) == {"lang": "en", "dato": "2027-01-02"}
    assert Common.from_query({"lang": "en", "dato": "2027-01-02"}, BEFORE) == (Common("en", AFTER), [])
    assert Common.from_query({"dato": "x"}, BEFORE) == (Common("da", BEFORE), [Problem("dato", "x")])


def test_klynger_state_round_trip_and_rejection():
    state = KlyngerState(layer="regioner", unit="r_h", indicator="ind:gini@2022", other="r_s")
    assert KlyngerState.from_query(state.to_query(REG, DA), REG, DA) == (state, [])
    state, problems = KlyngerState.from_query({"indicator": "membership", "unit": "zz", "other": "h_syd"}, REG, DA)
    assert state == KlyngerState(layer="klynger", other="h_syd")
    assert problems == [Problem("indicator", "membership"), Problem("unit", "zz")]
    _, problems = KlyngerState.from_query({"unit": "h_syd", "other": "h_syd"}, REG, DA)
    assert problems == [Problem("other", "h_syd")]
    assert KlyngerState.from_query({}, REG, Common("da", AFTER))[0].layer == "raad"


def test_kommune_state():
    assert KommuneState.from_query({"kommune": "101"}, REG) == (KommuneState("0101"), [])
    assert KommuneState.from_query({"kommune": "x"}, REG) == (KommuneState(None), [Problem("kommune", "x")])
    assert KommuneState("0751").to_query() == {"kommune": "0751"}


def test_scenario_state_defaults_to_the_layer_in_force():
    assert ScenarioState.from_query({}, REG, Common("da", AFTER)) == (ScenarioState("raad"), [])
    state, problems = ScenarioState.from_query({"base": "nope", "s": "v1.abc"}, REG, DA)
    assert state == ScenarioState("klynger", "v1.abc") and problems == [Problem("base", "nope")]
    assert ScenarioState("klynger").to_query(REG, DA) == {}
    assert ScenarioState("klynger", "v1.x").to_query(REG, DA) == {"base": "klynger", "s": "v1.x"}


def test_compare_state_names_what_it_cannot_show():
    default = CompareState.default(REG, DA)
    assert (default.a, default.b) == ("klynger", "psyk")
    state, problems = CompareState.from_query({"a": "regioner", "b": "scenario"}, REG, DA, has_scenario=False)
    assert state == CompareState("regioner", "psyk") and problems == [Problem("b", "scenario")]
    state, problems = CompareState.from_query({"b": "scenario", "unit": "r1"}, REG, DA, has_scenario=True)
    assert state == CompareState("klynger", "scenario", "r1") and problems == []
