"""The augmentation lab: do a GAN's digits help a classifier that has only n labels?

One experiment, per seed: draw n labelled digits from the first 8,000 bundled digits (the
last 2,000 are the held-out test set, never trained on by anything here), train a DCGAN on
those n digits, draw ``generated`` samples from it, and train a fresh small classifier on
the n digits alone (``none``) and with the samples added under one of three labels:
``k+1`` (an eleventh class, "generated"), ``argmax`` (the classifier's own most confident
class, re-read every step) or ``uniform`` (LSRO: 1/K on each class); see pseudo_labels.py.
``ssgan`` (ganlab/ssgan.py), the semi-supervised GAN, is a further method to compare. Each
training step sees a batch of real labelled digits and, for the three schemes, an equal
batch of generated ones: the real data seen is the same for every scheme.

Why DCGAN: the schemes exist to label samples that come *without* a label, which is what an
unconditional GAN draws (Zheng et al. used DCGAN); a CGAN's own labels would be a fourth
scheme. This module trains and measures; it draws nothing (ganlab/viz_augment.py does).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.data.mnist import HELD_OUT_START, split_bundled
from ganlab.device import describe, resolve_device
from ganlab.errors import ConfigError
from ganlab.labs.augment.labels import K, describe_labels, generated_loss

SCHEMES = ("none", "k+1", "argmax", "uniform", "ssgan")
GAN_SCHEMES = ("k+1", "argmax", "uniform")  # the schemes that train on DCGAN samples
POOL = HELD_OUT_START  # labelled (and unlabelled) digits come from the first 8,000
TEST_DIGITS = 10_000 - POOL  # the held-out test set: the last 2,000 bundled digits
MIN_LABELLED = 10
MAX_GENERATED = 100_000
MAX_SEEDS = 20
MAX_STEPS = 100_000
EXAMPLES = 8
LR = 1e-3

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class AugmentSettings:
    """One augmentation experiment; invalid values raise ConfigError with one sentence."""

    labelled: int = 500
    generated: int = 2000
    schemes: tuple[str, ...] = ("none", "k+1", "argmax", "uniform")
    seeds: int = 3
    gan_steps: int = 600
    classifier_steps: int = 400
    ssgan_steps: int = 600
    unlabelled: int = 0  # ssgan only: extra unlabelled digits beyond the n labelled ones
    batch_size: int = 64  # of real digits, and as many generated ones, per step of every net
    test_digits: int = TEST_DIGITS  # fewer only to make tests quick
    device: str = "cpu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "schemes", parse_schemes(self.schemes))
        held = "the last 2,000 bundled digits are held out for testing"
        _whole("labelled", self.labelled, MIN_LABELLED, POOL, held)
        _whole("generated", self.generated, 1, MAX_GENERATED, "GAN samples")
        _whole("seeds", self.seeds, 1, MAX_SEEDS)
        for name in ("gan_steps", "classifier_steps", "ssgan_steps"):
            _whole(name, getattr(self, name), 1, MAX_STEPS)
        rest = f"{held} and {self.labelled} are labelled"
        _whole("unlabelled", self.unlabelled, 0, POOL - self.labelled, rest)
        _whole("batch_size", self.batch_size, 2, 1024, "digits per batch")
        _whole("test_digits", self.test_digits, 100, TEST_DIGITS, "held-out digits scored")
        resolve_device(self.device)  # a missing device is a ConfigError now, not mid-run


def _whole(name: str, value: object, low: int, high: int, what: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        why = f" ({what})" if what else ""
        raise ConfigError(
            f"{name} is {value!r}; it must be a whole number from {low} to {high}{why}."
        )


def parse_schemes(schemes: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``"none,k+1"`` or a sequence of names as a tuple of known, distinct scheme names."""
    names = schemes.split(",") if isinstance(schemes, str) else list(schemes)
    names = [str(n).strip().lower() for n in names if str(n).strip()]
    if not names:
        raise ConfigError(f"No scheme was chosen; pick one or more of: {', '.join(SCHEMES)}.")
    for name in names:
        if name not in SCHEMES:
            raise ConfigError(f"Unknown scheme {name!r}; choose from: {', '.join(SCHEMES)}.")
    return tuple(dict.fromkeys(names))


