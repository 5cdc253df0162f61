"""Write the measured results that the Sweep and Augment pages show before anyone trains.

    python scripts/ship_results.py            # both
    python scripts/ship_results.py sweep      # train the default grid, write its result
    python scripts/ship_results.py augment    # copy bench/augment.json's numbers

sweep: trains labs/sweep.py's DEFAULT_GRID on the CPU, exactly what
``python -m ganlab sweep --out runs/sweep`` trains, and writes
ganlab/assets/sweep-default.json (the rows, the grid, when, how long, on what).
augment: the augmentation experiment takes about 12 minutes of CPU, so its shipped result is
the measured run in bench/augment.json (bench/AUGMENT.md tells its story); this copies its
numbers, with where they came from, to ganlab/assets/augment-shipped.json, the one file the
page reads (bench/ is not part of the installed package).
Run it again after changing the default grid or rerunning the augment bench;
tests/test_sweep.py fails while the shipped sweep and the default grid disagree.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import torch

from ganlab.labs import sweep
from ganlab.labs.augment import report

ROOT = Path(__file__).resolve().parents[1]
BENCH_AUGMENT = ROOT / "bench" / "augment.json"


def machine() -> str:
    """This machine in words, with how busy it was (the seconds depend on it)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} cores (load average {load:.1f}), "
        f"torch {torch.__version__}, one CPU thread"
    )


def ship_sweep() -> Path:
    grid = sweep.DEFAULT_GRID
    cfgs = grid.configs(device="cpu")
    print(f"sweep: {sweep.plan(cfgs)}, {grid.steps} steps each ({grid.command()})")
    where = machine()
    start = time.perf_counter()
    rows = sweep.run_sweep(cfgs, "batched", "cpu")
    seconds = time.perf_counter() - start
    today = datetime.date.today().isoformat()
    data = sweep.shipped_json(grid, rows, seconds, where, today)
    sweep.SHIPPED.write_text(json.dumps(data, indent=1) + "\n")
    print(f"sweep: {seconds:.1f} s on {where}; wrote {sweep.SHIPPED}")
    return sweep.SHIPPED


def measured_on(path: Path) -> str:
    """The date of the commit that added ``path`` (when the bench ran), else its mtime."""
    try:
        dates = subprocess.run(
            ["git", "log", "--format=%cs", "--diff-filter=A", "--", str(path)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        dates = []
    if dates:
        return dates[-1]
    return datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()


def ship_augment() -> Path:
    bench = json.loads(BENCH_AUGMENT.read_text())
    source = str(BENCH_AUGMENT.relative_to(ROOT))
    data = report.shipped_json(bench, source, measured_on(BENCH_AUGMENT))
    report.SHIPPED.write_text(json.dumps(data, indent=1) + "\n")
    print(f"augment: {data['command']} ({source}); wrote {report.SHIPPED}")
    return report.SHIPPED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("which", nargs="*", choices=("sweep", "augment"), default=[])
    which = parser.parse_args().which or ["sweep", "augment"]
    if "augment" in which:
        ship_augment()
    if "sweep" in which:
        ship_sweep()


if __name__ == "__main__":
    main()
