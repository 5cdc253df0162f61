"""Toy distributions in 1D and 2D: sampling on the training device and exact densities.

Every toy set is a Gaussian mixture, which makes its density exact and cheap: the classic
mixtures (gauss1d, ring8, grid25) have a few modes; spiral and moons are fine mixtures laid
along a curve, so what G is asked to match and what the metrics compare against are the same
distribution. File data (points.csv / points.npy) samples the points themselves and uses a
Gaussian kernel density estimate (Scott's bandwidth) as its density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass
class GaussianMixture:
    """Equal-weight isotropic Gaussians. ``modes`` says whether the centres are real modes
    (and so worth counting in metrics) or quadrature points along a curve."""

    name: str
    centers: Tensor  # (M, dim), on the training device
    std: float
    bounds: tuple[tuple[float, float], ...]
    modes: bool = True
    jitter: bool = True  # False for file data: sample the points themselves
    density_centers: Tensor | None = None  # a subsample for the KDE of large files

    @property
    def dim(self) -> int:
        return self.centers.shape[1]

    @property
    def device(self) -> torch.device:
        return self.centers.device

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n points, on the same device as the centres; no host round trip."""
        idx = torch.randint(len(self.centers), (n,), device=self.device, generator=generator)
        x = self.centers[idx]
        if self.jitter:
            noise = torch.randn(x.shape, device=self.device, generator=generator)
            x = x + self.std * noise
        return x

    def log_density(self, x: Tensor) -> Tensor:
        """log p(x) for points x of shape (n, dim); evaluated in float64 on x's device."""
        x = x.to(torch.float64)
        c = self.centers if self.density_centers is None else self.density_centers
        c = c.to(device=x.device, dtype=torch.float64)
        out = torch.empty(len(x), dtype=torch.float64, device=x.device)
        log_norm = -0.5 * self.dim * math.log(2 * math.pi * self.std**2) - math.log(len(c))
        for i in range(0, len(x), 4096):  # keep the (chunk, M) matrix small
            d2 = torch.cdist(x[i : i + 4096], c).square()
            out[i : i + 4096] = torch.logsumexp(-0.5 * d2 / self.std**2, dim=1) + log_norm
        return out

    def density(self, x: Tensor) -> Tensor:
        return self.log_density(x).exp()


def _box(lo: float, hi: float, dim: int) -> tuple[tuple[float, float], ...]:
    return tuple((lo, hi) for _ in range(dim))


def gauss1d(device: torch.device) -> GaussianMixture:
    """N(4, 0.5): the classic 1D demo's target."""
    c = torch.tensor([[4.0]], device=device)
    return GaussianMixture("gauss1d", c, 0.5, ((0.0, 8.0),))


def ring8(device: torch.device) -> GaussianMixture:
    """8 Gaussians on a circle of radius 2, std 0.02 (Metz et al.'s unrolled-GAN set)."""
    a = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
    c = 2.0 * torch.stack([a.cos(), a.sin()], dim=1)
    return GaussianMixture("ring8", c.to(device), 0.02, _box(-3.0, 3.0, 2))


def grid25(device: torch.device) -> GaussianMixture:
    """A 5x5 grid of Gaussians at -4..4 step 2, std 0.05."""
    v = torch.arange(-4.0, 5.0, 2.0)
    c = torch.cartesian_prod(v, v)
    return GaussianMixture("grid25", c.to(device), 0.05, _box(-6.0, 6.0, 2))


def spiral(device: torch.device) -> GaussianMixture:
    """One and a half turns of an Archimedean spiral, blurred by std 0.08."""
    t = torch.linspace(0.15, 1.0, 600)
    angle = 3 * math.pi * t
    c = 2.5 * t[:, None] * torch.stack([angle.cos(), angle.sin()], dim=1)
    return GaussianMixture("spiral", c.to(device), 0.08, _box(-3.0, 3.0, 2), modes=False)


def moons(device: torch.device) -> GaussianMixture:
    """Two interleaved half circles (scikit-learn's moons), centred, blurred by std 0.1."""
    a = torch.linspace(0, math.pi, 300)
    upper = torch.stack([a.cos(), a.sin()], dim=1)
    lower = torch.stack([1 - a.cos(), 0.5 - a.sin()], dim=1)
    c = 1.5 * (torch.cat([upper, lower]) - torch.tensor([0.5, 0.25]))
    return GaussianMixture("moons", c.to(device), 0.1, _box(-3.0, 3.0, 2), modes=False)


TOY_SETS = {f.__name__: f for f in (gauss1d, ring8, grid25, spiral, moons)}
