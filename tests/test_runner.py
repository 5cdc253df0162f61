"""The runner: commands, the training thread, bounded histories, the cap, divergence."""

from __future__ import annotations

import io
import json
import tempfile
import time
from pathlib import Path

import pytest
import torch
from PIL import Image

from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError, DataError
from ganlab.figures.animation import history_gif
from ganlab.live.runlog import Decimating
from ganlab.live.runner import TRACE_ENV, Runner
from ganlab.live.threads import Slots
from ganlab.training.trainer import Trainer

SMALL = {"hidden": 16, "batch_size": 64}


def small(variant: str = "nsgan", data: str = "ring8", **kw):
    return make_config(variant, data, **{**SMALL, **kw})


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def runner():
    r = Runner(small(), slots=Slots(8))
    yield r
    r.stop()


def test_play_advances_and_pause_stops(runner):
    assert runner.status().step == 0 and runner.latest().view["fake"].shape == (1000, 2)
    runner.play()
    wait_for(lambda: runner.status().step >= 5)
    runner.pause()
    assert not runner.playing
    stopped = runner.status().step
    time.sleep(0.3)
    assert runner.status().step == stopped == runner.trainer.step
    assert runner.metric_history()["step"][-1] == stopped  # the paused state, measured
    assert len(runner.history()["step"]) >= 1


def test_a_pause_or_a_d_step_keeps_the_last_measured_d_outputs(runner):
    """No G step since the last snapshot: the numbers on the page stay the last measured
    ones instead of turning blank."""
    runner.play()
    wait_for(lambda: runner.status().step >= 5)
    runner.pause()
    paused = runner.latest()
    assert 0 < paused.d_real < 1 and 0 < paused.d_fake < 1 and paused.loss_d > 0
    runner.step("d")
    after = runner.latest()
    assert after.step == paused.step
    assert (after.d_real, after.d_fake, after.loss_g) == (
        paused.d_real,
        paused.d_fake,
        paused.loss_g,
    )
    runner.step("both")
    assert runner.latest().d_real != paused.d_real  # a new step: newly measured


def test_single_steps(runner):
    g_before = [p.clone() for p in runner.trainer.g.parameters()]
    runner.step("d")
    assert runner.status().step == 0  # D moved, G did not
    assert all(torch.equal(a, b) for a, b in zip(g_before, runner.trainer.g.parameters()))
    runner.step("g")
    runner.step("both")
    assert runner.status().step == 2
    assert runner.latest().view["d_grid"].shape == (3600,)


def test_drawing_does_not_change_the_run():
    """Pictures never consume the training RNG: stepping with views equals plain training."""
    cfg = small(seed=3)
    runner, trainer = Runner(cfg, slots=Slots(1)), Trainer(cfg)
    for _ in range(4):
        runner.step("both")  # each step publishes a view and metrics
        trainer.train_step()
    for a, b in zip(runner.trainer.g.parameters(), trainer.g.parameters()):
        assert torch.equal(a, b)
    runner.stop()


