"""Rewrite the shipped pretrained checkpoints in the current format, with their digest.

    python scripts/reseal_pretrained.py            # reseal all of them, then check them
    python scripts/reseal_pretrained.py --check    # only check that they are sealed

Each checkpoint is read with the current code (old formats are still accepted), stamped with
the current format and its digest (checkpoint.seal) and written back with the same tensors,
numbers and config: the script compares every entry before and after, and draws samples with
a fixed seed from the file before and after to prove the images did not change. It trains
nothing; scripts/train_pretrained.py rebuilds the models themselves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganlab.training.checkpoint import (  # noqa: E402
    FORMAT,
    load_trainer,
    read_checkpoint,
    seal,
)
from ganlab.training.locate import CHECKPOINT, NAMES, PRETRAINED_DIR  # noqa: E402


def same(a: Any, b: Any) -> bool:
    """Whether two checkpoint values are identical, tensors bit for bit (dtype included)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (
            isinstance(a, torch.Tensor)
            and isinstance(b, torch.Tensor)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and torch.equal(a.reshape(-1).view(torch.uint8), b.reshape(-1).view(torch.uint8))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def samples(path: Path, n: int = 16, seed: int = 7) -> torch.Tensor:
    trainer = load_trainer(path, torch.device("cpu"))
    gen = torch.Generator().manual_seed(seed)
    return trainer.sample(n, gen).detach()


def reseal(folder: Path) -> str:
    """Reseal one run folder in place; a line saying what was done and what was checked."""
    path = folder / CHECKPOINT
    before = read_checkpoint(path)
    if before["format"] == FORMAT:
        return f"{folder.name}: already {FORMAT}"
    images = samples(path)
    tmp = path.with_suffix(".pt.tmp")
    torch.save(seal(before), tmp)
    after = read_checkpoint(tmp)  # verifies the digest just written
    body = [k for k in before if k != "format"]
    if set(after) - {"digest"} != set(before) or not all(same(before[k], after[k]) for k in body):
        tmp.unlink()
        raise SystemExit(f"{folder.name}: the resealed file differs from the old one; kept old")
    if not torch.equal(images, samples(tmp)):
        tmp.unlink()
        raise SystemExit(f"{folder.name}: samples changed after resealing; kept the old file")
    tmp.replace(path)
    return f"{folder.name}: {before['format']} -> {FORMAT}, same tensors and samples"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check they are sealed")
    args = parser.parse_args()
    failed = 0
    for name in NAMES:
        folder = PRETRAINED_DIR / name
        if args.check:
            fmt = read_checkpoint(folder)["format"]  # refuses a digest that does not match
            failed += fmt != FORMAT
            print(f"{name}: {fmt}")
        else:
            print(reseal(folder))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
