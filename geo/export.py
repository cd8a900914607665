"""Exports for analysts: kommuner, units and memberships of a layer as GeoJSON (RFC 7946) or CSV."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo import aggregate, catalog, model, views
from geo.bundle import Bundle
from geo.config import CRS_DRAW

WHATS = ("kommuner", "units", "memberships")
FORMATS = ("geojson", "csv")
KOMMUNER_COLUMNS = ["kommune_kode", "kommune_navn", "region", "population", "unit_ids", "shares"]
UNITS_COLUMNS = ["layer", "unit_id", "unit_navn", "hospital", "population", "n_kommuner"]
MEMBERSHIP_COLUMNS = ["layer", "kommune_kode", "kommune_navn", "unit_id", "unit_navn", "share",
                      "basis", "confidence"]


def kommuner_frame(bundle: Bundle, layer: str, year: int | None = None) -> gpd.GeoDataFrame:
    """One feature per kommune: code, name, region, population and its unit ids and shares."""
    bundle.layer(layer)
    pop, year = catalog.population_total(bundle.population, year)
    members = views.membership_table(bundle, layer)
    out = bundle.kommuner[["kommune_kode", "geometry"]].merge(
        members.drop(columns="lines"), on="kommune_kode", validate="one_to_one"
    )
    out["population"] = out["kommune_kode"].map(pop).astype("Int64")
    out["population_year"] = year
    out["layer"] = layer
    cols = [*KOMMUNER_COLUMNS, "unit_navne", "confidence", "population_year", "layer"]
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


def units_frame(bundle: Bundle, layer: str, year: int | None = None) -> gpd.GeoDataFrame:
    """One feature per unit: id, name, hospital, share-weighted population, member count, geometry."""
    bundle.layer(layer)
    pop, year = catalog.population_total(bundle.population, year)
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, layer)
    geoms = model.unit_geometries(parts)
    memberships = model.layer_assignments(bundle.assignments, layer)
    agg = aggregate.aggregate_to_units(pop, memberships, pop, "count")
    info = bundle.units.loc[bundle.units["layer"] == layer, ["unit_id", "hospital", "region", "confidence"]]
    out = geoms.merge(agg[["unit_id", "value", "n_kommuner"]], on="unit_id", validate="one_to_one")
    out = out.merge(info, on="unit_id", validate="one_to_one")
    out["population"] = out["value"].round().astype("Int64")
    out["population_year"] = year
    out["layer"] = layer
    cols = [*UNITS_COLUMNS, "region", "confidence", "population_year"]
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


def memberships_frame(bundle: Bundle, layer: str) -> gpd.GeoDataFrame:
    """One feature per (kommune, unit): share, basis, confidence and the part's geometry."""
    bundle.layer(layer)
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, layer)
    rows = model.layer_assignments(bundle.assignments, layer)[["kommune_kode", "unit_id", "source"]]
    out = parts.merge(rows, on=["kommune_kode", "unit_id"], validate="one_to_one")
    out["layer"] = layer
    cols = [*MEMBERSHIP_COLUMNS, "sub_areas", "shared", "source"]
    return gpd.GeoDataFrame(out[[*cols, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


def frame_for(bundle: Bundle, layer: str, what: str, year: int | None = None) -> gpd.GeoDataFrame:
    """The export frame for ``what`` (one of `WHATS`)."""
    if what not in WHATS:
        raise ValueError(f"what must be in the set: {list(WHATS)}; got {what!r}")
    if what == "kommuner":
        return kommuner_frame(bundle, layer, year)
    if what == "units":
        return units_frame(bundle, layer, year)
    return memberships_frame(bundle, layer)


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
    if what == "units":
        members = model.layer_assignments(bundle.assignments, layer)
        agg = aggregate.aggregate_to_units(values, members, catalog.weights_for(fill, bundle.population), fill.kind)
        agg = agg.set_index("unit_id")
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


def to_geojson(frame: gpd.GeoDataFrame, precision: int = 6) -> str:
    """RFC 7946 GeoJSON: WGS84 lon/lat, no ``crs`` member, exterior rings counter-clockwise."""
    out = frame.to_crs(CRS_DRAW)
    geoms = shapely.orient_polygons(shapely.set_precision(out.geometry.values, 10.0**-precision))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=CRS_DRAW))
    return out.to_json(drop_id=True, na="null", to_wgs84=False, ensure_ascii=False)


def to_csv(frame: pd.DataFrame) -> str:
    """CSV without geometry (UTF-8, comma-separated, codes as text)."""
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).to_csv(index=False)


def render(frame: gpd.GeoDataFrame, fmt: str) -> str:
    """The export text in ``fmt`` (one of `FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be in the set: {list(FORMATS)}; got {fmt!r}")
    return to_geojson(frame) if fmt == "geojson" else to_csv(frame)
