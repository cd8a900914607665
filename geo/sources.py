"""Load the public source data (boundaries, population, indicators) from the source-data directory."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.config import (
    CHRISTIANSOE,
    CRS_WORK,
    KOMMUNER_COUNT,
    SOURCE_FILES,
    SOURCES_ENV,
)
from geo.errors import SourceDataError

# What each source file is, its vintage, and its origin and licence (../shared/data/README.md).
SOURCE_META = {
    "kommuner": ("Kommunegrænser: 98 kommuner (+ Christiansø, udeladt)", "DAGI/FOT 2014-02-13, 1:500.000",
                 "Geodatastyrelsen & Danske Kommuner, DAGI, frie data (via Neogeografen/dagi)"),
    "regioner": ("De fem regioner", "DAGI 2014", "Geodatastyrelsen, DAGI, frie data"),
    "bydele": ("Københavns 10 bydele", "2014",
               "Københavns Kommune, åbne data (via codeforgermany/click_that_hood, MIT)"),
    "population": ("Folketal 1. januar: 2026, 2024, 2023 i alt; 2020 med aldersgrupper", "2020-2026",
                   "Danmarks Statistik (FOLK1A, FOLK1AM), fri genbrug med kildeangivelse"),
    "indicators": ("21 indikatorserier (sundhedsprofil, middellevetid, indkomst, ulighed, uddannelse, beskæftigelse)",
                   "2015-2025, se hver serie",
                   "Sundhedsstyrelsen/SIF (Den Nationale Sundhedsprofil) og Danmarks Statistik; angiv kilden"),
}
CAVEATS = [
    "Christiansø (0411) er ikke en kommune: den er udeladt af statistik og medlemskaber.",
    "Aldersgrupper findes kun for 2020; det står overalt hvor 65+/80+ vises.",
    "Årstallet for Danmarks Statistiks socioøkonomiske indikatorer (2022/2023) kan være én revision bagud "
    "(en senere udgivelse betegner samme værdier 2024); året vises som i kilden med tabelnavn.",
    "Vejens Gini (46,3) og gennemsnitsindkomst er reelle outliers, drevet af få meget høje indkomster.",
    "Middellevetid er ikke offentliggjort for Ærø, Fanø, Læsø og Samsø.",
]

WGS84_NAMES = {"EPSG:4326", "OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84"}


def check_sources_dir(directory: Path) -> None:
    """Raise one clear `SourceDataError` if the directory or any expected file is missing.

    Parameters
    ----------
    directory : Path
        The source-data directory (``$KLYNGEKORT_SOURCES``).
    """
    expected = "\n".join(f"  {rel}" for rel in SOURCE_FILES.values())
    if not directory.is_dir():
        raise SourceDataError(
            f"The source-data directory does not exist: {directory}\n"
            f"Set {SOURCES_ENV} to the folder described in ../shared/data/README.md; "
            f"it must hold:\n{expected}"
        )
    missing = [rel for rel in SOURCE_FILES.values() if not (directory / rel).is_file()]
    if missing:
        raise SourceDataError(
            f"The source-data directory {directory} (setting {SOURCES_ENV}) is incomplete; "
            f"missing: {', '.join(missing)}\nIt must hold:\n{expected}"
        )


def normalise_kode(values: pd.Series) -> pd.Series:
    """Kommune codes as 4-character strings: ``101``, ``"101"``, ``101.0`` and ``" 0101"`` → ``"0101"``.

    Values that are not 1-4 digits are returned unchanged (stripped) so validation can name them.
    """
    text = values.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    digits = text.str.fullmatch(r"\d{1,4}").fillna(False)
    return text.where(~digits, text.str.zfill(4))


def read_geojson(path: Path, required: list[str]) -> gpd.GeoDataFrame:
    """Read a GeoJSON file in WGS84, drop the Z coordinate and make geometries valid."""
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise SourceDataError(f"{path}: not a readable GeoJSON file ({exc})") from exc
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise SourceDataError(
            f"{path}: missing properties {missing}; found {[c for c in gdf.columns if c != 'geometry']}"
        )
    if gdf.crs is None or gdf.crs.to_string() not in WGS84_NAMES and gdf.crs.to_epsg() != 4326:
        raise SourceDataError(
            f"{path}: coordinate reference system is {gdf.crs}, expected WGS84 lon/lat "
            "(EPSG:4326 / CRS84) as GeoJSON requires"
        )
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        raise SourceDataError(f"{path}: {int(gdf.geometry.isna().sum())} feature(s) have no geometry")
    geoms = shapely.make_valid(shapely.force_2d(gdf.geometry.values))
    out = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs="EPSG:4326"))
    return out.to_crs(CRS_WORK)


def polygonal(geom):
    """Keep only the polygonal part of a geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)


