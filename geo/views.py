"""What a map shows: areas with colours and tooltips, the legend and the table beside it."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo import aggregate, catalog, classify, counts, fmt, model
from geo.bundle import Bundle
from geo.classify import OUTSIDE_COLOUR, UNASSIGNED_COLOUR, LegendRow
from geo.i18n import TEXT, t
from geo.mapbuild import label_points, tooltip_html
from geo.readable import confidence_word
from geo.viewstate import MapState

LEVELS = {"kommuner": ("Kommuner", "Municipalities"), "units": ("Enheder i laget", "Units of the layer")}
DISPLAY_TOLERANCE = 400.0  # metres; national display geometry (source scale is 1:500,000)
CODE_IN_TEXT = re.compile(r"\((\d{4})\)")
# Short names for map labels, applied in order: notes in brackets or after ';' go, then the word
# every unit of a layer shares ("Sundhedsklynge", "Sundhedsråd", …) is dropped or abbreviated.
SHORT_NAME_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*\(.*?\)"), ""),
    (re.compile(r"\s*;.*$"), ""),
    (re.compile(r"^Sundhedsklyngen "), ""),
    (re.compile(r"^Sundhedsklynge (?!(?:Nord|Midt|Syd|Vest|Byen)\b)"), ""),  # Klynge Nord etc. exist too
    (re.compile(r"^Sundhedsråd "), ""),
    (re.compile(r"^Psykiatrisk Center "), "PC "),
    (re.compile(r"^Psykiatrisk Afdeling "), "Psyk. "),
    (re.compile(r"^Regionspsykiatrien "), "Psyk. "),
    (re.compile(r"^Psykiatrien Region Nordjylland – Almenpsykiatrisk Afdeling,? "), "Psyk. Nordjylland "),
    (re.compile(r"^Psykiatrien \w+, (\w+).*$"), r"Psyk. \1"),
    (re.compile(r"^Psykiatrien (\w+) – .*$"), r"Psyk. \1"),
    (re.compile(r"^Aarhus Universitetshospital, Psykiatrien.*$"), "Psyk. Aarhus"),
    (re.compile(r"^Børne- og Ungdomspsykiatri.*?Region (Hovedstaden|Sjælland|Syddanmark|Nordjylland).*$"), r"BUP \1"),
    (re.compile(r"^Børne- og Ungdomspsykiatri.*Aarhus.*$"), "BUP Aarhus"),
    (re.compile(r"^Region "), ""),
    (re.compile(r"\s+"), " "),
]


@dataclass(frozen=True)
class Display:
    """Simplified geometry for drawing (EPSG:25832)."""

    kommuner: gpd.GeoDataFrame
    sub_areas: gpd.GeoDataFrame


@dataclass
class MapView:
    """Everything one national map shows, computed in one place."""

    areas: gpd.GeoDataFrame
    legend: list[LegendRow]
    table: pd.DataFrame
    fill: catalog.Fill
    outlines: gpd.GeoDataFrame | None = None
    national: tuple[float, float] | None = None
    notes: list[str] = field(default_factory=list)
    labels: gpd.GeoDataFrame | None = None  # unit label points (`unit_labels`), when the view shows them
    sites: pd.DataFrame | None = None  # site markers (`site_points`) of the view's marker groups


def make_display(bundle: Bundle, tolerance: float = DISPLAY_TOLERANCE) -> Display:
    """Display geometry: kommuner simplified as a coverage, sub-areas re-tiled into them."""
    kommuner, subs = model.simplify_for_display(bundle.kommuner, bundle.sub_areas, tolerance)
    return Display(kommuner, subs)


def short_name(name: str) -> str:
    """A unit's name short enough for a map label at the national zoom ('Sundhedsklyngen Holbæk' →
    'Holbæk', 'Gødstrupklyngen (tidl. Vestklyngen)' → 'Gødstrupklyngen'); see `SHORT_NAME_RULES`."""
    text = str(name)
    for pattern, repl in SHORT_NAME_RULES:
        text = pattern.sub(repl, text)
    return text.strip() or str(name)


def unit_labels(bundle: Bundle, display: Display, layer: str) -> gpd.GeoDataFrame:
    """One label point inside each unit of ``layer`` (EPSG:25832): ``unit_id``, ``unit_navn``, ``text``
    (short name), ``area`` and the point (the pole of inaccessibility of the unit's largest part)."""
    parts = model.layer_parts(display.kommuner, display.sub_areas, bundle.assignments, bundle.units, layer)
    points = label_points(model.unit_geometries(parts))
    points["text"] = [short_name(n) for n in points["unit_navn"]]
    return points


def coverage_percent(share: float, lang: str = "da") -> str:
    """A coverage share as a percentage that never rounds up to 100 % while something is missing:
    0.9962 → '99,6 %', 0.99996 → '99,99 %', 1.0 → '100 %'."""
    if share >= 1:
        return fmt.percent(1.0, lang)
    for decimals in (0, 1, 2):
        value = round(share * 100, decimals)
        if value < 100:
            break
    else:
        value = math.floor(share * 10_000) / 100
    text = fmt.number(value, decimals, lang)
    return f"{text} %" if lang == "da" else f"{text}%"


def regions_on(bundle: Bundle, on: dt.date | None) -> pd.Series:
    """Each kommune's region on ``on`` (index ``kommune_kode``): the unit of the region layer in force
    (Region Østdanmark from 2027); without a date, or when no region layer is in force, the five
    regions of 2007 (``bundle.kommuner['region']``)."""
    home = bundle.kommuner.set_index("kommune_kode")["region"]
    layer = bundle.registry.in_force("region", on) if on is not None else None
    if layer is None:
        return home
    rows = model.layer_assignments(bundle.assignments, layer).sort_values("share", ascending=False)
    names = bundle.units[bundle.units["layer"] == layer].set_index("unit_id")["unit_navn"]
    first = rows.drop_duplicates("kommune_kode").set_index("kommune_kode")["unit_id"].map(names)
    return first.reindex(home.index).fillna(home)


def membership_table(bundle: Bundle, layer: str, assignments: pd.DataFrame | None = None,
                     lang: str = "da", on: dt.date | None = None) -> pd.DataFrame:
    """Per kommune of a layer: its units, shares and the confidence of each row.

    Returns
    -------
    DataFrame
        ``kommune_kode``, ``kommune_navn``, ``region``, ``unit_ids``, ``unit_navne``, ``shares``
        (all ``;``-joined, largest share first), ``confidence`` (lowest), ``lines`` (list of
        readable lines, one per membership). Kommuner a 'named' layer does not name have empty
        units and the line "ikke tildelt". ``region`` is the region on ``on`` (`regions_on`).
    """
    rows = model.layer_assignments(bundle.assignments if assignments is None else assignments, layer)
    names = bundle.units.loc[bundle.units["layer"] == layer, ["unit_id", "unit_navn"]]
    rows = rows.merge(names, on="unit_id", how="left", validate="many_to_one")
    rows = rows.sort_values(["kommune_kode", "share"], ascending=[True, False])
    rank = {c: i for i, c in enumerate(("low", "medium", "high"))}
    records = []
    for kode, group in rows.groupby("kommune_kode", sort=True):
        lines = []
        for _, r in group.iterrows():
            part = t("part_bydele", lang, subs=r["sub_areas"]) if r["sub_areas"] else ""
            lines.append(t("membership_line", lang, unit=r["unit_navn"], pct=fmt.percent(r["share"], lang),
                           part=part, conf=confidence_word(r["confidence"], lang)))
            why = r.get("why_da" if lang == "da" else "why_en", "")
            if why:
                lines.append(f"{t('why_low' if r['confidence'] == 'low' else 'why_confidence', lang)}: {why}")
        confs = [c for c in group["confidence"] if c in rank]
        records.append(
            {
                "kommune_kode": kode,
                "unit_ids": ";".join(group["unit_id"]),
                "unit_navne": ";".join(group["unit_navn"]),
                "shares": ";".join(fmt.plain(s) for s in group["share"]),
                "confidence": min(confs, key=rank.get) if confs else "",
                "lines": lines,
            }
        )
    table = pd.DataFrame.from_records(
        records, columns=["kommune_kode", "unit_ids", "unit_navne", "shares", "confidence", "lines"]
    )
    base = bundle.kommuner[["kommune_kode", "kommune_navn"]].copy()
    base["region"] = base["kommune_kode"].map(regions_on(bundle, on))
    out = base.merge(table, on="kommune_kode", how="left", validate="one_to_one")
    missing = out["unit_ids"].isna()
    out.loc[missing, ["unit_ids", "unit_navne", "shares", "confidence"]] = ""
    out["lines"] = [v if isinstance(v, list) else [t("not_in_layer_line", lang)] for v in out["lines"]]
    return out


def _in_extent(bundle: Bundle, layer: str) -> pd.Series:
    """Boolean per kommune (index kommune_kode): inside the layer's display extent."""
    row = bundle.layer(layer)
    kommuner = bundle.kommuner.set_index("kommune_kode")
    if row["extent"] == "named":
        return kommuner["region"] == row["display_region"]
    return pd.Series(True, index=kommuner.index)


def _membership_view(bundle: Bundle, display: Display, layer: str, members: pd.DataFrame,
                     fill: catalog.Fill, lang: str) -> MapView:
    parts = model.layer_parts(display.kommuner, display.sub_areas, bundle.assignments, bundle.units, layer)
    colours = classify.membership_colours(model.unit_geometries(parts))
    lines = members.set_index("kommune_kode")["lines"]
    parts["colour"] = parts["unit_id"].map(colours)
    tips = []
    for r in parts.itertuples():
        own = lines[r.kommune_kode]
        here = [t("this_area", lang, unit=r.unit_navn)] if len(own) > 1 else []
        tips.append(tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})", [*own, *here]))
    parts["tip"] = tips
    parts["shared"] = parts["shared"].astype(str)
    extent = _in_extent(bundle, layer)
    rest = display.kommuner[~display.kommuner["kommune_kode"].isin(parts["kommune_kode"])].copy()
    inside = rest["kommune_kode"].map(extent)
    rest["colour"] = [UNASSIGNED_COLOUR if i else OUTSIDE_COLOUR for i in inside]
    rest["tip"] = [
        tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})",
                     [t("not_assigned_tip", lang) if i else t("outside_layer", lang)])
        for r, i in zip(rest.itertuples(), inside, strict=True)
    ]
    rest["shared"] = "False"
    cols = ["kommune_kode", "kommune_navn", "colour", "tip", "shared", "geometry"]
    areas = pd.concat([parts[[*cols, "unit_id"]], rest[cols]], ignore_index=True)
    counts = members.loc[members["unit_ids"] != ""].assign(u=members["unit_ids"].str.split(";")).explode("u")
    per_unit = counts.groupby("u")["kommune_kode"].nunique()
    unit_names = bundle.units[bundle.units["layer"] == layer].set_index("unit_id")["unit_navn"]
    legend = [LegendRow(unit_names[u], colours[u], int(per_unit.get(u, 0)))
              for u in sorted(colours, key=unit_names.get)]
    n_unassigned = int(inside.sum())
    if n_unassigned:
        legend.append(LegendRow(t("not_assigned", lang), UNASSIGNED_COLOUR, n_unassigned))
    table = members[["kommune_kode", "kommune_navn", "region", "unit_navne", "shares", "confidence"]]
    table = table[table["kommune_kode"].map(extent)]
    return MapView(gpd.GeoDataFrame(areas, geometry="geometry", crs=display.kommuner.crs), legend,
                   table.reset_index(drop=True), fill)


