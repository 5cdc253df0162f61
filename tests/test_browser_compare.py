"""End to end in headless chromium: a compare link opens runs A and B side by side, Play
trains both, their curves share the charts; the lessons page opens two arms the same way."""

from __future__ import annotations

import re
import time

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser
STEPS_JS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .filter(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === 'Step')
    .map(m => parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText
                       .replace(/\\D/g, '') || '0'))"""
TRACES_JS = """() => [...document.querySelectorAll('.ganlab-live-plot.js-plotly-plot')]
    .map(div => div._fullData.map(t => [t.name || '', t._length || 0]))"""  # points drawn


def steps(page) -> list[int]:
    """The two runs' step counters, A's then B's."""
    return page.evaluate(STEPS_JS)


def wait_until(check, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.25)


def heading(page, text: str):
    return page.locator("h4").filter(has_text=re.compile(f"^{re.escape(text)}$"))


def test_a_compare_link_trains_both_runs_side_by_side(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 2000})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{streamlit_server}/?variant=nsgan&data=ring8&b.pack=4", timeout=90_000)
        heading(page, "A: pack = 2").wait_for(timeout=120_000)  # ring8's preset packs pairs
        heading(page, "B: pack = 4").wait_for(timeout=60_000)
        assert page.get_by_role("switch", name="Compare two runs").is_checked()
        wait_until(lambda: steps(page) == [0, 0], f"the step counters read {steps(page)}")
        page.get_by_role("button", name="Play", exact=True).click(timeout=60_000)
        page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
        wait_until(lambda: min(steps(page)) > 0, "a step counter stayed at 0")
        first = steps(page)
        wait_until(lambda: all(n > f for n, f in zip(steps(page), first)), "a run stopped")
        charts = page.locator(".ganlab-live-plot.js-plotly-plot")
        charts.nth(5).wait_for(timeout=60_000)  # two pictures, four overlaid charts
        assert charts.count() == 6
        assert page.locator(".js-plotly-plot .heatmaplayer image").count() == 2  # two D's

        def both_drawn() -> bool:
            curves = page.evaluate(TRACES_JS)[2:]
            return len(curves) == 4 and all(
                any(name.startswith(f"{run}: ") and n > 1 for name, n in traces)
                for traces in curves
                for run in "AB"
            )

        wait_until(both_drawn, "a curve chart lacks A's or B's trace")
        names = [name for name, _ in page.evaluate(TRACES_JS)[2]]
        assert names == ["A: D loss", "A: G loss", "B: D loss", "B: G loss"]
        page.wait_for_timeout(4000)  # a few more points on the curves for the picture
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "compare.png"))
        assert "b.pack=4" in page.url
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60_000)
    finally:
        page.close()


def test_the_lessons_page_opens_two_arms_in_compare_mode(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{streamlit_server}/lessons", timeout=120_000)
        title = "Mode collapse in 1D and minibatch discrimination"
        lesson = page.locator('[data-testid="stExpander"]').filter(has_text=title)
        lesson.get_by_text(title).click(timeout=180_000)
        lesson.get_by_role("button", name="Open both in compare mode").click()
        heading(page, "A: minibatch_disc = off").wait_for(timeout=120_000)
        heading(page, "B: minibatch_disc = on").wait_for(timeout=60_000)
        page.wait_for_url("**b.minibatch_disc=true**", timeout=60_000)
        assert "data=gauss1d" in page.url
        assert page.get_by_role("switch", name="Compare two runs").is_checked()
        wait_until(lambda: steps(page) == [0, 0], f"the step counters read {steps(page)}")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
    finally:
        page.close()
