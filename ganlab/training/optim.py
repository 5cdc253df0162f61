"""The optimizers: how they are built, how their learning rate changes over a run, and the
one hand-written update that the batched trainer and the unrolled D share.

``make_optimizer`` builds torch's optimizers for a sequential run. ``functional_update`` is
the same Adam, SGD and RMSprop written on plain tensors, for the two places that cannot use
a torch optimizer: the batched trainer (R runs' weights stacked along the first axis, with a
learning rate per run) and the unrolled D (K steps kept in the autograd graph). Its state
uses torch's names (exp_avg, exp_avg_sq, square_avg, step), so a torch optimizer's state is
a valid starting point. ``lr_factor`` is the one lr schedule. Nothing here owns a net.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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


def lr_factor(lr_decay: float, lr_decay_every: int, step: int) -> float:
    """The step schedule: the base lr is multiplied by ``lr_decay`` every ``lr_decay_every``
    generator steps, so after ``step`` steps by lr_decay ** (step // lr_decay_every)."""
    return lr_decay ** (step // lr_decay_every)


def functional_update(
    name: str,
    params: Sequence[Tensor],
    grads: Sequence[Tensor],
    states: Sequence[dict[str, Any]],
    lr: float | Tensor,
    betas: tuple[float, float] = (0.9, 0.999),
    differentiable: bool = False,
) -> list[Tensor]:
    """One step of Adam, SGD or RMSprop with torch's formulas and defaults (Adam eps 1e-8 and
    bias correction as torch.optim.Adam computes it; RMSprop alpha 0.99, eps 1e-8).

    ``states`` holds one dict per tensor (empty at first; torch's state names) and is updated.
    ``lr`` is a number or a tensor of one lr per run, broadcast along the first axis of every
    tensor. By default the params are changed in place, without autograd, and returned. With
    ``differentiable`` they are left alone and new tensors that stay in the autograd graph
    are returned (the states then hold graph tensors too); the Adam and RMSprop denominators
    are detached there, because the derivative of sqrt(v) at a zero gradient (a dead ReLU) is
    inf, and then NaN."""
    with torch.set_grad_enabled(differentiable and torch.is_grad_enabled()):
        return [
            _update_one(name, p, g, state, _per_run(lr, p), betas, differentiable)
            for p, g, state in zip(params, grads, states)
        ]


def _per_run(lr: float | Tensor, p: Tensor) -> float | Tensor:
    """A vector of per-run lrs as a column that broadcasts over the rest of ``p``'s axes."""
    if isinstance(lr, Tensor) and lr.dim() == 1:
        return lr.view((-1,) + (1,) * (p.dim() - 1))
    return lr


def _update_one(
    name: str,
    p: Tensor,
    g: Tensor,
    state: dict[str, Any],
    lr: float | Tensor,
    betas: tuple[float, float],
    differentiable: bool,
) -> Tensor:
    # In place the moments are mutated (as torch does); differentiable, they are replaced by
    # new graph tensors so that the caller's starting state (a torch optimizer's) is untouched.
    if name == "sgd":
        step = lr * g
    elif name == "rmsprop":
        v = state.get("square_avg")
        v = torch.zeros_like(p) if v is None else v if not differentiable else v.clone()
        v = v.mul_(0.99).addcmul_(g, g, value=0.01)
        state["square_avg"] = v
        denom = v.sqrt() + 1e-8
        step = lr * g / (denom.detach() if differentiable else denom)
    else:
        b1, b2 = betas
        t = float(state.get("step", 0)) + 1
        state["step"] = t
        m, v = state.get("exp_avg"), state.get("exp_avg_sq")
        m = torch.zeros_like(p) if m is None else m if not differentiable else m.clone()
        v = torch.zeros_like(p) if v is None else v if not differentiable else v.clone()
        state["exp_avg"] = m = m.lerp_(g, 1 - b1)
        state["exp_avg_sq"] = v = v.mul_(b2).addcmul_(g, g, value=1 - b2)
        denom = v.sqrt() / math.sqrt(1 - b2**t) + 1e-8
        step = lr / (1 - b1**t) * m / (denom.detach() if differentiable else denom)
    return p - step if differentiable else p.sub_(step)


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
        if len(source) != len(self.slow):  # zip would silently drop the extra weights
            raise ValueError(f"{len(source)} slow weights for {len(self.slow)}")
        torch._foreach_copy_(self.slow, [s.to(p.device) for s, p in zip(source, self.slow)])
