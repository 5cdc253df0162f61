"""Unrolled GANs (Metz et al. 2017): G is judged by D as it will be K steps from now.

G's loss is computed against a copy of D advanced K optimizer steps on fresh batches, with
the steps kept in the autograd graph, so G feels how D would react to its move and is
discouraged from hopping between modes. The copy is functional (torch.func.functional_call
over a dict of tensors); the real D and its optimizer are not changed. The unrolled steps
follow D's own optimizer (optim.functional_update, differentiable): Adam from its current
moment estimates, RMSprop from its running average of squared gradients, or plain SGD.

This module knows nothing of the trainer: the caller hands it D, D's optimizer, the loss
and a way to draw more real batches.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

from ganlab.losses import LossPair
from ganlab.training.optim import functional_update

# The torch optimizers' state that functional_update continues from (the rest, such as
# RMSprop's step count, it does not read).
_STATE_KEYS = ("exp_avg", "exp_avg_sq", "step", "square_avg")


def unrolled_d_logits(
    d: nn.Module,
    opt_d: torch.optim.Optimizer,
    optimizer: str,
    steps: int,
    loss_fn: Callable[[Tensor, Tensor], LossPair],
    real: Tensor,
    fake: Tensor,
    more_real: Callable[[], Tensor],
    concat: bool = True,
) -> Tensor:
    """D's logits on ``fake`` after ``steps`` differentiable D steps of ``optimizer`` ('adam',
    'sgd' or 'rmsprop', the one ``opt_d`` is), starting from ``opt_d``'s lrs, betas and
    state. The first step sees ``real``, later ones ``more_real()`` (a fresh batch, as D
    sees it). ``concat``: D may judge real and fake in one batch (no batch statistics)."""
    named = list(d.named_parameters())
    params = {n: p.detach().requires_grad_(True) for n, p in named}
    lr_of = {id(p): group["lr"] for group in opt_d.param_groups for p in group["params"]}
    lrs = [lr_of[id(p)] for _, p in named]
    betas = opt_d.param_groups[0].get("betas", (0.9, 0.999))
    # Copies: the unrolled steps must not move the real optimizer's moments.
    states = [
        {k: v for k, v in opt_d.state.get(p, {}).items() if k in _STATE_KEYS} for _, p in named
    ]
    for i in range(steps):
        x_real = real if i == 0 else more_real()
        if concat:
            logits = functional_call(d, params, (torch.cat([x_real, fake]),))
            d_real, d_fake = logits.split([len(logits) // 2, len(logits) // 2])
        else:
            d_real = functional_call(d, params, (x_real,))
            d_fake = functional_call(d, params, (fake,))
        loss = loss_fn(d_real, d_fake).d
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        new = [
            functional_update(optimizer, [p], [g], [s], lr, betas, differentiable=True)[0]
            for p, g, s, lr in zip(params.values(), grads, states, lrs)
        ]
        params = dict(zip(params, new))
    # The unrolled D judges G's samples; gradients reach G through fake and through every
    # unrolled update that fake influenced.
    return functional_call(d, params, (fake,))
