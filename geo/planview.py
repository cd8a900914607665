"""What the Scenarier and Sammenlign pages draw and say: a plan's map, the mismatch map, sentences."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from geo import classify, counts, export, fmt, messages, model, plans, safe
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


def _whole(values: pd.Series) -> pd.Series:
    """People as whole numbers that keep their total (largest remainder, `geo.counts`); NaN stays NaN."""
    values = pd.to_numeric(values, errors="coerce").astype(float)
    known = values.dropna()
    out = pd.Series(float("nan"), index=values.index)
    if len(known):
        out.loc[known.index] = counts.whole_counts(known.clip(lower=0).to_numpy(float)).astype(float)
    return out


def metrics_frame(change: pd.DataFrame, after: pd.DataFrame, before: pd.DataFrame | None = None,
                  indicator: str | None = None) -> pd.DataFrame:
    """The unit metrics of a scenario as data (what the Scenarier table shows and its CSV/Excel
    downloads hold, row for row): ``unit_id, unit_navn, population_year, population_before,
    population_after, population_change`` (whole people, totals kept), ``n_kommuner_before/after``,
    ``pieces_before/after``, ``dist_mean_km_before/after``, ``dist_max_km``, ``pop_65plus_2020``,
    ``pop_80plus_2020`` and, with ``indicator`` (an ``ind:`` column), ``indicator``,
    ``indicator_before`` and ``indicator_after``."""
    extra = after.set_index("unit_id")[["pop_65plus_2020", "pop_80plus_2020", "dist_max_km"]]
    rows = change.join(extra, on="unit_id").reset_index(drop=True)
    out = rows[["unit_id", "unit_navn"]].copy()
    out["population_year"] = after.attrs.get("year")
    out["population_before"] = _whole(rows["population_before"])
    out["population_after"] = _whole(rows["population_after"])
    out["population_change"] = out["population_after"] - out["population_before"]
    for col in ("n_kommuner_before", "n_kommuner_after", "pieces_before", "pieces_after"):
        out[col] = rows[col].astype(int)
    for col in ("dist_mean_km_before", "dist_mean_km_after", "dist_max_km"):
        out[col] = rows[col].round(1)
    out["pop_65plus_2020"] = _whole(rows["pop_65plus_2020"])
    out["pop_80plus_2020"] = _whole(rows["pop_80plus_2020"])
    if indicator and before is not None:
        out["indicator"] = indicator
        for frame, col in ((before, "indicator_before"), (after, "indicator_after")):
            out[col] = rows["unit_id"].map(frame.set_index("unit_id")[indicator]).round(1)
    return out


def metrics_table(change: pd.DataFrame, after: pd.DataFrame, lang: str = "da", before: pd.DataFrame | None = None,
                  indicator: str | None = None, indicator_label: str = "") -> pd.DataFrame:
    """The unit metrics for display (`metrics_frame` formatted): population before/after/change,
    kommuner, pieces, hospital distance, 65+ and 80+ (2020), and with ``indicator`` (an ``ind:``
    column) its share-weighted value before and after."""
    rows = metrics_frame(change, after, before, indicator)
    table = pd.DataFrame({
        t("col_unit", lang): rows["unit_navn"],
        t("sc_col_before", lang): [fmt.number(v, 0, lang) for v in rows["population_before"]],
        t("sc_col_after", lang): [fmt.number(v, 0, lang) for v in rows["population_after"]],
        t("sc_col_change", lang): [("+" if v > 0 else "") + fmt.number(v, 0, lang) if v else "–"
                                   for v in rows["population_change"]],
        t("sc_col_kommuner", lang): [int(v) for v in rows["n_kommuner_after"]],
        t("sc_col_pieces", lang): [int(v) for v in rows["pieces_after"]],
        t("sc_col_65", lang): [fmt.number(v, 0, lang) for v in rows["pop_65plus_2020"]],
        t("sc_col_dist", lang): [fmt.number(v, 1, lang) for v in rows["dist_mean_km_after"]],
        t("sc_col_dist_max", lang): [fmt.number(v, 1, lang) for v in rows["dist_max_km"]],
        t("sc_col_80", lang): [fmt.number(v, 0, lang) for v in rows["pop_80plus_2020"]],
    })
    if indicator and before is not None:
        for col, key in (("indicator_before", "sc_col_ind_before"), ("indicator_after", "sc_col_ind_after")):
            table[t(key, lang, what=indicator_label)] = [fmt.number(v, 1, lang) for v in rows[col]]
    return table


def metrics_sources(bundle: Bundle, base: str, changes: list[str], year: int, created) -> pd.DataFrame:
    """The ``sources`` sheet of the scenario metrics workbook: the base layer and its source as
    citations, the scenario's changes (the change syntax), the population year and the date made."""
    row = bundle.layer(base)
    items = [
        ("export", "scenario metrics"),
        ("base layer", f"{base} ({row.get('name_da', '')})"),
        ("base layer source", export._cited(bundle, str(row.get("source", "")))),
        ("changes", "; ".join(changes) if changes else "none (the base layer)"),
        ("population year", str(year)),
        ("65+ and 80+", "population 2020 (the age groups exist for 2020 only)"),
        ("created", created.isoformat()),
        ("made by", "Klyngekort (Scenarier)"),
    ]
    return pd.DataFrame(items, columns=["item", "value"])