def load_kommuner(directory: Path) -> gpd.GeoDataFrame:
    """The 98 kommuner, one (multi)polygon each, in EPSG:25832.

    Multi-part features are merged per kommune, Z is dropped, codes are 4-character strings and
    Christiansø (0411, not a kommune) is left out. The result is checked to be a valid coverage.

    Returns
    -------
    GeoDataFrame
        Columns ``kommune_kode``, ``kommune_navn``, ``geometry``, sorted by code.
    """
    path = directory / SOURCE_FILES["kommuner"]
    raw = read_geojson(path, ["KOMKODE", "KOMNAVN"])
    raw = raw.assign(kommune_kode=normalise_kode(raw["KOMKODE"]), kommune_navn=raw["KOMNAVN"])
    bad = raw.loc[~raw["kommune_kode"].str.fullmatch(r"\d{4}").fillna(False), "KOMKODE"]
    if len(bad):
        raise SourceDataError(f"{path}: KOMKODE values that are not kommune codes: {sorted(set(bad))}")
    raw = raw[raw["kommune_kode"] != CHRISTIANSOE]
    gdf = raw.dissolve(by="kommune_kode", aggfunc={"kommune_navn": "first"}, as_index=False)
    gdf["geometry"] = [polygonal(g) for g in gdf.geometry]
    gdf = gdf[["kommune_kode", "kommune_navn", "geometry"]].sort_values("kommune_kode")
    gdf = gdf.reset_index(drop=True)
    if len(gdf) != KOMMUNER_COUNT:
        raise SourceDataError(f"{path}: found {len(gdf)} kommuner, expected {KOMMUNER_COUNT}")
    if not shapely.coverage_is_valid(gdf.geometry.values):
        edges = shapely.coverage_invalid_edges(gdf.geometry.values)
        codes = [k for k, e in zip(gdf["kommune_kode"], edges, strict=True) if not e.is_empty]
        raise SourceDataError(f"{path}: kommune polygons are not a valid coverage at {codes}")
    return gdf


def load_regioner(directory: Path) -> gpd.GeoDataFrame:
    """The five regions (``region_kode``, ``region_navn``, geometry) in EPSG:25832."""
    path = directory / SOURCE_FILES["regioner"]
    raw = read_geojson(path, ["REGIONKODE", "REGIONNAVN"])
    raw = raw.rename(columns={"REGIONKODE": "region_kode", "REGIONNAVN": "region_navn"})
    gdf = raw.dissolve(by="region_kode", aggfunc={"region_navn": "first"}, as_index=False)
    return gdf[["region_kode", "region_navn", "geometry"]]


def tile_sub_areas(outer, parts: gpd.GeoSeries) -> gpd.GeoSeries:
    """Clip sub-areas to ``outer`` and fill the gaps so that they tile it exactly.

    Overlaps go to the earlier part; each gap piece goes to the part it borders most (or, if it
    touches none, the nearest one).

    Parameters
    ----------
    outer : shapely geometry
        The area to tile (a kommune).
    parts : GeoSeries
        The sub-areas, in priority order.
    """
    pieces = []
    taken = shapely.Polygon()
    for geom in parts:
        piece = polygonal(shapely.make_valid(geom).intersection(outer).difference(taken))
        pieces.append(piece)
        taken = taken.union(piece)
    gap = polygonal(outer.difference(taken))
    extra = [[] for _ in pieces]
    for hole in shapely.get_parts(gap):
        if hole.area == 0:
            continue
        grown = hole.buffer(1.0)
        touch = [grown.intersection(p).area for p in pieces]
        best = max(range(len(pieces)), key=lambda i: touch[i])
        if touch[best] == 0:
            best = min(range(len(pieces)), key=lambda i: hole.distance(pieces[i]))
        extra[best].append(hole)
    tiled = [polygonal(shapely.union_all([p, *e])) for p, e in zip(pieces, extra, strict=True)]
    return gpd.GeoSeries(tiled, index=parts.index, crs=parts.crs)


