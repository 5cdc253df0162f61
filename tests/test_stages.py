"""Slow motion's stages: the list, a staged step that is the plain step, the runner walking
stages (in a thread and across the worker process), and the overview figures."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.figures.overview import INSET_POINTS, LIT, PATHS, overview, staged_distribution
from ganlab.live.runner import Runner
from ganlab.live.threads import Slots
from ganlab.live.worker import RemoteRunner
from ganlab.training.stages import D_STAGES, G_STAGES, STAGES, staged_step, supports
from ganlab.training.trainer import Trainer

SMALL = {"hidden": 16, "batch_size": 64, "device": "cpu"}  # on the CPU: no CUDA graph


def small(variant: str = "nsgan", data: str = "ring8", **kw):
    return make_config(variant, data, **{**SMALL, **kw})


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def weights(t: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for net in (t.g, t.d) for p in net.parameters()]


def same_run(a: Trainer, b: Trainer) -> bool:
    """Same weights, optimizer moments, step and training random stream."""
    moments = [
        torch.equal(x, y)
        for opt_a, opt_b in ((a.opt_g, b.opt_g), (a.opt_d, b.opt_d))
        for sa, sb in zip(opt_a.state.values(), opt_b.state.values())
        for x, y in zip(sa.values(), sb.values())
    ]
    return (
        all(torch.equal(x, y) for x, y in zip(weights(a), weights(b)))
        and all(moments)
        and a.step == b.step
        and torch.equal(a.rng.get_state(), b.rng.get_state())
    )


def test_the_stage_list():
    assert len(STAGES) == 8 and len({s.name for s in STAGES}) == 8
    assert D_STAGES == (1, 2, 3, 4, 5) and G_STAGES == (6, 7, 8)
    assert [s.name for s in STAGES[2:4]] == ["D judges real and fake", "D's loss"]
    assert all(s.what.endswith(".") for s in STAGES)
    assert len(LIT) == len(STAGES)  # the overview lights something at every stage
    assert supports(small()) and not supports(make_config("dcgan", "mnist"))


@pytest.mark.parametrize(
    "changes",
    [{}, {"k": 3}, {"gp_weight": 1.0, "r1": 1.0}, {"instance_noise": 0.3}, {"unrolled": 2},
     {"g_batchnorm": True, "g_ema": 0.99, "lookahead": 2}, {"pack": 2}],
    ids=["nsgan", "k3", "gp-r1", "instance-noise", "unrolled", "bn-ema-lookahead", "pack"],
)  # fmt: skip
def test_staged_steps_are_the_plain_steps(changes):
    plain, staged = Trainer(small(**changes)), Trainer(small(**changes))
    numbers = []
    for _ in range(4):
        plain.train_step()
        numbers += [s.number for s in staged_step(staged)]
    assert same_run(plain, staged)
    k = changes.get("k", 1)
    assert numbers == ([1, 2, 3, 4, 5] * k + [6, 7, 8]) * 4
    before = weights(plain)
    plain.train_step()
    assert not all(torch.equal(x, y) for x, y in zip(before, weights(plain)))  # it trains


def test_step_d_and_step_g_walk_their_half():
    plain, staged = Trainer(small(k=2)), Trainer(small(k=2))
    plain.train_d()
    walk = list(staged_step(staged, "d"))
    assert [s.number for s in walk] == [1, 2, 3, 4, 5]  # one D step, whatever k
    assert [s.last for s in walk] == [False] * 4 + [True]
    assert same_run(plain, staged) and staged.step == 0
    plain.train_g()
    walk = list(staged_step(staged, "g"))
    assert [(s.number, s.player) for s in walk] == [(6, "G"), (7, "G"), (8, "G")]
    assert same_run(plain, staged) and staged.step == 1
    with pytest.raises(ConfigError, match="half"):
        next(staged_step(staged, "sideways"))


def test_a_stage_shows_what_it_computed():
    t = Trainer(small())
    walk = list(staged_step(t))
    by_number = {s.number: s for s in walk}
    z = torch.from_numpy(by_number[1].arrays["z"])
    assert z.shape == (64, 2) and by_number[1].arrays["real"].shape == (64, 2)
    assert "fake" not in by_number[1].arrays and "fake" in by_number[2].arrays
    assert by_number[3].label == "stage 3 of 8: D judges real and fake"
    assert 0 < by_number[3].numbers["d_real"] < 1  # nsgan: probabilities
    # The numbers a stage shows are the ones the snapshot then averages (one step: itself).
    snap = t.snapshot()
    assert by_number[4].numbers["loss_d"] == pytest.approx(snap.loss_d, rel=1e-6)
    assert by_number[6].numbers["loss_g"] == pytest.approx(snap.loss_g, rel=1e-6)
    assert by_number[3].numbers["d_fake"] == pytest.approx(snap.d_fake, rel=1e-6)
    assert by_number[7].numbers["grad_norm_g"] == pytest.approx(snap.grad_norm_g, rel=1e-5)
    assert by_number[5].numbers["grad_norm_d"] > 0
    push, fake, moved = (by_number[8].arrays[k] for k in ("push", "fake", "moved"))
    assert np.abs(push).max() > 0 and push.shape == fake.shape
    # G's update moved the batch's points, on the whole along the arrows.
    step = moved - fake
    assert np.abs(step).max() > 0 and float((step * push).sum()) > 0


def parse(svg: str) -> tuple[str, int, int]:
    """The overview's words, how many boxes are lit (thick strokes) and how many dots."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    text = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    lit = [r for r in root.iter(f"{ns}rect") if r.get("stroke-width") == "3.5"]
    return text, len(lit), len(list(root.iter(f"{ns}circle")))


