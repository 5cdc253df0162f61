"""Slow motion: one training step walked through its stages, as GAN Lab shows it.

``STAGES`` is the one list of a step's stages; the page's stage line, the overview diagram
and the tests read it. ``staged_step`` does exactly the math of ``Trainer.train_step`` (or
of ``train_d`` / ``train_g`` for one half) through the trainer's own pieces (``d_loss``,
``update_d``, ``g_loss``, ``update_g``, ``count_step``) and yields a ``StageView`` after
each stage: a run walked in slow motion is the same run as one trained flat out
(tests/test_stages.py). What a stage shows beside the math (the arrows on the fakes, G's
gradient norm, where the fakes moved) is read without touching the weights, the optimizers
or the training random stream.

Only toy games walk: the walk needs G's input z apart from G's output. Not here: pacing
stages in time (live/runner.py) and drawing them (figures/overview.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ganlab.config.run_config import RunConfig
from ganlab.errors import ConfigError
from ganlab.games.base import Fake
from ganlab.nets import evaluating
from ganlab.training.snapshot import StageView
from ganlab.training.trainer import Trainer

SHOWN = 256  # points of a batch a stage hands to the page (the default batch is 256)
HALVES = ("d", "g", "both")  # Step D, Step G, Step both (a whole step)


@dataclass(frozen=True)
class Stage:
    """A stage of one training step: its name, whose half it belongs to, what happens."""

    name: str
    player: str  # "D" or "G"
    what: str


STAGES = (
    Stage("sample real data and noise z", "D",
          "A batch of real points comes from the data, and a batch of noise z from G's input."),
    Stage("G maps z to fake samples", "D",
          "G's forward pass: each z becomes a fake point G(z)."),
    Stage("D judges real and fake", "D",
          "D's forward pass scores every point: D(x) on the real ones, D(G(z)) on the fakes."),
    Stage("D's loss", "D",
          "D's loss is low when D(x) is high on real points and D(G(z)) low on fakes."),
    Stage("D's update", "D",
          "D's weights take one optimizer step down its loss: the heat map shifts. With k > 1, "
          "stages 1-5 repeat k times before G moves."),
    Stage("G's loss through D", "G",
          "G's loss asks D to call the fakes real; its gradient on each fake point, -dL_G/dx "
          "(the arrows), says where D would have it move."),
    Stage("G's gradient flows back through D", "G",
          "Backpropagation carries that gradient through D, whose weights stay fixed, into "
          "G's weights."),
    Stage("G's update", "G",
          "G's weights take one optimizer step: the same z now land where the arrows pointed."),
)  # fmt: skip
D_STAGES = tuple(i + 1 for i, s in enumerate(STAGES) if s.player == "D")
G_STAGES = tuple(i + 1 for i, s in enumerate(STAGES) if s.player == "G")


def supports(cfg: RunConfig) -> bool:
    """Whether runs of this config walk in stages (toy games; digits step whole)."""
    return cfg.kind == "toy"


def staged_step(trainer: Trainer, half: str = "both") -> Iterator[StageView]:
    """Walk one step of ``trainer`` stage by stage: ``half`` "both" is ``train_step`` (k
    times stages 1-5, then 6-8 on the last D step's fakes), "d" is ``train_d`` (stages
    1-5 once), "g" is ``train_g`` (stages 6-8 on a fresh batch). The state after the last
    stage is the state the plain call leaves."""
    if not supports(trainer.cfg):
        variant = trainer.cfg.variant
        raise ConfigError(f"Slow motion in stages needs a toy variant, not {variant!r}.")
    if half not in HALVES:
        raise ConfigError(f"half is {half!r}; it must be one of {', '.join(HALVES)}.")
    k = trainer.cfg.k if half == "both" else 1
    batch: tuple[Tensor, Fake] | None = None
    if half != "g":
        for i in range(k):
            repeat = f"D step {i + 1} of {k}" if k > 1 else ""
            batch = yield from _d_half(trainer, half == "both" and i == k - 1, repeat, half == "d")
    if half != "d":
        yield from _g_half(trainer, batch)


def _d_half(
    trainer: Trainer, keep: bool, repeat: str, ends: bool
) -> Iterator[StageView]:  # then returns (z, the fakes)
    """Stages 1-5: ``Trainer.train_d`` with a pause after each stage."""
    game, n = trainer.game, trainer.cfg.batch_size
    real, cond = game.real(n)
    if trainer.cfg.r1:
        real.requires_grad_(True)
    z = game.noise(n)
    shown = {"real": _np(real), "z": _np(z)}
    yield _view(1, repeat, shown)
    with torch.set_grad_enabled(keep):  # G's graph is kept only for the G step that follows
        kept = Fake(game.g(z))
    shown["fake"] = _np(kept.x)
    yield _view(2, repeat, shown)
    loss, d_real, d_fake = trainer.d_loss(real, cond, kept)
    out = torch.sigmoid if trainer.probability else (lambda t: t)
    shown |= {"d_real": _np(out(d_real)), "d_fake": _np(out(d_fake))}
    numbers = {"d_real": _mean(out(d_real)), "d_fake": _mean(out(d_fake))}
    yield _view(3, repeat, shown, numbers)
    numbers["loss_d"] = float(loss.detach())
    yield _view(4, repeat, shown, numbers)
    trainer.update_d(loss, d_real, d_fake)
    numbers["grad_norm_d"] = _norm([p.grad for p in trainer.d.parameters()])
    yield _view(5, repeat, shown, numbers, last=ends)
    return z, kept


def _g_half(trainer: Trainer, batch: tuple[Tensor, Fake] | None) -> Iterator[StageView]:
    """Stages 6-8: ``Trainer.train_g`` on the D half's fakes, or on a fresh batch drawn
    as ``g_loss`` would draw it."""
    game = trainer.game
    if batch is None:
        z = game.noise(trainer.cfg.batch_size)
        batch = z, Fake(game.g(z))
    z, fake = batch
    loss = trainer.g_loss(fake)
    # The arrows: minus G's loss gradient on each fake point, scaled by the batch size as
    # the distribution view's arrows are (ToyGame.view).
    (grad_x,) = torch.autograd.grad(loss, fake.x, retain_graph=True)
    shown = {"fake": _np(fake.x), "push": _np(-grad_x * len(fake.x))}
    numbers = {"loss_g": float(loss.detach())}
    yield _view(6, "", shown, numbers)
    params = [p for p in trainer.g.parameters() if p.requires_grad]
    grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
    numbers["grad_norm_g"] = _norm(list(grads))
    yield _view(7, "", shown, numbers)
    trainer.count_step(trainer.update_g(loss))
    with evaluating(trainer.g):  # batch norm's running statistics stay as training left them
        shown["moved"] = _np(trainer.g(z))
    yield _view(8, "", shown, numbers, last=True)


def _view(
    number: int, repeat: str, arrays: dict[str, np.ndarray],
    numbers: dict[str, float] | None = None, last: bool = False,
) -> StageView:  # fmt: skip
    stage = STAGES[number - 1]
    return StageView(number, len(STAGES), stage.name, stage.player, repeat,
                     dict(arrays), dict(numbers or {}), last)  # fmt: skip


def _np(x: Tensor) -> np.ndarray:
    return x.detach()[:SHOWN].float().cpu().numpy()


def _mean(x: Tensor) -> float:
    return float(x.detach().float().mean())


def _norm(grads: list[Tensor | None]) -> float:
    """The L2 norm over all gradients (as Trainer's snapshot measures it)."""
    norms = [g.norm() for g in grads if g is not None]
    return float(torch.linalg.vector_norm(torch.stack(norms))) if norms else 0.0
