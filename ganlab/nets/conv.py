"""DCGAN-style convolutional nets for 28x28 digits, small enough to train on a CPU.

Radford et al.'s recipe at MNIST size: the generator projects its input to a 7x7 map and
doubles the side twice with strided transposed convolutions (7 -> 14 -> 28), with batch
norm and ReLU between; the discriminator mirrors it with strided convolutions and leaky
ReLU. ``width`` is the channel count at 14x14 (twice that at 7x7).

The discriminator exposes its trunk (``features``) so heads can share it: a projection
term for class-conditional GANs (Miyato & Koyama 2018: the logit gains <embed(y), h>) and
InfoGAN's Q head. Nets take their sizes, not a config. Images are in [0, 1] throughout:
the generator ends in a sigmoid, not tanh, so no rescaling happens anywhere.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlab.nets.mlp import MinibatchDiscrimination


class ConvGenerator(nn.Module):
    """in_dim -> (2*width, 7, 7) -> (width, 14, 14) -> (1, 28, 28) in [0, 1]."""

    def __init__(self, in_dim: int, width: int) -> None:
        super().__init__()
        self.width = width
        self.project = nn.Sequential(
            nn.Linear(in_dim, 2 * width * 49), nn.BatchNorm1d(2 * width * 49), nn.ReLU()
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, 2, 1),
            nn.Sigmoid(),
        )

    def forward(self, z: Tensor) -> Tensor:
        h = self.project(z).view(-1, 2 * self.width, 7, 7)
        return self.up(h)


class BatchStd(nn.Module):
    """Minibatch standard deviation (Karras et al. 2018): append one channel holding the
    batch's mean per-feature standard deviation. A generator that draws nearly the same
    digit for every z gives a batch with a telltale low value, which D can punish; a plain
    D judges each image alone and cannot see that kind of collapse."""

    def forward(self, h: Tensor) -> Tensor:
        std = h.std(dim=0, unbiased=False).mean() if len(h) > 1 else h.new_zeros(())
        return torch.cat([h, std.expand(len(h), 1, *h.shape[2:])], dim=1)


class ConvDiscriminator(nn.Module):
    """(1, 28, 28) -> (width, 14, 14) -> (2*width, 7, 7) -> a logit per image.

    With ``classes`` > 0 the logit gains a projection term <embed(label), features>, so D
    judges "is this a real digit *of this label*" rather than only "is this a digit".
    """

    def __init__(
        self,
        width: int,
        classes: int = 0,
        in_channels: int = 1,
        batch_std: bool = True,
        minibatch: int = 0,
        fc: int = 0,
    ) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Conv2d(in_channels, width, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1),
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            BatchStd() if batch_std else nn.Identity(),
            nn.Flatten(),
        )
        self.feature_dim = (2 * width + int(batch_std)) * 49
        self.mbd = None
        if minibatch:
            self.mbd = MinibatchDiscrimination(self.feature_dim, minibatch, 8)
            self.feature_dim += minibatch
        self.fc = None
        if fc:
            self.fc = nn.Sequential(
                nn.Linear(self.feature_dim, fc), nn.BatchNorm1d(fc), nn.LeakyReLU(0.2)
            )
            self.feature_dim = fc
        self.head = nn.Linear(self.feature_dim, 1)
        self.embed = nn.Embedding(classes, self.feature_dim) if classes else None
        if self.embed is not None:
            nn.init.normal_(self.embed.weight, std=0.01)

    def features(self, x: Tensor) -> Tensor:
        """The shared trunk's output (n, feature_dim)."""
        h = self.trunk(x)
        h = h if self.mbd is None else self.mbd(h)
        return h if self.fc is None else self.fc(h)

    def judge(self, h: Tensor, labels: Tensor | None = None) -> Tensor:
        """Logits (n,) from trunk features (and labels when the net is conditional)."""
        logit = self.head(h).squeeze(1)
        if self.embed is not None:
            if labels is None:
                raise ValueError("this discriminator is class-conditional; pass labels")
            logit = logit + (self.embed(labels) * h).sum(dim=1)
        return logit

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.judge(self.features(x), labels)


class QHead(nn.Module):
    """InfoGAN's Q: from D's trunk features to the categorical code's logits and the
    continuous codes' means (a Gaussian with unit variance around each)."""

    def __init__(self, feature_dim: int, categories: int, continuous: int, hidden: int = 128):
        super().__init__()
        self.categories = categories
        self.net = nn.Sequential(
            nn.Linear(feature_dim, hidden),
            nn.BatchNorm1d(hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, categories + continuous),
        )

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor]:
        out = self.net(h)
        return out[:, : self.categories], out[:, self.categories :]


class InfoDiscriminator(nn.Module):
    """A ConvDiscriminator with InfoGAN's Q head on the same trunk, so D's optimizer trains
    both. ``forward`` gives the real/fake logits alone (what a gradient penalty needs);
    ``judge_and_infer`` gives the logits and Q's outputs from one trunk pass."""

    def __init__(
        self,
        width: int,
        categories: int,
        continuous: int,
        batch_std: bool = True,
        minibatch: int = 0,
        fc: int = 0,
    ) -> None:
        super().__init__()
        self.d = ConvDiscriminator(width, batch_std=batch_std, minibatch=minibatch, fc=fc)
        self.q = QHead(self.d.feature_dim, categories, continuous)

    def judge_and_infer(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        h = self.d.features(x)
        cat_logits, cont = self.q(h)
        return self.d.judge(h), cat_logits, cont

    def forward(self, x: Tensor) -> Tensor:
        return self.d(x)
