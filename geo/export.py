"""Exports for analysts: kommuner, units and memberships of a layer as GeoJSON (RFC 7946), CSV or XLSX.

One rule for numbers in every format (`geo.fmt.plain`: ``1``, ``0.577``, never ``1.0``); text cells
of CSV and XLSX cannot start a spreadsheet formula (`geo.files.neutralise_frame`); every polygon
feature of a GeoJSON export is a MultiPolygon, so GIS tools see one geometry type per layer.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import aggregate, catalog, citations, counts, crosswalk, files, model, views
from geo.bundle import Bundle
from geo.config import CRS_DRAW

WHATS = ("kommuner", "units", "memberships")  # exports of one layer
PAIR_WHATS = ("crosswalk",)  # exports of two layers (``--layer A --with B``)
FORMATS = ("geojson", "csv", "xlsx")
PAIR_FORMATS = ("csv", "xlsx")  # a crosswalk has no geometry
TEXT_FORMATS = ("geojson", "csv")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
CODE_COLUMNS = ("kommune_kode", "unit_id", "unit_ids", "sub_areas", "shares", "from_unit_id", "to_unit_id")
KOMMUNER_COLUMNS = ["kommune_kode", "kommune_navn", "region", "population", "unit_ids", "shares"]
UNITS_COLUMNS = ["layer", "unit_id", "unit_navn", "hospital", "population", "n_kommuner"]
MEMBERSHIP_COLUMNS = ["layer", "kommune_kode", "kommune_navn", "unit_id", "unit_navn", "share",
                      "basis", "confidence"]


def kommuner_frame(bundle: Bundle, layer: str, year: int | None = None,
                   on: dt.date | None = None) -> gpd.GeoDataFrame:
    """One feature per kommune: code, name, region (in force on ``on``; default the 2007 regions),
    population and its unit ids and shares (the shares of a kommune split by bydele are those of
    population year ``year``, default the latest)."""
    bundle.layer(layer)
    pop, year = catalog.population_total(bundle.population, year)
    members = views.membership_table(bundle, layer, assignments=bundle.assignments_for(year), on=on)
    out = bundle.kommuner[["kommune_kode", "geometry"]].merge(
        members.drop(columns="lines"), on="kommune_kode", validate="one_to_one"
    )
    out["population"] = out["kommune_kode"].map(pop).astype("Int64")
    out["population_year"] = year
    out["layer"] = layer
    cols = [*KOMMUNER_COLUMNS, "unit_navne", "confidence", "population_year", "layer"]
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


def units_frame(bundle: Bundle, layer: str, year: int | None = None) -> gpd.GeoDataFrame:
    """One feature per unit: id, name, hospital, share-weighted population (shares and population of
    ``year``, default the latest; whole residents: each split kommune's parts rounded by the largest
    remainder, `geo.counts`), member count, geometry."""
    bundle.layer(layer)
    pop, year = catalog.population_total(bundle.population, year)
    assignments = bundle.assignments_for(year)
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, assignments, bundle.units, layer)
    geoms = model.unit_geometries(parts)
    memberships = model.layer_assignments(assignments, layer)
    agg = aggregate.aggregate_to_units(pop, memberships, pop, "count")
    agg["whole"] = agg["unit_id"].map(counts.unit_counts(memberships, pop))
    info = bundle.units.loc[bundle.units["layer"] == layer, ["unit_id", "hospital", "region", "confidence"]]
    out = geoms.merge(agg[["unit_id", "whole", "n_kommuner"]], on="unit_id", validate="one_to_one")
    out = out.merge(info, on="unit_id", validate="one_to_one")
    out["population"] = out["whole"].astype("Int64")
    out["population_year"] = year
    out["layer"] = layer
    cols = [*UNITS_COLUMNS, "region", "confidence", "population_year"]
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


def memberships_frame(bundle: Bundle, layer: str, year: int | None = None) -> gpd.GeoDataFrame:
    """One feature per (kommune, unit): share (of population year ``year``, default the latest), basis
    (for a split by bydele it names the year of the bydel figures), confidence and the part's geometry."""
    bundle.layer(layer)
    assignments = bundle.assignments_for(year)
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, assignments, bundle.units, layer)
    rows = model.layer_assignments(assignments, layer)[["kommune_kode", "unit_id", "source"]]
    out = parts.merge(rows, on=["kommune_kode", "unit_id"], validate="one_to_one")
    out["layer"] = layer
    cols = [*MEMBERSHIP_COLUMNS, "sub_areas", "shared", "source"]
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


