"""Load the public source data (boundaries, population, indicators) from the source-data directory."""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio.errors
import shapely
import shapely.errors

from geo.config import (
    CHRISTIANSOE,
    COVERAGE_TOLERANCE_KM2,
    CRS_WORK,
    DK_EXTENT,
    KOMMUNE_AREA_KM2,
    KOMMUNER_COUNT,
    POPULATION_RANGE,
    SOURCE_FILES,
    SOURCES_ENV,
    SUB_AREA_TOTAL,
    YEAR_RANGE,
)
from geo.errors import SourceDataError

# What each source file is, its vintage, and its origin and licence (../shared/data/README.md).
# Per source file: (what, vintage, origin and licence), each as (Danish, English).
SOURCE_META = {
    "kommuner": {"what": ("Kommunegrænser: 98 kommuner (+ Christiansø, udeladt)",
                          "Municipal boundaries: 98 municipalities (+ Christiansø, left out)"),
                 "vintage": ("DAGI/FOT 2014-02-13, 1:500.000", "DAGI/FOT 2014-02-13, 1:500,000"),
                 "origin": ("Geodatastyrelsen & Danske Kommuner, DAGI, frie data (via Neogeografen/dagi)",
                            "Danish Geodata Agency & Local Government Denmark, DAGI, open data "
                            "(via Neogeografen/dagi)")},
    "regioner": {"what": ("De fem regioner", "The five regions"), "vintage": ("DAGI 2014", "DAGI 2014"),
                 "origin": ("Geodatastyrelsen, DAGI, frie data", "Danish Geodata Agency, DAGI, open data")},
    "bydele": {"what": ("Københavns 10 bydele", "Copenhagen's 10 districts"), "vintage": ("2014", "2014"),
               "origin": ("Københavns Kommune, åbne data (via codeforgermany/click_that_hood, MIT)",
                          "City of Copenhagen, open data (via codeforgermany/click_that_hood, MIT)")},
    "bydele_population": {"what": ("Folketal 1. januar i Københavns 10 bydele og i kommunen i alt",
                                   "Population on 1 January of Copenhagen's 10 districts and of the municipality "
                                   "in total"),
                          "vintage": ("2019-2025", "2019-2025"),
                          "origin": ("Københavns Kommune / Danmarks Statistik, statistik pr. bydel (via "
                                     "chrysiida31/02806-Final-Project); fri genbrug med kildeangivelse",
                                     "City of Copenhagen / Statistics Denmark, statistics by district (via "
                                     "chrysiida31/02806-Final-Project); free reuse with attribution")},
    "population": {"what": ("Folketal 1. januar: 2026, 2024, 2023 i alt; 2020 med aldersgrupper",
                            "Population on 1 January: 2026, 2024, 2023 in total; 2020 with age groups"),
                   "vintage": ("2020-2026", "2020-2026"),
                   "origin": ("Danmarks Statistik (FOLK1A, FOLK1AM), fri genbrug med kildeangivelse",
                              "Statistics Denmark (FOLK1A, FOLK1AM), free reuse with attribution")},
    "indicators": {"what": ("21 indikatorserier (sundhedsprofil, middellevetid, indkomst, ulighed, uddannelse, "
                            "beskæftigelse)",
                            "21 indicator series (health profile, life expectancy, income, inequality, education, "
                            "employment)"),
                   "vintage": ("2015-2025, se hver serie", "2015-2025, see each series"),
                   "origin": ("Sundhedsstyrelsen/SIF (Den Nationale Sundhedsprofil) og Danmarks Statistik; "
                              "angiv kilden",
                              "Danish Health Authority/SIF (the National Health Profile) and Statistics Denmark; "
                              "cite the source")},
}
# Caveats of the source data, each as (Danish, English).
CAVEATS = [
    ("Christiansø (0411) er ikke en kommune: den er udeladt af statistik og medlemskaber.",
     "Christiansø (0411) is not a municipality: it is left out of statistics and memberships."),
    ("Aldersgrupper findes kun for 2020; det står overalt hvor 65+/80+ vises.",
     "Age groups are only available for 2020; this is said wherever 65+/80+ are shown."),
    ("Årstallet for Danmarks Statistiks socioøkonomiske indikatorer (2022/2023) kan være én revision bagud "
     "(en senere udgivelse betegner samme værdier 2024); året vises som i kilden med tabelnavn.",
     "The year of Statistics Denmark's socio-economic indicators (2022/2023) may be one revision behind "
     "(a later release labels the same values 2024); the year is shown as in the source, with the table name."),
    ("Vejens Gini (46,3) og gennemsnitsindkomst er reelle outliers, drevet af få meget høje indkomster.",
     "Vejen's Gini (46.3) and average income are real outliers, driven by a few very high incomes."),
    ("Middellevetid er ikke offentliggjort for Ærø, Fanø, Læsø og Samsø.",
     "Life expectancy is not published for Ærø, Fanø, Læsø and Samsø."),
    ("Københavns deling mellem enheder følger bydelenes befolkning i det viste år (findes året ikke i "
     "bydelstallene, bruges det nærmeste tidligere år). Beboere uden bydel (10.298 i 2025) tælles kun i "
     "kommunens total; andelene regnes over beboerne med bydel, og kommunens total er uændret.",
     "Copenhagen's split between units follows the districts' population in the year shown (for a year the "
     "district figures lack, the nearest earlier year). Residents placed in no district (10,298 in 2025) are "
     "only in the municipality's total; shares are computed over the residents placed in a district, and the "
     "municipality's total is unchanged."),
]


