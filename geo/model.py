"""The assignment model: kommune → units with shares, and the geometry of each part and unit."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.config import CRS_WORK
from geo.sources import tile_sub_areas

PART_COLUMNS = [
    "kommune_kode",
    "kommune_navn",
    "unit_id",
    "unit_navn",
    "share",
    "basis",
    "sub_areas",
    "confidence",
    "shared",
]


def layer_assignments(assignments: pd.DataFrame, layer: str) -> pd.DataFrame:
    """The rows of one layer (a copy), with ``share`` as float."""
    rows = assignments[assignments["layer"] == layer].copy()
    rows["share"] = rows["share"].astype(float)
    return rows


def unassigned_kommuner(
    kommuner: pd.DataFrame, assignments: pd.DataFrame, layer_row: pd.Series
) -> pd.DataFrame:
    """Kommuner of a 'named' layer's display region that its source does not name.

    For layers whose extent is 'all' this is empty (validation guarantees full coverage).
    """
    if layer_row["extent"] != "named":
        return kommuner.iloc[0:0][["kommune_kode", "kommune_navn"]].copy()
    named = set(assignments.loc[assignments["layer"] == layer_row["layer"], "kommune_kode"])
    inside = kommuner[kommuner["region"] == layer_row["display_region"]]
    return inside.loc[~inside["kommune_kode"].isin(named), ["kommune_kode", "kommune_navn"]].copy()


def layer_parts(
    kommuner: gpd.GeoDataFrame,
    sub_areas: gpd.GeoDataFrame,
    assignments: pd.DataFrame,
    units: pd.DataFrame,
    layer: str,
) -> gpd.GeoDataFrame:
    """One feature per (kommune, unit) of a layer with the geometry that part covers.

    A split kommune contributes only its listed sub-areas where they are known; where they are
    not, the whole kommune is used and the part is marked ``shared``.

    Returns
    -------
    GeoDataFrame
        ``PART_COLUMNS`` (and the kommune's ``region`` where ``kommuner`` has it) and geometry, in the
        CRS of ``kommuner``.
    """
    rows = layer_assignments(assignments, layer)
    names = units.loc[units["layer"] == layer, ["unit_id", "unit_navn"]]
    rows = rows.merge(names, on="unit_id", how="left", validate="many_to_one")
    extra = ["region"] if "region" in kommuner.columns else []
    rows = rows.merge(
        kommuner[["kommune_kode", "kommune_navn", *extra, "geometry"]],
        on="kommune_kode",
        how="left",
        validate="many_to_one",
    )
    unmatched = rows["unit_navn"].isna() | rows["geometry"].isna()
    if unmatched.any():
        bad = rows.loc[unmatched, ["kommune_kode", "unit_id"]].to_dict("records")
        raise ValueError(f"layer {layer}: rows that match no kommune or unit: {bad}")
    n_units = rows.groupby("kommune_kode")["unit_id"].transform("count")
    sub_geom = dict(zip(zip(sub_areas["kommune_kode"], sub_areas["sub_area_id"], strict=True),
                        sub_areas.geometry, strict=True))
    geoms, shared = [], []
    for _, row in rows.iterrows():
        subs = [s.strip() for s in str(row["sub_areas"] or "").split(";") if s.strip()]
        if subs:
            geoms.append(shapely.union_all([sub_geom[(row["kommune_kode"], s)] for s in subs]))
            shared.append(False)
        else:
            geoms.append(row["geometry"])
            shared.append(bool(n_units[_] > 1))
    out = gpd.GeoDataFrame(rows.drop(columns="geometry"), geometry=geoms, crs=kommuner.crs)
    out["shared"] = shared
    return out[[*PART_COLUMNS, *extra, "geometry"]].reset_index(drop=True)


def unit_geometries(parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve parts to one (multi)polygon per unit (``unit_id``, ``unit_navn``, geometry; and
    ``regions``, the sorted regions of its kommuner, where the parts carry ``region``)."""
    if "region" not in parts.columns:
        return parts.dissolve(by="unit_id", aggfunc={"unit_navn": "first"}, as_index=False)[
            ["unit_id", "unit_navn", "geometry"]
        ]
    out = parts.dissolve(by="unit_id", aggfunc={"unit_navn": "first"}, as_index=False)
    regions = parts.groupby("unit_id")["region"].agg(lambda s: tuple(sorted({str(r) for r in s.dropna()})))
    out["regions"] = out["unit_id"].map(regions)
    return out[["unit_id", "unit_navn", "regions", "geometry"]]


def simplify_for_display(
    kommuner: gpd.GeoDataFrame, sub_areas: gpd.GeoDataFrame, tolerance: float
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Simplified copies of the kommuner (as a coverage, so shared borders stay shared) and of
    the sub-areas (re-tiled into their simplified kommune). Tolerance in metres (EPSG:25832)."""
    if kommuner.crs is None or kommuner.crs.to_string() != CRS_WORK:
        raise ValueError(f"simplify in {CRS_WORK}; got {kommuner.crs}")
    simple = kommuner.copy()
    simple["geometry"] = shapely.coverage_simplify(kommuner.geometry.values, tolerance)
    subs = sub_areas.copy()
    for kode, group in sub_areas.groupby("kommune_kode"):
        outer = simple.loc[simple["kommune_kode"] == kode, "geometry"].iloc[0]
        rough = gpd.GeoSeries(shapely.simplify(group.geometry.values, tolerance), index=group.index)
        subs.loc[group.index, "geometry"] = tile_sub_areas(outer, rough).values
    return simple, subs
