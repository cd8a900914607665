"""Assignment model on boxes: parts of split kommuner, shared parts, unit dissolve, unassigned."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.geometry import box

from geo import model


def test_split_kommune_contributes_only_its_sub_areas(tiny):
    parts = model.layer_parts(tiny["kommuner"], tiny["sub_areas"], tiny["assignments"], tiny["units"], "klynger")
    a_u1 = parts[(parts["kommune_kode"] == "0001") & (parts["unit_id"] == "u1")].geometry.iloc[0]
    assert a_u1.equals(box(0, 0, 5_000, 10_000))
    assert not parts["shared"].any()


def test_unit_geometry_dissolves_parts(tiny):
    parts = model.layer_parts(tiny["kommuner"], tiny["sub_areas"], tiny["assignments"], tiny["units"], "klynger")
    units = model.unit_geometries(parts).set_index("unit_id")
    assert units.geometry["u2"].area == pytest.approx(5_000 * 10_000 + 10_000 * 10_000)
    assert units.geometry["u2"].contains(box(6_000, 1, 19_000, 9_999))
    assert units.geometry["u1"].intersection(box(5_001, 0, 10_000, 10_000)).area == 0


def test_split_without_sub_areas_uses_whole_kommune_marked_shared(tiny):
    assignments = tiny["assignments"].assign(sub_areas="")
    parts = model.layer_parts(tiny["kommuner"], tiny["sub_areas"], assignments, tiny["units"], "klynger")
    a = parts[parts["kommune_kode"] == "0001"]
    assert a["shared"].tolist() == [True, True]
    assert all(g.equals(box(0, 0, 10_000, 10_000)) for g in a.geometry)
    assert not parts.loc[parts["kommune_kode"] != "0001", "shared"].any()


def test_unassigned_kommuner_of_named_layer(tiny):
    layer_row = tiny["layers"].set_index("layer").loc["historisk"].copy()
    layer_row["layer"] = "historisk"
    missing = model.unassigned_kommuner(tiny["kommuner"], tiny["assignments"], layer_row)
    assert missing["kommune_kode"].tolist() == ["0003"]


def test_unmatched_rows_raise(tiny):
    bad = pd.concat([tiny["assignments"], tiny["assignments"].iloc[[0]].assign(kommune_kode="0009")])
    with pytest.raises(ValueError, match="match no kommune or unit"):
        model.layer_parts(tiny["kommuner"], tiny["sub_areas"], bad, tiny["units"], "klynger")


def test_layer_parts_does_not_mutate_inputs(tiny):
    before = tiny["assignments"].copy()
    model.layer_parts(tiny["kommuner"], tiny["sub_areas"], tiny["assignments"], tiny["units"], "klynger")
    pd.testing.assert_frame_equal(before, tiny["assignments"])


def test_simplify_for_display_keeps_sub_areas_tiling(tiny):
    kommuner, subs = model.simplify_for_display(tiny["kommuner"], tiny["sub_areas"], 100.0)
    outer = kommuner.geometry.iloc[0]
    union = subs.geometry.union_all()
    assert union.symmetric_difference(outer).area == pytest.approx(0, abs=1e-6)


def test_simplify_for_display_requires_working_crs(tiny):
    with pytest.raises(ValueError, match="EPSG:25832"):
        model.simplify_for_display(tiny["kommuner"].to_crs(4326), tiny["sub_areas"], 100.0)
