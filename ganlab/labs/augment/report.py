"""The augmentation lab's results as files, and its outcome in words.

``results.json`` holds the settings, the machine, the seconds and, per scheme, the mean and
standard deviation (over seeds) of held-out accuracy with each seed's value; ``results.csv``
holds one row per scheme. The experiment itself is experiment.py; the ``python -m ganlab
augment`` command that writes these files is cli/augment.py. ``SHIPPED`` is a measured run
shipped with ganlab (written by scripts/ship_results.py from bench/augment.json), which the
Augment page shows before anyone trains.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ganlab import ASSETS
from ganlab.labs.augment.common import AugmentSettings
from ganlab.labs.augment.experiment import AugmentResult

SHIPPED = ASSETS / "augment-shipped.json"
ALWAYS_SHOWN = ("labelled", "generated", "schemes", "seeds")  # in a command, even if default


def result_json(result: AugmentResult) -> dict[str, Any]:
    """Everything needed to read (and rerun) the experiment, as plain JSON values."""
    settings = {**asdict(result.settings), "schemes": list(result.settings.schemes)}
    return {
        "settings": settings,
        "seconds": round(result.seconds, 1),
        "device": result.device,
        "schemes": result.summary(),
    }


def command(s: AugmentSettings, out: str = "runs/aug") -> str:
    """The ``python -m ganlab augment`` line that runs these settings (each flag is named for
    its field; a field at its default is left out unless it is one of ALWAYS_SHOWN)."""
    default = AugmentSettings()
    words = ["python -m ganlab augment"]
    for f in fields(AugmentSettings):
        value = getattr(s, f.name)
        if f.name in ALWAYS_SHOWN or value != getattr(default, f.name):
            flag = "scheme" if f.name == "schemes" else f.name.replace("_", "-")
            shown = ",".join(value) if f.name == "schemes" else value
            words.append(f"--{flag} {shown}")
    return " ".join([*words, f"--out {out}"])


def shipped_json(bench: dict[str, Any], source: str, measured_on: str) -> dict[str, Any]:
    """A measured results.json (``bench``, read from ``source``) as the page's shipped
    result: the same numbers, with where and when they were measured and how to rerun them.
    Older files kept test_digits beside the settings; it moves into them here."""
    settings = {**bench["settings"]}
    settings.setdefault("test_digits", bench.get("test_digits", AugmentSettings().test_digits))
    s = AugmentSettings(**settings)  # refuses a file whose settings no longer validate
    return {
        "about": f"Copied from {source} by scripts/ship_results.py (not by hand); the Augment "
        "page shows it until a user runs their own. bench/AUGMENT.md tells its story.",
        "source": source,
        "measured_on": measured_on,
        "command": command(s),
        "settings": {**asdict(s), "schemes": list(s.schemes)},
        "seconds": bench["seconds"],
        "device": bench["device"],
        "schemes": bench["schemes"],
    }


def load_shipped() -> dict[str, Any]:
    """The shipped measured result (see shipped_json)."""
    return json.loads(SHIPPED.read_text())


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
