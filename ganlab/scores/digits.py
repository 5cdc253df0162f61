"""The digit score: judge generated MNIST digits with a small shipped classifier.

A GAN's image samples are scored the way Inception-based scores judge ImageNet samples, at
MNIST size: a CNN trained on the first 8,000 bundled digits (``scripts/train_digit_classifier.py``
made ``assets/digit_classifier.pt``) says which digit each sample shows and how sure it is.
From that come

- ``shares``: how often each digit is drawn; a GAN that collapsed onto a few digits has
  some shares near 0 (real digits give about 0.1 each);
- ``mean_confidence``: blurry or hybrid digits leave the classifier unsure;
- ``frechet``: the Frechet distance between the classifier's 128-d features of the samples
  and of the 2,000 held-out real digits (the FID recipe with a digit network);

and ``nearest_training_images`` finds each sample's nearest bundled digits in pixel space,
the check that a GAN has not simply memorised its training set.

This module does not train anything and never downloads: the weights ship with ganlab.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import Tensor, nn

from ganlab import ASSETS
from ganlab.data.mnist import load_mnist, split_bundled
from ganlab.errors import CheckpointError, DataError

WEIGHTS = ASSETS / "digit_classifier.pt"
FEATURES = 128
_BATCH = 1024


class DigitClassifier(nn.Module):
    """conv32 - conv64 - fc128 - fc10 on 28x28 digits in [0, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(32, 64, 3, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7x7
            nn.Conv2d(64, 64, 3, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),  # 4x4
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, FEATURES), nn.ReLU())
        self.head = nn.Linear(FEATURES, 10)

    def features(self, x: Tensor) -> Tensor:
        """Penultimate features (n, 128): what the Frechet distance compares."""
        return self.fc(self.conv(x))

    def forward(self, x: Tensor) -> Tensor:
        """Logits (n, 10) for digits 0-9."""
        return self.head(self.features(x))


