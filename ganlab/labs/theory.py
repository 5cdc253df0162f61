"""The theory of the original GAN paper, measured on a real 1D GAN as it trains.

Goodfellow et al. (2014) prove: for a fixed G the best D is D*(x) = p_data / (p_data + p_g);
at D* the game's value is C(G) = -log 4 + 2 JSD(p_data || p_g), so training G against an
optimal D minimises the Jensen-Shannon divergence. Each function here trains the gauss1d
set (N(4, 0.5)) with ganlab's own Trainer and measures, from the nets themselves:

- ``trace``: V(D, G) at the current D (from samples) beside C(G) on a grid, how far D is
  from D*, KL both ways, and the gradient G receives under the saturating and the
  non-saturating loss;
- ``g_loss_curves``: both G losses, and their slopes, as functions of D(G(z));
- ``saturation``: a saturating (``gan``) and a non-saturating (``nsgan``) run side by side;
- ``collapse``: the same run with and without minibatch discrimination.

Plain numpy out, no Streamlit, no figures (viz_theory.py draws them). Runs are short (a few
hundred steps) so a page can compute them on demand.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch.func import vmap

from ganlab.config.run_config import RunConfig, make_config
from ganlab.data import sample_noise
from ganlab.device import torch_threads
from ganlab.errors import ConfigError
from ganlab.losses import LOSSES
from ganlab.nets import evaluating
from ganlab.scores.toy import data_grid_mass, divergences, grid_centers, sample_grid_mass
from ganlab.training.trainer import Trainer

# Pinned, not taken from the gauss1d preset, so the lessons do not move when it is retuned.
# Adam and batch 64 bring G to the data in a few hundred steps; a 32-unit D can follow D*
# closely enough to show the theory; evenly spread (stratified) z, constant learning rates.
THEORY = {
    "optimizer": "adam", "lr_d": 1e-3, "lr_g": 1e-3, "beta1": 0.5, "beta2": 0.999,
    "batch_size": 64, "hidden": 32, "depth": 2, "activation": "tanh", "noise": "stratified",
    "noise_dim": 1, "lr_decay": 1.0, "k": 1, "pack": 1, "unrolled": 0,
}  # fmt: skip
PROBE_POINTS = 4000
SUPPORT = 1e-4  # grid-cell mass (of p_data + p_g) below which D* is not drawn
LOG4 = math.log(4.0)


def theory_config(variant: str = "nsgan", **overrides: Any) -> RunConfig:
    """The theory page's run: gauss1d with THEORY's settings, then ``overrides``."""
    return make_config(variant, "gauss1d", **{**THEORY, **overrides})


class Probe:
    """Fixed real samples, noise and grid, drawn from their own generator so measuring never
    touches the training random stream (a run is the same whether or not it is measured)."""

    def __init__(self, trainer: Trainer, n: int = PROBE_POINTS) -> None:
        data = trainer.data
        if data is None:
            raise ConfigError(f"The theory probe needs a toy run; {trainer.cfg.variant!r} is not.")
        gen = torch.Generator(device=trainer.device).manual_seed(trainer.cfg.seed + 7)
        self.data, self.n = data, n
        self.real = data.sample(n, gen)
        self.z = torch.linspace(-1, 1, n, device=trainer.device)[:, None]
        if trainer.cfg.noise != "stratified":
            self.z = sample_noise(trainer.cfg.noise, n, trainer.cfg.noise_dim, trainer.device, gen)
        self.cells = grid_centers(data).to(trainer.device, torch.float32)
        self.m_data = data_grid_mass(data)  # per cell, plus the mass outside the grid
        self.width = float(self.cells[1, 0] - self.cells[0, 0])


def value_of_game(d_real: Tensor, d_fake: Tensor) -> float:
    """V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))] from D's logits on samples."""
    return float(-F.softplus(-d_real).mean() - F.softplus(d_fake).mean())


def c_of_g(js: float) -> float:
    """C(G) = max_D V(D, G) = -log 4 + 2 JSD(p_data || p_g)."""
    return -LOG4 + 2 * js


def g_gradient_norm(trainer: Trainer, z: Tensor, loss: str) -> float:
    """||d L_G / d theta_G|| for the named loss of the registry, on the current nets (G as
    the pictures show it: batch norm on its running statistics, which stay untouched)."""
    params = list(trainer.g.parameters())
    with evaluating(trainer.g, grad=True):
        logits = trainer.d_logits_on(trainer.g(z))
    g_loss = LOSSES[loss](logits.detach(), logits).g
    grads = torch.autograd.grad(g_loss, params)
    return float(torch.sqrt(sum((g**2).sum() for g in grads)))


