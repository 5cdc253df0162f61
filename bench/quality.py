"""Measure the toy quality targets of issue 3 and write bench/QUALITY.md.

    python bench/quality.py            # all checks (several minutes on 2 CPU cores)
    python bench/quality.py ring8      # one of: ring8, grid25, gauss1d

Each line of the table is one training run with the presets exactly as the CLI uses them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ganlab.config.run_config import make_config
from ganlab.training.trainer import Trainer

CHECKS = {
    "ring8": [("nsgan", "ring8", {}, seed) for seed in range(5)],
    "grid25": [("nsgan", "grid25", {}, seed) for seed in range(3)],
    "gauss1d": [
        (variant, "gauss1d", mods, seed)
        for seed in range(3)
        for variant, mods in (("nsgan", {}), ("nsgan", {"minibatch_disc": True}))
    ],
}
COLUMNS = ["modes_covered", "high_quality_frac", "js_grid", "w1", "fake_mean_0", "fake_std_0"]


def measure(variant: str, data: str, mods: dict, seed: int) -> dict:
    cfg = make_config(variant, data, seed=seed, **mods)
    trainer = Trainer(cfg)
    start = time.perf_counter()
    snap = list(trainer.run())[-1]
    return {"seconds": time.perf_counter() - start, "steps": trainer.step, **snap.metrics}


def main(names: list[str]) -> None:
    rows = ["| data | variant | modifiers | seed | steps | seconds | " + " | ".join(COLUMNS) + " |"]
    rows.append("|" + "---|" * (6 + len(COLUMNS)))
    for name in names or list(CHECKS):
        for variant, data, mods, seed in CHECKS[name]:
            m = measure(variant, data, mods, seed)
            cells = [f"{m[c]:.3f}" if c in m else "" for c in COLUMNS]
            row = f"| {data} | {variant} | {mods or ''} | {seed} | {m['steps']} | "
            row += f"{m['seconds']:.1f} | "
            rows.append(row + " | ".join(cells) + " |")
            print(rows[-1], flush=True)
    out = Path(__file__).with_name("QUALITY.md")
    with open(out, "a") as fh:
        fh.write(f"\n## {time.strftime('%Y-%m-%d %H:%M')}\n\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
