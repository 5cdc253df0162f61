"""Train the digit-score classifier and write ganlab/assets/digit_classifier.pt.

Trains ``ganlab.digits.DigitClassifier`` on the first 8,000 bundled MNIST digits with random
shifts of up to 2 pixels, then reports its accuracy on the last 2,000, which it never saw.
Deterministic for a given seed and machine; a few minutes on two CPU cores.

    python scripts/train_digit_classifier.py [--epochs 12] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

# Runnable from a plain checkout, before ganlab is pip-installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.data.mnist import split_bundled  # noqa: E402
from ganlab.scores.digits import WEIGHTS, DigitClassifier  # noqa: E402

MAX_SHIFT = 2


def random_shift(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Move each image by its own random (dy, dx) in [-2, 2]^2, filling with black."""
    n, side = x.shape[0], x.shape[-1]
    padded = F.pad(x[:, 0], (MAX_SHIFT,) * 4)
    dy, dx = torch.randint(0, 2 * MAX_SHIFT + 1, (2, n), generator=gen)
    rows = (dy[:, None] + torch.arange(side))[:, :, None]
    cols = (dx[:, None] + torch.arange(side))[:, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols].unsqueeze(1)


def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(b).argmax(dim=1) for b in x.split(1000)])
    return (pred == y).float().mean().item()


def train(epochs: int, seed: int, batch_size: int = 64) -> tuple[DigitClassifier, float]:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    split = split_bundled()
    model = DigitClassifier()
    steps = epochs * (len(split.train_images) // batch_size)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(split.train_images), generator=gen)
        for i in range(len(order) // batch_size):
            idx = order[i * batch_size : (i + 1) * batch_size]
            x = random_shift(split.train_images[idx], gen)
            loss = F.cross_entropy(model(x), split.train_labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        acc = accuracy(model, split.heldout_images, split.heldout_labels)
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}, held-out accuracy {acc:.4f}")
    return model, acc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    torch.set_num_threads(2)
    start = time.perf_counter()
    model, acc = train(args.epochs, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(
        f"held-out accuracy {acc:.4f} on the last 2,000 bundled digits; "
        f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB) "
        f"in {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
