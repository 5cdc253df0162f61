"""Soak test: one live Runner trains for a long time while its memory is sampled.

    python scripts/soak.py [--minutes 60] [--data ring8] [--variant nsgan] [--out soak.json]

Every ``--every`` seconds it records the process's resident memory (and CUDA's allocated
memory when the run is on a GPU) and the step. The verdict is "flat" when the mean of the
last quarter of the samples is within 10% of the mean of the second quarter (the first
quarter is warm-up: allocator pools, caches, the first metric histories filling). Bounded
histories (runlog.py) are what keep it flat; this script is how that claim is checked.
Not run in CI: an hour is the point. Exit code 0 when flat, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from ganlab.config.run_config import make_config
from ganlab.live.runner import Runner
from ganlab.live.threads import Slots

TOLERANCE = 0.10


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB, from /proc (Linux), without psutil."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def verdict(values: list[float], tolerance: float = TOLERANCE) -> tuple[bool, float, float]:
    """(flat, mean of the second quarter, mean of the last quarter)."""
    n = len(values)
    q = max(n // 4, 1)
    second = values[q : 2 * q] or values[:1]
    last = values[-q:]
    a, b = sum(second) / len(second), sum(last) / len(last)
    return abs(b - a) <= tolerance * a, a, b


def soak(minutes: float, every: float, data: str, variant: str) -> dict:
    cfg = make_config(variant, data)
    runner = Runner(cfg, slots=Slots(1))
    runner.play()
    samples = []
    began = time.monotonic()
    try:
        while (elapsed := time.monotonic() - began) < minutes * 60:
            runner.latest()  # as a page does: ask for pictures, so they are drawn too
            runner.history(), runner.metric_history()
            status = runner.status()
            row = {"s": round(elapsed, 1), "step": status.step, "rss_mb": round(rss_mb(), 1)}
            if torch.cuda.is_available():
                row["cuda_mb"] = round(torch.cuda.memory_allocated() / 2**20, 1)
            samples.append(row)
            print(json.dumps(row), flush=True)
            if not runner.playing:  # diverged: the soak says so rather than idling
                break
            time.sleep(every)
    finally:
        runner.stop()
    flat, before, after = verdict([r["rss_mb"] for r in samples])
    result = {
        "config": {"data": data, "variant": variant, "minutes": minutes, "every_s": every},
        "device": status.device,
        "steps": status.step,
        "message": status.message,
        "rss_second_quarter_mb": round(before, 1),
        "rss_last_quarter_mb": round(after, 1),
        "rss_flat": flat,
        "samples": samples,
    }
    if torch.cuda.is_available():
        cuda = [r["cuda_mb"] for r in samples]
        result["cuda_flat"] = verdict(cuda)[0] if max(cuda) > 0 else True
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--data", default="ring8")
    parser.add_argument("--variant", default="nsgan")
    parser.add_argument("--out", default="soak.json")
    args = parser.parse_args(argv)
    result = soak(args.minutes, args.every, args.data, args.variant)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    flat = result["rss_flat"] and result.get("cuda_flat", True)
    print(
        f"soak: {result['steps']} steps in {args.minutes:g} min on {result['device']}; RSS "
        f"{result['rss_second_quarter_mb']:.0f} MB (second quarter) -> "
        f"{result['rss_last_quarter_mb']:.0f} MB (last quarter): "
        f"{'flat' if flat else 'GROWING'} (pid {os.getpid()})",
        file=sys.stderr,
    )
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