def source_meta(key: str, lang: str = "da") -> dict[str, str]:
    """What, vintage and origin of one source file in ``lang``."""
    i = 0 if lang == "da" else 1
    return {field: pair[i] for field, pair in SOURCE_META[key].items()}


def caveats(lang: str = "da") -> list[str]:
    """The source data's caveats in ``lang``."""
    return [pair[0 if lang == "da" else 1] for pair in CAVEATS]


WGS84_NAMES = {"EPSG:4326", "OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84"}

# What pandas, pyogrio and shapely raise on files they cannot read or geometry they cannot use.
READ_ERRORS = (ValueError, TypeError, KeyError, IndexError, OSError, RuntimeError, pd.errors.ParserError,
               pd.errors.EmptyDataError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
               pyogrio.errors.FieldError, pyogrio.errors.GeometryError, shapely.errors.ShapelyError)


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn whatever a reader raises into one `SourceDataError` naming ``path``.

    `SourceDataError` passes unchanged; so do errors that are not about the data (MemoryError,
    KeyboardInterrupt).
    """
    try:
        yield
    except SourceDataError:
        raise
    except UnicodeDecodeError as exc:
        raise SourceDataError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.object[exc.start:exc.start + 1]!r}); "
                              "save the file as UTF-8") from exc
    except READ_ERRORS as exc:
        raise SourceDataError(f"{path}: could not be read ({type(exc).__name__}: {exc})") from exc


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
        raise SourceDataError(f"{path}: not a readable GeoJSON file ({type(exc).__name__}: {exc})") from exc
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
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        first = _feature_name(gdf, int(empty.to_numpy().argmax()), required)
        raise SourceDataError(f"{path}: {int(empty.sum())} feature(s) have no geometry, the first {first}")
    check_extent(path, gdf, required)
    geoms = shapely.make_valid(shapely.force_2d(gdf.geometry.values))
    out = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs="EPSG:4326"))
    return out.to_crs(CRS_WORK)


def _feature_name(gdf: pd.DataFrame, i: int, columns: list[str]) -> str:
    """'feature 12 (KOMKODE='0101', KOMNAVN='København')': the i-th feature, by position and properties."""
    props = ", ".join(f"{c}={gdf[c].iloc[i]!r}" for c in columns if c in gdf.columns)
    return f"feature {i + 1} ({props})" if props else f"feature {i + 1}"


def check_extent(path: Path, gdf: gpd.GeoDataFrame, name_columns: list[str]) -> None:
    """Every feature lies inside Denmark's lon/lat extent (`DK_EXTENT`), checked before reprojecting.

    Latitude and longitude swapped put Denmark near (55, 10) → lon 55: refused, naming the feature.
    """
    west, south, east, north = DK_EXTENT
    bounds = gdf.geometry.bounds.to_numpy()
    inside = ((bounds[:, 0] >= west) & (bounds[:, 1] >= south) & (bounds[:, 2] <= east) & (bounds[:, 3] <= north))
    if inside.all():
        return
    i = int((~inside).argmax())
    x0, y0, x1, y1 = bounds[i]
    swapped = west <= y0 and y1 <= east and south <= x0 and x1 <= north
    hint = "; latitude and longitude look swapped (GeoJSON is longitude first)" if swapped else ""
    raise SourceDataError(
        f"{path}: {_feature_name(gdf, i, name_columns)} lies outside Denmark: its bounds are "
        f"lon {x0:.3f}..{x1:.3f}, lat {y0:.3f}..{y1:.3f}, but every feature must lie within "
        f"lon {west}..{east}, lat {south}..{north} (WGS84){hint}; {int((~inside).sum())} feature(s) outside"
    )


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
    with reading(path):
        return _load_kommuner(path)


def _load_kommuner(path: Path) -> gpd.GeoDataFrame:
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
    low, high = KOMMUNE_AREA_KM2
    area = gdf.area / 1e6
    odd = gdf[(area < low) | (area > high)]
    if len(odd):
        row = odd.iloc[0]
        raise SourceDataError(
            f"{path}: kommune {row.kommune_kode} {row.kommune_navn} has an area of "
            f"{area[odd.index[0]]:,.2f} km², outside the plausible {low:,.0f}–{high:,.0f} km² for a kommune "
            f"(in {CRS_WORK}); {len(odd)} kommune(r) outside"
        )
    return gdf


def load_regioner(directory: Path) -> gpd.GeoDataFrame:
    """The five regions (``region_kode``, ``region_navn``, geometry) in EPSG:25832."""
    path = directory / SOURCE_FILES["regioner"]
    with reading(path):
        raw = read_geojson(path, ["REGIONKODE", "REGIONNAVN"])
        raw = raw.rename(columns={"REGIONKODE": "region_kode", "REGIONNAVN": "region_navn"})
        gdf = raw.dissolve(by="region_kode", aggfunc={"region_navn": "first"}, as_index=False)
        gdf["geometry"] = [polygonal(g) for g in gdf.geometry]
        return gdf[["region_kode", "region_navn", "geometry"]]


def check_kommuner_cover_regioner(kommuner: gpd.GeoDataFrame, regioner: gpd.GeoDataFrame,
                                  directory: Path) -> None:
    """The kommuner's union matches the regions' union within `COVERAGE_TOLERANCE_KM2`.

    Catches a kommune replaced by a sliver, moved, or cut down: its area no longer matches the
    independent region boundaries. The difference is measured as the area of the symmetric
    difference (area A + area B − 2 × area of the intersection).

    Raises
    ------
    SourceDataError
        Naming both files, both areas, the difference, the tolerance and the kommune(r) at the
        largest piece of difference.
    """
    k_path, r_path = directory / SOURCE_FILES["kommuner"], directory / SOURCE_FILES["regioner"]
    with reading(k_path):
        k_union = shapely.coverage_union_all(kommuner.geometry.values)  # checked to be a coverage
        regions = regioner.geometry.values
        fast = shapely.coverage_is_valid(regions)
        r_union = shapely.coverage_union_all(regions) if fast else shapely.union_all(regions)
        k_area, r_area = k_union.area / 1e6, r_union.area / 1e6
        common = k_union.intersection(r_union).area / 1e6
        differ = k_area + r_area - 2 * common
        if differ <= COVERAGE_TOLERANCE_KM2:
            return
        pieces = shapely.get_parts(polygonal(k_union.symmetric_difference(r_union)))
        biggest = max(pieces, key=lambda g: g.area)
        near = kommuner[kommuner.intersects(biggest.buffer(10))]
        where = ", ".join(f"{r.kommune_kode} {r.kommune_navn}" for r in near.itertuples()) or "no kommune"
        where = f"borders {where}" if len(near) else "touches no kommune"
    raise SourceDataError(
        f"{k_path}: the kommuner cover {k_area:,.2f} km² and the regions in {r_path} {r_area:,.2f} km²; "
        f"their unions differ by {differ:,.2f} km², more than the {COVERAGE_TOLERANCE_KM2:g} km² allowed "
        f"(every kommune must fill its part of the regions); the largest difference, "
        f"{biggest.area / 1e6:,.2f} km², {where}"
    )


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
    with reading(path):
        raw = read_geojson(path, ["bydel_nr", "name"])
        number = pd.to_numeric(raw["bydel_nr"], errors="coerce")
        bad = number.isna() | (number != number.round())
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise SourceDataError(f"{path}: {_feature_name(raw, i, ['bydel_nr', 'name'])}: bydel_nr must be a "
                                  f"whole number, not {raw['bydel_nr'].iloc[i]!r}")
        raw = raw.assign(sub_area_id=number.astype(int).astype(str), sub_area_navn=raw["name"])
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


def _read_csv(path: Path, required: list[str], what: str, kommune_codes: bool = True) -> pd.DataFrame:
    """Read a source CSV as text; an empty file, a header without rows or a missing column is named.

    With ``kommune_codes`` the column ``kommune_code`` is normalised to 4-character codes.
    """
    if path.stat().st_size == 0:
        raise SourceDataError(f"{path}: the file is empty (0 bytes); expected a header line and {what}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as exc:
        raise SourceDataError(f"{path}: the file has no header line; expected {', '.join(required)}") from exc
    except pd.errors.ParserError as exc:
        raise SourceDataError(f"{path}: not a readable CSV file ({exc})") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SourceDataError(f"{path}: missing columns {missing}; found {list(df.columns)}")
    if df.empty:
        raise SourceDataError(f"{path}: the file has a header but no data rows; expected {what}")
    if kommune_codes:
        df["kommune_code"] = normalise_kode(df["kommune_code"])
    return df


def _line(i) -> int:
    """The file line of data row index ``i`` (line 1 is the header)."""
    return int(i) + 2


def _check_codes(path: Path, df: pd.DataFrame, kommune_codes: set[str]) -> pd.DataFrame:
    df = df[df["kommune_code"] != CHRISTIANSOE]
    if df.empty:
        raise SourceDataError(f"{path}: no rows for any kommune (only Christiansø, {CHRISTIANSOE}, which is "
                              "not a kommune)")
    unknown = sorted(set(df["kommune_code"]) - kommune_codes)
    if unknown:
        rows = [_line(i) for i in df.index[df["kommune_code"].isin(unknown)][:5]]
        raise SourceDataError(f"{path}: unknown kommune codes {unknown} (lines {rows}, column kommune_code)")
    return df


def _to_number(path: Path, df: pd.DataFrame, column: str) -> pd.Series:
    """Numbers (a decimal comma is read as a point); empty cells are NaN; ``inf``/``nan`` are refused."""
    text = df[column].str.strip()
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = text.ne("") & (values.isna() | values.abs().eq(math.inf))
    if bad.any():
        i = bad.idxmax()
        raise SourceDataError(f"{path}: line {_line(i)}, column {column}: {text[i]!r} is not a finite number")
    return values


THOUSANDS = re.compile(r"\d{1,3}(?:([.,  '])\d{3})(?:\1\d{3})*")
WHOLE = re.compile(r"\d+(?:\.0*)?")


def _to_count(path: Path, df: pd.DataFrame, column: str, required: bool) -> pd.Series:
    """Whole, non-negative counts written with digits only. A thousands separator is refused.

    ``671,714`` or ``671.714`` in a count column would otherwise read as 671.714 people.
    """
    text = df[column].str.strip()
    for i, value in text.items():
        if value == "" and not required:
            continue
        rule = None
        if value == "":
            rule = "is empty; every row needs a count"
        elif THOUSANDS.fullmatch(value):  # "671.714", "671,714", "1.000": never read as a decimal
            digits = re.sub(r"\D", "", value)
            rule = (f"looks like a number with a thousands separator; counts must be whole numbers "
                    f"written without separators (write {digits})")
        elif not WHOLE.fullmatch(value):
            number = pd.to_numeric(value.replace(",", "."), errors="coerce")
            if pd.isna(number) or not math.isfinite(number):
                rule = "is not a finite number; counts must be whole numbers"
            elif number < 0:
                rule = "is negative; counts must be whole numbers ≥ 0"
            elif number != math.floor(number):
                rule = "is not a whole number; counts are whole people"
            elif "e" in value.lower():
                continue  # a whole number in exponent form; the range check below judges its size
            else:
                rule = "is not written as a whole number"
        if rule:
            raise SourceDataError(f"{path}: line {_line(i)}, column {column}: {value!r} {rule}")
    return pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)


POPULATION_COLUMNS = ["population_total", "pop_0_17", "pop_18_64", "pop_65plus", "pop_80plus"]
AGE_GROUPS = ["pop_0_17", "pop_18_64", "pop_65plus"]  # together they are the total; 80+ is part of 65+


def _check_population(path: Path, df: pd.DataFrame, out: pd.DataFrame) -> None:
    """Plausible totals, age groups no larger than the total and summing to it (values shown as written)."""
    def where(i, col: str) -> str:
        return f"{path}: line {_line(i)}, column {col}: {df.at[i, col].strip()!r}"

    low, high = POPULATION_RANGE
    bad = (out["population_total"] < low) | (out["population_total"] > high)
    if bad.any():
        i = bad.idxmax()
        raise SourceDataError(
            f"{where(i, 'population_total')} (kommune {out.at[i, 'kommune_kode']}, {out.at[i, 'year']}) is outside "
            f"the plausible range {low:,}–{high:,} for a kommune's population"
        )
    for col in POPULATION_COLUMNS[1:]:
        bigger = out[col] > out["population_total"]
        if bigger.any():
            i = bigger.idxmax()
            total = df.at[i, "population_total"].strip()
            raise SourceDataError(f"{where(i, col)} is larger than population_total {total}; an age group is "
                                  "part of the total")
    bigger = out["pop_80plus"] > out["pop_65plus"]
    if bigger.any():
        i = bigger.idxmax()
        raise SourceDataError(f"{where(i, 'pop_80plus')} is larger than pop_65plus "
                              f"{df.at[i, 'pop_65plus'].strip()}; 80+ is part of 65+")
    groups = out[AGE_GROUPS]
    complete = groups.notna().all(axis=1)
    off = complete & (groups.sum(axis=1) != out["population_total"])
    if off.any():
        i = off.idxmax()
        raise SourceDataError(
            f"{path}: line {_line(i)}: the age groups {' + '.join(AGE_GROUPS)} sum to "
            f"{groups.loc[i].sum():.0f}, not population_total {df.at[i, 'population_total'].strip()}"
        )


def load_population(directory: Path, kommune_codes: set[str]) -> pd.DataFrame:
    """Population on 1 January per kommune and year (long format), checked for meaning.

    Counts are whole, finite, non-negative numbers without thousands separators; a kommune's total
    lies in `POPULATION_RANGE`; age groups are no larger than the total (and sum to it where all
    are given); every kommune has a row for every year in the file (the app offers every year).

    Returns
    -------
    DataFrame
        ``kommune_kode``, ``year`` (int), the ``POPULATION_COLUMNS`` (float, NaN where not
        published), ``source_table``, ``source``.

    Raises
    ------
    SourceDataError
        One message naming the file, line, column, value and rule.
    """
    path = directory / SOURCE_FILES["population"]
    with reading(path):
        return _load_population(path, kommune_codes)


def _load_population(path: Path, kommune_codes: set[str]) -> pd.DataFrame:
    df = _read_csv(path, ["kommune_code", "year", *POPULATION_COLUMNS, "source_table", "source"],
                   "one row per kommune and year")
    df = _check_codes(path, df, kommune_codes)
    out = pd.DataFrame({"kommune_kode": df["kommune_code"], "year": _to_count(path, df, "year", required=True)})
    low, high = YEAR_RANGE
    odd = (out["year"] < low) | (out["year"] > high)
    if odd.any():
        i = odd.idxmax()
        raise SourceDataError(f"{path}: line {_line(i)}, column year: {df.at[i, 'year']!r} is not a year "
                              f"between {low} and {high}")
    for col in POPULATION_COLUMNS:
        out[col] = _to_count(path, df, col, required=col == "population_total")
    out["year"] = out["year"].astype(int)
    out["source_table"] = df["source_table"]
    out["source"] = df["source"]
    _check_population(path, df, out)
    dup = out.duplicated(["kommune_kode", "year"])
    if dup.any():
        i = dup.idxmax()
        raise SourceDataError(f"{path}: line {_line(i)}: kommune {out.at[i, 'kommune_kode']} appears twice "
                              f"for {out.at[i, 'year']}")
    names = dict(zip(df["kommune_code"], df.get("kommune_name", df["kommune_code"]), strict=True))
    for year, group in out.groupby("year"):
        missing = sorted(kommune_codes - set(group["kommune_kode"]))
        if missing:
            named = ", ".join(f"{k} {names.get(k, '')}".strip() for k in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise SourceDataError(
                f"{path}: year {year} has no population for {len(missing)} kommune(r): {named}{more}; "
                "every kommune needs a row for every year in the file (the app offers every year)"
            )
    return out.reset_index(drop=True)


# --- population by sub-area (København's bydele) -----------------------------------------------

SUB_AREA_POPULATION_COLUMNS = ["bydel_nr", "bydel", "year", "reference_date", "population", "source"]
ASCII_WHOLE = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-[0-9]{2}-[0-9]{2}")


def _ascii_whole(path: Path, df: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Whole non-negative numbers written with the ASCII digits 0-9 only (int); anything else refused.

    A thousands separator (``56.171``, ``56,171``), a sign, decimals, an exponent or another
    script's digits are each named with the line, the column and the value as written.
    """
    from geo.tables import ascii_digit_problem  # geo.tables imports this module: import when used

    out = {}
    for i, raw in df[column].items():
        value = raw.strip()
        if ASCII_WHOLE.fullmatch(value):
            out[i] = int(value)
            continue
        if value == "":
            rule = f"is empty; every row needs {what}"
        elif why := ascii_digit_problem(value):
            rule = f"is not written with ASCII digits: {why}"
        elif THOUSANDS.fullmatch(value):
            rule = (f"looks like a number with a thousands separator; {what} must be a whole number "
                    f"written with the digits 0-9 only (write {re.sub(r'[^0-9]', '', value)})")
        elif value.startswith("-"):
            rule = f"is negative; {what} must be a whole number ≥ 0"
        else:
            rule = f"is not a whole number written with the digits 0-9 only ({what})"
        raise SourceDataError(f"{path}: line {_line(i)}, column {column}: {value!r} {rule}")
    return pd.Series(out, index=df.index, dtype="int64")


