"""What every image game shares: MNIST on the device, noise, condition checks, scores.

``ImageGame`` is the base of the DCGAN, CGAN, InfoGAN and LAPGAN games and implements every
hook of the ``Game`` protocol (games/base.py) for them. It holds the digits
(the bundled 10,000, or the full training set from ``cfg.mnist_dir``) on the training device
once, so a real batch is an index draw, not a host copy. Subclasses build the nets and say
how a fake is made (``_generate``), which conditions ``sample`` accepts, and what their view
shows. This module does not define nets (ganlab/nets/conv.py) or losses (losses.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.config.run_config import RunConfig
from ganlab.data import GaussianMixture, sample_noise
from ganlab.data.mnist import load_mnist
from ganlab.errors import ConfigError
from ganlab.games.base import Fake
from ganlab.losses import gradient_penalty
from ganlab.nets import evaluating
from ganlab.scores.digits import digit_scores

METRIC_SAMPLES = 500
METRIC_SEED = 12345
GRID = 8
CODE_RANGE = 3.0  # continuous codes train on [-1, 1]; the classic demo extrapolates to +-2
_CHUNK = 1024


class ImageGame:
    """Digits: real batches from MNIST, fakes from ``_generate``, digit scores as metrics."""

    concat_ok = False  # batch norm in D: real and fake batches must not share statistics
    conditions: dict[str, str] = {}  # name -> what it means, for error messages
    data: GaussianMixture | None = None  # digits come from ``images``, not from a toy distribution
    g: nn.Module
    d: nn.Module

    def __init__(self, cfg: RunConfig, device: torch.device, generator: torch.Generator):
        self.cfg, self.device, self.rng = cfg, device, generator
        images, labels = load_mnist(cfg.mnist_dir or None)
        self.images = images.to(device)
        self.labels = labels.to(device)
        fixed = torch.Generator(device=device).manual_seed(cfg.seed + 1)
        self.fixed_z = self.noise(GRID * GRID, fixed)

    def place_nets(self) -> None:
        """Move G and D to the device; on a CPU also to channels-last memory, where oneDNN's
        (transposed) convolutions run about a fifth faster for these small nets."""
        for net in (self.g, self.d):
            net.to(self.device)
            if self.device.type == "cpu":
                net.to(memory_format=torch.channels_last)

    # ----- batches ---------------------------------------------------------------------------
    def noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        gen = self.rng if generator is None else generator
        return sample_noise(self.cfg.noise, n, self.cfg.noise_dim, self.device, gen)

    def draw(self, n: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """n real digits (n, 1, 28, 28) and their labels, drawn with replacement."""
        gen = self.rng if generator is None else generator
        idx = torch.randint(len(self.images), (n,), device=self.device, generator=gen)
        return self.images[idx], self.labels[idx]

    def real(self, n: int) -> tuple[Any, Any]:
        return self.draw(n)[0], None

    def fake(self, n: int) -> Fake:
        return self._generate(n, self.rng, {})

    def _generate(self, n: int, generator: torch.Generator, conditions: dict[str, Any]) -> Fake:
        raise NotImplementedError

    def discriminate(self, x: Any, cond: Any = None) -> Tensor:
        return self.d(x)

    def d_on(self, x: Tensor) -> Tensor:
        raise ConfigError(
            "D's logit per point applies to toy variants (the theory page); image variants "
            "judge whole batches under their conditions."
        )

    def aux_loss(self, fake: Fake) -> Tensor | None:
        return None

    def fast_d_params(self) -> list[nn.Parameter]:
        """[]: all of D trains at D's rate (InfoGAN's Q head is the exception)."""
        return []

    # ----- no averaged G: g_ema is a toy-only setting ------------------------------------------
    def average_g(self, step: int) -> None:
        return None

    def averaged_g_state(self) -> dict[str, Any] | None:
        return None

    def load_averaged_g(self, state: dict[str, Any]) -> None:
        return None

    # ----- the training set -------------------------------------------------------------------
    def training_images(self) -> Tensor:
        return self.images

    def use_training_set(self, x: Tensor, y: Tensor) -> None:
        if len(x) != len(y) or len(x) == 0:
            raise ConfigError(
                f"A training set needs as many labels as digits, at least one: got {len(x)} "
                f"digits and {len(y)} labels."
            )
        self.images, self.labels = x.to(self.device), y.to(self.device)

    def penalty(self, real: Any, cond: Any, fake: Fake, generator: torch.Generator) -> Tensor:
        """WGAN-GP's gradient penalty on lines between real and fake digits (conditional
        critics judge the interpolates under the real batch's conditions)."""
        return gradient_penalty(_Critic(self, cond), real, fake.x, generator)

    # ----- sampling --------------------------------------------------------------------------
    def images_of(self, fake: Fake) -> Tensor:
        """The 28x28 digits (n, 1, 28, 28) in [0, 1] of a fake batch."""
        return fake.x

    def sample(self, n: int, generator: torch.Generator, **conditions: Any) -> Tensor:
        """n digits (n, 28, 28) in [0, 1], drawn in eval mode in chunks of 1024."""
        checked = self.check_conditions(conditions)
        with evaluating(self.g):
            parts = [
                self.images_of(self._generate(min(_CHUNK, n - i), generator, checked))
                for i in range(0, n, _CHUNK)
            ]
        return torch.cat(parts).squeeze(1).clamp(0, 1)

    def check_conditions(self, conditions: dict[str, Any]) -> dict[str, Any]:
        """Each condition known to this game and in range, or one sentence saying which not."""
        for name, value in conditions.items():
            if name not in self.conditions:
                known = ", ".join(f"{k} ({v})" for k, v in self.conditions.items())
                where = (
                    f"variant {self.cfg.variant!r} takes {known}"
                    if known
                    else (
                        f"variant {self.cfg.variant!r} takes no conditions; label applies to cgan, "
                        "cat, c1 and c2 to infogan"
                    )
                )
                raise ConfigError(f"Unknown condition {name!r}: {where}.")
            if name in ("label", "cat"):
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9:
                    raise ConfigError(f"{name} is {value!r}; it must be a whole number 0 to 9.")
            else:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                if not ok or not math.isfinite(value) or abs(value) > CODE_RANGE:
                    raise ConfigError(
                        f"{name} is {value!r}; it must be a number from -{CODE_RANGE:g} to "
                        f"{CODE_RANGE:g} (training covers -1 to 1)."
                    )
        return conditions

    # ----- what a snapshot shows and measures ----------------------------------------------
    def metrics(self) -> dict[str, float]:
        """Digit scores of 500 samples from a fixed seed (comparable across snapshots)."""
        gen = torch.Generator(device=self.device).manual_seed(METRIC_SEED)
        with evaluating(self.g):
            fake = self._generate(METRIC_SAMPLES, gen, {})
            x = self.images_of(fake).clamp(0, 1)
        out = flat_scores(digit_scores(x.cpu()))
        out.update(self.extra_metrics(fake, x))
        return out

    def extra_metrics(self, fake: Fake, images: Tensor) -> dict[str, float]:
        return {}

    def view(self, loss_fn: Any, probability: bool) -> dict[str, np.ndarray]:
        """``grid``: (rows, 8, 28, 28) float32 samples from fixed z; ``real``: 8x8 real
        digits; subclasses add their own (a row per label or code, pyramid levels)."""
        # The same real digits every time, and the training stream of random numbers is
        # left alone, so watching a run does not change it.
        fixed = torch.Generator(device=self.device).manual_seed(self.cfg.seed + 2)
        real = self.draw(GRID * GRID, fixed)[0]
        with evaluating(self.g):
            grid = self.grid()
        return {"grid": as_grid(grid, GRID), "real": as_grid(real, GRID)}

    def grid(self) -> Tensor:
        """64 samples from the fixed z (call in eval mode)."""
        return self.images_of(self._generate_from(self.fixed_z, {}))

    def _generate_from(self, z: Tensor, latent: dict[str, Tensor]) -> Fake:
        raise NotImplementedError