def frame_for(bundle: Bundle, layer: str, what: str, year: int | None = None,
              on: dt.date | None = None) -> gpd.GeoDataFrame:
    """The export frame for ``what`` (one of `WHATS`); ``on`` is the date shown (the kommuner's region)."""
    if what not in WHATS:
        raise ValueError(f"what must be in the set: {list(WHATS)}; got {what!r}")
    if what == "kommuner":
        return kommuner_frame(bundle, layer, year, on)
    if what == "units":
        return units_frame(bundle, layer, year)
    return memberships_frame(bundle, layer, year)


def with_fill(bundle: Bundle, frame: gpd.GeoDataFrame, layer: str, what: str, fill_key: str) -> gpd.GeoDataFrame:
    """Add the values of a numeric fill to an export frame (a copy): the kommune's value for
    ``kommuner`` and ``memberships``, the share-weighted unit value and its coverage for ``units``.
    The membership fill adds nothing."""
    fills = catalog.fill_catalog(bundle.population, bundle.indicators)
    if fill_key not in fills:
        raise ValueError(f"fill {fill_key!r} is unknown; expected one of {sorted(fills)}")
    fill = fills[fill_key]
    out = frame.copy()
    if fill.kind == "category":
        return out
    values = catalog.kommune_values(fill_key, bundle.population, bundle.indicators)
    if what == "units":  # the map page's unit table computes them with the same function
        agg = views.unit_fill_values(bundle, layer, fill).set_index("unit_id")
        out["value"] = out["unit_id"].map(agg["value"])
        out["coverage"] = out["unit_id"].map(agg["coverage"])
    else:
        out["value"] = out["kommune_kode"].map(values)
    out["fill"] = fill_key
    out["fill_label"] = fill.label_da
    out["fill_unit"] = fill.unit
    out["fill_year"] = fill.year
    out["fill_source"] = fill.source
    return out


def _plain_properties(value: object) -> object:
    """Whole floats as integers so JSON writes ``1`` (as CSV and the ``shares`` text do), not ``1.0``."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Every Polygon as a one-part MultiPolygon; other geometries unchanged."""
    out = np.asarray(geoms, dtype=object).copy()
    polygons = shapely.get_type_id(out) == 3
    out[polygons] = [shapely.MultiPolygon([g]) for g in out[polygons]]
    return out


def to_geojson(frame: gpd.GeoDataFrame, precision: int = 6) -> str:
    """RFC 7946 GeoJSON: WGS84 lon/lat, no ``crs`` member, exterior rings counter-clockwise,
    every polygon feature a MultiPolygon, whole numbers without ``.0``."""
    out = frame.to_crs(CRS_DRAW)
    geoms = shapely.orient_polygons(shapely.set_precision(out.geometry.values, 10.0**-precision))
    out = out.set_geometry(gpd.GeoSeries(multipolygons(geoms), index=out.index, crs=CRS_DRAW))
    data = out.to_geo_dict(na="null", drop_id=True)
    for feature in data["features"]:
        feature["properties"] = {k: _plain_properties(v) for k, v in feature["properties"].items()}
    return json.dumps(data, ensure_ascii=False)


def table_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The export frame without geometry, text cells neutralised for spreadsheets."""
    return files.neutralise_frame(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))


def to_csv(frame: pd.DataFrame) -> str:
    """CSV for programs: RFC 4180 (comma, CRLF, quotes where needed), UTF-8 without BOM, ``.`` as
    decimal mark, numbers as `geo.fmt.plain` writes them, codes as text, no geometry; text cells
    that would start a formula get a leading ``'`` (`geo.files.to_csv`, the one CSV writer)."""
    return files.to_csv(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))