def national_view(bundle: Bundle, display: Display, state: MapState) -> MapView:
    """Compute the national map of one view (`geo.viewstate.MapState`): areas, legend, table, and the
    outlines, unit labels and site markers the state asks for.

    ``state.layer``/``state.overlay`` are keys of layers.csv (the overlay is drawn as unit outlines);
    ``state.fill`` is ``membership`` or a key of `catalog.fill_catalog`; for numeric fills
    ``state.level`` colours kommuner or the layer's units (share-weighted aggregation) with the
    classification ``scheme, k, palette, breaks`` (see `classify.classify`). The region column shows
    the region in force on ``state.on``.
    """
    bundle.layer(state.layer)
    if state.level not in LEVELS:
        raise ValueError(f"level must be in the set: {sorted(LEVELS)}; got {state.level!r}")
    fills = catalog.fill_catalog(bundle.population, bundle.indicators)
    if state.fill not in fills:
        raise ValueError(f"fill {state.fill!r} is unknown; expected one of {sorted(fills)}")
    fill = fills[state.fill]
    members = membership_table(bundle, state.layer, lang=state.lang, on=state.on)
    if fill.kind == "category":
        view = _membership_view(bundle, display, state.layer, members, fill, state.lang)
    else:
        view = _numeric_view(bundle, display, state.layer, members, fill, state.level, state.scheme, state.k,
                             state.palette, list(state.breaks) if state.breaks else None, state.lang)
    if state.overlay:
        bundle.layer(state.overlay)
        over = model.layer_parts(display.kommuner, display.sub_areas, bundle.assignments, bundle.units,
                                 state.overlay)
        view.outlines = model.unit_geometries(over)
    if state.show_labels:
        view.labels = unit_labels(bundle, display, state.layer)
    view.sites = site_points(bundle.sites, list(state.markers), state.lang)
    view.notes = fill.caveats_in(state.lang)
    return view


