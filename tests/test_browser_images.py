"""End to end in headless chromium: open the image GANs page, press Play, watch it train;
export and share a setup, and open its link in a fresh session."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS
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


def open_export(page) -> None:
    """Open the export expander (a click that lands during a rerun can be lost: retried)."""
    for _ in range(10):
        if page.get_by_text("Shareable link").is_visible():
            return
        page.locator('[data-testid="stExpander"] summary').last.click(timeout=60_000)
        page.wait_for_timeout(2_000)
    page.get_by_text("Shareable link").wait_for(timeout=60_000)


def test_the_export_panel_and_a_link_opened_in_a_fresh_session(streamlit_server, browser):
    """A link sets the variant; the seed typed in joins the page's link; that link opened in
    another session (a fresh page: no run yet) restores both."""
    page = browser.new_page(viewport={"width": 1500, "height": 2700})
    fresh = browser.new_page(viewport={"width": 1500, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{streamlit_server}/images?variant=cgan", timeout=90_000)
        page.get_by_role("heading", name="Image GANs").wait_for(timeout=90_000)
        seed = page.get_by_label("Seed", exact=True)
        seed.fill("7", timeout=90_000)
        seed.press("Enter")
        page.wait_for_url("**seed=7**", timeout=90_000)  # a run at step 0 is rebuilt at once
        assert "variant=cgan" in page.url
        open_export(page)
        for label in ("Config JSON", "Checkpoint", "Training GIF"):
            assert page.get_by_role("button", name=label).is_visible()
        link = page.locator('[data-testid="stCode"]').inner_text().strip()
        assert link == f"{streamlit_server}/images?variant=cgan&data=mnist&seed=7"
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "images_export.png"))
        fresh.goto(link, timeout=90_000)
        fresh.get_by_text("One row per label 0 to 9").wait_for(timeout=90_000)  # CGAN's grid
        assert fresh.get_by_label("Seed", exact=True).input_value(timeout=60_000) == "7"
        assert fresh.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
        fresh.close()
