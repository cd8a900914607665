"""The folium map: what is in the HTML (no external requests, local Leaflet, tooltips, rounding)."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from geo.config import CRS_WORK
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


def test_label_points_lie_inside_their_units_even_when_concave(tiny):
    from shapely.geometry import Polygon, box

    from geo.mapbuild import label_points

    u_shape = Polygon([(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)])
    units = gpd.GeoDataFrame({"unit_id": ["u", "two"]},
                             geometry=[u_shape, box(100, 0, 101, 1).union(box(200, 0, 260, 60))], crs=CRS_WORK)
    points = label_points(units)
    assert list(points["unit_id"]) == ["u", "two"]
    assert all(p.within(g) for p, g in zip(points.geometry, units.geometry, strict=True))
    assert units.geometry.centroid.iloc[0].within(u_shape) is False  # why not the centroid
    assert points.geometry.iloc[1].within(box(200, 0, 260, 60))  # the largest part carries the name
    assert list(units.columns) == ["unit_id", "geometry"]  # input untouched
    with pytest.raises(ValueError, match="projected CRS"):
        label_points(units.to_crs(4326))


def test_labels_are_escaped_not_interactive_and_decluttered(tiny):
    from geo.mapbuild import label_points

    units = tiny["kommuner"].assign(text=["<img src=x>", "B", "C"])
    fmap = build_map(tiny["kommuner"].assign(colour="#ffffff", tip="t"), assets_url="/a",
                     labels=label_points(units))
    html = fmap.get_root().render()
    # folium writes the icon's HTML as a JSON string: the escaped text appears as \u0026lt;img …
    assert "\\u0026lt;img src=x\\u0026gt;" in html
    assert "<img src=x>" not in html and "\\u003cimg" not in html
    assert html.count("data-rank") == 3 and '"interactive": false' in html
    assert "function declutter" in html


@pytest.mark.parametrize(("name", "short"), [
    ("Sundhedsklyngen Holbæk", "Holbæk"), ("Gødstrupklyngen (tidl. Vestklyngen)", "Gødstrupklyngen"),
    ("Sundhedsklynge Nord (Nordsjælland)", "Sundhedsklynge Nord"), ("Klynge Nord", "Klynge Nord"),
    ("Psykiatrisk Center Glostrup (incl. former PC Hvidovre, merged 1 Feb 2016)", "PC Glostrup"),
    ("Psykiatrien Region Nordjylland – Almenpsykiatrisk Afdeling Syd", "Psyk. Nordjylland Syd"),
    ("Sundhedsråd Amager og Vestegnen", "Amager og Vestegnen"), ("Midtklyngen", "Midtklyngen"),
])
def test_short_names_for_labels(name, short):
    from geo.views import short_name

    assert short_name(name) == short


@pytest.mark.parametrize(("share", "da", "en"), [(1.0, "100 %", "100%"), (0.9962, "99,6 %", "99.6%"),
                                                 (0.99996, "99,99 %", "99.99%"), (0.5, "50 %", "50%")])
def test_coverage_never_rounds_up_to_100_percent(share, da, en):
    from geo.views import coverage_percent

    assert coverage_percent(share, "da") == da and coverage_percent(share, "en") == en


@pytest.mark.parametrize(("values", "kind", "expected"), [
    ([79.3, 82.7], "rate", "dot"), ([12.0, 20.0], "rate", "bar"), ([40_000, 41_000], "count", "bar"),
    ([-1.0, 2.0], "rate", "bar"),
])
def test_chart_kind_starts_bars_at_zero_or_uses_dots(values, kind, expected):
    import pandas as pd

    from geo.ulighed import chart_kind

    assert chart_kind(pd.Series(values), kind) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("København (0101)\nSundhedsklynge Byen: 58 %", "0101"),
    ("Evil (0101) name (0147)\nSundhedsklynge Byen (0101)", "0147"),
    ("Sundhedsklynge Byen", None),
    ("", None),
    (None, None),
])
def test_code_from_tooltip_reads_the_title_only(text, code):
    from geo.views import code_from_tooltip

    assert code_from_tooltip(text) == code


@pytest.mark.parametrize("name", ["{{ 7*7 }}X1", "{% raw %}X2", "{# X3", "{{ lipsum.__globals__.os }}X4"])
def test_jinja_syntax_in_data_is_text_in_the_map(tiny, name):
    """folium runs the map's script through Jinja again: a name must never be evaluated there."""
    from geo import safe
    from geo.mapbuild import add_labels, build_map, label_points, tooltip_html

    areas = tiny["kommuner"].assign(tip=[tooltip_html(name, [name])] * 3, colour="#ffffff")
    sites = pd.DataFrame({"lat": [56.0], "lon": [10.0], "kind": ["akutsygehus"], "tip": [tooltip_html(name, [])]})
    fmap = build_map(areas, assets_url="/a", sites=sites)
    units = tiny["kommuner"].rename(columns={"kommune_navn": "text"})
    units["text"] = name
    add_labels(fmap, label_points(units))
    html = fmap.get_root().render()  # raised TemplateSyntaxError for '{% raw %}' before the fix
    assert name not in html and "49X1" not in html
    assert safe.html(name) in html  # the site's tooltip and the labels
    assert safe.html(name).replace("&", "\\u0026") in html  # the areas' tooltips, inside folium's JSON


def test_raw_geojson_text_cannot_open_a_jinja_tag(tiny):
    from geo.mapbuild import build_map

    areas = tiny["kommuner"].assign(tip="{{ 7*7 }}Y1", colour="#ffffff")
    html = build_map(areas, assets_url="/a").get_root().render()
    assert "49Y1" not in html and "\\u0026#123;\\u0026#123; 7*7 }}Y1" in html


# --- two maps that move together (the transition page) --------------------------------------------

def test_dual_map_loads_leaflet_and_leaflet_sync_from_the_app(tiny):
    from streamlit_folium import generate_leaflet_string

    from geo.mapbuild import build_dual_map

    shape = tiny["kommuner"].iloc[[0]]
    pair = build_dual_map({"areas": areas(tiny), "highlight": highlight_group(shape)}, {"areas": areas(tiny)},
                          assets_url="/app/static/vendor/leaflet", sync_url="/app/static/vendor/leaflet-sync")
    html = pair.get_root().render()
    assert external_urls(pair) == [] and "cdn" not in html.lower()
    assert '<script src="/app/static/vendor/leaflet-sync/L.Map.Sync.js"></script>' in html
    assert html.count("L.map(") == 2 and "maximum-scale=5.0" in html and "user-scalable=no" not in html
    # st_folium draws a DualMap as map_div and map_div2 and joins them with the plug-in
    script = generate_leaflet_string(pair)
    assert "if (L.Map.prototype.sync) { map_div.sync(map_div2);map_div2.sync(map_div);}" in script


def test_dual_map_without_the_plugin_draws_unsynchronised(tiny):
    from geo.mapbuild import build_dual_map

    pair = build_dual_map({"areas": areas(tiny)}, {"areas": areas(tiny)}, assets_url="/x", sync_url=None)
    html = pair.get_root().render()
    assert "L.Map.Sync.js" not in html and "if (L.Map.prototype.sync)" in html


def test_bounds_union_holds_every_box():
    from geo.mapbuild import bounds_union

    assert bounds_union([[[55, 9], [56, 10]], [[54.5, 9.5], [55.5, 12]]]) == [[54.5, 9], [56, 12]]
    with pytest.raises(ValueError, match="at least one box"):
        bounds_union([])
