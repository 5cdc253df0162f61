"""What every game shares with the trainer: the batch of fakes a game hands over."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import Tensor


@dataclass
class Fake:
    """A batch of generated samples: the samples ``x``, their condition (CGAN's labels), and
    the latent codes that made them (InfoGAN's), which the game's auxiliary loss reads."""

    x: Tensor
    cond: Tensor | None = None
    latent: dict[str, Tensor] = field(default_factory=dict)
