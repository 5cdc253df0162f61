"""Drawn points and the links that carry them: the ``points=`` codec, its round trip through
config_to_params / config_from_params, corrupt parameters as one ConfigError sentence, and
the canvas's browser state read back as checked points."""

from __future__ import annotations

import random
import string
import time
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ganlab.config.links import config_from_params, config_to_params, save_points
from ganlab.config.points_link import (
    MAX_POINTS,
    PARAM,
    decode_points,
    encode_points,
    npy_bytes,
    quantize,
)
from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.live.threads import WORKERS_ENV
from ganlab.ui.draw import plane, points_of

ROOT = Path(__file__).resolve().parents[1]


def drawn(n: int, seed: int = 0, reach: float = 3.0) -> np.ndarray:
    return quantize(np.random.default_rng(seed).uniform(-reach, reach, (n, 2)))


def test_a_drawn_set_round_trips_exactly_and_300_points_fit_in_2000_characters():
    points = drawn(300)
    text = encode_points(points)
    assert len(text) == 1600  # 300 points x 4 bytes, in base64: 4 characters per 3 bytes
    assert set(text) <= set(string.ascii_letters + string.digits + "-_")
    assert np.array_equal(decode_points(text), points)
    assert decode_points(text).dtype == np.float32


def test_quantize_rounds_to_thousandths_as_a_link_brings_them_back():
    raw = np.array([[0.12345, -2.71828], [1.0004, 1.0006]])
    assert np.allclose(quantize(raw), [[0.123, -2.718], [1.0, 1.001]], atol=1e-6)
    assert np.array_equal(decode_points(encode_points(raw)), quantize(raw))


def test_sets_a_link_cannot_carry_are_not_encoded():
    assert encode_points(drawn(MAX_POINTS)) is not None
    assert encode_points(drawn(MAX_POINTS + 1)) is None  # too many
    assert encode_points(drawn(1)) is None  # too few
    assert encode_points(np.zeros((10, 1), np.float32)) is None  # 1D
    assert encode_points(np.array([[0.0, 40.0], [1.0, 1.0]])) is None  # beyond +-32.767
    assert encode_points(np.array([[0.0, np.nan], [1.0, 1.0]])) is None


def test_a_link_carries_a_drawn_set_and_opening_it_trains_on_the_same_file():
    points = drawn(120, seed=3)
    path = save_points(npy_bytes(points), "drawn.npy")
    cfg = make_config("wgan-gp", path, lr_d=0.0005, seed=7)
    params = config_to_params(cfg)
    assert "data" not in params and params["variant"] == "wgan-gp"
    assert params["lr_d"] == "0.0005" and params["seed"] == "7"
    assert np.array_equal(decode_points(params[PARAM]), points)
    back = config_from_params(params)
    assert back.data == path  # stored by content: the same file
    assert back == cfg
    assert np.array_equal(np.load(back.data), points)


def test_an_upload_beyond_500_points_links_to_ring8_as_before():
    path = save_points(npy_bytes(drawn(MAX_POINTS + 1, seed=4)), "big.npy")
    params = config_to_params(make_config("nsgan", path))
    assert params["data"] == "ring8" and PARAM not in params
    one_d = save_points(b"x\n1\n2\n3\n", "one.csv")
    assert config_to_params(make_config("nsgan", one_d))["data"] == "ring8"


def test_points_win_over_a_data_parameter_and_toy_links_are_unchanged():
    text = encode_points(drawn(10, seed=5))
    cfg = config_from_params({"variant": "nsgan", "data": "grid25", PARAM: text})
    assert cfg.data.endswith(".npy")
    assert PARAM not in config_to_params(make_config("nsgan", "spiral"))


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "holds 0 points; a set needs at least 2"),
        ("AAAAAA", "holds 1 point; a set needs at least 2"),
        ("AAAA", "cut short: 3 bytes are not whole (x, y) pairs"),
        ("A", "cut short: its length (1) is one more than a multiple of 4"),
        ("AA+A", "not base64url text"),
        ("AA AA", "not base64url text"),
        ("ÄÄÄÄ", "not base64url text"),
        ("A" * 2668, "more than 500 points"),
    ],
)
def test_a_corrupt_points_parameter_is_one_sentence(text, words):
    with pytest.raises(ConfigError, match="The link's points parameter") as caught:
        config_from_params({"variant": "nsgan", PARAM: text})
    assert words in str(caught.value)
    assert str(caught.value).count(". ") == 0 and str(caught.value).endswith(".")


