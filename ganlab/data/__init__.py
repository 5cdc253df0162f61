"""Data sets: toy distributions with exact densities, user point files, and MNIST digits."""

from __future__ import annotations

import torch

from ganlab.data.files import points_dataset, read_points
from ganlab.data.noise import sample_noise
from ganlab.data.toy import TOY_SETS, GaussianMixture

__all__ = ["GaussianMixture", "make_toy_data", "sample_noise"]


def make_toy_data(name: str, device: torch.device | str = "cpu") -> GaussianMixture:
    """A toy set by name, or the points in a .csv/.npy file (raises DataError)."""
    device = torch.device(device)
    if name in TOY_SETS:
        return TOY_SETS[name](device)
    return points_dataset(read_points(name), name.rsplit("/", 1)[-1], device)
