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
import time

import torch

from ganlab.benchmarks.inapp import in_app, thread_cpu
from ganlab.config.run_config import make_config
from ganlab.training.trainer import Trainer


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