@functools.lru_cache(maxsize=4)
def load_classifier(device: str | torch.device = "cpu") -> DigitClassifier:
    """The shipped classifier in eval mode on ``device``; cached, so do not train or modify it."""
    try:
        state = torch.load(WEIGHTS, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(
            f"Digit classifier weights {WEIGHTS} are missing; "
            "run scripts/train_digit_classifier.py to make them."
        ) from None
    except Exception as err:  # unpickling errors have no common base class
        raise CheckpointError(
            f"Digit classifier weights {WEIGHTS} cannot be loaded ({type(err).__name__})."
        ) from None
    model = DigitClassifier()
    try:
        model.load_state_dict({k: v.float() for k, v in state.items()})
    except (RuntimeError, AttributeError):
        raise CheckpointError(
            f"Digit classifier weights {WEIGHTS} do not match DigitClassifier."
        ) from None
    return model.to(device).eval().requires_grad_(False)


def _as_batch(images: Tensor) -> Tensor:
    """Check shape and range and return float32 (n, 1, 28, 28)."""
    if not isinstance(images, Tensor):
        images = torch.as_tensor(np.asarray(images))
    shape = tuple(images.shape)
    if images.dim() == 3:
        images = images.unsqueeze(1)
    if images.dim() != 4 or tuple(images.shape[1:]) != (1, 28, 28):
        raise DataError(f"Digit images have shape {shape}; expected (n, 28, 28) or (n, 1, 28, 28).")
    if images.shape[0] == 0:
        raise DataError("Digit images are an empty batch; at least one image is needed.")
    images = images.float()
    if not torch.isfinite(images).all():
        raise DataError("Digit images contain NaN or infinite values; a diverged run has no score.")
    lo, hi = images.min().item(), images.max().item()
    if lo < -1e-3 or hi > 1 + 1e-3:
        raise DataError(
            f"Digit images range from {lo:.3g} to {hi:.3g}, but must lie in [0, 1]; "
            "map tanh outputs with (x + 1) / 2."
        )
    return images


def _batched(model: DigitClassifier, fn, images: Tensor) -> Tensor:
    device = next(model.parameters()).device
    with torch.no_grad():
        return torch.cat([fn(b.to(device)) for b in images.split(_BATCH)]).cpu()


def classify(images: Tensor, device: str = "cpu") -> tuple[Tensor, Tensor]:
    """Predicted digit (int64 (n,)) and its softmax probability (float32 (n,)) per image."""
    model = load_classifier(device)
    probs = _batched(model, model, _as_batch(images)).softmax(dim=1)
    confidence, labels = probs.max(dim=1)
    return labels, confidence


def feature_stats(features: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean (d,) and covariance (d, d) in float64 of features (n, d), n >= 2."""
    f = features.double().numpy()
    return f.mean(axis=0), np.cov(f, rowvar=False)


def _sqrt_psd(a: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix via its eigendecomposition."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """Frechet distance between Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    d = |mu1 - mu2|^2 + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^(1/2)).
    sigma1 sigma2 is not symmetric, but it is similar to s sigma2 s with s = sigma1^(1/2),
    which is symmetric PSD, so the trace of its square root is the sum of the square roots of
    that matrix's eigenvalues: no scipy.linalg.sqrtm and no complex round-off.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    s = _sqrt_psd(sigma1)
    middle = s @ sigma2 @ s
    eig = np.linalg.eigvalsh((middle + middle.T) / 2)
    tr_covmean = np.sqrt(np.clip(eig, 0, None)).sum()
    diff = mu1 - mu2
    d = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean
    return float(max(d, 0.0))


@functools.lru_cache(maxsize=4)
def _real_stats(device: str) -> tuple[np.ndarray, np.ndarray]:
    model = load_classifier(device)
    return feature_stats(_batched(model, model.features, split_bundled().heldout_images))


def digit_scores(images: Tensor, device: str = "cpu") -> dict:
    """Score a batch of digits in [0, 1] (n >= 2; a few hundred or more for a stable frechet).

    Returns ``shares`` (10 floats: the share of images classified as each digit),
    ``min_share``, ``mean_confidence`` (mean top softmax probability) and ``frechet``
    (feature Frechet distance to the 2,000 held-out real digits; lower is better).
    """
    x = _as_batch(images)
    if len(x) < 2:
        raise DataError(
            f"Digit scores need at least 2 images to estimate a covariance; got {len(x)}."
        )
    model = load_classifier(device)
    feats = _batched(model, model.features, x)
    with torch.no_grad():
        probs = model.head(feats.to(next(model.parameters()).device)).softmax(dim=1).cpu()
    confidence, labels = probs.max(dim=1)
    shares = (torch.bincount(labels, minlength=10).double() / len(x)).tolist()
    mu, sigma = feature_stats(feats)
    mu_r, sigma_r = _real_stats(str(device))
    return {
        "shares": shares,
        "min_share": min(shares),
        "mean_confidence": float(confidence.mean()),
        "frechet": frechet_distance(mu, sigma, mu_r, sigma_r),
    }


def nearest_training_images(
    images: Tensor, k: int = 5, reference: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """Indices (int64 (n, k)) and L2 pixel distances (float32 (n, k)) of the k nearest digits.

    ``reference`` defaults to the 10,000 bundled digits (what a GAN on ``mnist`` trains on).
    Candidates come from one matrix product per batch (|a|^2 + |b|^2 - 2ab); their distances
    are then recomputed directly, so an exact copy of a training digit scores exactly 0.
    """
    x = _as_batch(images).flatten(1)
    ref = (load_mnist()[0] if reference is None else _as_batch(reference)).flatten(1)
    ref = ref.to(x.device)
    if not 1 <= k <= len(ref):
        raise DataError(f"Nearest-neighbour k is {k}; it must be between 1 and {len(ref)}.")
    ref_sq = ref.pow(2).sum(dim=1)
    all_idx, all_dist = [], []
    for batch in x.split(256):
        d2 = batch.pow(2).sum(dim=1, keepdim=True) + ref_sq - 2 * batch @ ref.T
        idx = d2.topk(k, dim=1, largest=False).indices
        dist = (batch.unsqueeze(1) - ref[idx]).pow(2).sum(dim=2).sqrt()
        dist, order = dist.sort(dim=1)
        all_idx.append(idx.gather(1, order))
        all_dist.append(dist)
    return torch.cat(all_idx), torch.cat(all_dist)
