"""Switching nets between training and evaluation (batch norm's two behaviours)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn


@contextlib.contextmanager
def evaluating(*nets: nn.Module, grad: bool = False) -> Iterator[None]:
    """Eval mode (batch norm uses its running statistics) inside the block, then back;
    without gradients unless ``grad``.

    Samples are drawn this way so an image does not depend on the rest of its batch: a
    batch of sixteen 3s normalised by its own statistics would lose what makes it a 3."""
    modes = [net.training for net in nets]
    for net in nets:
        net.eval()
    try:
        with contextlib.nullcontext() if grad else torch.no_grad():
            yield
    finally:
        for net, mode in zip(nets, modes):
            net.train(mode)
