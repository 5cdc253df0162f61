"""Unrolled GANs (Metz et al. 2017): G is judged by D as it will be K steps from now.

G's loss is computed against a copy of D advanced K optimizer steps on fresh batches, with
the steps kept in the autograd graph, so G feels how D would react to its move and is
discouraged from hopping between modes. The copy is functional (torch.func.functional_call
over a dict of tensors); the real D is not changed. The unrolled steps follow D's own
optimizer: Adam steps from its current moment estimates, or plain SGD otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor
from torch.func import functional_call

if TYPE_CHECKING:
    from ganlab.training.trainer import Trainer


def unrolled_d_logits(trainer: Trainer, real: Tensor, fake: Tensor) -> Tensor:
    """D's logits on ``fake`` after K differentiable D steps (K = cfg.unrolled)."""
    cfg, d, game = trainer.cfg, trainer.d, trainer.game
    names = [n for n, _ in d.named_parameters()]
    params = {n: p.detach().requires_grad_(True) for n, p in d.named_parameters()}
    group = trainer.opt_d.param_groups[0]
    lr = group["lr"]
    adam = cfg.optimizer == "adam"
    state = [trainer.opt_d.state.get(p, {}) for p in d.parameters()]
    moments = [(s.get("exp_avg"), s.get("exp_avg_sq"), float(s.get("step", 0))) for s in state]
    b1, b2 = cfg.beta1, cfg.beta2
    for i in range(cfg.unrolled):
        x_real = real if i == 0 else trainer.blur(game.real(len(real))[0])
        if game.concat_ok:
            logits = functional_call(d, params, (torch.cat([x_real, fake]),))
            d_real, d_fake = logits.split([len(logits) // 2, len(logits) // 2])
        else:
            d_real = functional_call(d, params, (x_real,))
            d_fake = functional_call(d, params, (fake,))
        loss = trainer.loss_fn(d_real, d_fake).d
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        new = {}
        for j, (name, g) in enumerate(zip(names, grads)):
            m, v, t = moments[j]
            if adam:
                m = g * (1 - b1) if m is None else b1 * m + (1 - b1) * g
                v = g * g * (1 - b2) if v is None else b2 * v + (1 - b2) * g * g
                t += 1
                moments[j] = (m, v, t)
                m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
                # The step size's denominator is held constant: differentiating sqrt(v)
                # where a gradient is exactly zero (a dead ReLU) gives inf and then NaN.
                new[name] = params[name] - lr * m_hat / (v_hat.sqrt() + 1e-8).detach()
            else:
                new[name] = params[name] - lr * g
        params = new
    # The unrolled D judges G's samples; gradients reach G through fake and through every
    # unrolled update that fake influenced.
    return functional_call(d, params, (fake,))
