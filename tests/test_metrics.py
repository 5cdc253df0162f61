"""Metrics: mode counting, grid divergences and W1 on samples with known answers."""

import math

import pytest
import torch

from ganlab.data import make_toy_data
from ganlab.scores.toy import divergences, mode_stats, toy_metrics, wasserstein1


def test_real_samples_score_as_perfect() -> None:
    data = make_toy_data("ring8")
    g = torch.Generator().manual_seed(0)
    m = toy_metrics(data, data.sample(5000, g), data.sample(5000, g))
    assert m["modes_covered"] == 8 and m["modes_total"] == 8
    assert m["high_quality_frac"] > 0.98  # 3 std in 2D holds 98.9 %
    assert m["js_grid"] < 0.01 and m["w1"] < 0.03


def test_a_collapsed_generator_covers_one_mode() -> None:
    data = make_toy_data("ring8")
    fake = torch.tensor([2.0, 0.0]) + 0.01 * torch.randn(2000, 2)
    m = toy_metrics(data, data.sample(2000), fake)
    assert m["modes_covered"] == 1 and m["high_quality_frac"] == 1.0
    # p has 1/8 on the shared mode, q all of it: JS = 1/2 (7/8 log 2 + 1/8 log(2/9))
    # + 1/2 log(16/9) = 0.497 nats.
    js = 0.5 * (7 / 8 * math.log(2) + 1 / 8 * math.log(2 / 9)) + 0.5 * math.log(16 / 9)
    assert m["js_grid"] == pytest.approx(js, abs=0.02)
    assert m["w1"] > 1.0


def test_a_mode_needs_a_quarter_of_its_fair_share() -> None:
    data = make_toy_data("ring8")
    centers = data.centers
    # 800 samples: fair share 100 per mode, so 25 are needed. Mode 0 gets 24, mode 1 gets 25.
    counts = [24, 25] + [125] * 6
    counts[-1] += 800 - sum(counts)
    fake = torch.cat([centers[i].repeat(c, 1) for i, c in enumerate(counts)])
    assert mode_stats(data, fake)["modes_covered"] == 7


def test_divergences_of_known_histograms() -> None:
    p = torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64)
    q = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    assert divergences(p, q)["js_grid"] == pytest.approx(math.log(2))
    assert divergences(p, p)["js_grid"] == pytest.approx(0.0)
    r = torch.tensor([0.25, 0.75, 0.0], dtype=torch.float64)
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert divergences(p, r)["kl_grid"] == pytest.approx(kl, abs=1e-4)


def test_w1_exact_in_1d_and_shift_invariant_when_sliced() -> None:
    x = torch.randn(1000, 1)
    assert wasserstein1(x, x + 0.3) == pytest.approx(0.3, abs=1e-6)
    y = torch.randn(2000, 2)
    # A shift by (0.5, 0) projected on a random unit direction: mean |0.5 cos t| = 1 / pi.
    sliced = wasserstein1(y, y + torch.tensor([0.5, 0.0]), torch.Generator().manual_seed(0))
    assert sliced == pytest.approx(1 / math.pi, rel=0.15)
