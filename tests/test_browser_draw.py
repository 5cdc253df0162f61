"""Drawing data with the mouse in headless chromium: the cap and Clear, a click and a brush
stroke, training on the drawn points, and a ``points=`` link opened in a fresh session."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from conftest import ARTIFACTS

from ganlab.config.points_link import MAX_POINTS, PARAM, decode_points, encode_points

pytestmark = pytest.mark.browser
STEP = '[data-testid="stMetric"]:has-text("Step") [data-testid="stMetricValue"]'
CANVAS = "canvas.ganlab-draw-canvas"
BRUSH = 3  # points a drag step adds (assets/draw_points.js)
# The data points of the distribution view: the "real" trace of whichever live chart has one.
REAL_POINTS = """() => {
  for (const div of document.querySelectorAll('.ganlab-live-plot.js-plotly-plot')) {
    const t = (div._fullData || []).find((t) => t.name === 'real');
    if (t && t.x && t.x.length) return [Array.from(t.x), Array.from(t.y)];
  }
  return null;
}"""


def step_count(page) -> int:
    return int(re.sub(r"\D", "", page.locator(STEP).first.inner_text()) or 0)


def wait_for(check, what: str, page, timeout: float = 180):
    """Poll ``check()`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        page.wait_for_timeout(250)
    return found


def real_points(page) -> set[tuple[float, float]]:
    xy = wait_for(lambda: page.evaluate(REAL_POINTS), "the distribution view", page)
    return {(round(x, 3), round(y, 3)) for x, y in zip(*xy)}


def open_playground(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1900})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url, timeout=90_000)
    page.get_by_role("button", name="Play").wait_for(timeout=90_000)  # a loaded machine: slow
    return page, errors


class Plane:
    """Pixel <-> plane coordinates of the drawing canvas, read from what it says it draws."""

    def __init__(self, page):
        canvas = page.locator(CANVAS)
        box = canvas.bounding_box()
        left, top, width, height = map(float, canvas.get_attribute("data-area").split(","))
        self.lo, self.hi = map(float, canvas.get_attribute("data-plane").split(","))
        self.x0, self.y0, self.w, self.h = box["x"] + left, box["y"] + top, width, height

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        span = self.hi - self.lo
        return self.x0 + (x - self.lo) / span * self.w, self.y0 + (self.hi - y) / span * self.h


def status(page) -> str:
    return page.locator(".ganlab-draw-status").inner_text()


def test_drawn_points_train_and_travel_in_the_link(streamlit_server, browser):
    page, errors = open_playground(browser, f"{streamlit_server}/")
    try:
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="draw points (click or drag)").click()
        page.locator(CANVAS).wait_for(timeout=60_000)
        assert status(page) == f"0 of {MAX_POINTS} points"
        page.get_by_text("Draw at least 2 points to train on them.").wait_for(timeout=60_000)
        plane = Plane(page)

        # A long zigzag stroke fills the canvas to the cap, and says so; Clear empties it.
        page.mouse.move(*plane.pixel(-2.5, 2.5))
        page.mouse.down()
        for row in range(12):
            y = 2.5 - 0.4 * row
            for x in np.linspace(-2.5, 2.5, 16)[:: 1 if row % 2 == 0 else -1]:
                page.mouse.move(*plane.pixel(x, y))
        page.mouse.up()
        full = f"{MAX_POINTS} points: the most a drawn set holds; Clear to draw anew."
        assert status(page) == full
        page.get_by_role("button", name=f"Train on these {MAX_POINTS} points").wait_for(
            timeout=60_000
        )
        page.get_by_role("button", name="Clear").click()
        assert status(page) == f"0 of {MAX_POINTS} points"
        page.get_by_text("Draw at least 2 points to train on them.").wait_for(timeout=60_000)

        # One click, then a stroke of 10 steps down the right side.
        click = (-1.5, 1.5)
        page.mouse.click(*plane.pixel(*click))
        path = [(1.5, 2.0 - 0.35 * i) for i in range(11)]
        page.mouse.move(*plane.pixel(*path[0]))
        page.mouse.down()
        for point in path[1:]:
            page.mouse.move(*plane.pixel(*point))
        page.mouse.up()
        n = 2 + BRUSH * (len(path) - 1)  # the click, the stroke's first point, its brush steps
        assert status(page) == f"{n} of {MAX_POINTS} points"
        page.get_by_role("button", name=f"Train on these {n} points").click(timeout=60_000)
        page.get_by_role("button", name="Pause").wait_for(timeout=60_000)  # it trains at once

        def linked():
            query = parse_qs(urlparse(page.url).query)
            return query.get(PARAM, [None])[0]

        drawn = decode_points(wait_for(linked, "the points in the address bar", page))
        assert len(drawn) == n
        assert np.abs(drawn[0] - click).max() < 0.05  # the click lands where it was made
        assert np.abs(drawn[1] - path[0]).max() < 0.05  # so does a stroke's first point
        brushed = drawn[2:]  # spread around the pointer's steps, centred on the stroke
        assert np.abs(brushed.mean(axis=0) - np.mean(path[1:], axis=0)).max() < 0.25
        assert brushed[:, 0].std() < 0.6 and brushed[:, 1].std() > 0.8  # along the stroke

        first = wait_for(lambda: step_count(page), "the first steps", page)
        wait_for(lambda: step_count(page) > first, "more steps", page)
        shown = real_points(page)  # every data point in the picture is a drawn one
        assert shown <= {(round(float(x), 3), round(float(y), 3)) for x, y in drawn}
        assert len(shown) >= n // 2
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "draw.png"))
        page.get_by_role("button", name="Pause").click()
    finally:
        page.close()


def test_a_points_link_trains_on_its_points_in_a_fresh_session(streamlit_server, browser):
    grid = np.array([[x, y] for x in (-1.5, 0.0, 1.5) for y in (-1.0, 1.0)], np.float32)
    text = encode_points(grid)
    page, errors = open_playground(browser, f"{streamlit_server}/?variant=nsgan&{PARAM}={text}")
    try:
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause").wait_for(timeout=60_000)
        first = wait_for(lambda: step_count(page), "the first steps", page)
        wait_for(lambda: step_count(page) > first, "more steps", page)
        wanted = {tuple(p) for p in grid.tolist()}  # the picture's data: the link's 6 points
        wait_for(lambda: real_points(page) == wanted, "the link's points in the picture", page)
        assert parse_qs(urlparse(page.url).query)[PARAM] == [text]  # the link stays a link
        data = page.get_by_role("combobox", name="Data")  # the set fits: it opens on the canvas
        assert data.input_value() == "draw points (click or drag)"
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
        page.get_by_role("button", name="Pause").click()
    finally:
        page.close()
