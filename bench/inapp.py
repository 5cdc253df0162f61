"""In-app training speed vs headless: does drawing the page slow the training thread?

Headless: the same config stepped in a plain loop (``Trainer.train_step``), and through
``Trainer.run`` (snapshots and metrics every ``snapshot_every`` steps, as the CLI does).
In-app: a ``Runner`` playing, while a consumer thread does what the playground's fragment
does at ``--hz`` redraws a second: read the newest snapshot and the histories, build all five
figures, and turn each into the JSON that ui.chart sends to the browser.
Rounds alternate headless and in-app so that load from other processes hits both alike.

    python bench/inapp.py [--data ring8] [--variant nsgan] [--seconds 6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time

import torch

from ganlab import viz
from ganlab.config import make_config
from ganlab.runner import Runner
from ganlab.train import Trainer


def thread_cpu(thread: threading.Thread | None = None) -> float:
    """CPU seconds a thread has used (the calling thread by default): unlike wall time, this
    does not count waiting for a core or for the interpreter lock."""
    if thread is None:
        return time.thread_time()
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def headless_loop(cfg, seconds: float) -> tuple[float, float]:
    """(steps per wall second, steps per CPU second) of a plain training loop."""
    trainer = Trainer(cfg)
    for _ in range(10):
        trainer.train_step()
    start, cpu0, steps = time.perf_counter(), thread_cpu(), 0
    while time.perf_counter() - start < seconds:
        trainer.train_step()
        steps += 1
    return steps / (time.perf_counter() - start), steps / (thread_cpu() - cpu0)


def headless_run(cfg, seconds: float) -> float:
    trainer = Trainer(cfg)
    start = time.perf_counter()
    for _ in trainer.run(steps=10_000_000):
        if time.perf_counter() - start >= seconds:
            break
    return trainer.step / (time.perf_counter() - start)


def draw(runner: Runner, loss: str, cache: viz.SpecCache) -> int:
    """One redraw as the page does it (ui.chart: rebuild a figure only when its data token
    changed, then send its JSON); returns how many figures were rebuilt."""
    v = runner.versions()
    snap = runner.latest()
    history, metrics = runner.history(), runner.metric_history()
    charts = [
        ("dist", v["view"], lambda: viz.distribution(snap.view, loss)),
        ("loss", v["losses"], lambda: viz.loss_curves(history, loss)),
        ("d", v["losses"], lambda: viz.d_outputs(history, loss)),
        ("js", v["metrics"], lambda: viz.divergence_curves(metrics)),
        ("cov", v["metrics"], lambda: viz.coverage_curves(metrics)),
    ]
    before = cache.builds
    for key, token, build in charts:
        spec, _ = cache.spec(key, token, build)
        json.dumps({"spec": spec, "chunk": "static/js/PlotlyChart.js"})  # the component's data
    return cache.builds - before


def in_app(cfg, seconds: float, hz: float) -> dict[str, float]:
    runner = Runner(cfg)
    stop = threading.Event()
    counts = {"redraws": 0, "figures": 0, "draw_s": 0.0, "consumer_cpu": 0.0}

    def consumer() -> None:
        cache = viz.SpecCache()
        while not stop.is_set():
            began = time.perf_counter()
            counts["figures"] += draw(runner, cfg.loss, cache)
            counts["draw_s"] += time.perf_counter() - began
            counts["redraws"] += 1
            stop.wait(max(0.0, 1 / hz - (time.perf_counter() - began)))
        counts["consumer_cpu"] = thread_cpu()

    runner.play()
    time.sleep(0.5)  # warm-up, as headless_loop's first steps
    trainer_thread = runner._thread
    step0, t0, cpu0 = runner.status().step, time.perf_counter(), thread_cpu(trainer_thread)
    thread = threading.Thread(target=consumer)
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    elapsed = time.perf_counter() - t0
    step1, cpu1 = runner.status().step, thread_cpu(trainer_thread)
    consumer_cpu = counts["consumer_cpu"]
    runner.stop()
    return {
        "steps_per_s": (step1 - step0) / elapsed,
        "steps_per_cpu_s": (step1 - step0) / max(cpu1 - cpu0, 1e-9),
        "consumer_cpu_share": consumer_cpu / elapsed,
        "redraws_per_s": counts["redraws"] / elapsed,
        "new_pictures_per_s": runner.versions()["view"][1] / (elapsed + 0.5),
        "figures_rebuilt_per_s": counts["figures"] / elapsed,
        "ms_per_redraw": 1000 * counts["draw_s"] / max(counts["redraws"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ring8")
    parser.add_argument("--variant", default="nsgan")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hz", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = make_config(args.variant, args.data)
    rows = []
    for _ in range(args.rounds):
        loop, loop_cpu = headless_loop(cfg, args.seconds)
        app = in_app(cfg, args.seconds, args.hz)
        run = headless_run(cfg, args.seconds)
        load = os.getloadavg()[0]  # other processes on the machine skew every number
        rows.append({"headless_loop": loop, "headless_loop_per_cpu_s": loop_cpu,
                     "headless_run": run, **app, "load_avg": load})  # fmt: skip
        print(json.dumps({k: round(v, 1) for k, v in rows[-1].items()}), flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    med["ratio_vs_loop"] = statistics.median(r["steps_per_s"] / r["headless_loop"] for r in rows)
    med["ratio_vs_run"] = statistics.median(r["steps_per_s"] / r["headless_run"] for r in rows)
    # Per CPU second of the training thread: the work pictures and metrics add, whatever
    # else the machine is doing (waiting for a core or the lock is not counted).
    med["cpu_ratio"] = statistics.median(
        r["steps_per_cpu_s"] / r["headless_loop_per_cpu_s"] for r in rows
    )
    print("median", json.dumps({k: round(v, 3) for k, v in med.items()}))


if __name__ == "__main__":
    main()
