"""The geography in force on a date, on both sides of 1 January 2027: app pages, CLI and atlas."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import site
from geo.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
BEFORE, AFTER = "2026-12-31", "2027-01-02"


def shown(elements) -> str:
    return " ".join(ESCAPED.sub(r"\1", e.value) for e in elements)


def run_app(path: str = "app.py", **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_the_map_opens_on_the_councils_from_2027(bundle):
    after = run_app(dato=AFTER)
    assert not after.exception and not after.error
    assert after.selectbox(key="kort_layer").value == "sundhedsraad-2027"
    assert "Sundhedsråd Lillebælt" in shown(after.markdown)  # the legend
    assert after.date_input(key="dato_choice").value == dt.date(2027, 1, 2)
    assert after.query_params["dato"] == AFTER and "layer" not in after.query_params
    before = run_app(dato=BEFORE)
    assert before.selectbox(key="kort_layer").value == "sundhedsklynger"


def test_an_ended_layer_is_marked_historical_in_the_layer_list(bundle):
    at = run_app(dato=AFTER)
    label = at.selectbox(key="kort_layer").format_func("sundhedsklynger")
    assert label == "Sundhedsklynger (2022) — historisk (til og med 31. december 2026)"
    assert at.selectbox(key="kort_layer").format_func("sundhedsraad-2027") == "Sundhedsråd (2027)"


def test_changing_the_date_moves_the_map_to_the_layer_in_force(bundle):
    at = run_app(dato=BEFORE)
    at.date_input(key="dato_choice").set_value(dt.date(2027, 1, 2)).run()
    assert not at.exception and not at.error
    assert at.selectbox(key="kort_layer").value == "sundhedsraad-2027"
    assert at.query_params["dato"] == AFTER
    at.selectbox(key="kort_layer").set_value("psykiatri-voksen").run()
    at.date_input(key="dato_choice").set_value(dt.date(2026, 12, 31)).run()
    assert at.selectbox(key="kort_layer").value == "psykiatri-voksen"  # chosen by the reader: stays


def test_a_bad_date_gives_a_message_and_today(bundle):
    at = run_app(dato="2027-02-30")
    assert not at.exception
    assert "2027-02-30" in shown(at.error) and "2. december 2026" in shown(at.error)
    assert at.selectbox(key="kort_layer").value == "sundhedsklynger"


@pytest.mark.parametrize(("day", "first", "later"), [
    (BEFORE, "Middelfart (0410) hører til Sundhedsklynge Lillebælt", "Fra 1. januar 2027: Sundhedsråd Lillebælt"),
    (AFTER, "Middelfart (0410) hører til Sundhedsråd Lillebælt", "Til og med 31. december 2026: Sundhedsklynge Lillebælt"),
])
def test_min_kommune_leads_with_what_is_in_force(bundle, day, first, later):
    at = run_app("pages/2_min_kommune.py", kommune="0410", dato=day)
    assert not at.exception and not at.error
    lines = [ESCAPED.sub(r"\1", m.value).removeprefix("⚠️ ") for m in at.markdown]
    assert lines[0].startswith(first) and any(line.startswith(later) for line in lines)
    assert "dato=" + day in at.text_input[0].value  # the share link keeps the date


def test_min_kommune_in_english_after_the_change(bundle):
    at = run_app("pages/2_min_kommune.py", kommune="0101", dato=AFTER, lang="en")
    text = shown(at.markdown)
    assert text.startswith("København (0101) belongs to Sundhedsråd Hovedstaden")
    assert "Region Østdanmark" in text and "Until 31 December 2026: Sundhedsklynge Byen" in text


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_kommune_on_both_sides_of_the_change(bundle, capsys):
    code, out, _ = cli(capsys, "kommune", "0410", "--date", AFTER)
    assert code == 0 and out.splitlines()[0].startswith("Middelfart (0410) hører til Sundhedsråd Lillebælt")
    code, out, _ = cli(capsys, "kommune", "410", "--date", BEFORE)
    lines = out.splitlines()
    assert lines[0].startswith("Middelfart (0410) hører til Sundhedsklynge Lillebælt")
    assert any(line.startswith("Fra 1. januar 2027: Sundhedsråd Lillebælt") for line in lines)


def test_cli_kommune_json_and_errors(bundle, capsys):
    code, out, _ = cli(capsys, "kommune", "0101", "--date", AFTER, "--lang", "en", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["kommune_kode"] == "0101" and data["date"] == AFTER
    assert data["layers_in_force"]["care"] == "sundhedsraad-2027"
    assert data["facts"][0]["text"].startswith("København (0101) belongs to Sundhedsråd Hovedstaden")
    assert cli(capsys, "kommune", "9999")[0] == 1
    code, _, err = cli(capsys, "kommune", "0101", "--date", "31-12-2026")
    assert code == 2 and "--date" in err


def test_cli_export_and_compare_take_a_role_and_a_date(bundle, capsys):
    code, out, err = cli(capsys, "export", "--what", "kommuner", "--format", "csv", "--layer", "care", "--date", AFTER)
    assert code == 0 and ",sundhedsraad-2027\r\n" in out
    assert "Region Østdanmark" in out  # the region in force on the date
    code, out, err = cli(capsys, "export", "--what", "units", "--format", "csv", "--date", BEFORE)
    assert code == 0 and "\r\nsundhedsklynger,h_byen," in out
    code, out, _ = cli(capsys, "compare", "--with", "care", "--layer", "sundhedsklynger", "--date", AFTER)
    assert code == 0 and "h_byen" in out and "hovedstaden" in out
    code, _, err = cli(capsys, "export", "--what", "units", "--layer", "plan", "--date", AFTER)
    assert code == 1 and "no layer plays the role 'plan'" in err


@pytest.fixture(scope="module")
def atlas_2027(bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas") / "site"
    site.build_site(bundle, out, on=dt.date(2027, 1, 2), today=dt.date(2026, 12, 2))
    return out


def test_the_atlas_on_a_date_leads_with_the_geography_in_force(atlas_2027):
    home = (atlas_2027 / "index.html").read_text(encoding="utf-8")
    assert "Sundhedsråd Lillebælt" in home and "Geografien pr. 2. januar 2027" in home
    assert "historisk (til og med 31. december 2026)" in home  # the klynger, still listed
    klynge = (atlas_2027 / "sundhedsklynger" / "h_byen" / "index.html").read_text(encoding="utf-8")
    assert "historisk (til og med 31. december 2026)" in klynge
    kommune = (atlas_2027 / "kommune" / "0410" / "index.html").read_text(encoding="utf-8")
    summary = kommune.index("Middelfart (0410) hører til Sundhedsråd Lillebælt")
    assert summary < kommune.index("Til og med 31. december 2026: Sundhedsklynge Lillebælt")
    english = (atlas_2027 / "en" / "kommune" / "0410" / "index.html").read_text(encoding="utf-8")
    assert "The geography as on 2 January 2027" in english


def test_every_atlas_page_says_which_date_it_shows(atlas_2027):
    pages = list(atlas_2027.rglob("*.html"))
    assert pages and all(("Geografien pr. 2. januar 2027" in p.read_text(encoding="utf-8")
                          or "The geography as on 2 January 2027" in p.read_text(encoding="utf-8")) for p in pages)
