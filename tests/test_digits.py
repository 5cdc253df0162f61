"""The digit score: shipped classifier, Frechet distance, nearest training digits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.data.mnist import load_mnist, split_bundled
from ganlab.errors import DataError
from ganlab.scores import digits


def test_shipped_weights_are_small_and_load_safely():
    assert digits.WEIGHTS.stat().st_size < 1_000_000
    state = torch.load(digits.WEIGHTS, weights_only=True)
    assert state["head.weight"].shape == (10, digits.FEATURES)
    model = digits.load_classifier()
    assert not model.training
    assert digits.load_classifier() is model


def test_held_out_accuracy_at_least_98_percent():
    split = split_bundled()
    labels, confidence = digits.classify(split.heldout_images)
    accuracy = (labels == split.heldout_labels).float().mean().item()
    assert accuracy >= 0.98
    assert labels.dtype == torch.int64 and confidence.shape == (2000,)
    assert 0.1 <= confidence.min().item() and confidence.max().item() <= 1.0


def test_classify_accepts_images_without_channel_axis():
    x = split_bundled().heldout_images[:20]
    labels3, _ = digits.classify(x[:, 0])
    labels4, _ = digits.classify(x)
    assert torch.equal(labels3, labels4)


def test_features_are_128_dimensional():
    model = digits.load_classifier()
    with torch.no_grad():
        assert model.features(split_bundled().heldout_images[:4]).shape == (4, 128)


def test_scores_of_real_digits():
    scores = digits.digit_scores(split_bundled().heldout_images)
    assert len(scores["shares"]) == 10
    assert sum(scores["shares"]) == pytest.approx(1.0)
    assert scores["min_share"] == min(scores["shares"]) > 0.05
    assert scores["mean_confidence"] > 0.9
    # Held-out digits against their own statistics: only round-off remains.
    assert scores["frechet"] < 1e-3


def test_scores_separate_real_digits_from_noise_and_collapse():
    train = split_bundled().train_images
    real = digits.digit_scores(train[:1000])
    noise = digits.digit_scores(
        torch.rand(1000, 28, 28, generator=torch.Generator().manual_seed(0))
    )
    ones = train[split_bundled().train_labels == 1][:500]
    collapsed = digits.digit_scores(ones)
    # Measured: real about 19 (mostly the bias of 1,000 samples), noise about 6,000, ones 1,200.
    assert real["frechet"] < 40 and noise["frechet"] > 100 * real["frechet"]
    assert collapsed["frechet"] > 20 * real["frechet"]
    assert collapsed["min_share"] == 0.0 and collapsed["shares"][1] > 0.95


def test_score_inputs_are_checked():
    with pytest.raises(DataError, match=r"range from -1 .*\[0, 1\]"):
        digits.digit_scores(torch.full((4, 28, 28), -1.0))
    with pytest.raises(DataError, match=r"shape \(4, 32, 32\)"):
        digits.classify(torch.zeros(4, 32, 32))
    with pytest.raises(DataError, match="NaN or infinite"):
        digits.classify(torch.full((2, 28, 28), float("nan")))
    with pytest.raises(DataError, match="at least 2 images"):
        digits.digit_scores(torch.zeros(1, 28, 28))


def test_frechet_distance_matches_closed_forms():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    sigma = a @ a.T + np.eye(6)
    mu = rng.normal(size=6)
    assert digits.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)
    # Only the means differ: the distance is |mu1 - mu2|^2.
    assert digits.frechet_distance(mu, sigma, mu + 2, sigma) == pytest.approx(4 * 6)
    # Diagonal covariances: sum of (sqrt(s1) - sqrt(s2))^2.
    s1, s2 = np.diag([1.0, 4.0, 9.0]), np.diag([4.0, 4.0, 1.0])
    zero = np.zeros(3)
    assert digits.frechet_distance(zero, s1, zero, s2) == pytest.approx(1 + 0 + 4)
    # Symmetric in its two Gaussians even for non-commuting covariances.
    b = rng.normal(size=(6, 6))
    other = b @ b.T
    assert digits.frechet_distance(mu, sigma, zero.repeat(2), other) == pytest.approx(
        digits.frechet_distance(zero.repeat(2), other, mu, sigma)
    )


def test_nearest_training_image_of_a_training_digit_is_itself():
    x, _ = load_mnist()
    picks = torch.tensor([0, 1, 4321, 9999])
    idx, dist = digits.nearest_training_images(x[picks], k=5)
    assert idx.shape == (4, 5) and dist.shape == (4, 5)
    assert torch.equal(idx[:, 0], picks)
    assert torch.all(dist[:, 0] == 0)
    assert torch.all(dist[:, 1:] > 0) and torch.all(dist[:, 1:] >= dist[:, :-1])
    # The reported distance is the true L2 distance to the reported digit.
    direct = (x[picks, 0] - x[idx[:, 3], 0]).flatten(1).norm(dim=1)
    assert torch.allclose(dist[:, 3], direct, atol=1e-4)


def test_nearest_matches_brute_force_on_a_custom_reference():
    gen = torch.Generator().manual_seed(1)
    ref, queries = torch.rand(300, 28, 28, generator=gen), torch.rand(7, 28, 28, generator=gen)
    idx, dist = digits.nearest_training_images(queries, k=3, reference=ref)
    brute = torch.cdist(queries.flatten(1), ref.flatten(1))
    expected = brute.topk(3, dim=1, largest=False)
    assert torch.equal(idx, expected.indices)
    assert torch.allclose(dist, expected.values, atol=1e-4)
    with pytest.raises(DataError, match="k is 301"):
        digits.nearest_training_images(queries, k=301, reference=ref)
