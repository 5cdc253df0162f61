"""The generator's input noise z: uniform, normal, or the classic demo's stratified draw."""

from __future__ import annotations

import torch
from torch import Tensor

NOISES = ("uniform", "normal", "stratified")  # the kinds sample_noise draws


def sample_noise(
    kind: str,
    n: int,
    dim: int,
    device: torch.device,
    generator: torch.Generator | None = None,
) -> Tensor:
    """n noise vectors of size dim on the device.

    ``stratified`` is the classic 1D demo's ``linspace(-1, 1, n) + small jitter``: evenly
    spread noise, so every part of G's input range is seen in every batch. With more than one
    dimension each column is an independently shuffled stratified draw.
    """
    if kind == "uniform":
        return torch.rand(n, dim, device=device, generator=generator) * 2 - 1
    if kind == "normal":
        return torch.randn(n, dim, device=device, generator=generator)
    if kind == "stratified":
        base = torch.linspace(-1, 1, n, device=device)[:, None].expand(n, dim)
        jitter = torch.rand(n, dim, device=device, generator=generator) * (2.0 / max(n, 1))
        z = base + jitter
        if dim > 1:
            order = torch.rand(n, dim, device=device, generator=generator).argsort(dim=0)
            z = z.gather(0, order)
        return z
    raise ValueError(f"unknown noise kind {kind!r}")
