"""In headless Chromium (issue 15): the Sammenlign heatmap fits its column or scrolls in its own box, with
every row and column label drawn in full (22 klynger × 17 sundhedsråd), at 1400 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from geo import planview
from tests.test_browser import browser, server, wait_for_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
LINK = "/sammenlign?a=sundhedsklynger&b=sundhedsraad-2027"
MEASURE = """() => {
  const box = document.querySelector('.kk-heatmap');
  const r = box.getBoundingClientRect();
  const labels = [...box.querySelectorAll('th.kk-heat-row, th.kk-heat-col')].map(th => ({
    text: th.innerText.trim(), kind: th.classList.contains('kk-heat-row') ? 'row' : 'col',
    cut: th.scrollWidth > th.clientWidth + 1 || th.scrollHeight > th.clientHeight + 1}));
  return {left: r.left, right: r.right, width: window.innerWidth, page: document.documentElement.scrollWidth,
          scrolls: box.scrollWidth > box.clientWidth, overflow: getComputedStyle(box).overflowX, labels};
}"""


@pytest.mark.parametrize(("width", "lang"), [(1400, "da"), (390, "da"), (1400, "en"), (390, "en")])
def test_every_heatmap_label_is_drawn_in_full(browser, server, bundle, width, lang):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}{LINK}" + ("&lang=en" if lang == "en" else ""))
        wait_for_app(page, "Sammenlign to inddelinger" if lang == "da" else "Compare two geographies",
                     timeout=180_000)
        expect(page.locator(".kk-heatmap th.kk-heat-row")).to_have_count(22, timeout=60_000)
        expect(page.locator(".kk-heatmap th.kk-heat-col")).to_have_count(17)
        got = page.evaluate(MEASURE)
        rows = [x["text"] for x in got["labels"] if x["kind"] == "row"]
        cols = [x["text"] for x in got["labels"] if x["kind"] == "col"]
        units = bundle.units
        for shown, layer in ((rows, "sundhedsklynger"), (cols, "sundhedsraad-2027")):
            names = units.loc[units["layer"] == layer, "unit_navn"]
            assert sorted(shown) == sorted(planview.heat_labels(names))
        assert len(set(rows)) == 22 and len(set(cols)) == 17  # no two labels read the same
        assert [x["text"] for x in got["labels"] if x["cut"]] == []  # none cut off
        assert got["left"] >= 0 and got["right"] <= got["width"] + 1  # the box stays in the page's column
        assert got["page"] <= got["width"] + 1  # the page itself does not scroll sideways
        assert not got["scrolls"] or got["overflow"] == "auto"  # too wide: it scrolls in its box
        if width == 390:
            assert got["scrolls"]
    finally:
        context.close()
