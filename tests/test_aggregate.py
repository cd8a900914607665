"""Share-weighted sums and population-weighted rates; totals conserved; coverage reported."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.aggregate import aggregate_to_units, national_value

MEMBERS = pd.DataFrame(
    {"kommune_kode": ["0001", "0001", "0002", "0003"], "unit_id": ["u1", "u2", "u2", "u3"],
     "share": [0.6, 0.4, 1.0, 1.0]}
)
POP = pd.Series({"0001": 1000.0, "0002": 500.0, "0003": 250.0})


def test_counts_are_summed_with_shares_and_conserved():
    out = aggregate_to_units(POP, MEMBERS, POP, "count").set_index("unit_id")
    assert out.loc["u1", "value"] == pytest.approx(600)
    assert out.loc["u2", "value"] == pytest.approx(400 + 500)
    assert out["value"].sum() == pytest.approx(POP.sum())


def test_rates_are_weighted_by_share_times_population():
    rate = pd.Series({"0001": 10.0, "0002": 20.0, "0003": 30.0})
    out = aggregate_to_units(rate, MEMBERS, POP, "rate").set_index("unit_id")
    # u2 = (0.4*1000*10 + 1*500*20) / (400 + 500)
    assert out.loc["u2", "value"] == pytest.approx((4000 + 10000) / 900)
    assert out.loc["u1", "value"] == pytest.approx(10.0)


def test_missing_kommuner_are_reported_as_coverage():
    rate = pd.Series({"0001": 10.0, "0003": 30.0})
    out = aggregate_to_units(rate, MEMBERS, POP, "rate").set_index("unit_id")
    assert out.loc["u2", "value"] == pytest.approx(10.0)
    assert out.loc["u2", "coverage"] == pytest.approx(400 / 900)
    assert out.loc["u2", "n_with_data"] == 1


def test_unit_without_any_data_has_no_value():
    out = aggregate_to_units(pd.Series({"0001": 5.0}), MEMBERS, POP, "rate").set_index("unit_id")
    assert pd.isna(out.loc["u3", "value"])
    assert out.loc["u3", "coverage"] == 0


@pytest.mark.parametrize("func", [aggregate_to_units, national_value])
def test_unknown_kind_is_named(func):
    args = (POP, MEMBERS, POP, "mean") if func is aggregate_to_units else (POP, POP, "mean")
    with pytest.raises(ValueError, match="kind 'mean' is not supported; expected one of"):
        func(*args)


def test_missing_weight_is_named():
    with pytest.raises(ValueError, match=r"no population weight for kommuner \['0003'\]"):
        aggregate_to_units(POP, MEMBERS, POP.drop("0003"), "count")


def test_national_value_of_rate_is_population_weighted():
    rate = pd.Series({"0001": 10.0, "0002": 20.0})
    value, covered = national_value(rate, POP, "rate")
    assert value == pytest.approx((10000 + 10000) / 1500)
    assert covered == pytest.approx(1500 / 1750)
