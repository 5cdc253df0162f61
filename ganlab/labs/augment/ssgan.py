"""The semi-supervised GAN: a discriminator that is a (K+1)-class classifier.

Salimans et al. 2016 (and Odena 2016): D gives K logits l_1..l_K for the real digit classes;
the (K+1)-th class "generated" has its logit fixed at 0, which loses nothing (softmax is
unchanged by shifting all K+1 logits) and makes D's "real" probability

    D(x) = Z / (Z + 1),   Z = sum_k exp(l_k),   so D's real/fake logit is logsumexp(l).

D is trained on three kinds of digits at once: labelled ones (cross-entropy over the K
classes), unlabelled ones (-log D(x)) and generated ones (-log(1 - D(G(z)))); the last two
are the ordinary GAN discriminator loss on the logit logsumexp(l), so they are
``losses.ns_gan`` reused. G uses feature matching: it matches the mean of D's penultimate
features on unlabelled digits, which Salimans et al. found best for classification.

The trained D is the classifier that is scored (argmax over its K logits). The unlabelled
digits are the n labelled ones with their labels hidden, plus ``unlabelled`` more from the
training pool when asked: by default the SSGAN sees no digit the other schemes do not.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.device import resolve_device
from ganlab.labs.augment.common import LR, AugmentSettings, SmallClassifier, Split, Ticker
from ganlab.labs.augment.labels import K
from ganlab.losses import ns_gan
from ganlab.nets.conv import ConvGenerator

NOISE_DIM = 62
G_WIDTH = 16  # half the DCGAN preset's width: G only has to feed D features, and CPUs are slow


def ssgan_d_loss(labelled: Tensor, labels: Tensor, unlabelled: Tensor, generated: Tensor) -> Tensor:
    """D's loss from its K logits on labelled, unlabelled and generated digits: supervised
    cross-entropy plus the GAN loss on the real/fake logit logsumexp(l)."""
    supervised = F.cross_entropy(labelled, labels)
    real_fake = ns_gan(unlabelled.logsumexp(dim=1), generated.logsumexp(dim=1)).d
    return supervised + real_fake


def feature_matching(real_features: Tensor, fake_features: Tensor) -> Tensor:
    """G's loss: squared distance between the mean features of real and generated digits."""
    return (real_features.detach().mean(dim=0) - fake_features.mean(dim=0)).pow(2).sum()


def train_ssgan(split: Split, s: AugmentSettings, seed: int, tick: Ticker) -> SmallClassifier:
    """Train D (a SmallClassifier with K outputs) and G for ``s.ssgan_steps``; return D."""
    device = resolve_device(s.device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        d = SmallClassifier(K).to(device)
        g = ConvGenerator(NOISE_DIM, G_WIDTH).to(device)
    opt_d = torch.optim.Adam(d.parameters(), lr=LR, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=LR, betas=(0.5, 0.999))
    gen = torch.Generator(device=device).manual_seed(seed)
    x, y = split.labelled_x.to(device), split.labelled_y.to(device)
    pool = torch.cat([split.labelled_x, split.unlabelled_x]).to(device)
    b = s.batch_size
    for step in range(s.ssgan_steps):
        i = torch.randint(len(x), (b,), device=device, generator=gen)
        u = pool[torch.randint(len(pool), (b,), device=device, generator=gen)]
        fake = g(torch.randn(b, NOISE_DIM, device=device, generator=gen))
        logits = d(torch.cat([x[i], u, fake.detach()]))  # no batch norm in D: one pass
        loss_d = ssgan_d_loss(logits[:b], y[i], logits[b : 2 * b], logits[2 * b :])
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        d.requires_grad_(False)
        loss_g = feature_matching(d.features(u), d.features(fake))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        d.requires_grad_(True)
        if step % 25 == 24 or step == s.ssgan_steps - 1:
            tick(step % 25 + 1, f"seed {seed}: SSGAN step {step + 1}")
    return d
