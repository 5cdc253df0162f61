"""Plotly charts of a run over its steps: losses, D's outputs, divergences, mode coverage.

Each builder takes a Runner's history (plain numpy arrays by name) and returns a ``go.Figure``
in the shared look of ganlab/viz.py. No Streamlit here.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import FAKE, HALF, PROBABILITY, REAL, STAR, figure, hline, line

EQUILIBRIUM_D_LOSS = {"minimax": 2 * math.log(2), "nsgan": 2 * math.log(2), "lsgan": 0.25}
_X_STEP = {"title": {"text": "step"}}


def loss_curves(history: dict[str, np.ndarray], loss: str, height: int = 320) -> go.Figure:
    """D's and G's losses over steps, with D's loss at the equilibrium where the loss has one
    and a mark at each live loss switch (the numbers change their meaning there)."""
    step = history["step"]
    traces = [line(step, history["loss_d"], "D loss", REAL)]
    traces.append(line(step, history["loss_g"], "G loss", FAKE))
    shapes, notes = switch_marks(history)
    if loss in EQUILIBRIUM_D_LOSS:
        value = EQUILIBRIUM_D_LOSS[loss]
        shape, note = hline(value, f"D at equilibrium: {value:.2f}")
        shapes, notes = [*shapes, shape], [*notes, note]
    return figure(traces, height, xaxis=_X_STEP, shapes=shapes, annotations=notes)


def d_outputs(history: dict[str, np.ndarray], loss: str, height: int = 320) -> go.Figure:
    """Mean D(x) on real and D(G(z)) on fake batches; they meet at 0.5 at equilibrium. Live
    loss switches are marked, as on the losses."""
    step = history["step"]
    traces = [line(step, history["d_real"], "D(x) real", REAL)]
    traces.append(line(step, history["d_fake"], "D(G(z)) fake", FAKE))
    shapes, notes = switch_marks(history)
    if loss not in HALF:
        yaxis = {"title": {"text": "D score"}}
        return figure(traces, height, xaxis=_X_STEP, yaxis=yaxis, shapes=shapes, annotations=notes)
    shape, note = hline(0.5, "0.5")
    yaxis = {"range": [-0.02, 1.02]} if loss in PROBABILITY else {"title": {"text": "D score"}}
    return figure(
        traces, height, xaxis=_X_STEP, yaxis=yaxis, shapes=[*shapes, shape],
        annotations=[*notes, note],
    )  # fmt: skip


def switch_marks(history: dict[str, np.ndarray]) -> tuple[list[dict], list[dict]]:
    """A dashed vertical line at each live loss switch, labelled with the loss from there."""
    shapes, notes = [], []
    for step, loss in zip(history.get("switch_step", ()), history.get("switch_loss", ())):
        shapes.append({"type": "line", "xref": "x", "x0": float(step), "x1": float(step),
                       "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"dash": "dash", "color": "#555555", "width": 1.5}})  # fmt: skip
        notes.append({"xref": "x", "x": float(step), "xanchor": "left", "yref": "paper",
                      "y": 0.98, "yanchor": "top", "text": f" → {loss}",
                      "showarrow": False})  # fmt: skip
    return shapes, notes


def divergence_curves(metrics: dict[str, np.ndarray], height: int = 320) -> go.Figure:
    """JS and both KLs between the data and G's samples on a grid (nats, log scale)."""
    series = {
        "js_grid": ("JS", FAKE),
        "kl_grid": ("KL(p_data‖p_g)", REAL),
        "kl_rev": ("KL(p_g‖p_data)", STAR),
    }
    step = metrics["step"]
    traces = [line(step, metrics[key], n, c) for key, (n, c) in series.items() if key in metrics]
    yaxis = {"type": "log", "title": {"text": "nats"}, "dtick": 1}
    return figure(traces, height, xaxis=_X_STEP, yaxis=yaxis)


def coverage_curves(metrics: dict[str, np.ndarray], height: int = 320) -> go.Figure:
    """Modes covered and high-quality % (mixtures with modes), else the sliced W1 distance."""
    step = metrics["step"]
    if "modes_covered" not in metrics:
        w1 = metrics.get("w1", np.full(len(step), np.nan))
        return figure([line(step, w1, "W1 (sliced)", FAKE)], height, xaxis=_X_STEP)
    total = float(np.nanmax(metrics["modes_total"])) if len(step) else 1.0
    traces = [line(step, metrics["modes_covered"], "modes covered", REAL)]
    hq = 100 * metrics["high_quality_frac"]
    traces.append(line(step, hq, "high quality %", FAKE, yaxis="y2", line={"dash": "dash"}))
    return figure(
        traces,
        height,
        xaxis=_X_STEP,
        yaxis={"range": [-0.3, total + 0.3], "title": {"text": f"modes of {total:g}"}},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [-2, 102],
            "showgrid": False,
            "tickvals": [0, 25, 50, 75, 100],
            "ticksuffix": "%",
        },  # fmt: skip
        margin={"l": 60, "r": 60, "t": 40, "b": 50},
    )
