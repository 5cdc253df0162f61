"""Figures, captions, links and the GIF: valid plotly, the right layers, honest numbers."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from ganlab.config.links import config_from_params, config_to_params
from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.figures import curves as viz_curves
from ganlab.figures import live as viz
from ganlab.figures.animation import history_gif
from ganlab.figures.captions import captions
from ganlab.training.trainer import Trainer


@pytest.fixture(scope="module")
def views():
    out = {}
    for data in ("ring8", "gauss1d"):
        trainer = Trainer(make_config("nsgan", data, hidden=16, batch_size=64))
        for _ in range(3):
            trainer.train_step()
        out[data] = trainer.snapshot(view=True).view
    return out


def valid(fig: go.Figure) -> go.Figure:
    """The builders skip plotly's validation for speed; here it runs in full (it raises on
    any unknown property or bad value). The figure itself is returned for inspection."""
    go.Figure(fig.to_dict())
    return fig


def history(n: int = 50) -> dict[str, np.ndarray]:
    step = np.arange(n, dtype=float)
    rows = {"step": step, "loss_d": 1.4 - step / 100, "loss_g": 0.7 + step / 100}
    rows.update(d_real=np.full(n, 0.6), d_fake=np.full(n, 0.4))
    return rows


def test_2d_picture_has_one_trace_per_layer(views):
    fig = valid(viz.distribution(views["ring8"]))
    kinds = [t.type for t in fig.data]
    assert kinds == ["heatmap", "contour", "scatter", "scatter", "scatter", "scatter"]
    names = [t.name for t in fig.data]
    assert names[2:] == ["G's manifold", "fake G(z)", "real", "G's gradient"]
    assert fig.data[0].z.shape == (60, 60) and (fig.data[0].zmin, fig.data[0].zmax) == (0, 1)
    assert fig.layout.yaxis.scaleanchor == "x"  # circles look like circles
    only = valid(viz.distribution(views["ring8"], layers=("real", "fake")))
    assert [t.name for t in only.data] == ["fake G(z)", "real"]


@pytest.mark.parametrize("data", ["ring8", "gauss1d"])
def test_a_lighter_picture_keeps_every_layer_with_fewer_points(views, data):
    view = views[data]
    full, light = viz.distribution(view), valid(viz.distribution(viz.lighter(view)))
    assert [t.name for t in light.data] == [t.name for t in full.data]
    real = next(t for t in light.data if t.name == "real")
    assert len(real.x) == viz.BUSY_POINTS < len(view["real"])
    np.testing.assert_array_equal(real.x, view["real"][: viz.BUSY_POINTS, 0])  # the same draw
    if data == "ring8":
        assert light.data[0].z.shape == (30, 30)  # every other row and column of D's grid
        np.testing.assert_allclose(light.data[0].z, full.data[0].z[::2, ::2])
    assert len(light.to_json()) < 0.65 * len(full.to_json())
    # Every array goes out as float32: what a chart can show, at half the bytes of float64.
    assert '"dtype":"f8"' not in full.to_json() and '"dtype":"f4"' in full.to_json()


def test_critic_scores_are_centred_not_clipped_to_probabilities(views):
    heat = valid(viz.distribution(views["ring8"], "wgan")).data[0]
    assert heat.zmid == 0 and heat.zmin is None
    assert valid(viz.distribution(views["ring8"], "lsgan")).data[0].zmid == 0.5  # D* = ½ too


def test_gradient_arrows_point_along_the_push_and_are_scaled(views):
    view = views["ring8"]
    fig = viz.distribution(view, layers=("gradients",))
    xs, ys = np.asarray(fig.data[0].x, float), np.asarray(fig.data[0].y, float)
    start, end = np.column_stack([xs[0::3], ys[0::3]]), np.column_stack([xs[1::3], ys[1::3]])
    assert np.isnan(xs[2::3]).all() and len(start) == viz.ARROWS
    np.testing.assert_allclose(start, view["fake"][: viz.ARROWS], rtol=1e-6)
    lengths = np.linalg.norm(end - start, axis=1)
    assert lengths.max() == pytest.approx(0.08 * 6.0 * (59 / 60), rel=1e-3)  # 8 % of the span
    push = view["fake_push"][: viz.ARROWS]
    cos = ((end - start) * push).sum(1) / (lengths * np.linalg.norm(push, axis=1) + 1e-12)
    assert (cos[lengths > 1e-6] > 0.999).all()


def test_1d_picture_has_densities_d_and_d_star(views):
    fig = valid(viz.distribution(views["gauss1d"]))
    names = [t.name for t in fig.data]
    assert {"p_data", "p_g", "D(x)", "D*(x)", "G's gradient", "G(evenly spaced z)"} <= set(names)
    p_g = fig.data[names.index("p_g")]
    widths = np.diff(np.asarray(p_g.x, float))
    assert float((np.asarray(p_g.y, float) * widths.mean()).sum()) == pytest.approx(1, abs=0.02)
    assert fig.data[names.index("D(x)")].yaxis == "y2"


def test_loss_curves_mark_the_equilibrium_where_there_is_one():
    fig = valid(viz_curves.loss_curves(history(), "nsgan"))
    assert len(fig.data) == 2 and fig.layout.shapes[0].y0 == pytest.approx(2 * math.log(2))
    assert valid(viz_curves.loss_curves(history(), "lsgan")).layout.shapes[0].y0 == 0.25
    assert not valid(viz_curves.loss_curves(history(), "wgan")).layout.shapes


def test_d_outputs_have_the_half_line_where_d_star_is_a_half():
    fig = valid(viz_curves.d_outputs(history(), "nsgan"))
    assert [t.name for t in fig.data] == ["D(x) real", "D(G(z)) fake"]
    assert fig.layout.shapes[0].y0 == 0.5
    assert valid(viz_curves.d_outputs(history(), "lsgan")).layout.shapes[0].y0 == 0.5
    assert not valid(viz_curves.d_outputs(history(), "hinge")).layout.shapes


def test_metric_charts():
    step = np.arange(5.0)
    metrics = {"step": step, "js_grid": step + 0.1, "kl_grid": step + 1, "kl_rev": step + 2}
    metrics.update(modes_covered=step, modes_total=np.full(5, 8.0), high_quality_frac=step / 5)
    fig = valid(viz_curves.divergence_curves(metrics))
    assert len(fig.data) == 3 and fig.layout.yaxis.type == "log"
    cov = valid(viz_curves.coverage_curves(metrics))
    assert [t.name for t in cov.data] == ["modes covered", "high quality %"]
    assert cov.layout.yaxis.range == (-0.3, 8.3) and max(cov.data[1].y) == 80
    no_modes = valid(viz_curves.coverage_curves({"step": step, "w1": step}))
    assert [t.name for t in no_modes.data] == ["W1 (sliced)"]


@pytest.mark.parametrize("loss", ["minimax", "nsgan", "lsgan", "wgan", "hinge"])
def test_every_chart_has_a_one_line_caption_about_equilibrium(loss):
    for dim, has_modes in ((1, True), (2, True), (2, False)):
        words = captions(loss, dim, has_modes)
        assert set(words) == {"distribution", "losses", "d", "js", "modes"}
        for text in words.values():
            assert "equilibrium" in text and "\n" not in text and len(text) < 260


def test_links_round_trip_and_stay_short():
    cfg = make_config("wgan", "grid25", lr_d=2e-4, k=3, seed=7)
    params = config_to_params(cfg)
    assert params == {"variant": "wgan", "data": "grid25", "k": "3", "lr_d": "0.0002", "seed": "7"}
    assert config_from_params(params) == cfg
    flags = config_to_params(make_config("nsgan", "ring8", minibatch_disc=True))
    assert flags["minibatch_disc"] == "true"
    assert config_from_params(flags).minibatch_disc is True


def test_bad_links_are_one_sentence_and_never_name_a_file():
    with pytest.raises(ConfigError, match="The link's k is 'many'"):
        config_from_params({"k": "many"})
    with pytest.raises(ConfigError, match="lr_d is 50.0"):
        config_from_params({"lr_d": "50"})
    with pytest.raises(ConfigError, match="The link's data is '/etc/points.csv'"):
        config_from_params({"data": "/etc/points.csv"})


def test_gif_of_a_1d_history():
    real = np.random.default_rng(0).normal(4, 0.5, (400, 1)).astype(np.float32)
    frames = [(s, real + s / 10) for s in range(0, 50, 10)]
    gif = history_gif(real, frames, ((0.0, 8.0),))
    image = Image.open(io.BytesIO(gif))
    assert image.n_frames == 5 and image.size == (420, 420)
    with pytest.raises(ValueError, match="no history"):
        history_gif(real, [], ((0.0, 8.0),))


def test_spec_cache_rebuilds_only_when_the_token_changes():
    cache = viz.SpecCache()

    def build():
        return viz_curves.loss_curves(history(), "nsgan", height=333)

    spec, height = cache.spec("loss", (1, 5), build)
    assert height == 333 and json.loads(spec)["data"][0]["name"] == "D loss"
    assert cache.spec("loss", (1, 5), build) == (spec, height) and cache.builds == 1
    cache.spec("loss", (1, 6), build)
    cache.spec("loss", None, build)
    assert cache.builds == 3
