"""One overlap rule (geo.overlap): crossing bydel sets count every resident once, and the Klynger
page / atlas path (ulighed.overlap) gives the numbers of the Sammenlign / compare path (plans.compare)."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from geo import overlap, plans, ulighed
from geo.config import CRS_WORK
from tests.test_plans import boxes  # noqa: F401 - fixture

# One kommune of four bydele: A = {1,2,3} 0.6 + {4} 0.4; B = {1,2} 0.3 + {3,4} 0.7 (crosses A's first).
A = ([0.6, 0.4], [{"1", "2", "3"}, {"4"}])
B = ([0.3, 0.7], [{"1", "2"}, {"3", "4"}])


def test_crossing_bydel_sets_count_every_resident_once():
    grid = overlap.kommune_overlap(*A, *B)
    assert grid.sum() == pytest.approx(1, abs=1e-12)  # the old pairwise rule counted 0.3 + 0.35 + 0.4 = 105 %
    assert grid.sum(axis=1) == pytest.approx([0.6, 0.4], abs=1e-12)
    assert grid.sum(axis=0) == pytest.approx([0.3, 0.7], abs=1e-12)
    # B's {1,2} lies inside A's {1,2,3}: exactly B's share; A's {4} inside B's {3,4}: exactly A's share
    assert grid == pytest.approx(np.array([[0.3, 0.3], [0.0, 0.4]]), abs=1e-12)


def test_the_rule_is_symmetric():
    shares_a, subs_a = [0.5, 0.3, 0.2], [{"1", "2"}, {"3", "4", "5"}, {"6"}]
    shares_b, subs_b = [0.3, 0.6, 0.1], [{"1", "3"}, {"2", "4", "6"}, {"5"}]
    ab = overlap.kommune_overlap(shares_a, subs_a, shares_b, subs_b)
    ba = overlap.kommune_overlap(shares_b, subs_b, shares_a, subs_a)
    assert ab == pytest.approx(ba.T, abs=1e-9)
    assert ab.sum(axis=1) == pytest.approx(shares_a, abs=1e-9) and ab.sum(axis=0) == pytest.approx(shares_b, abs=1e-9)


def test_without_sub_areas_the_sides_are_independent():
    grid = overlap.kommune_overlap([0.6, 0.4], [set(), set()], [0.5, 0.5], [{"1"}, set()])
    assert grid == pytest.approx(np.array([[0.3, 0.3], [0.2, 0.2]]))


def test_whole_residents_of_a_kommune_sum_to_its_population():
    grid = overlap.kommune_overlap(*A, *B)
    whole = overlap.kommune_people(grid, 1001)
    assert whole.dtype.kind == "i" and whole.sum() == 1001
    assert np.abs(whole - grid * 1001).max() < 1


@pytest.fixture()
def crossing(boxes):  # noqa: F811 - the fixture imported above
    """The `boxes` bundle with kommune A (900 / 1000 residents) in four bydele whose sets cross."""
    bundle, _ = boxes
    strips = gpd.GeoDataFrame({"kommune_kode": ["0001"] * 4, "sub_area_id": ["1", "2", "3", "4"],
                               "sub_area_navn": ["Et", "To", "Tre", "Fire"]},
                              geometry=[box(i * 2500, 0, (i + 1) * 2500, 10_000) for i in range(4)], crs=CRS_WORK)
    rows = bundle.assignments.copy()
    a = rows["kommune_kode"] == "0001"
    rows.loc[a & (rows["unit_id"] == "u1"), ["share", "sub_areas"]] = [0.6, "1;2;3"]
    rows.loc[a & (rows["unit_id"] == "u2"), ["share", "sub_areas"]] = [0.4, "4"]
    rows.loc[a & (rows["unit_id"] == "p1"), ["share", "sub_areas"]] = [0.3, "1;2"]
    rows.loc[a & (rows["unit_id"] == "p2"), ["share", "sub_areas"]] = [0.7, "3;4"]
    bundle = replace(bundle, sub_areas=strips, assignments=rows)
    return bundle, plans.build_context(bundle)


@pytest.mark.parametrize("year", [2020, 2026])
def test_ulighed_overlap_gives_the_numbers_of_compare(crossing, year):
    bundle, ctx = crossing
    comp = plans.compare(ctx, plans.layer_plan(bundle, "klynger"), plans.layer_plan(bundle, "psyk"), year)
    assert comp.matrix["population"].dtype.kind == "i"
    assert comp.matrix["population"].sum() == bundle.population.query("year == @year")["population_total"].sum()
    for unit in ("u1", "u2", "u3", "u4"):
        row = comp.matrix[comp.matrix["a_unit_id"] == unit].set_index("b_unit_id")
        mine = ulighed.overlap(bundle, "klynger", unit, "psyk", year).set_index("unit_id")
        assert mine["population"].to_dict() == row["population"].to_dict(), unit
        assert mine["share"].to_dict() == pytest.approx(row["share_of_a"].to_dict()), unit
    u1 = comp.matrix[comp.matrix["a_unit_id"] == "u1"].set_index("b_unit_id")["population"]
    people = bundle.population.query("year == @year and kommune_kode == '0001'")["population_total"].item()
    assert u1.to_dict() == {"p1": round(0.3 * people), "p2": round(0.3 * people)}  # no one counted twice


@pytest.fixture(scope="module")
def real(bundle):
    return bundle, plans.build_context(bundle)


@pytest.mark.parametrize("layer_b", ["psykiatri-voksen", "psykiatri-boern", "sundhedsraad-2027"])
def test_real_serving_sections_are_compares_rows(real, layer_b):
    bundle, ctx = real
    comp = plans.compare(ctx, plans.layer_plan(bundle, "sundhedsklynger"), plans.layer_plan(bundle, layer_b), 2026)
    for unit in bundle.units.loc[bundle.units["layer"] == "sundhedsklynger", "unit_id"]:
        row = comp.matrix[comp.matrix["a_unit_id"] == unit].set_index("b_unit_id")["population"].to_dict()
        mine = ulighed.overlap(bundle, "sundhedsklynger", unit, layer_b, 2026).set_index("unit_id")["population"]
        assert mine.to_dict() == row, unit


def test_real_scenario_with_crossing_bydele_keeps_koebenhavn_whole(real):
    bundle, ctx = real
    base = plans.layer_plan(bundle, "sundhedsklynger")
    rows = base.rows.copy()
    kbh = rows["kommune_kode"] == "0101"
    rows.loc[kbh & (rows["unit_id"] == "h_byen"), "sub_areas"] = "1;2;3;4"  # crosses PC Amager's 4;9;10
    rows.loc[kbh & (rows["unit_id"] == "h_syd"), "sub_areas"] = "5;6;7;8;9;10"
    scenario = plans.Plan("sundhedsklynger", "crossing", rows)
    comp = plans.compare(ctx, scenario, plans.layer_plan(bundle, "psykiatri-voksen"), 2026)
    assert comp.matrix["population"].sum() == 6_025_511
    metrics = plans.unit_metrics(ctx, scenario, 2026).set_index("unit_id")["population"]
    for unit in ("h_byen", "h_syd"):  # København's residents once, in whole numbers: each unit's total
        total = comp.matrix.loc[comp.matrix["a_unit_id"] == unit, "population"].sum()
        assert abs(total - metrics[unit]) <= 1, unit
