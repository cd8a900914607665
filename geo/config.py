"""Paths, coordinate reference systems and fixed conventions."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SOURCES_ENV = "KLYNGEKORT_SOURCES"
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
    "population": "statistics/population.csv",
    "indicators": "statistics/indicators.csv",
}

CONFIDENCE_LEVELS = ("high", "medium", "low")


def sources_dir() -> Path:
    """The source-data directory: ``$KLYNGEKORT_SOURCES`` or ``../shared/data/sources``."""
    value = os.environ.get(SOURCES_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_SOURCES.resolve()
