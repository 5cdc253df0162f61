"""Fully connected nets for 1D and 2D GANs, minibatch discrimination, and PacGAN packing.

Nets take their sizes, not a config, so a test can build one in a line. The discriminator
returns raw logits of shape (batch,); the losses decide what to do with them.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
}


class Maxout(nn.Module):
    """A layer of units that are each the max of ``pieces`` linear functions (Goodfellow et
    al. 2013): the discriminator units of the GAN and PacGAN papers' toy experiments. A
    piecewise-linear D with many pieces can wall off 25 small modes at once."""

    def __init__(self, in_dim: int, out_dim: int, pieces: int) -> None:
        super().__init__()
        self.out_dim, self.pieces = out_dim, pieces
        self.linear = nn.Linear(in_dim, out_dim * pieces)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(x).unflatten(-1, (self.out_dim, self.pieces)).amax(-1)


class MLP(nn.Sequential):
    """in_dim -> depth hidden layers of width hidden -> out_dim, no output activation.

    Each hidden layer is Linear, then BatchNorm if ``batchnorm``, then the activation; or,
    with ``maxout`` > 1 pieces, a Maxout layer (which is its own activation)."""

    def __init__(
        self,
        in_dim: int,
        hidden: int,
        out_dim: int,
        depth: int,
        activation: str = "relu",
        batchnorm: bool = False,
        maxout: int = 1,
    ) -> None:
        layers: list[nn.Module] = []
        width = in_dim
        for _ in range(depth):
            if maxout > 1:
                layers.append(Maxout(width, hidden, maxout))
            else:
                layers.append(nn.Linear(width, hidden))
                layers += [nn.BatchNorm1d(hidden)] if batchnorm else []
                layers.append(ACTIVATIONS[activation]())
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        super().__init__(*layers)


class MinibatchDiscrimination(nn.Module):
    """Salimans et al. 2016, as in the classic 1D demo: each sample's features are projected
    to ``num_kernels`` rows of ``kernel_dim``; for every kernel, exp(-L1 distance) to every
    other sample in the batch is summed. A collapsed generator makes these sums large and
    uniform, which D can see and punish. The sums are appended to the features."""

    def __init__(self, in_features: int, num_kernels: int = 5, kernel_dim: int = 3) -> None:
        super().__init__()
        self.num_kernels, self.kernel_dim = num_kernels, kernel_dim
        self.T = nn.Parameter(torch.randn(in_features, num_kernels * kernel_dim) * 0.1)

    def forward(self, x: Tensor) -> Tensor:
        m = (x @ self.T).view(-1, self.num_kernels, self.kernel_dim)
        l1 = (m[:, None] - m[None]).abs().sum(dim=3)  # (B, B, kernels)
        # Subtract 1 so a sample's distance to itself (exp(0) = 1) does not count.
        closeness = torch.exp(-l1).sum(dim=1) - 1.0
        return torch.cat([x, closeness], dim=1)


class ToyDiscriminator(nn.Module):
    """An MLP discriminator over points; optional minibatch discrimination and packing.

    With ``pack`` M > 1 (PacGAN, Lin et al. 2018) D sees M samples concatenated into one
    input, so a batch of B points gives B / M logits, and a generator that puts many samples
    in one place is easier to spot.
    """

    def __init__(
        self,
        data_dim: int,
        hidden: int,
        depth: int,
        activation: str = "relu",
        minibatch_disc: bool = False,
        pack: int = 1,
        maxout: int = 1,
    ) -> None:
        super().__init__()
        self.pack = pack
        in_dim = data_dim * pack
        if minibatch_disc:
            trunk = MLP(in_dim, hidden, hidden, max(depth - 1, 0), activation, maxout=maxout)
            self.trunk = nn.Sequential(trunk, ACTIVATIONS[activation]())
            self.mbd = MinibatchDiscrimination(hidden)
            self.head = nn.Linear(hidden + self.mbd.num_kernels, 1)
        else:
            self.trunk = MLP(in_dim, hidden, 1, depth, activation, maxout=maxout)
            self.mbd = None
            self.head = None

    def forward(self, x: Tensor) -> Tensor:
        if self.pack > 1:
            x = x.reshape(x.shape[0] // self.pack, -1)
        h = self.trunk(x)
        if self.mbd is not None:
            h = self.head(self.mbd(h))
        return h.squeeze(1)
