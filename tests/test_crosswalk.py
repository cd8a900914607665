"""The crosswalk between two layers (`geo.crosswalk`): tiny boxes, the real klynger → sundhedsråd, and the CLI."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import catalog, crosswalk, export, model
from geo.__main__ import main
from geo.bundle import Bundle
from geo.config import CRS_DRAW, CRS_WORK

KM = 1000
BEFORE, AFTER = dt.date(2026, 12, 2), dt.date(2027, 1, 2)


@pytest.fixture()
def boxes(tiny):
    """Four kommuner in a row, A (0001, two sub-areas), B, C, D, and two layers of the care role.

    'old' (until 2026-12-31): A split 0.6/0.4 by sub-area between u1 (sub-area 1) and u2 (sub-area 2),
    B in u2, C and D in u3; u2's hospital lies in B, u3's in C. 'new' (from 2027-01-01): A and C in n1,
    B and D in n2; its units name no hospital (they get those inside their kommuner).
    """
    extra = gpd.GeoDataFrame({"kommune_kode": ["0004"], "kommune_navn": ["D"], "region": ["R1"]},
                             geometry=[box(30 * KM, 0, 40 * KM, 10 * KM)], crs=CRS_WORK)
    kommuner = gpd.GeoDataFrame(pd.concat([tiny["kommuner"], extra], ignore_index=True), crs=CRS_WORK)
    layers = pd.DataFrame({"layer": ["old", "new"], "name_da": ["Gammel", "Ny"], "name_en": ["Old", "New"],
                           "role": ["care", "care"], "valid_from": ["2022-07-01", "2027-01-01"],
                           "valid_to": ["2026-12-31", ""], "extent": ["all", "all"], "display_region": ["", ""],
                           "source": ["t", "t"], "confidence": ["high", "high"], "_line": [2, 3]})
    units = pd.DataFrame({"layer": ["old"] * 3 + ["new"] * 2, "unit_id": ["u1", "u2", "u3", "n1", "n2"],
                          "unit_navn": ["Enhed 1", "Enhed 2", "Enhed 3", "Råd 1", "Råd 2"],
                          "site_ids": ["", "hb", "hc", "", ""]})
    rows = [("old", "0001", "u1", 0.6, "1"), ("old", "0001", "u2", 0.4, "2"), ("old", "0002", "u2", 1.0, ""),
            ("old", "0003", "u3", 1.0, ""), ("old", "0004", "u3", 1.0, ""),
            ("new", "0001", "n1", 1.0, ""), ("new", "0002", "n2", 1.0, ""), ("new", "0003", "n1", 1.0, ""),
            ("new", "0004", "n2", 1.0, "")]
    assignments = pd.DataFrame(rows, columns=["layer", "kommune_kode", "unit_id", "share", "sub_areas"])
    assignments["basis"], assignments["source"], assignments["confidence"] = "", "t", "high"
    assignments["_line"] = range(2, 2 + len(assignments))
    codes = ["0001", "0002", "0003", "0004"]
    pop = pd.DataFrame({"kommune_kode": codes * 2, "year": [2020] * 4 + [2026] * 4,
                        "population_total": [999, 499, 299, 99, 1001, 500, 300, 100],
                        "source_table": ["t"] * 8})
    centres = gpd.GeoSeries([Point(15 * KM, 5 * KM), Point(25 * KM, 5 * KM)], crs=CRS_WORK).to_crs(CRS_DRAW)
    sites = pd.DataFrame({"site_id": ["hb", "hc"], "name": ["HB", "HC"], "kind": ["akutsygehus"] * 2,
                          "lat": [str(p.y) for p in centres], "lon": [str(p.x) for p in centres]})
    return Bundle(kommuner=kommuner, sub_areas=tiny["sub_areas"], population=pop, indicators=pd.DataFrame(),
                  layers=layers, units=units, assignments=assignments, sites=sites, sources_dir=Path("."))


@pytest.mark.parametrize(("values", "total", "expected"), [
    ([600.6, 400.4], 1001, [601, 400]),
    ([0.5, 0.5], 1, [1, 0]),  # a tie goes to the first
    ([1.0, 2.0, 3.0], 6, [1, 2, 3]),
    ([0.34, 0.33, 0.33], 1, [1, 0, 0]),
    ([331_040.7, 284_135.2, 56_538.1], 671_714, [331_041, 284_135, 56_538]),
])
def test_largest_remainder_keeps_the_total(values, total, expected):
    out = crosswalk.largest_remainder(values, total)
    assert out.tolist() == expected and out.sum() == total


@pytest.mark.parametrize(("values", "total", "message"), [
    ([1.0, 2.0], 4, "sum to 3.0, not to the total 4"),
    ([-1.0, 2.0], 1, "finite and non-negative"),
    ([], 3, "among no cells"),
])
def test_largest_remainder_refuses_what_cannot_add_up(values, total, message):
    with pytest.raises(ValueError, match=message):
        crosswalk.largest_remainder(values, total)


def test_box_crosswalk_has_one_row_per_kommune_and_unit_pair(boxes):
    walk = crosswalk.crosswalk(boxes, "old", "new")
    cells = list(zip(walk["kommune_kode"], walk["from_unit_id"], walk["to_unit_id"], walk["population"],
                     strict=True))
    assert cells == [("0001", "u1", "n1", 601), ("0001", "u2", "n1", 400), ("0002", "u2", "n2", 500),
                     ("0003", "u3", "n1", 300), ("0004", "u3", "n2", 100)]
    assert walk["population"].sum() == 1901 and set(walk["population_year"]) == {2026}
    assert walk.loc[walk["kommune_kode"] == "0001", "share"].tolist() == pytest.approx([0.6, 0.4])
    assert walk.loc[walk["kommune_kode"] == "0001", "sub_areas"].tolist() == ["1", "2"]
    assert crosswalk.crosswalk(boxes, "old", "new", 2020)["population"].sum() == 999 + 499 + 299 + 99


@pytest.mark.parametrize(("kode", "gained", "left", "kept"), [
    ("0001", ("0003",), ("0002",), ()),  # A: was with B (through u2), is with C (n1)
    ("0002", ("0004",), ("0001",), ()),
    ("0003", ("0001",), ("0004",), ()),
    ("0004", ("0002",), ("0003",), ()),
])
def test_box_kommune_gains_and_leaves_neighbours(boxes, kode, gained, left, kept):
    change = crosswalk.kommune_change(boxes, crosswalk.crosswalk(boxes, "old", "new"), kode)
    assert (change.gained, change.left, change.kept) == (gained, left, kept)
    assert not change.unchanged


def test_box_kommune_change_names_units_populations_and_hospitals(boxes):
    change = crosswalk.kommune_change(boxes, crosswalk.crosswalk(boxes, "old", "new"), "0001")
    assert [(u.unit_id, u.population, u.hospitals, u.area) for u in change.old] == [
        ("u1", 601, (), False), ("u2", 900, ("HB",), False)]
    assert [(u.unit_id, u.population, u.hospitals, u.area) for u in change.new] == [("n1", 1301, ("HC",), True)]
    assert change.shares_old == pytest.approx((0.6, 0.4)) and change.shares_new == (1.0,)
    text = crosswalk.kommune_sentences(change, crosswalk.Dates.of(boxes, "old", "new"), 2026, "da")
    assert text[0] == ("A (0001) hører til Enhed 1 (60 %) og Enhed 2 (40 %) til og med 31. december 2026 og til "
                       "Råd 1 fra 1. januar 2027.")
    assert "Nye i samme enhed som A (1): C." in text
    assert "Ikke længere i samme enhed som A (1): B." in text
    assert text[-1] == "Akutsygehuse før: intet akutsygehus (Enhed 1); HB (Enhed 2). Efter: HC (Råd 1; akutsygehuse i området)."


def test_box_unit_seen_from_both_sides(boxes):
    walk = crosswalk.crosswalk(boxes, "old", "new")
    u3 = crosswalk.unit_change(boxes, walk, "from", "u3")
    assert u3.parts[["unit_id", "population"]].values.tolist() == [["n1", 300], ["n2", 100]]
    assert u3.parts["share_of_other"].tolist() == pytest.approx([300 / 1301, 100 / 600])
    assert u3.outside == ("0001", "0002")  # who joins C and D in their councils
    n1 = crosswalk.unit_change(boxes, walk, "to", "n1")
    assert n1.parts[["unit_id", "population", "whole"]].values.tolist() == [
        ["u1", 601, True], ["u2", 400, False], ["u3", 300, False]]
    assert n1.outside == ("0002", "0004")  # the rest of u2 and u3 went elsewhere
    assert n1.members == ("0001", "0003") and n1.unit.population == 1301
    en = crosswalk.unit_sentences(n1, crosswalk.Dates.of(boxes, "old", "new"), 2026, "en")
    assert en[0] == ("From 1 January 2027, Råd 1 is made of 2 municipalities from 3 units: Enhed 1 (A; 601 residents, "
                     "the whole unit); Enhed 2 (A; 400 residents, 44% of its residents); Enhed 3 (C; 300 residents, "
                     "75% of its residents).")
    with pytest.raises(ValueError, match="'n9' is not a unit of 'new'"):
        crosswalk.unit_change(boxes, walk, "to", "n9")
    with pytest.raises(ValueError, match="side must be in the set"):
        crosswalk.unit_change(boxes, walk, "sideways", "n1")


def test_box_crosswalk_refuses_bad_layers_and_years(boxes):
    with pytest.raises(ValueError, match="two different layers"):
        crosswalk.crosswalk(boxes, "old", "old")
    with pytest.raises(ValueError, match="layer 'nope' is unknown"):
        crosswalk.crosswalk(boxes, "old", "nope")
    with pytest.raises(ValueError, match=r"population year 1999 is not available; expected one of \[2020, 2026\]"):
        crosswalk.crosswalk(boxes, "old", "new", 1999)


def test_a_kommune_one_layer_does_not_name_keeps_its_people(boxes):
    named = boxes.assignments[~((boxes.assignments["layer"] == "new") & (boxes.assignments["kommune_kode"] == "0004"))]
    bundle = dataclasses.replace(boxes, assignments=named)
    walk = crosswalk.crosswalk(bundle, "old", "new")
    d = walk[walk["kommune_kode"] == "0004"]
    assert d[["from_unit_id", "to_unit_id", "population"]].values.tolist() == [["u3", "", 100]]
    assert walk["population"].sum() == 1901


# --- the real data: klynger → sundhedsråd ---------------------------------------------------------

@pytest.fixture(scope="module")
def care(bundle):
    old, new = bundle.registry.change_pair(BEFORE)
    return old, new, crosswalk.crosswalk(bundle, old, new)


def test_the_care_pair_is_the_same_on_both_sides_of_the_change(bundle, care):
    old, new, _ = care
    assert bundle.registry.change_pair(AFTER) == (old, new)
    assert bundle.registry.in_force("care", BEFORE) == old and bundle.registry.in_force("care", AFTER) == new


@pytest.mark.parametrize("year", [2020, 2023, 2024, 2026])
def test_the_crosswalk_sums_to_the_national_population(bundle, care, year):
    old, new, _ = care
    walk = crosswalk.crosswalk(bundle, old, new, year)
    pop, _ = catalog.population_total(bundle.population, year)
    assert walk["population"].sum() == int(pop.sum())
    per_kommune = walk.groupby("kommune_kode")["population"].sum()
    assert (per_kommune == pop.reindex(per_kommune.index).astype(int)).all()
    assert walk["kommune_kode"].nunique() == 98 and (walk["from_unit_id"] != "").all() and (walk["to_unit_id"] != "").all()


def test_each_unit_keeps_its_share_weighted_population(bundle, care):
    old, new, walk = care
    pop, _ = catalog.population_total(bundle.population)
    for side, layer in (("from", old), ("to", new)):
        rows = model.layer_assignments(bundle.assignments, layer)
        expected = (rows["share"] * rows["kommune_kode"].map(pop)).groupby(rows["unit_id"]).sum()
        split = rows.groupby("kommune_kode")["unit_id"].count()
        split = rows[rows["kommune_kode"].isin(split[split > 1].index)].groupby("unit_id")["kommune_kode"].count()
        got = crosswalk.unit_populations(walk, side)
        assert set(got.index) == set(expected.index)
        allowed = split.reindex(expected.index).fillna(0)  # under one person per split kommune, rounded
        assert (np.abs(got[expected.index] - expected) < allowed + 1e-6).all(), (got - expected)


def test_koebenhavn_is_split_as_the_assignments_say(bundle, care):
    old, new, walk = care
    kbh = walk[walk["kommune_kode"] == "0101"]
    rows = model.layer_assignments(bundle.assignments, old)
    rows = rows[rows["kommune_kode"] == "0101"].set_index("unit_id")
    assert kbh["share"].tolist() == pytest.approx(rows.loc[kbh["from_unit_id"], "share"].tolist())
    assert kbh["sub_areas"].tolist() == rows.loc[kbh["from_unit_id"], "sub_areas"].tolist()
    assert set(kbh["to_unit_id"]) == set(model.layer_assignments(bundle.assignments, new).query(
        "kommune_kode == '0101'")["unit_id"])
    pop, _ = catalog.population_total(bundle.population)
    assert kbh["population"].sum() == int(pop["0101"])


def _members(bundle, layer, unit):
    rows = bundle.assignments
    return set(rows.loc[(rows["layer"] == layer) & (rows["unit_id"] == unit), "kommune_kode"])


def test_middelfart_keeps_its_company(bundle, care):
    old, new, walk = care
    change = crosswalk.kommune_change(bundle, walk, "0410")
    assert change.unchanged and change.gained == () and change.left == ()
    assert set(change.kept) == _members(bundle, old, change.old[0].unit_id) - {"0410"}
    text = crosswalk.kommune_sentences(change, crosswalk.Dates.of(bundle, old, new), 2026, "da")
    assert text[0] == ("Middelfart (0410) hører til Sundhedsklynge Lillebælt til og med 31. december 2026 og til "
                       "Sundhedsråd Lillebælt fra 1. januar 2027.")
    assert text[1] == "Middelfart er i enhed med de samme kommuner før og efter (3)."
    assert "Kolding Sygehus" in text[-1]


def test_koebenhavn_gains_bornholm_and_leaves_the_vestegn(bundle, care):
    old, new, walk = care
    change = crosswalk.kommune_change(bundle, walk, "0101")
    assert [u.unit_id for u in change.old] == ["h_byen", "h_syd"]
    council = change.new[0].unit_id
    assert len(change.new) == 1
    before = (_members(bundle, old, "h_byen") | _members(bundle, old, "h_syd")) - {"0101"}
    after = _members(bundle, new, council) - {"0101"}
    assert set(change.gained) == after - before and "0400" in change.gained
    assert set(change.left) == before - after and {"0185", "0167", "0155"} <= set(change.left)  # Tårnby, Hvidovre, Dragør
    assert set(change.kept) == {"0147"}  # Frederiksberg, with København before and after
    assert sum(u.population for u in change.new) == int(walk.loc[walk["to_unit_id"] == council, "population"].sum())
    en = crosswalk.kommune_sentences(change, crosswalk.Dates.of(bundle, old, new), 2026, "en")
    assert en[1] == "New in the same unit as København (1): Bornholm."


def test_a_klynge_split_between_councils(bundle, care):
    old, new, walk = care
    syd = crosswalk.unit_change(bundle, walk, "from", "h_syd")
    assert len(syd.parts) == 2 and syd.parts["population"].sum() == syd.unit.population
    assert set(syd.parts.iloc[0]["kommuner"]) == _members(bundle, old, "h_syd") - {"0101"}
    assert syd.parts.iloc[0]["whole"]  # the Vestegn's council is made of Syd's kommuner alone
    assert set(syd.outside) == {"0147", "0400"}  # who joins København in its council


def test_summary_counts(bundle, care):
    _, _, walk = care
    s = crosswalk.summary(walk)
    assert (s["n_from"], s["n_to"], s["n_kommuner"]) == (22, 17, 98)
    assert 0 < s["n_changed"] < 98


# --- the command line ---------------------------------------------------------------------------

def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.fixture()
def cli(bundle, monkeypatch):
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: bundle)


@pytest.mark.parametrize("argv", [
    (), ("--layer", "sundhedsklynger", "--with", "sundhedsraad-2027"), ("--layer", "care"),
    ("--with", "sundhedsraad-2027"), ("--date", "2027-01-02"), ("--layer", "care", "--date", "2027-01-02"),
])
def test_cli_crosswalk_defaults_to_the_care_pair(bundle, care, cli, argv):
    old, new, walk = care
    code, text = run("export", "--what", "crosswalk", *argv)
    assert code == 0
    assert text == export.crosswalk_export(bundle, old, new, "csv")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # RFC 4180 line ends
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(walk) and sum(int(r["population"]) for r in table) == walk["population"].sum()
    assert table[0]["kommune_kode"] == "0101"


def test_cli_crosswalk_writes_xlsx_and_takes_a_year(bundle, care, cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "x.xlsx"
    assert run("export", "--what", "crosswalk", "--format", "xlsx", "--year", "2020", "--out", str(out))[0] == 0
    book = load_workbook(out)
    sheet = book["crosswalk"]
    header = [c.value for c in sheet[1]]
    assert header == crosswalk.COLUMNS
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values[0][0] == "0101" and isinstance(values[0][header.index("population")], int)
    pop, _ = catalog.population_total(bundle.population, 2020)
    assert sum(r[header.index("population")] for r in values) == int(pop.sum())
    assert ("population year", "2020") in [tuple(r) for r in book["sources"].iter_rows(values_only=True)]


@pytest.mark.parametrize(("argv", "code", "message"), [
    (("--format", "geojson"), 2, "does not apply to a crosswalk"),
    (("--layer", "psykiatri-voksen"), 1, "no layer before or after it in its role: give --with"),
    (("--layer", "sundhedsklynger", "--with", "sundhedsklynger"), 1, "two different layers"),
    (("--layer", "nope"), 1, "layer 'nope' is unknown"),
    (("--year", "1999"), 1, "population year 1999 is not available"),
])
def test_cli_crosswalk_errors(cli, capsys, argv, code, message):
    assert run("export", "--what", "crosswalk", *argv)[0] == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_with_belongs_to_the_crosswalk_only(cli, capsys):
    assert run("export", "--what", "units", "--with", "care")[0] == 2
    assert "--with applies to --what crosswalk only" in capsys.readouterr().err


def test_the_app_download_is_the_cli_bytes(bundle, care, cli):
    import ui

    old, new, _ = care
    assert ui.crosswalk_file(old, new, "csv", BEFORE) == run("export", "--what", "crosswalk")[1]
