"""Units compared: rankings, the spread between highest and lowest, profiles and cross-layer overlap."""

from __future__ import annotations

import pandas as pd

from geo import aggregate, catalog, counts, model
from geo import overlap as geo_overlap
from geo.bundle import Bundle


def _fill(bundle: Bundle, fill_key: str) -> catalog.Fill:
    fills = catalog.fill_catalog(bundle.population, bundle.indicators)
    if fill_key not in fills or fills[fill_key].kind == "category":
        numeric = sorted(k for k, f in fills.items() if f.kind != "category")
        raise ValueError(f"fill {fill_key!r} is not a numeric fill; expected one of {numeric}")
    return fills[fill_key]


def unit_values(bundle: Bundle, layer: str, fill_key: str) -> pd.DataFrame:
    """Every unit of a layer with its share-weighted value, ranked (1 = highest value).

    Returns
    -------
    DataFrame
        ``unit_id``, ``unit_navn``, ``value``, ``rank``, ``coverage``, ``population``,
        ``n_kommuner``, sorted by value (highest first, units without data last).
    """
    bundle.layer(layer)
    fill = _fill(bundle, fill_key)
    values = catalog.kommune_values(fill_key, bundle.population, bundle.indicators)
    weights = catalog.weights_for(fill, bundle.population)
    members = model.layer_assignments(bundle.assignments, layer)
    agg = aggregate.aggregate_to_units(values, members, weights, fill.kind)
    names = bundle.units.loc[bundle.units["layer"] == layer, ["unit_id", "unit_navn"]]
    out = agg.merge(names, on="unit_id", validate="one_to_one")
    out["rank"] = out["value"].rank(ascending=False, method="min").astype("Int64")
    cols = ["unit_id", "unit_navn", "value", "rank", "coverage", "population", "n_kommuner"]
    return out.sort_values("value", ascending=False, na_position="last")[cols].reset_index(drop=True)


def spread(values: pd.DataFrame, label: str = "unit_navn") -> dict:
    """Highest and lowest value, their difference and ratio (``ratio`` is None if lowest ≤ 0)."""
    data = values.dropna(subset=["value"])
    if data.empty:
        raise ValueError("no values to compare")
    hi, lo = data.loc[data["value"].idxmax()], data.loc[data["value"].idxmin()]
    ratio = float(hi["value"] / lo["value"]) if lo["value"] > 0 else None
    return {"max": float(hi["value"]), "max_name": hi[label], "min": float(lo["value"]),
            "min_name": lo[label], "difference": float(hi["value"] - lo["value"]), "ratio": ratio}


def kommuner_in_unit(bundle: Bundle, layer: str, unit_id: str, fill_key: str | None = None,
                     year: int | None = None) -> pd.DataFrame:
    """The member kommuner of a unit with share and population of ``year`` (default: the latest; a
    kommune split by bydele has that year's split; whole residents, a split kommune's parts keeping
    its population, `geo.counts`); with ``fill_key``, their value and national rank
    (1 = highest), sorted by value."""
    pop, year = catalog.population_total(bundle.population, year)
    members = model.layer_assignments(bundle.assignments_for(year), layer)
    rows = members[members["unit_id"] == unit_id]
    if rows.empty:
        raise ValueError(f"unit {unit_id!r} has no kommuner in layer {layer!r}")
    whole = counts.membership_counts(members[members["kommune_kode"].isin(rows["kommune_kode"])], pop)
    out = rows[["kommune_kode", "share", "basis", "sub_areas", "confidence"]].assign(
        population=whole[rows.index]).merge(
        bundle.kommuner[["kommune_kode", "kommune_navn"]], on="kommune_kode", validate="one_to_one")
    if fill_key:
        _fill(bundle, fill_key)
        values = catalog.kommune_values(fill_key, bundle.population, bundle.indicators)
        ranks = values.rank(ascending=False, method="min")
        out["value"] = out["kommune_kode"].map(values)
        out["rank_national"] = out["kommune_kode"].map(ranks).astype("Int64")
        out = out.sort_values("value", ascending=False, na_position="last")
    return out.reset_index(drop=True)