# ----- data ----------------------------------------------------------------------------------
class Split(NamedTuple):
    """One seed's digits. Indices are into the 10,000 bundled digits."""

    labelled_idx: Tensor
    unlabelled_idx: Tensor
    test_idx: Tensor
    labelled_x: Tensor
    labelled_y: Tensor
    unlabelled_x: Tensor
    test_x: Tensor
    test_y: Tensor


def split_digits(labelled: int, seed: int, unlabelled: int = 0, test: int = TEST_DIGITS) -> Split:
    """n labelled and u unlabelled digits drawn by ``seed`` from the first 8,000 (disjoint);
    the test digits are the first ``test`` of the last 2,000, which nothing here trains on."""
    pool = split_bundled()
    order = torch.randperm(POOL, generator=torch.Generator().manual_seed(seed))
    lab, unl = order[:labelled], order[labelled : labelled + unlabelled]
    x, y, t = pool.train_images, pool.train_labels, slice(0, test)
    test_x, test_y = pool.heldout_images[t], pool.heldout_labels[t]
    return Split(lab, unl, torch.arange(POOL, POOL + test), x[lab], y[lab], x[unl], test_x, test_y)


# ----- the classifier and the three labels for generated digits -------------------------------
class SmallClassifier(nn.Module):
    """conv16 - conv32 - fc64 - fc(outputs): small enough to train in seconds on a CPU."""

    def __init__(self, outputs: int = K, width: int = 16) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7x7
            nn.Flatten(),
            nn.Linear(2 * width * 49, 64),
            nn.ReLU(),
        )
        self.head = nn.Linear(64, outputs)

    def features(self, x: Tensor) -> Tensor:
        """Penultimate features (n, 64): what SSGAN's feature matching compares."""
        return self.trunk(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.trunk(x))


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Share of digits whose argmax over the K real classes is right (a (K+1)-th output,
    for ``k+1`` or the SSGAN's fake class, is ignored)."""
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = torch.cat([model(b.to(device))[:, :K].argmax(1).cpu() for b in x.split(1000)])
    model.train()
    return float((pred == y).float().mean())


class Ticker:
    """Counts work units done and tells ``progress`` (fraction, what) now and then."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress, self.last = max(total, 1), 0, progress, -1.0

    def __call__(self, units: int, what: str) -> None:
        self.done += units
        fraction = min(self.done / self.total, 1.0)
        if self.progress is not None and (fraction - self.last >= 0.005 or fraction == 1.0):
            self.last = fraction
            self.progress(fraction, what)


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
    trainer.game.images = split.labelled_x.to(trainer.device)
    trainer.game.labels = split.labelled_y.to(trainer.device)
    for start in range(0, s.gan_steps, 25):
        n = min(25, s.gan_steps - start)
        trainer.train_steps(n)
        tick(n, f"seed {seed}: GAN step {start + n}")
    gen = torch.Generator(device=trainer.device).manual_seed(seed)
    return trainer.game.sample(s.generated, gen).unsqueeze(1)


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
    start, threads = time.perf_counter(), torch.get_num_threads()
    if resolve_device(s.device).type == "cpu":
        # Nets this small run fastest on one intra-op thread, as train.py's toy nets do: on a
        # shared CPU, two threads waiting on each other made a step three times slower.
        torch.set_num_threads(1)
    try:
        result = _run(s, Ticker(total_units(s), progress))
    finally:
        torch.set_num_threads(threads)
    result.seconds = time.perf_counter() - start
    return result


def _run(s: AugmentSettings, tick: Ticker) -> AugmentResult:
    from ganlab.labs.augment.ssgan import train_ssgan  # ssgan.py builds on this module

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
