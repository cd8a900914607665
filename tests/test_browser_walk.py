"""In headless Chromium, what a walk through the merged app as a new user found (walk branch): on a 390 px
phone Sammenlign's preset buttons show their whole label (Streamlit cut the long ones with "…"), and the
heatmap's column labels break between words only (klynger as columns read "Aarhusklynge" / "n")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_browser import browser, server, wait_for_app  # noqa: F401 - fixtures
from tests.test_browser_maps import phone  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
# Labels that Streamlit shows cut (scrollWidth beyond clientWidth) within the preset buttons.
PRESET_LABELS = ("Array.from(document.querySelectorAll('[data-testid=stMain] button [data-testid=stMarkdownContainer]'))"
                 ".filter(m => m.textContent.includes('↔'))")
CUT_PRESETS = f"() => {PRESET_LABELS}.filter(m => m.scrollWidth > m.clientWidth + 1).map(m => m.textContent)"


@pytest.mark.parametrize(("query", "longest"), [
    ("", "Voksenpsykiatri (optageområder) ↔ Børne- og ungdomspsykiatri"),
    ("?lang=en", "Adult psychiatry (catchments) ↔ Child and adolescent psychiatry"),
])
def test_sammenlign_presets_show_their_whole_label_on_a_phone(phone, server, query, longest):  # noqa: F811
    phone.goto(f"{server}/sammenlign{query}")
    wait_for_app(phone, longest)
    button = phone.get_by_role("button", name=longest)
    expect(button).to_be_visible()
    assert phone.evaluate(f"() => {PRESET_LABELS}.length") == 3
    # the wrapping style is drawn beside the buttons and may arrive a moment after them: wait for it
    try:
        phone.wait_for_function(f"() => ({CUT_PRESETS})().length === 0", timeout=30_000)
    except Exception:
        raise AssertionError(f"preset labels cut off: {phone.evaluate(CUT_PRESETS)}") from None
    box = button.bounding_box()
    assert box["x"] + box["width"] <= 390
    phone.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth")


# Words of the heatmap's column labels that the browser drew over two lines ("Aarhusklynge" / "n").
SPLIT_WORDS = """() => [...document.querySelectorAll('.kk-heatmap th.kk-heat-col')].flatMap(th => {
  const node = th.firstChild, text = node ? node.textContent : '';
  const out = []; let at = 0;
  for (const word of text.split(' ')) {
    const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + word.length);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) out.push(word);
    at += word.length + 1;
  }
  return out; })"""


@pytest.mark.parametrize("width", [1400, 390])
def test_sammenlign_heatmap_breaks_column_labels_between_words_only(browser, server, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/sammenlign?a=sundhedsraad-2027&b=sundhedsklynger")  # columns: the 22 klynger
        wait_for_app(page, "Sammenlign to inddelinger", timeout=180_000)
        expect(page.locator(".kk-heatmap th.kk-heat-col")).to_have_count(22, timeout=60_000)
        expect(page.locator(".kk-heatmap th.kk-heat-col").filter(has_text="Gødstrupklyngen")).to_have_count(1)
        assert page.evaluate(SPLIT_WORDS) == []
        cut = page.evaluate("() => [...document.querySelectorAll('.kk-heatmap th')]"
                            ".filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.innerText)")
        assert cut == []
    finally:
        context.close()