# The overlap heatmap as an HTML table (issue 15): every unit's full name as a row or column header, in
# a box that scrolls (the row names stay in view) instead of a chart wider than its column.
_BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def _luminance(colour: str) -> float:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def heat_colours(share: float) -> tuple[str, str]:
    """Background (Blues, by the share of the A unit: 0 → white, 1 → dark blue) and the text colour
    (black or white, whichever contrasts more: at least 4.5:1 on every background)."""
    x = min(max(float(share), 0.0), 1.0) * (len(_BLUES) - 1)
    i = min(int(x), len(_BLUES) - 2)
    lo, hi = _BLUES[i], _BLUES[i + 1]
    f = x - i
    mixed = "#" + "".join(f"{round(int(lo[j:j + 2], 16) * (1 - f) + int(hi[j:j + 2], 16) * f):02x}" for j in (1, 3, 5))
    lum = _luminance(mixed)
    text = "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"
    return mixed, text


def heat_labels(names) -> list[str]:
    """The heatmap's header for each unit name: its short name (`geo.views.short_name`, the map's label:
    "Sundhedsråd Fyn" → "Fyn"), or the full names where two short names would read the same."""
    from geo.views import short_name  # views imports the map code; only this needs it

    names = [str(n) for n in names]
    short = [short_name(n) for n in names]
    return short if len(set(short)) == len(short) else names


