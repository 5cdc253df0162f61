"""LAPGAN (Denton et al. 2015): a coarse-to-fine stack of GANs on a Laplacian pyramid.

Three GANs, trained together but judged separately:
- level 0: G0(z) makes a 7x7 low-pass digit; D0 tells it from down(down(real));
- level 1: G1(z, up(I7)) makes the 14x14 band-pass residual h14 given the blurry 14x14
  image; D1 judges (h14, up(I7)) pairs;
- level 2: G2(z, up(I14)) makes the 28x28 residual h28 given the 14x14 image; D2 likewise.
During training the finer generators are conditioned on the *real* coarser image, as in the
paper, so each level learns its own job; sampling chains them: I7 = G0(z),
I14 = up(I7) + G1(z, up(I7)), I28 = up(I14) + G2(z, up(I14)).

A real or fake batch is a (Pyramid, conditions) pair; ``discriminate`` concatenates the
three levels' logits, so one mean loss trains all three pairs at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.config.run_config import RunConfig
from ganlab.errors import ConfigError
from ganlab.games import pyramid
from ganlab.games.base import Fake
from ganlab.games.image import GRID, ImageGame, as_grid
from ganlab.losses import gradient_penalty
from ganlab.nets import evaluating
from ganlab.nets.conv import ConvDiscriminator

RESIDUAL_SCALE = 0.5  # band-pass residuals of digits stay well inside +-0.5


class LowGenerator(nn.Sequential):
    """z -> a 7x7 digit in [0, 1] (an MLP: at 7x7 there is little for convolutions to share)."""

    def __init__(self, in_dim: int, hidden: int) -> None:
        super().__init__(
            nn.Linear(in_dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, 49), nn.Sigmoid(), nn.Unflatten(1, (1, 7, 7)),
        )  # fmt: skip


class LowDiscriminator(nn.Sequential):
    """A 7x7 digit -> a logit."""

    def __init__(self, hidden: int) -> None:
        super().__init__(
            nn.Flatten(), nn.Linear(49, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1), nn.Flatten(0),
        )  # fmt: skip


class BandGenerator(nn.Module):
    """(z, blurry image at side s) -> a band-pass residual at side s.

    The noise enters as one extra image channel (a learned projection of z), so the net is
    fully convolutional over the conditioning image, as in the paper."""

    def __init__(self, noise_dim: int, width: int, side: int) -> None:
        super().__init__()
        self.side = side
        self.noise_plane = nn.Linear(noise_dim, side * side)
        self.net = nn.Sequential(
            nn.Conv2d(2, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, 1, 3, padding=1), nn.Tanh(),
        )  # fmt: skip

    def forward(self, z: Tensor, cond: Tensor) -> Tensor:
        plane = self.noise_plane(z).view(-1, 1, self.side, self.side)
        return RESIDUAL_SCALE * self.net(torch.cat([cond, plane], dim=1))


class BandDiscriminator(nn.Module):
    """(residual, blurry image) at side 14 or 28 -> a logit; at 14 the pair is first
    upsampled to 28 so one DCGAN-style trunk serves both levels."""

    def __init__(self, width: int, side: int) -> None:
        super().__init__()
        self.side = side
        self.net = ConvDiscriminator(width, in_channels=2)

    def forward(self, band: Tensor, cond: Tensor) -> Tensor:
        x = torch.cat([band, cond], dim=1)
        if self.side == 14:
            x = pyramid.up(x)
        return self.net(x)


class LAPGANGenerator(nn.Module):
    """The three generators, in one module so G's optimizer steps them together."""

    def __init__(self, noise_dim: int, width: int) -> None:
        super().__init__()
        self.low = LowGenerator(noise_dim, 8 * width)
        self.band14 = BandGenerator(noise_dim, width, 14)
        self.band28 = BandGenerator(noise_dim, width, 28)