def test_random_points_parameters_give_a_config_error_or_a_valid_set():
    rng = random.Random(0)
    alphabet = string.printable + "äé€\x00=-_"
    good = encode_points(drawn(40, seed=6))
    for trial in range(600):
        kind = trial % 3
        if kind == 0:  # any characters
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        elif kind == 1:  # base64url characters of any length
            chars = string.ascii_letters + string.digits + "-_"
            text = "".join(rng.choice(chars) for _ in range(rng.randrange(0, 2800)))
        else:  # a good parameter, cut or with a character changed
            cut = rng.randrange(0, len(good))
            end = rng.randrange(cut + 1, len(good) + 1)
            text = good[:cut] + rng.choice(alphabet) + good[cut + 1 : end]
        try:
            cfg = config_from_params({"variant": "nsgan", PARAM: text})
        except ConfigError as err:
            assert str(err).startswith("The link's points parameter"), str(err)
            continue
        points = np.load(cfg.data)
        assert points.shape[1] == 2 and 2 <= len(points) <= MAX_POINTS
        assert np.abs(points).max() <= 32.768


def test_the_canvas_state_becomes_checked_points_inside_the_plane():
    low, high = plane()
    assert (low, high) == (-3.0, 3.0)  # ring8's box, as the toy sets are drawn
    got = points_of([0.1234, -1.0, 9.0, 2.0, float("nan"), 1.0])
    assert np.allclose(got, [[0.123, -1.0], [3.0, 2.0]])  # clipped, rounded, NaN dropped
    assert points_of(None).shape == (0, 2)
    assert points_of([1.0, 2.0, 3.0]).shape == (0, 2)  # not whole pairs
    assert points_of(["a", {}]).shape == (0, 2)
    assert points_of("not a list").shape == (0, 2)
    assert len(points_of(list(range(2 * MAX_POINTS + 40)))) == MAX_POINTS


def test_the_playground_trains_on_drawn_points_and_links_them(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "0")  # an in-process run, to look at it
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=60)
    try:
        at.run()
        runner = at.session_state["ganlab.runner.playground"]
        at.selectbox(key="pg.data").set_value("draw")
        at.run()
        assert [i.value for i in at.sidebar.info] == ["Draw at least 2 points to train on them."]
        assert runner.cfg.data == "ring8"  # nothing changes until the points are trained on
        at.session_state["pg.canvas"] = {"points": [0.5, 0.5, 1.0, -1.0, -2.0, 2.0]}
        at.run()
        train = next(b for b in at.sidebar.button if b.label.startswith("Train on these"))
        assert train.label == "Train on these 3 points"
        train.click()
        at.run()
        assert not at.exception, at.exception
        drawn = np.array([[0.5, 0.5], [1.0, -1.0], [-2.0, 2.0]], np.float32)
        assert np.array_equal(np.load(runner.cfg.data), drawn)
        assert runner.playing
        assert np.array_equal(decode_points(at.query_params[PARAM]), drawn)
        deadline = time.monotonic() + 120
        while runner.status().step < 5:
            assert time.monotonic() < deadline, "the run on the drawn points did not step"
            time.sleep(0.2)
        real = runner.latest().view["real"]  # the picture's data points are drawn ones
        assert {tuple(p) for p in real.round(3).tolist()} <= {tuple(p) for p in drawn.tolist()}
        runner.pause()
    finally:
        st.cache_resource.clear()


@pytest.mark.parametrize("reach, shown", [(2.5, "Train on these 6 points"), (9.0, None)])
def test_the_canvas_starts_from_a_linked_set_that_lies_inside_it(monkeypatch, reach, shown):
    monkeypatch.setenv(WORKERS_ENV, "0")
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=60)
    try:
        at.query_params.update(variant="nsgan", points=encode_points(drawn(6, 8, reach)))
        at.run()
        # A set the canvas can show opens on it; one beyond its plane as "your points"
        assert at.selectbox(key="pg.data").value == ("draw" if shown else "points")
        at.selectbox(key="pg.data").set_value("draw")
        at.run()
        assert not at.exception, at.exception
        labels = [b.label for b in at.sidebar.button if b.label.startswith("Train on these")]
        assert labels == ([shown] if shown else [])  # beyond the plane: a fresh drawing
    finally:
        st.cache_resource.clear()
