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


@torch.no_grad()
def clip_weights(weights: list[Tensor], clip: float) -> None:
    """WGAN's weight clipping: every weight into [-clip, clip], in two multi-tensor ops."""
    weights = [w.detach() for w in weights]
    torch._foreach_clamp_min_(weights, -clip)
    torch._foreach_clamp_max_(weights, clip)


class Lookahead:
    """Lookahead-minmax (Zhang et al. 2019; Chavdarova et al. 2021 for GANs): slow copies
    of both players' weights. At each ``sync`` (the trainer calls it every n steps) the slow
    weights move ``alpha`` of the way to the fast (trained) ones, and training goes on from
    there. The two players' rotation around an equilibrium, which makes a GAN hop between
    modes, mostly cancels in the average of the last few steps, so the slow weights drift
    toward the equilibrium instead of circling it. The optimizers' moments are left as
    they are."""

    def __init__(self, params: list[nn.Parameter], alpha: float) -> None:
        self.params = params
        self.alpha = alpha
        self.slow = [p.detach().clone() for p in params]

    @torch.no_grad()
    def sync(self) -> None:
        """slow += alpha * (fast - slow); fast = slow."""
        torch._foreach_lerp_(self.slow, [p.detach() for p in self.params], self.alpha)
        torch._foreach_copy_([p.detach() for p in self.params], self.slow)

    def state_dict(self) -> list[Tensor]:
        return [s.clone() for s in self.slow]

    @torch.no_grad()
    def load(self, slow: list[Tensor] | None) -> None:
        """Restore saved slow weights; None (a checkpoint without them): start at the fast."""
        source = slow if slow is not None else [p.detach() for p in self.params]
        torch._foreach_copy_(self.slow, [s.to(p.device) for s, p in zip(source, self.slow)])
