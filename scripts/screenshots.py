"""Take the README's screenshots: start ``streamlit run app.py``, open pages in headless
chromium, press Play where asked, and save PNGs under docs/.

    python scripts/screenshots.py [--only playground] [--seconds 8]

Needs Playwright's Python package and Debian's chromium (/usr/bin/chromium), as the browser
tests do. Nothing here is imported by ganlab.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("GANLAB_CHROMIUM", "/usr/bin/chromium")

# name: (URL path and query, press Play first?)
SHOTS = {
    "playground": ("/?variant=nsgan&data=ring8", True),
    "images": ("/images", False),
    "theory": ("/theory", False),
    "latent": ("/latent", False),
    "lessons": ("/lessons", False),
    "compare": ("/?variant=nsgan&data=ring8&b.pack=4", True),
    "overview": ("/?variant=nsgan&data=ring8", True),
    "slowmotion": ("/?variant=nsgan&data=ring8", True),
}
LIVE = {"overview"}  # taken while playing: the overview lights D's or G's path
# Played until this text shows, then paused (slow motion pauses mid-step, at G's arrows).
UNTIL = {"slowmotion": "stage 6 of"}
TALL = {"compare": 2250}  # viewport heights other than 1000: compare's curves sit lower


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"streamlit did not answer at {url} within {timeout:.0f} s")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", help="comma-separated names: " + ", ".join(SHOTS))
    p.add_argument("--seconds", type=float, default=8.0, help="how long to let a run play")
    args = p.parse_args()
    names = args.only.split(",") if args.only else list(SHOTS)
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    DOCS.mkdir(exist_ok=True)
    try:
        wait_healthy(url)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name in names:
                path, play = SHOTS[name]
                page.set_viewport_size({"width": 1400, "height": TALL.get(name, 1000)})
                page.goto(url + path)
                page.get_by_text("Running...").wait_for(state="detached", timeout=120_000)
                page.wait_for_timeout(3000)
                if name == "slowmotion":
                    page.get_by_text("Slow motion", exact=True).click()
                    page.wait_for_timeout(2000)
                if play:
                    page.get_by_role("button", name="Play").first.click()
                    if name in UNTIL:
                        page.get_by_text(UNTIL[name]).wait_for(timeout=120_000)
                    else:
                        page.wait_for_timeout(args.seconds * 1000)
                if play and name not in LIVE:
                    page.get_by_role("button", name="Pause").first.click()  # a still picture
                    page.get_by_role("button", name="Play").first.wait_for(timeout=60_000)
                    page.wait_for_timeout(2000)
                out = DOCS / f"{name}.png"
                page.screenshot(path=str(out), full_page=False)
                print(f"wrote {out.relative_to(ROOT)}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
