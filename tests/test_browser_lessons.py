"""End to end in headless chromium: the lessons page answers a question, runs a check, and
loads an arm's settings into the playground."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def lesson_box(page, title: str):
    """The expander of the lesson with this title."""
    return page.locator('[data-testid="stExpander"]').filter(has_text=title)


def test_a_lesson_reveals_its_answer_runs_its_check_and_loads_the_playground(
    streamlit_server, browser
):
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{streamlit_server}/lessons", timeout=120_000)
        saturation = lesson_box(page, "Saturating vs non-saturating G loss")
        saturation.get_by_text("Saturating vs non-saturating G loss").click(timeout=180_000)
        saturation.get_by_text("the same: they have the same fixed point").click()
        saturation.get_by_role("button", name="Reveal the answer").click()
        saturation.get_by_text("The answer is: -log D(G(z)), the non-saturating one.").wait_for(
            timeout=60_000
        )
        saturation.get_by_role("button", name="Run the check").click()
        saturation.get_by_text("Held: after D trained alone").wait_for(timeout=180_000)
        packing = lesson_box(page, "Mode collapse in 2D and packing (PacGAN)")
        packing.get_by_text("Mode collapse in 2D and packing (PacGAN)").click()
        packing.get_by_role("button", name="Load pack 1 in the playground").click()
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=120_000)
        page.wait_for_url("**pack=1**", timeout=60_000)  # the playground's URL: its settings
        assert "seed=5" in page.url and "lr_decay_every=100" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lessons.png"), full_page=True)
        page.close()