def heatmap_html(matrix: pd.DataFrame, lang: str, a_title: str, b_title: str) -> str:
    """The overlap matrix (``a_unit_id, a_unit_navn, b_unit_id, b_unit_navn, population, share_of_a``) as
    an accessible HTML table: one row per A unit and one column per B unit, each headed by its full
    name (data, escaped), cells coloured by the share of the A unit with the residents as text; the
    table scrolls in its own box (keyboard-focusable) and the row names stay in view. Headers are the
    units' short names (`heat_labels`; the full name is the header's tooltip and in each cell's)."""
    rows = matrix.drop_duplicates("a_unit_id").sort_values("a_unit_navn")[["a_unit_id", "a_unit_navn"]]
    cols = matrix.drop_duplicates("b_unit_id").sort_values("b_unit_navn")[["b_unit_id", "b_unit_navn"]]
    rows = rows.assign(label=heat_labels(rows["a_unit_navn"])).sort_values("label", key=lambda c: c.str.casefold())
    cols = cols.assign(label=heat_labels(cols["b_unit_navn"])).sort_values("label", key=lambda c: c.str.casefold())
    short_a, short_b = list(rows["label"]), list(cols["label"])
    cells = {(r.a_unit_id, r.b_unit_id): r for r in matrix.itertuples()}
    head_style = ("position:sticky;top:0;background:#fff;z-index:1;font-weight:600;text-align:left;"
                  "vertical-align:bottom;min-width:4.6em;max-width:7em;padding:2px 3px;border-bottom:1px solid #555;"
                  "overflow-wrap:break-word;hyphens:auto")
    corner = f'<th scope="col" style="{head_style};left:0;z-index:2">A ↓ · B →</th>'
    out = ['<div class="kk-heatmap" role="region" tabindex="0" '
           f'aria-label="{safe.html(a_title)} × {safe.html(b_title)}" '
           'style="overflow:auto;max-width:100%;max-height:75vh;border:1px solid #ccc">',
           '<table style="border-collapse:collapse;font-size:0.75rem;line-height:1.2;margin:0">',
           "<thead><tr>", corner]
    out += [f'<th scope="col" class="kk-heat-col" title="{safe.html(c.b_unit_navn)}" style="{head_style}">'
            f"{safe.html(short_b[i])}</th>" for i, c in enumerate(cols.itertuples())]
    out.append("</tr></thead><tbody>")
    row_style = ("position:sticky;left:0;background:#fff;text-align:left;font-weight:600;padding:2px 6px;"
                 "white-space:nowrap;border-right:1px solid #555")
    for i, r in enumerate(rows.itertuples()):
        out.append(f'<tr><th scope="row" class="kk-heat-row" title="{safe.html(r.a_unit_navn)}" '
                   f'style="{row_style}">{safe.html(short_a[i])}</th>')
        for c in cols.itertuples():
            cell = cells.get((r.a_unit_id, c.b_unit_id))
            if cell is None or not cell.population:
                out.append('<td style="border:1px solid #eee"></td>')
                continue
            back, fore = heat_colours(cell.share_of_a)
            people = fmt.number(cell.population, 0, lang)
            tip = f"{r.a_unit_navn} → {c.b_unit_navn}: {people} ({fmt.percent(cell.share_of_a, lang)})"
            out.append(f'<td title="{safe.html(tip)}" style="background:{back};color:{fore};text-align:right;'
                       f'padding:2px 4px;border:1px solid #eee;white-space:nowrap">'
                       f"{people}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# Why a scenario (from a link, a click or a stored change) could not be used, in the page's language:
# `geo.plans` raises English messages (the CLI's); the pages say the known ones with `why`. Each
# problem of a "; "-joined list is said on its own; one not known here is shown as it is.
_WHY: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^the scenario version '(?P<version>.*)' is not supported"), "why_version"),
    (re.compile(r"^the scenario is not valid base64url$"), "why_base64"),
    (re.compile(r"^'(?P<change>.*)': expected KODE=UNIT"), "why_syntax"),
    (re.compile(r"^'(?P<change>.*)': shares sum to (?P<total>\S+), expected 1$"), "why_sum"),
    (re.compile(r"^'(?P<change>.*)': '(?P<unit>.*)' is not a unit id$"), "why_unit_id"),
    (re.compile(r"^'(?P<change>.*)': a unit appears twice$"), "why_twice"),
    (re.compile(r"^(?P<change>.*): '(?P<kode>.*)' is not a kommune code$"), "why_kommune"),
    (re.compile(r"^(?P<change>.*): '(?P<unit>.*)' is not a unit of layer '(?P<layer>.*)'$"), "why_unit"),
    (re.compile(r"^(?P<change>.*): sub-area '(?P<sub>.*)' does not exist in kommune (?P<kode>\d+) "
                r"\(known: (?P<known>.*)\)$"), "why_sub"),
]
_WHY_SHOWN = 200  # characters of a value from a link that a message repeats


def _short(text: str) -> str:
    return text if len(text) <= _WHY_SHOWN else text[:_WHY_SHOWN] + "…"


def why(exc: Exception, lang: str = "da") -> str:
    """What is wrong with a scenario, in ``lang``: a too-long scenario (`geo.plans.ScenarioTooLong`)
    and the known problems of `geo.plans` in words of the page; values shortened to 200 characters."""
    if isinstance(exc, plans.ScenarioTooLong):
        return t("why_too_long", lang, length=fmt.number(exc.length, 0, lang), limit=fmt.number(exc.limit, 0, lang))
    said = []
    for part in str(exc).split("; "):
        for pattern, key in _WHY:
            match = pattern.match(part)
            if match:
                said.append(t(key, lang, **{k: _short(v) for k, v in match.groupdict().items()}))
                break
        else:
            said.append(_short(messages.say(part, lang)))
    return "; ".join(said)
