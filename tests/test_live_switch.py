"""Live switches, as in GAN Lab: a running game takes a new loss, optimizer, lr decay, weight
clip or gradient-penalty weight at its next step, and keeps its weights."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from ganlab.config.controls import GAME, KNOBS, LIVE, WIDGETS
from ganlab.config.fields import LOSS_NAMES
from ganlab.config.links import config_from_params, config_to_params
from ganlab.config.run_config import make_config
from ganlab.figures.curves import d_outputs, loss_curves
from ganlab.live.runner import Runner
from ganlab.live.threads import WORKERS_ENV, Slots
from ganlab.losses import LOSSES
from ganlab.training.trainer import Trainer

SMALL = {"hidden": 16, "batch_size": 64, "seed": 3}
PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "playground.py")
RUNNER = "ganlab.runner.playground"


def trainer(variant: str = "nsgan", **kw) -> Trainer:
    return Trainer(make_config(variant, "ring8", **{**SMALL, **kw}), torch.device("cpu"))


def weights(t: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for net in (t.g, t.d) for p in net.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def test_the_switchable_settings_are_live_rows_with_widgets() -> None:
    assert set(LIVE) == {"loss", "k", "lr_d", "lr_g", "optimizer", "lr_decay",
                         "lr_decay_every", "clip", "gp_weight"}  # fmt: skip
    assert GAME == ("loss", "clip", "gp_weight")
    assert {"lr_decay", "lr_decay_every", "optimizer"} <= set(KNOBS)
    labels = WIDGETS["loss"].spec  # every loss, named so saturating and non-saturating show
    assert tuple(labels) == LOSS_NAMES == tuple(LOSSES)
    assert labels["minimax"].startswith("minimax (saturating")
    assert labels["nsgan"].startswith("nsgan (non-saturating")
    assert 0.0 in WIDGETS["clip"].spec and 0.0 in WIDGETS["gp_weight"].spec  # both can be off


def test_saturating_to_non_saturating_keeps_the_weights_and_trains_with_the_new_loss() -> None:
    t = trainer("gan")  # G minimises log(1 - D(G(z))): the saturating loss
    t.train_steps(20)
    before, opt_g, moments = weights(t), t.opt_g, t.opt_g.state_dict()["state"][0]["exp_avg"]
    t.snapshot()
    t.set_knobs(loss="nsgan")
    assert t.cfg.loss == "nsgan" and same(weights(t), before)
    assert t.opt_g is opt_g and torch.equal(t.opt_g.state_dict()["state"][0]["exp_avg"], moments)
    # G's next loss, predicted from the same draw of z: the non-saturating formula on D's logits
    drawn = t.rng.get_state()
    with torch.no_grad():
        fake = t.game.fake(SMALL["batch_size"])
        d_fake = t.game.discriminate(fake.x, fake.cond)
    new, old = (float(LOSSES[name](d_fake, d_fake).g) for name in ("nsgan", "minimax"))
    t.rng.set_state(drawn)
    t.train_g()
    measured = t.snapshot().loss_g
    assert measured == pytest.approx(new, rel=1e-5) and abs(measured - old) > 0.1
    t.train_steps(5)
    assert not same(weights(t), before) and t.weights_finite()


def test_an_optimizer_switch_keeps_the_weights_and_takes_the_rates_in_use() -> None:
    t = trainer(lr_decay=0.9, lr_decay_every=5)
    t.train_steps(12)  # two decays so far: the rates in use are 0.81 of the base rates
    before = weights(t)
    t.set_knobs(optimizer="rmsprop")
    assert same(weights(t), before)
    for opt, net, lr in ((t.opt_g, t.g, t.cfg.lr_g), (t.opt_d, t.d, t.cfg.lr_d)):
        assert type(opt) is torch.optim.RMSprop and not opt.state  # fresh moments
        assert opt.param_groups[0]["params"] == list(net.parameters())  # the same tensors
        assert float(opt.param_groups[0]["lr"]) == pytest.approx(lr * 0.81)
    t.train_steps(3)  # the schedule goes on: step 15 is the third decay
    assert float(t.opt_g.param_groups[0]["lr"]) == pytest.approx(t.cfg.lr_g * 0.9**3)
    assert "square_avg" in t.opt_g.state[t.opt_g.param_groups[0]["params"][0]]
    assert not same(weights(t), before) and t.weights_finite()


def test_lookahead_keeps_pulling_back_after_an_optimizer_switch() -> None:
    t = trainer(lookahead=4)
    t.train_steps(2)
    start = [s.clone() for s in t.lookahead.slow]
    t.set_knobs(optimizer="sgd")
    t.train_steps(2)  # step 4: the sync moves the slow weights and pulls the nets onto them
    assert same(weights(t), t.lookahead.slow)
    assert not same(start, t.lookahead.slow)


def test_a_divergence_after_a_switch_restores_the_weights_under_the_new_optimizer() -> None:
    t = trainer()
    t.train_steps(3)
    t.snapshot()
    good = weights(t)
    t.set_knobs(optimizer="sgd")
    with torch.no_grad():
        next(t.g.parameters()).fill_(math.nan)
    assert t.snapshot().status == "diverged"
    assert same(weights(t), good) and type(t.opt_g) is torch.optim.SGD
    t.train_steps(2)  # the restored optimizer state fits the optimizer in use
    assert t.weights_finite()


def test_clip_bounds_d_weights_from_the_next_step() -> None:
    t = trainer()
    t.train_steps(10)
    assert max(p.abs().max().item() for p in t.d.parameters()) > 0.1
    t.set_knobs(clip=0.02)
    t.train_d()
    assert max(p.abs().max().item() for p in t.d.parameters()) <= 0.02
    assert max(p.abs().max().item() for p in t.g.parameters()) > 0.1  # G is not clipped


def test_the_gradient_penalty_adds_lambda_times_the_penalty_to_d_loss() -> None:
    losses = {}
    for weight in (0.0, 5.0, 10.0):
        t = trainer()
        t.train_steps(5)
        t.snapshot()
        t.set_knobs(gp_weight=weight)
        t.train_step()  # the same draws and weights: D's loss differs by weight x the penalty
        losses[weight] = t.snapshot().loss_d
    penalty = (losses[5.0] - losses[0.0]) / 5.0
    assert penalty > 1e-3
    assert losses[10.0] - losses[0.0] == pytest.approx(10.0 * penalty, rel=1e-4)


def test_a_new_lr_decay_sets_the_rates_from_the_next_step() -> None:
    plain, decayed = trainer(lr_decay=1.0), trainer(lr_decay=1.0)
    plain.train_steps(30)
    decayed.train_steps(30)
    decayed.set_knobs(lr_decay=0.5, lr_decay_every=10)  # step 30: 0.5^3 of the base rates
    assert float(decayed.opt_d.param_groups[0]["lr"]) == pytest.approx(decayed.cfg.lr_d / 8)
    start = [p.detach().clone() for p in plain.d.parameters()]
    plain.train_d()
    decayed.train_d()
    # Adam's step is linear in the rate: the same gradients move the decayed D 1/8 as far
    moved = [(a.detach() - s).abs().sum() / (b.detach() - s).abs().sum()
             for a, b, s in zip(decayed.d.parameters(), plain.d.parameters(), start)]  # fmt: skip
    assert all(r.item() == pytest.approx(1 / 8, rel=1e-3) for r in moved)
    decayed.train_steps(10)  # step 40: the fourth decay
    assert float(decayed.opt_g.param_groups[0]["lr"]) == pytest.approx(decayed.cfg.lr_g / 16)


def test_an_infogan_optimizer_switch_keeps_q_at_g_rate() -> None:
    cfg = make_config("infogan", "mnist", batch_size=8, hidden=8)
    t = Trainer(cfg, torch.device("cpu"))
    t.train_steps(1)
    t.set_knobs(optimizer="sgd")
    assert [g["lr"] for g in t.opt_d.param_groups] == [cfg.lr_d, cfg.lr_g]
    t.train_steps(1)
    assert t.weights_finite()


def test_a_link_carries_the_switched_settings() -> None:
    cfg = make_config("nsgan", "ring8", loss="minimax", optimizer="sgd", lr_decay=0.5,
                      lr_decay_every=100, clip=0.01, gp_weight=5.0)  # fmt: skip
    params = config_to_params(cfg)
    assert {"loss", "optimizer", "lr_decay", "lr_decay_every", "clip", "gp_weight"} <= set(params)
    assert config_from_params(params) == cfg


def test_a_new_loss_redraws_the_picture_in_its_units_and_blanks_d_until_measured() -> None:
    runner = Runner(make_config("nsgan", "ring8", **SMALL), slots=Slots(8))
    try:
        runner.step()
        grid = torch.from_numpy(runner.latest().view["grid"])
        logits = runner.trainer.d_logits_on(grid).detach().numpy().ravel()
        assert runner.latest().view["d_grid"].ravel() == pytest.approx(1 / (1 + math.e**-logits))
        views = runner.versions()["view"]
        runner.set_knobs(loss="wgan")  # D's shading is now its raw score
        snap = runner.latest()
        assert runner.versions()["view"] > views and runner.cfg.loss == "wgan"
        assert snap.view["d_grid"].ravel() == pytest.approx(logits, abs=1e-6)
        assert math.isnan(snap.d_real) and math.isnan(snap.d_fake)
        runner.step()
        snap = runner.latest()
        assert math.isfinite(snap.d_real) and math.isfinite(snap.d_fake)
        # The curves mark the switch: after step 1 the numbers are WGAN's scores
        history = runner.history()
        assert history["switch_step"].tolist() == [1.0]
        assert history["switch_loss"].tolist() == ["wgan"]
        for fig in (loss_curves(history, "wgan"), d_outputs(history, "wgan")):
            marks = [s for s in fig.layout.shapes if s.x0 == s.x1 == 1.0 and s.yref == "paper"]
            assert len(marks) == 1
            assert [a.text for a in fig.layout.annotations if a.x == 1.0] == [" → wgan"]
    finally:
        runner.stop()


def _app(monkeypatch) -> AppTest:
    monkeypatch.setenv(WORKERS_ENV, "0")  # an in-process run, to look at its trainer
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _run(at: AppTest) -> None:
    at.run()
    assert not at.exception, at.exception


def test_the_playground_switches_a_running_game_without_a_reset(monkeypatch) -> None:
    at = _app(monkeypatch)
    try:
        runner = at.session_state[RUNNER]
        loss = at.selectbox(key="pg.loss")
        assert loss.value == "nsgan" and loss.options[0] == "minimax (saturating)"
        at.selectbox(key="pg.variant").set_value("wgan")  # step 0: its preset, its loss
        _run(at)
        assert (runner.cfg.loss, runner.cfg.clip) == ("wgan", 0.05)
        assert at.selectbox(key="pg.loss").value == "wgan"
        assert at.select_slider(key="pg.clip").value == 0.05
        at.button(key="pg.play").click()
        _run(at)
        deadline = time.monotonic() + 60
        while runner.status().step < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        trained = runner.trainer
        at.selectbox(key="pg.loss").set_value("hinge")
        at.select_slider(key="pg.clip").set_value(0.0)
        at.select_slider(key="pg.gp_weight").set_value(10.0)
        at.selectbox(key="pg.optimizer").set_value("adam")
        at.select_slider(key="pg.lr_decay").set_value(0.5)
        at.select_slider(key="pg.lr_decay_every").set_value(50)
        _run(at)
        cfg = runner.cfg
        assert (cfg.loss, cfg.clip, cfg.gp_weight, cfg.optimizer) == ("hinge", 0.0, 10.0, "adam")
        assert (cfg.lr_decay, cfg.lr_decay_every) == (0.5, 50)
        assert runner.trainer is trained and runner.playing  # the same run goes on
        assert type(trained.opt_d) is torch.optim.Adam and trained.loss_fn is LOSSES["hinge"]
        assert not any("needs a fresh run" in w.value for w in at.warning)
        at.button(key="pg.pause").click()
        _run(at)
    finally:
        st.cache_resource.clear()


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_switches_recapture_the_cuda_graph(monkeypatch) -> None:
    """A captured step bakes in the loss, the clip and the optimizer's kernels: a switch
    must train with the new ones, not replay the old."""
    monkeypatch.delenv("GANLAB_CUDA_GRAPHS", raising=False)
    t = Trainer(make_config("gan", "ring8", **SMALL, device="cuda", lr_decay_every=4))
    t.train_steps(5)
    assert t.graph_status == "cuda graph" and t.snapshot().loss_g < 0  # minimax: G's loss < 0
    t.set_knobs(optimizer="sgd")
    assert t.graph_status == "eager: sgd keeps its lr on the host; graphs need adam"
    t.train_steps(3)
    t.set_knobs(optimizer="adam", loss="nsgan", clip=0.01)
    t.snapshot()
    t.train_steps(8)  # a capture (its warm-up steps undone), then replays
    assert t.graph_status == "cuda graph" and type(t.opt_g) is torch.optim.Adam
    assert float(t.opt_g.param_groups[0]["lr"]) == pytest.approx(t.cfg.lr_g * 0.9**4)  # step 16
    assert t.snapshot().loss_g > 0  # non-saturating: softplus(-D(G(z))) > 0
    assert max(p.abs().max().item() for p in t.d.parameters()) <= 0.01
    assert t.weights_finite()
