"""The page Fra klynge til sundhedsråd (AppTest): on dates on both sides of 1 January 2027, by kommune and by
unit from either layer, links that name what cannot be shown, the URL it writes, the map it draws."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.viewstate import Registries, TransitionState

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/9_overgang.py"
TIMEOUT = 240
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def open_page(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(PAGE).run()


def shown(at: AppTest) -> str:
    return ESCAPED.sub(r"\1", " ".join(str(e.value) for e in [*at.markdown, *at.caption]))


@pytest.mark.parametrize("dato", ["2026-12-31", "2027-01-01", "2027-06-15"])
def test_middelfart_on_both_sides_of_the_change(bundle, dato):
    at = open_page(kommune="0410", dato=dato)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    text = shown(at)
    assert ("Middelfart (0410) hører til Sundhedsklynge Lillebælt til og med 31. december 2026 og til Sundhedsråd "
            "Lillebælt fra 1. januar 2027.") in text
    assert "Middelfart er i enhed med de samme kommuner før og efter (3)." in text
    in_force = "Sundhedsklynger (2022)" if dato < "2027" else "Sundhedsråd (2027)"
    assert f"gælder {in_force}." in text
    # the layer that has ended is marked historical, the one to come with its start
    assert ("Venstre: Sundhedsklynger (2022) — historisk" in text) == (dato >= "2027")
    assert ("Højre: Sundhedsråd (2027) — fra 1. januar 2027" in text) == (dato < "2027")
    assert at.query_params["kommune"] in ("0410", ["0410"])
    assert at.selectbox(key="ov_kommune").value == "0410"


def test_koebenhavn_in_english_names_who_joins_and_who_is_left(bundle):
    at = open_page(kommune="101", lang="en", dato="2027-01-02")
    assert not at.exception and not at.error
    text = shown(at)
    assert "København (0101) belongs to Sundhedsklynge Byen (54%) and Sundhedsklynge Syd (46%)" in text
    assert "New in the same unit as København (1): Bornholm." in text
    assert "No longer in the same unit as København (9):" in text
    selected = at.dataframe[0].value
    assert selected["Code"].tolist() == ["0101", "0101"]
    assert selected["Before: Health clusters (2022)"].tolist() == ["Sundhedsklynge Byen", "Sundhedsklynge Syd"]
    assert selected["Residents 2026"].str.replace(",", "").astype(int).sum() > 600_000


def test_a_unit_of_either_layer(bundle):
    at = open_page(fra="h_syd")
    assert not at.exception and not at.error
    assert at.radio(key="ov_mode").value == "fra"
    text = shown(at)
    assert "Fra 1. januar 2027 fordeles Sundhedsklynge Syd (10 kommuner) på 2 enheder:" in text
    at.radio(key="ov_mode").set_value("til").run()
    at.selectbox(key="ov_til").set_value("lillebaelt").run()
    assert not at.exception and not at.error
    assert "Sundhedsråd Lillebælt består fra 1. januar 2027 af 4 kommuner fra 1 enhed:" in shown(at)
    assert at.query_params["til"] in ("lillebaelt", ["lillebaelt"]) and "fra" not in at.query_params


def test_without_a_choice_the_whole_country(bundle):
    at = open_page()
    assert not at.exception and not at.error
    n = bundle.units["layer"].value_counts()  # the counts themselves are pinned in tests/test_data.py
    assert (f"Fra 1. januar 2027 bliver de {n['sundhedsklynger']} enheder i Sundhedsklynger (2022) til "
            f"{n['sundhedsraad-2027']} enheder i Sundhedsråd") in shown(at)
    whole = at.dataframe[0].value
    assert whole["Kode"].nunique() == len(bundle.kommuner)
    assert [b.label for b in at.get("download_button")] == ["Krydstabel (CSV)", "Krydstabel (Excel)"]


@pytest.mark.parametrize(("params", "param", "value"), [
    ({"kommune": "9999"}, "kommune", "9999"),
    ({"fra": "lillebaelt"}, "fra", "lillebaelt"),  # a council is not a klynge
    ({"kommune": "0410", "til": "fyn"}, "til", "fyn"),  # one choice at a time
])
def test_a_link_that_cannot_be_shown_says_so(bundle, params, param, value):
    # the page on its own, as a deep link reaches it (through app.py the map page would own ?kommune= first)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    for key, v in params.items():
        at.query_params[key] = v
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and value in at.error[0].value
    assert at.query_params.get(param) in (None, [])  # the bad value is not written back


def test_transition_state_reads_one_choice(bundle):
    units = {layer: tuple(bundle.units.loc[bundle.units["layer"] == layer, "unit_id"]) for layer in bundle.registry.ids}
    reg = Registries(layers=bundle.registry.ids, fills={}, units=units,
                     kommuner=tuple(bundle.kommuner["kommune_kode"]), registry=bundle.registry)
    old, new = bundle.registry.change_pair(dt.date(2026, 12, 2))
    state, problems = TransitionState.from_query({"fra": "h_syd"}, reg, old, new)
    assert (state.mode, state.to_query(), problems) == ("fra", {"fra": "h_syd"}, [])
    state, problems = TransitionState.from_query({"kommune": "410", "fra": "h_syd"}, reg, old, new)
    assert state == TransitionState(kommune="0410") and [p.param for p in problems] == ["fra"]
    assert TransitionState.from_query({}, reg, old, new) == (TransitionState(), [])

