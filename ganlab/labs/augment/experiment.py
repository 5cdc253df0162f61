"""The augmentation lab: do a GAN's digits help a classifier that has only n labels?

One experiment, per seed: draw n labelled digits from the first 8,000 bundled digits (the
last 2,000 are the held-out test set, never trained on by anything here), train a DCGAN on
those n digits, draw ``generated`` samples from it, and train a fresh small classifier on
the n digits alone (``none``) and with the samples added under one of three labels:
``k+1`` (an eleventh class, "generated"), ``argmax`` (the classifier's own most confident
class, re-read every step) or ``uniform`` (LSRO: 1/K on each class); see labels.py.
``ssgan`` (ssgan.py), the semi-supervised GAN, is a further method to compare. Each
training step sees a batch of real labelled digits and, for the three schemes, an equal
batch of generated ones: the real data seen is the same for every scheme.

Why DCGAN: the schemes exist to label samples that come *without* a label, which is what an
unconditional GAN draws (Zheng et al. used DCGAN); a CGAN's own labels would be a fourth
scheme. This module trains and measures; it draws nothing (figures/augment.py does).
Settings, the digit split and the small classifier live in common.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.device import describe, resolve_device, run_threads, torch_threads
from ganlab.labs.augment.common import (
    EXAMPLES,
    GAN_SCHEMES,
    LR,
    SCHEMES,
    AugmentSettings,
    Progress,
    SmallClassifier,
    Split,
    Ticker,
    accuracy,
    split_digits,
)
from ganlab.labs.augment.labels import K, describe_labels, generated_loss
from ganlab.labs.augment.ssgan import train_ssgan

# The lab's settings and digits live in common.py; they are re-exported as its public face.
__all__ = [
    "SCHEMES",
    "AugmentResult",
    "AugmentSettings",
    "run_experiment",
    "split_digits",
    "train_classifier",
    "train_gan",
]


def train_classifier(
    scheme: str, split: Split, fakes: Tensor | None, s: AugmentSettings, seed: int, tick: Ticker
) -> SmallClassifier:
    """A fresh classifier on the labelled digits and, unless ``scheme`` is ``none``, as
    many generated digits per step labelled by ``scheme``."""
    device = resolve_device(s.device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # the same initial weights for every scheme of a seed
        model = SmallClassifier(K + 1 if scheme == "k+1" else K).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    gen = torch.Generator(device=device).manual_seed(seed)
    x, y = split.labelled_x.to(device), split.labelled_y.to(device)
    b = s.batch_size
    for step in range(s.classifier_steps):
        i = torch.randint(len(x), (b,), device=device, generator=gen)
        batch = x[i]
        if scheme != "none":
            j = torch.randint(len(fakes), (b,), device=device, generator=gen)
            batch = torch.cat([batch, fakes[j]])
        logits = model(batch)  # one pass: no batch norm, so real and fake may share it
        loss = F.cross_entropy(logits[:b], y[i])
        if scheme != "none":
            loss = loss + generated_loss(scheme, logits[b:])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 25 == 24 or step == s.classifier_steps - 1:
            tick(step % 25 + 1, f"seed {seed}: classifier '{scheme}' step {step + 1}")
    return model


def train_gan(split: Split, s: AugmentSettings, seed: int, tick: Ticker) -> Tensor:
    """A DCGAN (the project's preset) trained on the labelled digits only; returns
    ``generated`` samples (n, 1, 28, 28) in [0, 1] on the settings' device."""
    from ganlab.config.run_config import make_config
    from ganlab.training.trainer import Trainer

    cfg = make_config(
        "dcgan", "mnist", steps=s.gan_steps, seed=seed, device=s.device, batch_size=s.batch_size
    )
    trainer = Trainer(cfg)
    # The game holds all 10,000 bundled digits; this GAN may only see the n labelled ones.
    trainer.use_training_set(split.labelled_x, split.labelled_y)
    for start in range(0, s.gan_steps, 25):
        n = min(25, s.gan_steps - start)
        trainer.train_steps(n)
        tick(n, f"seed {seed}: GAN step {start + n}")
    gen = torch.Generator(device=trainer.device).manual_seed(seed)
    return trainer.sample(s.generated, gen).unsqueeze(1)


@dataclass
class AugmentResult:
    """Held-out accuracy per scheme and seed, and labelled examples of generated digits."""

    settings: AugmentSettings
    accuracies: dict[str, list[float]]
    seconds: float
    device: str
    examples: np.ndarray = field(default_factory=lambda: np.zeros((0, 28, 28), np.float32))
    example_labels: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> list[dict]:
        """One row per scheme: mean and std (over seeds; 0 for one seed) of accuracy."""
        rows = []
        for scheme, accs in self.accuracies.items():
            std = float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0
            rows.append(
                {
                    "scheme": scheme,
                    "mean": float(np.mean(accs)),
                    "std": std,
                    "seeds": len(accs),
                    "accuracies": accs,
                }
            )
        return rows


def total_units(s: AugmentSettings) -> int:
    """Steps of work per experiment (for the progress fraction)."""
    uses_gan = any(name in GAN_SCHEMES for name in s.schemes)
    classifiers = sum(name != "ssgan" for name in s.schemes)
    per_seed = s.gan_steps * uses_gan + s.classifier_steps * classifiers
    return s.seeds * (per_seed + s.ssgan_steps * ("ssgan" in s.schemes))


def run_experiment(s: AugmentSettings, progress: Progress | None = None) -> AugmentResult:
    """Every scheme on every seed; ``progress(fraction, what)`` is called as work is done."""
    start = time.perf_counter()
    # Small nets, as the toy GANs: on a shared CPU two threads made a step three times slower.
    with torch_threads(run_threads(resolve_device(s.device), small=True)):
        result = _run(s, Ticker(total_units(s), progress))
    result.seconds = time.perf_counter() - start
    return result


def _run(s: AugmentSettings, tick: Ticker) -> AugmentResult:
    accs: dict[str, list[float]] = {name: [] for name in s.schemes}
    result = AugmentResult(s, accs, 0.0, describe(resolve_device(s.device)))
    for seed in range(s.seeds):
        split = split_digits(s.labelled, seed, s.unlabelled, s.test_digits)
        uses_gan = any(name in GAN_SCHEMES for name in s.schemes)
        fakes = train_gan(split, s, seed, tick) if uses_gan else None
        for scheme in s.schemes:
            if scheme == "ssgan":
                model = train_ssgan(split, s, seed, tick)
            else:
                model = train_classifier(scheme, split, fakes, s, seed, tick)
            accs[scheme].append(accuracy(model, split.test_x, split.test_y))
            if seed == 0 and fakes is not None and scheme in GAN_SCHEMES:
                result.examples = fakes[:EXAMPLES, 0].cpu().numpy()
                result.example_labels[scheme] = describe_labels(scheme, model, fakes[:EXAMPLES])
    return result