def _numeric_view(bundle, display, layer, members, fill, level, scheme, k, palette, breaks, lang):
    values = catalog.kommune_values(fill.key, bundle.population, bundle.indicators)
    weights = catalog.weights_for(fill, bundle.population)
    dec = fmt.decimals_for(fill.unit, fill.kind)
    show = lambda x: fmt.number(x, dec, lang)  # noqa: E731
    label = fill.label(lang)
    unit = fill.unit_in(lang)
    missing = t("no_data", lang)
    national = aggregate.national_value(values, weights, fill.kind)
    if level == "kommuner":
        frame = display.kommuner[["kommune_kode", "kommune_navn", "geometry"]].merge(
            members[["kommune_kode", "region", "unit_navne", "confidence", "lines"]],
            on="kommune_kode", validate="one_to_one")
        frame["value"] = frame["kommune_kode"].map(values)
        classes, legend = classify.classify(frame["value"], scheme, k, palette, breaks, show, missing)
        frame["colour"] = classes["colour"]
        frame["tip"] = [
            tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})",
                         [f"{label}: {show(r.value)} {unit}".strip(), *r.lines])
            for r in frame.itertuples()
        ]
        table = frame[["kommune_kode", "kommune_navn", "region", "unit_navne", "value"]]
        return MapView(frame, legend, pd.DataFrame(table), fill, national=national)
    agg = unit_fill_values(bundle, layer, fill)
    parts = model.layer_parts(display.kommuner, display.sub_areas, bundle.assignments, bundle.units, layer)
    geoms = model.unit_geometries(parts).merge(agg, on="unit_id", validate="one_to_one")
    classes, legend = classify.classify(geoms["value"], scheme, k, palette, breaks, show, missing)
    geoms["colour"] = classes["colour"]
    geoms["tip"] = [
        tooltip_html(r.unit_navn, [
            f"{label}: {show(r.value)} {unit}".strip(),
            t("unit_tip_line", lang, n=r.n_kommuner, pct=fmt.percent(r.coverage, lang)),
        ])
        for r in geoms.itertuples()
    ]
    table = geoms[["unit_id", "unit_navn", "value", "n_kommuner", "population", "population_year", "coverage"]]
    return MapView(geoms, legend, pd.DataFrame(table), fill, national=national)


