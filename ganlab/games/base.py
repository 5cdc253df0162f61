"""What every game shares with the trainer: ``Fake``, a batch of fakes, and ``Game``, the
protocol of everything the trainer and the rest of ganlab may ask of a game.

The trainer (training/trainer.py) owns optimizers, the k:1 schedule, learning rates and
snapshots; a game owns everything that depends on the kind of data: its nets, where real
and fake batches come from, what D sees, what a snapshot shows and measures. ``ToyGame``
(toy.py) plays on 1D/2D points, ``ImageGame`` (image.py) and its subclasses on digits; both
implement every hook, with defaults that add nothing (None, []) where a game has nothing to
add, so callers call hooks directly and never probe with ``getattr``/``hasattr``.

This module defines no game and imports no net: it is the contract, not an implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.config.run_config import RunConfig
from ganlab.data import GaussianMixture


@dataclass
class Fake:
    """A batch of generated samples: the samples ``x``, their condition (CGAN's labels), and
    the latent codes that made them (InfoGAN's), which the game's auxiliary loss reads."""

    x: Tensor
    cond: Tensor | None = None
    latent: dict[str, Tensor] = field(default_factory=dict)


@runtime_checkable
class Game(Protocol):
    """Every attribute and method the trainer and the rest of ganlab may use on a game."""

    cfg: RunConfig
    """The run's settings, as the game was built from them."""
    device: torch.device
    """Where the nets and the real data live."""
    g: nn.Module
    """The generator (InfoGAN's code inputs included)."""
    d: nn.Module
    """The discriminator, with any extra heads (InfoGAN's Q) inside it."""
    concat_ok: bool
    """Whether real and fake may share one D forward (not with batch statistics in D)."""
    data: GaussianMixture | None
    """The toy distribution real points come from; None for digits."""

    def noise(self, n: int) -> Tensor:
        """n draws of G's input noise z from the training random stream."""
        ...

    def real(self, n: int) -> tuple[Any, Any]:
        """A real batch and its condition (None when D takes none)."""
        ...

    def fake(self, n: int) -> Fake:
        """A fake batch from the training random stream, with the graph through G."""
        ...

    def discriminate(self, x: Any, cond: Any = None) -> Tensor:
        """D's logits for a batch under its condition: one per sample (per pack of
        ``cfg.pack``; LAPGAN concatenates its levels' logits)."""
        ...

    def d_on(self, x: Tensor) -> Tensor:
        """D's logit at each sample judged on its own (the theory page's D(x) on a grid)."""
        ...

    def aux_loss(self, fake: Fake) -> Tensor | None:
        """A term added to both D's and G's losses (InfoGAN's mutual information), or None."""
        ...

    def penalty(
        self, real: Any, cond: Any, fake: Fake, generator: torch.Generator
    ) -> Tensor | None:
        """The game's own gradient penalty (conditional or per pyramid level), or None for
        the trainer's plain one on ``d``."""
        ...

    def fast_d_params(self) -> list[nn.Parameter]:
        """Parameters of D that train at G's learning rate (InfoGAN's Q head); [] if none."""
        ...

    def average_g(self, step: int) -> None:
        """Move the moving average of G (g_ema) toward G after G's ``step``-th update."""
        ...

    def averaged_g_state(self) -> dict[str, Any] | None:
        """The averaged G's state_dict for a checkpoint, or None when there is no average."""
        ...

    def load_averaged_g(self, state: dict[str, Any]) -> None:
        """Restore the averaged G from a state_dict (a no-op without an average)."""
        ...

    def training_images(self) -> Tensor | None:
        """The real digits (n, 1, 28, 28) the game draws from, on its device; None for toys."""
        ...

    def use_training_set(self, x: Tensor, y: Tensor) -> None:
        """Train on these digits and labels instead (the augmentation lab's labelled split)."""
        ...

    def view(self, loss_fn: Any, probability: bool) -> dict[str, np.ndarray]:
        """What a snapshot's picture shows, as arrays (never touches the training stream)."""
        ...

    def metrics(self) -> dict[str, float]:
        """What a snapshot measures, from fixed seeds so snapshots compare."""
        ...

    def sample(self, n: int, generator: torch.Generator, **conditions: Any) -> Tensor:
        """n samples for ``python -m ganlab sample`` and reports (conditions: label, codes)."""
        ...
