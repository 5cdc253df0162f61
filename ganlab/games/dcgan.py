"""DCGAN and its class-conditional sibling CGAN on digits.

DCGAN (Radford et al. 2016): G maps noise z to a digit, D judges digits; nothing else.
CGAN (Mirza & Osindero 2014): both players are told the label y. G gets z concatenated
with the one-hot label (a learned embedding, since the first layer is linear); D adds a
projection term <embed(y), features> to its logit, so a well-drawn 3 labelled "7" is
still called fake. ``sample(n, gen, label=K)`` then draws the digit K on request.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.config.run_config import RunConfig
from ganlab.games.base import Fake
from ganlab.games.image import GRID, ImageGame
from ganlab.nets.conv import ConvDiscriminator, ConvGenerator
from ganlab.scores.digits import classify

CLASSES = 10


class DCGANGame(ImageGame):
    """Unconditional digits."""

    def __init__(self, cfg: RunConfig, device: torch.device, generator: torch.Generator):
        super().__init__(cfg, device, generator)
        self.g = ConvGenerator(cfg.noise_dim, cfg.hidden)
        self.d = ConvDiscriminator(cfg.hidden)
        self.place_nets()

    def _generate(self, n: int, generator: torch.Generator, conditions: dict[str, Any]) -> Fake:
        return self._generate_from(self.noise(n, generator), {})

    def _generate_from(self, z: Tensor, latent: dict[str, Tensor]) -> Fake:
        return Fake(self.g(z), latent={"z": z})


class CGANGame(ImageGame):
    """Digits of a requested label: the label goes into G's input and D's projection."""

    conditions = {"label": "the digit 0-9"}

    def __init__(self, cfg: RunConfig, device: torch.device, generator: torch.Generator):
        super().__init__(cfg, device, generator)
        self.g = ConvGenerator(cfg.noise_dim + CLASSES, cfg.hidden)
        self.d = ConvDiscriminator(cfg.hidden, classes=CLASSES)
        self.place_nets()

    def real(self, n: int) -> tuple[Tensor, Tensor]:
        return self.draw(n)

    def _generate(self, n: int, generator: torch.Generator, conditions: dict[str, Any]) -> Fake:
        z = self.noise(n, generator)
        if "label" in conditions:
            labels = torch.full((n,), conditions["label"], dtype=torch.long, device=self.device)
        else:
            # Labels as often as the data has them, so D cannot tell fakes by label frequency.
            labels = self.labels[
                torch.randint(len(self.labels), (n,), device=self.device, generator=generator)
            ]
        return self._generate_from(z, {"label": labels})

    def _generate_from(self, z: Tensor, latent: dict[str, Tensor]) -> Fake:
        labels = latent["label"]
        x = self.g(torch.cat([z, F.one_hot(labels, CLASSES).to(z.dtype)], dim=1))
        return Fake(x, cond=labels, latent={"z": z, "label": labels})

    def discriminate(self, x: Tensor, cond: Tensor | None = None) -> Tensor:
        return self.d(x, cond)

    def extra_metrics(self, fake: Fake, images: Tensor) -> dict[str, float]:
        """label_accuracy: how often the digit classifier reads the label G was asked for."""
        predicted, _ = classify(images.cpu())
        return {"label_accuracy": float((predicted == fake.cond.cpu()).float().mean())}

    def grid(self) -> Tensor:
        """Ten rows, one per label 0-9; column j uses the same z in every row."""
        z = self.fixed_z[:GRID].repeat(CLASSES, 1)
        labels = torch.arange(CLASSES, device=self.device).repeat_interleave(GRID)
        return self.images_of(self._generate_from(z, {"label": labels}))