def unit_fill_values(bundle: Bundle, layer: str, fill: catalog.Fill) -> pd.DataFrame:
    """Per unit of ``layer``, a numeric fill as the map page's unit table and the units download both
    carry it (one function, so the screen and the file agree): ``value`` share-weighted (a count in whole
    people, each kommune's parts keeping its count, `geo.counts`), ``n_kommuner``, ``coverage`` (of the
    fill's weight population) and ``population``, the whole residents of the latest population year,
    with that year in ``population_year`` (as `geo.export.units_frame` writes them)."""
    values = catalog.kommune_values(fill.key, bundle.population, bundle.indicators)
    memberships = model.layer_assignments(bundle.assignments, layer)
    agg = aggregate.aggregate_to_units(values, memberships, catalog.weights_for(fill, bundle.population), fill.kind)
    agg = agg.set_index("unit_id")
    if fill.kind == "count":
        agg["value"] = agg["value"].where(agg["value"].isna(), agg.index.map(counts.unit_counts(memberships, values)))
    pop, year = catalog.population_total(bundle.population)
    latest = model.layer_assignments(bundle.assignments_for(year), layer)
    agg["population"] = agg.index.map(counts.unit_counts(latest, pop)).astype("Int64")
    agg["population_year"] = year
    return agg.reset_index()


