"""The sweep bench case: ``runs`` GANs of one shape as one BatchedTrainer (training/batched.py)
against the same runs as one Trainer after another, in one process.

Registered in cases.py as ``sweep-32``; bench/sweep_bench.py also calls it directly. It
times with timing.py and imports no other case.
"""

from __future__ import annotations

from typing import Any

import torch

from ganlab.benchmarks.timing import rate
from ganlab.config.run_config import make_config
from ganlab.device import describe
from ganlab.training.batched import BatchedTrainer
from ganlab.training.trainer import Trainer


def sweep_case(
    name: str, settings: dict[str, Any], device: torch.device, seconds: float = 3.0
) -> dict[str, Any]:
    """``python -m ganlab bench`` for a sweep case: ``runs`` GANs of one shape (learning
    rates spread over a decade, one seed each) as one BatchedTrainer against the same runs
    as sequential Trainers, alternating three times; rates are GAN-steps per second."""
    settings = dict(settings)
    runs = settings.pop("runs")
    base = make_config(settings.pop("variant"), settings.pop("data"), **settings)
    lrs = torch.logspace(-4, -3, runs).tolist()
    cfgs = [base.replace(seed=i, lr_d=lr, lr_g=lr) for i, lr in enumerate(lrs)]
    batched = BatchedTrainer(cfgs, device)
    trainers = [Trainer(cfg, device) for cfg in cfgs]

    def sequential(n: int) -> None:
        for trainer in trainers:
            trainer.train_steps(n)

    fast, slow = [], []
    for _ in range(3):
        fast.append(runs * rate(batched.train_steps, seconds / 3, device))
        slow.append(runs * rate(sequential, seconds / 3, device))
    p, q = sorted(fast)[1], sorted(slow)[1]
    return {
        "case": name,
        "runs": runs,
        **settings,
        "device": describe(device),
        "project_steps_per_s": round(p, 1),
        "naive_steps_per_s": round(q, 1),
        "ratio": round(p / q, 3),
    }
