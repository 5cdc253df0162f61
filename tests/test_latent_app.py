"""The latent page under Streamlit's AppTest: sliders move the digit, bad files are sentences."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "latent.py")


@pytest.fixture(scope="module")
def at() -> AppTest:
    st.cache_resource.clear()
    app = AppTest.from_file(PAGE, default_timeout=120)
    return run(app)


def run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def test_page_runs_with_a_shipped_model(at):
    assert at.selectbox(key="lat.source").value == "pretrained:infogan-mnist"
    assert at.session_state["lat.digit"].shape == (28, 28)
    assert [t.label for t in at.tabs] == ["Traversal", "Interpolation", "Arithmetic", "Inversion"]
    assert not at.error


@pytest.mark.parametrize("key, value", [("lat.z0", 0.7), ("lat.c1", -1.5), ("lat.code", None)])
def test_moving_a_slider_changes_the_image(at, key, value):
    before = at.session_state["lat.digit"].copy()
    widget = at.select_slider(key=key) if key == "lat.code" else at.slider(key=key)
    widget.set_value((widget.value + 5) % 10 if value is None else value)
    run(at)
    assert np.abs(at.session_state["lat.digit"] - before).max() > 0.01


def test_each_tab_runs(at):
    for tab in ("Interpolation", "Arithmetic", "Inversion", "Traversal"):
        at.session_state["lat.tab"] = tab
        run(at)
        assert not at.error, [e.value for e in at.error]


def test_bad_uploads_give_one_sentence_and_the_page_keeps_working(at):
    at.session_state["lat.tab"] = "Inversion"
    run(at)
    buf = io.BytesIO()
    np.save(buf, np.zeros((5, 5)))
    at.file_uploader(key="lat.up").set_value(("small.npy", buf.getvalue(), "application/npy"))
    run(at)
    assert [e.value for e in at.error] == ["The image is (5, 5); inversion needs one 28x28 digit."]
    at.file_uploader(key="lat.up").set_value(None)
    run(at)
    assert not at.error
    at.selectbox(key="lat.source").set_value("Upload a checkpoint (.pt)")
    run(at)
    at.file_uploader(key="lat.pt").set_value(("run.pt", b"not a checkpoint", "application/pt"))
    run(at)
    (message,) = [e.value for e in at.error]
    assert "is not a readable ganlab checkpoint" in message and "instead" in message
    before = at.session_state["lat.digit"].copy()
    at.slider(key="lat.z1").set_value(-0.8)
    run(at)
    assert np.abs(at.session_state["lat.digit"] - before).max() > 0.01


def test_inversion_puts_the_found_digit_on_screen(at):
    at.selectbox(key="lat.source").set_value("pretrained:infogan-mnist")
    at.session_state["lat.tab"] = "Inversion"
    run(at)
    next(b for b in at.button if b.label == "Invert").click()
    run(at)
    target, found, mse = at.session_state["lat.inverted"]
    np.testing.assert_allclose(at.session_state["lat.digit"], found, atol=0.05)
    assert mse < float(((target - 0.5) ** 2).mean())


def test_a_session_run_from_the_images_page_can_be_browsed(at):
    from types import SimpleNamespace

    from ganlab.labs.latent.pretrained import PRETRAINED_DIR

    data = (PRETRAINED_DIR / "cgan-mnist" / "checkpoint.pt").read_bytes()
    fake_runner = SimpleNamespace(
        cfg=SimpleNamespace(variant="cgan"), checkpoint_bytes=lambda: data
    )
    at.session_state["ganlab.runner.images"] = fake_runner
    run(at)
    at.selectbox(key="lat.source").set_value("This session's images run")
    run(at)
    assert not at.error
    assert at.select_slider(key="lat.code").label.startswith("label")
