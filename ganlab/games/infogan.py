"""InfoGAN (Chen et al. 2016): latent codes that come to mean something, unsupervised.

G's input is noise z plus codes c: one 10-way categorical code and two continuous codes
uniform on [-1, 1]. Nothing tells G what the codes should mean. A Q head on D's trunk must
recover c from G(z, c); the better it does, the more the images carry about c. Maximising
that (a variational lower bound on the mutual information I(c; G(z, c))) is a loss

    L_I = lambda * ( CE(Q_cat(x), cat) + CONT_WEIGHT * 1/2 |Q_cont(x) - c_cont|^2 )

(the negative log likelihood of the codes under Q, a categorical and unit-variance
Gaussians), added to both D's loss (training Q and the trunk) and G's (making codes
legible). Q's own layers train at G's learning rate, the trunk at D's (``fast_d_params``).
On digits the categorical code tends to pick the digit class and the continuous
codes slant and stroke width, because those explain most of the variation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.config.run_config import RunConfig
from ganlab.games.base import Fake
from ganlab.games.image import GRID, ImageGame, as_grid
from ganlab.nets import evaluating
from ganlab.nets.conv import ConvGenerator, InfoDiscriminator
from ganlab.scores.digits import classify

CATEGORIES = 10
CONTINUOUS = 2
# The continuous codes' share of L_I. Kept small (as in the paper's MNIST runs) so that
# the easy-to-read continuous codes do not take over the digit class from the categorical:
# at 0.5 one or two code values drew two digits depending on z or c (purity 0.77-0.96 over
# seeds 0-3); at 0.1 the codes were purer (0.84-0.96) but c1 and c2 barely moved the
# digits (0.1-0.6 of the real digits' spread on three seeds of four); at 0.25, purity
# 0.925, 0.915, 0.869, 0.919 and codes that move thickness or slant by 0.6-1.4 spreads on
# seven of the eight codes (bench/IMAGE_QUALITY.md).
CONT_WEIGHT = 0.25
# The categorical code enters G scaled up. Beside 62 noise dimensions a plain one-hot is a
# whisper: at initialisation G's first layer hears almost only z, the digit class gets
# absorbed into z, and the categorical code ends up naming a stroke style instead. A louder
# code makes G start from ten distinct outputs, one per value, which the GAN then shapes
# into the ten digits (the same observation as ClusterGAN's small noise variance,
# Mukherjee et al. 2019).
CAT_SCALE = 16.0
# Minibatch discrimination in D. A batch of fakes mixes all ten code values, so its
# standard deviation (BatchStd) looks healthy even when each value draws one fixed digit
# whatever z is. Measured at 2,000 steps: without it z changed nothing within a row and
# the continuous codes moved slant, width or stroke thickness by 0.1-0.2 of the real
# digits' spread; with 16 kernels, which compare each image with its batch-mates, z draws
# varied digits and the codes move them by 0.7-1.0 spreads. The price is a categorical
# code that settles slowly: 6,000 steps for purity 0.87-0.93 (seeds 0-3,
# bench/IMAGE_QUALITY.md).
MINIBATCH_KERNELS = 16
SWEEP = torch.linspace(-2, 2, GRID).tolist()


class InfoGANGame(ImageGame):
    """Digits from (z, cat, c1, c2); ``d`` holds the Q head so D's optimizer trains it."""

    conditions = {
        "cat": "the categorical code 0-9",
        "c1": "a continuous code",
        "c2": "a continuous code",
    }

    def __init__(self, cfg: RunConfig, device: torch.device, generator: torch.Generator):
        super().__init__(cfg, device, generator)
        self.g = ConvGenerator(cfg.noise_dim + CATEGORIES + CONTINUOUS, cfg.hidden)
        self.d = InfoDiscriminator(cfg.hidden, CATEGORIES, CONTINUOUS, minibatch=MINIBATCH_KERNELS)
        self.place_nets()
        self._q: tuple[Tensor, Tensor, Tensor] | None = None  # (x, cat logits, cont) cache

    def fast_d_params(self) -> list[torch.nn.Parameter]:
        """Q's own layers, which train at G's learning rate rather than D's (the trainer
        reads this). At D's slow rate Q lagged G, and G could let one code value draw two
        digits, which Q still told apart by style. Measured at the preset's 6,000 steps
        (with the continuous codes' weight then at 0.5): purity 0.960, 0.827, 0.83 on three
        runs against 0.837, 0.867, 0.825 with Q at D's rate (bench/IMAGE_QUALITY.md)."""
        return list(self.d.q.parameters())

    def _generate(self, n: int, generator: torch.Generator, conditions: dict[str, Any]) -> Fake:
        z = self.noise(n, generator)
        if "cat" in conditions:
            cat = torch.full((n,), conditions["cat"], dtype=torch.long, device=self.device)
        else:
            cat = torch.randint(CATEGORIES, (n,), device=self.device, generator=generator)
        cont = torch.rand(n, CONTINUOUS, device=self.device, generator=generator) * 2 - 1
        for i, name in enumerate(("c1", "c2")):
            if name in conditions:
                cont[:, i] = float(conditions[name])
        return self._generate_from(z, {"cat": cat, "cont": cont})

    def _generate_from(self, z: Tensor, latent: dict[str, Tensor]) -> Fake:
        cat, cont = latent["cat"], latent["cont"]
        code = CAT_SCALE * F.one_hot(cat, CATEGORIES).to(z.dtype)
        x = self.g(torch.cat([z, code, cont], dim=1))
        return Fake(x, latent={"z": z, "cat": cat, "cont": cont})

    def discriminate(self, x: Tensor, cond: Any = None) -> Tensor:
        logits, cat_logits, cont = self.d.judge_and_infer(x)
        # Keep Q's reading of this batch: aux_loss on the same fakes reuses the trunk pass.
        self._q = (x, cat_logits, cont)
        return logits

    def aux_loss(self, fake: Fake) -> Tensor:
        """lambda * (cross-entropy of the categorical code + weighted Gaussian NLL)."""
        if self._q is not None and self._q[0] is fake.x:
            _, cat_logits, cont = self._q
        else:
            _, cat_logits, cont = self.d.judge_and_infer(fake.x)
        self._q = None
        return self.cfg.info_lambda * info_terms(cat_logits, cont, fake.latent)

    def extra_metrics(self, fake: Fake, images: Tensor) -> dict[str, float]:
        """info_loss (L_I / lambda on the metric batch), cat_purity and cat_distinct."""
        with evaluating(self.d):
            _, cat_logits, cont = self.d.judge_and_infer(fake.x)
        predicted, _ = classify(images.cpu())
        purity, distinct, _ = code_purity(fake.latent["cat"].cpu(), predicted)
        return {
            "info_loss": float(info_terms(cat_logits, cont, fake.latent)),
            "cat_purity": purity,
            "cat_distinct": float(distinct),
        }

    def grid(self) -> Tensor:
        """Ten rows, one per categorical value; column j shares z; continuous codes 0."""
        z = self.fixed_z[:GRID].repeat(CATEGORIES, 1)
        cat = torch.arange(CATEGORIES, device=self.device).repeat_interleave(GRID)
        cont = torch.zeros(len(z), CONTINUOUS, device=self.device)
        return self.images_of(self._generate_from(z, {"cat": cat, "cont": cont}))

    def sweep(self, index: int) -> Tensor:
        """Ten rows (categorical values) by 8 columns: code ``index`` from -2 to 2, the other
        continuous code 0, one fixed z: the paper's figure of what a continuous code does."""
        n = CATEGORIES * GRID
        z = self.fixed_z[:1].expand(n, -1)
        cat = torch.arange(CATEGORIES, device=self.device).repeat_interleave(GRID)
        cont = torch.zeros(n, CONTINUOUS, device=self.device)
        cont[:, index] = torch.tensor(SWEEP, device=self.device).repeat(CATEGORIES)
        return self.images_of(self._generate_from(z, {"cat": cat, "cont": cont}))

    def view(self, loss_fn: Any, probability: bool) -> dict[str, np.ndarray]:
        """The base view plus ``c1_sweep`` and ``c2_sweep`` (10, 8, 28, 28)."""
        out = super().view(loss_fn, probability)
        with evaluating(self.g):
            out["c1_sweep"] = as_grid(self.sweep(0), GRID)
            out["c2_sweep"] = as_grid(self.sweep(1), GRID)
        return out


def info_terms(cat_logits: Tensor, cont: Tensor, latent: dict[str, Tensor]) -> Tensor:
    """CE(Q_cat, cat) + CONT_WEIGHT * mean 1/2 |Q_cont - c|^2 (L_I before lambda)."""
    ce = F.cross_entropy(cat_logits, latent["cat"])
    gauss = 0.5 * (cont - latent["cont"]).pow(2).sum(dim=1).mean()
    return ce + CONT_WEIGHT * gauss


def code_purity(codes: Tensor, predicted: Tensor) -> tuple[float, int, list[int]]:
    """For each categorical value, the share of its samples that the classifier reads as its
    majority digit. Returns (mean purity over the values present, number of distinct
    majority digits, the majority digit per value, -1 where a value has no samples)."""
    purities, majority = [], []
    for value in range(CATEGORIES):
        digits = predicted[codes == value]
        if len(digits) == 0:
            majority.append(-1)
            continue
        counts = torch.bincount(digits, minlength=10)
        majority.append(int(counts.argmax()))
        purities.append(float(counts.max()) / len(digits))
    distinct = len({m for m in majority if m >= 0})
    return float(np.mean(purities)), distinct, majority
