"""In headless Chromium, against a server nobody has visited yet: a shared deep link is the very first
request. Streamlit would run the page file on its own (its pages/ folder mode); `ui.through_app`
makes app.py run first, so the reader gets the app's navigation, language switch and language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import browser, page, server, wait_for_app  # noqa: F401 - fixtures (a fresh server)

pytestmark = pytest.mark.browser


def test_a_deep_link_as_the_first_request_runs_through_the_app(page, server):  # noqa: F811
    page.goto(f"{server}/min_kommune?kommune=0101&lang=en")
    wait_for_app(page, "København (0101) belongs to Sundhedsklynge Byen")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Sprog / Language")).to_be_visible(timeout=30_000)
    expect(sidebar.get_by_role("link", name="My municipality")).to_be_visible(timeout=30_000)
    expect(sidebar.get_by_role("link", name="min kommune")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"kommune=0101"), timeout=30_000)
