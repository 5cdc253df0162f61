"""How good a trained image GAN is, in numbers a reader can check against the issue's bar.

The live metrics (``game.metrics``) use 500 samples so a snapshot stays cheap; the reports
here use thousands and say more: for InfoGAN, which digit each categorical value draws and
how much each continuous code moves slant, width and ink; for CGAN, how often the
classifier reads the requested label. ``scripts/image_quality.py`` trains the default runs
and records these reports under bench/. Nothing here trains.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from ganlab.data.mnist import load_mnist
from ganlab.games.image import ImageGame, flat_scores
from ganlab.scores.digits import classify, digit_scores

SWEEP_VALUES = (-1.0, 1.0)  # the trained range of the continuous codes


def shape_stats(images: Tensor) -> dict[str, Tensor]:
    """Per-image slant, width and ink of digits (n, 28, 28) or (n, 1, 28, 28) in [0, 1].

    From the ink-weighted pixel moments: ``slant`` is cov(x, y) / var(y), the horizontal
    shift per row going up (positive leans right); ``width`` is the horizontal standard
    deviation of the ink in pixels; ``ink`` is the mean intensity (stroke thickness)."""
    x = images.reshape(-1, 28, 28).double()
    mass = x.sum(dim=(1, 2)).clamp_min(1e-9)
    cols = torch.arange(28, dtype=torch.float64)
    rows = 27 - cols  # y grows upward, so a right-leaning stroke has positive slant
    px = (x.sum(dim=1) * cols).sum(dim=1) / mass
    py = (x.sum(dim=2) * rows).sum(dim=1) / mass
    dx = cols[None, None, :] - px[:, None, None]
    dy = rows[None, :, None] - py[:, None, None]
    var_x = (x * dx**2).sum(dim=(1, 2)) / mass
    var_y = (x * dy**2).sum(dim=(1, 2)) / mass
    cov = (x * dx * dy).sum(dim=(1, 2)) / mass
    return {
        "slant": (cov / var_y.clamp_min(1e-9)).float(),
        "width": var_x.sqrt().float(),
        "ink": x.mean(dim=(1, 2)).float(),
    }


def real_shape_spread() -> dict[str, float]:
    """The standard deviation of each shape statistic over the bundled real digits: the
    yardstick for "a code visibly changes slant" (a shift of a good part of one spread)."""
    stats = shape_stats(load_mnist()[0])
    return {k: float(v.std()) for k, v in stats.items()}


def sample_scores(game: ImageGame, n: int, seed: int = 0) -> dict[str, float]:
    """Digit scores (shares, min share, confidence, Frechet) of n unconditioned samples."""
    x = game.sample(n, torch.Generator(device=game.device).manual_seed(seed))
    return flat_scores(digit_scores(x.cpu()))


def cgan_report(game: ImageGame, per_label: int = 500, seed: int = 0) -> dict[str, Any]:
    """How often the classifier reads the requested label, overall and per label."""
    gen = torch.Generator(device=game.device).manual_seed(seed)
    per = []
    for label in range(10):
        predicted, _ = classify(game.sample(per_label, gen, label=label).cpu())
        per.append(float((predicted == label).float().mean()))
    return {"label_accuracy": float(np.mean(per)), "label_accuracy_per_label": per}


def infogan_report(game: ImageGame, per_code: int = 500, seed: int = 0) -> dict[str, Any]:
    """Per categorical value: its majority digit and purity (with random z, c1, c2); per
    continuous code: the change in slant, width and ink from c = -1 to c = +1 (same z, same
    categorical value, the other code at 0), averaged over values, signed and in magnitude,
    the magnitude also in units of the real digits' spread."""
    from ganlab.games.infogan import CATEGORIES, code_purity

    gen = torch.Generator(device=game.device).manual_seed(seed)
    codes, predicted = [], []
    for value in range(CATEGORIES):
        labels, _ = classify(game.sample(per_code, gen, cat=value).cpu())
        codes.append(torch.full_like(labels, value))
        predicted.append(labels)
    purity, distinct, majority = code_purity(torch.cat(codes), torch.cat(predicted))
    per_value = [
        float((p == m).float().mean()) if m >= 0 else 0.0 for p, m in zip(predicted, majority)
    ]
    spread = real_shape_spread()
    codes_effect: dict[str, dict[str, float]] = {}
    n = per_code // 5
    for name in ("c1", "c2"):
        other = "c2" if name == "c1" else "c1"
        deltas: dict[str, list[float]] = {k: [] for k in spread}
        for value in range(CATEGORIES):
            ends = []
            for c in SWEEP_VALUES:
                # One seed per categorical value so both ends share their z.
                g = torch.Generator(device=game.device).manual_seed(seed + 1000 + value)
                ends.append(shape_stats(game.sample(n, g, cat=value, **{name: c, other: 0.0})))
            for k in spread:
                deltas[k].append(float((ends[1][k] - ends[0][k]).mean()))
        # Signed means (a consistent lean) and mean magnitudes (a code may lean one digit
        # left and another right), both also in units of the real digits' spread.
        effect = {k: float(np.mean(v)) for k, v in deltas.items()}
        effect.update({f"{k}_abs": float(np.mean(np.abs(v))) for k, v in deltas.items()})
        effect.update({f"{k}_abs_in_spreads": effect[f"{k}_abs"] / spread[k] for k in spread})
        codes_effect[name] = effect
    return {
        "cat_purity": purity,
        "cat_distinct": distinct,
        "cat_majority_digit": majority,
        "cat_purity_per_value": per_value,
        "continuous_effect": codes_effect,
    }
