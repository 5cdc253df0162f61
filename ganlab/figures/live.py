"""Plotly figures for live GAN training: what the playground (and later pages) draw.

Each builder takes plain numpy arrays (a Snapshot's ``view``, a Runner's history) and returns
a ``go.Figure``; nothing here imports Streamlit or touches a trainer. The colours are GAN
Lab's: real data green, generated data purple, D's heat map from purple ("fake") to green
("real"). The page redraws these several times a second while training runs, so figures are
plain dict specs (one trace per layer, segments joined by gaps) wrapped without plotly's
per-property validation, which costs 20-100 ms a figure; tests/test_viz.py validates every
builder's output in full instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ganlab.losses import PROBABILITY_OUTPUT

REAL, FAKE, D_LINE, STAR, ARROW = "#1b7837", "#762a83", "#222222", "#e08214", "rgba(0,0,0,0.55)"
PRGN = [[0.0, "#762a83"], [0.25, "#c2a5cf"], [0.5, "#f7f7f7"], [0.75, "#a6dba0"], [1.0, "#1b7837"]]
LAYERS = ("real", "fake", "D heat map", "D*", "gradients", "manifold")
ARROWS = 150  # gradient arrows drawn (a fixed subset of the fake points)
BUSY_POINTS = 300  # real and fake points each in a ``lighter`` view (a full one has 1,000)
# D's output is shown as a probability in [0, 1] for these losses (one home: losses.py)
PROBABILITY = tuple(name for name, is_p in PROBABILITY_OUTPUT.items() if is_p)
HALF = {"minimax": 0.5, "nsgan": 0.5, "lsgan": 0.5}  # D at equilibrium; critics have none
_AXIS = {"gridcolor": "#e6e6e6", "zerolinecolor": "#c8c8c8", "linecolor": "#444444"}
TEMPLATE = {
    "layout": {
        "font": {"size": 17, "color": "#222222"},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"font": {"size": 15}},
    }
}


LEGEND = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}
# In a narrow square picture a row of the legend would hold one entry: two a row instead
# (slow motion adds up to three entries to the five layers).
TWO_A_ROW = {**LEGEND, "entrywidth": 0.5, "entrywidthmode": "fraction"}


def figure(traces: list[dict[str, Any]], height: int, **layout: Any) -> go.Figure:
    """A figure from trace dicts, with the shared lecture-hall layout (big type, legend on
    top, zoom kept across live redraws)."""
    spec = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "legend": LEGEND,
        "uirevision": "keep",
        "template": TEMPLATE,
    }
    spec.update(layout)
    return go.Figure({"data": traces, "layout": spec}, _validate=False)


def segments(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of many line segments in one trace, separated by NaN gaps."""
    gap = np.full(len(start), np.nan, dtype=start.dtype)  # float32 stays float32: half the bytes
    xs = np.column_stack([start[:, 0], end[:, 0], gap]).ravel()
    ys = np.column_stack([start[:, 1], end[:, 1], gap]).ravel()
    return xs, ys


def arrow_ends(points: np.ndarray, push: np.ndarray, span: float) -> np.ndarray:
    """Tips of the gradient arrows: the longest is 8 % of the plot's span."""
    with np.errstate(over="ignore", invalid="ignore"):  # a run on its way to diverging
        longest = float(np.nanmax(np.linalg.norm(push, axis=1))) if len(push) else 0.0
    scale = 0.08 * span / longest if longest > 0 and math.isfinite(longest) else 0.0
    return points + scale * push


def line(x: Any, y: Any, name: str, color: str, **extra: Any) -> dict[str, Any]:
    """A line trace in the shared look (3 px unless ``line`` says otherwise)."""
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines",
        "name": name,
        "line": {"color": color, "width": 3, **extra.pop("line", {})},
        **extra,
    }


def hline(y: float, text: str, yref: str = "y") -> tuple[dict[str, Any], dict[str, Any]]:
    """A dotted horizontal line across the plot and its label, as (shape, annotation)."""
    shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y, "yref": yref}
    shape["line"] = {"dash": "dot", "color": "#555555", "width": 2}
    note = {"xref": "paper", "x": 1, "xanchor": "right", "y": y, "yref": yref}
    return shape, {**note, "yanchor": "bottom", "text": text, "showarrow": False}


def _dots(x: Any, y: Any, name: str, color: str, size: int = 6) -> dict[str, Any]:
    marker = {"color": color, "size": size, "line": {"width": 0}}
    return {"type": "scatter", "x": x, "y": y, "mode": "markers", "name": name, "marker": marker}