def measure(trainer: Trainer, probe: Probe, with_d: bool = True) -> dict[str, Any]:
    """Everything the theory panels plot at one moment of one run. Without ``with_d`` only
    G's side is measured (D-based entries are NaN): minibatch discrimination makes D's
    output depend on the whole batch, so D on a grid or on 4000 probe points means little
    and costs n^2."""
    with evaluating(trainer.g):
        fake = trainer.g(probe.z)
    m_g = sample_grid_mass(probe.data, fake)
    div = divergences(probe.m_data, m_g)
    m_data, m_fake = probe.m_data[:-1].numpy(), m_g[:-1].numpy()
    out: dict[str, Any] = {
        "c_of_g": c_of_g(div["js_grid"]),
        "js": div["js_grid"],
        "kl_data_g": div["kl_grid"],
        "kl_g_data": div["kl_rev"],
        "fake_mean": float(fake.mean()),
        "fake_std": float(fake.std()),
        "p_g": m_fake / probe.width,
    }
    nan = np.full(len(m_data), np.nan)
    out.update({k: float("nan") for k in ("value", "d_gap", "d_fake", "grad_sat", "grad_ns")})
    out.update(d=nan, d_star=nan)
    if not with_d:
        return out
    with torch.no_grad():
        d_real, d_fake = trainer.d_logits_on(probe.real), trainer.d_logits_on(fake)
        d_grid = torch.sigmoid(trainer.d_logits_on(probe.cells)).double().cpu().numpy()
    both = m_data + m_fake
    # D* is defined only where a density lives; far in the tails it is a ratio of rounding
    # errors (1 where a Gaussian's tail meets an empty cell), so it is left out there.
    d_star = np.where(both > SUPPORT, m_data / np.maximum(both, SUPPORT), np.nan)
    # Weighted by (p_data + p_g) / 2, so the gap counts where samples actually are.
    gap = float(np.nansum(both * np.abs(d_grid - d_star)) / max(both.sum(), 1e-12))
    out.update(
        value=value_of_game(d_real, d_fake),
        d_gap=gap,
        d_fake=float(torch.sigmoid(d_fake).mean()),
        grad_sat=g_gradient_norm(trainer, probe.z, "minimax"),
        grad_ns=g_gradient_norm(trainer, probe.z, "nsgan"),
        d=d_grid,
        d_star=d_star,
    )
    return out


SERIES = ("value", "c_of_g", "js", "kl_data_g", "kl_g_data", "d_gap", "d_fake")
SERIES += ("grad_sat", "grad_ns", "fake_mean", "fake_std")


def trace(cfg: RunConfig, every: int = 20, d_first: int = 0, with_d: bool = True) -> dict[str, Any]:
    """Train ``cfg.steps`` steps, measuring at step 0 and every ``every`` steps. Scalars
    become arrays over the records; D, D* and p_g become (records, cells) arrays. With
    ``d_first``, D alone trains that many steps before G starts (so D starts out winning)."""
    trainer = Trainer(cfg)
    with torch_threads(trainer.threads):  # the trainer's policy, for the probes too
        for _ in range(d_first):
            trainer.train_d()
        probe = Probe(trainer)
        records, steps = [], []
        while True:
            records.append(measure(trainer, probe, with_d))
            steps.append(trainer.step)
            if trainer.step >= cfg.steps:
                break
            trainer.train_steps(min(every, cfg.steps - trainer.step))
    out: dict[str, Any] = {"step": np.array(steps), "k": cfg.k, "variant": cfg.variant}
    for name in SERIES:
        out[name] = np.array([r[name] for r in records])
    for name in ("d", "d_star", "p_g"):
        out[name] = np.stack([r[name] for r in records])
    out["x"] = probe.cells[:, 0].cpu().numpy()
    out["p_data"] = probe.m_data[:-1].numpy() / probe.width
    with evaluating(trainer.g):
        out["final_fake"] = trainer.g(probe.z)[:, 0].cpu().numpy()
    return out


def g_loss_curves(points: int = 199) -> dict[str, np.ndarray]:
    """G's two losses as functions of D(G(z)), and the size of their gradient with respect
    to D's logit a (D = sigmoid(a)): |d log(1 - D) / da| = D, |d -log D / da| = 1 - D.
    Computed through the registry's loss functions (what G minimises) with autograd."""
    logits = torch.logit(torch.linspace(0.005, 0.995, points, dtype=torch.float64))
    logits.requires_grad_(True)
    out: dict[str, np.ndarray] = {"d": torch.sigmoid(logits).detach().numpy()}
    for name, key in (("minimax", "sat"), ("nsgan", "ns")):
        # Registry losses are batch means: vmap gives one loss per point, so each point's
        # gradient is its own slope.
        per_point = vmap(lambda a, fn=LOSSES[name]: fn(a[None], a[None]).g)(logits)
        (grad,) = torch.autograd.grad(per_point.sum(), logits)
        out[f"{key}_loss"] = per_point.detach().numpy()
        out[f"{key}_grad"] = grad.abs().numpy()
    return out


# Plain SGD: a step is the gradient times the learning rate, so a vanishing gradient is a
# stalled G. (Adam divides by the gradient's running size and hides much of the difference.)
SATURATION = {"optimizer": "sgd", "lr_d": 0.05, "lr_g": 0.05}


def saturation(
    steps: int = 60, d_first: int = 100, seed: int = 0, every: int = 5
) -> dict[str, Any]:
    """The same game trained with the saturating (``gan``) and the non-saturating
    (``nsgan``) G loss, after ``d_first`` steps of D alone: early in training D rejects
    G's samples with confidence, and that is where the two losses part."""
    runs = {}
    for variant in ("gan", "nsgan"):
        cfg = theory_config(variant, steps=steps, seed=seed, **SATURATION)
        runs[variant] = trace(cfg, every, d_first=d_first)
    return runs


def collapse(steps: int = 400, seed: int = 0, every: int = 20) -> dict[str, Any]:
    """The 1D run with and without minibatch discrimination (Salimans et al. 2016)."""
    runs = {}
    for mbd in (False, True):
        cfg = theory_config("nsgan", hidden=8, minibatch_disc=mbd, steps=steps, seed=seed)
        runs["minibatch" if mbd else "plain"] = trace(cfg, every, with_d=False)
    return runs