def test_knobs_change_mid_run_and_bad_knobs_are_refused(runner):
    runner.play()
    wait_for(lambda: runner.status().step >= 2)
    runner.set_knobs(lr_d=2e-4, k=3)
    # The knob sets the base rate; ring8's preset decays it every lr_decay_every steps, so
    # the snapshot shows the base times the decay reached at its own step (whatever the
    # machine's speed: a fast one is past several decays before the knob lands).
    cfg = runner.cfg
    assert cfg.lr_d == 2e-4 and cfg.lr_decay < 1  # the schedule is on: the case that matters

    def knobs_shown() -> bool:
        snap = runner.latest()  # one snapshot: its step and its lr were read together
        base = 2e-4 * cfg.lr_decay ** (snap.step // cfg.lr_decay_every)
        return snap.k == 3 and snap.lr_d == pytest.approx(base)

    wait_for(knobs_shown)
    lr_g = runner.cfg.lr_g
    with pytest.raises(ConfigError, match="lr_g is 50"):
        runner.set_knobs(lr_g=50.0)
    assert runner.cfg.lr_g == lr_g and runner.playing


def test_reset_with_a_bad_config_keeps_the_run(runner):
    runner.step("both")
    with pytest.raises(DataError):
        runner.reset(runner.cfg.replace(data="/nonexistent/points.csv"))
    assert runner.status().step == 1 and runner.cfg.data == "ring8"
    runner.reset(small("lsgan", "gauss1d"))
    assert runner.status().step == 0 and runner.latest().view["real"].shape[1] == 1


def test_divergence_pauses_and_keeps_the_message():
    cfg = small("lsgan", optimizer="sgd", lr_d=9.0, lr_g=9.0)
    runner = Runner(cfg, slots=Slots(1))
    runner.play()
    wait_for(lambda: not runner.playing)
    status = runner.status()
    assert "diverged" in status.message and "lower the learning rates" in status.message
    assert status.step == runner.trainer.step  # the last finite state, as the message says
    assert all(p.isfinite().all() for p in runner.trainer.g.parameters())
    runner.stop()


def test_beyond_the_cap_runs_take_turns_with_a_message():
    slots = Slots(1, turn_s=0.3)
    first, second = Runner(small(), slots=slots), Runner(small(), slots=slots)
    first.play()
    wait_for(lambda: first.status().step >= 1)
    second.play()
    wait_for(lambda: second.status().waiting)
    assert "Taking turns: 2 runs want to train" in second.status().message
    assert "trains 1 at a time" in second.status().message
    # Nobody pauses, yet the second run gets its turn, and then the first gets another.
    wait_for(lambda: second.status().step >= 1)
    mark = first.status().step
    wait_for(lambda: first.status().step > mark)
    assert slots.in_use == 1
    first.pause()
    wait_for(lambda: slots.waiting == 0)  # a paused run leaves the line
    mark = second.status().step
    wait_for(lambda: second.status().step > mark + 50)  # alone again: it keeps its slot
    assert slots.waiting == 0
    for r in (first, second):
        r.stop()
    assert slots.in_use == 0


def test_the_trace_notes_each_runs_step_and_place_in_line(monkeypatch, tmp_path):
    trace = tmp_path / "runs.jsonl"
    monkeypatch.setenv(TRACE_ENV, str(trace))
    slots = Slots(1, turn_s=60.0)  # the first keeps its slot: the second only waits
    first = Runner(small(), slots=slots)
    second = Runner(small("lsgan", "moons"), slots=slots)
    first.play()
    wait_for(lambda: first.status().step >= 1)
    second.play()
    wait_for(lambda: second.status().waiting)
    first.park()
    wait_for(lambda: second.status().step >= 1)
    second.stop()
    rows = [json.loads(line) for line in trace.read_text().splitlines()]
    mine = [r for r in rows if r["setup"] == "nsgan/ring8"]
    theirs = [r for r in rows if r["setup"] == "lsgan/moons"]
    assert mine[0]["event"] == "waiting" and mine[0]["step"] == 0  # before its first slot
    parked = [r for r in mine if r["event"] == "parked"]
    assert len(parked) == 1 and parked[0]["playing"] is False and parked[0]["step"] >= 1
    assert theirs[0]["event"] == "waiting" and theirs[0]["in_use"] == 1
    first.unpark()
    wait_for(lambda: first.playing)
    first.stop()
    rows = [json.loads(line) for line in trace.read_text().splitlines()]
    events = [r["event"] for r in rows if r["setup"] == "nsgan/ring8"]
    assert "unparked" in events[events.index("parked") :]  # back from a dropped connection


def test_slots_are_handed_out_in_order_of_arrival():
    slots = Slots(1, turn_s=0.0)
    a, b, c = object(), object(), object()
    assert slots.acquire(0.1, owner=a)
    assert not slots.acquire(0.01, owner=b)  # b queues first and keeps its place
    assert not slots.acquire(0.01, owner=c)
    assert slots.waiting == 2
    assert slots.turn_over(a, held_s=0.0)  # a's turn is up, someone waits: a queues again
    assert (slots.in_use, slots.waiting) == (0, 3)
    assert not slots.acquire(0.01, owner=c)  # c may not jump the line
    assert slots.acquire(0.1, owner=b)
    assert not slots.acquire(0.01)  # an anonymous caller that times out leaves the line
    assert slots.waiting == 2
    slots.leave(c)
    slots.leave(a)
    assert slots.waiting == 0 and not slots.turn_over(b, held_s=10.0)  # nobody waits: keep it
    slots.release()
    assert slots.in_use == 0


def test_stop_ends_the_thread_for_good(runner):
    runner.play()
    wait_for(lambda: runner._thread is not None)
    thread = runner._thread
    runner.stop(wait=False)  # as when a tab closes: returns at once, the thread winds down
    thread.join(timeout=10)
    assert not thread.is_alive()
    runner.play()
    assert not runner.playing


def test_histories_stay_bounded_and_span_the_run():
    rows = Decimating(10)
    for i in range(1000):
        rows.append(i)
    assert len(rows.rows) < 10
    assert rows.rows[0] < 100 and rows.rows[-1] > 800


def test_checkpoint_and_gif(runner):
    runner.step("both")
    assert runner.checkpoint_bytes()[:2] == b"PK"  # torch.save's zip format
    real, frames, bounds = runner.frames()
    assert real.shape == (400, 2) and len(frames) >= 2 and bounds == ((-3.0, 3.0),) * 2
    gif = history_gif(real, frames, bounds)
    image = Image.open(io.BytesIO(gif))
    assert gif[:6] == b"GIF89a" and image.n_frames == len(frames)


def test_slow_motion_paces_the_stages_and_shows_each_one(runner):
    runner.set_speed(10)  # a toy run: stages of a step a second (training/stages.py)
    runner.play()
    wait_for(lambda: runner.versions()["view"][1] >= 3)
    start, began = runner.versions()["view"][1], time.monotonic()
    time.sleep(1.0)
    rate = (runner.versions()["view"][1] - start) / (time.monotonic() - began)
    runner.pause()
    assert 3 <= rate <= 12, rate  # about 10 pictures a second, one a stage, never flat out
    assert runner.latest().stage is not None and runner.latest().step == runner.trainer.step


def test_an_absurd_learning_rate_pauses_within_a_snapshot_and_the_run_continues():
    """lr 10 with SGD (the largest lr a config allows) blows up in a few steps: the first
    snapshot that sees it pauses the run at the last finite state, which can go on with
    saner learning rates, and its checkpoint loads."""
    from ganlab.training.checkpoint import load_trainer

    runner = Runner(small(optimizer="sgd", lr_d=10.0, lr_g=10.0), slots=Slots(1))
    runner.play()
    wait_for(lambda: not runner.playing)
    status = runner.status()
    assert status.message.startswith("Training diverged by step") and "lr_d=10" in status.message
    kept = runner.trainer.step
    assert status.step == kept and runner.trainer.weights_finite()
    *finite, seen = runner.history()["step"]  # the snapshot that saw it comes right after
    assert (finite[-1] if finite else 0) == kept < seen  # the last finite one (or step 0)
    path = Path(tempfile.mkdtemp()) / "checkpoint.pt"
    path.write_bytes(runner.checkpoint_bytes())
    assert load_trainer(path).step == kept  # the last finite state, as a file
    runner.set_knobs(lr_d=1e-3, lr_g=1e-3)
    runner.play()
    wait_for(lambda: runner.status().step >= kept + 20)
    runner.pause()
    assert runner.status().message == "" and runner.trainer.weights_finite()
    runner.stop()


def test_live_pages_redraw_slower_when_runs_outnumber_the_cores(monkeypatch):
    from ganlab.ui import panels

    slots = Slots(2)
    monkeypatch.setattr(panels, "SLOTS", slots)
    monkeypatch.setattr(panels, "cpu_cores", lambda: 2)
    assert panels.redraw_every(0.2) == pytest.approx(0.2)  # nobody training
    assert slots.acquire(0.1) and slots.acquire(0.1)
    assert panels.redraw_every(0.2) == pytest.approx(0.2)  # two runs, two cores
    for _ in range(6):  # six more queue up: eight runs share two cores
        slots.acquire(0.0, owner=object())
    assert panels.redraw_every(0.2) == pytest.approx(0.8)


def test_the_server_does_not_collect_all_garbage_after_every_rerun(monkeypatch):
    """Streamlit's default full gc.collect() after each script run costs ~200 ms under the
    interpreter lock with torch and plotly loaded; live pages rerun several times a second,
    and with four tabs playing it starved training to 0.7 steps/s. The repository's
    .streamlit/config.toml (read by ``streamlit run app.py``) turns it off."""
    from streamlit import config

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("runner.postScriptGC") is False
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)
