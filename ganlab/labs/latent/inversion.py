"""GAN inversion: the latent point whose digit looks most like a given real digit.

A GAN has no encoder, so we search: Adam on z (and InfoGAN's continuous codes) to lower the
pixel MSE between G(z, codes) and the target, plus a small prior term (lambda * mean z^2,
the negative log density of a Gaussian, a gentle pull towards where training z lay);
uniform noise is also clamped back into [-1, 1] after each step. The 10-way code is not
differentiable in a useful way, so it is searched instead: a short run from every
candidate code (CGAN: all ten labels; InfoGAN: the three its Q head reads from the image,
a trained encoder for free), then the best candidate continues alone. The result is a plain
``Point``: the page's sliders edit it like any other.

``nearest`` finds the training digits closest to a generated one (is G copying?).
``report`` measures inversion on held-out digits: mean pixel MSE, and how often the digit
classifier reads the reconstruction as the original's digit.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.data.files import load_npy
from ganlab.errors import DataError
from ganlab.labs.latent.space import CODES, LatentModel, Point, cpu_threads

STEPS = 200
SEARCH_STEPS = 40
LR = 0.05
PRIOR = 1e-3


@dataclass
class Inversion:
    """The found point (a batch of one), its digit (28, 28), and the MSE along the way."""

    point: Point
    image: np.ndarray
    mse: float
    history: list[float]


def as_target(image: np.ndarray | Tensor) -> Tensor:
    """A digit as float32 (28, 28) in [0, 1]; anything else is one sentence."""
    x = torch.as_tensor(np.asarray(image), dtype=torch.float32).squeeze()
    if x.shape != (28, 28):
        raise DataError(f"The image is {tuple(x.shape)}; inversion needs one 28x28 digit.")
    if not bool(x.isfinite().all()):
        raise DataError("The image has NaN or infinite pixels.")
    if float(x.max()) > 1.0 + 1e-6:  # 0-255 pixels, as in a PNG or raw MNIST
        x = x / 255.0
    return x.clamp(0, 1)


def _candidates(model: LatentModel, target: Tensor, restarts: int, seed: int) -> Point:
    """Starting points: random z per candidate code (and Q's continuous codes)."""
    codes: list[int | None] = [None]
    cont0 = None
    if model.variant == "cgan":
        codes = list(range(CODES))
    elif model.q is not None:  # InfoGAN: ask Q which codes made this digit
        with torch.no_grad():
            _, cat_logits, cont = model.q.judge_and_infer(target[None, None])
        codes = cat_logits[0].topk(3).indices.tolist()
        cont0 = cont[0].clamp(-1, 1)
    per = restarts if model.has_code else 4 * restarts
    start = model.random(len(codes) * per, seed)
    if model.has_code:
        cats = torch.tensor(codes).repeat_interleave(per)
        start.code = F.one_hot(cats, CODES).float()
    if cont0 is not None:
        start.cont = cont0.repeat(len(start), 1)
    return start


def _optimise(
    model: LatentModel, point: Point, target: Tensor, steps: int, lr: float, prior: float
) -> tuple[Point, Tensor, list[float]]:
    """Adam on z (and cont) of every candidate at once; returns the last point, each
    candidate's final MSE (k,), and the best MSE per step."""
    z = point.z.clone().requires_grad_(True)
    cont = None if point.cont is None else point.cont.clone().requires_grad_(True)
    params = [z] + ([cont] if cont is not None else [])
    opt = torch.optim.Adam(params, lr=lr)
    history: list[float] = []
    mse = torch.full((len(z),), float("inf"))
    for _ in range(steps):
        x = model.generate(Point(z, point.code, cont), grad=True)
        mse = (x - target).pow(2).mean(dim=(1, 2))
        loss = mse.sum() + prior * z.pow(2).mean(dim=1).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            if model.noise != "normal":
                z.clamp_(-1, 1)
            if cont is not None:
                cont.clamp_(-1, 1)
        history.append(float(mse.detach().min()))
    found = Point(z.detach(), point.code, None if cont is None else cont.detach())
    with torch.no_grad():  # the MSE of the final (clamped) point, not the step before
        mse = (model.generate(found) - target).pow(2).mean(dim=(1, 2))
    return found, mse, history


def invert(
    model: LatentModel,
    image: np.ndarray | Tensor,
    steps: int = STEPS,
    restarts: int = 1,
    seed: int = 0,
    lr: float = LR,
    prior: float = PRIOR,
) -> Inversion:
    """Find the point whose digit matches ``image`` (28, 28) best in pixel MSE."""
    target = as_target(image)
    with cpu_threads():
        start = _candidates(model, target, restarts, seed)
        search = min(SEARCH_STEPS, steps // 2) if len(start) > 1 else 0
        found, mse, history = _optimise(model, start, target, search, lr, prior)
        best = found.take(int(mse.argmin()))
        found, mse, rest = _optimise(model, best, target, steps - search, lr, prior)
        with torch.no_grad():
            image_out = model.generate(found)[0].numpy()
    return Inversion(found, image_out.astype(np.float32), float(mse[0]), history + rest)


def report(model: LatentModel, n: int = 100, steps: int = STEPS, seed: int = 0) -> dict:
    """Invert the first n of the 2,000 held-out bundled digits; mean and median pixel MSE,
    and the share whose reconstruction the classifier reads as the true digit
    (``label_agreement``) and as it reads the original (``classifier_agreement``)."""
    from ganlab.data.mnist import split_bundled
    from ganlab.scores.digits import classify

    split = split_bundled()
    images, labels = split.heldout_images[:n, 0], split.heldout_labels[:n]
    start = time.perf_counter()
    found = [invert(model, img, steps=steps, seed=seed + i) for i, img in enumerate(images)]
    seconds = time.perf_counter() - start
    recon = torch.from_numpy(np.stack([f.image for f in found]))
    mse = np.array([f.mse for f in found])
    read_recon, _ = classify(recon)
    read_orig, _ = classify(images)
    return {
        "model": model.name,
        "digits": n,
        "steps": steps,
        "mse_mean": float(mse.mean()),
        "mse_median": float(np.median(mse)),
        "label_agreement": float((read_recon == labels).float().mean()),
        "classifier_agreement": float((read_recon == read_orig).float().mean()),
        "seconds_per_digit": seconds / n,
    }


MAX_UPLOAD = 1 << 20  # a 28x28 digit is a few kB in any format


def read_digit_file(name: str, data: bytes) -> np.ndarray:
    """An uploaded digit (PNG or NPY) as float32 (28, 28) in [0, 1], or one sentence.

    White-on-black like MNIST is expected; a dark digit on a light background (a scan or
    a drawing) is inverted so that it matches."""
    import io

    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_UPLOAD:
        raise DataError(f"{name!r} is {len(data) // 1024} kB; a 28x28 digit needs under 1 MB.")
    if name.lower().endswith(".npy"):
        arr = load_npy(data, repr(name))
    else:
        try:
            # open() reads only the header: the size is checked before any pixel is decoded
            # (a 1 MB PNG can hold 400 million pixels).
            image = Image.open(io.BytesIO(data))
            if image.size != (28, 28):
                w, h = image.size
                raise DataError(f"The image is {w}x{h} pixels; inversion needs one 28x28 digit.")
            arr = np.asarray(image.convert("L"), dtype=np.float32)
        except DataError:
            raise
        except (
            ValueError,
            OSError,
            EOFError,
            UnidentifiedImageError,
            Image.DecompressionBombError,
        ):
            raise DataError(f"{name!r} is not a readable PNG or NPY image.")
    if arr.dtype.kind not in "fiub":
        raise DataError(f"{name!r} holds {arr.dtype} values; a digit needs numbers.")
    x = as_target(arr.astype(np.float32)).numpy()
    if x.mean() > 0.5:  # mostly white: dark ink on paper
        x = 1.0 - x
    return x


@functools.lru_cache(maxsize=2)
def _reference(first: int) -> tuple[Tensor, Tensor]:
    from ganlab.data.mnist import load_mnist

    ref = load_mnist()[0][:first].flatten(1)
    return ref.T.contiguous(), ref.pow(2).sum(dim=1)  # (784, n): a contiguous matmul


def nearest(images: Tensor, k: int = 8, first: int = 8_000) -> tuple[Tensor, Tensor]:
    """Indices (n, k) into the bundled digits and L2 pixel distances (n, k) of the k nearest
    among the first ``first`` (the shipped GANs' training digits): the memorisation check of
    ganlab.digits.nearest_training_images, with the reference's norms computed once, since
    the page asks at every slider move."""
    ref_t, ref_sq = _reference(first)
    x = images.reshape(len(images), -1)
    d2 = (x.pow(2).sum(dim=1, keepdim=True) + ref_sq - 2 * x @ ref_t).clamp_min(0)
    dist, idx = d2.topk(k, dim=1, largest=False)
    return idx, dist.sqrt()
