"""The in-app bench case: does drawing the page slow the training thread?

A ``Runner`` trains (its own thread, pictures only when asked and within budget) while a
consumer thread does what the playground's fragment does at ``hz`` redraws a second: read
the version tokens, the newest snapshot and the histories, rebuild the figures whose data
changed (``viz.SpecCache``, as ``ui.chart`` does) and serialise each into the JSON sent to
the browser. Rounds alternate with the plain eager loop and the headless trainer so that
other load hits all three alike. ``bench/INAPP.md`` has the numbers and their reading.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from typing import Any

import torch

from ganlab.benchmarks.timing import naive_steps_fn, rate
from ganlab.config.run_config import RunConfig, make_config
from ganlab.device import describe, run_threads, torch_threads
from ganlab.figures import curves as viz_curves
from ganlab.figures import live as viz
from ganlab.live.runner import Runner
from ganlab.live.threads import Slots
from ganlab.training.trainer import Trainer

REDRAW_HZ = 10.0  # the page redraws at 5; the bench asks twice that


def thread_cpu(thread: threading.Thread | None = None) -> float:
    """CPU seconds a thread has used (the calling thread by default): unlike wall time, this
    does not count waiting for a core or for the interpreter lock."""
    if thread is None or thread.ident is None:
        return time.thread_time()
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def draw(runner: Runner, loss: str, cache: viz.SpecCache) -> int:
    """One redraw as the playground does it; returns how many figures were rebuilt."""
    v = runner.versions()
    snap = runner.latest()
    history, metrics = runner.history(), runner.metric_history()
    charts = [
        ("dist", v["view"], lambda: viz.distribution(snap.view, loss)),
        ("loss", v["losses"], lambda: viz_curves.loss_curves(history, loss)),
        ("d", v["losses"], lambda: viz_curves.d_outputs(history, loss)),
        ("js", v["metrics"], lambda: viz_curves.divergence_curves(metrics)),
        ("cov", v["metrics"], lambda: viz_curves.coverage_curves(metrics)),
    ]
    before = cache.builds
    for key, token, build in charts:
        spec, _ = cache.spec(key, token, build)
        json.dumps({"spec": spec, "chunk": "static/js/PlotlyChart.js"})  # the component's data
    return cache.builds - before


def in_app(cfg: RunConfig, seconds: float, hz: float = REDRAW_HZ) -> dict[str, float]:
    """Train ``cfg`` in a Runner for ``seconds`` while redrawing at ``hz``; measure both."""
    runner = Runner(cfg, slots=Slots(1))
    stop = threading.Event()
    counts = {"redraws": 0, "figures": 0, "draw_s": 0.0}

    def consumer() -> None:
        cache = viz.SpecCache()
        while not stop.is_set():
            began = time.perf_counter()
            counts["figures"] += draw(runner, cfg.loss, cache)
            counts["draw_s"] += time.perf_counter() - began
            counts["redraws"] += 1
            stop.wait(max(0.0, 1 / hz - (time.perf_counter() - began)))

    try:
        runner.play()
        time.sleep(0.5)  # warm-up, as the other loops' first steps
        trainer_thread = runner._thread
        step0, t0, cpu0 = runner.status().step, time.perf_counter(), thread_cpu(trainer_thread)
        thread = threading.Thread(target=consumer, daemon=True)
        thread.start()
        time.sleep(seconds)
        stop.set()
        thread.join()
        elapsed = time.perf_counter() - t0
        step1, cpu1 = runner.status().step, thread_cpu(trainer_thread)
        pictures = runner.versions()["view"][1]
    finally:
        runner.stop()
    return {
        "steps_per_s": (step1 - step0) / elapsed,
        "steps_per_cpu_s": (step1 - step0) / max(cpu1 - cpu0, 1e-9),
        "redraws_per_s": counts["redraws"] / elapsed,
        "new_pictures_per_s": pictures / (elapsed + 0.5),
        "ms_per_redraw": 1000 * counts["draw_s"] / max(counts["redraws"], 1),
    }


def inapp_case(
    name: str, settings: dict[str, Any], device: torch.device, seconds: float = 3.0
) -> dict[str, Any]:
    """``python -m ganlab bench`` for the in-app case: the Runner with a 10 Hz consumer vs
    the plain eager loop (the ratio) and vs the headless Trainer (``vs_headless``)."""
    settings = {k: v for k, v in settings.items() if k != "inapp"}
    cfg = make_config(settings.pop("variant"), settings.pop("data"), device=device.type)
    naive, trainer = naive_steps_fn(cfg, device), Trainer(cfg, device)
    rounds: list[dict[str, float]] = []
    # The runner's thread policy (one thread, a run shares the app) for all three loops.
    with torch_threads(run_threads(device, shared=True)):
        for _ in range(3):
            eager = rate(naive, seconds / 3, device)
            headless = rate(trainer.train_steps, seconds / 3, device)
            app = in_app(cfg, seconds)  # a Runner needs a while to settle: a full window
            rounds.append({"eager": eager, "headless": headless, **app})
            rounds[-1]["vs"] = app["steps_per_s"] / headless

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    return {
        "case": name,
        "variant": cfg.variant,
        "data": cfg.data,
        "device": describe(device),
        "project_steps_per_s": round(med("steps_per_s"), 1),
        "naive_steps_per_s": round(med("eager"), 1),
        "ratio": round(med("steps_per_s") / med("eager"), 3),
        "headless_steps_per_s": round(med("headless"), 1),
        "vs_headless": round(
            statistics.median(r["steps_per_s"] / r["headless"] for r in rounds), 3
        ),
        "redraws_per_s": round(med("redraws_per_s"), 1),
        "new_pictures_per_s": round(med("new_pictures_per_s"), 1),
    }
