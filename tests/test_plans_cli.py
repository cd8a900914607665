"""The command line for plans: ``compare`` and ``scenario`` (and the scenario passing validate-assignments)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from geo import plans, tables
from geo.__main__ import main

LAYERS = ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "midt-2018", "regioner",
          "sundhedsraad-2027", "regioner-2027"]


@pytest.fixture(autouse=True)
def _reuse_bundle(bundle, monkeypatch):
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: bundle)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.mark.parametrize("layer", LAYERS)
def test_compare_csv_sums_to_the_national_total(bundle, layer, tmp_path):
    target = tmp_path / "c.csv"
    code, _ = run("compare", "--layer", "sundhedsklynger", "--with", layer, "--year", "2026", "--out", str(target))
    assert code == 0
    frame = pd.read_csv(target, dtype={"a_unit_id": str, "b_unit_id": str})
    assert list(frame.columns) == ["a_unit_id", "a_unit_navn", "b_unit_id", "b_unit_navn", "population",
                                   "share_of_a", "share_of_b"]
    covered = plans.layer_plan(bundle, layer).rows["kommune_kode"].unique()
    pop = bundle.population.query("year == 2026").set_index("kommune_kode")["population_total"]
    assert frame["population"].sum() == pytest.approx(pop[covered].sum())
    if layer != "midt-2018":
        assert frame["population"].sum() == pytest.approx(6_025_511)


def test_compare_geojson_has_the_cells_as_features(bundle):
    code, out = run("compare", "--layer", "sundhedsklynger", "--with", "sundhedsraad-2027", "--format", "geojson")
    assert code == 0
    data = json.loads(out)
    assert "crs" not in data and len(data["features"]) > 22
    props = data["features"][0]["properties"]
    assert {"a_unit_id", "b_unit_id", "population", "share_of_a", "share_of_b"} <= set(props)
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 7 < lon < 16 and 54 < lat < 58


def test_scenario_writes_a_table_that_validates_and_prints_the_change(bundle, tmp_path):
    target = tmp_path / "scenario.csv"
    code, out = run("scenario", "--base", "sundhedsklynger", "--set", "410=sd_fyn",
                    "--set", "0101=h_byen:50%,h_syd:50%", "--name", "=Fyn med Middelfart", "--out", str(target))
    assert code == 0, out
    assert "0410 Middelfart" in out and "Sundhedsklynge Fyn" in out and "+40,625" in out
    assert "2020 only" in out
    code, text = run("validate-assignments", str(target))
    assert code == 0 and "valid (sundhedsklynger: 98 kommuner, 22 units, 99 rows)" in text
    raw = tables.read_csv_table(target, target.name)
    plan, problems = plans.plan_from_table(bundle, raw, target.name)
    assert problems == []
    assert plans.changed_kommuner(plans.layer_plan(bundle, "sundhedsklynger"), plan) == ["0101", "0410"]
    # a scenario built from that file is the same scenario again
    again = tmp_path / "again.csv"
    assert run("scenario", "--base", "sundhedsklynger", "--from", str(target), "--out", str(again))[0] == 0
    assert again.read_text(encoding="utf-8") == target.read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "message"), [
    (["--set", "0410=nowhere"], "'nowhere' is not a unit of layer 'sundhedsklynger'"),
    (["--set", "0410=sd_fyn:0.5"], "shares sum to 0.5"),
    (["--set", "9999=sd_fyn"], "'9999' is not a kommune code"),
])
def test_scenario_refuses_bad_changes_and_writes_nothing(tmp_path, capsys, argv, message):
    target = tmp_path / "s.csv"
    code, _ = run("scenario", "--base", "sundhedsklynger", *argv, "--out", str(target))
    assert code == 1 and not target.exists()
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_compare_with_a_bad_file_lists_its_problems(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("layer,kommune_kode,unit_id,share\nsundhedsklynger,0101,h_nope,1\nsundhedsklynger,0147,h_byen,1\n", encoding="utf-8")
    assert run("compare", "--layer", "sundhedsklynger", "--with", str(bad))[0] == 1
    err = capsys.readouterr().err
    assert "bad.csv line 2, column unit_id: 'h_nope'" in err and "must cover all 98 kommuner" in err


@pytest.mark.parametrize("argv", [
    ["compare", "--layer", "sundhedsklynger", "--with", "regioner"],
    ["scenario", "--base", "sundhedsklynger", "--set", "0410=sd_fyn"],
], ids=["compare", "scenario"])
@pytest.mark.parametrize("blank", ["", "  "], ids=["empty", "blank"])
def test_an_empty_out_is_refused_like_export(capsys, argv, blank):
    code, out = run(*argv, "--out", blank)
    assert code == 2 and out == ""
    assert "error: --out is empty: give a file name" in capsys.readouterr().err


def test_a_set_with_non_ascii_digits_is_refused_by_name(tmp_path, capsys):
    target = tmp_path / "s.csv"
    code, _ = run("scenario", "--base", "sundhedsklynger", "--set", "٠١٤٧=h_midt", "--out", str(target))
    assert code == 1 and not target.exists()
    assert "U+0660 ARABIC-INDIC DIGIT ZERO is not an ASCII digit" in capsys.readouterr().err
