"""In headless Chromium: upload a kommune table on Egne tal, the map draws every kommune part, and the
CSV and GeoJSON downloads parse."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from geo import catalog, model
from tests.test_browser import browser, map_frame, page, server, wait_for_app  # noqa: F401 - fixtures
from tests.test_owndata import statistikbanken_csv

pytestmark = pytest.mark.browser


def test_upload_map_and_downloads(page, server, bundle):  # noqa: F811
    pop, _ = catalog.population_total(bundle.population, 2024)
    values = {k: ("1", str(int(v))) for k, v in pop.items()}
    values["0825"] = ("1", "..")
    data = statistikbanken_csv(bundle.kommuner, values)
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, "sundhedsklynger")
    page.goto(f"{server}/egne_tal")
    wait_for_app(page, "Ingen tabel endnu")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": "folk1a.csv", "mimeType": "text/csv", "buffer": data}])
    expect(page.get_by_text("Kommuner uden data (1): Læsø (0825)")).to_be_visible(timeout=90_000)
    frame = map_frame(page, len(parts))
    expect(frame.locator("path.leaflet-interactive")).to_have_count(len(parts), timeout=30_000)
    expect(frame.locator(".unit-label", has_text="Aarhusklyngen")).to_be_visible(timeout=30_000)
    wait_for_app(page, "Enheder (CSV)")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text("Enheder (CSV)").click()
    download = info.value
    assert download.suggested_filename == "klyngekort_egne_tal_sundhedsklynger_2024.csv"
    table = pd.read_csv(io.StringIO(Path(download.path()).read_text(encoding="utf-8")), dtype={"missing_kommuner": str})
    assert len(table) == (bundle.units["layer"] == "sundhedsklynger").sum() and table["value"].sum() == pytest.approx(pop.drop("0825").sum())
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text("Enheder (GeoJSON)").click()
    geojson = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == (bundle.units["layer"] == "sundhedsklynger").sum()
