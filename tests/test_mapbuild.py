"""The folium map: what is in the HTML (no external requests, local Leaflet, tooltips, rounding)."""

from __future__ import annotations

import json
import re

import pandas as pd

from geo.mapbuild import build_map, draw_frame, external_urls, highlight_group, tooltip_html


def areas(tiny):
    frame = tiny["kommuner"].copy()
    frame["colour"] = ["#111111", "#222222", "#333333"]
    frame["tip"] = [tooltip_html(f"{n} ({k})", ["Enhed <1>"]) for n, k in zip(frame.kommune_navn, frame.kommune_kode, strict=True)]
    return frame


def test_map_makes_no_external_requests_and_loads_local_leaflet(tiny):
    fmap = build_map(areas(tiny), assets_url="/app/static/vendor/leaflet")
    html = fmap.get_root().render()
    assert external_urls(fmap) == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html
    assert "cdn" not in html.lower()
    assert "tile" not in html.lower() or "tileLayer" not in html


def test_optional_basemap_is_the_only_external_source(tiny):
    fmap = build_map(areas(tiny), assets_url="/x", basemap=True)
    html = fmap.get_root().render()
    assert "tile.openstreetmap.org" in html


def test_geojson_carries_only_tooltip_and_colour(tiny):
    html = build_map(areas(tiny), assets_url="/x").get_root().render()
    data = json.loads(re.search(r"_add\((\{\"features\".*?\})\);", html, re.S).group(1))
    assert len(data["features"]) == 3
    assert set(data["features"][0]["properties"]) == {"tip", "colour"}
    assert "A (0001)" in data["features"][0]["properties"]["tip"]
    assert "Enhed &lt;1&gt;" in data["features"][0]["properties"]["tip"]


def test_sites_without_coordinates_are_skipped(tiny):
    sites = pd.DataFrame({"lat": [55.0, None], "lon": [10.0, None], "kind": ["akutsygehus"] * 2,
                          "tip": ["Sygehus X", "Sygehus Y"]})
    html = build_map(areas(tiny), assets_url="/x", sites=sites).get_root().render()
    assert html.count("L.circleMarker(") == 1
    assert "Sygehus X" in html and "Sygehus Y" not in html


def test_draw_frame_rounds_and_reprojects_without_mutating(tiny):
    frame = areas(tiny)
    before = frame.copy()
    drawn = draw_frame(frame, ["tip"], precision=3)
    assert drawn.crs.to_epsg() == 4326
    coords = json.loads(drawn.to_json())["features"][0]["geometry"]["coordinates"][0]
    assert all(len(str(c).split(".")[-1]) <= 3 for xy in coords for c in xy)
    assert list(drawn.columns) == ["tip", "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(before.drop(columns="geometry")), pd.DataFrame(frame.drop(columns="geometry")))


def test_highlight_group_is_not_interactive(tiny):
    fmap = build_map(areas(tiny), assets_url="/x")
    highlight_group(tiny["kommuner"].iloc[[0]]).add_to(fmap)
    html = fmap.get_root().render()
    assert '"interactive": false' in html


def test_map_page_allows_zoom(tiny):
    html = build_map(areas(tiny), assets_url="/x").get_root().render()
    assert "user-scalable=no" not in html and "maximum-scale=1.0" not in html
    assert 'name="viewport"' in html
