"""``python -m ganlab bench``: the project's trainer against a plain eager loop, per case.

The cases and their timing live in ganlab/benchmarks/ (cases.py: the registry, ``run_case``,
the markdown table and the record); this module reads the flags, checks them, runs the cases
and prints or records the results.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ganlab.errors import ConfigError

MIN_SECONDS, MAX_SECONDS = 0.1, 600


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``bench`` subcommand's flags."""
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--device", default="auto")
    p.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    p.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    p.add_argument("--record", help="also write the JSON and a markdown table to this folder")


def bench_command(args: argparse.Namespace) -> int:
    """Run the chosen cases (all by default) on the device; ConfigError for bad flags."""
    from ganlab.benchmarks.cases import CASES, markdown_table, record, run_case
    from ganlab.device import resolve_device

    device = resolve_device(args.device)
    names = [c for c in args.cases.split(",") if c] or list(CASES)
    unknown = [c for c in names if c not in CASES]
    if unknown:
        raise ConfigError(f"Unknown bench case {unknown[0]!r}; choose from: {', '.join(CASES)}.")
    if not MIN_SECONDS <= args.seconds <= MAX_SECONDS:
        raise ConfigError(
            f"--seconds is {args.seconds}; it must be between {MIN_SECONDS} and {MAX_SECONDS}."
        )
    results = [run_case(name, device, args.seconds) for name in names]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(markdown_table(results))
    if args.record:
        record(results, Path(args.record))
    return 0