class LAPGANDiscriminator(nn.Module):
    """The three discriminators; ``forward`` takes (Pyramid, (up7, up14)) and returns the
    concatenated logits (3n,)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.low = LowDiscriminator(8 * width)
        self.band14 = BandDiscriminator(width, 14)
        self.band28 = BandDiscriminator(width, 28)

    def forward(self, p: pyramid.Pyramid, cond: tuple[Tensor, Tensor]) -> Tensor:
        up7, up14 = cond
        return torch.cat([self.low(p.low), self.band14(p.band14, up7), self.band28(p.band28, up14)])


class LAPGANGame(ImageGame):
    """Digits built coarse to fine; real and fake batches are pyramids."""

    def __init__(self, cfg: RunConfig, device: torch.device, generator: torch.Generator):
        if cfg.r1:
            raise ConfigError(
                f"r1 is {cfg.r1:g}, but lapgan's discriminators judge pyramids, not images; "
                "set r1 to 0 (a gradient penalty, gp_weight, works per level)."
            )
        super().__init__(cfg, device, generator)
        self.g = LAPGANGenerator(cfg.noise_dim, cfg.hidden)
        self.d = LAPGANDiscriminator(cfg.hidden)
        self.place_nets()

    def real(self, n: int) -> tuple[pyramid.Pyramid, tuple[Tensor, Tensor]]:
        return pyramid.build(self.draw(n)[0])

    def fake(self, n: int) -> Fake:
        """Each level's fake, the finer ones conditioned on real coarser images."""
        _, cond = pyramid.build(self.draw(n)[0])
        z = self.noise(3 * n).chunk(3)
        up7, up14 = cond
        p = pyramid.Pyramid(self.g.low(z[0]), self.g.band14(z[1], up7), self.g.band28(z[2], up14))
        return Fake(p, cond=cond)

    def discriminate(self, x: Any, cond: Any = None) -> Tensor:
        return self.d(x, cond)

    def penalty(self, real: Any, cond: Any, fake: Fake, generator: torch.Generator) -> Tensor:
        """The gradient penalty of each level's critic, summed."""
        up7, up14 = cond
        critics = [
            self.d.low,
            lambda h: self.d.band14(h, up7),
            lambda h: self.d.band28(h, up14),
        ]
        return sum(
            gradient_penalty(critic, r, f, generator)  # type: ignore[arg-type]
            for critic, r, f in zip(critics, real, fake.x)
        )

    def _generate(self, n: int, generator: torch.Generator, conditions: dict[str, Any]) -> Fake:
        return self._generate_from(self.noise(3 * n, generator), {})

    def _generate_from(self, z: Tensor, latent: dict[str, Tensor]) -> Fake:
        """The sampling chain; ``z`` stacks the three levels' noise (3n rows)."""
        z0, z1, z2 = z.chunk(3)
        low = self.g.low(z0)
        up7 = pyramid.up(low)
        band14 = self.g.band14(z1, up7)
        up14 = pyramid.up(up7 + band14)
        band28 = self.g.band28(z2, up14)
        return Fake(pyramid.Pyramid(low, band14, band28), cond=(up7, up14))

    def images_of(self, fake: Fake) -> Tensor:
        return pyramid.collapse(fake.x).clamp(0, 1)

    def grid(self) -> Tensor:
        z = torch.cat([self.fixed_z] * 3)  # the same z at every level keeps the grid fixed
        return self.images_of(self._generate_from(z, {}))

    def view(self, loss_fn: Any, probability: bool) -> dict[str, np.ndarray]:
        """The base view plus ``levels`` (3, 8, 28, 28): eight samples as I7, I14 and I28,
        each upsampled to 28x28, the way the pyramid builds them."""
        out = super().view(loss_fn, probability)
        with evaluating(self.g):
            z = torch.cat([self.fixed_z[:GRID]] * 3)
            p = self._generate_from(z, {}).x
            i14 = pyramid.up(p.low) + p.band14
            levels = [pyramid.up(pyramid.up(p.low)), pyramid.up(i14), pyramid.collapse(p)]
        out["levels"] = as_grid(torch.cat(levels), GRID)
        return out
