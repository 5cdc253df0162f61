"""The optimizers: how they are built, and how their learning rate changes mid-run."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn


def make_optimizer(
    params: list[nn.Parameter] | list[dict[str, Any]],
    name: str,
    lr: float,
    betas: tuple[float, float],
    capturable: bool = False,
) -> torch.optim.Optimizer:
    """Adam, SGD or RMSprop over parameters or param groups (a group may set its own lr).
    Adam uses the fused kernel (one kernel for all tensors, about twice as fast as the
    per-tensor loop on CPU for small nets), ``capturable`` for a CUDA graph (graphs.py); the
    others the multi-tensor (foreach) kernels."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=True, capturable=capturable)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    return torch.optim.SGD(params, lr=lr, foreach=True)


def set_lr(opt: torch.optim.Optimizer, *lrs: float) -> None:
    """Set the param groups' lrs in order, the last one given also for any further groups; a
    device-tensor lr is filled in place (a CUDA graph reads it)."""
    for i, group in enumerate(opt.param_groups):
        lr = lrs[min(i, len(lrs) - 1)]
        if isinstance(group["lr"], Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


def device_lr(opt: torch.optim.Optimizer, device: torch.device) -> None:
    """Give every param group its lr as a device tensor (filled in place from then on)."""
    for group in opt.param_groups:
        if not isinstance(group["lr"], Tensor):
            group["lr"] = torch.tensor(float(group["lr"]), device=device)
