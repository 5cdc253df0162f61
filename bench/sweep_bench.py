"""Batched sweep vs sequential Trainers on this machine; prints the tables of bench/SWEEP.md.

Part 1 times training alone (ganlab.benchmarks.sweep.sweep_case: 32 runs, alternating three times).
Part 2 times a whole ``run_sweep`` of 32 runs (training plus the final metrics per run)
with the batched and the sequential backend. Run: ``python bench/sweep_bench.py [seconds]``.
"""

from __future__ import annotations

import sys
import time

import torch

from ganlab.benchmarks.sweep import sweep_case
from ganlab.device import resolve_device
from ganlab.labs.sweep import make_grid, run_sweep

SHAPES = {
    "gauss1d preset (8 tanh units, batch 8)": {"data": "gauss1d"},
    "ring8, 32 units, batch 64": {"data": "ring8", "hidden": 32, "batch_size": 64},
    "ring8, 64 units, batch 128": {"data": "ring8", "hidden": 64, "batch_size": 128},
    "ring8 preset (128 units, batch 256)": {"data": "ring8"},
}


def main(seconds: float) -> None:
    torch.set_num_threads(1)
    device = resolve_device("cpu")
    print("| 32 GANs of one shape | batched GAN-steps/s | sequential GAN-steps/s | speed-up |")
    print("|---|---:|---:|---:|")
    for name, shape in SHAPES.items():
        r = sweep_case(name, {"variant": "nsgan", "runs": 32, **shape}, device, seconds)
        print(
            f"| {name} | {r['project_steps_per_s']:.0f} | {r['naive_steps_per_s']:.0f} | "
            f"{r['ratio']:.2f}x |",
            flush=True,
        )
    cfgs = make_grid(
        "ring8",
        "nsgan",
        k=[1, 2],
        lr_d=[1e-4, 3e-4, 1e-3, 3e-3],
        seeds=4,
        steps=300,
        hidden=32,
        batch_size=[64],
        device="cpu",
    )
    print(
        f"\n| run_sweep, {len(cfgs)} runs (ring8, k 1,2 x 4 lr_d x 4 seeds, 300 steps) "
        "| seconds |\n|---|---:|"
    )
    for backend in ("batched", "sequential"):
        start = time.perf_counter()
        run_sweep(cfgs, backend, "cpu")
        print(f"| {backend} | {time.perf_counter() - start:.1f} |", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
