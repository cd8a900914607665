"""In headless Chromium: move a kommune on the Scenarier page, see the totals and the URL change, and open
that URL in a fresh browser context to see the same scenario."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import browser, page, server, wait_for_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
FYN_AFTER = "Sundhedsklynge Fyn: 469.378 → 510.003 indbyggere (+40.625)"
LILLEBAELT_AFTER = "Sundhedsklynge Lillebælt: 313.028 → 272.403 indbyggere (-40.625)"


def choose(pg, label: str, text: str) -> None:
    box = pg.get_by_label(label)
    box.click()
    box.fill(text)
    pg.get_by_role("option", name=text).first.click()


def test_move_a_kommune_and_reopen_the_link(browser, page, server):  # noqa: F811
    page.goto(f"{server}/scenarier")
    wait_for_app(page, "Ingen ændringer endnu")
    choose(page, "Kommune (eller klik på kortet)", "Middelfart (0410)")
    choose(page, "Flyt til enhed", "Sundhedsklynge Fyn")
    page.get_by_role("button", name="Flyt kommunen").click()
    expect(page.get_by_text(FYN_AFTER)).to_be_visible(timeout=60_000)
    expect(page.get_by_text(LILLEBAELT_AFTER)).to_be_visible(timeout=60_000)
    expect(page).to_have_url(re.compile(r"[?&]s=v1\.[A-Za-z0-9_-]+"), timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]base=sundhedsklynger"), timeout=30_000)
    link = page.url

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = fresh.new_page()
    other.goto(link)
    expect(other.get_by_text(FYN_AFTER)).to_be_visible(timeout=90_000)
    expect(other.get_by_text(LILLEBAELT_AFTER)).to_be_visible(timeout=30_000)
    expect(other.get_by_text("Middelfart (0410) → Sundhedsklynge Fyn 100 %")).to_be_visible(timeout=30_000)
    fresh.close()


def test_a_bad_link_shows_a_message_and_the_base(page, server):  # noqa: F811
    page.goto(f"{server}/scenarier?base=sundhedsklynger&s=v1.bm9wZQ")
    expect(page.get_by_text("Scenariet i linket kunne ikke læses")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Ingen ændringer endnu")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Traceback")).to_have_count(0)


@pytest.mark.parametrize(("path", "heading"), [("/scenarier", "Scenarier: tegn klynger"),
                                              ("/sammenlign", "Sammenlign to inddelinger")])
def test_axe_finds_no_wcag_a_or_aa_violations(page, server, path, heading):  # noqa: F811
    from tests.test_browser import axe_violations

    page.goto(f"{server}{path}")
    wait_for_app(page, heading, timeout=180_000)
    assert axe_violations(page.main_frame) == []
