"""What the augmentation lab's methods share: its settings, one seed's digits, the small
classifier every method trains and scores, and the progress ticker.

experiment.py (the GAN-sample schemes) and ssgan.py (the semi-supervised GAN) both build on
this module and on nothing of each other. It trains nothing and draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import Tensor, nn

from ganlab.data.mnist import HELD_OUT_START, split_bundled
from ganlab.device import resolve_device
from ganlab.errors import ConfigError
from ganlab.labs.augment.labels import K

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


# ----- the classifier ------------------------------------------------------------------------
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
