"""Compare mode: run B's settings from a link and back, the overlaid curves, and the
playground and lessons pages driving two runs under Streamlit's AppTest."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ganlab.config.links import (
    COMPARE_FIELDS,
    b_config,
    compare_from_params,
    compare_to_params,
    config_to_params,
    contrast,
    differences,
    overrides_from_params,
)
from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.figures import compare as fc
from ganlab.live.threads import WORKERS_ENV

PAGES = Path(__file__).resolve().parents[1] / "pages"
A, B = "ganlab.runner.playground", "ganlab.runner.playground.b"


# ----- run B's settings and links --------------------------------------------------------------
def test_a_compare_link_round_trips_both_runs():
    a = make_config("nsgan", "ring8", lr_d=2e-4, seed=7)
    b = b_config(a, {"pack": 4, "minibatch_disc": True, "lr_g": 5e-4, "loss": "lsgan"})
    params = compare_to_params(a, b)
    assert params == {
        **config_to_params(a),
        "b.loss": "lsgan",
        "b.lr_g": "0.0005",
        "b.pack": "4",
        "b.minibatch_disc": "true",
    }
    assert params["seed"] == "7" and params["lr_d"] == "0.0002"
    assert compare_from_params(params) == (a, b)


def test_a_link_without_b_params_opens_b_as_a():
    a, b = compare_from_params({"variant": "wgan", "data": "grid25"})
    assert a == b and a.variant == "wgan" and a.data == "grid25"


@pytest.mark.parametrize(
    "param, text, words",
    [
        ("b.pack", "four", "The link's b.pack is 'four', which is not a valid int."),
        ("b.pack", "20", "The link's b.pack does not fit run B: pack is 20; it must be at least 1"),
        ("b.pack", "3", "The link's b.pack does not fit run B: batch_size is 256 but pack is 3"),
        ("b.lr_d", "0", "The link's b.lr_d does not fit run B: lr_d is 0.0; it must be greater"),
        ("b.loss", "l2", "The link's b.loss does not fit run B: loss is 'l2'; choose one of"),
        ("b.seed", "3", "The link's b.seed names no setting run B may change;"),
        ("b.data", "grid25", "The link's b.data names no setting run B may change;"),
        ("b.steps", "9", "The link's b.steps names no setting run B may change;"),
        ("b.colour", "red", "The link's b.colour names no setting run B may change;"),
    ],
)
def test_bad_b_params_give_one_sentence_naming_the_parameter(param, text, words):
    a = make_config("nsgan", "ring8")
    with pytest.raises(ConfigError) as err:
        overrides_from_params(a, {"variant": "nsgan", "data": "ring8", param: text})
    message = str(err.value)
    assert message.startswith(words) and message.endswith(".")
    assert not re.search(r"\.\s+[A-Z]", message)  # one sentence


def test_b_settings_that_do_not_fit_together_are_named():
    a = make_config("nsgan", "ring8")
    pair = {"b.batch_size": "2048", "b.minibatch_disc": "true"}  # each fits on its own
    with pytest.raises(ConfigError, match=r"^The link's b\.\* settings do not fit together"):
        overrides_from_params(a, pair)


@pytest.mark.parametrize("field", COMPARE_FIELDS)
def test_b_differs_from_a_only_in_the_picked_field_and_shares_its_seed(field):
    a = make_config("nsgan", "ring8", seed=11)
    value = contrast(a, field)
    b = b_config(a, {field: value})
    assert value != getattr(a, field)
    assert differences(a, b) == {field: value}
    assert (b.seed, b.data) == (11, "ring8")
    assert {f: v for f, v in b.to_dict().items() if v != getattr(a, f)} == {field: value}


def test_contrast_picks_a_neighbour_that_makes_a_valid_run():
    a = make_config("nsgan", "ring8")  # batch 256, pack 2, lr_d 3e-3 (not one of the slider's)
    assert contrast(a, "pack") == 4  # 3 does not divide the batch
    assert contrast(a, "lr_d") == 5e-3  # the next option above A's
    assert contrast(a, "minibatch_disc") is True
    assert contrast(a, "loss") == "lsgan"  # the one after nsgan
    assert contrast(a.replace(loss="hinge"), "loss") == "wgan"  # the last wraps backwards


def test_b_may_not_leave_a_s_data_or_seed():
    a = make_config("nsgan", "ring8")
    with pytest.raises(ConfigError, match="Run B cannot set 'seed'"):
        b_config(a, {"seed": 1})
    with pytest.raises(ConfigError, match=r"differ in data \(ring8 and grid25\)"):
        differences(a, make_config("nsgan", "grid25"))


def test_run_labels_name_both_runs_by_their_differences():
    a = make_config("nsgan", "ring8")
    assert fc.run_labels(a, b_config(a, {"pack": 4, "minibatch_disc": True})) == (
        "A: pack = 2, minibatch_disc = off",
        "B: pack = 4, minibatch_disc = on",
    )
    assert fc.run_labels(a, b_config(a, {"lr_d": 1e-4})) == ("A: lr_d = 0.003", "B: lr_d = 0.0001")
    assert fc.run_labels(a, a) == ("A", "B: the same settings as A")


# ----- overlaid curves -------------------------------------------------------------------------
def history(n: int, shift: float = 0.0) -> dict[str, np.ndarray]:
    step = np.arange(n, dtype=np.float64)
    names = ("loss_d", "loss_g", "d_real", "d_fake", "js_grid", "modes_covered", "modes_total")
    return {"step": step, **{k: np.full(n, i + shift) for i, k in enumerate(names)}}


def test_overlaid_losses_draw_a_solid_and_b_dashed_with_a_legend():
    fig = fc.loss_curves(history(5), history(3, 0.5), ("nsgan", "nsgan"))
    go.Figure(fig.to_dict())  # valid plotly: the builders skip validation for speed
    names = [t.name for t in fig.data]
    assert names == ["A: D loss", "A: G loss", "B: D loss", "B: G loss"]
    assert [t.line.dash for t in fig.data] == ["solid", "solid", "dash", "dash"]
    assert [len(t.x) for t in fig.data] == [5, 5, 3, 3]
    assert (fig.data[0].y[0], fig.data[2].y[0], fig.data[3].y[0]) == (0, 0.5, 1.5)  # B's own
    assert fig.data[0].line.color == fig.data[2].line.color  # one colour per quantity
    assert fig.layout.shapes[0].y0 == pytest.approx(2 * np.log(2))  # both nsgan: D at 2 log 2
    assert not fc.loss_curves(history(5), history(3), ("nsgan", "lsgan")).layout.shapes


def test_overlaid_d_outputs_js_and_modes():
    a, b = history(4), history(6, 1.0)
    d = fc.d_outputs(a, b, ("nsgan", "nsgan"))
    assert [t.name for t in d.data][::2] == ["A: D(x) real", "B: D(x) real"]
    assert list(d.layout.yaxis.range) == [-0.02, 1.02]
    assert not fc.d_outputs(a, b, ("nsgan", "wgan")).layout.shapes  # a critic has no ½
    js = fc.divergence_curves(a, b)
    assert [t.name for t in js.data] == ["A: JS", "B: JS"] and js.layout.yaxis.type == "log"
    modes = fc.coverage_curves(a, b)
    assert [t.name for t in modes.data] == ["A: modes covered", "B: modes covered"]
    assert modes.layout.yaxis.range[1] == pytest.approx(7.3)  # the larger modes_total, B's 7
    w1 = {"step": np.arange(3.0), "w1": np.ones(3)}
    assert [t.name for t in fc.coverage_curves(w1, w1).data] == ["A: W1 (sliced)", "B: W1 (sliced)"]
    for fig in (d, js, modes):
        go.Figure(fig.to_dict())


# ----- the pages -------------------------------------------------------------------------------
def page(name: str, **params: str) -> AppTest:
    st.cache_resource.clear()  # AppTest sessions share one id: release the last one's runners
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=120)
    at.query_params.update(params)
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(json.loads(c.proto.json)["spec"]) for c in at.get("bidi_component")]


def wait_for(runner, above: int) -> None:
    deadline = time.monotonic() + 60
    while runner.status().step <= above and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _release():
    yield
    st.cache_resource.clear()


def test_a_compare_link_opens_two_runs_that_play_together(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")  # in-process runs, to look at their trainers
    at = run(page("playground", variant="nsgan", data="ring8", lr_g="0.002", **{"b.pack": "4"}))
    a, b = at.session_state[A], at.session_state[B]
    assert (a.cfg.pack, b.cfg.pack) == (2, 4) and b.cfg == a.cfg.replace(pack=4)
    assert (a.trainer.game.d.pack, b.trainer.game.d.pack) == (2, 4)  # D judges packs of 2, 4
    assert at.toggle(key="pg.compare").value
    assert [m.value for m in at.markdown if m.value.startswith("####")] == [
        "#### A: pack = 2",
        "#### B: pack = 4",
    ]
    assert metrics(at, "Step") == ["0", "0"] and metrics(at, "Modes covered") == ["0 of 8"] * 2
    figures = charts(at)
    assert len(figures) == 6  # two pictures, four overlaid charts
    assert [t["name"] for t in figures[2]["data"]] == [
        "A: D loss", "A: G loss", "B: D loss", "B: G loss"
    ]  # fmt: skip
    assert dict(at.query_params) == {
        "variant": "nsgan", "data": "ring8", "lr_g": "0.002", "b.pack": "4"
    }  # fmt: skip
    at.button(key="pgb.play").click()
    run(at)
    assert a.playing and b.playing and at.button(key="pgb.pause").label == "Pause"
    wait_for(a, 3)
    wait_for(b, 3)
    at.button(key="pgb.pause").click()
    run(at)
    assert not a.playing and not b.playing
    assert [int(s.replace(",", "")) for s in metrics(at, "Step")] == [
        a.status().step,
        b.status().step,
    ]
    assert min(a.status().step, b.status().step) > 3
    next(btn for btn in at.button if btn.label == "Step both").click()
    before = a.status().step, b.status().step
    run(at)
    assert (a.status().step, b.status().step) == (before[0] + 1, before[1] + 1)


def test_sidebar_knobs_reach_both_runs_except_the_compared_one(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")
    at = run(page("playground", variant="nsgan", data="ring8", **{"b.lr_d": "0.0001"}))
    a, b = at.session_state[A], at.session_state[B]
    at.select_slider(key="pg.lr_d").set_value(2e-4)
    at.select_slider(key="pg.lr_g").set_value(5e-4)
    at.slider(key="pg.k").set_value(3)
    run(at)
    assert (a.cfg.lr_d, a.cfg.lr_g, a.cfg.k) == (2e-4, 5e-4, 3)
    assert (b.cfg.lr_d, b.cfg.lr_g, b.cfg.k) == (1e-4, 5e-4, 3)  # B keeps its own lr_d
    assert b.trainer.opt_g.param_groups[0]["lr"] == pytest.approx(5e-4)
    assert at.query_params["b.lr_d"] == "0.0001" and at.query_params["lr_g"] == "0.0005"


def test_picking_what_b_compares_starts_both_over(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")
    at = run(page("playground"))
    assert not at.toggle(key="pg.compare").value and B not in at.session_state
    a = at.session_state[A]
    a.step()
    at.toggle(key="pg.compare").set_value(True)
    run(at)
    b = at.session_state[B]
    assert at.selectbox(key="pgb.field").value == "pack" and b.cfg.pack == 4  # A's is 2
    assert a.status().step == 0 and b.status().step == 0  # both from step 0
    b.step()
    at.selectbox(key="pgb.field").set_value("minibatch_disc")
    run(at)
    assert differences(a.cfg, b.cfg) == {"minibatch_disc": True} and b.status().step == 0
    at.selectbox(key="pgb.field").set_value("lr_g")
    run(at)
    at.select_slider(key="pgb.lr_g").set_value(1e-4)
    run(at)
    assert differences(a.cfg, b.cfg) == {"lr_g": 1e-4} and at.query_params["b.lr_g"] == "0.0001"
    at.selectbox(key="pgb.field").set_value("batch_size")
    run(at)
    assert b.cfg.batch_size == 512
    at.selectbox(key="pgb.field").set_value("pack")
    run(at)
    at.slider(key="pgb.pack").set_value(3)  # 3 does not divide the batch of 256: refused
    run(at)
    assert [e.value for e in at.error] == [
        "batch_size is 256 but pack is 3; the batch size must be a multiple of pack so D can "
        "judge whole packs. Run B keeps pack = 4."
    ]
    assert b.cfg.pack == 4
    at.button(key="pgb.play").click()
    run(at)
    assert a.playing and b.playing
    at.toggle(key="pg.compare").set_value(False)
    run(at)
    assert len(charts(at)) == 5 and "b.pack" not in at.query_params  # A alone again
    assert a.playing and not b.playing  # B pauses while it is not shown
    a.pause()


def test_a_bad_b_param_says_so_and_opens_run_a_alone():
    at = run(page("playground", variant="nsgan", data="ring8", **{"b.pack": "99"}))
    assert [e.value for e in at.error] == [
        "The link's b.pack does not fit run B: pack is 99; it must be at least 1 and at most "
        "16. The playground shows run A alone."
    ]
    assert not at.toggle(key="pg.compare").value and len(charts(at)) == 5
    assert at.session_state[A].cfg.pack == 2 and B not in at.session_state


def test_the_lessons_compare_button_loads_both_arms(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")
    at = run(page("lessons"))
    assert at.button(key="ls.packing.compare").label == "Open both in compare mode"
    keys = {b.key for b in at.button}
    assert "ls.balance-k.compare" not in keys  # three arms: the per-arm buttons only
    assert "ls.equilibrium.compare" not in keys  # one arm
    at.button(key="ls.wgan-critic.compare").click()
    run(at)
    a, b = at.session_state[A], at.session_state[B]
    assert (a.cfg.variant, b.cfg.variant) == ("wgan", "wgan-gp")
    assert (a.cfg.clip, b.cfg.gp_weight, b.cfg.optimizer) == (0.05, 10.0, "adam")
    assert a.cfg.seed == b.cfg.seed == 0 and a.cfg.batch_size == b.cfg.batch_size == 64
    assert at.session_state["ganlab.compare.on"]
    assert at.session_state["pg.variant"] == "wgan" and at.session_state["pgb.field"] == "several"
    assert at.success[0].value.startswith("Loaded both into the playground's compare mode")


def test_random_compare_links_give_two_configs_or_one_sentence() -> None:
    """Fuzz: links with random b.* names and values (valid rows, garbage, extremes) either
    give two configs that share the seed and data, or one ConfigError sentence."""
    import random

    from ganlab.config.fields import ROWS
    from ganlab.config.links import compare_from_params
    from ganlab.errors import ConfigError

    rnd = random.Random(7)
    names = [row.name for row in ROWS] + ["nope", "", "b", "seed", "data"]
    values = [
        "0",
        "-1",
        "1e308",
        "nan",
        "inf",
        "4",
        "0.5",
        "true",
        "adam",
        "wgan",
        "",
        "é",
        "9" * 40,
    ]
    for _ in range(400):
        params = {"variant": "nsgan", "data": "ring8"}
        for _ in range(rnd.randint(1, 3)):
            params[f"b.{rnd.choice(names)}"] = rnd.choice(values)
        try:
            a, b = compare_from_params(params)
        except ConfigError as err:
            text = str(err)
            assert text and "\n" not in text and "Traceback" not in text
        else:
            assert a.seed == b.seed and a.data == b.data
