"""End to end in headless chromium: open the playground, press Play, watch it train."""

from __future__ import annotations

import re
import time

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser
STEP = '[data-testid="stMetric"]:has-text("Step") [data-testid="stMetricValue"]'


def step_count(page) -> int:
    return int(re.sub(r"\D", "", page.locator(STEP).first.inner_text()) or 0)


def wait_for_step(page, above: int, timeout: float = 60) -> int:
    """Poll the page's step counter until it passes ``above``; return what it shows."""
    deadline = time.monotonic() + timeout
    while (step := step_count(page)) <= above:
        assert time.monotonic() < deadline, f"the step counter stayed at {step}"
        page.wait_for_timeout(250)
    return step


def check_shoot_and_pause(page, errors: list[str], name: str) -> None:
    """No exception box and no page error (WebGL's aside), a screenshot, then Pause."""
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not [e for e in errors if "WebGL" not in e], errors
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)


def test_play_trains_and_draws(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1900})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        # The playground is the default page, at /. Its file name (/playground) is found
        # only while the server is fresh: after any session ran st.navigation it is "Page
        # not found", a dialog that blocks the page (as when test_browser_images runs first).
        page.goto(f"{streamlit_server}/", timeout=90_000)
        play = page.get_by_role("button", name="Play")
        play.click(timeout=90_000)  # a loaded 2-core machine needs a while for the first paint
        page.get_by_role("button", name="Pause").wait_for(timeout=60_000)
        first = wait_for_step(page, above=0)
        wait_for_step(page, above=first)
        assert step_count(page) > first
        charts = page.locator(".ganlab-live-plot.js-plotly-plot")  # ui.chart's live charts
        charts.nth(4).wait_for(timeout=60_000)
        assert charts.count() == 5
        assert page.locator(".js-plotly-plot .heatmaplayer image").count() == 1  # D's heat map
        before = charts.first.evaluate("div => (div.__ganlab_tag = 1)")
        wait_for_step(page, above=step_count(page))
        assert charts.first.evaluate("div => div.__ganlab_tag") == before  # updated in place
        check_shoot_and_pause(page, errors, "playground.png")
    finally:
        page.close()
