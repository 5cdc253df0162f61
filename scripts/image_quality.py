"""Train the default image GAN runs and measure them against issue 5's quality bar.

    python scripts/image_quality.py                      # all four variants, seed 0
    python scripts/image_quality.py --variants infogan --seeds 0 1 2

Each run is ``python -m ganlab train --data mnist --variant V --seed S`` exactly as a user
would start it (default steps and settings), timed on this machine with --threads CPU
threads. The trained run is then scored with the shipped digit classifier on thousands of
samples (ganlab/scores/images.py). Results go to bench/image_quality.json (merged with what
is there), and sample grids to bench/images/. Runs are kept under --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
BAR = {
    "infogan": "cat_purity >= 0.85 and cat_distinct >= 9",
    "cgan": "label_accuracy >= 0.90",
    "dcgan": "min_share >= 0.05 and mean_confidence >= 0.8",
    "lapgan": "mean_confidence >= 0.7",
}


def passes(variant: str, r: dict) -> bool:
    if variant == "infogan":
        return r["cat_purity"] >= 0.85 and r["cat_distinct"] >= 9
    if variant == "cgan":
        return r["label_accuracy"] >= 0.90
    if variant == "dcgan":
        return r["min_share"] >= 0.05 and r["mean_confidence"] >= 0.8
    return r["mean_confidence"] >= 0.7


def save_png(grid: np.ndarray, path: Path) -> None:
    from ganlab.games.image import tile

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((tile(grid) * 255).round().astype(np.uint8)).save(path)


def measure(variant: str, seed: int, runs: Path, images: Path, extra: list[str]) -> dict:
    from ganlab.cli.main import main as ganlab_main
    from ganlab.scores import images as quality
    from ganlab.training.checkpoint import load_trainer

    out = runs / f"{variant}-s{seed}"
    start = time.perf_counter()
    args = ["train", "--data", "mnist", "--variant", variant, "--seed", str(seed)]
    code = ganlab_main([*args, "--device", "cpu", "--out", str(out), *extra])
    wall = time.perf_counter() - start
    if code != 0:
        return {"variant": variant, "seed": seed, "error": f"train exited {code}"}
    trained = json.loads((out / "metrics.json").read_text())
    trainer = load_trainer(out, torch.device("cpu"))
    game = trainer.game
    report = {
        "variant": variant,
        "seed": seed,
        "steps": trained["steps"],
        "wall_seconds": round(wall, 1),
        "train_seconds": trained["train_seconds"],
        "threads": torch.get_num_threads(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        **quality.sample_scores(game, 5000, seed=seed),
    }
    if variant == "cgan":
        report.update(quality.cgan_report(game, seed=seed))
    if variant == "infogan":
        report.update(quality.infogan_report(game, seed=seed))
    report["passes"] = passes(variant, report)
    report["bar"] = BAR[variant]
    view = game.view(trainer.loss_fn, trainer.probability)
    save_png(view["grid"], images / f"{variant}-s{seed}.png")
    for key in ("c1_sweep", "c2_sweep", "levels"):
        if key in view:
            save_png(view[key], images / f"{variant}-s{seed}-{key}.png")
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--variants", nargs="+", default=["infogan", "cgan", "dcgan", "lapgan"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", default="/tmp/ganlab-image-quality")
    p.add_argument("--record", default=str(ROOT / "bench" / "image_quality.json"))
    p.add_argument("--images", default=str(ROOT / "bench" / "images"))
    p.add_argument("extra", nargs="*", help="more train flags after --, e.g. -- --steps 500")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    record = Path(args.record)
    results = json.loads(record.read_text()) if record.is_file() else {}
    for variant in args.variants:
        for seed in args.seeds:
            r = measure(variant, seed, Path(args.runs), Path(args.images), args.extra)
            results[f"{variant}-s{seed}"] = r
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(results, indent=2) + "\n")
            brief = {k: r[k] for k in r if not isinstance(r[k], (list, dict))}
            print(json.dumps(brief), flush=True)


if __name__ == "__main__":
    main()
