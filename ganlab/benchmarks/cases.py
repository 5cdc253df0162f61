"""The cases behind ``python -m ganlab bench`` (cli/bench.py): the project's trainer against
a plain eager PyTorch loop.

Each case builds the same nets, batch and optimizer twice: once through ganlab's Trainer,
once as the textbook loop below (the PyTorch DCGAN example's shape: BCE-with-logits, two D
forwards, fake reused for G), and times both in the same process, interleaved, so the ratio
holds on any machine. Absolute steps/s only compare on the same machine.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import date
from pathlib import Path
from typing import Any

import torch

from ganlab.benchmarks.timing import naive_steps_fn, rate
from ganlab.config.run_config import make_config
from ganlab.device import describe
from ganlab.training.trainer import Trainer

CASES: dict[str, dict[str, Any]] = {
    "toy-ring8": {
        "variant": "nsgan",
        "data": "ring8",
        "hidden": 128,
        "depth": 2,
        "batch_size": 256,
    },
    "toy-ring8-k5": {"variant": "nsgan", "data": "ring8", "hidden": 128, "depth": 2, "k": 5},
    "toy-1d-small": {
        "variant": "nsgan",
        "data": "gauss1d",
        "hidden": 32,
        "depth": 2,
        "batch_size": 64,
    },
    # DCGAN on digits (the preset's nets, B=64) against the eager DCGAN loop.
    "image-dcgan": {"variant": "dcgan", "data": "mnist", "batch_size": 64},
    # A sweep: these runs as one batched model (training/batched.py) vs one Trainer after another.
    "sweep-32": {"variant": "nsgan", "data": "ring8", "hidden": 64, "batch_size": 128, "runs": 32},
    # The app: a Runner training while a consumer redraws the playground's figures at 10 Hz,
    # against the plain eager loop (and, reported beside it, the headless trainer).
    "inapp-ring8": {"variant": "nsgan", "data": "ring8", "inapp": True},
}


def run_case(name: str, device: torch.device, seconds: float = 3.0) -> dict[str, Any]:
    """Time one case: the project trainer and the naive loop, alternating three times each
    so that background load hits both alike; report the medians and their ratio."""
    if "runs" in CASES[name]:  # batched sweep vs sequential Trainers
        from ganlab.benchmarks.sweep import sweep_case

        return sweep_case(name, CASES[name], device, seconds)
    if "inapp" in CASES[name]:  # lazily: it loads the runner and the figures
        from ganlab.benchmarks.inapp import inapp_case

        return inapp_case(name, CASES[name], device, seconds)
    settings = dict(CASES[name])
    cfg = make_config(settings.pop("variant"), settings.pop("data"), **settings)
    trainer = Trainer(cfg, device)
    naive = naive_steps_fn(cfg, device)
    project_rates, naive_rates = [], []
    for _ in range(3):
        project_rates.append(rate(trainer.train_steps, seconds / 3, device))
        naive_rates.append(rate(naive, seconds / 3, device))
    p, q = sorted(project_rates)[1], sorted(naive_rates)[1]
    return {
        "case": name,
        **CASES[name],
        "device": describe(device),
        "step_mode": trainer.graph_status,
        "project_steps_per_s": round(p, 1),
        "naive_steps_per_s": round(q, 1),
        "ratio": round(p / q, 3),
    }


def markdown_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| case | device | project steps/s | naive steps/s | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['device']} | {r['project_steps_per_s']:.0f} | "
            f"{r['naive_steps_per_s']:.0f} | {r['ratio']:.2f} |"
        )
    return "\n".join(lines)


def record(results: list[dict[str, Any]], folder: Path) -> None:
    """Append the run to folder/RESULTS.md and write folder/results-<device>.json."""
    folder.mkdir(parents=True, exist_ok=True)
    kind = results[0]["device"].split(" ")[0]
    (folder / f"results-{kind}.json").write_text(json.dumps(results, indent=2) + "\n")
    header = (
        f"\n## {date.today().isoformat()}: {platform.processor() or platform.machine()}, "
        f"torch {torch.__version__}, Python {sys.version.split()[0]}\n\n"
    )
    with open(folder / "RESULTS.md", "a") as fh:
        fh.write(header + markdown_table(results) + "\n")
