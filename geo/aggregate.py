"""Share-weighted aggregation from kommuner to units: one rule for every figure on every layer.

A kommune's value reaches a unit split by the kommune's share in it (København by its bydele, as
``share`` in the assignments says). Three kinds of kommune values:

- a **count** is summed: Σ share·value;
- a **rate with a denominator** is a sum over a sum: Σ share·numerator / Σ share·denominator;
- a **rate weighted by population** is the same sum over a sum with numerator rate·population and
  denominator population: Σ share·pop·rate / Σ share·pop.

Kommuner without a value take no part in the value; they are listed per unit and lower its
*coverage*, the share of the unit's population (Σ share·pop) that has data. The project's own
population and indicator fills and a user's own table (`geo.owndata`) go through the same function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = ("count", "rate")
RESULT_COLUMNS = ["unit_id", "value", "n_kommuner", "n_with_data", "population", "population_covered",
                  "coverage", "missing_kommuner"]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not supported; expected one of {list(KINDS)}")


def _aligned(series: pd.Series, codes: np.ndarray, what: str) -> np.ndarray:
    """``series`` (index kommune_kode) as floats in the order of ``codes``; NaN where absent.

    A dictionary lookup, not ``reindex``: for a hundred kommuner it is several times faster.
    """
    if not series.index.is_unique:
        dup = sorted(set(series.index[series.index.duplicated()]))
        raise ValueError(f"{what} has more than one value for kommuner {dup}")
    lookup = dict(zip(series.index.to_numpy(dtype=object), series.to_numpy(dtype=float), strict=True))
    return np.fromiter((lookup.get(c, np.nan) for c in codes), dtype=float, count=len(codes))


def aggregate_to_units(
    values: pd.Series,
    memberships: pd.DataFrame,
    weights: pd.Series,
    kind: str,
    denominator: pd.Series | None = None,
) -> pd.DataFrame:
    """Aggregate kommune values to the units of one layer.

    Parameters
    ----------
    values : Series
        Value per kommune (index ``kommune_kode``): a count, a rate, or the numerator of a rate
        with ``denominator``; absent or NaN means no data.
    memberships : DataFrame
        ``kommune_kode``, ``unit_id``, ``share`` for one layer.
    weights : Series
        Population per kommune (index ``kommune_kode``) for every kommune in ``memberships``: the
        weights of a rate without ``denominator``, and the population of every coverage.
    kind : {'count', 'rate'}
    denominator : Series, optional
        For a rate: the denominator per kommune; the unit's rate is then Σ share·value /
        Σ share·denominator, and a kommune needs both to count as having data.

    Returns
    -------
    DataFrame
        One row per unit, sorted by ``unit_id``: ``value``, ``n_kommuner``, ``n_with_data``,
        ``population`` (Σ share·pop), ``population_covered`` (of kommuner with data), ``coverage``
        (0-1) and ``missing_kommuner`` (codes without data, ``;``-joined, '' when none).
    """
    _check_kind(kind)
    if denominator is not None and kind != "rate":
        raise ValueError("a denominator applies to a rate, not to a count")
    codes = memberships["kommune_kode"].to_numpy(dtype=object)
    missing_w = sorted(set(codes) - set(weights.dropna().index.to_numpy(dtype=object)))
    if missing_w:
        raise ValueError(f"no population weight for kommuner {missing_w}")
    share = memberships["share"].to_numpy(dtype=float)
    w = _aligned(weights, codes, "weights")
    v = _aligned(values, codes, "values")
    has = ~np.isnan(v)
    if denominator is not None:
        d = _aligned(denominator, codes, "denominator")
        has &= ~np.isnan(d)
    unit_ids, unit_of = np.unique(memberships["unit_id"].to_numpy(dtype=object), return_inverse=True)
    n_units = len(unit_ids)

    def per_unit(x: np.ndarray) -> np.ndarray:
        return np.bincount(unit_of, weights=x, minlength=n_units)

    sw = share * w
    population = per_unit(sw)
    covered = per_unit(np.where(has, sw, 0.0))
    n_with = np.bincount(unit_of[has], minlength=n_units)
    if kind == "count":
        num = per_unit(np.where(has, share * v, 0.0))
        value = np.where(n_with > 0, num, np.nan)
    elif denominator is None:
        num = per_unit(np.where(has, sw * v, 0.0))
        value = np.divide(num, covered, out=np.full(n_units, np.nan), where=covered > 0)
    else:
        num = per_unit(np.where(has, share * v, 0.0))
        den = per_unit(np.where(has, share * d, 0.0))
        value = np.divide(num, den, out=np.full(n_units, np.nan), where=(n_with > 0) & (den > 0))
    code_keys, code_of = np.unique(codes, return_inverse=True)
    pairs = np.unique(unit_of * len(code_keys) + code_of)
    n_kommuner = np.bincount(pairs // len(code_keys), minlength=n_units)
    missing = [""] * n_units
    if not has.all():
        lacking: dict[int, set[str]] = {}
        for unit, kode in zip(unit_of[~has], codes[~has], strict=True):
            lacking.setdefault(int(unit), set()).add(kode)
        for unit, kodes in lacking.items():
            missing[unit] = ";".join(sorted(kodes))
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = covered / population
    return pd.DataFrame({
        "unit_id": unit_ids,
        "value": value,
        "n_kommuner": n_kommuner,
        "n_with_data": n_with,
        "population": population,
        "population_covered": covered,
        "coverage": coverage,
        "missing_kommuner": missing,
    })


def national_value(values: pd.Series, weights: pd.Series, kind: str,
                   denominator: pd.Series | None = None) -> tuple[float, float]:
    """Denmark's value by the same rule as `aggregate_to_units` (the sum of counts, Σ numerator /
    Σ denominator, or the population-weighted mean of rates) and the share of the population it
    covers."""
    _check_kind(kind)
    if denominator is not None and kind != "rate":
        raise ValueError("a denominator applies to a rate, not to a count")
    data = values.dropna()
    if denominator is not None:
        den = denominator.reindex(data.index)
        data, den = data[den.notna()], den[den.notna()]
    w = weights.reindex(data.index)
    covered = float(w.sum() / weights.sum())
    if kind == "count":
        return float(data.sum()), covered
    if denominator is not None:
        total = float(den.sum())
        return (float(data.sum()) / total if total > 0 else float("nan")), covered
    return float((data * w).sum() / w.sum()), covered
