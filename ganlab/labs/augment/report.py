"""The augmentation lab's results as files, and its outcome in words.

``results.json`` holds the settings, the machine, the seconds and, per scheme, the mean and
standard deviation (over seeds) of held-out accuracy with each seed's value; ``results.csv``
holds one row per scheme. The experiment itself is experiment.py; the ``python -m ganlab
augment`` command that writes these files is cli/augment.py.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ganlab.labs.augment.experiment import AugmentResult


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


def write_results(result: AugmentResult, out: Path) -> None:
    """out/results.json and out/results.csv (the folder exists)."""
    (out / "results.json").write_text(json.dumps(result_json(result), indent=2) + "\n")
    (out / "results.csv").write_text(result_csv(result))


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
