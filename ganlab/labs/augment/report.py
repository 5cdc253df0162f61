"""The augmentation lab's results as files, and its ``python -m ganlab augment`` command.

``results.json`` holds the settings, the machine, the seconds and, per scheme, the mean and
standard deviation (over seeds) of held-out accuracy with each seed's value; ``results.csv``
holds one row per scheme. The experiment itself is ganlab/augment.py.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ganlab.errors import ConfigError
from ganlab.labs.augment.experiment import SCHEMES, AugmentResult, AugmentSettings, run_experiment


def result_json(result: AugmentResult) -> dict[str, Any]:
    """Everything needed to read (and rerun) the experiment, as plain JSON values."""
    settings = {**asdict(result.settings), "schemes": list(result.settings.schemes)}
    return {
        "settings": settings,
        "seconds": round(result.seconds, 1),
        "device": result.device,
        "schemes": result.summary(),
    }


def result_csv(result: AugmentResult) -> str:
    """scheme, mean, std, seeds, then one column of accuracy per seed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["scheme", "mean", "std", "seeds"] + [f"seed_{i}" for i in range(result.settings.seeds)]
    )
    for row in result.summary():
        accs = [f"{a:.4f}" for a in row["accuracies"]]
        writer.writerow(
            [row["scheme"], f"{row['mean']:.4f}", f"{row['std']:.4f}", row["seeds"], *accs]
        )
    return out.getvalue()


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``augment`` subcommand's flags (cli.py builds the parser)."""
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
    (out / "results.json").write_text(json.dumps(result_json(result), indent=2) + "\n")
    (out / "results.csv").write_text(result_csv(result))
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


def _pct(row: dict[str, Any]) -> str:
    return f"{100 * row['mean']:.1f}% ± {100 * row['std']:.1f}"


def reading(rows: list[dict[str, Any]]) -> str:
    """The measured outcome in words: the best scheme, and each scheme against ``none``,
    with a difference no larger than the spread between seeds called what it is."""
    best = max(rows, key=lambda r: r["mean"])
    words = [f"Highest here: {best['scheme']} ({_pct(best)})."]
    base = next((r for r in rows if r["scheme"] == "none"), None)
    for row in rows:
        if base is None or row is base:
            continue
        diff = 100 * (row["mean"] - base["mean"])
        spread = 100 * max(row["std"], base["std"])
        if row["seeds"] < 2:
            judged = "one seed, so no spread to judge it by"
        elif abs(diff) <= spread:
            judged = "within the spread between seeds"
        else:
            judged = "more than the spread between seeds"
        words.append(f"{row['scheme']} vs none: {diff:+.1f} points ({judged}).")
    return " ".join(words)