def _cited(bundle: Bundle, field: str) -> str:
    """A ``source`` field as citations (publisher: title (date) — `geo.citations`), never a file path."""
    table = bundle.citations if bundle.citations is not None else pd.DataFrame(columns=citations.CITATION_COLUMNS)
    return citations.sources_text(field, table)


def sources_table(bundle: Bundle, layer: str, what: str, year: int | None = None,
                  fill_key: str | None = None, created: dt.date | None = None,
                  on: dt.date | None = None) -> pd.DataFrame:
    """What an export is made of: layer, its source, population year, fill and its source, the date
    shown (and whether the layer was in force on it), date made."""
    row = bundle.layer(layer)
    entry = bundle.registry.entry(layer)
    validity = f"{entry.valid_from or '…'} – {entry.valid_to or '…'}"
    items: list[tuple[str, str]] = [
        ("export", what),
        ("layer", f"{layer} ({row.get('name_da', '')})"),
        ("layer valid", validity + (f"; on {on}: {entry.status(on)}" if on else "")),
        ("layer source", _cited(bundle, str(row.get("source", "")))),
        ("layer confidence", str(row.get("confidence", ""))),
    ]
    if what != "memberships":
        _, used = catalog.population_total(bundle.population, year)
        items.append(("population year", str(used)))
        rows = bundle.population[bundle.population["year"] == used]
        tables = sorted(rows["source_table"].unique()) if "source_table" in rows else []
        items.append(("population source", "Danmarks Statistik " + ", ".join(tables)))
    items += split_items(bundle, layer, year)
    if fill_key:
        fill = catalog.fill_catalog(bundle.population, bundle.indicators)[fill_key]
        items += [("fill", f"{fill.label_da} ({fill_key})"), ("fill source", catalog.source_text(fill.source))]
    items += [
        ("created", (created or dt.date.today()).isoformat()),
        ("made by", "Klyngekort (python -m geo export)"),
        ("note", "Text cells that start with = + - @, tab or carriage return begin with ' so that a "
                 "spreadsheet shows them as text instead of running them as formulas."),
    ]
    return pd.DataFrame(items, columns=["item", "value"])


def split_items(bundle: Bundle, layer: str, year: int | None = None) -> list[tuple[str, str]]:
    """``("split by bydele", ...)`` for each kommune the layer splits by sub-areas with population
    figures: the year of the figures its shares use for population year ``year`` and the file."""
    rows = model.layer_assignments(bundle.assignments_for(year), layer)
    years = bundle.split_years(year)
    split_kommuner = sorted(set(rows.loc[rows["sub_areas"].astype(str).str.strip() != "", "kommune_kode"])
                            & set(years))
    asked = bundle.latest_year() if year is None else int(year)
    names = dict(zip(bundle.kommuner["kommune_kode"], bundle.kommuner["kommune_navn"], strict=True))
    return [("split by bydele", f"{kode} {names.get(kode, '')}: shares from the bydele's population on 1 January "
                                f"{years[kode]} (population year {asked}; Københavns Kommune / Danmarks Statistik, "
                                "befolkning pr. bydel)")
            for kode in split_kommuner]


