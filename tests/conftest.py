"""Shared fixtures: tiny synthetic geometries (boxes) and, for data tests, the real sources, the real
bundle (one per session, shared with the app's cache so AppTests do not load it again) and the atlas
(built once per session).

Every test is marked fast, data, app or browser from what it uses (tests/markers.py); nobody has to
remember the markers. ``pytest -m fast`` runs the tests of pure geo/ on box fixtures.
"""

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

from geo.config import CRS_WORK, SOURCES_ENV, data_dir, sources_dir  # noqa: E402
from tests import markers  # noqa: E402

DATA = Path(__file__).parent / "data"


def pytest_collection_modifyitems(config, items):
    markers.mark_items(items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A fast test runs with the source data out of reach (see tests/markers.py)."""
    if item.get_closest_marker("fast") is None:
        yield
        return
    before = os.environ.get(SOURCES_ENV)
    os.environ[SOURCES_ENV] = str(Path(item.config.rootpath) / markers.GUARD)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SOURCES_ENV, None)
        else:
            os.environ[SOURCES_ENV] = before


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if item.get_closest_marker("fast") is not None and (report.failed or report.skipped) \
            and markers.GUARD in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} is marked fast (it uses no data fixture) but reads the source data:\n"
                           f"ask for the `real_sources` or `bundle` fixture (tests/conftest.py), which marks it data.\n\n"
                           f"{report.longrepr}")


@pytest.fixture(scope="session")
def real_sources() -> Path:
    """The real source-data directory; skipped where it is absent. Asking for it marks a test data."""
    directory = sources_dir()
    if not directory.is_dir():
        pytest.skip(f"source data not found at {directory} (set KLYNGEKORT_SOURCES)")
    return directory


@pytest.fixture(scope="session")
def bundle(real_sources):
    """The real bundle (source data + project tables), loaded once per session.

    It is the object the app's own cache (``ui._load``, st.cache_resource) holds for the same folders,
    so the AppTests in this process find it loaded. Read-only: geo/ never mutates its input, and a test
    that wants a changed bundle makes a copy (dataclasses.replace).
    """
    import ui

    return ui._load(str(real_sources), str(data_dir()))


@pytest.fixture(scope="session")
def atlas(bundle, tmp_path_factory) -> Path:
    """The static atlas on the real bundle, built once per session (tests/test_site.py, the deploy test)."""
    import datetime as dt

    from geo import site

    out = tmp_path_factory.mktemp("atlas") / "site"
    site.build_site(bundle, out, today=dt.date(2026, 11, 30))
    return out


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
