"""The playground page under Streamlit's AppTest: controls drive the run, errors keep it."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from ganlab.live.threads import WORKERS_ENV

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "playground.py")
RUNNER = "ganlab.runner.playground"


def fresh() -> AppTest:
    """A new AppTest. AppTest gives every instance the same session id, so the session's
    cached runner is released (stopped) first, as when a browser tab closes."""
    st.cache_resource.clear()
    return AppTest.from_file(PAGE, default_timeout=60)


@pytest.fixture
def app():
    at = fresh()
    yield at
    st.cache_resource.clear()


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def charts(at: AppTest) -> list[dict]:
    """The figures the page sent, decoded from the live-chart components' data."""
    return [json.loads(json.loads(c.proto.json)["spec"]) for c in at.get("bidi_component")]


def test_page_runs_with_charts_and_controls(app):
    run(app)
    assert app.title[0].value == "GAN playground"
    figures = charts(app)
    assert len(figures) == 5 and len(app.caption) >= 5
    assert [t["type"] for t in figures[0]["data"][:2]] == ["heatmap", "contour"]
    assert figures[1]["data"][0]["name"] == "D loss"
    assert metric(app, "Step") == "0" and metric(app, "Modes covered") == "0 of 8"
    labels = [b.label for b in app.button]
    assert labels[:5] == ["Play", "Step D", "Step G", "Step both", "Reset"]
    assert app.query_params["variant"] == "nsgan" and app.query_params["data"] == "ring8"


def points(trace: dict, axis: str = "x") -> int:
    """How many values a trace's axis holds (plotly sends arrays as base64 typed arrays)."""
    values = trace[axis]
    if isinstance(values, dict):
        return len(base64.b64decode(values["bdata"])) // int(values["dtype"][1:])
    return len(values)


def test_a_busy_server_draws_a_lighter_picture(app, monkeypatch):
    from ganlab.live.threads import Slots
    from ganlab.ui import panels

    run(app)
    real = next(t for t in charts(app)[0]["data"] if t["name"] == "real")
    assert points(real) == 1000
    slots = Slots(2)  # eight runs want the two cores: the pages redraw 4x slower
    monkeypatch.setattr(panels, "SLOTS", slots)
    monkeypatch.setattr(panels, "cpu_cores", lambda: 2)
    for _ in range(8):
        slots.acquire(0.0, owner=object())
    run(app)
    real = next(t for t in charts(app)[0]["data"] if t["name"] == "real")
    assert points(real) == 300
    assert any("The server is busy, so it shows 300 points" in c.value for c in app.caption)


def test_play_advances_and_pause_stops(app):
    run(app)
    app.button(key="pg.play").click()
    run(app)
    runner = app.session_state[RUNNER]
    assert runner.playing and app.button(key="pg.pause").label == "Pause"
    assert "pg.play" not in [b.key for b in app.button]  # a stale Play click reaches nothing
    deadline = time.monotonic() + 20
    while runner.status().step < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    run(app)
    assert int(metric(app, "Step").replace(",", "")) >= 3
    app.button(key="pg.pause").click()
    run(app)
    stopped = runner.status().step
    time.sleep(0.3)
    run(app)
    assert not runner.playing and metric(app, "Step") == f"{stopped:,}"
    assert metric(app, "Steps / s") == "paused"


def test_knobs_change_the_running_config_and_structure_asks_to_reset(app):
    run(app)
    runner = app.session_state[RUNNER]
    app.select_slider(key="pg.lr_d").set_value(2e-4)
    app.slider(key="pg.k").set_value(3)
    run(app)
    assert runner.cfg.lr_d == 2e-4 and runner.cfg.k == 3
    app.button(key="pg.play").click()
    run(app)
    app.select_slider(key="pg.hidden").set_value(64)
    run(app)
    assert runner.cfg.hidden == 128  # a running game is not thrown away silently
    assert any("needs a fresh run" in w.value for w in app.warning)
    app.button(key="pg.pause").click()
    next(b for b in app.button if b.label == "Reset and apply").click()
    run(app)
    assert runner.cfg.hidden == 64 and runner.status().step == 0 and not app.warning


def test_a_fresh_run_takes_a_new_variant_with_its_preset(app):
    run(app)
    app.selectbox(key="pg.variant").set_value("wgan")
    run(app)
    runner = app.session_state[RUNNER]
    assert (runner.cfg.variant, runner.cfg.k, runner.cfg.optimizer) == ("wgan", 5, "rmsprop")
    assert app.query_params["variant"] == "wgan"
    assert app.slider(key="pg.k").value == 5


def test_step_buttons(app):
    run(app)
    next(b for b in app.button if b.label == "Step both").click()
    run(app)
    next(b for b in app.button if b.label == "Step G").click()
    run(app)
    assert metric(app, "Step") == "2"


def test_a_bad_config_import_shows_an_error_and_keeps_the_run(app):
    run(app)
    runner = app.session_state[RUNNER]
    lr_d = runner.cfg.lr_d
    next(b for b in app.button if b.label == "Step both").click()
    run(app)
    bad = json.loads(runner.cfg.to_json()) | {"lr_d": 50.0}
    app.text_area(key="pg.import_text").set_value(json.dumps(bad))
    next(b for b in app.button if b.label == "Import").click()
    run(app)
    assert any("lr_d is 50.0" in e.value for e in app.error)
    assert runner.cfg.lr_d == lr_d and runner.status().step == 1
    good = json.loads(runner.cfg.to_json()) | {"variant": "lsgan", "loss": "lsgan"}
    app.text_area(key="pg.import_text").set_value(json.dumps(good))
    next(b for b in app.button if b.label == "Import").click()
    run(app)
    assert runner.cfg.variant == "lsgan" and app.selectbox(key="pg.variant").value == "lsgan"