def _d_star(view: dict[str, np.ndarray]) -> np.ndarray:
    """D* = p_data / (p_data + p_g), blank (NaN) where neither has mass: there D* is 0/0,
    and the view's tiny Gaussian tails would otherwise paint it 1 far from any data."""
    mass = view["p_data"] + view["p_g"]
    return np.where(mass > 1e-3 * mass.max(), view["d_star"], np.nan).astype(np.float32)


def distribution_2d(
    view: dict[str, np.ndarray], loss: str = "nsgan", layers: tuple[str, ...] = LAYERS,
    height: int = 640,
) -> go.Figure:  # fmt: skip
    """Real vs fake points over D's heat map, D*'s 0.5 contour, G's gradient arrows on the fake
    points and the generator's manifold (a warped grid of the noise space)."""
    grid = view["grid"]
    xs, ys = np.unique(grid[:, 0]), np.unique(grid[:, 1])
    shape = (len(ys), len(xs))
    traces: list[dict[str, Any]] = []
    if "D heat map" in layers:
        probability = loss in PROBABILITY
        scale = {"zmin": 0.0, "zmax": 1.0} if probability else {"zmid": HALF.get(loss, 0.0)}
        traces.append({
            "type": "heatmap", "x": xs, "y": ys, "z": view["d_grid"].reshape(shape),
            "colorscale": PRGN, "opacity": 0.7, "name": "D(x)", "hoverinfo": "skip",
            "colorbar": {"title": {"text": "D(x)" if probability else "D score"},
                         "thickness": 14, "len": 0.75}, **scale,
        })  # fmt: skip
    if "D*" in layers:
        traces.append({
            "type": "contour", "x": xs, "y": ys, "z": _d_star(view).reshape(shape),
            "showscale": False, "name": "D* = 0.5", "showlegend": True, "hoverinfo": "skip",
            "contours": {"coloring": "none", "start": 0.5, "end": 0.5, "size": 1},
            "line": {"color": STAR, "width": 2.5, "dash": "dot"},
        })  # fmt: skip
    if "manifold" in layers and "manifold" in view:
        lines = view["manifold"]
        gap = np.full((len(lines), 1, lines.shape[2]), np.nan, dtype=lines.dtype)
        path = np.concatenate([lines, gap], axis=1).reshape(-1, lines.shape[2])
        y = path[:, 1] if path.shape[1] > 1 else np.zeros(len(path))
        color = "rgba(118,42,131,0.35)"
        traces.append(line(path[:, 0], y, "G's manifold", color, line={"width": 1.2}))
    if "fake" in layers:
        traces.append(_dots(view["fake"][:, 0], view["fake"][:, 1], "fake G(z)", FAKE))
    if "real" in layers:  # on top: the data's small modes stay visible under a fake cloud
        traces.append(_dots(view["real"][:, 0], view["real"][:, 1], "real", REAL))
    if "gradients" in layers:
        fake = view["fake"][:ARROWS]
        sx, sy = segments(fake, arrow_ends(fake, view["fake_push"][:ARROWS], xs[-1] - xs[0]))
        traces.append(line(sx, sy, "G's gradient", ARROW, line={"width": 1.3}, hoverinfo="skip"))
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain"}
    return figure(
        traces,
        height,
        legend=TWO_A_ROW,
        xaxis={**axis, "range": [float(xs[0]), float(xs[-1])]},
        yaxis={**axis, "range": [float(ys[0]), float(ys[-1])], "scaleanchor": "x"},
    )


