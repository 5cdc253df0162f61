"""End to end in headless chromium: open the image GANs page, press Play, watch it train."""

from __future__ import annotations

import pytest
from test_browser_playground import check_shoot_and_pause, wait_for_step

pytestmark = pytest.mark.browser


def test_play_trains_digits(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1900})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{streamlit_server}/images", timeout=90_000)
        page.get_by_role("heading", name="Image GANs").wait_for(timeout=90_000)
        page.get_by_role("button", name="Play").click(timeout=90_000)
        page.get_by_role("button", name="Pause").wait_for(timeout=60_000)
        first = wait_for_step(page, above=0, timeout=90)
        assert wait_for_step(page, above=first, timeout=90) > first
        assert page.locator(".ganlab-live-plot.js-plotly-plot").count() == 3
        assert page.locator('[data-testid="stImage"]').count() >= 4  # grids, digit, neighbours
        check_shoot_and_pause(page, errors, "images.png")
    finally:
        page.close()
