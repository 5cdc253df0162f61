"""Many toy GANs of one shape trained as one batched model: the engine under sweeps.

Each run keeps its own nets, built exactly as ``Trainer`` builds them (same seed, same
``ToyGame``), and its own random stream for data and noise. Their weights are stacked along
a new first axis and the project's own modules are called once for all runs through
``torch.func.vmap`` over ``functional_call``, so 32 GANs cost one forward, one backward and
one optimizer update per step instead of 32 of each. The losses come from the registry,
vmapped per run; the optimizers are Adam, SGD and RMSprop written on the stacked tensors
(torch's formulas), with a learning rate per run.

What may differ within a batch: ``lr_d``, ``lr_g`` and ``seed``. Everything else (shapes,
k, loss, optimizer, schedule) is one group's; ``group_key`` says which runs can share one.
Per run, a batched run follows the same steps as ``Trainer.train_step`` (k D steps, the
last one's fakes reused for the G step), so it reproduces a sequential run up to float
rounding. Not supported here: minibatch discrimination, unrolled D, R1, images. Packing is: D
reshapes its own input, per run.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor
from torch.func import functional_call, vmap

from ganlab.config.run_config import FIELDS, RunConfig
from ganlab.device import resolve_device
from ganlab.errors import ConfigError
from ganlab.games.toy import ToyGame
from ganlab.losses import LOSSES
from ganlab.training.optim import clip_weights

PER_RUN = ("lr_d", "lr_g", "seed")
# Fields the batched trainer cannot batch unless they are at these values.
UNBATCHABLE = (
    ("minibatch_disc", False), ("g_batchnorm", False), ("unrolled", 0), ("r1", 0.0), ("g_ema", 0.0),
    ("lookahead", 0), ("instance_noise", 0.0),
)  # fmt: skip


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
            f"support; leave it at {dict(UNBATCHABLE)[name]!r} or use the sequential backend."
        )


def unbatchable_fields(cfg: RunConfig) -> list[str]:
    """The fields of ``cfg`` that keep the batched trainer from training it."""
    return [name for name, off in UNBATCHABLE if getattr(cfg, name) != off]


def group_key(cfg: RunConfig) -> tuple[Any, ...]:
    """Runs with equal keys can train as one batched model."""
    return tuple(getattr(cfg, name) for name in FIELDS if name not in PER_RUN)


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
        self.opt_state: dict[str, dict[str, Tensor]] = {}
        self.opt_steps = {"g": 0, "d": 0}
        self.loss_fn = LOSSES[self.cfg.loss]
        self.step = 0
        self._g = vmap(lambda p, z: functional_call(self.g_net, p, (z,)))
        self._d = vmap(lambda p, x: functional_call(self.d_net, p, (x,)))
        self._loss_d = vmap(lambda r, f: self.loss_fn(r, f).d)
        self._loss_g = vmap(lambda f: self.loss_fn(f.detach(), f).g)

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
        previous = torch.get_num_threads()
        if self.device.type == "cpu":
            torch.set_num_threads(1)  # the same thread policy as Trainer, for a fair race
        try:
            for _ in range(n):
                self.train_step()
        finally:
            torch.set_num_threads(previous)

    def _gradient_penalty(self, real: Tensor, fake: Tensor) -> Tensor:
        """losses.gradient_penalty per run: (||grad D(x_hat)|| - 1)^2 on random mixes."""
        n = self.cfg.batch_size
        eps = torch.stack(
            [torch.rand((n, 1), device=self.device, generator=game.rng) for game in self.games]
        )
        x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        scores = self._d(self.d_params, x_hat)
        (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
        grad = grad.reshape(grad.shape[0], n // self.cfg.pack, -1)  # a pack is one input
        return ((grad.norm(dim=2) - 1) ** 2).mean(dim=1)

    # ----- optimizers on stacked tensors ------------------------------------------------------
    def _lr(self, lr0: Tensor) -> Tensor:
        decay = self.cfg.lr_decay ** (self.step // self.cfg.lr_decay_every)
        return lr0 * decay

    def _update(self, net: str, params: dict[str, Tensor], loss: Tensor, lr0: Tensor) -> None:
        grads = torch.autograd.grad(loss, list(params.values()))
        self.opt_steps[net] += 1
        t, cfg, lr = self.opt_steps[net], self.cfg, self._lr(lr0)
        with torch.no_grad():
            for (name, p), g in zip(params.items(), grads):
                rate = lr.view((-1,) + (1,) * (p.dim() - 1))
                state = self.opt_state.setdefault(f"{net}.{name}", {})
                if cfg.optimizer == "sgd":
                    p.sub_(rate * g)
                elif cfg.optimizer == "rmsprop":  # torch defaults: alpha 0.99, eps 1e-8
                    v = state.setdefault("v", torch.zeros_like(p))
                    v.mul_(0.99).addcmul_(g, g, value=0.01)
                    p.sub_(rate * g / (v.sqrt() + 1e-8))
                else:  # Adam, as torch.optim.Adam computes it
                    m = state.setdefault("m", torch.zeros_like(p))
                    v = state.setdefault("v", torch.zeros_like(p))
                    m.lerp_(g, 1 - cfg.beta1)
                    v.mul_(cfg.beta2).addcmul_(g, g, value=1 - cfg.beta2)
                    denom = v.sqrt() / math.sqrt(1 - cfg.beta2**t) + 1e-8
                    p.sub_(rate / (1 - cfg.beta1**t) * m / denom)

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


def bench_case(
    name: str, settings: dict[str, Any], device: torch.device, seconds: float = 3.0
) -> dict[str, Any]:
    """``python -m ganlab bench`` for a sweep case: ``runs`` GANs of one shape (learning
    rates spread over a decade, one seed each) as one BatchedTrainer against the same runs
    as sequential Trainers, alternating three times; rates are GAN-steps per second."""
    from ganlab.benchmarks.cases import _rate
    from ganlab.config.run_config import make_config
    from ganlab.device import describe
    from ganlab.training.trainer import Trainer

    settings = dict(settings)
    runs = settings.pop("runs")
    base = make_config(settings.pop("variant"), settings.pop("data"), **settings)
    lrs = torch.logspace(-4, -3, runs).tolist()
    cfgs = [base.replace(seed=i, lr_d=lr, lr_g=lr) for i, lr in enumerate(lrs)]
    batched = BatchedTrainer(cfgs, device)
    trainers = [Trainer(cfg, device) for cfg in cfgs]

    def sequential(n: int) -> None:
        for trainer in trainers:
            trainer.train_steps(n)

    fast, slow = [], []
    for _ in range(3):
        fast.append(runs * _rate(batched.train_steps, seconds / 3, device))
        slow.append(runs * _rate(sequential, seconds / 3, device))
    p, q = sorted(fast)[1], sorted(slow)[1]
    return {
        "case": name,
        "runs": runs,
        **settings,
        "device": describe(device),
        "project_steps_per_s": round(p, 1),
        "naive_steps_per_s": round(q, 1),
        "ratio": round(p / q, 3),
    }