def load_sub_area_population(directory: Path, sub_areas: pd.DataFrame) -> pd.DataFrame:
    """Population on 1 January of each sub-area of a kommune (København's bydele), per year.

    The file has one row per bydel and year (``bydel_nr`` 1..n as in the bydel boundaries, with
    their names) and one per year for the kommune total (``bydel_nr`` `SUB_AREA_TOTAL`, 0).
    Checked: bydel numbers and names match the boundaries; counts and years are whole numbers
    written with ASCII digits only (no thousands separators); years lie in `YEAR_RANGE` and the
    reference date in its year; every year has every bydel and the total exactly once; the bydele
    together do not exceed the total (residents placed in no bydel are only in the total).

    Parameters
    ----------
    directory : Path
        The source-data directory.
    sub_areas : DataFrame
        The sub-areas of one kommune as `load_sub_areas` returns them (``kommune_kode``,
        ``sub_area_id``, ``sub_area_navn``).

    Returns
    -------
    DataFrame
        One row per (sub-area, year), sorted: ``kommune_kode``, ``sub_area_id`` ("1".."10"),
        ``sub_area_navn``, ``year`` (int), ``population`` (int), ``kommune_total`` (int: the
        kommune's total that year, including residents placed in no sub-area), ``source``.

    Raises
    ------
    SourceDataError
        One message naming the file, line, column, value and rule.
    """
    path = directory / SOURCE_FILES["bydele_population"]
    with reading(path):
        return _load_sub_area_population(path, sub_areas, SOURCE_FILES["bydele"])


