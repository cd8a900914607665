"""What the Scenarier and Sammenlign pages draw and say: a plan's map, the mismatch map, sentences."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import classify, fmt, model, plans
from geo.bundle import Bundle
from geo.classify import LegendRow
from geo.i18n import t
from geo.mapbuild import tooltip_html

MOVED_COLOUR = "#000000"
OTHER_COLOUR = "#e5e5e5"
MISMATCH_COLOUR = "#d55e00"


def plan_areas(bundle: Bundle, kommuner: gpd.GeoDataFrame, sub_areas: gpd.GeoDataFrame, plan: plans.Plan,
               moved: list[str], lang: str = "da") -> tuple[gpd.GeoDataFrame, list[LegendRow]]:
    """One area per (kommune, unit) of a plan coloured by unit, with tooltips; moved kommuner say so.

    ``kommuner``/``sub_areas`` are the geometry to draw (the display's simplified copies).
    Returns the areas (``kommune_kode, kommune_navn, unit_id, colour, tip, shared, moved``) and the legend.
    """
    units = bundle.units[bundle.units["layer"] == plan.layer]
    parts = model.layer_parts(kommuner, sub_areas, plan.rows, units, plan.layer)
    # The main map's colours: those of the base layer as it is, so a unit keeps its colour when kommuner move.
    base = model.layer_parts(kommuner, sub_areas, bundle.assignments, units, plan.layer)
    colours = classify.membership_colours(model.unit_geometries(base))
    missing = sorted(set(parts["unit_id"]) - set(colours))
    if missing:  # a unit the base layer does not use: colour the scenario as it is
        colours = classify.membership_colours(model.unit_geometries(parts))
    parts["colour"] = parts["unit_id"].map(colours)
    parts["moved"] = parts["kommune_kode"].isin(moved)
    tips = []
    for r in parts.itertuples():
        lines = [f"{r.unit_navn}: {fmt.percent(r.share, lang)}"]
        if r.moved:
            lines.append(t("sc_moved_tip", lang))
        tips.append(tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})", lines))
    parts["tip"] = tips
    parts["shared"] = parts["shared"].astype(str)
    counts = parts.groupby("unit_id")["kommune_kode"].nunique()
    names = dict(zip(units["unit_id"], units["unit_navn"], strict=True))
    legend = [LegendRow(names[u], colours[u], int(counts[u])) for u in sorted(counts.index, key=names.get)]
    cols = ["kommune_kode", "kommune_navn", "unit_id", "unit_navn", "share", "colour", "tip", "shared", "moved"]
    return gpd.GeoDataFrame(parts[[*cols, "geometry"]], geometry="geometry", crs=kommuner.crs), legend


def mismatch_areas(kommuner: gpd.GeoDataFrame, comparison: plans.Comparison, lang: str = "da") -> gpd.GeoDataFrame:
    """Every kommune: orange where (part of) it goes to another B unit than most of its A unit."""
    mis = comparison.mismatches
    out = kommuner[["kommune_kode", "kommune_navn", "geometry"]].copy()
    bad = set(mis["kommune_kode"])
    out["colour"] = [MISMATCH_COLOUR if k in bad else OTHER_COLOUR for k in out["kommune_kode"]]
    by_kode = {k: g for k, g in mis.groupby("kommune_kode")}
    tips = []
    for r in out.itertuples():
        if r.kommune_kode in by_kode:
            lines = [t("cmp_mismatch_line", lang, a=m.a_unit_navn, b=m.b_unit_navn, expected=m.expected_b_unit_navn,
                       pct=fmt.percent(m.share, lang)) for m in by_kode[r.kommune_kode].itertuples()]
        else:
            lines = [t("cmp_match_line", lang)]
        tips.append(tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})", lines))
    out["tip"] = tips
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kommuner.crs)


def unit_sentences(comparison: plans.Comparison, lang: str = "da") -> list[str]:
    """One sentence per A unit: '83 % af borgerne i X hører til Y; resten til Z (10 %), W (7 %).'"""
    out = []
    for a_unit, rows in comparison.matrix.groupby("a_unit_navn", sort=True):
        rows = rows.sort_values("population", ascending=False)
        first = rows.iloc[0]
        text = t("cmp_sentence", lang, pct=fmt.percent(first["share_of_a"], lang), a=a_unit, b=first["b_unit_navn"])
        if len(rows) > 1:
            rest = ", ".join(f"{r.b_unit_navn} ({fmt.percent(r.share_of_a, lang)})" for r in rows.iloc[1:].itertuples())
            text += t("cmp_rest", lang, rest=rest)
        out.append(text + ".")
    return out


def metrics_table(change: pd.DataFrame, after: pd.DataFrame, lang: str = "da", before: pd.DataFrame | None = None,
                  indicator: str | None = None, indicator_label: str = "") -> pd.DataFrame:
    """The unit metrics for display: population before/after/change, kommuner, pieces, hospital distance,
    65+ and 80+ (2020), and with ``indicator`` (an ``ind:`` column) its share-weighted value before and after."""
    extra = after.set_index("unit_id")[["pop_65plus_2020", "pop_80plus_2020", "dist_max_km"]]
    rows = change.join(extra, on="unit_id")
    table = pd.DataFrame({
        t("col_unit", lang): rows["unit_navn"],
        t("sc_col_before", lang): [fmt.number(v, 0, lang) for v in rows["population_before"]],
        t("sc_col_after", lang): [fmt.number(v, 0, lang) for v in rows["population_after"]],
        t("sc_col_change", lang): [("+" if v > 0.5 else "") + fmt.number(v, 0, lang) if abs(v) > 0.5 else "–"
                                   for v in rows["population_change"]],
        t("sc_col_kommuner", lang): [int(v) for v in rows["n_kommuner_after"]],
        t("sc_col_pieces", lang): [int(v) for v in rows["pieces_after"]],
        t("sc_col_65", lang): [fmt.number(v, 0, lang) for v in rows["pop_65plus_2020"]],
        t("sc_col_dist", lang): [fmt.number(v, 1, lang) for v in rows["dist_mean_km_after"]],
        t("sc_col_dist_max", lang): [fmt.number(v, 1, lang) for v in rows["dist_max_km"]],
        t("sc_col_80", lang): [fmt.number(v, 0, lang) for v in rows["pop_80plus_2020"]],
    })
    if indicator and before is not None:
        for frame, key in ((before, "sc_col_ind_before"), (after, "sc_col_ind_after")):
            values = rows["unit_id"].map(frame.set_index("unit_id")[indicator])
            table[t(key, lang, what=indicator_label)] = [fmt.number(v, 1, lang) for v in values]
    return table
