"""``python -m ganlab sample``: draw samples from a trained run (or a pretrained model) into
a .npy file, optionally conditioned (cgan's digit label, infogan's codes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganlab.errors import ConfigError

MAX_SAMPLES = 1_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``sample`` subcommand's flags."""
    p.add_argument("run", help="a run folder written by train")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--out", required=True, help="a .npy file to write")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--label", type=int, help="cgan: the digit to draw")
    p.add_argument("--code", action="append", default=[], help="infogan: cat=K or c1=V,c2=V")


def sample_command(args: argparse.Namespace) -> int:
    """Load the run, draw ``--n`` samples with ``--seed`` and write them as float32."""
    from ganlab.training.checkpoint import load_trainer

    if not 1 <= args.n <= MAX_SAMPLES:
        raise ConfigError(f"--n is {args.n}; it must be between 1 and {MAX_SAMPLES}.")
    if not str(args.out).endswith(".npy"):
        raise ConfigError(f"--out {args.out!r} must be a .npy file.")
    conditions = parse_conditions(args.label, args.code)
    trainer = load_trainer(args.run)
    gen = torch.Generator(device=trainer.device).manual_seed(args.seed)
    x = trainer.sample(args.n, gen, **conditions)
    arr = x.detach().float().cpu().numpy().astype(np.float32)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, arr)
    print(
        f"ganlab: wrote {arr.shape[0]} samples of shape {arr.shape[1:]} to {args.out}",
        file=sys.stderr,
    )
    return 0


def parse_conditions(label: int | None, codes: list[str]) -> dict[str, Any]:
    """--label K and --code cat=K / --code c1=V,c2=V as keyword arguments for sampling."""
    out: dict[str, Any] = {}
    if label is not None:
        out["label"] = label
    for text in codes:
        for part in text.split(","):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ConfigError(f"--code {text!r} must look like cat=3 or c1=0.5,c2=-1.")
            try:
                out[name] = int(value) if name == "cat" else float(value)
            except ValueError:
                raise ConfigError(f"--code {name}={value!r} is not a number.")
    return out
