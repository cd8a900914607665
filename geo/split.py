"""Shares of split kommuner from their sub-areas' population: one rule for every population year.

A kommune split between units by sub-areas (København by bydele) lists on each of its rows the
sub-areas that unit covers (``sub_areas``, e.g. ``1;2;3;6;7;8``). Where the sub-areas' population is
known (`geo.sources.load_sub_area_population`), a row's share is the population of its sub-areas
over the population of all the kommune's sub-areas, in the *split year*: the population year asked
for if the sub-area figures have it, else the nearest earlier year in them, else (the year precedes
them) their earliest year. Residents placed in no sub-area are only in the kommune's total: shares
are computed over the residents placed in one, they sum to 1, and the kommune's population
(shares × its total) stays exact.

Shares are rounded to `SHARE_DECIMALS` decimals by largest remainder, so they still sum to 1 and are
written as the encoded table wrote them (``0.545;0.455``). The rule is keyed by ``kommune_kode`` and
``sub_area_id``: a second kommune with sub-area figures is split the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from geo.i18n import t

SHARE_DECIMALS = 3
BASIS = "bydele (befolkning {year})"


def _subs(text: object) -> list[str]:
    return [s.strip() for s in str(text or "").split(";") if s.strip()]


def split_year(years: Iterable[int], year: int) -> int:
    """The split year for population year ``year``: ``year`` itself if in ``years``, else the
    nearest earlier one, else (``year`` precedes them all) the earliest.

    Raises
    ------
    ValueError
        If ``years`` is empty.
    """
    available = sorted({int(y) for y in years})
    if not available:
        raise ValueError("no sub-area population years to split by")
    earlier = [y for y in available if y <= int(year)]
    return earlier[-1] if earlier else available[0]


def split_years(sub_area_population: pd.DataFrame | None, year: int) -> dict[str, int]:
    """Per kommune with sub-area population figures, the split year for ``year`` (`split_year`)."""
    if sub_area_population is None or sub_area_population.empty:
        return {}
    return {str(kode): split_year(group["year"], year)
            for kode, group in sub_area_population.groupby("kommune_kode", sort=True)}


def rounded_shares(populations: list[float]) -> list[float]:
    """Population parts as shares summing to 1, rounded to `SHARE_DECIMALS` decimals by largest remainder.

    Where rounding would make a part with residents 0, the unrounded shares are returned instead; a
    part without residents gets 0. ValueError if there are no residents at all.
    """
    total = math.fsum(populations)
    if total <= 0:
        raise ValueError("the sub-areas have no residents to split by")
    raw = [p / total for p in populations]
    scale = 10**SHARE_DECIMALS
    units = [math.floor(r * scale) for r in raw]
    left = scale - sum(units)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] * scale - units[i], raw[i]), reverse=True)
    for i in order[:left]:
        units[i] += 1
    shares = [u / scale for u in units]
    if any(s == 0 and p > 0 for s, p in zip(shares, populations, strict=True)):
        return raw
    return shares


def split_shares(assignments: pd.DataFrame, sub_area_population: pd.DataFrame | None,
                 year: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """A copy of ``assignments`` with the shares of split kommuner computed for population year ``year``.

    Every (layer, kommune) whose rows all list ``sub_areas`` of a kommune with sub-area figures,
    together naming each of its sub-areas once, gets share = population of the row's sub-areas /
    population of all its sub-areas in the split year, and ``basis`` = ``bydele (befolkning Y)``
    with the split year Y. Other rows (whole kommuner, scenario splits without sub-areas, a kommune
    whose rows do not cover all its sub-areas) are returned as they are.

    Parameters
    ----------
    assignments : DataFrame
        Assignment rows (``kommune_kode``, ``unit_id``, ``share``, ``sub_areas``, ``basis``; with
        ``layer`` when several layers are in it).
    sub_area_population : DataFrame or None
        ``kommune_kode``, ``sub_area_id``, ``year``, ``population`` (`geo.sources.load_sub_area_population`).
    year : int
        The population year shown.

    Returns
    -------
    (DataFrame, dict)
        The assignments and, per kommune with sub-area figures, the split year used.
    """
    years = split_years(sub_area_population, year)
    out = assignments.copy()
    if not years or out.empty or "sub_areas" not in out.columns:
        return out, years
    kodes = out["kommune_kode"].astype(str).tolist()
    listed = [_subs(x) for x in out["sub_areas"].tolist()]
    layers = out["layer"].tolist() if "layer" in out.columns else [""] * len(out)
    groups: dict[tuple[str, str], list[int]] = {}
    for pos, (layer, kode) in enumerate(zip(layers, kodes, strict=True)):
        if kode in years:
            groups.setdefault((layer, kode), []).append(pos)
    groups = {key: rows for key, rows in groups.items() if any(listed[p] for p in rows)}
    if not groups:
        return out, years
    figures = sub_area_population[sub_area_population["kommune_kode"].isin({k for _, k in groups})]
    people: dict[str, dict[str, float]] = {}
    for kode, used in years.items():
        rows = figures[(figures["kommune_kode"] == kode) & (figures["year"] == used)]
        people[kode] = dict(zip(rows["sub_area_id"].astype(str), rows["population"].astype(float), strict=True))
    shares = out["share"].astype(float).to_numpy().copy()
    basis = out["basis"].tolist() if "basis" in out.columns else [""] * len(out)
    for (_, kode), positions in groups.items():
        rows = [listed[p] for p in positions]
        named = [s for row in rows for s in row]
        if not all(rows) or len(named) != len(set(named)) or set(named) != set(people[kode]):
            continue  # not a complete split by sub-areas: the shares stay as written
        parts = rounded_shares([math.fsum(people[kode][s] for s in row) for row in rows])
        for p, share in zip(positions, parts, strict=True):
            shares[p] = share
            basis[p] = BASIS.format(year=years[kode])
    out["share"] = shares
    out["basis"] = basis
    return out, years


def incomplete_splits(assignments: pd.DataFrame, sub_area_population: pd.DataFrame | None,
                      table: str = "assignments.csv") -> list[str]:
    """Problems where a kommune with sub-area figures is split by sub-areas but its shares could not
    follow them: some of its rows list no sub-areas, or together they leave out or repeat one.

    ``assignments`` has the ``_line`` column of `geo.tables.read_csv_table`.
    """
    years = split_years(sub_area_population, 0)
    problems: list[str] = []
    if not years:
        return problems
    ids = sub_area_population.groupby("kommune_kode")["sub_area_id"].apply(lambda s: set(s.astype(str))).to_dict()
    rows = assignments[assignments["kommune_kode"].isin(list(years))]
    for (layer, kode), group in rows.groupby(["layer", "kommune_kode"], sort=True):
        listed = [_subs(x) for x in group["sub_areas"]]
        if not any(listed):
            continue  # a whole kommune, or a split without sub-areas: shares as written
        named = [s for row in listed for s in row]
        lines = ", ".join(str(x) for x in group["_line"])
        every = ", ".join(sorted(ids[kode], key=int))
        if not all(listed):
            problems.append(f"{table} lines {lines}: kommune {kode} in layer {layer} lists sub-areas on some rows "
                            "but not on all; its shares are computed from the sub-areas' population, so every "
                            f"row must list its sub-areas ({every} between them)")
        elif set(named) != ids[kode] or len(named) != len(set(named)):
            left_out = ", ".join(sorted(ids[kode] - set(named), key=int)) or "none"
            problems.append(f"{table} lines {lines}: kommune {kode} in layer {layer} lists the sub-areas "
                            f"{';'.join(named)} (left out: {left_out}); its shares are computed from the "
                            f"sub-areas' population, so its rows must name each of {every} exactly once")
    return problems


def split_note(asked: int, used: int, lang: str = "da") -> str:
    """One sentence saying which population year a split by bydele uses for year ``asked``."""
    if used == asked:
        return t("split_note_same", lang, used=str(used))
    key = "split_note_earlier" if used < asked else "split_note_before"
    return t(key, lang, used=str(used), asked=str(asked))