def _cell_value(value: object) -> object:
    """A value openpyxl writes as a number, text or an empty cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)  # control characters XML (and so XLSX) cannot hold
    if isinstance(value, (bool, int, float)):
        return value
    return _XML_ILLEGAL.sub("", str(value))


LEGEND_COLUMNS = ["class", "colour", "count", "lower", "upper"]


def legend_frame(rows) -> pd.DataFrame:
    """A map's legend as a table (`geo.classify.LegendRow` each): ``class`` (the label the map shows),
    ``colour`` (hex), ``count`` (kommuner or units in the class), ``lower``/``upper`` (the class's
    bounds, empty for a membership map or "no data")."""
    return pd.DataFrame([(r.label, r.colour, int(r.count), r.lower, r.upper) for r in rows], columns=LEGEND_COLUMNS)


def to_xlsx(frame: pd.DataFrame, sources: pd.DataFrame, sheet: str,
            extra: dict[str, pd.DataFrame] | None = None) -> bytes:
    """An Excel workbook: the table on a sheet named for what it holds (``kommuner``, ``units``,
    ``memberships``; codes stored as text, numbers as numbers, text neutralised), the sheets of
    ``extra`` (name → table, e.g. ``legend``) and a sheet ``sources`` with what the export is made of
    (as citations) and when."""
    from openpyxl import Workbook

    table = table_of(frame)
    book = Workbook()
    data = book.active
    data.title = sheet[:31]
    data.append(list(table.columns))
    text_columns = {i for i, c in enumerate(table.columns, start=1) if c in CODE_COLUMNS}
    for record in table.itertuples(index=False, name=None):
        data.append([_cell_value(v) for v in record])
    for col in text_columns:
        for (cell,) in data.iter_rows(min_row=2, min_col=col, max_col=col):
            if cell.value is not None:
                cell.value = str(cell.value)
            cell.number_format = "@"
    data.freeze_panes = "A2"
    for name, table_ in (extra or {}).items():
        more = book.create_sheet(name[:31])
        more.append(list(table_.columns))
        for record in files.neutralise_frame(table_).itertuples(index=False, name=None):
            more.append([_cell_value(v) for v in record])
    info = book.create_sheet("sources")
    info.append(list(sources.columns))
    for record in files.neutralise_frame(sources).itertuples(index=False, name=None):
        info.append([_cell_value(v) for v in record])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(frame: gpd.GeoDataFrame, fmt_: str, sources: pd.DataFrame | None = None,
           sheet: str | None = None) -> str | bytes:
    """The export in ``fmt_`` (one of `FORMATS`): text for GeoJSON and CSV, bytes for XLSX
    (``sheet`` names its table sheet, one of `WHATS`; ``sources`` is its second sheet, see
    `sources_table`)."""
    if fmt_ not in FORMATS:
        raise ValueError(f"format must be in the set: {list(FORMATS)}; got {fmt_!r}")
    if fmt_ == "geojson":
        return to_geojson(frame)
    if fmt_ == "csv":
        return to_csv(frame)
    if sources is None or sheet is None:
        raise ValueError("an xlsx export needs its sheet name and sources table (see sources_table)")
    return to_xlsx(frame, sources, sheet)


def xlsx_for(bundle: Bundle, layer: str, what: str, fill_key: str, created: dt.date,
             on: dt.date | None = None, legend=None) -> bytes:
    """The app's Excel download: the export frame of ``what`` with the shown fill's values (regions of
    the date shown ``on``), the map's ``legend`` (`geo.classify.LegendRow` each) on a sheet ``legend``
    when given, and a sheet of sources dated ``created``."""
    frame = with_fill(bundle, frame_for(bundle, layer, what, on=on), layer, what, fill_key)
    fill = fill_key if catalog.fill_catalog(bundle.population, bundle.indicators)[fill_key].kind != "category" else None
    extra = {"legend": legend_frame(legend)} if legend is not None else None
    return to_xlsx(frame, sources_table(bundle, layer, what, fill_key=fill, created=created, on=on), sheet=what,
                   extra=extra)


def crosswalk_export(bundle: Bundle, old: str, new: str, fmt_: str, year: int | None = None,
                     created: dt.date | None = None) -> str | bytes:
    """The crosswalk from layer ``old`` to ``new`` (`geo.crosswalk.crosswalk`) as CSV (RFC 4180, CRLF,
    text cells neutralised: the app's download and ``python -m geo export --what crosswalk`` write the
    same bytes) or XLSX (sheet ``crosswalk`` and a ``sources`` sheet dated ``created``)."""
    if fmt_ not in PAIR_FORMATS:
        raise ValueError(f"format must be in the set: {list(PAIR_FORMATS)} for a crosswalk; got {fmt_!r}")
    walk = crosswalk.crosswalk(bundle, old, new, year)
    if fmt_ == "csv":
        return to_csv(walk)
    used = int(walk["population_year"].iloc[0])
    return to_xlsx(walk, crosswalk.sources_rows(bundle, old, new, used, created or dt.date.today()), sheet="crosswalk")
