"""The theory page's measurements: the paper's identities, checked on real 1D GANs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganlab.figures import theory as viz_theory
from ganlab.labs import theory
from ganlab.training.trainer import Trainer

LOG4 = math.log(4.0)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny nets on a shared 2-core machine: one thread, as Trainer.train_steps uses."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def test_value_is_minus_log4_when_d_says_one_half_everywhere():
    zeros = torch.zeros(100)
    assert theory.value_of_game(zeros, zeros) == pytest.approx(-LOG4)
    # D sure and right: log 1 + log 1 = 0.
    assert theory.value_of_game(torch.full((5,), 30.0), torch.full((5,), -30.0)) > -1e-9


def test_c_of_g_spans_minus_log4_to_zero():
    assert theory.c_of_g(0.0) == pytest.approx(-LOG4)
    assert theory.c_of_g(math.log(2)) == pytest.approx(0.0)


def test_g_loss_curves_and_their_slopes():
    c = theory.g_loss_curves(points=11)
    d = c["d"]
    np.testing.assert_allclose(c["sat_loss"], np.log(1 - d), atol=1e-9)
    np.testing.assert_allclose(c["ns_loss"], -np.log(d), atol=1e-9)
    np.testing.assert_allclose(c["sat_grad"], d, atol=1e-9)  # vanishes as D(G(z)) -> 0
    np.testing.assert_allclose(c["ns_grad"], 1 - d, atol=1e-9)


def test_trace_measures_the_game_and_v_never_exceeds_c_of_g():
    tr = theory.trace(theory.theory_config(k=5, steps=60), every=20)
    assert list(tr["step"]) == [0, 20, 40, 60]
    assert tr["d"].shape == tr["d_star"].shape == tr["p_g"].shape == (4, 200)
    # V(D, G) <= max_D V(D, G) = C(G), up to sampling error of the two estimates.
    assert np.all(tr["value"] <= tr["c_of_g"] + 0.05)
    assert tr["c_of_g"][0] == pytest.approx(0.0, abs=1e-6)  # G starts far from the data
    assert np.all((tr["d_gap"] >= 0) & (tr["d_gap"] <= 1))
    assert np.all(tr["kl_data_g"] > 0) and np.all(tr["kl_g_data"] > 0)
    # The density of G's samples integrates to the share of them inside the grid.
    width = tr["x"][1] - tr["x"][0]
    assert tr["p_g"][-1].sum() * width == pytest.approx(1.0, abs=0.01)


def test_measuring_leaves_the_run_alone_and_sees_g_as_the_pictures_do():
    """G with batch norm: the measurements use its running statistics, as the playground's
    pictures do, and neither they nor 4,000 probe points move those statistics."""
    trainer = Trainer(theory.theory_config(g_batchnorm=True, steps=20))
    trainer.train_steps(20)
    probe = theory.Probe(trainer)
    before = [b.clone() for b in trainer.g.buffers()]
    out = theory.measure(trainer, probe)
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.g.buffers()))
    assert trainer.g.training
    with torch.no_grad():
        trainer.g.eval()
        shown = trainer.g(probe.z)
        trainer.g.train()
    assert out["fake_mean"] == pytest.approx(float(shown.mean()), abs=1e-6)


def test_training_d_alone_brings_it_to_d_star_and_v_to_c_of_g():
    trainer = Trainer(theory.theory_config(k=5, steps=40))
    trainer.train_steps(40)  # G now overlaps the data, so D* is not simply 0 or 1
    probe = theory.Probe(trainer)
    before = theory.measure(trainer, probe)
    for _ in range(150):
        trainer.train_d()
    after = theory.measure(trainer, probe)
    assert after["c_of_g"] == before["c_of_g"]  # G did not move
    assert after["d_gap"] < before["d_gap"]
    assert abs(after["c_of_g"] - after["value"]) < abs(before["c_of_g"] - before["value"])


def test_saturating_loss_starves_g_while_d_wins():
    runs = theory.saturation(steps=10, every=5)
    gan, ns = runs["gan"], runs["nsgan"]
    assert gan["d_fake"][0] < 0.1  # after 100 D steps D rejects G's samples
    assert gan["grad_sat"][0] < 0.1 * ns["grad_ns"][0]
    moved_gan = gan["fake_mean"][1] - gan["fake_mean"][0]
    moved_ns = ns["fake_mean"][1] - ns["fake_mean"][0]
    assert moved_ns > 3 * moved_gan
    fig = viz_theory.saturation_curves(runs)
    assert len(fig.data) == 4 and fig.layout.yaxis.type == "log"


@pytest.mark.slow
def test_minibatch_discrimination_keeps_the_1d_gan_from_collapsing():
    runs = theory.collapse(steps=400, every=200)
    plain, mbd = runs["plain"]["fake_std"][-1], runs["minibatch"]["fake_std"][-1]
    assert plain < 0.15 < 0.3 < mbd  # the data's std is 0.5
    assert np.isnan(runs["plain"]["value"]).all()  # D-side quantities are not measured here
    assert runs["minibatch"]["kl_data_g"][-1] < runs["plain"]["kl_data_g"][-1]
    fig = viz_theory.collapse_panels(runs)
    assert len(fig.data) == 4 and "std of G(z)" in fig.layout.annotations[0].text
    assert len(viz_theory.kl_curves(runs).data) == 4


def test_figures_draw_a_trace():
    tr = theory.trace(theory.theory_config(k=1, steps=10), every=5)
    assert [t["name"] for t in viz_theory.d_vs_optimal(tr, 1).data] == [
        "p_data",
        "p_g",
        "D(x)",
        "D*(x)",
    ]
    assert len(viz_theory.value_curves(tr).data) == 2
    assert len(viz_theory.d_gap_curve(tr).data) == 1
    curves = viz_theory.g_loss_curves(theory.g_loss_curves(), 0.05)
    assert len(curves.data) == 4
