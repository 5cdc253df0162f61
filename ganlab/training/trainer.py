"""The training loop: k discriminator steps, then one generator step; a Snapshot every N.

Read ``train_d`` and ``train_g`` top to bottom: they are the textbook GAN step, each a loss
(``d_loss``, ``g_loss``) and an update (``update_d``, ``update_g``), the pieces slow motion
walks one at a time (stages.py). What the data and nets are comes from the game (games/);
what the losses are comes from losses.py.
Nothing here waits on a UI, and nothing leaves the device per step: losses and D's outputs
are kept as device tensors and read once per snapshot (a ``.item()`` per step would stall a
GPU). The live settings (learning rates, k, the loss, the optimizer, ...) can change between
steps with the weights kept, as in GAN Lab.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.config.run_config import RunConfig
from ganlab.data import GaussianMixture
from ganlab.device import describe, resolve_device, run_threads, torch_threads
from ganlab.games import make_game
from ganlab.games.base import Fake, Game
from ganlab.losses import LOSSES, PROBABILITY_OUTPUT, gradient_penalty, r1_penalty
from ganlab.training.cuda_graph import StepGraph, graph_unsupported, undone
from ganlab.training.optim import (
    Lookahead,
    clip_weights,
    device_lr,
    lr_factor,
    make_optimizer,
    set_lr,
)
from ganlab.training.snapshot import Snapshot
from ganlab.training.unrolled import unrolled_d_logits

# A weight this large is a run that blew up without reaching inf: with SGD at lr 10 the
# non-saturating losses flatten (softplus saturates, ReLUs die) and the weights sit near 1e15.
# Trained nets hold weights near 1; data is capped at 1e6 (data/files.py), far below this.
MAX_WEIGHT = 1e8


class Trainer:
    """One GAN run: nets, optimizers and the step counter. Not thread-safe; the runner
    calls it from a single thread."""

    def __init__(self, cfg: RunConfig, device: torch.device | None = None) -> None:
        self.cfg = cfg
        self.device = device or resolve_device(cfg.device)
        self.rng = torch.Generator(device=self.device).manual_seed(cfg.seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            self.game: Game = make_game(cfg, self.device, self.rng)
        self.g, self.d = self.game.g, self.game.d
        # A toy step on CUDA replays as one CUDA graph (graphs.py); graph_status says which.
        self._graph: StepGraph | None = None
        self._graph_off = graph_unsupported(cfg, self.device)
        self._make_optimizers()
        self._use_loss()
        self.lookahead = None
        if cfg.lookahead:
            weights = list(self.g.parameters()) + list(self.d.parameters())
            self.lookahead = Lookahead(weights, cfg.lookahead_alpha)
        self.step = 0
        self.seconds = 0.0
        # Per step: (loss_d, loss_g, D's logits on real, on fake), detached device tensors;
        # reduced once per snapshot so the step itself launches no bookkeeping kernels.
        self._since: list[tuple[Tensor, ...]] = []
        self._d_stats: tuple[Tensor, ...] | None = None
        self.threads = run_threads(self.device, small=cfg.kind == "toy")  # 0: torch's own
        self._last_good = self._copy_state()
        self._clock = (0, 0.0)  # (step, seconds) at the previous snapshot

    def _d_groups(self) -> list[dict]:
        """D's param groups: D at lr_d, then any layers of D that the game trains at G's
        rate (``fast_d_params``: InfoGAN's Q head, which learns to read the codes as fast
        as G learns to write them)."""
        fast = self.game.fast_d_params()
        ids = {id(p) for p in fast}
        groups = [{"params": [p for p in self.d.parameters() if id(p) not in ids]}]
        return groups + ([{"params": fast, "lr": self.cfg.lr_g}] if fast else [])

    # ----- the textbook step -------------------------------------------------------------
    def train_d(self, keep_fake: bool = False) -> Fake | None:
        """One discriminator step: push D(x) up on real data and D(G(z)) down on fakes.

        With ``keep_fake`` the fakes are generated with their graph and returned, so the G
        step that follows can reuse them instead of running G again (as the PyTorch DCGAN
        example does); D itself only ever sees them detached.
        """
        n = self.cfg.batch_size
        real, cond = self.game.real(n)
        if self.cfg.r1:
            real.requires_grad_(True)
        with torch.set_grad_enabled(keep_fake):
            kept = self.game.fake(n)
        self.update_d(*self.d_loss(real, cond, kept))
        return kept if keep_fake else None

    def d_loss(self, real: Any, cond: Any, kept: Fake) -> tuple[Tensor, Tensor, Tensor]:
        """D's loss on a real and a fake batch as D sees them (blurred; the fakes detached,
        so only D learns from it), penalties included, and D's logits on each batch."""
        fake = Fake(self.blur(kept.x.detach()), kept.cond, kept.latent)
        real = self.blur(real)
        if self.game.concat_ok and cond is None:
            logits = self.game.discriminate(torch.cat([real, fake.x]))
            d_real, d_fake = logits.split([len(logits) // 2, len(logits) // 2])
        else:
            d_real = self.game.discriminate(real, cond)
            d_fake = self.game.discriminate(fake.x, fake.cond)
        loss = self.loss_fn(d_real, d_fake).d
        if self.cfg.gp_weight:
            # Games whose D takes labels or pyramids bring their own penalty; None: D's own.
            gp = self.game.penalty(real, cond, fake, self.rng)
            if gp is None:
                gp = gradient_penalty(self.d, real, fake.x, self.rng)
            loss = loss + self.cfg.gp_weight * gp
        if self.cfg.r1:
            loss = loss + 0.5 * self.cfg.r1 * r1_penalty(d_real, real)
        aux = self.game.aux_loss(fake)
        if aux is not None:
            loss = loss + aux
        return loss, d_real, d_fake

    def update_d(self, loss: Tensor, d_real: Tensor, d_fake: Tensor) -> None:
        """One optimizer step of D down ``loss``; its logits are kept for the next snapshot."""
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        if self.cfg.clip:
            clip_weights(list(self.d.parameters()), self.cfg.clip)
        self._d_stats = (loss.detach(), d_real.detach(), d_fake.detach())

    def train_g(self, fake: Fake | None = None) -> None:
        """One generator step: move G(z) where D (or D unrolled K steps ahead) calls it real.
        ``fake`` may be the batch the last D step generated (with its graph)."""
        self.count_step(self._g_update(fake))

    def _g_update(self, fake: Fake | None) -> Tensor:
        """G's loss and update, without the step's bookkeeping; returns the loss."""
        return self.update_g(self.g_loss(fake))

    def g_loss(self, fake: Fake | None) -> Tensor:
        """G's loss on ``fake`` (a fresh batch if None) as D, or D unrolled, judges it. D's
        weights take no gradients from here until ``update_g``."""
        n = self.cfg.batch_size
        self.d.requires_grad_(False)  # D's weight gradients are not needed for G's step
        if fake is None:
            fake = self.game.fake(n)
        seen = self.blur(fake.x)
        if self.cfg.unrolled:
            real, _ = self.game.real(n)
            d_fake = unrolled_d_logits(
                self.d, self.opt_d, self.cfg.optimizer, self.cfg.unrolled, self.loss_fn,
                real=self.blur(real), fake=seen, concat=self.game.concat_ok,
                more_real=lambda: self.blur(self.game.real(n)[0]),
            )  # fmt: skip
        else:
            d_fake = self.game.discriminate(seen, fake.cond)
        # G's loss depends on D(G(z)) alone; the real-logits slot is only a placeholder.
        loss = self.loss_fn(d_fake.detach(), d_fake).g
        aux = self.game.aux_loss(fake)
        if aux is not None:
            loss = loss + aux
        return loss

    def update_g(self, loss: Tensor) -> Tensor:
        """One optimizer step of G down ``loss``; D's weights take gradients again. Returns
        the loss, detached."""
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.d.requires_grad_(True)
        return loss.detach()

    def instance_sigma(self) -> float:
        """The std of instance noise at this step: ``instance_noise``, falling linearly to
        0 over ``instance_noise_steps`` G steps (0: kept for the whole run)."""
        sigma, steps = self.cfg.instance_noise, self.cfg.instance_noise_steps
        return sigma * max(0.0, 1 - self.step / steps) if steps else sigma

    def blur(self, x: Tensor) -> Tensor:
        """``x`` as D sees it. With instance noise every sample, real or fake, gets its own
        N(0, sigma^2) noise: the two blurred distributions overlap, so D cannot separate
        them perfectly and G's gradient does not vanish (Arjovsky & Bottou 2017; Sonderby
        et al. 2017). Without it, ``x`` itself."""
        sigma = self.instance_sigma()
        if not sigma:
            return x
        return x + sigma * torch.randn(x.shape, generator=self.rng, device=x.device, dtype=x.dtype)

    def count_step(self, loss_g: Tensor) -> None:
        """Count a finished step (after G's update): lr decay, and its statistics for the
        next snapshot."""
        self.step += 1
        if self.lookahead is not None and self.step % self.cfg.lookahead == 0:
            self.lookahead.sync()
        if self.cfg.g_ema:
            self.game.average_g(self.step)
        if self.cfg.lr_decay < 1 and self.step % self.cfg.lr_decay_every == 0:
            self._decay_lr()
        if self._d_stats is not None:
            d_loss, d_real, d_fake = self._d_stats
            self._since.append((d_loss, loss_g, d_real, d_fake))

    def train_step(self) -> None:
        """k D steps, then one G step (Goodfellow et al.'s Algorithm 1)."""
        if self._graph_off is None and self._graph is None:
            self._capture()
        if self._graph is not None:
            d_loss, loss_g, d_real, d_fake = self._graph.replay()
            self._d_stats = (d_loss, d_real, d_fake)
            self.count_step(loss_g)
        else:
            self.count_step(self._step_tensors())

    def _step_tensors(self) -> Tensor:
        """One step's work without its bookkeeping (what a CUDA graph captures)."""
        for _ in range(self.cfg.k - 1):
            self.train_d()
        return self._g_update(self.train_d(keep_fake=True))

    def _capture(self) -> None:
        """Capture the step as a CUDA graph; on any failure train eagerly and say why."""

        def step() -> tuple[Tensor, ...]:
            loss_g = self._step_tensors()
            d_loss, d_real, d_fake = self._d_stats
            return d_loss, loss_g, d_real, d_fake

        nets, optimizers = [self.g, self.d], [self.opt_g, self.opt_d]
        try:
            with undone(nets, optimizers):  # warm-up steps leave the run as it was
                self._graph = StepGraph(step, self._step_tensors, self.rng)
        except Exception as err:  # a driver or op that cannot be captured: eager still works
            self._graph_off = f"capture failed ({type(err).__name__}: {err})"

    @property
    def graph_status(self) -> str:
        """'cuda graph', or 'eager: <why not>'."""
        return f"eager: {self._graph_off}" if self._graph_off else "cuda graph"

    def train_steps(self, n: int) -> None:
        """n train_steps under this trainer's thread setting."""
        with torch_threads(self.threads):
            for _ in range(n):
                self.train_step()

    # ----- knobs that change mid-run ------------------------------------------------------
    def set_knobs(self, **changes: float | int | str) -> None:
        """Change the live settings (fields.py's rows with ``live``), validated; they take
        effect at the next step and the nets keep their weights. A new loss swaps the loss
        pair; a new optimizer is built over the same parameters with fresh moments at the
        learning rates in use."""
        old, self.cfg = self.cfg, self.cfg.replace(**changes)
        # A captured step bakes in k, the loss, clip and the penalty's weight; capturing
        # again costs a moment (its warm-up is undone, no steps), so any change does rather
        # than a list of what it reads.
        self._graph = None
        if self.cfg.loss != old.loss:
            self._use_loss()
            self._since.clear()  # a mean over two losses' values and D's units means nothing
        if self.cfg.optimizer != old.optimizer:
            self._graph_off = graph_unsupported(self.cfg, self.device)  # SGD cannot be captured
            self._make_optimizers()
            # A restore after a divergence puts back the last finite weights with these
            # optimizers' fresh state: the old optimizer's state would not fit them.
            self._last_good["opt_g"] = copy.deepcopy(self.opt_g.state_dict())
            self._last_good["opt_d"] = copy.deepcopy(self.opt_d.state_dict())
        self._decay_lr()  # new base rates or a new decay: the rates in use from the next step

    def _use_loss(self) -> None:
        """The config's loss pair, and whether D's output reads as a probability."""
        self.loss_fn = LOSSES[self.cfg.loss]
        self.probability = PROBABILITY_OUTPUT[self.cfg.loss]

    def _make_optimizers(self) -> None:
        """Fresh optimizers over the nets' own parameters at the base rates. Adam is built
        capturable, with its lr a device tensor, when the step may become a CUDA graph."""
        cfg, capture = self.cfg, self._graph_off is None
        betas = (cfg.beta1, cfg.beta2)
        g_params = list(self.g.parameters())
        self.opt_g = make_optimizer(g_params, cfg.optimizer, cfg.lr_g, betas, capture)
        self.opt_d = make_optimizer(self._d_groups(), cfg.optimizer, cfg.lr_d, betas, capture)
        if capture:
            device_lr(self.opt_g, self.device)
            device_lr(self.opt_d, self.device)

    def _decay_lr(self) -> None:
        """Every group at its player's lr times the decay so far (D's fast group at G's)."""
        factor = lr_factor(self.cfg.lr_decay, self.cfg.lr_decay_every, self.step)
        set_lr(self.opt_d, self.cfg.lr_d * factor, self.cfg.lr_g * factor)
        set_lr(self.opt_g, self.cfg.lr_g * factor)

    # ----- running and observing -----------------------------------------------------------
    def run(self, steps: int | None = None, view: bool = False) -> Iterator[Snapshot]:
        """Train up to ``steps`` generator steps (default: the config's), yielding a
        snapshot every ``snapshot_every`` steps and at the end. A diverged run yields its
        diverged snapshot and stops."""
        total = self.cfg.steps if steps is None else steps
        while self.step < total:
            start = time.perf_counter()
            stop = min(total, (self.step // self.cfg.snapshot_every + 1) * self.cfg.snapshot_every)
            self.train_steps(stop - self.step)
            self.seconds += time.perf_counter() - start
            snap = self.snapshot(view=view)
            yield snap
            if snap.status == "diverged":
                return

    def snapshot(self, view: bool = False, metrics: bool = True) -> Snapshot:
        """Read the device once: means since the last snapshot, metrics, and optionally the
        view. If anything is NaN or infinite (or a weight beyond MAX_WEIGHT), restore the last
        finite state and say so."""
        had_steps = bool(self._since)
        means = self._means() if had_steps else [float("nan")] * 4
        self._since.clear()
        grads = [self._grad_norm(self.d), self._grad_norm(self.g)]
        step0, seconds0 = self._clock
        rate = (self.step - step0) / max(self.seconds - seconds0, 1e-9)
        self._clock = (self.step, self.seconds)
        snap = Snapshot(
            step=self.step,
            seconds=self.seconds,
            steps_per_s=rate if self.step > step0 else 0.0,
            loss_d=means[0],
            loss_g=means[1],
            d_real=means[2],
            d_fake=means[3],
            grad_norm_d=grads[0],
            grad_norm_g=grads[1],
            lr_d=float(self.opt_d.param_groups[0]["lr"]),
            lr_g=float(self.opt_g.param_groups[0]["lr"]),
            k=self.cfg.k,
            device=describe(self.device),
        )
        losses_ok = all(np.isfinite(means)) or not had_steps
        if not (losses_ok and self.weights_finite(MAX_WEIGHT)):
            bad_step = self.step
            self.load_state(self._last_good)
            snap.status = "diverged"
            snap.message = (
                f"Training diverged by step {bad_step}: a loss or weight became NaN, infinite "
                f"or larger than 1e8 (lr_d={self.cfg.lr_d:g}, lr_g={self.cfg.lr_g:g}). The "
                f"nets are back at step {self.step}, the last finite state; lower the learning "
                "rates."
            )
        self._last_good = self._copy_state()
        if metrics:
            snap.metrics = self.game.metrics()
        if view:
            snap.view = self.game.view(self.loss_fn, self.probability)
        return snap

    def _means(self) -> list[float]:
        loss_d, loss_g, d_real, d_fake = (torch.stack(x) for x in zip(*self._since))
        if self.probability:
            d_real, d_fake = torch.sigmoid(d_real), torch.sigmoid(d_fake)
        return torch.stack([loss_d.mean(), loss_g.mean(), d_real.mean(), d_fake.mean()]).tolist()

    @staticmethod
    def _grad_norm(net: nn.Module) -> float:
        grads = [p.grad for p in net.parameters() if p.grad is not None]
        if not grads:
            return 0.0
        return float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))

    def weights_finite(self, limit: float = math.inf) -> bool:
        """Whether every weight of G and D is a finite number of magnitude at most limit."""
        params = [p for net in (self.g, self.d) for p in net.parameters()]
        largest = torch.stack([p.detach().abs().max() for p in params]).max()
        return bool(largest.isfinite() & (largest <= limit))

    # ----- the game, as callers may use it: they never walk trainer.game ------------------------
    @property
    def data(self) -> GaussianMixture | None:
        """The toy distribution the run plays on; None for digits."""
        return self.game.data

    def sample(self, n: int, generator: torch.Generator, **conditions: Any) -> Tensor:
        """n samples of G (the averaged G with g_ema) under ``conditions`` (label, codes)."""
        return self.game.sample(n, generator, **conditions)

    def d_logits_on(self, x: Tensor) -> Tensor:
        """D's logit at each point of ``x`` judged on its own (toy runs)."""
        return self.game.d_on(x)

    def training_images(self) -> Tensor | None:
        """The real digits the run draws from, on its device; None for toy runs."""
        return self.game.training_images()

    def use_training_set(self, x: Tensor, y: Tensor) -> None:
        """Train on these digits and labels from now on (image runs)."""
        self.game.use_training_set(x, y)

    # ----- state ----------------------------------------------------------------------------
    def _copy_state(self) -> dict:
        return copy.deepcopy(self.state_dict())

    def state_dict(self) -> dict:
        state = {
            "g": self.g.state_dict(),
            "d": self.d.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "step": self.step,
            "seconds": self.seconds,
        }
        g_avg = self.game.averaged_g_state()
        if g_avg is not None:
            state["g_avg"] = g_avg
        if self.lookahead is not None:
            state["slow"] = self.lookahead.state_dict()
        return state

    def load_state(self, state: dict) -> None:
        self.g.load_state_dict(state["g"])
        self.d.load_state_dict(state["d"])
        self.game.load_averaged_g(state.get("g_avg", state["g"]))  # absent: start it at G
        if self.lookahead is not None:  # absent: the slow weights start at the loaded ones
            self.lookahead.load(state.get("slow"))
        self.opt_g.load_state_dict(state["opt_g"])
        if len(state["opt_d"]["param_groups"]) == len(self.opt_d.param_groups):
            self.opt_d.load_state_dict(state["opt_d"])
        # else saved before D's fast group existed: D's optimizer starts afresh (its moments
        # only), which sampling never notices and training soon makes up
        self._graph = None  # new optimizer state tensors: a graph must be captured again
        for opt in (self.opt_g, self.opt_d):  # a saved lr may be a tensor or a float
            if self._graph_off is None:
                device_lr(opt, self.device)
            else:
                for group in opt.param_groups:
                    group["lr"] = float(group["lr"])
        self.step = int(state["step"])
        self.seconds = float(state["seconds"])
        self._clock = (self.step, self.seconds)
        self._decay_lr()  # the config's rates, not the saved ones: a resumed run may set new
        self._since.clear()
