"""In headless Chromium, what a walk through the merged app as a new user found (walk branch): on a 390 px
phone Sammenlign's preset buttons show their whole label (Streamlit cut the long ones with "…")."""

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
    assert phone.evaluate(CUT_PRESETS) == []
    box = button.bounding_box()
    assert box["x"] + box["width"] <= 390
    phone.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth")
