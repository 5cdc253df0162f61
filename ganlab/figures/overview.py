"""The model overview (GAN Lab's graph) and slow motion's stage on the distribution view.

``overview`` draws the model as a small graph: noise z -> Generator -> fake samples; real
samples; both -> Discriminator -> D's verdicts -> D's loss and G's loss, and the updates
flowing back to D (over the top) and to G through D (along the bottom). Each box carries
the newest snapshot's numbers (in slow motion, those the stage just computed) and the
sample boxes small plots of their points. A path lights up: D's or G's while playing, the
parts a stage uses in slow motion (``LIT``, one entry per training/stages.py STAGES). It is
plain SVG text: a page redraws it several times a second, and its words are the page's.

``staged_distribution`` is the live distribution view with the stage's batch drawn on
top: the batch drawn (1), the fresh fakes (2), D's verdict on each point (3-5), the arrows
-dL_G/dx on the fakes (6-7), and where the fakes moved (8). Pure figures: no Streamlit.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import (
    FAKE,
    LAYERS,
    PRGN,
    PROBABILITY,
    REAL,
    arrow_ends,
    distribution,
    segments,
)
from ganlab.training.snapshot import Snapshot, StageView

WIDTH, HEIGHT, PAD = 1000, 250, 4  # the overview's SVG canvas in pixels; it scales to its width
D_COLOR, DIM, PAPER = "#2166ac", "#a8a8a8", "#fbfbfb"
PLAYER_COLOR = {"D": D_COLOR, "G": FAKE}
INSET_POINTS = 150  # points in each box's small plot
INSETS = ("z", "fake", "real")  # the boxes with one
# Boxes as (x0, x1, y0, y1) on a 100 x 40 canvas.
BOXES = {
    "z": (0, 10, 12, 32), "G": (15, 30, 12, 32), "fake": (35, 47, 21, 37),
    "real": (35, 47, 3, 19), "D": (52, 67, 10, 30), "out": (72, 84, 10, 30),
    "dloss": (89, 100, 22, 34), "gloss": (89, 100, 6, 18),
}  # fmt: skip
# Edges as polylines; the arrow head is on the last point.
EDGES = {
    "z-G": [(10, 22), (15, 22)], "G-fake": [(30, 25), (35, 29)],
    "fake-D": [(47, 29), (52, 24)], "real-D": [(47, 11), (52, 16)],
    "D-out": [(67, 20), (72, 20)], "out-dloss": [(84, 24), (89, 28)],
    "out-gloss": [(84, 16), (89, 12)],
    "update-D": [(94.5, 34), (94.5, 39), (59.5, 39), (59.5, 30)],
    "update-G": [(94.5, 6), (94.5, 1), (22.5, 1), (22.5, 12)],
}  # fmt: skip
PATHS = {  # what lights while playing, in turn
    "D": {"real", "fake", "real-D", "fake-D", "D", "D-out", "out", "out-dloss", "dloss",
          "update-D"},
    "G": {"z", "z-G", "G", "G-fake", "fake", "fake-D", "D", "D-out", "out", "out-gloss",
          "gloss", "update-G"},
}  # fmt: skip
LIT = (  # the parts each of STAGES uses, in order
    {"z", "real"},
    {"z", "z-G", "G", "G-fake", "fake"},
    {"fake", "real", "fake-D", "real-D", "D", "D-out", "out"},
    {"out", "out-dloss", "dloss"},
    {"dloss", "update-D", "D"},
    {"fake", "fake-D", "D", "D-out", "out", "out-gloss", "gloss"},
    {"gloss", "update-G", "D", "G"},
    {"G", "G-fake", "fake"},
)


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}g}"


def _texts(snap: Snapshot, noise: str) -> dict[str, list[str]]:
    """Each box's lines (the first is its name): the snapshot's numbers, or in slow motion
    those the stage measured on its batch."""
    n = {"loss_d": snap.loss_d, "loss_g": snap.loss_g, "d_real": snap.d_real,
         "d_fake": snap.d_fake, "grad_norm_d": snap.grad_norm_d,
         "grad_norm_g": snap.grad_norm_g}  # fmt: skip
    if snap.stage is not None:
        n |= snap.stage.numbers
    return {
        "z": ["noise z", noise],
        "G": ["Generator", f"|∇G| {_num(n['grad_norm_g'])}", f"lr {snap.lr_g:.3g}"],
        "fake": ["fake G(z)"],
        "real": ["real x"],
        "D": ["Discriminator", f"|∇D| {_num(n['grad_norm_d'])}",
              f"lr {snap.lr_d:.3g} · k {snap.k}"],
        "out": ["D's verdicts", f"D(x) {_num(n['d_real'], 2)}",
                f"D(G(z)) {_num(n['d_fake'], 2)}"],
        "dloss": ["D's loss", _num(n["loss_d"])],
        "gloss": ["G's loss", _num(n["loss_g"])],
    }  # fmt: skip


def _xy(x: float, y: float) -> tuple[float, float]:
    """Canvas units (100 x 40, y up) to SVG pixels (WIDTH x HEIGHT, y down, a margin of
    PAD so that edge strokes show whole)."""
    return PAD + x * (WIDTH - 2 * PAD) / 100, PAD + (40 - y) * (HEIGHT - 2 * PAD) / 40


def _arrow(points: list[tuple[float, float]], color: str, width: float) -> str:
    """A polyline with a filled arrow head at its last point."""
    pixels = [_xy(x, y) for x, y in points]
    (xa, ya), (xb, yb) = pixels[-2], pixels[-1]
    length = max(((xb - xa) ** 2 + (yb - ya) ** 2) ** 0.5, 1e-9)
    ux, uy, head = (xb - xa) / length, (yb - ya) / length, 6 + 2 * width
    base = (xb - head * ux, yb - head * uy)
    pixels[-1] = base  # the line stops where the head begins
    corners = [(xb, yb), (base[0] - 0.5 * head * uy, base[1] + 0.5 * head * ux),
               (base[0] + 0.5 * head * uy, base[1] - 0.5 * head * ux)]  # fmt: skip
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pixels)
    tip = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    return (f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="{width}"/>'
            f'<polygon points="{tip}" fill="{color}"/>')  # fmt: skip


def _dots(
    name: str, title: list[str], points: np.ndarray | None, color: str, ranges: list | None
) -> str:
    """A small scatter of ``points`` inside box ``name``, under its ``title`` lines."""
    if points is None or not len(points):
        return ""
    points = points[:INSET_POINTS]
    x0, x1, y0, y1 = BOXES[name]
    ys = points[:, 1] if points.shape[1] > 1 else np.linspace(-1, 1, len(points))
    spans = ranges or [[float(points[:, 0].min()), float(points[:, 0].max())],
                       [float(ys.min()), float(ys.max())]]  # fmt: skip
    (lo_x, hi_x), (lo_y, hi_y) = spans[0], spans[1] if len(spans) > 1 else [-1.5, 1.5]
    u = np.clip((points[:, 0] - lo_x) / max(hi_x - lo_x, 1e-9), 0, 1)
    v = np.clip((ys - lo_y) / max(hi_y - lo_y, 1e-9), 0, 1)
    below = 8 if len(title) > 1 else 5.5  # room for the box's title lines
    px, py = _xy(x0 + 1 + u * (x1 - x0 - 2), y0 + 1 + v * (y1 - y0 - 1 - below))
    return "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="1.7" fill="{color}"/>'
                   for a, b in zip(px, py))  # fmt: skip


def _label(x: float, y: float, text: str, anchor: str = "middle") -> str:
    """Small grey words on a patch of the background (masking a line behind them)."""
    px, py = _xy(x, y)
    width = 6.3 * len(text) + 8
    left = {"middle": px - width / 2, "start": px - 4}[anchor]
    return (f'<rect x="{left:.1f}" y="{py - 9:.1f}" width="{width:.1f}" height="17" '
            f'fill="{PAPER}"/><text x="{px:.1f}" y="{py + 4:.1f}" text-anchor="{anchor}" '
            f'font-size="12" fill="#444444">{html.escape(text)}</text>')  # fmt: skip


def overview(snap: Snapshot, noise: str = "", lit: str | None = None) -> str:
    """The model graph with ``snap``'s numbers, as an SVG element that fills its width. In
    slow motion (``snap.stage``) the parts of the stage light up in its player's colour;
    otherwise ``lit`` ("D" or "G") lights that player's path, and None lights nothing."""
    stage = snap.stage
    if stage is not None:
        on, color = LIT[stage.number - 1], PLAYER_COLOR[stage.player]
    else:
        on, color = PATHS.get(lit or "", set()), PLAYER_COLOR.get(lit or "", DIM)
    tint = {D_COLOR: "#eef3f9", FAKE: "#f4eef5"}.get(color, "white")
    parts = [f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/>']
    for name, points in EDGES.items():
        parts.append(_arrow(points, *((color, 3.5) if name in on else (DIM, 1.5))))
    texts = _texts(snap, noise)
    for name, (x0, x1, y0, y1) in BOXES.items():
        (left, top), (right, bottom) = _xy(x0, y1), _xy(x1, y0)
        stroke, width, fill = (color, 3.5, tint) if name in on else (DIM, 1.5, "white")
        parts.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" '
                     f'height="{bottom - top:.1f}" rx="5" fill="{fill}" stroke="{stroke}" '
                     f'stroke-width="{width}"/>')  # fmt: skip
        lines = texts[name]
        cx = (left + right) / 2
        first = top + 17 if name in INSETS else (top + bottom) / 2 - 8.5 * (len(lines) - 1) + 5
        for i, line in enumerate(lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            parts.append(f'<text x="{cx:.1f}" y="{first + 17 * i:.1f}" text-anchor="middle" '
                         f'font-size="14"{weight}>{html.escape(line)}</text>')  # fmt: skip
    parts += [_label(77, 39, "D's update: −∇ D's loss"),
              _label(58, 1, "G's update: −∇ G's loss, back through D"),
              _label(0.3, 38.3, f"step {snap.step:,}", "start")]  # fmt: skip
    parts += _insets(snap, texts)
    return (f'<svg class="ganlab-overview" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
            'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" fill="#222222">'
            + "".join(parts) + "</svg>")  # fmt: skip


def _insets(snap: Snapshot, texts: dict[str, list[str]]) -> list[str]:
    """The small plots: z (only a stage holds its batch's z), the fakes and the real points
    (the stage's batch, else the snapshot's picture), on the data's ranges."""
    view, arrays = snap.view, snap.stage.arrays if snap.stage is not None else {}
    ranges = None
    if "grid" in view:
        grid = view["grid"]
        ranges = [[float(grid[:, i].min()), float(grid[:, i].max())] for i in range(grid.shape[1])]
    fake = arrays.get("moved", arrays.get("fake", view.get("fake")))
    real = arrays.get("real", view.get("real"))
    return [_dots("z", texts["z"], arrays.get("z"), "#555555", None),
            _dots("fake", texts["fake"], fake, FAKE, ranges),
            _dots("real", texts["real"], real, REAL, ranges)]  # fmt: skip


def staged_distribution(
    view: dict[str, np.ndarray], loss: str = "nsgan", layers: tuple[str, ...] = LAYERS,
    stage: StageView | None = None, height: int = 640, light: bool = False,
) -> go.Figure:  # fmt: skip
    """The distribution view (figures/live.py), with a slow-motion stage's batch on top."""
    fig = distribution(view, loss, layers, height, light)
    if stage is None:
        return fig
    fig.update_traces(marker_opacity=0.3, selector={"mode": "markers"})  # the batch stands out
    dim = view["real"].shape[1]
    if dim == 1:  # the strips under the axis: real at -0.12, fakes at -0.26 of the top
        top = -float(fig.layout.yaxis.range[0]) / 0.33
        span = float(fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0])
        levels = {"real": -0.12 * top, "fake": -0.26 * top}
    else:
        span = float(fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0])
        levels = {}
    fig.add_traces(stage_traces(stage, dim, span, levels, loss))
    return fig


