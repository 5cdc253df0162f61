"""Train several InfoGAN recipes side by side (on a GPU when there is one) and measure each
code's purity with the project's digit classifier, to pick the model ganlab ships.

    python scripts/infogan_search.py --out DIR [--device cuda] [--steps 6000] [--keep 2]
        [--recipe "seed=0" --recipe "seed=1,info_lambda=2" ...]

Each recipe is ``name=value`` pairs of `ganlab train` flags (underscores for dashes) on top of
train_pretrained.py's InfoGAN plan. Recipes train ``--parallel`` at a time, each in its own
process, on the first 8,000 bundled digits. On an H200, 8 InfoGAN processes at once ran at
only 50-65 steps/s each (2026-12-04: processes time-share one GPU), and one DCGAN process at
153 steps/s: keep --parallel small there. Purity is measured on 2,000 samples (200 per code value),
as bench/LATENT.md reports it. Writes DIR/search.json (every recipe's numbers, best first)
and the best ``--keep`` runs, slimmed, as DIR/best-N.pt with their config and metrics.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_pretrained import PLAN, TRAIN_DIGITS, write_train_folder  # noqa: E402

DEFAULT_RECIPES = [
    *(f"seed={s}" for s in range(6)),
    *(f"seed={s},info_lambda=2" for s in range(5)),
    *(f"seed={s},steps=9000" for s in range(5)),
]


def flags(recipe: str) -> list[str]:
    out: list[str] = []
    for pair in filter(None, recipe.split(",")):
        name, _, value = pair.partition("=")
        out += [f"--{name.strip().replace('_', '-')}", value.strip()]
    return out


def purity_of(run: Path, n: int = 2000) -> dict:
    from ganlab.games.infogan import code_purity
    from ganlab.scores.digits import classify
    from ganlab.training.checkpoint import load_trainer

    game = load_trainer(run, torch.device("cpu")).game
    gen = torch.Generator().manual_seed(2024)
    per = n // 10
    codes = torch.arange(10).repeat_interleave(per)
    x = torch.cat([game.sample(per, gen, cat=k) for k in range(10)])
    read, _ = classify(x)
    purity, distinct, majority = code_purity(codes, read)
    return {"purity": round(purity, 4), "distinct": distinct, "code_digit": majority}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--keep", type=int, default=2)
    parser.add_argument("--recipe", action="append")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds for the whole search")
    parser.add_argument("--parallel", type=int, default=2, help="recipes training at once")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="infogan-search-"))
    data = work / "mnist-first8000"
    write_train_folder(data)
    recipes = args.recipe or DEFAULT_RECIPES
    start, results = time.perf_counter(), []
    waiting = list(enumerate(recipes))
    running: list[tuple[str, Path, subprocess.Popen]] = []
    while waiting or running:
        while waiting and len(running) < args.parallel:
            i, recipe = waiting.pop(0)
            run = work / f"run{i}"
            cmd = [sys.executable, "-m", "ganlab", "train", "--data", "mnist", "--mnist-dir",
                   str(data), *PLAN["infogan-mnist"], "--steps", str(args.steps),
                   *flags(recipe), "--out", str(run), "--device", args.device,
                   "--threads", "1"]  # fmt: skip
            log = open(work / f"run{i}.log", "w")
            running.append((recipe, run, subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log)))
        time.sleep(0.5)
        late = time.perf_counter() - start > args.limit
        for recipe, run, proc in list(running):
            if proc.poll() is None and not late:
                continue
            if proc.poll() is None:
                proc.kill()
            running.remove((recipe, run, proc))
            rc = proc.wait()
            row = {"recipe": recipe, "rc": "timeout" if late and rc else rc,
                   "seconds": round(time.perf_counter() - start, 1)}  # fmt: skip
            if rc == 0:
                row.update(purity_of(run))
            else:
                row["log"] = (work / f"{run.name}.log").read_text()[-800:]
            print(json.dumps(row), flush=True)
            results.append((row, run))
        if late:
            waiting.clear()
    # All ten digits first (a model drawing one digit for every code is "pure"), then purity.
    results.sort(key=lambda r: (-(r[0].get("distinct", 0) >= 10), -r[0].get("purity", -1)))
    from ganlab.labs.latent.pretrained import slim

    for rank, (row, run) in enumerate(results[: args.keep]):
        if "purity" not in row:
            continue
        notes = {"trained_on": f"the first {TRAIN_DIGITS} bundled digits", "search": row}
        slim(run, work / f"best{rank}", notes)
        (out / f"best-{rank}.pt").write_bytes((work / f"best{rank}" / "checkpoint.pt").read_bytes())
        (out / f"best-{rank}.json").write_text((work / f"best{rank}" / "metrics.json").read_text())
    (out / "search.json").write_text(json.dumps([r for r, _ in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
