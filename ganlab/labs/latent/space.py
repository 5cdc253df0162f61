"""A trained image GAN's latent space, made explicit: points, generation, walks and sums.

A ``Point`` is what the generator reads: noise ``z``, plus a 10-way ``code`` (InfoGAN's
categorical code, CGAN's label; one-hot, or soft when interpolated or averaged) and
InfoGAN's continuous codes ``cont``. ``LatentModel`` wraps a trained DCGAN, CGAN or
InfoGAN generator (a private copy in eval mode, so batch norm uses its running statistics
and a live training run is never disturbed) and turns points into 28x28 digits.

On top: traversal grids (one coordinate along the columns, several z along the rows),
linear and spherical interpolation and latent arithmetic. Inversion (the point of a real
digit) and the nearest training digits are in ganlab/inversion.py, pictures and the GIF in
ganlab/viz_latent.py. Nothing here imports streamlit.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.data import sample_noise
from ganlab.device import run_threads, torch_threads
from ganlab.errors import ConfigError
from ganlab.training.trainer import Trainer

CODES = 10
CONTINUOUS = 2
LATENT_VARIANTS = ("dcgan", "cgan", "infogan")


@dataclass
class Point:
    """n points in a latent space: z (n, noise_dim), code (n, 10) or None, cont (n, 2) or None."""

    z: Tensor
    code: Tensor | None = None
    cont: Tensor | None = None

    def __len__(self) -> int:
        return len(self.z)

    def take(self, index: int | Sequence[int] | Tensor) -> Point:
        """The points at ``index`` (an int keeps a batch of one)."""
        idx = torch.as_tensor([index] if isinstance(index, int) else index, dtype=torch.long)
        return Point(*(None if t is None else t[idx] for t in (self.z, self.code, self.cont)))

    def detach(self) -> Point:
        return Point(*(None if t is None else t.detach().clone() for t in self.parts()))

    def parts(self) -> tuple[Tensor, Tensor | None, Tensor | None]:
        return self.z, self.code, self.cont

    def category(self) -> list[int]:
        """The categorical code (or label) of each point: the argmax of ``code``."""
        return [] if self.code is None else self.code.argmax(dim=1).tolist()


def cpu_threads() -> contextlib.AbstractContextManager[None]:
    """The thread policy for these generators: small nets on the CPU (one thread measured
    4 ms against 100 ms for one digit when other processes load the cores)."""
    return torch_threads(run_threads("cpu", small=True))


class LatentModel:
    """The generator of a trained dcgan, cgan or infogan run, driven by explicit points."""

    def __init__(self, run: Trainer, name: str = "model") -> None:
        """``run``: the trained run (its cfg, g and, for InfoGAN's Q head, d)."""
        cfg = run.cfg
        if cfg.variant not in LATENT_VARIANTS:
            raise ConfigError(
                f"{name} is a {cfg.variant} run; the latent page takes one of: "
                f"{', '.join(LATENT_VARIANTS)}."
            )
        self.name, self.variant, self.cfg = name, cfg.variant, cfg
        self.noise_dim, self.noise = cfg.noise_dim, cfg.noise
        self.g = copy.deepcopy(run.g).cpu().eval()
        for p in self.g.parameters():
            p.requires_grad_(False)
        self.has_code = self.variant in ("cgan", "infogan")
        self.n_cont = CONTINUOUS if self.variant == "infogan" else 0
        self.code_name = {"cgan": "label", "infogan": "cat"}.get(self.variant, "")
        # InfoGAN feeds its categorical code scaled up (see ganlab/image/infogan.py).
        self.code_scale = 1.0
        if self.variant == "infogan":
            from ganlab.games.infogan import CAT_SCALE

            self.code_scale = CAT_SCALE
        # InfoGAN's Q head reads codes back from an image: a ready encoder for inversion.
        self.q = None
        if self.variant == "infogan":
            self.q = copy.deepcopy(run.d).cpu().eval()

    @property
    def z_span(self) -> float:
        """Where most of z's mass lies per dimension: [-1, 1] uniform, [-2.5, 2.5] normal."""
        return 2.5 if self.noise == "normal" else 1.0

    # ----- points ----------------------------------------------------------------------------
    def random(self, n: int, seed: int = 0, code: int | None = None) -> Point:
        """n points drawn as in training (z from the run's noise, codes uniform), seeded."""
        gen = torch.Generator().manual_seed(int(seed))
        kind = "normal" if self.noise == "normal" else "uniform"
        z = sample_noise(kind, n, self.noise_dim, torch.device("cpu"), gen)
        onehot = None
        if self.has_code:
            cats = (
                torch.randint(CODES, (n,), generator=gen)
                if code is None
                else torch.full((n,), int(code), dtype=torch.long)
            )
            onehot = F.one_hot(cats, CODES).float()
        cont = torch.rand(n, self.n_cont, generator=gen) * 2 - 1 if self.n_cont else None
        return Point(z, onehot, cont)

    def with_codes(
        self, point: Point, code: int | None = None, cont: Sequence[float] | None = None
    ) -> Point:
        """The same z with the categorical code (label) and/or continuous codes replaced."""
        z, onehot, c = point.detach().parts()
        if code is not None and self.has_code:
            if not 0 <= int(code) < CODES:
                raise ConfigError(f"{self.code_name} is {code!r}; it must be 0 to 9.")
            onehot = F.one_hot(torch.full((len(z),), int(code)), CODES).float()
        if cont is not None and self.n_cont:
            c = torch.tensor([list(cont)] * len(z), dtype=torch.float32)
        return Point(z, onehot, c)

    def g_input(self, point: Point) -> Tensor:
        """G's input row per point: z, then the scaled code, then the continuous codes."""
        parts = [point.z]
        if self.has_code:
            if point.code is None:
                raise ConfigError(f"A {self.variant} point needs a {self.code_name}.")
            parts.append(self.code_scale * point.code)
        if self.n_cont:
            if point.cont is None:
                raise ConfigError("An infogan point needs its continuous codes c1 and c2.")
            parts.append(point.cont)
        return torch.cat(parts, dim=1)

    def generate(self, point: Point, grad: bool = False) -> Tensor:
        """Digits (n, 28, 28) in [0, 1]; with ``grad`` the graph is kept (for inversion)."""
        with torch.set_grad_enabled(grad):
            return self.g(self.g_input(point)).squeeze(1).clamp(0, 1)

    def draw(self, point: Point) -> np.ndarray:
        """float32 (n, 28, 28) digits to show: no graph, one CPU thread."""
        with cpu_threads(), torch.no_grad():
            return self.generate(point).numpy()


def stack(points: Sequence[Point]) -> Point:
    """One batch of the given points, in order."""

    def cat(ts: Sequence[Tensor | None]) -> Tensor | None:
        return None if any(t is None for t in ts) else torch.cat(ts)  # type: ignore[arg-type]

    return Point(*(cat(ts) for ts in zip(*(p.parts() for p in points))))  # type: ignore[misc]


def slider_values(model: LatentModel, point: Point, z_dims: int = 4) -> dict[str, float]:
    """A point's first entry as slider values: ``code``, ``c1``, ``c2``, ``z0``.. (clipped to
    the sliders' ranges: c in [-2, 2], z in +-z_span)."""
    out: dict[str, float] = {}
    if model.has_code:
        out["code"] = point.category()[0]
    for i in range(model.n_cont):
        out[f"c{i + 1}"] = min(2.0, max(-2.0, round(float(point.cont[0, i]), 2)))  # type: ignore[index]
    for i in range(min(z_dims, model.noise_dim)):
        out[f"z{i}"] = min(model.z_span, max(-model.z_span, round(float(point.z[0, i]), 2)))
    return out


def from_sliders(model: LatentModel, point: Point, values: dict[str, float]) -> Point:
    """``point`` (a batch of one) with the sliders that moved written over it. A slider still
    at the point's own (rounded) value keeps the exact value, so an inverted point is drawn
    as found, not as rounded to the sliders' steps."""
    shown = slider_values(model, point, len([k for k in values if k.startswith("z")]))
    moved = {k: v for k, v in values.items() if shown.get(k) != v}
    out = model.with_codes(point, moved.get("code"))  # type: ignore[arg-type]
    for name, value in moved.items():
        if name in ("c1", "c2") and out.cont is not None:
            out.cont[0, int(name[1:]) - 1] = value
        elif name.startswith("z"):
            out.z[0, int(name[1:])] = value
    return out


# ----- walks ---------------------------------------------------------------------------------
def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """(1 - t) a + t b for each t (k,) -> (k, ...)."""
    t = t.reshape(-1, *([1] * a.dim()))
    return (1 - t) * a + t * b


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Spherical interpolation of vectors a and b (d,): the great circle between their
    directions, with the norm interpolated linearly (equal norms stay equal). High-dimensional
    noise lives near a sphere; a straight line cuts through its low-density inside."""
    na, nb = a.norm(), b.norm()
    ua, ub = a / na.clamp_min(1e-12), b / nb.clamp_min(1e-12)
    omega = torch.arccos((ua * ub).sum().clamp(-1.0, 1.0))
    t = t.reshape(-1, 1)
    if float(omega.sin()) < 1e-6:  # (anti)parallel: every great circle is as good as a line
        direction = lerp(ua, ub, t.flatten())
        direction = direction / direction.norm(dim=1, keepdim=True).clamp_min(1e-12)
    else:
        s = omega.sin()
        direction = (torch.sin((1 - t) * omega) * ua + torch.sin(t * omega) * ub) / s
    return direction * ((1 - t) * na + t * nb)


def interpolate(a: Point, b: Point, steps: int, mode: str = "slerp") -> Point:
    """``steps`` points from a[0] to b[0]: z by ``mode`` (lerp or slerp), codes linearly."""
    if mode not in ("lerp", "slerp"):
        raise ConfigError(f"Interpolation mode is {mode!r}; choose lerp or slerp.")
    if not 2 <= steps <= 256:
        raise ConfigError(f"Interpolation steps is {steps}; it must be between 2 and 256.")
    t = torch.linspace(0, 1, steps)
    z = (slerp if mode == "slerp" else lerp)(a.z[0], b.z[0], t)
    code = None if a.code is None or b.code is None else lerp(a.code[0], b.code[0], t)
    cont = None if a.cont is None or b.cont is None else lerp(a.cont[0], b.cont[0], t)
    return Point(z, code, cont)


def axis_names(model: LatentModel, z_dims: int = 4) -> list[str]:
    """The coordinates a traversal can vary: the code, c1, c2, then z0, z1, ..."""
    names = [model.code_name] if model.has_code else []
    names += [f"c{i + 1}" for i in range(model.n_cont)]
    return names + [f"z{i}" for i in range(min(z_dims, model.noise_dim))]


def axis_values(model: LatentModel, axis: str, cols: int = 8) -> list[float]:
    """The values along a traversal's columns: 0-9 for a code, -2..2 for continuous codes
    (training covers -1..1: the outer columns extrapolate), z's range otherwise."""
    if axis in ("cat", "label"):
        return [float(v) for v in range(CODES)]
    span = 2.0 if axis.startswith("c") else model.z_span
    return torch.linspace(-span, span, cols).tolist()


def traversal(
    model: LatentModel, base: Point, axis: str, rows: int = 5, cols: int = 8, seed: int = 0
) -> np.ndarray:
    """(rows, cols, 28, 28): row 0 is ``base``'s z, rows 1.. fresh z from ``seed``; along the
    columns only ``axis`` changes (the InfoGAN paper's figure, for any coordinate)."""
    if axis not in axis_names(model, model.noise_dim):
        raise ConfigError(f"Axis {axis!r} is not one of {', '.join(axis_names(model))}, ...")
    others = model.random(rows - 1, seed)
    z = torch.cat([base.z[:1], others.z])
    values = axis_values(model, axis, cols)
    points = Point(
        z.repeat_interleave(len(values), dim=0),
        None if base.code is None else base.code[:1].repeat(rows * len(values), 1),
        None if base.cont is None else base.cont[:1].repeat(rows * len(values), 1),
    )
    column = torch.tensor(values).repeat(rows)
    if axis in ("cat", "label"):
        points.code = F.one_hot(column.long(), CODES).float()
    elif axis.startswith("c"):
        points.cont[:, int(axis[1:]) - 1] = column  # type: ignore[index]
    else:
        points.z[:, int(axis[1:])] = column
    return model.draw(points).reshape(rows, len(values), 28, 28)


# ----- arithmetic ----------------------------------------------------------------------------
def mean_point(points: Point, index: Sequence[int]) -> Point:
    """The average of the picked points (z, codes and continuous codes alike)."""
    if len(index) == 0:
        raise ConfigError("Pick at least one sample to average.")
    p = points.take(list(index))
    return Point(*(None if t is None else t.mean(dim=0, keepdim=True) for t in p.parts()))


def combine(a: Point, b: Point, c: Point) -> Point:
    """a - b + c, coordinate by coordinate (smiling woman - woman + man, in digits)."""

    def one(x: Tensor | None, y: Tensor | None, w: Tensor | None) -> Tensor | None:
        return None if x is None or y is None or w is None else x - y + w

    return Point(*(one(x, y, w) for x, y, w in zip(a.parts(), b.parts(), c.parts())))
