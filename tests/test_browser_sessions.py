"""Load: browser sessions (eight in the load run, three in CI) train different setups on one
server at once.

Each Playwright context is its own Streamlit session, opened from a link with its own
variant and data set (config/links.py reads the setup from the URL). While they all train, each
page must show its own setup (no cross-talk between sessions), its step counter must advance,
and no page may show an exception. Closing the contexts must end their training threads, and
the server's memory must stay bounded. GANLAB_LOAD_SECONDS (default 20) sets how long they
train and GANLAB_LOAD_SESSIONS (default 3) how many: 8 and 180 make it the issue's "few
minutes" load run (not in CI by default: on a 2-core machine that also runs the eight
browsers, all eight took 341 s to open; README, "The load run").
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import ARTIFACTS, serve
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ganlab.live.runner import TRACE_ENV

pytestmark = pytest.mark.browser
SECONDS = float(os.environ.get("GANLAB_LOAD_SECONDS", "20"))
# CI opens three sessions: eight tabs and eight runs on a 2-core box take minutes just to
# open, and a lost click there is noise, not a finding. The load run proper:
#   GANLAB_LOAD_SESSIONS=8 GANLAB_LOAD_SECONDS=180 python -m pytest tests/test_browser_sessions.py
SESSIONS = int(os.environ.get("GANLAB_LOAD_SESSIONS", "3"))
MAX_RSS_MB = 1500  # eight small runs: measured 510-530 MB (server, torch, eight sessions)
STEP = '[data-testid="stMetric"]:has-text("Step") [data-testid="stMetricValue"]'
SMALL = {"hidden": "16", "batch_size": "64"}  # eight runs share the CPU with eight tabs
SETUPS = [
    {"variant": "nsgan", "data": "ring8", **SMALL},
    {"variant": "lsgan", "data": "gauss1d", "batch_size": "32"},
    {"variant": "wgan", "data": "grid25", **SMALL},
    {"variant": "hinge", "data": "spiral", **SMALL},
    {"variant": "gan", "data": "moons", **SMALL},
    {"variant": "wgan-gp", "data": "ring8", **SMALL},
    {"variant": "nsgan", "data": "gauss1d", "k": "3"},
    {"variant": "lsgan", "data": "moons", "seed": "7", **SMALL},
][:SESSIONS]


def server_pid(url: str) -> int:
    """The pid of the ``streamlit run`` serving ``url`` (found by its --server.port)."""
    port = str(urlparse(url).port)
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and port.encode() in args:
            return int(proc.name)
    pytest.skip("cannot find the server's process in /proc")


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def rss_mb(pid: int) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if "VmRSS" in x)
    return int(line.split()[1]) / 1024


def step_count(page) -> int:
    return int(re.sub(r"\D", "", page.locator(STEP).first.inner_text()) or 0)


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def press_play(page, tries: int = 4) -> None:
    """Click Play until the page shows Pause. With eight sessions redrawing on a loaded
    machine a click can land while its page is mid-rerun and be lost; clicking again is
    harmless (Play on a playing run does nothing)."""
    pause = page.get_by_role("button", name="Pause")
    for _ in range(tries):
        play = page.get_by_role("button", name="Play")
        try:
            if play.is_visible():
                play.click(timeout=10_000)
        except PlaywrightTimeout:  # it became Pause between the check and the click
            pass
        try:
            pause.wait_for(timeout=90_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{page.url}: Play never took after {tries} clicks")


TRACE = ARTIFACTS / "sessions-trace.jsonl"  # the server's runs, every 2 s (runner.TRACE_ENV)


@pytest.fixture(scope="module")
def own_server():
    """A server of its own: sessions left by the other browser tests do not share its CPU."""
    ARTIFACTS.mkdir(exist_ok=True)
    TRACE.unlink(missing_ok=True)
    with serve("streamlit-sessions.log", env={TRACE_ENV: str(TRACE)}) as url:
        yield url


def traced(setup: dict[str, str], last: int = 3) -> list[dict]:
    """The server's last trace lines for the run of ``setup``: did it stop stepping, or
    did its page stop showing the steps?"""
    name = f"{setup['variant']}/{setup['data']}"
    lines = TRACE.read_text().splitlines() if TRACE.exists() else []
    return [r for r in map(json.loads, lines) if r["setup"] == name][-last:]


def test_sessions_train_their_own_setups(own_server, browser):
    pid = server_pid(own_server)
    before = threads(pid)
    contexts, pages, errors = [], [], []
    t0 = time.monotonic()
    samples: list[dict] = []
    try:
        for setup in SETUPS:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.on("pageerror", lambda err: errors.append(str(err)))
            query = "&".join(f"{k}={v}" for k, v in setup.items())
            contexts.append(context)
            pages.append(page)
            # The playground is the default page: its URL is the root (/playground is "Page
            # not found" once any session has run st.navigation).
            page.goto(f"{own_server}/?{query}", timeout=120_000)
            page.get_by_role("button", name="Play").wait_for(timeout=120_000)
            # Each visitor plays as they arrive. Opening all eight first and pressing Play
            # afterwards lost every click on one of the last tabs, in 3 runs of 3 on this
            # 2-core box: the page looked connected, yet the server never started its run
            # (py-spy: no runner thread for it).
            press_play(page)
        print(f"{time.monotonic() - t0:.0f} s: {len(SETUPS)} sessions open and playing")
        first = [step_count(p) for p in pages]
        began = time.monotonic()
        while (elapsed := time.monotonic() - began) < SECONDS:
            samples.append({"s": round(elapsed, 1), "rss_mb": rss_mb(pid), "threads": threads(pid)})
            time.sleep(min(5.0, max(SECONDS - elapsed, 0.1)))
        peak_threads = threads(pid)
        for page, setup, start in zip(pages, SETUPS, first):
            wait_until(
                lambda p=page, s=start: step_count(p) > s,
                60,
                f"{setup}: the page showed no new step; the server's run: {traced(setup)}",
            )
            shown = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
            assert {k: shown.get(k) for k in setup} == setup  # its own setup, nobody else's
            for label in ("Data", "GAN variant"):  # what the sidebar shows, too
                value = page.get_by_role("combobox", name=label).first.input_value()
                assert value == setup["data" if label == "Data" else "variant"]
            assert page.locator('[data-testid="stException"]').count() == 0
        assert not [e for e in errors if "WebGL" not in e], errors
        assert peak_threads >= before + len(SETUPS)  # the runs had threads of their own
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, (page, context) in enumerate(zip(pages, contexts)):
            page.screenshot(path=str(ARTIFACTS / f"session-{i}.png"))
            context.close()
    # Closing a tab releases the session's runner (ui/session.py), whose thread then ends:
    # at least one thread per run goes away (torch's pools, created by the first run, stay).
    deadline = time.monotonic() + 30
    while threads(pid) > peak_threads - len(SETUPS) and time.monotonic() < deadline:
        time.sleep(0.5)
    after = threads(pid)
    peak = max(s["rss_mb"] for s in samples)
    record = {"seconds": SECONDS, "threads": [before, peak_threads, after], "samples": samples}
    (ARTIFACTS / "sessions.json").write_text(json.dumps(record, indent=1))
    print(f"threads before, playing, after closing: {before}, {peak_threads}, {after}")
    assert after <= peak_threads - len(SETUPS), record["threads"]
    assert peak < MAX_RSS_MB, samples
    if SECONDS >= 120:  # the long run: memory levels off once histories are full
        quarter = max(len(samples) // 4, 1)
        second = samples[quarter : 2 * quarter] or samples[:1]
        a = sum(s["rss_mb"] for s in second) / len(second)
        b = sum(s["rss_mb"] for s in samples[-quarter:]) / quarter
        assert b <= 1.25 * a, (a, b)