def compare_units(bundle: Bundle, layer: str, unit_a: str, unit_b: str, lang: str = "da") -> pd.DataFrame:
    """Two units side by side on every numeric fill, with Denmark and the difference (a − b)."""
    fills = catalog.fill_catalog(bundle.population, bundle.indicators)
    records = []
    for key, fill in fills.items():
        if fill.kind == "category":
            continue
        table = unit_values(bundle, layer, key).set_index("unit_id")
        values = catalog.kommune_values(key, bundle.population, bundle.indicators)
        national, _ = aggregate.national_value(values, catalog.weights_for(fill, bundle.population), fill.kind)
        a, b = table.loc[unit_a, "value"], table.loc[unit_b, "value"]
        records.append({"key": key, "label": fill.label(lang), "unit": fill.unit_in(lang),
                        "year": fill.year, "a": a, "b": b, "difference": a - b, "danmark": national,
                        "kind": fill.kind, "better": fill.better})
    return pd.DataFrame.from_records(records)


def overlap(bundle: Bundle, layer_a: str, unit_a: str, layer_b: str, year: int | None = None) -> pd.DataFrame:
    """Which units of ``layer_b`` serve the citizens of ``unit_a`` (of ``layer_a``), and how many, in
    population year ``year`` (default: the latest; a kommune split by bydele has that year's split).

    Each member kommune's residents are divided by the one overlap rule (`geo.overlap`, the rule
    of `geo.plans.compare`: bydele where both layers list them, fitted to both layers' shares) and
    counted as whole residents in the same way, so these are the numbers of ``compare``'s row.

    Returns
    -------
    DataFrame
        ``unit_id``, ``unit_navn``, ``population`` (whole residents), ``share`` (of the unit's
        residents), sorted by population.
    """
    pop, year = catalog.population_total(bundle.population, year)
    assignments = bundle.assignments_for(year)
    rows_a = model.layer_assignments(assignments, layer_a)
    members = rows_a.loc[rows_a["unit_id"] == unit_a, "kommune_kode"]
    if members.empty:
        raise ValueError(f"unit {unit_a!r} has no kommuner in layer {layer_a!r}")
    rows_b = model.layer_assignments(assignments, layer_b)
    totals: dict[str, list] = {}  # unit -> [whole residents, exact residents]
    for kode in members:
        a = rows_a[rows_a["kommune_kode"] == kode]
        b = rows_b[rows_b["kommune_kode"] == kode]
        if b.empty:
            continue
        grid = geo_overlap.kommune_overlap(a["share"].tolist(), [geo_overlap.sub_area_set(x) for x in a["sub_areas"]],
                                           b["share"].tolist(), [geo_overlap.sub_area_set(x) for x in b["sub_areas"]])
        whole = geo_overlap.kommune_people(grid, pop[kode])
        i = a["unit_id"].tolist().index(unit_a)
        for j, unit in enumerate(b["unit_id"]):
            if grid[i, j] > 0:
                cell = totals.setdefault(unit, [0, 0.0])
                cell[0] += int(whole[i, j])
                cell[1] += grid[i, j] * pop[kode]
    names = bundle.units[bundle.units["layer"] == layer_b].set_index("unit_id")["unit_navn"]
    out = pd.DataFrame({"unit_id": list(totals), "population": [v[0] for v in totals.values()],
                        "exact": [v[1] for v in totals.values()]})
    out["population"] = out["population"].astype("int64")
    out["unit_navn"] = out["unit_id"].map(names)
    out["share"] = out["exact"] / out["exact"].sum()
    return out.sort_values("exact", ascending=False)[["unit_id", "unit_navn", "population", "share"]].reset_index(
        drop=True)


def chart_kind(values: pd.Series, kind: str) -> str:
    """How to chart units' values honestly: ``'bar'`` (bars from zero) or ``'dot'`` (a dot plot).

    Bars encode a value by their length, so they must start at zero; they are used for counts and
    wherever zero is near (the values are not all positive, or the spread is at least half the
    smallest value). Where zero is far away and the differences matter (life expectancy 79–83 years),
    a dot plot whose axis starts near the values shows them without pretending to be lengths.
    """
    data = pd.to_numeric(values, errors="coerce").dropna()
    if kind == "count" or data.empty or data.min() <= 0:
        return "bar"
    return "dot" if data.max() - data.min() < 0.5 * data.min() else "bar"