def _load_sub_area_population(path: Path, sub_areas: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    codes = sorted(set(sub_areas["kommune_kode"]))
    if len(codes) != 1:
        raise SourceDataError(f"{path}: the sub-areas to check it against belong to {len(codes)} kommuner "
                              f"({codes}); expected those of one kommune")
    kode = codes[0]
    names = {int(s): unicodedata.normalize("NFC", str(n)).strip()
             for s, n in zip(sub_areas["sub_area_id"], sub_areas["sub_area_navn"], strict=True)}
    df = _read_csv(path, SUB_AREA_POPULATION_COLUMNS, "one row per bydel and year, and one for the total",
                   kommune_codes=False)
    number = _ascii_whole(path, df, "bydel_nr", "a bydel number")
    known = sorted(names)
    bad = ~number.isin([SUB_AREA_TOTAL, *known])
    if bad.any():
        i = bad.idxmax()
        raise SourceDataError(
            f"{path}: line {_line(i)}, column bydel_nr: {df.at[i, 'bydel_nr'].strip()!r} is not a bydel number: "
            f"expected {SUB_AREA_TOTAL} (the kommune total) or one of {known[0]}–{known[-1]} as in {boundaries}")
    for i, nr in number.items():
        if nr == SUB_AREA_TOTAL:
            continue
        written = unicodedata.normalize("NFC", df.at[i, "bydel"]).strip()
        if written != names[nr]:
            raise SourceDataError(f"{path}: line {_line(i)}, column bydel: {df.at[i, 'bydel'].strip()!r} is not the "
                                  f"name of bydel {nr} in {boundaries} ({names[nr]!r}); numbers and names must "
                                  "match the boundaries")
    year = _ascii_whole(path, df, "year", "a year")
    low, high = YEAR_RANGE
    odd = (year < low) | (year > high)
    if odd.any():
        i = odd.idxmax()
        raise SourceDataError(f"{path}: line {_line(i)}, column year: {df.at[i, 'year'].strip()!r} is not a year "
                              f"between {low} and {high}")
    for i, text in df["reference_date"].items():
        match = _ISO_DATE.fullmatch(text.strip())
        if not match or int(match.group(1)) != year[i]:
            raise SourceDataError(f"{path}: line {_line(i)}, column reference_date: {text.strip()!r} is not a date "
                                  f"(YYYY-MM-DD) in the row's year {year[i]}")
    population = _ascii_whole(path, df, "population", "a count")
    rows = pd.DataFrame({"nr": number, "year": year, "population": population, "line": df.index.map(_line)})
    dup = rows.duplicated(["nr", "year"], keep=False)
    if dup.any():
        first = rows[dup].iloc[0]
        lines = rows.loc[dup & (rows["nr"] == first.nr) & (rows["year"] == first.year), "line"].tolist()
        what = "the total (bydel_nr 0)" if first.nr == SUB_AREA_TOTAL else f"bydel {first.nr} ({names[first.nr]})"
        raise SourceDataError(f"{path}: lines {', '.join(map(str, lines))}: {what} appears {len(lines)} times for "
                              f"{first.year}; every year has each bydel and the total exactly once")
    wanted = [SUB_AREA_TOTAL, *known]
    for y, group in rows.groupby("year"):
        missing = [n for n in wanted if n not in set(group["nr"])]
        if missing:
            named = ", ".join("the total (bydel_nr 0)" if n == SUB_AREA_TOTAL else f"bydel {n} ({names[n]})"
                              for n in missing)
            raise SourceDataError(f"{path}: year {y} has no row for {named}; every year needs the {len(known)} "
                                  "bydele and the total (bydel_nr 0) exactly once")
        total = group[group["nr"] == SUB_AREA_TOTAL].iloc[0]
        placed = int(group.loc[group["nr"] != SUB_AREA_TOTAL, "population"].sum())
        if placed > total.population:
            raise SourceDataError(
                f"{path}: year {y}: the bydele sum to {placed:,}, more than the total {total.population:,} "
                f"(line {total.line}, bydel_nr 0); the bydele are part of the total")
    totals = rows[rows["nr"] == SUB_AREA_TOTAL].set_index("year")["population"]
    parts = rows[rows["nr"] != SUB_AREA_TOTAL]
    out = pd.DataFrame({
        "kommune_kode": kode,
        "sub_area_id": parts["nr"].astype(str),
        "sub_area_navn": parts["nr"].map(names),
        "year": parts["year"].astype(int),
        "population": parts["population"].astype("int64"),
        "kommune_total": parts["year"].map(totals).astype("int64"),
        "source": df.loc[parts.index, "source"],
    })
    out = out.assign(_order=parts["nr"]).sort_values(["kommune_kode", "year", "_order"])
    return out.drop(columns="_order").reset_index(drop=True)


@dataclass(frozen=True)
class Plausible:
    """The values an indicator unit can take: ``low ≤ value ≤ high``, whole numbers if ``whole``."""

    what: str
    low: float
    high: float = math.inf
    whole: bool = False


# One registry, keyed by the unit written in indicators.csv: what a value in that unit can be.
INDICATOR_UNITS = {
    "%": Plausible("a percentage", 0, 100),
    "point (0-100)": Plausible("a Gini coefficient in points", 0, 100),
    "år": Plausible("a life expectancy in years", 40, 110),
    "kr.": Plausible("an amount in kroner (whole kroner)", 0, whole=True),
    "pr. 1.000 indb.": Plausible("a rate per 1,000 inhabitants", 0, 1000),
}


def _check_indicator_values(path: Path, df: pd.DataFrame, values: pd.Series) -> None:
    unknown = ~df["unit"].isin(list(INDICATOR_UNITS))
    if unknown.any():
        i = unknown.idxmax()
        raise SourceDataError(f"{path}: line {_line(i)}, column unit: {df.at[i, 'unit']!r} is not a known unit; "
                              f"known units: {', '.join(INDICATOR_UNITS)} (geo.sources.INDICATOR_UNITS)")
    rules = df["unit"].map(INDICATOR_UNITS)
    low = rules.map(lambda r: r.low)
    high = rules.map(lambda r: r.high)
    whole = rules.map(lambda r: r.whole).astype(bool)
    known = values.notna()
    fraction = known & whole & (values != values.round())
    outside = known & ((values < low) | (values > high))
    if not (fraction.any() or outside.any()):
        return
    i = (fraction | outside).idxmax()
    rule, text = rules[i], df.at[i, "value"].strip()
    where = f"{path}: line {_line(i)}, column value: {text!r} ({df.at[i, 'indicator_id']}, unit {df.at[i, 'unit']})"
    if fraction[i]:
        hint = " (it looks like a thousands separator: write the digits only)" if THOUSANDS.fullmatch(text) else ""
        raise SourceDataError(f"{where} must be a whole number as {rule.what}{hint}")
    upper = "" if math.isinf(rule.high) else f" and ≤ {rule.high:g}"
    raise SourceDataError(f"{where} is not plausible as {rule.what}: it must be ≥ {rule.low:g}{upper}")


def load_indicators(directory: Path, kommune_codes: set[str]) -> pd.DataFrame:
    """The indicator series in long format, one row per (series, kommune).

    A series is an ``indicator_id`` in one ``year``; ``series_id`` is ``"<indicator_id>@<year>"``.
    Values are finite and plausible for their unit (`INDICATOR_UNITS`); empty values are left out.

    Returns
    -------
    DataFrame
        ``series_id``, ``indicator_id``, ``name``, ``kommune_kode``, ``value`` (float), ``unit``,
        ``year`` (text as published, e.g. "2019-2023"), ``source``.
    """
    path = directory / SOURCE_FILES["indicators"]
    with reading(path):
        return _load_indicators(path, kommune_codes)


def _load_indicators(path: Path, kommune_codes: set[str]) -> pd.DataFrame:
    cols = ["kommune_code", "indicator_id", "indicator_name_da", "value", "unit", "year", "source"]
    df = _read_csv(path, cols, "one row per indicator, year and kommune")
    df = _check_codes(path, df, kommune_codes)
    values = _to_number(path, df, "value")
    _check_indicator_values(path, df, values)
    out = pd.DataFrame(
        {
            "series_id": df["indicator_id"] + "@" + df["year"],
            "indicator_id": df["indicator_id"],
            "name": df["indicator_name_da"],
            "kommune_kode": df["kommune_code"],
            "value": values,
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
