"""In headless Chromium: every unit labelled at national zoom (København's three with leaders), legend entries
that outline their unit, and Min kommune on a 390 px phone (no sideways scroll, the language one tap away,
a copy button for the share link)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geo import model
from tests.test_browser import browser, map_frame, page, server, wait_for_app, wait_idle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
LAYERS = ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "midt-2018", "regioner", "sundhedsraad-2027",
          "regioner-2027"]
# Every label is placed (visible) and no two visible labels overlap; ``n`` labels in all.
ALL_LABELS_PLACED = (
    "(n) => { const els = Array.from(document.querySelectorAll('.unit-label'));"
    " if (els.length !== n || !window.map_div || !map_div._loaded || map_div._animatingZoom) return false;"
    " if (els.some(e => e.style.visibility !== 'visible')) return false;"
    " const r = els.map(e => e.getBoundingClientRect());"
    " return r.every((a, i) => r.every((b, j) => i === j || a.right <= b.left || b.right <= a.left"
    " || a.bottom <= b.top || b.bottom <= a.top)); }")
LED = "Array.from(document.querySelectorAll('.unit-label-led')).map(e => e.textContent)"
HOVERED = ("() => Array.from(document.querySelectorAll('path')).filter(p => p.getAttribute('stroke-opacity') === '1'"
           " && p.getAttribute('stroke-width') === '4').length")


def n_units(bundle, layer: str) -> int:
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, layer)
    return parts["unit_id"].nunique()


@pytest.mark.parametrize("layer", LAYERS)
def test_every_unit_is_labelled_at_national_zoom(page, server, bundle, layer):  # noqa: F811
    assert layer in set(bundle.layers["layer"])
    page.goto(f"{server}/?layer={layer}")
    frame = map_frame(page, 20)
    try:
        frame.wait_for_function(ALL_LABELS_PLACED, arg=n_units(bundle, layer), timeout=60_000)
    except Exception:
        state = frame.evaluate("Array.from(document.querySelectorAll('.unit-label')).map(e => [e.textContent,"
                               " e.style.visibility, JSON.stringify(e.getBoundingClientRect())])")
        raise AssertionError(f"not every label placed: {state}") from None
    if layer == "sundhedsklynger":  # too small for their names at this zoom: beside them, with a leader
        assert {"Sundhedsklynge Byen", "Sundhedsklynge Midt", "Sundhedsklynge Syd"} <= set(frame.evaluate(LED))


def test_koebenhavn_labels_sit_on_their_units_when_zoomed_in(page, server, bundle):  # noqa: F811
    page.goto(server)
    frame = map_frame(page, 98)
    frame.wait_for_function(ALL_LABELS_PLACED, arg=n_units(bundle, "sundhedsklynger"), timeout=60_000)
    frame.evaluate("map_div.setView([55.675, 12.56], 11, {animate: false})")
    frame.wait_for_function(
        "() => ['Sundhedsklynge Byen', 'Sundhedsklynge Syd'].every(t => Array.from("
        "document.querySelectorAll('.unit-label')).some(e => e.textContent === t && e.style.visibility === 'visible'"
        " && !e.classList.contains('unit-label-led')))", timeout=30_000)


def test_a_legend_entry_outlines_its_unit(page, server):  # noqa: F811
    page.goto(server)
    frame = map_frame(page, 98)
    wait_idle(page)
    entry = page.locator("[data-legend-key]").filter(has_text="Sundhedsklynge Byen")
    expect(entry).to_have_count(1, timeout=30_000)
    assert frame.evaluate(HOVERED) == 0
    entry.scroll_into_view_if_needed()
    entry.hover()
    frame.wait_for_function(f"() => ({HOVERED})() === 1", timeout=10_000)
    page.mouse.move(5, 5)
    frame.wait_for_function(f"() => ({HOVERED})() === 0", timeout=10_000)
    entry.focus()  # the keyboard reaches it too
    frame.wait_for_function(f"() => ({HOVERED})() === 1", timeout=10_000)


@pytest.fixture()
def phone(browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                  permissions=["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.mark.parametrize(("query", "first", "denmark", "rank"), [
    ("", "København (0101) hører til Sundhedsklynge Byen", "Danmark", "1 af 98"),
    ("&lang=en", "København (0101) belongs to Sundhedsklynge Byen", "Denmark", "1 of 98"),
])
def test_min_kommune_fits_a_phone(phone, server, query, first, denmark, rank):  # noqa: F811
    phone.goto(f"{server}/min_kommune?kommune=0101{query}")
    wait_for_app(phone, first)
    cards = phone.locator(".kk-card")
    expect(cards.first).to_be_visible(timeout=30_000)
    expect(phone.locator("[data-testid=stDataFrame]").first).to_be_hidden()  # the wide tables give way to cards
    figures = phone.locator(".kk-card").filter(has_text=denmark).first
    expect(figures).to_contain_text(rank)
    phone.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.evaluate("Array.from(document.querySelectorAll('.kk-card')).every("
                          "c => c.getBoundingClientRect().right <= window.innerWidth)")


def test_the_language_switch_is_in_reach_on_a_phone(phone, server):  # noqa: F811
    phone.goto(f"{server}/min_kommune?kommune=0101")
    wait_for_app(phone, "København (0101) hører til")
    expect(phone.get_by_test_id("stSidebar")).not_to_be_in_viewport()
    switch = phone.get_by_role("button", name="English")
    expect(switch).to_be_in_viewport()
    switch.click()
    expect(phone.get_by_text("København (0101) belongs to Sundhedsklynge Byen").first).to_be_visible(timeout=60_000)
    expect(phone).to_have_url(re.compile(r"lang=en"), timeout=30_000)
    expect(phone.get_by_role("button", name="Dansk")).to_be_in_viewport()


def test_the_share_link_has_a_copy_button(phone, server):  # noqa: F811
    phone.goto(f"{server}/min_kommune?kommune=0101")
    wait_for_app(phone, "København (0101) hører til")
    field = phone.get_by_label("Link til denne visning (kopiér)")
    # the page fills the field with its own address once it is drawn in the browser: wait for it
    expect(field).to_have_value(re.compile(r"\?kommune=0101$"), timeout=30_000)
    link = field.input_value()
    phone.get_by_role("button", name="Kopiér link").click()
    expect(phone.get_by_role("status").filter(has_text="Kopieret")).to_be_visible(timeout=10_000)
    assert phone.evaluate("navigator.clipboard.readText()") == link


def test_the_uploader_speaks_danish_with_the_real_limit(page, server):  # noqa: F811
    from geo.tables import UPLOAD_MAX_MB

    page.goto(f"{server}/scenarier")
    zone = page.get_by_test_id("stFileUploaderDropzone")
    expect(zone).to_be_visible(timeout=90_000)
    expect(zone.get_by_role("button", name="Vælg fil")).to_be_visible()
    expect(zone.get_by_role("button", name="Upload", exact=True)).to_have_count(0)
    assert page.evaluate("getComputedStyle(document.querySelector("
                         "'[data-testid=stFileUploaderDropzoneInstructions] > div'), '::after').content") == (
        f'"Højst {UPLOAD_MAX_MB} MB pr. fil"')
    expect(zone.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span")).to_be_hidden()