SITE_KINDS = {
    "hospitals": ("akutsygehus",),
    "psychiatry": ("psykiatri", "psykiatri_voksen", "psykiatri_boern"),
}


def site_kind(kind: str, lang: str = "da") -> str:
    """A site kind ('akutsygehus') in words of ``lang`` ('acute hospital'); unknown kinds as given."""
    key = f"site_kind_{kind}"
    return t(key, lang) if key in TEXT else kind


def site_points(sites: pd.DataFrame, groups: list[str], lang: str = "da") -> pd.DataFrame:
    """Sites of the chosen groups (keys of `SITE_KINDS`) that have coordinates, with tooltips
    that say how sure the coordinate is."""
    kinds = [k for g in groups for k in SITE_KINDS[g]]
    rows = sites[sites["kind"].isin(kinds) & (sites["lat"] != "")].copy()
    rows["lat"] = rows["lat"].astype(float)
    rows["lon"] = rows["lon"].astype(float)
    rows["tip"] = [
        tooltip_html(r.name, [r.address, t("site_type", lang, kind=site_kind(r.kind, lang)),
                              *([note] if (note := getattr(r, "note_en" if lang != "da" else "note", "")) else []),
                              t("site_coord", lang, conf=confidence_word(r.confidence, lang))])
        for r in rows.itertuples()
    ]
    return rows[["site_id", "name", "kind", "lat", "lon", "confidence", "tip"]]


def unit_bounds(bundle: Bundle, display: Display, layer: str, unit_ids: list[str],
                margin: float = 0.08) -> list[list[float]]:
    """[[south, west], [north, east]] (WGS84) around the given units, with a relative margin."""
    parts = model.layer_parts(display.kommuner, display.sub_areas, bundle.assignments, bundle.units, layer)
    chosen = parts[parts["unit_id"].isin(unit_ids)]
    if chosen.empty:
        raise ValueError(f"none of {unit_ids} is a unit of layer {layer!r}")
    west, south, east, north = chosen.to_crs(4326).total_bounds
    dx, dy = (east - west) * margin, (north - south) * margin
    return [[south - dy, west - dx], [north + dy, east + dx]]


def code_from_tooltip(text: str | None) -> str | None:
    """The kommune code in a clicked tooltip's text ('København (0101)\\n…' → '0101').

    The code is the last ``(dddd)`` of the first line (the tooltip's title, ``name (code)``), so a
    name that itself contains something like ``(0101)`` cannot select another kommune.
    """
    lines = (text or "").strip().splitlines()
    codes = CODE_IN_TEXT.findall(lines[0]) if lines else []
    return codes[-1] if codes else None
