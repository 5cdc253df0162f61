"""The images page under Streamlit's AppTest: knobs reach the run, the grid follows the
variant, Step moves it, a bad MNIST folder is one sentence and the run goes on.

One session for the module (each fresh run builds conv nets and scores 500 digits: seconds
on a busy CPU); the tests run in file order and say what state they leave.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_mnist import digits, write_idx
from test_playground_app import metric, run

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "images.py")
RUNNER = "ganlab.runner.images"


@pytest.fixture(scope="module")
def at():
    st.cache_resource.clear()  # AppTest reuses one session id: start from no runner
    app = AppTest.from_file(PAGE, default_timeout=120)
    yield run(app)
    st.cache_resource.clear()


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def captions(app: AppTest) -> list[str]:
    return [c for image in app.image for c in image.captions]


def test_page_renders_grid_charts_and_scores(at):
    assert at.title[0].value == "Image GANs" and not at.error
    assert at.session_state["img.grid"].shape == (8, 8, 28, 28)
    assert [b.label for b in at.button][:5] == ["Play", "Step D", "Step G", "Step both", "Reset"]
    assert metric(at, "Step") == "0" and metric(at, "Device") == "CPU"
    assert float(metric(at, "Fréchet to real digits").replace(",", "")) > 0
    specs = [json.loads(json.loads(c.proto.json)["spec"]) for c in at.get("bidi_component")]
    assert [t["name"] for t in specs[2]["data"]][:2] == ["mean confidence", "rarest digit's share"]
    assert len(specs) == 3 and specs[0]["data"][0]["name"] == "D loss"
    assert any("nearest of the 10,000 training digits" in c for c in captions(at))
    assert at.selectbox(key="img.variant").options == ["dcgan", "cgan", "infogan", "lapgan"]


def test_live_knobs_reach_the_running_config(at):
    runner = at.session_state[RUNNER]
    at.select_slider(key="img.lr_d").set_value(1e-4)
    at.slider(key="img.k").set_value(2)
    run(at)
    assert runner.cfg.lr_d == 1e-4 and runner.cfg.k == 2
    runner.step("d")  # a snapshot reads D's rate from its optimizer (and G is unchanged)
    assert runner.latest().lr_d == 1e-4 and runner.status().step == 0


def test_step_advances_and_the_grid_changes(at):
    before = at.session_state["img.grid"].copy()
    button(at, "Step both").click()
    run(at)
    assert metric(at, "Step") == "1"
    assert np.abs(at.session_state["img.grid"] - before).max() > 1e-3


def test_a_bad_mnist_folder_is_one_sentence_and_the_run_goes_on(at, tmp_path):
    runner = at.session_state[RUNNER]
    at.text_input(key="img.mnist_dir").set_value(str(tmp_path / "nowhere"))
    run(at)
    assert [e.value for e in at.error] == [
        f"MNIST folder {tmp_path / 'nowhere'} does not exist or is not a folder. "
        "Training goes on with the 10,000 bundled digits."
    ]
    at.text_input(key="img.mnist_dir").set_value(str(tmp_path))  # a folder, but no MNIST
    run(at)
    assert len(at.error) == 1 and "has no train-images-idx3-ubyte[.gz]" in at.error[0].value
    assert runner.cfg.mnist_dir == "" and runner.status().step == 1 and not at.warning
    button(at, "Step both").click()
    run(at)
    assert metric(at, "Step") == "2"
    at.text_input(key="img.mnist_dir").set_value("")
    run(at)
    assert not at.error


def test_cgan_draws_a_row_per_label(at):
    runner = at.session_state[RUNNER]
    at.selectbox(key="img.variant").set_value("cgan")
    run(at)
    assert runner.cfg.variant == "dcgan"  # a run at step 2 is not thrown away silently
    assert any("needs a fresh run" in w.value for w in at.warning)
    button(at, "Reset and apply").click()
    run(at)
    assert (runner.cfg.variant, runner.cfg.lr_d, runner.status().step) == ("cgan", 2e-4, 0)
    assert at.session_state["img.grid"].shape == (10, 8, 28, 28)
    assert any(c.startswith("One row per label 0 to 9") for c in captions(at))


def test_wgan_gp_is_the_critic_loss_with_a_penalty_of_the_shown_weight(at):
    runner = at.session_state[RUNNER]  # cgan at step 0: changes rebuild the run at once
    at.selectbox(key="img.loss").set_value("wgan-gp")
    run(at)
    assert at.select_slider(key="img.gp_weight").value == 10.0
    at.select_slider(key="img.gp_weight").set_value(5.0)
    run(at)
    assert (runner.cfg.loss, runner.cfg.gp_weight) == ("wgan", 5.0)
    button(at, "Step D").click()  # the conditional critic's penalty runs
    run(at)
    assert metric(at, "Step") == "0" and not at.error
    at.selectbox(key="img.loss").set_value("hinge")
    run(at)
    assert (runner.cfg.loss, runner.cfg.gp_weight) == ("hinge", 0.0)


def test_infogan_shows_lambda_and_its_code_sweeps(at):
    runner = at.session_state[RUNNER]  # still at step 0: a new variant rebuilds at once
    at.selectbox(key="img.variant").set_value("infogan")
    run(at)
    at.select_slider(key="img.info_lambda").set_value(0.5)
    run(at)
    assert (runner.cfg.variant, runner.cfg.info_lambda, runner.cfg.loss) == (
        "infogan",
        0.5,
        "nsgan",
    )
    assert at.session_state["img.grid"].shape == (10, 8, 28, 28)
    assert at.selectbox(key="img.view").options == [
        "Real training digits",
        "What c1 does",
        "What c2 does",
    ]
    at.selectbox(key="img.view").set_value("c2_sweep")
    run(at)
    assert any(c.startswith("c2 from -2 to 2") for c in captions(at))


def test_a_variant_without_those_views_falls_back_to_real_digits(at):
    at.number_input(key="img.nn_row").set_value(9)  # InfoGAN has 10 rows, LAPGAN 8
    run(at)
    at.selectbox(key="img.variant").set_value("lapgan")
    run(at)
    assert at.session_state[RUNNER].cfg.variant == "lapgan"
    assert at.selectbox(key="img.view").value == "real"
    assert "The pyramid's levels" in at.selectbox(key="img.view").options
    assert at.number_input(key="img.nn_row").value == 7
    assert any("G's digit at row 7, column 0" in c for c in captions(at))


def test_a_full_mnist_folder_trains_on_its_digits_and_a_corrupt_one_keeps_the_run(at, tmp_path):
    runner = at.session_state[RUNNER]  # lapgan at step 0: a new folder rebuilds at once
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", 2051, (50, 28, 28), digits(50), gz=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", 2049, (50,), bytes(range(10)) * 5)
    at.text_input(key="img.mnist_dir").set_value(str(tmp_path))
    run(at)
    assert runner.cfg.mnist_dir == str(tmp_path) and not at.error
    assert any("nearest of the 50 training digits" in c for c in captions(at))
    bad = tmp_path / "bad"
    bad.mkdir()
    write_idx(bad / "train-images-idx3-ubyte", 2051, (50, 28, 28), digits(49))  # truncated
    write_idx(bad / "train-labels-idx1-ubyte", 2049, (50,), bytes(50))
    at.text_input(key="img.mnist_dir").set_value(str(bad))
    run(at)
    assert len(at.error) == 1 and at.error[0].value.endswith(
        "The run goes on with its current settings."
    )
    assert runner.cfg.mnist_dir == str(tmp_path)
