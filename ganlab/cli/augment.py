"""``python -m ganlab augment``: the augmentation lab from the command line.

Reads the flags into ``AugmentSettings`` (each flag is named for its field, so the settings'
own validation names the flag), runs the experiment with a progress line on stderr, writes
results.json and results.csv (labs/augment/report.py) and prints each scheme's accuracy.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from ganlab.errors import ConfigError
from ganlab.labs.augment.common import SCHEMES, AugmentSettings
from ganlab.labs.augment.experiment import run_experiment
from ganlab.labs.augment.report import write_results


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``augment`` subcommand's flags, with AugmentSettings' defaults."""
    d = AugmentSettings.__dataclass_fields__
    p.add_argument(
        "--labelled", type=int, default=d["labelled"].default, help="labelled digits n (10-8000)"
    )
    p.add_argument(
        "--generated", type=int, default=d["generated"].default, help="GAN samples added"
    )
    p.add_argument(
        "--scheme",
        dest="schemes",
        default="none,k+1,argmax,uniform",
        help=f"comma-separated: {', '.join(SCHEMES)}",
    )
    p.add_argument("--seeds", type=int, default=d["seeds"].default, help="seeds 0, 1, ...")
    p.add_argument("--gan-steps", type=int, default=d["gan_steps"].default, help="DCGAN steps")
    p.add_argument("--classifier-steps", type=int, default=d["classifier_steps"].default)
    p.add_argument("--ssgan-steps", type=int, default=d["ssgan_steps"].default)
    p.add_argument("--unlabelled", type=int, default=0, help="ssgan: extra unlabelled digits")
    p.add_argument("--batch-size", type=int, default=d["batch_size"].default)
    p.add_argument("--test-digits", type=int, default=d["test_digits"].default, help="100-2000")
    p.add_argument("--device", default="cpu", help="auto, cpu, cuda or mps")
    p.add_argument("--out", required=True, help="folder for results.csv and results.json")


def augment_command(args: argparse.Namespace) -> int:
    """Run the experiment the flags describe; ConfigError propagates (the CLI exits 2)."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {args.out!r} exists and is not a folder.")
    names = [f.name for f in fields(AugmentSettings)]  # each flag is named for its field
    settings = AugmentSettings(**{name: getattr(args, name) for name in names})
    out.mkdir(parents=True, exist_ok=True)
    tty = sys.stderr.isatty()
    shown = [-1]

    def progress(fraction: float, what: str) -> None:
        if tty:
            print(
                f"\r[{'#' * int(24 * fraction):<24}] {fraction:4.0%} {what:<48}",
                end="",
                file=sys.stderr,
                flush=True,
            )
        elif int(fraction * 10) > shown[0]:
            shown[0] = int(fraction * 10)
            print(f"{fraction:4.0%} {what}", file=sys.stderr, flush=True)

    result = run_experiment(settings, progress)
    if tty:
        print(file=sys.stderr)
    write_results(result, out)
    for row in result.summary():
        print(
            f"ganlab: {row['scheme']:>8}  {100 * row['mean']:.2f}% +- {100 * row['std']:.2f}",
            file=sys.stderr,
        )
    print(
        f"ganlab: {result.seconds:.0f} s on {result.device}; wrote {out}/results.csv and .json",
        file=sys.stderr,
    )
    return 0