def _place(points: np.ndarray, level: float | None) -> np.ndarray:
    """Points as (x, y) on the plot: 2D as they are, 1D on their strip's level."""
    if level is None:
        return points[:, :2]
    return np.column_stack([points[:, 0], np.full(len(points), level, dtype=points.dtype)])


def stage_traces(
    stage: StageView, dim: int, span: float, levels: dict[str, float], loss: str = "nsgan"
) -> list[dict[str, Any]]:
    """The stage's batch as traces: big outlined markers, filled with D's verdict on each
    point once D has judged them (stages 3-5), the arrows on the fakes (6-7), and old to new
    positions of the fakes (8)."""
    a, n = stage.arrays, stage.number
    traces: list[dict[str, Any]] = []
    probability = loss in PROBABILITY
    for name, color, symbol in (("real", REAL, "circle"), ("fake", FAKE, "diamond")):
        if name not in a or (n >= 6 and name == "real"):
            continue
        xy = _place(a[name], levels.get(name) if dim == 1 else None)
        marker = {"size": 8, "symbol": symbol, "color": color, "line": {"color": "white",
                  "width": 1.2}}  # fmt: skip
        verdict = a.get(f"d_{name}")
        if n in (3, 4, 5) and verdict is not None and len(verdict.ravel()) == len(xy):
            scale = {"cmin": 0.0, "cmax": 1.0} if probability else {}
            marker |= {"color": verdict.ravel(), "colorscale": PRGN, "showscale": False,
                       "line": {"color": color, "width": 2.2}, **scale}  # fmt: skip
        if n == 8:
            marker |= {"opacity": 0.35}
        label = {"real": "this batch: real x", "fake": "this batch: G(z)"}[name]
        traces.append({"type": "scatter", "x": xy[:, 0], "y": xy[:, 1], "mode": "markers",
                       "name": label + (" before G's update" if n == 8 else ""),
                       "marker": marker})  # fmt: skip
    if n in (6, 7) and "push" in a:
        start = _place(a["fake"], levels.get("fake") if dim == 1 else None)
        push = a["push"] if dim > 1 else np.column_stack([a["push"][:, 0], 0 * a["push"][:, 0]])
        sx, sy = segments(start, arrow_ends(start, push, span))
        traces.append({"type": "scatter", "x": sx, "y": sy, "mode": "lines",
                       "name": "-dL_G/dx on this batch", "hoverinfo": "skip",
                       "line": {"color": "#111111", "width": 2}})  # fmt: skip
    if n == 8 and "moved" in a:
        old = _place(a["fake"], levels.get("fake") if dim == 1 else None)
        new = _place(a["moved"], levels.get("fake") if dim == 1 else None)
        sx, sy = segments(old, new)
        traces.append({"type": "scatter", "x": sx, "y": sy, "mode": "lines", "name": "moved",
                       "hoverinfo": "skip", "showlegend": False,
                       "line": {"color": FAKE, "width": 1.2}})  # fmt: skip
        traces.append({"type": "scatter", "x": new[:, 0], "y": new[:, 1], "mode": "markers",
                       "name": "this batch: G(z) after G's update",
                       "marker": {"size": 8, "symbol": "diamond", "color": FAKE,
                                  "line": {"color": "white", "width": 1.2}}})  # fmt: skip
    return traces