def load_sub_areas(directory: Path, kommuner: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """København's ten bydele, clipped to the kommune so that they tile it exactly.

    Returns
    -------
    GeoDataFrame
        Columns ``kommune_kode`` ("0101"), ``sub_area_id`` ("1".."10"), ``sub_area_navn``, geometry.
    """
    path = directory / SOURCE_FILES["bydele"]
    raw = read_geojson(path, ["bydel_nr", "name"])
    raw = raw.assign(sub_area_id=raw["bydel_nr"].astype(int).astype(str), sub_area_navn=raw["name"])
    raw = raw.sort_values("bydel_nr", key=lambda s: s.astype(int)).reset_index(drop=True)
    outer = kommuner.loc[kommuner["kommune_kode"] == "0101", "geometry"]
    if outer.empty:
        raise SourceDataError("København (0101) is missing from the kommune boundaries")
    geometry = tile_sub_areas(outer.iloc[0], raw.geometry)
    return gpd.GeoDataFrame(
        {
            "kommune_kode": "0101",
            "sub_area_id": raw["sub_area_id"],
            "sub_area_navn": raw["sub_area_navn"],
        },
        geometry=geometry,
        crs=CRS_WORK,
    )


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceDataError(f"{path}: not a readable UTF-8 CSV file ({exc})") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SourceDataError(f"{path}: missing columns {missing}; found {list(df.columns)}")
    df["kommune_code"] = normalise_kode(df["kommune_code"])
    return df


def _check_codes(path: Path, df: pd.DataFrame, kommune_codes: set[str]) -> pd.DataFrame:
    df = df[df["kommune_code"] != CHRISTIANSOE]
    unknown = sorted(set(df["kommune_code"]) - kommune_codes)
    if unknown:
        rows = [int(i) + 2 for i in df.index[df["kommune_code"].isin(unknown)][:5]]
        raise SourceDataError(f"{path}: unknown kommune codes {unknown} (rows {rows}, column kommune_code)")
    return df


def _to_number(path: Path, df: pd.DataFrame, column: str) -> pd.Series:
    text = df[column].str.strip()
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = text.ne("") & values.isna()
    if bad.any():
        i = bad.idxmax()
        raise SourceDataError(f"{path}: row {int(i) + 2}, column {column}: {text[i]!r} is not a number")
    return values


POPULATION_COLUMNS = ["population_total", "pop_0_17", "pop_18_64", "pop_65plus", "pop_80plus"]


def load_population(directory: Path, kommune_codes: set[str]) -> pd.DataFrame:
    """Population on 1 January per kommune and year (long format).

    Returns
    -------
    DataFrame
        ``kommune_kode``, ``year`` (int), the ``POPULATION_COLUMNS`` (float, NaN where not
        published), ``source_table``, ``source``.
    """
    path = directory / SOURCE_FILES["population"]
    df = _read_csv(path, ["kommune_code", "year", *POPULATION_COLUMNS, "source_table", "source"])
    df = _check_codes(path, df, kommune_codes)
    out = pd.DataFrame({"kommune_kode": df["kommune_code"], "year": _to_number(path, df, "year")})
    for col in POPULATION_COLUMNS:
        out[col] = _to_number(path, df, col)
    out["year"] = out["year"].astype(int)
    out["source_table"] = df["source_table"]
    out["source"] = df["source"]
    dup = out.duplicated(["kommune_kode", "year"])
    if dup.any():
        row = out[dup].iloc[0]
        raise SourceDataError(f"{path}: kommune {row.kommune_kode} appears twice for {row.year}")
    for year, group in out.groupby("year"):
        missing = sorted(kommune_codes - set(group["kommune_kode"]))
        if missing:
            raise SourceDataError(f"{path}: year {year} lacks kommuner {missing}")
    return out.reset_index(drop=True)


def load_indicators(directory: Path, kommune_codes: set[str]) -> pd.DataFrame:
    """The indicator series in long format, one row per (series, kommune).

    A series is an ``indicator_id`` in one ``year``; ``series_id`` is ``"<indicator_id>@<year>"``.

    Returns
    -------
    DataFrame
        ``series_id``, ``indicator_id``, ``name``, ``kommune_kode``, ``value`` (float), ``unit``,
        ``year`` (text as published, e.g. "2019-2023"), ``source``.
    """
    path = directory / SOURCE_FILES["indicators"]
    cols = ["kommune_code", "indicator_id", "indicator_name_da", "value", "unit", "year", "source"]
    df = _read_csv(path, cols)
    df = _check_codes(path, df, kommune_codes)
    out = pd.DataFrame(
        {
            "series_id": df["indicator_id"] + "@" + df["year"],
            "indicator_id": df["indicator_id"],
            "name": df["indicator_name_da"],
            "kommune_kode": df["kommune_code"],
            "value": _to_number(path, df, "value"),
            "unit": df["unit"],
            "year": df["year"],
            "source": df["source"],
        }
    )
    dup = out.duplicated(["series_id", "kommune_kode"])
    if dup.any():
        row = out[dup].iloc[0]
        raise SourceDataError(f"{path}: {row.series_id} has two values for kommune {row.kommune_kode}")
    return out.dropna(subset=["value"]).reset_index(drop=True)

