"""How close the generator is to the data, measured: modes, grid divergences, W1.

All functions take samples as tensors (any device) and return plain floats, so a snapshot
can hand them to a page or write them to metrics.json as they are.

Mode rules (Srivastava et al.'s VEEGAN and Metz et al.'s unrolled GAN count modes this way):
- a sample is *high quality* when it lies within 3 standard deviations of some centre;
- a mode is *covered* when at least a quarter of its fair share of samples (n / modes / 4)
  are high-quality samples nearest to it. A generator that puts a stray handful of points
  near a mode does not cover it; one that under-weights a mode by half still does.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ganlab.data.toy import GaussianMixture

GRID_BINS = {1: 200, 2: 60}
SLICES = 128


def mode_stats(data: GaussianMixture, fake: Tensor) -> dict[str, float]:
    """modes_covered, modes_total and high_quality_frac for a mixture with real modes."""
    fake = fake.detach().to(torch.float32).cpu()
    centers = data.centers.to(torch.float32).cpu()
    dist = torch.cdist(fake, centers)
    nearest_d, nearest = dist.min(dim=1)
    good = nearest_d <= 3 * data.std
    counts = torch.bincount(nearest[good], minlength=len(centers))
    need = max(1.0, len(fake) / len(centers) / 4)
    return {
        "modes_covered": float((counts >= need).sum()),
        "modes_total": float(len(centers)),
        "high_quality_frac": float(good.float().mean()),
    }


def grid_axes(data: GaussianMixture) -> list[Tensor]:
    """Bin edges along each axis of the data's bounding box."""
    bins = GRID_BINS[data.dim]
    return [torch.linspace(lo, hi, bins + 1, dtype=torch.float64) for lo, hi in data.bounds]


def grid_centers(data: GaussianMixture) -> Tensor:
    """The centres of the grid cells as points, (bins, 1) in 1D or (bins*bins, 2) in 2D,
    ordered row-major with x varying fastest."""
    mids = [(e[1:] + e[:-1]) / 2 for e in grid_axes(data)]
    if data.dim == 1:
        return mids[0][:, None]
    yy, xx = torch.meshgrid(mids[1], mids[0], indexing="ij")
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)


def data_grid_mass(data: GaussianMixture) -> Tensor:
    """p_data per grid cell, integrated exactly (the mixture is separable per axis: a cell's
    mass is a product of normal CDF differences), plus one last entry for the mass outside
    the box."""
    c = data.centers if data.density_centers is None else data.density_centers
    c = c.to(torch.float64).cpu()
    per_axis = []
    for axis, e in enumerate(grid_axes(data)):
        cdf = torch.special.ndtr((e[None, :] - c[:, axis : axis + 1]) / data.std)
        per_axis.append(cdf[:, 1:] - cdf[:, :-1])  # (components, bins)
    if data.dim == 1:
        inside = per_axis[0].mean(dim=0)
    else:  # row-major, x fastest: cell (iy, ix) at iy * bins + ix
        inside = torch.einsum("my,mx->yx", per_axis[1], per_axis[0]).reshape(-1) / len(c)
    return torch.cat([inside, (1 - inside.sum()).clamp(min=0).reshape(1)])


def sample_grid_mass(data: GaussianMixture, samples: Tensor) -> Tensor:
    """The share of samples in each grid cell, plus one last entry for those outside."""
    x = samples.detach().to(torch.float64).cpu()
    edges = grid_axes(data)
    bins = len(edges[0]) - 1
    idx = torch.zeros(len(x), dtype=torch.long)
    inside = torch.ones(len(x), dtype=torch.bool)
    stride = 1
    for axis, e in enumerate(edges):
        i = torch.bucketize(x[:, axis].contiguous(), e) - 1
        inside &= (i >= 0) & (i < bins)
        idx += i.clamp(0, bins - 1) * stride
        stride *= bins
    idx[~inside] = bins**data.dim
    counts = torch.bincount(idx, minlength=bins**data.dim + 1).to(torch.float64)
    return counts / max(len(x), 1)


def divergences(p: Tensor, q: Tensor, eps: float = 1e-6) -> dict[str, float]:
    """JS(p||q), KL(p||q) and KL(q||p) in nats between two histograms over the same cells.
    KL uses eps smoothing so an empty cell costs a large but finite amount; JS needs none."""
    m = (p + q) / 2

    def kl(a: Tensor, b: Tensor) -> float:
        mask = a > 0
        return float((a[mask] * (a[mask] / b[mask]).log()).sum())

    ps, qs = (p + eps) / (1 + eps * len(p)), (q + eps) / (1 + eps * len(q))
    return {"js_grid": 0.5 * kl(p, m) + 0.5 * kl(q, m), "kl_grid": kl(ps, qs), "kl_rev": kl(qs, ps)}


def wasserstein1(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> float:
    """W1 between two equal-size samples: exact in 1D (sorted differences), sliced in 2D
    (the mean of exact 1D distances over 128 random directions)."""
    real = real.detach().to(torch.float64).cpu()
    fake = fake.detach().to(torch.float64).cpu()
    n = min(len(real), len(fake))
    real, fake = real[:n], fake[:n]
    if real.shape[1] > 1:
        dirs = torch.randn(real.shape[1], SLICES, dtype=torch.float64, generator=generator)
        dirs = dirs / dirs.norm(dim=0, keepdim=True)
        real, fake = real @ dirs, fake @ dirs
    # NumPy sorts contiguous rows several times faster than torch does on CPU.
    real, fake = np.sort(real.T.numpy(), axis=1), np.sort(fake.T.numpy(), axis=1)
    return float(np.abs(real - fake).mean())


def toy_metrics(data: GaussianMixture, real: Tensor, fake: Tensor) -> dict[str, float]:
    """Everything the playground and metrics.json report for one set of samples."""
    fake_cpu = fake.detach().to(torch.float64).cpu()
    out = divergences(data_grid_mass(data), sample_grid_mass(data, fake_cpu))
    out["w1"] = wasserstein1(real, fake_cpu, torch.Generator().manual_seed(0))
    if data.modes:
        out.update(mode_stats(data, fake_cpu))
    for axis in range(data.dim):
        out[f"fake_mean_{axis}"] = float(fake_cpu[:, axis].mean())
        out[f"fake_std_{axis}"] = float(fake_cpu[:, axis].std())
    return out