def test_a_config_may_not_name_a_server_file(app):
    run(app)
    runner = app.session_state[RUNNER]
    bad = json.loads(runner.cfg.to_json()) | {"data": "/etc/secret.csv"}
    app.text_area(key="pg.import_text").set_value(json.dumps(bad))
    next(b for b in app.button if b.label == "Import").click()
    run(app)
    assert any("upload the file on the page" in e.value for e in app.error)
    assert runner.cfg.data == "ring8"


def test_uploaded_points_train_and_a_malformed_file_keeps_the_run(app):
    run(app)
    runner = app.session_state[RUNNER]
    app.selectbox(key="pg.data").set_value("points")
    run(app)
    app.file_uploader(key="pg.upload").set_value(("bad.csv", b"x,y\n1,2\n3,oops\n", "text/csv"))
    run(app)
    assert any("row 2" in e.value and "not a list of numbers" in e.value for e in app.error)
    assert runner.cfg.data == "ring8"
    rows = "\n".join(f"{i % 5},{i // 5}" for i in range(25))
    app.file_uploader(key="pg.upload").set_value(("grid.csv", rows.encode(), "text/csv"))
    run(app)
    assert runner.cfg.data.endswith(".npy") and runner.latest().view["real"].shape[1] == 2
    assert not app.error


def test_a_shared_link_restores_the_setup(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")  # an in-process run, to look at its trainer
    at = fresh()
    at.query_params.update(variant="lsgan", data="gauss1d", k="2", lr_g="0.0005", lookahead="5")
    at.query_params.update(instance_noise="0.2", instance_noise_steps="1000")
    run(at)
    runner = at.session_state[RUNNER]
    assert (runner.cfg.variant, runner.cfg.data, runner.cfg.k) == ("lsgan", "gauss1d", 2)
    assert runner.cfg.lr_g == 5e-4 and runner.cfg.noise_dim == 1  # gauss1d's preset
    assert at.select_slider(key="pg.lr_g").value == 5e-4
    assert at.select_slider(key="pg.lookahead").value == 5 and runner.trainer.lookahead
    assert at.select_slider(key="pg.instance_noise").value == 0.2
    assert at.select_slider(key="pg.instance_noise_steps").value == 1000
    assert runner.trainer.instance_sigma() == 0.2  # the run D trains on is blurred
    st.cache_resource.clear()


def test_a_run_with_an_averaged_g_shows_the_average_and_says_so(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")  # an in-process run, to look at its nets
    at = fresh()
    at.query_params.update(variant="nsgan", data="ring8", g_ema="0.99", hidden="16")
    run(at)
    runner = at.session_state[RUNNER]
    assert runner.cfg.g_ema == 0.99 and at.select_slider(key="pg.g_ema").value == 0.99
    assert any("moving average of G's weights (decay 0.99)" in c.value for c in at.caption)
    runner.step()  # the picture's fake points are the average's samples, not G's
    fake = runner.latest().view["fake"]
    game = runner.trainer.game
    with torch.no_grad():
        assert np.allclose(fake, game.g_avg(game.fixed_z).numpy())
        assert not np.allclose(fake, game.g(game.fixed_z).numpy())
    st.cache_resource.clear()


def test_a_broken_link_says_so_and_opens_the_default():
    at = fresh()
    at.query_params.update(k="lots")
    run(at)
    assert any("The link's k is 'lots'" in e.value for e in at.error)
    assert at.session_state[RUNNER].cfg.variant == "nsgan"
    st.cache_resource.clear()


def test_a_diverging_run_pauses_and_says_why(app):
    run(app)
    runner = app.session_state[RUNNER]
    wild = json.loads(runner.cfg.to_json())
    wild |= {"variant": "lsgan", "loss": "lsgan", "optimizer": "sgd", "lr_d": 9.0, "lr_g": 9.0}
    app.text_area(key="pg.import_text").set_value(json.dumps(wild))
    next(b for b in app.button if b.label == "Import").click()
    run(app)
    app.button(key="pg.play").click()
    run(app)
    deadline = time.monotonic() + 20
    while runner.playing and time.monotonic() < deadline:
        time.sleep(0.05)
    run(app)
    assert not runner.playing and app.button(key="pg.play").label == "Play"
    assert any("diverged" in e.value and "lower the learning rates" in e.value for e in app.error)


def test_a_dropped_connection_keeps_the_run_playing(app):
    """Streamlit releases session caches when the websocket drops, also when the tab then
    reconnects: the run pauses, and the session takes the same run back and plays on."""
    run(app)
    runner = app.session_state[RUNNER]
    app.button(key="pg.play").click()
    run(app)
    deadline = time.monotonic() + 20
    while runner.status().step < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    st.cache_resource.clear()  # what a dropped websocket does to the session's caches
    deadline = time.monotonic() + 20
    while runner.playing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not runner.playing
    kept = runner.status().step
    run(app)  # the session comes back
    assert app.session_state[RUNNER] is runner and kept >= 3 and runner.playing
    deadline = time.monotonic() + 20
    while runner.status().step <= kept and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.status().step > kept  # on from where it was, not from step 0
    app.button(key="pg.pause").click()
    run(app)
    assert not runner.playing


def test_with_a_decay_the_page_says_the_knobs_set_the_base_rates(app):
    run(app)
    runner = app.session_state[RUNNER]
    assert runner.cfg.lr_decay < 1  # ring8's preset decays both rates
    words = [c.value for c in app.caption]
    assert any("the two rates below are the base rates" in w for w in words)
    shown = next(w for w in words if w.startswith("Learning rates in use at step"))
    assert f"D {runner.cfg.lr_d:.3g}, G {runner.cfg.lr_g:.3g}" in shown
