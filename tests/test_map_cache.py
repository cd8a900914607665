"""Maps drawn once per view (issue 16): what `ui.show_map` sends is what st_folium sends, the cached map
is the same object for the same view and another for another view, and Leaflet finds its marker images."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
import streamlit_folium
from shapely.geometry import Point, box

import ui
from geo import assets, mapbuild
from geo.viewstate import MapState

URL = "/app/static/vendor/leaflet"


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"tip": ["<b>A</b>", "<b>B</b>"], "colour": ["#ff0000", "#00ff00"]},
                            geometry=[box(500_000, 6_200_000, 510_000, 6_210_000),
                                      box(510_000, 6_200_000, 520_000, 6_210_000)], crs=25832)


def _map():
    labels = gpd.GeoDataFrame({"text": ["Enhed A"], "area": [1.0]}, geometry=[Point(505_000, 6_205_000)], crs=25832)
    return mapbuild.build_map(_areas(), assets_url=URL, labels=labels)


def _highlight():
    return mapbuild.highlight_group(_areas().iloc[[0]])


@pytest.fixture()
def sent(monkeypatch):
    """What reaches the browser: every call of the component function, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(ui, "_send_component", lambda **kwargs: calls.append(kwargs))
    return calls


def test_show_map_sends_what_st_folium_sends(sent):
    streamlit_folium.st_folium(_map(), key="k", height=480, use_container_width=True,
                               returned_objects=["last_object_clicked_tooltip"], feature_group_to_add=_highlight())
    drawn = ui.DrawnMap.of(_map())
    ui.show_map(drawn, key="k", height=480, returned_objects=["last_object_clicked_tooltip"],
                feature_group=ui._captured(mapbuild.build_map(_areas(), assets_url=URL),
                                           feature_group_to_add=_highlight())["feature_group"])
    assert len(sent) == 2, "rendering for the cache sent nothing"
    direct, cached = sent
    different = {k for k in direct if direct[k] != cached[k]}
    assert different == {"key", "on_change"}  # the component key is ours; the callback is a closure
    assert direct["script"].count("L.marker(") == 1 and "Enhed A" in direct["script"]


def test_the_component_key_differs_per_map_and_per_widget_key(sent):
    one, other = ui.DrawnMap.of(_map()), ui.DrawnMap.of(mapbuild.build_map(_areas().iloc[[0]], assets_url=URL))
    for drawn, key in ((one, "a"), (one, "a"), (one, "b"), (other, "a")):
        ui.show_map(drawn, key=key, height=400, returned_objects=[])
    keys = [call["key"] for call in sent]
    assert keys[0] == keys[1] and len(set(keys)) == 3
    assert one.script != other.script


def test_a_capture_in_one_thread_does_not_swallow_another_threads_map(sent):
    import threading

    box_ = {}
    ui._capture.sink = {}  # this thread is rendering for the cache
    try:
        worker = threading.Thread(target=lambda: box_.setdefault("value", streamlit_folium.st_folium(_map(), key="x")))
        worker.start()
        worker.join()
    finally:
        ui._capture.sink = None
    assert len(sent) == 1 and sent[0]["height"] == 700  # the other thread's map was sent


def test_the_same_view_is_drawn_once_and_another_view_apart(bundle):
    day = dt.date(2026, 12, 2)
    layer = bundle.registry.main_layer(day)
    state = MapState(layer=layer, on=day, lang="da", labels=True)
    first = ui.national_map(state.drawn())
    assert ui.national_map(MapState(layer=layer, on=day, lang="da", labels=True)) is first  # a hit: one object
    assert ui.national_map(state.drawn(), ui.map_bounds(layer, (bundle.units["unit_id"].iloc[0],))) is not first
    numeric = ui.national_map(MapState(layer=layer, on=day, lang="da", fill=next(k for k in ui.fills() if k != "membership")))
    english = ui.national_map(MapState(layer=layer, on=day, lang="en", labels=True))
    assert len({first.script, numeric.script, english.script}) == 3
    # selecting a kommune or a unit draws on top of the same map
    assert MapState(layer=layer, on=day, kommune="0101", unit="x").drawn() == MapState(layer=layer, on=day)


def test_leaflet_is_told_where_its_marker_images_are_before_any_marker():
    script = ui.DrawnMap.of(_map()).script
    path = f'L.Icon.Default.imagePath = "{URL}/images/";'
    assert path in script
    assert script.index(path) < script.index("L.marker(")
    images = {p.name for p in assets.wanted()}
    assert {"marker-icon.png", "marker-shadow.png", "marker-icon-2x.png"} <= images  # installed, so served


def test_the_side_by_side_maps_know_their_marker_images_too():
    pair = mapbuild.build_dual_map({"areas": _areas()}, {"areas": _areas()}, assets_url=URL, sync_url=None)
    html = pair.get_root().render()
    assert html.count(f'L.Icon.Default.imagePath = "{URL}/images/";') == 2


def test_the_atlas_script_points_leaflet_at_the_atlas_images():
    text = (mapbuild.Path(__file__).resolve().parent.parent / "geo" / "templates" / "site.js").read_text()
    assert 'L.Icon.Default.imagePath = me.src.replace(/site\\.js([?#].*)?$/, "images/")' in text
