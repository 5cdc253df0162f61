"""The optimizers: how they are built, and how their learning rate changes mid-run."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def make_optimizer(
    params: list[nn.Parameter],
    name: str,
    lr: float,
    betas: tuple[float, float],
    capturable: bool = False,
) -> torch.optim.Optimizer:
    """Adam, SGD or RMSprop. Adam uses the fused kernel (one kernel for all tensors, about
    twice as fast as the per-tensor loop on CPU for small nets), ``capturable`` for a CUDA
    graph (graphs.py); the others the multi-tensor (foreach) kernels."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=True, capturable=capturable)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    return torch.optim.SGD(params, lr=lr, foreach=True)


def set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    """Set every param group's lr; a device-tensor lr is filled in place (a CUDA graph reads it)."""
    for group in opt.param_groups:
        if isinstance(group["lr"], Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


def device_lr(opt: torch.optim.Optimizer, device: torch.device) -> None:
    """Give every param group its lr as a device tensor (filled in place from then on)."""
    for group in opt.param_groups:
        if not isinstance(group["lr"], Tensor):
            group["lr"] = torch.tensor(float(group["lr"]), device=device)
