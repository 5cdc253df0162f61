"""``python -m ganlab bench``: the project's trainer against a plain eager PyTorch loop.

Each case builds the same nets, batch and optimizer twice: once through ganlab's Trainer,
once as the textbook loop below (the PyTorch DCGAN example's shape: BCE-with-logits, two D
forwards, fake reused for G), and times both in the same process, interleaved, so the ratio
holds on any machine. Absolute steps/s only compare on the same machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganlab.config.run_config import RunConfig, make_config
from ganlab.data import make_toy_data
from ganlab.data.mnist import load_mnist
from ganlab.device import describe, resolve_device
from ganlab.errors import ConfigError
from ganlab.nets import MLP
from ganlab.nets.conv import ConvDiscriminator, ConvGenerator
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
    # A sweep: these runs as one batched model (ganlab/batched.py) vs one Trainer after another.
    "sweep-32": {"variant": "nsgan", "data": "ring8", "hidden": 64, "batch_size": 128, "runs": 32},
    # The app: a Runner training while a consumer redraws the playground's figures at 10 Hz,
    # against the plain eager loop (and, reported beside it, the headless trainer).
    "inapp-ring8": {"variant": "nsgan", "data": "ring8", "inapp": True},
}


def naive_steps_fn(cfg: RunConfig, device: torch.device) -> Callable[[int], None]:
    """The plain eager loop for a config: what a tutorial would write (the PyTorch DCGAN
    example's shape for digits, the same shape over MLPs for toy data)."""
    torch.manual_seed(cfg.seed)
    if cfg.kind == "image":
        images = load_mnist(cfg.mnist_dir or None)[0].to(device)
        g = ConvGenerator(cfg.noise_dim, cfg.hidden).to(device)
        d = ConvDiscriminator(cfg.hidden).to(device)

        def sample(n: int) -> torch.Tensor:
            return images[torch.randint(len(images), (n,), device=device)]
    else:
        data = make_toy_data(cfg.data, device)
        g = MLP(cfg.noise_dim, cfg.hidden, data.dim, cfg.depth, cfg.activation).to(device)
        d = MLP(data.dim, cfg.hidden, 1, cfg.depth, cfg.activation).to(device)
        sample = data.sample
    betas = (cfg.beta1, cfg.beta2)
    opt_g = torch.optim.Adam(g.parameters(), lr=cfg.lr_g, betas=betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=cfg.lr_d, betas=betas)
    bce = nn.BCEWithLogitsLoss()
    n = cfg.batch_size
    ones = torch.ones(n, device=device)
    zeros = torch.zeros(n, device=device)

    def d_step() -> torch.Tensor:
        real = sample(n)
        fake = g(torch.randn(n, cfg.noise_dim, device=device))
        loss_d = bce(d(real).view(-1), ones) + bce(d(fake.detach()).view(-1), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        return fake

    def steps(count: int) -> None:
        for _ in range(count):
            for _ in range(cfg.k - 1):
                d_step()
            fake = d_step()
            loss_g = bce(d(fake).view(-1), ones)
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()

    return steps


def _rate(steps: Callable[[int], None], seconds: float, device: torch.device) -> float:
    """Steps per second of ``steps(n)``, which runs n training steps."""
    steps(20)  # warm up allocators and caches
    _sync(device)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps(25)
        n += 25
        _sync(device)
    return n / (time.perf_counter() - start)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_case(name: str, device: torch.device, seconds: float = 3.0) -> dict[str, Any]:
    """Time one case: the project trainer and the naive loop, alternating three times each
    so that background load hits both alike; report the medians and their ratio."""
    if "runs" in CASES[name]:  # batched sweep vs sequential Trainers
        from ganlab.training.batched import bench_case

        return bench_case(name, CASES[name], device, seconds)
    if "inapp" in CASES[name]:
        from ganlab.benchmarks.inapp import inapp_case

        return inapp_case(name, CASES[name], device, seconds)
    settings = dict(CASES[name])
    cfg = make_config(settings.pop("variant"), settings.pop("data"), **settings)
    trainer = Trainer(cfg, device)
    naive = naive_steps_fn(cfg, device)
    project_rates, naive_rates = [], []
    for _ in range(3):
        project_rates.append(_rate(trainer.train_steps, seconds / 3, device))
        naive_rates.append(_rate(naive, seconds / 3, device))
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


def bench_command(args: argparse.Namespace) -> int:
    device = resolve_device(args.device)
    names = [c for c in args.cases.split(",") if c] or list(CASES)
    unknown = [c for c in names if c not in CASES]
    if unknown:
        raise ConfigError(f"Unknown bench case {unknown[0]!r}; choose from: {', '.join(CASES)}.")
    if not 0.1 <= args.seconds <= 600:
        raise ConfigError(f"--seconds is {args.seconds}; it must be between 0.1 and 600.")
    results = [run_case(name, device, args.seconds) for name in names]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(markdown_table(results))
    if args.record:
        record(results, Path(args.record))
    return 0


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
