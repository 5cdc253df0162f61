"""End to end in headless chromium, one test per page: open it, change a control, press its
run button where it has one, see a figure change, and no exception element on the page.
Screenshots go to test-artifacts/<page>.png.

The playground and the image GANs have their own browser tests (test_browser_playground.py,
test_browser_images.py); a page whose file is not there yet is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.browser
PLOTS = ".js-plotly-plot"
IMAGES = '[data-testid="stImage"] img'


@dataclass
class PageCase:
    path: str  # URL path and file name under pages/
    first: str  # a selector that is there once the page has drawn
    act: Callable  # change a control and press run: (page) -> None
    watched: str  # the figures (plotly charts or images) that must change


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")


def slider_to_start(page, label: str) -> None:
    """Move a slider to its smallest value with the keyboard (as a user can)."""
    thumb = page.get_by_role("slider", name=label).first  # an <input type="range">
    thumb.focus()
    thumb.press("Home")


def theory(page) -> None:
    set_number(page, "Seed", 3)  # the panels retrain with another seed


def sweep(page) -> None:
    slider_to_start(page, "G steps per run")  # 50 steps a run: the quickest grid
    page.get_by_role("button", name="Run the sweep").click()


def latent(page) -> None:
    set_number(page, "Seed of z", 5)  # another z: another digit


def augment(page) -> None:
    for label in ("DCGAN steps", "Classifier steps", "SSGAN steps"):
        slider_to_start(page, label)
    set_number(page, "Labelled digits n", 50)
    page.get_by_role("button", name="Run the experiment").click()


CASES = {
    "theory": PageCase("theory", PLOTS, theory, PLOTS),
    "sweep": PageCase("sweep", 'button:has-text("Run the sweep")', sweep, PLOTS),
    "latent": PageCase("latent", IMAGES, latent, IMAGES),
    "augment": PageCase("augment", 'button:has-text("Run the experiment")', augment, PLOTS),
}


def fingerprint(page, selector: str) -> list[str]:
    """What the figures show: each plotly chart's data, or each image's source."""
    return page.locator(selector).evaluate_all(
        "els => els.map(e => e.data ? JSON.stringify(e.data).slice(0, 20000) : e.src || '')"
    )


@pytest.mark.parametrize("name", list(CASES))
def test_page(name, streamlit_server, browser) -> None:
    case = CASES[name]
    if not (ROOT / "pages" / f"{case.path}.py").exists():
        pytest.skip(f"pages/{case.path}.py is not there yet")
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{streamlit_server}/{case.path}", timeout=120_000)
        page.locator(case.first).first.wait_for(timeout=180_000)
        page.wait_for_timeout(1000)  # let the first run finish drawing
        before = fingerprint(page, case.watched)
        case.act(page)
        deadline = time.monotonic() + 180
        while fingerprint(page, case.watched) == before:
            assert time.monotonic() < deadline, f"{name}: no figure changed"
            page.wait_for_timeout(500)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        page.close()


def test_every_page_of_the_app_has_a_browser_test() -> None:
    """A page added to app.py must get a case here or a browser test of its own."""
    registered = {
        line.split('"pages/')[1].split(".py")[0]
        for line in (ROOT / "app.py").read_text().splitlines()
        if '"pages/' in line
    }
    own = {
        p.stem.removeprefix("test_browser_") for p in Path(ROOT / "tests").glob("test_browser_*")
    }
    own.add("playground")
    missing = registered - set(CASES) - own
    assert not missing, f"pages without a browser test: {sorted(missing)}"