class _Critic(nn.Module):
    """The game's discriminator with its conditions fixed, as ``gradient_penalty`` wants."""

    def __init__(self, game: ImageGame, cond: Any) -> None:
        super().__init__()
        self.game, self.cond = game, cond

    def forward(self, x: Tensor) -> Tensor:
        return self.game.discriminate(x, self.cond)


def flat_scores(scores: dict[str, Any]) -> dict[str, float]:
    """digit_scores as plain floats: share_0 .. share_9, min_share, mean_confidence, frechet."""
    out = {f"share_{d}": float(s) for d, s in enumerate(scores["shares"])}
    out["min_share"] = float(scores["min_share"])
    out["mean_confidence"] = float(scores["mean_confidence"])
    out["frechet"] = float(scores["frechet"])
    return out


def as_grid(x: Tensor, cols: int) -> np.ndarray:
    """(n, 1, 28, 28) or (n, 28, 28) -> float32 (n // cols, cols, 28, 28) in [0, 1]."""
    x = x.detach().float().clamp(0, 1).reshape(-1, cols, 28, 28)
    return x.cpu().numpy().astype(np.float32)


def tile(grid: np.ndarray, pad: int = 1) -> np.ndarray:
    """(rows, cols, h, w) -> one (rows*(h+pad)-pad, cols*(w+pad)-pad) image, pad lines at 1."""
    rows, cols, h, w = grid.shape
    out = np.ones((rows * (h + pad) - pad, cols * (w + pad) - pad), dtype=np.float32)
    for r in range(rows):
        for c in range(cols):
            out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = grid[r, c]
    return out
