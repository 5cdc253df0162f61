"""The Laplacian pyramid of a 28x28 digit: 7x7 low-pass, then band-pass detail at 14 and 28.

``down`` halves the side by 2x2 averaging; ``up`` doubles it bilinearly. A digit I28 splits
into I14 = down(I28), I7 = down(I14), and the residuals h14 = I14 - up(I7) and
h28 = I28 - up(I14). ``collapse`` undoes the split exactly: I28 = up(up(I7) + h14) + h28.
LAPGAN (lapgan.py) generates I7, then h14 given up(I7), then h28 given up(I14).
"""

from __future__ import annotations

from typing import NamedTuple

import torch.nn.functional as F
from torch import Tensor


class Pyramid(NamedTuple):
    """A batch of digits as pyramid levels, each (n, 1, side, side)."""

    low: Tensor  # I7, in [0, 1]
    band14: Tensor  # h14 = I14 - up(I7)
    band28: Tensor  # h28 = I28 - up(I14)

    def detach(self) -> Pyramid:
        """The same levels cut from the autograd graph (what D's step trains on)."""
        return Pyramid(*(level.detach() for level in self))


def down(x: Tensor) -> Tensor:
    """Halve the side: each output pixel is the mean of a 2x2 block."""
    return F.avg_pool2d(x, 2)


def up(x: Tensor) -> Tensor:
    """Double the side with bilinear interpolation (smooth, so residuals stay band-pass)."""
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


def build(x28: Tensor) -> tuple[Pyramid, tuple[Tensor, Tensor]]:
    """The pyramid of (n, 1, 28, 28) digits and the two conditioning images up(I7) (14x14)
    and up(I14) (28x28) that the finer levels' generators are given."""
    x14 = down(x28)
    x7 = down(x14)
    up7, up14 = up(x7), up(x14)
    return Pyramid(x7, x14 - up7, x28 - up14), (up7, up14)


def collapse(p: Pyramid) -> Tensor:
    """The 28x28 image of a pyramid: up(up(I7) + h14) + h28."""
    return up(up(p.low) + p.band14) + p.band28
