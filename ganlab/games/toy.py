"""Points in 1D or 2D: an MLP generator against an MLP discriminator.

``ToyGame`` implements the ``Game`` protocol (games/base.py, which says what every hook is
for); one training loop serves it and the image games alike. With ``g_ema`` it also keeps
``g_avg``, a moving average of G's weights; pictures, metrics and samples then come from it
(``shown_g``) while training uses G itself. It has no labels, pyramid or own penalty, so
those hooks add nothing. This module does not train (training/trainer.py).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.config.run_config import RunConfig
from ganlab.data import make_toy_data, sample_noise
from ganlab.errors import ConfigError
from ganlab.games.base import Fake
from ganlab.nets import MLP, ToyDiscriminator, evaluating
from ganlab.scores.toy import grid_centers, sample_grid_mass, toy_metrics

VIEW_POINTS = 1000
METRIC_POINTS = 5000
MANIFOLD_POINTS = 60


class ToyGame:
    """GANs on points in 1D or 2D: an MLP generator and an MLP discriminator."""

    concat_ok: bool

    def __init__(self, cfg: RunConfig, device: torch.device, generator: torch.Generator):
        self.cfg, self.device, self.rng = cfg, device, generator
        self.data = make_toy_data(cfg.data, device)
        dim = self.data.dim
        self.g: nn.Module = MLP(
            cfg.noise_dim, cfg.hidden, dim, cfg.depth, cfg.activation, cfg.g_batchnorm
        )
        self.d: nn.Module = ToyDiscriminator(
            dim,
            cfg.hidden,
            cfg.d_depth or cfg.depth,
            cfg.activation,
            cfg.minibatch_disc,
            cfg.pack,
            cfg.maxout,
        )
        self.g.to(device)
        self.d.to(device)
        # Yazici et al. 2019: G's weights wander around a good point (on this grid, hopping
        # between modes from one thousand steps to the next); their moving average sits
        # nearer it. Measured on grid25 (bench/QUALITY.md).
        self.g_avg = copy.deepcopy(self.g).requires_grad_(False) if cfg.g_ema else None
        # Minibatch discrimination compares samples within a batch: mixing real and fake in
        # one forward would let every fake see the real points.
        self.concat_ok = not cfg.minibatch_disc
        fixed = torch.Generator(device=device).manual_seed(cfg.seed + 1)
        self.fixed_z = sample_noise(cfg.noise, VIEW_POINTS, cfg.noise_dim, device, fixed)
        self._p_data: np.ndarray | None = None

    @property
    def shown_g(self) -> nn.Module:
        """The G that pictures, metrics and samples use: the average when there is one."""
        return self.g if self.g_avg is None else self.g_avg

    @torch.no_grad()
    def average_g(self, step: int) -> None:
        """Move the average toward G's weights after G's ``step``-th update. The decay ramps
        up from 0 (Tensorflow's ExponentialMovingAverage with num_updates), so the average
        does not carry the random start for thousands of steps; batch norm's running
        statistics are G's own."""
        if self.g_avg is None:
            return
        decay = min(self.cfg.g_ema, (1 + step) / (10 + step))
        torch._foreach_lerp_(list(self.g_avg.parameters()), list(self.g.parameters()), 1 - decay)
        for mine, theirs in zip(self.g_avg.buffers(), self.g.buffers()):
            mine.copy_(theirs)

    def noise(self, n: int) -> Tensor:
        return sample_noise(self.cfg.noise, n, self.cfg.noise_dim, self.device, self.rng)

    def real(self, n: int) -> tuple[Tensor, None]:
        return self.data.sample(n, self.rng), None

    def fake(self, n: int) -> Fake:
        return Fake(self.g(self.noise(n)))

    def discriminate(self, x: Tensor, cond: Tensor | None = None) -> Tensor:
        return self.d(x)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator, **conditions: Any) -> Tensor:
        """n generated points (n, dim); toy games take no conditions."""
        if conditions:
            raise ConfigError(
                f"{', '.join(conditions)} only apply to image variants such as cgan or infogan."
            )
        with evaluating(self.shown_g):  # batch norm (g_batchnorm) on its running statistics
            return self.shown_g(
                sample_noise(self.cfg.noise, n, self.cfg.noise_dim, self.device, generator)
            )

    def aux_loss(self, fake: Fake) -> Tensor | None:
        return None

    def penalty(self, real: Any, cond: Any, fake: Fake, generator: torch.Generator) -> None:
        """None: the trainer's plain gradient penalty on ``d`` fits points."""
        return None

    def fast_d_params(self) -> list[nn.Parameter]:
        """[]: all of D trains at D's rate."""
        return []

    def averaged_g_state(self) -> dict[str, Any] | None:
        return None if self.g_avg is None else self.g_avg.state_dict()

    def load_averaged_g(self, state: dict[str, Any]) -> None:
        if self.g_avg is not None:
            self.g_avg.load_state_dict(state)

    def training_images(self) -> None:
        """None: a toy game draws points from ``data``, not digits."""
        return None

    def use_training_set(self, x: Tensor, y: Tensor) -> None:
        raise ConfigError(
            "A training set of digits applies to image variants (dcgan, cgan, infogan, lapgan); "
            f"this run is the toy variant {self.cfg.variant!r}."
        )

    def d_on(self, x: Tensor) -> Tensor:
        """D's logit at each point on its own (a pack repeats the point)."""
        if self.cfg.pack > 1:
            x = x.repeat_interleave(self.cfg.pack, dim=0)
        return self.d(x)

    @torch.no_grad()
    def metrics(self) -> dict[str, float]:
        gen = torch.Generator(device=self.device).manual_seed(12345)
        z = sample_noise(self.cfg.noise, METRIC_POINTS, self.cfg.noise_dim, self.device, gen)
        with evaluating(self.shown_g):
            fake = self.shown_g(z)
        real = self.data.sample(METRIC_POINTS, gen)
        return toy_metrics(self.data, real, fake)

    def view(self, loss_fn: Any, probability: bool) -> dict[str, np.ndarray]:
        """Real and fake points, D on a grid beside D*, where G's loss pushes each fake
        point, and the image of a grid in noise space (the generator's manifold)."""
        # A fixed draw: the picture does not flicker, and drawing never consumes the
        # training RNG (a run is the same whether or not a page watched it).
        fixed = torch.Generator(device=self.device).manual_seed(self.cfg.seed + 2)
        real = self.data.sample(VIEW_POINTS, fixed)
        with evaluating(self.shown_g):
            fake = self.shown_g(self.fixed_z)
            manifold = self.shown_g(self._noise_grid()).reshape(-1, MANIFOLD_POINTS, self.data.dim)
        fake.requires_grad_(True)
        g_loss = loss_fn(self.d_on(real), self.d_on(fake)).g
        (grad,) = torch.autograd.grad(g_loss, fake)
        with torch.no_grad():
            cells = grid_centers(self.data).to(self.device, torch.float32)
            logits = self.d_on(cells)
            d_grid = torch.sigmoid(logits) if probability else logits
            if self._p_data is None:  # fixed per data set; spiral's takes ~100 ms
                self._p_data = self.data.density(cells).cpu().numpy()
            p_data = self._p_data
            p_g = self._fake_density(fake)
            d_star = p_data / np.maximum(p_data + p_g, 1e-12)
        return {
            "real": real.cpu().numpy(),
            "fake": fake.detach().cpu().numpy(),
            # Minus the gradient: the way one G step moves each point, scaled per batch size.
            "fake_push": (-grad * len(fake)).cpu().numpy(),
            "grid": cells.cpu().numpy(),
            "d_grid": d_grid.cpu().numpy(),
            "p_data": p_data,
            "p_g": p_g,
            "d_star": d_star,
            "manifold": manifold.cpu().numpy(),
        }

    def _fake_density(self, fake: Tensor) -> np.ndarray:
        """A histogram density of G's samples on the grid cells (same cells as p_data)."""
        mass = sample_grid_mass(self.data, fake)[:-1].numpy()
        widths = [(hi - lo) for lo, hi in self.data.bounds]
        bins = round(len(mass) ** (1 / self.data.dim))
        area = float(np.prod([w / bins for w in widths]))
        return mass / area

    def _noise_grid(self, lines: int = 15, points: int = MANIFOLD_POINTS) -> Tensor:
        """Lines of a grid over the first two noise dimensions (other dimensions at 0), in
        the range the noise distribution covers; G maps them to the manifold view."""
        dim = self.cfg.noise_dim
        span = 2.0 if self.cfg.noise == "normal" else 1.0
        t = torch.linspace(-span, span, points, device=self.device)
        if dim == 1:
            return t[:, None]
        u = torch.linspace(-span, span, lines, device=self.device)
        z = torch.zeros(2, lines, points, dim, device=self.device)
        z[0, :, :, 0], z[0, :, :, 1] = t[None, :], u[:, None]  # lines of constant z1
        z[1, :, :, 0], z[1, :, :, 1] = u[:, None], t[None, :]  # lines of constant z0
        return z.reshape(-1, dim)