def test_the_overview_shows_the_snapshots_numbers_and_lights_a_path():
    t = Trainer(small())
    t.train_steps(3)
    snap = t.snapshot(view=True)
    text, lit, dots = parse(overview(snap, "normal, 2-D", lit="G"))
    for words in ("Generator", "Discriminator", f"{snap.loss_d:.3g}", f"{snap.loss_g:.3g}",
                  f"{snap.grad_norm_d:.3g}", f"{snap.grad_norm_g:.3g}", f"{snap.d_real:.2g}",
                  "step 3", "normal, 2-D"):  # fmt: skip
        assert words in text, words
    assert lit == len([p for p in PATHS["G"] if "-" not in p])  # G's path's boxes
    assert parse(overview(snap))[1:] == (0, 2 * INSET_POINTS)  # unlit; fakes and real points
    # A stage: its own numbers, its parts lit, and the batch's z plotted too.
    stage = next(s for s in staged_step(t) if s.number == 4)
    snap.stage = stage
    text, lit, dots = parse(overview(snap))
    assert f"{stage.numbers['loss_d']:.3g}" in text
    assert lit == 2 and dots == 3 * 64  # D's verdicts and D's loss; z, fakes, real points


@pytest.mark.parametrize("data", ["ring8", "gauss1d"])
def test_the_distribution_view_draws_each_stage(data):
    t = Trainer(small(data=data))
    t.train_steps(2)
    view = t.snapshot(view=True).view
    names = {}
    for stage in staged_step(t):
        fig = staged_distribution(view, "nsgan", stage=stage)
        go.Figure(fig.to_dict())
        names[stage.number] = [tr.name for tr in fig.data][len(staged_distribution(view).data) :]
    assert names[1] == ["this batch: real x"]
    assert names[3] == ["this batch: real x", "this batch: G(z)"]
    assert "-dL_G/dx on this batch" in names[6] and "-dL_G/dx on this batch" not in names[5]
    assert "this batch: G(z) after G's update" in names[8]


def walked(runner, until) -> list[str]:
    """The stage lines the runner publishes until ``until()`` holds."""
    seen: list[str] = []

    def note() -> bool:
        done = until()  # before the read: the stage that ends the wait is then seen
        stage = runner.latest().stage
        if stage is not None and (not seen or seen[-1] != stage.label):
            seen.append(stage.label)
        return done

    wait_for(note)
    return seen


def test_the_runner_walks_stages_in_slow_motion():
    runner = Runner(small(), slots=Slots(4))
    try:
        runner.set_speed(20)  # stages a second
        runner.step("d")  # walks on the training thread, then pauses
        seen = walked(runner, lambda: not runner.playing)
        assert seen[-1] == "stage 5 of 8: D's update" and runner.status().step == 0
        assert all(int(label.split()[1]) <= 5 for label in seen)
        runner.step("both")
        seen = walked(runner, lambda: not runner.playing)
        assert seen[-1] == "stage 8 of 8: G's update" and runner.status().step == 1
        runner.play()
        seen = walked(runner, lambda: runner.status().step >= 3)
        assert len(set(seen)) == 8
        # The status counts stages a second (measured; at most the 20 asked for, give or
        # take the clock), as a step takes seconds
        assert 0 < runner.status().stages_per_s <= 25
        runner.pause()
        assert runner.status().stages_per_s is None
        runner.set_speed(None)  # flat out: whole steps again, and no stage shown
        runner.play()
        wait_for(lambda: runner.status().step >= 40 and runner.latest().stage is None)
        assert runner.status().stages_per_s is None
        runner.pause()
    finally:
        runner.stop()


def test_the_stage_crosses_to_the_worker_process():
    runner = RemoteRunner(small(), slots=Slots(4))
    try:
        runner.set_speed(20)
        runner.step("g")
        seen = walked(runner, lambda: not runner.playing)
        assert seen[-1] == "stage 8 of 8: G's update"
        assert runner.latest().stage.arrays["moved"].shape == (64, 2)
    finally:
        runner.stop()
