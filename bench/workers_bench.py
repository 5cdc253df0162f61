"""Live runs in worker processes against the same runs as server threads; prints markdown.

For 1, 2 and 4 sessions playing ring8 nsgan at once, the aggregate steps/s with each run in
its own worker process (``RemoteRunner``) and with each as a thread of this process
(``Runner``, as with GANLAB_WORKERS=0), each under its mode's cap on runs training at once
(threads.MAX_TRAINING). A poller reads every session's status and snapshot five times a
second, as a playing page does. Then one worker run against the headless trainer
(``Trainer.train_steps``), and the time from ``play()`` to the first snapshot past step 0
on a fresh process (cold fork server: it imports torch first) and on a warm one. The
results and their reading are in bench/WORKERS.md.

    python bench/workers_bench.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from ganlab.config.run_config import make_config
from ganlab.live.runner import Runner
from ganlab.live.threads import Slots, cpu_cores
from ganlab.live.worker import RemoteRunner
from ganlab.training.trainer import Trainer

CFG = make_config("nsgan", "ring8")
WARM_S = 2.0  # playing before the count starts (first snapshots, metrics)
COLD = """
import time
from ganlab.config.run_config import make_config
from ganlab.live.worker import RemoteRunner
if __name__ == "__main__":
    started = time.perf_counter()
    runner = RemoteRunner(make_config("nsgan", "ring8"))
    built = time.perf_counter()
    runner.play()
    while runner.latest().step == 0:
        time.sleep(0.01)
    print(built - started, time.perf_counter() - built)
    runner.stop()
"""


def aggregate(n: int, workers: bool, seconds: float) -> float:
    """Steps per second of n sessions together."""
    limit = cpu_cores() if workers else max(2, min(8, 2 * cpu_cores()))  # threads.py's caps
    slots = Slots(limit)
    runners = [RemoteRunner(CFG, slots) if workers else Runner(CFG, slots) for _ in range(n)]
    try:
        for runner in runners:
            runner.play()
        time.sleep(WARM_S)
        first, began = [r.status().step for r in runners], time.perf_counter()
        while time.perf_counter() - began < seconds:
            for runner in runners:  # what each session's page reads on a redraw
                runner.status(), runner.latest(), runner.versions()
            time.sleep(0.2)
        last, elapsed = [r.status().step for r in runners], time.perf_counter() - began
    finally:
        for runner in runners:
            runner.stop()
    return (sum(last) - sum(first)) / elapsed


def headless(seconds: float) -> float:
    trainer = Trainer(CFG)
    trainer.train_steps(50)
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        trainer.train_steps(100)
        done += 100
    return done / (time.perf_counter() - began)


def first_snapshot_s() -> tuple[float, float]:
    """(start, play to first snapshot) in seconds, this process's fork server warm."""
    RemoteRunner(CFG).stop()  # the fork server up, torch imported
    started = time.perf_counter()
    runner = RemoteRunner(CFG)
    built = time.perf_counter()
    runner.play()
    while runner.latest().step == 0:
        time.sleep(0.01)
    first = time.perf_counter() - built
    runner.stop()
    return built - started, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    seconds = parser.parse_args().seconds
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cold = subprocess.run(
        [sys.executable, "-c", COLD], cwd=root, capture_output=True, text=True, check=True
    )
    cold_start, cold_first = map(float, cold.stdout.split())
    warm_start, warm_first = first_snapshot_s()
    rates = {(n, w): aggregate(n, w, seconds) for n in (1, 2, 4) for w in (True, False)}
    alone = headless(seconds)
    load = os.getloadavg()
    print(f"ring8 nsgan, {cpu_cores()} cores, {seconds:g} s a case; load average before/after")
    print(f"the cases: see below; now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print("| sessions | workers: steps/s | threads: steps/s | workers / threads | vs one |")
    print("|---:|---:|---:|---:|---:|")
    for n in (1, 2, 4):
        w, t = rates[n, True], rates[n, False]
        print(f"| {n} | {w:,.0f} | {t:,.0f} | {w / t:.2f} | {w / rates[1, True]:.2f}x |")
    print(f"\nheadless Trainer.train_steps: {alone:,.0f} steps/s; one worker run: "
          f"{rates[1, True]:,.0f} ({rates[1, True] / alone:.2f} of headless); one thread "
          f"run: {rates[1, False]:,.0f} ({rates[1, False] / alone:.2f})\n")  # fmt: skip
    print("| fork server | start a run | play() to first snapshot |")
    print("|---|---:|---:|")
    print(f"| cold (fresh process) | {cold_start:.2f} s | {cold_first:.2f} s |")
    print(f"| warm | {warm_start:.2f} s | {warm_first:.2f} s |")


if __name__ == "__main__":
    main()