def distribution_1d(
    view: dict[str, np.ndarray], loss: str = "nsgan", layers: tuple[str, ...] = LAYERS,
    height: int = 640,
) -> go.Figure:  # fmt: skip
    """p_data and p_g as densities, D's output and D* on a second axis; real and fake samples
    as strips under the axis with G's gradient arrows; G(evenly spaced z) as ticks on top."""
    x = view["grid"][:, 0]
    lo, hi = float(x[0]), float(x[-1])
    fake = view["fake"][:, 0]
    p_g, edges = np.histogram(fake, bins=60, range=(lo, hi), density=True)
    top = max(float(view["p_data"].max()), float(p_g.max()), 1e-6) * 1.1
    traces: list[dict[str, Any]] = []
    if "real" in layers:
        fill = {"fill": "tozeroy", "fillcolor": "rgba(27,120,55,0.18)"}
        traces.append(line(x, view["p_data"].astype(np.float32), "p_data", REAL, **fill))
    if "fake" in layers:
        fill = {"fill": "tozeroy", "fillcolor": "rgba(118,42,131,0.18)"}
        mids = (edges[1:] + edges[:-1]) / 2
        p_g = p_g.astype(np.float32)
        traces.append(line(mids, p_g, "p_g", FAKE, line={"shape": "hvh"}, **fill))
    jitter = np.random.default_rng(0).uniform(-0.04, 0.04, len(view["fake"])).astype(np.float32)
    jitter *= top
    strips = {"real": (view["real"][:, 0], -0.12 * top, REAL), "fake": (fake, -0.26 * top, FAKE)}
    for name, (points, level, color) in strips.items():
        if name in layers:
            dots = _dots(points, level + jitter[: len(points)], name, color, size=4)
            traces.append({**dots, "showlegend": False, "hoverinfo": "skip", "opacity": 0.5})
    if "gradients" in layers:
        start = np.column_stack([fake[:ARROWS], -0.26 * top + jitter[:ARROWS]])
        push = np.column_stack([view["fake_push"][:ARROWS, 0], np.zeros(len(start), np.float32)])
        sx, sy = segments(start, arrow_ends(start, push, hi - lo))
        traces.append(line(sx, sy, "G's gradient", ARROW, line={"width": 1.3}, hoverinfo="skip"))
    if "manifold" in layers and "manifold" in view:
        gx = view["manifold"].reshape(-1, view["manifold"].shape[-1])[:, 0]
        ticks = [np.column_stack([gx, np.full_like(gx, f * top)]) for f in (1.0, 1.08)]
        sx, sy = segments(*ticks)
        traces.append(line(sx, sy, "G(evenly spaced z)", FAKE, line={"width": 1.5}))
    if "D heat map" in layers:
        traces.append(line(x, view["d_grid"], "D(x)", D_LINE, yaxis="y2"))
    if "D*" in layers:
        traces.append(line(x, _d_star(view), "D*(x)", STAR, yaxis="y2", line={"dash": "dot"}))
    y2 = {"overlaying": "y", "side": "right", "showgrid": False}
    probability = loss in PROBABILITY
    y2["title"] = {"text": "D(x)" if probability else "D score"}
    if probability:
        y2.update(range=[-0.45, 1.15], tickvals=[0, 0.5, 1])
    return figure(
        traces,
        height,
        margin={"l": 60, "r": 60, "t": 40, "b": 50},
        xaxis={"range": [lo, hi], "title": {"text": "x"}},
        yaxis={"range": [-0.33 * top, 1.15 * top], "title": {"text": "density"}},
        yaxis2=y2,
    )


GRID_KEYS = ("grid", "d_grid", "p_data", "p_g", "d_star")  # one value per grid cell
POINT_KEYS = ("real", "fake", "fake_push")  # one row per sample point


def lighter(view: dict[str, np.ndarray], points: int = BUSY_POINTS) -> dict[str, np.ndarray]:
    """The view with its first ``points`` samples, every other point of the manifold's lines
    and, in 2D, every other grid row and column: a chart of half the bytes and far less
    drawing, for a server with more runs playing than cores (each tab redraws in software)."""
    out = dict(view)
    for key in POINT_KEYS:
        out[key] = view[key][:points]
    if "manifold" in view:
        out["manifold"] = view["manifold"][:, ::2]
    if view["real"].shape[1] == 2:
        grid = view["grid"]
        xs, ys = np.unique(grid[:, 0]), np.unique(grid[:, 1])
        keep = np.isin(grid[:, 0], xs[::2]) & np.isin(grid[:, 1], ys[::2])
        for key in GRID_KEYS:
            out[key] = view[key][keep]
    return out


def distribution(
    view: dict[str, np.ndarray], loss: str = "nsgan", layers: tuple[str, ...] = LAYERS,
    height: int = 640, light: bool = False,
) -> go.Figure:  # fmt: skip
    """The main picture for 1D or 2D data (chosen from the view's shape); ``light`` draws
    the ``lighter`` view."""
    if light:
        view = lighter(view)
    builder = distribution_1d if view["real"].shape[1] == 1 else distribution_2d
    return builder(view, loss, layers, height)


class SpecCache:
    """Figure JSON by chart key, rebuilt only when the chart's data token changes.

    A live page redraws several times a second but the picture changes less often (a new
    view, a new history row); building and serialising an unchanged figure again only takes
    the interpreter lock from the training thread. ``spec`` returns (JSON, height)."""

    def __init__(self) -> None:
        self._specs: dict[str, tuple[Any, str, int]] = {}
        self.builds = 0  # figures built so far (benchmarks count them)

    def spec(self, key: str, token: Any, build: Callable[[], go.Figure]) -> tuple[str, int]:
        hit = self._specs.get(key)
        if hit is None or token is None or hit[0] != token:
            fig, self.builds = build(), self.builds + 1
            hit = (token, pio.to_json(fig, validate=False), int(fig.layout.height or 450))
            self._specs[key] = hit
        return hit[1], hit[2]
