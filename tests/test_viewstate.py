"""The page state in the URL: one frozen value read and written in one place, validated against registries."""

from __future__ import annotations

import pytest

from geo.viewstate import KlyngerState, MapState, Problem, Registries, parse_kommune

REG = Registries(
    layers=("sundhedsklynger", "regioner"),
    fills={"membership": "category", "ind:gini@2022": "rate", "pop:2026:population_total": "count"},
    units={"sundhedsklynger": ("h_byen", "h_syd", "m_midt"), "regioner": ("r_h", "r_s")},
    kommuner=("0101", "0751"),
)


def test_map_state_round_trips_through_the_url():
    state = MapState(layer="regioner", fill="ind:gini@2022", level="units", scheme="fisher_jenks", k=7,
                     palette="viridis", overlay="sundhedsklynger", kommune="0751", unit="r_s")
    query = state.to_query()
    assert query == {"layer": "regioner", "fill": "ind:gini@2022", "level": "units", "scheme": "fisher_jenks",
                     "k": "7", "palette": "viridis", "overlay": "sundhedsklynger", "kommune": "0751", "unit": "r_s"}
    assert MapState.from_query(query, REG) == (state, [])


def test_defaults_give_an_empty_query_and_user_breaks_round_trip():
    assert MapState().to_query() == {}
    state = MapState(fill="ind:gini@2022", scheme="user_defined", breaks=(8.0, 10.5, 12.0))
    assert state.to_query()["breaks"] == "8;10.5;12"
    assert MapState.from_query(state.to_query(), REG)[0] == state


def test_large_and_fractional_breaks_read_back_exactly():
    state = MapState(fill="pop:2026:population_total", scheme="user_defined", breaks=(250000.5, 1234567.0))
    assert state.to_query()["breaks"] == "250000.5;1234567"
    assert MapState.from_query(state.to_query(), REG)[0] == state


@pytest.mark.parametrize(("param", "value"), [
    ("layer", "nope"), ("fill", "ind:unknown"), ("level", "x"), ("scheme", "jenks"), ("k", "42"),
    ("k", "five"), ("palette", "rainbow"), ("overlay", "x"), ("breaks", "a;b"), ("kommune", "9999"),
    ("unit", "r_s"),  # a unit of another layer
])
def test_bad_values_fall_back_to_defaults_with_a_problem(param, value):
    state, problems = MapState.from_query({param: value}, REG)
    assert problems == [Problem(param, value)]
    assert state == MapState()


def test_kommune_codes_are_normalised():
    assert parse_kommune("101", REG.kommuner) == ("0101", None)
    assert parse_kommune(None, REG.kommuner) == (None, None)
    assert parse_kommune("<b>x</b>", REG.kommuner) == (None, Problem("kommune", "<b>x</b>"))


def test_klynger_state_round_trip_and_rejection():
    state = KlyngerState(layer="regioner", unit="r_h", indicator="ind:gini@2022", other="r_s")
    assert KlyngerState.from_query(state.to_query(), REG) == (state, [])
    state, problems = KlyngerState.from_query({"indicator": "membership", "unit": "zz", "other": "h_syd"}, REG)
    assert state == KlyngerState(other="h_syd")
    assert problems == [Problem("indicator", "membership"), Problem("unit", "zz")]
    _, problems = KlyngerState.from_query({"unit": "h_syd", "other": "h_syd"}, REG)
    assert problems == [Problem("other", "h_syd")]
