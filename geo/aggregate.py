"""Share-weighted aggregation from kommuner to units (counts summed, rates weighted by population)."""

from __future__ import annotations

import pandas as pd

KINDS = ("count", "rate")


def aggregate_to_units(
    values: pd.Series,
    memberships: pd.DataFrame,
    weights: pd.Series,
    kind: str,
) -> pd.DataFrame:
    """Aggregate kommune values to the units of one layer.

    Counts are summed with shares (Σ share·value); rates are population-weighted means using
    share × population (Σ share·pop·value / Σ share·pop). Kommuner without a value are left out
    of the value and reported through the covered population.

    Parameters
    ----------
    values : Series
        Value per kommune (index ``kommune_kode``); absent or NaN means no data.
    memberships : DataFrame
        ``kommune_kode``, ``unit_id``, ``share`` for one layer.
    weights : Series
        Population per kommune (index ``kommune_kode``) for every kommune in ``memberships``.
    kind : {'count', 'rate'}

    Returns
    -------
    DataFrame
        One row per unit: ``unit_id``, ``value``, ``n_kommuner``, ``n_with_data``,
        ``population``, ``population_covered``, ``coverage`` (0-1).
    """
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not supported; expected one of {list(KINDS)}")
    missing_w = sorted(set(memberships["kommune_kode"]) - set(weights.dropna().index))
    if missing_w:
        raise ValueError(f"no population weight for kommuner {missing_w}")
    frame = memberships[["kommune_kode", "unit_id", "share"]].merge(
        values.rename("value").to_frame(), left_on="kommune_kode", right_index=True,
        how="left", validate="many_to_one",
    )
    frame = frame.merge(weights.rename("w").to_frame(), left_on="kommune_kode", right_index=True,
                        how="left", validate="many_to_one")
    frame["has"] = frame["value"].notna()
    frame["sw"] = frame["share"] * frame["w"]
    frame["sw_has"] = frame["sw"].where(frame["has"], 0.0)
    if kind == "count":
        frame["num"] = (frame["share"] * frame["value"]).where(frame["has"], 0.0)
    else:
        frame["num"] = (frame["sw"] * frame["value"]).where(frame["has"], 0.0)
    grouped = frame.groupby("unit_id", sort=True)
    out = pd.DataFrame(
        {
            "n_kommuner": grouped["kommune_kode"].nunique(),
            "n_with_data": grouped["has"].sum().astype(int),
            "population": grouped["sw"].sum(),
            "population_covered": grouped["sw_has"].sum(),
            "num": grouped["num"].sum(),
        }
    )
    if kind == "count":
        out["value"] = out["num"].where(out["n_with_data"] > 0)
    else:
        out["value"] = (out["num"] / out["population_covered"]).where(out["population_covered"] > 0)
    out["coverage"] = out["population_covered"] / out["population"]
    cols = ["value", "n_kommuner", "n_with_data", "population", "population_covered", "coverage"]
    return out[cols].reset_index()


def national_value(values: pd.Series, weights: pd.Series, kind: str) -> tuple[float, float]:
    """Denmark's value (sum of counts, or population-weighted mean of rates) and the share of the
    population it covers."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not supported; expected one of {list(KINDS)}")
    data = values.dropna()
    w = weights.reindex(data.index)
    covered = float(w.sum() / weights.sum())
    if kind == "count":
        return float(data.sum()), covered
    return float((data * w).sum() / w.sum()), covered
