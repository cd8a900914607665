"""Counts of people as whole numbers: where a share makes them fractional, the largest remainder
method rounds them so that their total is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd


def whole_counts(values, total: int | None = None) -> np.ndarray:
    """Whole numbers close to ``values`` (non-negative) that sum to ``total`` (default: the rounded sum).

    Largest remainder (Hamilton) method: every value is rounded down, and the units still missing
    from ``total`` go to the values with the largest fractional parts (ties to the earlier value).
    Each result differs from its value by less than 1.

    Raises
    ------
    ValueError
        If a value is negative or not finite, or ``total`` cannot be reached that way.
    """
    data = np.asarray(values, dtype=float).reshape(-1)
    if not np.isfinite(data).all() or (data < 0).any():
        raise ValueError("counts must be finite and non-negative")
    target = int(round(float(data.sum()))) if total is None else int(total)
    floors = np.floor(data)
    missing = target - int(floors.sum())
    if not 0 <= missing <= len(data):
        raise ValueError(f"{target} cannot be reached by rounding {len(data)} counts summing to {data.sum():g}")
    order = np.argsort(-(data - floors), kind="stable")
    out = floors.astype(np.int64)
    out[order[:missing]] += 1
    return out.reshape(np.shape(values))


def membership_counts(rows: pd.DataFrame, population: pd.Series) -> pd.Series:
    """People per assignment row, whole: each kommune's population split by its rows' shares with
    `whole_counts`, so a kommune's parts sum to its population (index of ``rows``).

    ``rows`` needs ``kommune_kode`` and ``share``; ``population`` is indexed by kommune code.
    """
    out = pd.Series(0, index=rows.index, dtype="int64")
    for kode, group in rows.groupby("kommune_kode", sort=False):
        people = float(population[kode])
        share = group["share"].astype(float).to_numpy()
        out.loc[group.index] = whole_counts(share * people, round(people * min(1.0, float(share.sum()))))
    return out


def unit_counts(rows: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Whole people per unit (index ``unit_id``): the sum of `membership_counts` of the rows
    (``kommune_kode, unit_id, share``) of kommuner that have a value; the units sum to the whole
    of the kommuner's values."""
    known = values.dropna()
    rows = rows[rows["kommune_kode"].isin(known.index)]
    return membership_counts(rows, known).groupby(rows["unit_id"]).sum()
