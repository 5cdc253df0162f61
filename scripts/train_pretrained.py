"""Rebuild the pretrained models shipped under ganlab/assets/pretrained/, and measure them.

    python scripts/train_pretrained.py                     # all three, then measure
    python scripts/train_pretrained.py --only cgan-mnist   # one of them
    python scripts/train_pretrained.py --measure-only      # re-measure what is shipped
    python scripts/train_pretrained.py --only infogan-mnist --from-commit 1a7270e  # THEN only

Each model is trained with ganlab's own CLI (``python -m ganlab train --data mnist ...``) on
the first 8,000 bundled digits only (written as an IDX folder and passed with --mnist-dir),
so the last 2,000, the digit classifier's held-out set, are unseen by the GANs too and
inversion can be measured on them honestly. A model with stages in THEN is continued from
that run with ``python -m ganlab train --resume`` once per stage (a stage whose folder under
--runs was made by the same command is kept, so THEN can grow without training again). The
last run is then slimmed (ganlab.pretrained.slim) and measured with the shipped digit
classifier (a code's or label's purity on 2,000 samples, 200 per value); results go into
each model's metrics.json and bench/latent.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganlab.labs.latent.pretrained import NAMES, PRETRAINED_DIR, load, slim  # noqa: E402

# name -> the CLI flags beyond --data mnist (each variant's preset does the rest)
PLAN: dict[str, list[str]] = {
    # Seeds 0, 1 and 2 of this plan gave purity 0.909, 0.868 and 0.843 at commit 8eb3e67
    # (bench/LATENT.md). Today's code trains another model from seed 0, so THEN's stages are
    # rebuilt from the one shipped then: --from-commit 1a7270e (its 6,000-step model).
    "infogan-mnist": ["--variant", "infogan", "--seed", "0"],
    "cgan-mnist": ["--variant", "cgan", "--seed", "0"],
    "dcgan-mnist": ["--variant", "dcgan", "--seed", "0"],
}
# name -> the stages that continue PLAN's run, in order (``ganlab train --resume`` flags)
THEN: dict[str, list[list[str]]] = {
    "infogan-mnist": [
        ["--steps", "12500"],  # the same settings, on from 6,000
        ["--steps", "12750", "--lr-d", "2e-5", "--lr-g", "1e-4"],  # a tenth of both rates
        ["--steps", "15250", "--batch-size", "256"],  # 4x the batch: the 3s and 5s part
        ["--steps", "17750", "--batch-size", "256"],  # the same, on
    ],
}
TRAIN_DIGITS = 8_000


def write_train_folder(folder: Path) -> None:
    """The first 8,000 bundled digits as train-images/labels IDX files (gzip)."""
    from ganlab.data.mnist import split_bundled

    split = split_bundled()
    images = (split.train_images[:, 0] * 255).round().to(torch.uint8).numpy()
    labels = split.train_labels.to(torch.uint8).numpy()
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), 28, 28) + images.tobytes())
    with gzip.open(folder / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 2049, len(labels)) + labels.tobytes())


def train(name: str, runs: Path, data: Path, extra: list[str], commit: str | None) -> dict:
    """PLAN's run (or the model shipped at ``commit``), then THEN's stages, each resumed from
    the one before; the last is slimmed into PRETRAINED_DIR. The notes say how, for
    metrics.json."""
    start = shipped_at(commit, name, runs) if commit else None
    base = [sys.executable, "-m", "ganlab", "train", "--data", "mnist"]
    shown = "python -m ganlab train --data mnist --mnist-dir FIRST8000 "
    stages = [] if start else [PLAN[name] + extra]
    stages += [["--resume", "PREVIOUS", *flags] for flags in THEN.get(name, [])]
    commands, before, seconds = [], str(start or ""), 0.0
    for i, flags in enumerate(stages):
        out = runs / f"{name}-{i}"
        flags = [before if flag == "PREVIOUS" else flag for flag in flags]
        cmd = base + ["--mnist-dir", str(data), *flags, "--out", str(out), "--device", "cpu"]
        done = out / "stage.json"  # a stage already run by this very command is kept
        if done.is_file() and json.loads(done.read_text()) == cmd:
            print("kept", out, flush=True)
        else:
            print("$", " ".join(cmd), flush=True)
            done.unlink(missing_ok=True)
            subprocess.run(cmd, check=True, cwd=ROOT)
            done.write_text(json.dumps(cmd))
        commands.append(
            shown
            + " ".join(flags).replace(str(start), f"SHIPPED@{commit}").replace(str(runs), "RUNS")
        )
        seconds += json.loads((out / "metrics.json").read_text())["seconds"]
        before = str(out)
    notes = {
        "trained_on": f"the first {TRAIN_DIGITS} bundled digits (the last 2,000 held out)",
        "command": " && ".join(commands),
        "wall_seconds": round(seconds, 1),  # the stages' own, kept ones included
    }
    if commit:
        notes["started_from"] = f"the {name} shipped at commit {commit} (SHIPPED@{commit})"
    slim(Path(before), PRETRAINED_DIR / name, notes)
    return notes


def shipped_at(commit: str, name: str, runs: Path) -> Path:
    """The checkpoint of ``name`` as shipped at ``commit`` (read from git), under ``runs``."""
    blob = f"{commit}:{PRETRAINED_DIR.relative_to(ROOT).as_posix()}/{name}/checkpoint.pt"
    path = runs / f"{name}@{commit}.pt"
    runs.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        subprocess.run(["git", "show", blob], cwd=ROOT, check=True, capture_output=True).stdout
    )
    return path


def measure(name: str, n: int = 1000, inversions: int = 50, per_code: int = 200) -> dict:
    """Quality with the digit classifier, on n samples drawn as ``ganlab sample`` does (and,
    for a code or label, ``per_code`` samples for each of its 10 values)."""
    from ganlab.games.infogan import code_purity
    from ganlab.labs.latent.inversion import report
    from ganlab.scores.digits import classify, digit_scores
    from ganlab.training.checkpoint import load_trainer

    trainer = load_trainer(f"pretrained:{name}", torch.device("cpu"))
    game = trainer.game
    gen = torch.Generator().manual_seed(2024)
    out: dict = {}
    x = game.sample(n, gen)
    scores = digit_scores(x)
    out["mean_confidence"] = round(scores["mean_confidence"], 4)
    out["min_share"] = round(scores["min_share"], 4)
    if game.cfg.variant in ("infogan", "cgan"):
        key = "cat" if game.cfg.variant == "infogan" else "label"
        codes = torch.arange(10).repeat_interleave(per_code)
        x = torch.cat([game.sample(per_code, gen, **{key: k}) for k in range(10)])
        read, _ = classify(x)
        if key == "cat":
            purity, distinct, majority = code_purity(codes, read)
            out.update(cat_purity=round(purity, 4), cat_distinct=distinct, cat_digit=majority)
        else:
            out["label_accuracy"] = round(float((read == codes).float().mean()), 4)
    if inversions:
        inv = report(load(name), n=inversions)
        out["inversion"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in inv.items()}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=list(NAMES), choices=NAMES)
    parser.add_argument("--runs", default=str(Path(tempfile.gettempdir()) / "ganlab-pretrained"))
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument(
        "--from-commit",
        metavar="COMMIT",
        help="skip PLAN's run: continue THEN's stages from the model shipped at this commit",
    )
    parser.add_argument("--inversions", type=int, default=50, help="held-out digits to invert")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("extra", nargs="*", help="more train flags, e.g. -- --steps 3000")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    runs = Path(args.runs)
    data = runs / "mnist-first8000"
    for name in args.only:
        if not args.measure_only:
            write_train_folder(data)
            train(name, runs, data, args.extra, args.from_commit)
        quality = measure(name, inversions=args.inversions)
        print(name, json.dumps(quality), flush=True)
        metrics_path = PRETRAINED_DIR / name / "metrics.json"
        metrics = json.loads(metrics_path.read_text())
        metrics["quality"] = quality
        metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
    collect()
    return 0


def collect() -> None:
    """bench/latent.json: each shipped model's quality and how it was trained (from its
    metrics.json), beside the latency numbers bench/latent_bench.py adds."""
    path = ROOT / "bench" / "latent.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    for name in NAMES:
        metrics_path = PRETRAINED_DIR / name / "metrics.json"
        if metrics_path.is_file():
            m = json.loads(metrics_path.read_text())
            keep = ("steps", "train_seconds", "command", "trained_on", "quality")
            results.setdefault(name, {}).update({k: m.get(k) for k in keep})
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
