"""In headless chromium: the playground's model overview carries live numbers, and slow
motion walks a training step stage by stage (Step D only through D's half)."""

from __future__ import annotations

import re
import time

import pytest
from conftest import ARTIFACTS

from ganlab.training.stages import D_STAGES, STAGES

pytestmark = pytest.mark.browser
STAGE = re.compile(r"stage (\d+) of (\d+): ([^.(\n]+)")
GRAD_G = re.compile(r"\|∇G\| ([0-9.e+-]+)")


def stages_shown(page) -> list[str]:
    """The stage lines on the page now, as "stage N of M: name"."""
    text = page.locator("body").inner_text()
    return [f"stage {n} of {m}: {name.strip()}" for n, m, name in STAGE.findall(text)]


def watch(page, until, timeout: float, shoot: dict[str, str] | None = None) -> list[str]:
    """The stage lines seen, in order, until ``until(seen)`` holds; ``shoot`` maps a stage
    line's start to a screenshot to take the first time it shows."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        done = until(seen)  # before the read: the stage that ends the watch is then seen
        for label in stages_shown(page):
            if not seen or seen[-1] != label:
                seen.append(label)
            for start, name in list((shoot or {}).items()):
                if label.startswith(start):
                    page.screenshot(path=str(ARTIFACTS / name))
                    del shoot[start]
        if done:
            return seen
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s; saw {seen}"
        page.wait_for_timeout(100)


def test_overview_numbers_and_slow_motion_stages(streamlit_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1300})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    ARTIFACTS.mkdir(exist_ok=True)
    play = page.get_by_role("button", name="Play")
    pause = page.get_by_role("button", name="Pause")
    try:
        page.goto(f"{streamlit_server}/", timeout=90_000)
        overview = page.locator("svg.ganlab-overview")
        overview.wait_for(timeout=90_000)
        before = overview.text_content()
        assert "Generator" in before and "Discriminator" in before and "step 0" in before
        grad_before = float(GRAD_G.search(before).group(1))

        # Playing: the numbers in the boxes follow the run.
        play.click(timeout=90_000)
        pause.wait_for(timeout=60_000)
        deadline = time.monotonic() + 90
        while "step 0" in (after := overview.text_content()) or GRAD_G.search(after) is None:
            assert time.monotonic() < deadline, after
            page.wait_for_timeout(250)
        assert float(GRAD_G.search(after).group(1)) != grad_before, (before, after)
        page.screenshot(path=str(ARTIFACTS / "overview.png"))
        pause.click()
        play.wait_for(timeout=60_000)

        # Slow motion: Step D walks D's half only, and stops at D's update.
        page.get_by_text("Slow motion", exact=True).click()
        page.get_by_text("walks a step through its 8 stages").wait_for(timeout=60_000)
        page.get_by_role("button", name="Step D").click()
        d_half = watch(
            page, lambda _: play.is_visible() and "stage 5 of 8" in page.inner_text("body"), 120
        )
        assert d_half and d_half[-1] == "stage 5 of 8: D's update", d_half
        assert {int(label.split()[1]) for label in d_half} <= set(D_STAGES), d_half

        # Play walks whole steps, stage by stage.
        play.click()
        pause.wait_for(timeout=60_000)
        shots = {"stage 6 of 8": "slowmotion.png"}
        seen = watch(page, lambda seen: len(set(seen)) >= len(STAGES), 240, shots)
        distinct = set(seen)
        assert len(distinct) >= 6, seen
        names = {s.name for s in STAGES}
        assert all(label.split(": ", 1)[1] in names for label in distinct), distinct
        assert all(f" of {len(STAGES)}: " in label for label in distinct)
        assert "Stages / s" in page.inner_text("body")  # not a steps/s of 0.0
        pause.click()
        play.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
    finally:
        page.close()
