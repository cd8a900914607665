"""In headless Chromium: the transition page's two maps (2022 and 2027) both draw, move together when one is
dragged or zoomed, and nothing is requested from another host."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from geo import model
from tests.test_browser import browser, map_frame, page, server, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
# Each map has drawn its kommune parts and the acute hospitals (``n``: the two counts).
DRAWN = ("(n) => window.map_div && window.map_div2 && window.map_div._loaded && window.map_div2._loaded"
         " && [map_div, map_div2].every((m, i) =>"
         " m.getContainer().querySelectorAll('path.leaflet-interactive').length === n[i])")
VIEW = ("[map_div.getCenter().lat, map_div.getCenter().lng, map_div.getZoom(),"
        " map_div2.getCenter().lat, map_div2.getCenter().lng, map_div2.getZoom()]")
# Both maps show the same view (Leaflet.Sync keeps the centres equal: the maps have the same size), and it
# is not the view they started with.
# (``start`` null: any view both share.) ``zoom``: the zoom both must have reached, if given.
SAME_NEW_VIEW = ("([start, zoom]) => { const m = map_div, n = map_div2, a = m.getCenter(), b = n.getCenter();"
                 " const same = Math.abs(a.lat - b.lat) < 1e-6 && Math.abs(a.lng - b.lng) < 1e-6"
                 " && m.getZoom() === n.getZoom() && !m._animatingZoom && !n._animatingZoom;"
                 " const moved = !start || Math.abs(a.lat - start[0]) > 1e-3 || Math.abs(a.lng - start[1]) > 1e-3"
                 " || m.getZoom() !== start[2]; return same && moved && (zoom === null || m.getZoom() === zoom); }")


def test_the_two_maps_draw_and_move_together(page, server, bundle):  # noqa: F811
    page.goto(f"{server}/overgang?kommune=0410")
    expect(page.get_by_text("Middelfart (0410) hører til Sundhedsklynge Lillebælt").first).to_be_visible(
        timeout=120_000)
    old, new = bundle.registry.change_pair(dt.date(2026, 12, 2))
    hospitals = int((bundle.sites["kind"] == "akutsygehus").sum())
    drawn = [len(model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, layer))
             + hospitals for layer in (old, new)]
    frame = map_frame(page, sum(drawn))
    frame.wait_for_function(DRAWN, arg=drawn, timeout=60_000)
    wait_idle(page)
    labels = [int((bundle.units["layer"] == layer).sum()) for layer in (old, new)]  # every klynge, every council
    frame.wait_for_function("(n) => [map_div, map_div2].every((m, i) =>"
                            " m.getContainer().querySelectorAll('.unit-label').length === n[i])", arg=labels,
                            timeout=30_000)
    frame.wait_for_function(SAME_NEW_VIEW, arg=[None, None], timeout=30_000)  # they start on one view
    start = frame.evaluate(VIEW)

    # Drag the left map: the right one follows.
    frame.frame_element().scroll_into_view_if_needed()
    box = frame.frame_element().bounding_box()
    size = frame.evaluate("[map_div.getSize().x, map_div.getSize().y]")
    x, y = box["x"] + size[0] / 2, box["y"] + size[1] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y - 60, steps=8)
    page.mouse.up()
    frame.wait_for_function(SAME_NEW_VIEW, arg=[start, None], timeout=30_000)

    # Zoom the right map with its own button: the left one follows.
    moved = frame.evaluate(VIEW)
    frame.locator("#map_div2 .leaflet-control-zoom-in").click()
    frame.wait_for_function(SAME_NEW_VIEW, arg=[moved, moved[5] + 1], timeout=30_000)

    # Everything the page needs has loaded and run by now (both maps drew and moved); the hosts it asked
    # for are those the page recorded (not waiting for "networkidle", which a loaded machine can miss).
    own = urlparse(server).netloc
    assert {h for h in page.requested_hosts if h not in (own, "data", "blob", "about")} == set()
