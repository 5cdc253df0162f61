"""Many toy GANs of one shape trained as one batched model: the engine under sweeps.

Each run keeps its own nets, built exactly as ``Trainer`` builds them (same seed, same
``ToyGame``), and its own random stream for data and noise. Their weights are stacked along
a new first axis and the project's own modules are called once for all runs through
``torch.func.vmap`` over ``functional_call``, so 32 GANs cost one forward, one backward and
one optimizer update per step instead of 32 of each. The losses come from the registry,
vmapped per run, and so is the gradient penalty's formula; the optimizer update is
optim.functional_update on the stacked tensors (torch's formulas), with a learning rate per
run.

What may differ within a batch: ``lr_d``, ``lr_g`` and ``seed``. Everything else (shapes,
k, loss, optimizer, schedule) is one group's; ``group_key`` says which runs can share one.
Per run, a batched run follows the same steps as ``Trainer.train_step`` (k D steps, the
last one's fakes reused for the G step), so it reproduces a sequential run up to float
rounding. Not supported here: minibatch discrimination, unrolled D, R1, images. Packing is: D
reshapes its own input, per run.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.func import functional_call, vmap

from ganlab.config.fields import ROW, ROWS, changed
from ganlab.config.run_config import RunConfig
from ganlab.device import resolve_device, run_threads, torch_threads
from ganlab.errors import ConfigError
from ganlab.games.toy import ToyGame
from ganlab.losses import LOSSES, gradient_norm_penalty, interpolate
from ganlab.training.optim import clip_weights, functional_update, lr_factor

PER_RUN = ("lr_d", "lr_g", "seed")
# The settings this trainer supports only at their default: ``batchable=False`` in fields.py.
UNBATCHABLE = tuple(row for row in ROWS if not row.batchable)


def batchable(cfg: RunConfig) -> bool:
    """Whether the batched trainer can train this config."""
    try:
        check_batchable(cfg)
    except ConfigError:
        return False
    return True


def check_batchable(cfg: RunConfig) -> None:
    """Raise ConfigError, one sentence, if the batched trainer cannot train this config."""
    if cfg.kind != "toy":
        raise ConfigError(f"Sweeps train toy variants only; {cfg.variant!r} is an image GAN.")
    if fields := unbatchable_fields(cfg):
        name = fields[0]
        raise ConfigError(
            f"{name} is {getattr(cfg, name)!r}, which the batched sweep trainer does not "
            f"support; leave it at {ROW[name].default!r} or use the sequential backend."
        )


def unbatchable_fields(cfg: RunConfig) -> list[str]:
    """The fields of ``cfg`` that keep the batched trainer from training it."""
    return [row.name for row in changed(cfg, UNBATCHABLE)]


def group_key(cfg: RunConfig) -> tuple[Any, ...]:
    """Runs with equal keys can train as one batched model."""
    return tuple(getattr(cfg, row.name) for row in ROWS if row.name not in PER_RUN)


def _stack(modules: list[torch.nn.Module]) -> dict[str, Tensor]:
    names = [name for name, _ in modules[0].named_parameters()]
    per_run = [dict(m.named_parameters()) for m in modules]
    return {n: torch.stack([p[n].detach() for p in per_run]).requires_grad_(True) for n in names}


class BatchedTrainer:
    """R runs of one group trained in lockstep. ``train_steps(n)`` then ``metrics()``."""

    def __init__(self, cfgs: list[RunConfig], device: torch.device | None = None) -> None:
        if not cfgs:
            raise ConfigError("A batched group needs at least one run.")
        for cfg in cfgs:
            check_batchable(cfg)
            if group_key(cfg) != group_key(cfgs[0]):
                raise ConfigError("Runs in one batched group may differ only in lr_d, lr_g, seed.")
        self.cfgs, self.cfg = cfgs, cfgs[0]
        self.device = device or resolve_device(self.cfg.device)
        self.games = [self._game(cfg) for cfg in cfgs]
        # The first run's modules serve as templates: functional_call swaps in stacked weights.
        self.g_net, self.d_net = self.games[0].g, self.games[0].d
        self.g_params, self.d_params = (
            _stack([g.g for g in self.games]),
            _stack([g.d for g in self.games]),
        )
        self.lr_g0 = torch.tensor([c.lr_g for c in cfgs], device=self.device)
        self.lr_d0 = torch.tensor([c.lr_d for c in cfgs], device=self.device)
        # Per stacked tensor, the optimizer's state (functional_update's, torch's names).
        self.opt_state: dict[str, list[dict[str, Any]]] = {
            "g": [{} for _ in self.g_params],
            "d": [{} for _ in self.d_params],
        }
        self.loss_fn = LOSSES[self.cfg.loss]
        self.step = 0
        self._g = vmap(lambda p, z: functional_call(self.g_net, p, (z,)))
        self._d = vmap(lambda p, x: functional_call(self.d_net, p, (x,)))
        self._loss_d = vmap(lambda r, f: self.loss_fn(r, f).d)
        self._loss_g = vmap(lambda f: self.loss_fn(f.detach(), f).g)
        self._gp = vmap(lambda grad: gradient_norm_penalty(grad, self.cfg.pack))

    def _game(self, cfg: RunConfig) -> ToyGame:
        # Exactly Trainer's construction: the same seed gives the same initial nets and the
        # same stream of data and noise.
        rng = torch.Generator(device=self.device).manual_seed(cfg.seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            return ToyGame(cfg, self.device, rng)

    @property
    def size(self) -> int:
        return len(self.cfgs)

    # ----- one step, for all runs at once ----------------------------------------------------
    def train_d(self, keep_fake: bool = False) -> Tensor | None:
        """One D step in every run; the fakes (with G's graph) if ``keep_fake``."""
        n = self.cfg.batch_size
        real = torch.stack([game.real(n)[0] for game in self.games])
        z = torch.stack([game.noise(n) for game in self.games])
        with torch.set_grad_enabled(keep_fake):
            kept = self._g(self.g_params, z)
        fake = kept.detach()
        logits = self._d(self.d_params, torch.cat([real, fake], dim=1))
        half = logits.shape[1] // 2  # n logits, or n / pack with packing
        loss = self._loss_d(logits[:, :half], logits[:, half:])
        if self.cfg.gp_weight:
            loss = loss + self.cfg.gp_weight * self._gradient_penalty(real, fake)
        self._update("d", self.d_params, loss.sum(), self.lr_d0)
        if self.cfg.clip:
            clip_weights(list(self.d_params.values()), self.cfg.clip)
        return kept if keep_fake else None

    def train_g(self, fake: Tensor) -> None:
        """One G step in every run on the fakes of the last D step."""
        loss = self._loss_g(self._d(self.d_params, fake))
        self._update("g", self.g_params, loss.sum(), self.lr_g0)
        self.step += 1

    def train_step(self) -> None:
        """k D steps, then one G step, as ``Trainer.train_step``."""
        for _ in range(self.cfg.k - 1):
            self.train_d()
        fake = self.train_d(keep_fake=True)
        assert fake is not None
        self.train_g(fake)

    def train_steps(self, n: int) -> None:
        with torch_threads(run_threads(self.device, small=True)):  # as Trainer's toy runs
            for _ in range(n):
                self.train_step()

    def _gradient_penalty(self, real: Tensor, fake: Tensor) -> Tensor:
        """losses.gradient_penalty per run: each run mixes with its own random stream."""
        mixed = [interpolate(r, f, game.rng) for r, f, game in zip(real, fake, self.games)]
        x_hat = torch.stack(mixed).requires_grad_(True)
        scores = self._d(self.d_params, x_hat)
        (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
        return self._gp(grad)

    # ----- optimizers on stacked tensors ------------------------------------------------------
    def _update(self, net: str, params: dict[str, Tensor], loss: Tensor, lr0: Tensor) -> None:
        grads = torch.autograd.grad(loss, list(params.values()))
        cfg = self.cfg
        lr = lr0 * lr_factor(cfg.lr_decay, cfg.lr_decay_every, self.step)
        state = self.opt_state[net]
        functional_update(
            cfg.optimizer, list(params.values()), grads, state, lr, (cfg.beta1, cfg.beta2)
        )

    # ----- results ------------------------------------------------------------------------------
    def unstack(self) -> None:
        """Copy each run's weights back into its own game's modules."""
        with torch.no_grad():
            for i, game in enumerate(self.games):
                for stacked, net in ((self.g_params, game.g), (self.d_params, game.d)):
                    for name, p in net.named_parameters():
                        p.copy_(stacked[name][i])

    def finite(self) -> list[bool]:
        """Per run: are all its weights finite?"""
        params = list(self.g_params.values()) + list(self.d_params.values())
        ok = torch.stack([p.detach().isfinite().flatten(1).all(dim=1) for p in params])
        return ok.all(dim=0).tolist()

    def metrics(self) -> list[dict[str, float]]:
        """Per run: the same metrics a Trainer snapshot reports (ganlab.metrics.toy_metrics);
        an empty dict for a run whose weights are no longer finite."""
        self.unstack()
        return [game.metrics() if ok else {} for game, ok in zip(self.games, self.finite())]
