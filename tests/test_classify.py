"""Classes and colours: registries, missing data as its own class, neighbours never share a colour."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.classify import (
    CATEGORICAL,
    MISSING_COLOUR,
    PALETTES,
    SCHEMES,
    classify,
    membership_colours,
    palette_colours,
)

VALUES = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, np.nan, 10.0], index=list("abcdefghij"))


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s != "user_defined"])
def test_every_scheme_gives_k_classes_and_a_missing_class(scheme):
    classes, legend = classify(VALUES, scheme, 3, "blues")
    assert classes.loc["i", "class"] == -1
    assert classes.loc["i", "colour"] == MISSING_COLOUR
    assert [r.label for r in legend][-1] == "Ingen data"
    assert sum(r.count for r in legend) == len(VALUES)
    assert len(legend) == 4
    assert classes.loc[VALUES.dropna().index, "colour"].ne(MISSING_COLOUR).all()


def test_user_defined_breaks():
    classes, legend = classify(VALUES, "user_defined", 0, "viridis", breaks=[5, 10])
    assert classes.loc["e", "class"] == 0 and classes.loc["f", "class"] == 1
    assert [r.count for r in legend] == [5, 4, 1]


def test_missing_values_do_not_shift_the_classes():
    with_nan, _ = classify(VALUES, "quantiles", 3, "blues")
    without, _ = classify(VALUES.dropna(), "quantiles", 3, "blues")
    pd.testing.assert_series_equal(with_nan.loc[without.index, "class"], without["class"])


def test_legend_uses_the_formatter():
    _, legend = classify(pd.Series([1000.0, 2000.0, 3000.0]), "equal_interval", 2, "blues",
                         formatter=lambda x: f"{x:,.0f}".replace(",", "."))
    assert legend[0].label == "1.000 – 2.000"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "jenks"}, r"scheme must be in the set: \['equal_interval', 'fisher_jenks'"),
        ({"palette": "rainbow"}, "palette must be in the set"),
        ({"k": 12}, "number of classes must be 2-9; got 12"),
        ({"scheme": "user_defined"}, "user_defined needs breaks"),
    ],
)
def test_bad_choices_are_named(kwargs, message):
    args = {"values": VALUES, "scheme": "quantiles", "k": 3, "palette": "blues"} | kwargs
    with pytest.raises(ValueError, match=message):
        classify(**args)


@pytest.mark.parametrize("palette", list(PALETTES))
def test_palettes_go_from_light_to_dark(palette):
    colours = palette_colours(palette, 5)
    lum = [sum(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours]
    assert lum[0] > lum[-1]


def test_neighbouring_units_never_share_a_colour():
    cells = [box(x, y, x + 1, y + 1) for x in range(4) for y in range(4)]
    grid = gpd.GeoDataFrame({"unit_id": [f"u{i}" for i in range(16)]}, geometry=cells)
    colours = membership_colours(grid)
    assert set(colours.values()) <= set(CATEGORICAL)
    for i, a in grid.iterrows():
        for j, b in grid.iterrows():
            if i < j and a.geometry.touches(b.geometry):
                assert colours[a.unit_id] != colours[b.unit_id], (a.unit_id, b.unit_id)


def test_values_above_the_highest_break_get_their_own_class():
    values = pd.Series(np.arange(1.0, 41.0))
    classes, legend = classify(values, "user_defined", 0, "blues", breaks=[10, 30])
    assert [r.count for r in legend] == [10, 20, 10]
    assert legend[-1].lower == 30 and legend[-1].upper == 40
    assert classes["class"].max() == 2 and classes.loc[39, "colour"] != classes.loc[29, "colour"]


@pytest.mark.parametrize(
    ("text", "reason", "value"),
    [("30; nan", "not_number", "nan"), ("1; inf", "not_number", "inf"), ("8; ti", "not_number", "ti"),
     ("1e400", "not_number", "1e400"), ("5; 5,0", "duplicate", "5"),
     ("; ".join(str(i) for i in range(13)), "too_many", "13")],
)
def test_parse_breaks_refuses_what_is_not_a_usable_break(text, reason, value):
    from geo.classify import BreaksError, parse_breaks

    with pytest.raises(BreaksError) as info:
        parse_breaks(text)
    assert info.value.reason == reason and info.value.value == value


def test_parse_breaks_reads_decimal_comma_and_sorts():
    from geo.classify import MAX_BREAKS, parse_breaks

    assert parse_breaks("12; 8; 10,5") == (8.0, 10.5, 12.0)
    assert len(parse_breaks("; ".join(str(i) for i in range(MAX_BREAKS)))) == MAX_BREAKS


@pytest.mark.parametrize("breaks", [[30, float("nan")], [1, float("inf")], list(range(13))])
def test_classify_refuses_unusable_breaks(breaks):
    with pytest.raises(ValueError, match="finite numbers|at most 12"):
        classify(VALUES, "user_defined", 0, "blues", breaks=breaks)


def test_no_colour_is_used_twice_within_a_region():
    # 3 regions × 4 units in a row of 12 boxes: region mates are far apart, yet must differ
    cells = [box(x, 0, x + 1, 1) for x in range(12)]
    grid = gpd.GeoDataFrame({"unit_id": [f"u{i:02d}" for i in range(12)],
                             "regions": [(f"R{i % 3}",) for i in range(12)]}, geometry=cells)
    colours = membership_colours(grid)
    for r in range(3):
        mates = [colours[f"u{i:02d}"] for i in range(12) if i % 3 == r]
        assert len(set(mates)) == 4, (r, mates)
    for i in range(11):
        assert colours[f"u{i:02d}"] != colours[f"u{i + 1:02d}"]
    explicit = membership_colours(grid.drop(columns="regions"), {f"u{i:02d}": ["R"] for i in range(8)})
    assert len({explicit[f"u{i:02d}"] for i in range(8)}) == 8  # the mapping form: eight in one region


def test_a_palette_too_small_for_a_region_is_named():
    cells = [box(x, 0, x + 1, 1) for x in range(9)]
    grid = gpd.GeoDataFrame({"unit_id": [f"u{i}" for i in range(9)], "regions": [("R",)] * 9}, geometry=cells)
    with pytest.raises(ValueError, match="the palette is too small"):
        membership_colours(grid)


def test_few_units_each_get_their_own_colour():
    cells = [box(x * 10, 0, x * 10 + 1, 1) for x in range(5)]  # apart: no constraint, still all different
    colours = membership_colours(gpd.GeoDataFrame({"unit_id": list("abcde")}, geometry=cells))
    assert list(colours.values()) == CATEGORICAL[:5]
