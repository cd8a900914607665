"""In headless Chromium (issue 15): a scenario survives a walk through the sidebar, Scenarier → Sammenlign →
Scenarier → Min kommune → Scenarier, for the care layer and adult psychiatry, with no error box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import browser, page, server, wait_for_app, wait_idle  # noqa: F401 - fixtures
from tests.test_browser_plans import choose

pytestmark = pytest.mark.browser
# (base as the selectbox names it, its id in the URL, kommune, unit, the change line the page shows)
JOURNEYS = [
    ("Sundhedsklynger (2022)", "sundhedsklynger", "Middelfart (0410)", "Sundhedsklynge Fyn",
     "Middelfart (0410) → Sundhedsklynge Fyn 100 %"),
    ("Voksenpsykiatri (optageområder)", "psykiatri-voksen", "Esbjerg (0561)", "Psykiatrisk Afdeling Vejle",
     "Esbjerg (0561) → Psykiatrisk Afdeling Vejle 100 %"),
]


def no_error_box(pg) -> None:
    expect(pg.get_by_test_id("stException")).to_have_count(0)
    expect(pg.get_by_text("This app has encountered an error")).to_have_count(0)
    expect(pg.locator("[data-testid=stAlertContentError]")).to_have_count(0)


def go(pg, link: str, heading: str) -> None:
    """Open a page from the sidebar's menu (within the session, as a reader does)."""
    pg.get_by_test_id("stSidebar").get_by_role("link", name=link, exact=True).click()
    wait_for_app(pg, heading, timeout=120_000)
    no_error_box(pg)


def scenario_intact(pg, base_label: str, base_id: str, line: str) -> None:
    expect(pg.get_by_text(line)).to_be_visible(timeout=60_000)
    expect(pg.get_by_role("combobox", name="Udgangspunkt (lag)")).to_have_value(base_label)
    expect(pg).to_have_url(re.compile(rf"[?&]base={re.escape(base_id)}(&|$)"), timeout=30_000)
    expect(pg).to_have_url(re.compile(r"[?&]s=v1\.[A-Za-z0-9_-]+"), timeout=30_000)
    expect(pg.get_by_text("Ingen ændringer endnu")).to_have_count(0)
    no_error_box(pg)


@pytest.mark.parametrize(("base_label", "base_id", "kommune", "unit", "line"), JOURNEYS,
                         ids=[j[1] for j in JOURNEYS])
def test_a_scenario_survives_a_walk_through_the_pages(page, server, base_label, base_id, kommune, unit, line):  # noqa: F811
    page.goto(f"{server}/scenarier")
    wait_for_app(page, "Ingen ændringer endnu", timeout=180_000)
    if base_id != "sundhedsklynger":
        choose(page, "Udgangspunkt (lag)", base_label)
        wait_idle(page)
    choose(page, "Kommune (eller klik på kortet)", kommune)
    choose(page, "Flyt til enhed", unit)
    page.get_by_role("button", name="Flyt kommunen").click()
    scenario_intact(page, base_label, base_id, line)

    go(page, "Sammenlign", "Sammenlign to inddelinger")
    choose(page, "B (kolonner)", f"Dette scenarie ({base_label})")
    wait_idle(page)
    no_error_box(page)
    expect(page).to_have_url(re.compile(r"[?&]b=scenario(&|$)"), timeout=30_000)

    go(page, "Scenarier", "Scenarier: tegn klynger")
    scenario_intact(page, base_label, base_id, line)
    go(page, "Min kommune", "Min kommune")
    go(page, "Scenarier", "Scenarier: tegn klynger")
    scenario_intact(page, base_label, base_id, line)
    go(page, "Sammenlign", "Sammenlign to inddelinger")  # the comparison chosen is still chosen
    expect(page.get_by_role("combobox", name="B (kolonner)")).to_have_value(f"Dette scenarie ({base_label})")
