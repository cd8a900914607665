"""Shared fixtures: tiny synthetic geometries (boxes) and, for data tests, the real bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Every test runs as on one day (the app, the CLI in subprocesses and servers the tests start inherit
# it), so a test's answer does not change on 1 January 2027; tests of dates set their own.
os.environ.setdefault("KLYNGEKORT_TODAY", "2026-12-02")

from geo.config import CRS_WORK, sources_dir  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def bundle():
    """The real bundle (source data + project tables); skipped where the sources are absent."""
    if not sources_dir().is_dir():
        pytest.skip(f"source data not found at {sources_dir()} (set KLYNGEKORT_SOURCES)")
    from geo.bundle import load_bundle

    return load_bundle()


@pytest.fixture()
def tiny():
    """Three kommuner in a row (A=0001 split in two sub-areas, B=0002, C=0003), 10 km boxes.

    Layer 'klynger' (extent all): A split 0.6/0.4 between u1 (sub-area 1) and u2 (sub-area 2),
    B in u2, C in u3. Layer 'historisk' (extent named, display region R1) names only A and B.
    """
    kommuner = gpd.GeoDataFrame(
        {
            "kommune_kode": ["0001", "0002", "0003"],
            "kommune_navn": ["A", "B", "C"],
            "region": ["R1", "R1", "R1"],
        },
        geometry=[box(0, 0, 10_000, 10_000), box(10_000, 0, 20_000, 10_000), box(20_000, 0, 30_000, 10_000)],
        crs=CRS_WORK,
    )
    sub_areas = gpd.GeoDataFrame(
        {"kommune_kode": ["0001", "0001"], "sub_area_id": ["1", "2"], "sub_area_navn": ["Vest", "Øst"]},
        geometry=[box(0, 0, 5_000, 10_000), box(5_000, 0, 10_000, 10_000)],
        crs=CRS_WORK,
    )
    layers = pd.DataFrame(
        {
            "layer": ["klynger", "historisk"],
            "name_da": ["Klynger", "Historisk"],
            "name_en": ["Clusters", "Historic"],
            "extent": ["all", "named"],
            "display_region": ["", "R1"],
            "source": ["test", "test"],
            "confidence": ["high", "medium"],
            "_line": [2, 3],
        }
    )
    units = pd.DataFrame(
        {
            "layer": ["klynger"] * 3 + ["historisk"],
            "unit_id": ["u1", "u2", "u3", "h1"],
            "unit_navn": ["Enhed 1", "Enhed 2", "Enhed 3", "Historisk 1"],
        }
    )
    assignments = pd.DataFrame(
        {
            "layer": ["klynger", "klynger", "klynger", "klynger", "historisk", "historisk"],
            "kommune_kode": ["0001", "0001", "0002", "0003", "0001", "0002"],
            "unit_id": ["u1", "u2", "u2", "u3", "h1", "h1"],
            "share": [0.6, 0.4, 1.0, 1.0, 1.0, 1.0],
            "basis": ["bydele", "bydele", "", "", "", ""],
            "sub_areas": ["1", "2", "", "", "", ""],
            "source": ["test"] * 6,
            "confidence": ["high", "low", "medium", "high", "medium", "medium"],
            "_line": [2, 3, 4, 5, 6, 7],
        }
    )
    return {"kommuner": kommuner, "sub_areas": sub_areas, "layers": layers, "units": units,
            "assignments": assignments}
