"""Paths, coordinate reference systems and fixed conventions."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SOURCES_ENV = "KLYNGEKORT_SOURCES"
DATA_ENV = "KLYNGEKORT_DATA"
DEFAULT_SOURCES = ROOT.parent / "shared" / "data" / "sources"

CRS_WORK = "EPSG:25832"  # ETRS89 / UTM 32N: areas, distances, dissolves
CRS_DRAW = "EPSG:4326"  # WGS84: what Leaflet draws and RFC 7946 GeoJSON uses

CHRISTIANSOE = "0411"  # outside the kommune structure
KOMMUNER_COUNT = 98

# Files expected in the source-data directory (see ../shared/data/README.md).
SOURCE_FILES = {
    "kommuner": "boundaries/kommuner.geojson",
    "regioner": "boundaries/regioner.geojson",
    "bydele": "boundaries/koebenhavn_bydele.geojson",
    "bydele_population": "statistics/koebenhavn_bydele_population.csv",
    "population": "statistics/population.csv",
    "indicators": "statistics/indicators.csv",
}

CONFIDENCE_LEVELS = ("high", "medium", "low")

# What the source data must look like to be believed (checked in geo.sources; README "What is validated").
DK_EXTENT = (7.5, 54.4, 15.5, 58.0)  # lon/lat bounds (WGS84) every source feature must lie inside
KOMMUNE_AREA_KM2 = (5.0, 2_000.0)  # Frederiksberg 8.7 km², Ringkøbing-Skjern 1,494 km² (EPSG:25832)
POPULATION_RANGE = (1, 2_000_000)  # a kommune's population (Læsø ~1,800, København ~670,000)
YEAR_RANGE = (1900, 2100)
SUB_AREA_TOTAL = 0  # bydel_nr of the kommune total in a sub-area population file (the bydele are 1..n)
# The kommuner's union may differ from the regions' union by this much. Measured on the 2014 DAGI
# data: 0.37 km², which is Christiansø (in the regions, left out of the kommuner). The smallest
# kommune is 8.7 km², so a kommune missing or shrunk to a sliver differs by far more.
COVERAGE_TOLERANCE_KM2 = 1.0


def sources_dir() -> Path:
    """The source-data directory: ``$KLYNGEKORT_SOURCES`` or ``../shared/data/sources``."""
    value = os.environ.get(SOURCES_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_SOURCES.resolve()


def data_dir() -> Path:
    """The project's tables (layers, units, ...): ``$KLYNGEKORT_DATA`` or the repository's ``data/``."""
    value = os.environ.get(DATA_ENV)
    return Path(value).expanduser().resolve() if value else DATA_DIR
