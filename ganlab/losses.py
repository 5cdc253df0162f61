"""GAN loss pairs as pure functions of the discriminator's logits, in one registry.

Each function takes D's raw outputs on a real batch and a fake batch and returns the loss D
minimises and the loss G minimises. Nothing here owns an optimizer or a net, except the
gradient penalty, which by its nature needs the critic and the samples (its formula alone,
``gradient_norm_penalty``, is a pure function of the gradients). Probabilities are
never formed and then logged: log D = -softplus(-logit) and log(1 - D) = -softplus(logit),
which stay finite where sigmoid would round to 0 or 1.

The docstrings are the lessons the theory page shows; keep them saying what the code does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class LossPair(NamedTuple):
    d: Tensor
    g: Tensor


def minimax(d_real: Tensor, d_fake: Tensor) -> LossPair:
    """The original minimax game, min_G max_D E[log D(x)] + E[log(1 - D(G(z)))].
    D minimises -log D(x) - log(1 - D(G(z))); G minimises log(1 - D(G(z))), whose gradient
    vanishes when D confidently rejects the fakes (D(G(z)) near 0): the saturating loss."""
    d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
    g = -F.softplus(d_fake).mean()
    return LossPair(d, g)


def ns_gan(d_real: Tensor, d_fake: Tensor) -> LossPair:
    """Non-saturating GAN. D as in minimax; G maximises log D(G(z)) instead of minimising
    log(1 - D(G(z))): the same fixed point, but strong gradients when D wins early."""
    d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
    g = F.softplus(-d_fake).mean()
    return LossPair(d, g)


def least_squares(d_real: Tensor, d_fake: Tensor) -> LossPair:
    """Least squares GAN (Mao et al. 2017), a-b-c = 0-1-1: D minimises
    1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]; G minimises 1/2 E[(D(G(z)) - 1)^2].
    Fakes far on the right side of the boundary are still pulled in, so gradients persist."""
    d = 0.5 * ((d_real - 1) ** 2).mean() + 0.5 * (d_fake**2).mean()
    g = 0.5 * ((d_fake - 1) ** 2).mean()
    return LossPair(d, g)


def wasserstein(d_real: Tensor, d_fake: Tensor) -> LossPair:
    """Wasserstein GAN (Arjovsky et al. 2017). The critic maximises E[f(x)] - E[f(G(z))],
    an estimate of the Earth Mover distance when f is 1-Lipschitz (enforced by weight
    clipping or a gradient penalty, outside this function); so it minimises
    E[f(G(z))] - E[f(x)]. G minimises -E[f(G(z))]. Outputs are scores, not probabilities."""
    d = d_fake.mean() - d_real.mean()
    g = -d_fake.mean()
    return LossPair(d, g)


def hinge(d_real: Tensor, d_fake: Tensor) -> LossPair:
    """Hinge loss (Lim & Ye 2017, used by SAGAN and BigGAN). D minimises
    E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]: once a sample is beyond the margin it
    stops pulling. G minimises -E[D(G(z))]."""
    d = F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()
    g = -d_fake.mean()
    return LossPair(d, g)


LOSSES: dict[str, Callable[[Tensor, Tensor], LossPair]] = {
    "minimax": minimax,
    "nsgan": ns_gan,
    "lsgan": least_squares,
    "wgan": wasserstein,
    "hinge": hinge,
}

# How each loss turns D's raw output into the number the pages show as "D(x)": a probability
# for the classifier-style losses, the raw score for the critics.
PROBABILITY_OUTPUT = {"minimax": True, "nsgan": True, "lsgan": False, "wgan": False, "hinge": False}


def gradient_penalty(
    critic: nn.Module, real: Tensor, fake: Tensor, generator: torch.Generator | None = None
) -> Tensor:
    """WGAN-GP's E[(||grad_x f(x_hat)||_2 - 1)^2] at random points x_hat on the lines between
    real and fake samples; multiply by lambda (10 in the paper) and add to D's loss. A packed
    critic (``critic.pack`` M > 1) judges M samples as one input, so the norm is taken over
    each group of M: the constraint is on the function the critic computes."""
    x_hat = interpolate(real, fake.detach(), generator).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return gradient_norm_penalty(grad, getattr(critic, "pack", 1))


def interpolate(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """WGAN-GP's x_hat: for each pair, a uniformly random point on the line from fake to real."""
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = torch.rand(shape, device=real.device, dtype=real.dtype, generator=generator)
    return eps * real + (1 - eps) * fake


def gradient_norm_penalty(grad: Tensor, pack: int = 1) -> Tensor:
    """The penalty's formula given the critic's input gradients (one row per sample):
    the mean of (||grad||_2 - 1)^2 over the critic's inputs, a pack of ``pack`` samples
    being one input. Pure, so the batched trainer can vmap it over runs."""
    return ((grad.reshape(grad.shape[0] // pack, -1).norm(dim=1) - 1) ** 2).mean()


def r1_penalty(d_real: Tensor, real: Tensor) -> Tensor:
    """R1 (Mescheder et al. 2018): E[||grad_x D(x)||^2] on real data, so D is flat where the
    data is and the game stops circling the equilibrium; multiply by gamma / 2. ``real``
    must have had requires_grad set before D saw it."""
    (grad,) = torch.autograd.grad(d_real.sum(), real, create_graph=True)
    return grad.flatten(1).square().sum(dim=1).mean()
