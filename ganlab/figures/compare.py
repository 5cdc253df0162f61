"""Two runs in one chart per quantity: the playground's compare mode (run A solid, B dashed).

Each builder takes run A's and run B's histories (a Runner's ``history()`` or
``metric_history()``: numpy arrays by name) and returns one ``go.Figure`` whose traces are
named "A: ..." and "B: ...", A's solid and B's dashed in the same colours, so the legend and
the line style tell the runs apart. ``run_labels`` names the two runs by the settings they
differ in. The single run's charts are curves.py; no Streamlit here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.config.links import differences
from ganlab.config.run_config import RunConfig
from ganlab.figures.curves import EQUILIBRIUM_D_LOSS
from ganlab.figures.live import FAKE, HALF, PROBABILITY, REAL, figure, hline, line

RUNS = ("A", "B")
DASH = {"A": "solid", "B": "dash"}
_X_STEP = {"title": {"text": "step"}}
Series = dict[str, tuple[str, str]]  # history key: (name in the legend, colour)


def run_labels(a: RunConfig, b: RunConfig) -> tuple[str, str]:
    """("A: pack = 1", "B: pack = 4"): each run's values of the settings where they differ."""
    diff = differences(a, b)
    if not diff:
        return "A", "B: the same settings as A"
    a_text, b_text = (
        ", ".join(f"{name} = {_value(getattr(cfg, name))}" for name in diff) for cfg in (a, b)
    )
    return f"A: {a_text}", f"B: {b_text}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def pair(a: dict[str, np.ndarray], b: dict[str, np.ndarray], series: Series) -> list[dict]:
    """Line traces of ``series`` for both runs: A's solid, then B's dashed, over ``step``."""
    traces = []
    for run, history in zip(RUNS, (a, b)):
        for key, (name, color) in series.items():
            if key in history:
                trace = line(history["step"], history[key], f"{run}: {name}", color,
                             line={"dash": DASH[run]}, legendgroup=run)  # fmt: skip
                traces.append(trace)
    return traces


def loss_curves(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], losses: tuple[str, str],
    height: int = 340,
) -> go.Figure:  # fmt: skip
    """D's and G's losses of both runs; D's equilibrium line where both share a loss with one."""
    traces = pair(a, b, {"loss_d": ("D loss", REAL), "loss_g": ("G loss", FAKE)})
    extra: dict[str, Any] = {}
    if losses[0] == losses[1] and losses[0] in EQUILIBRIUM_D_LOSS:
        value = EQUILIBRIUM_D_LOSS[losses[0]]
        shape, note = hline(value, f"D at equilibrium: {value:.2f}")
        extra = {"shapes": [shape], "annotations": [note]}
    return figure(traces, height, xaxis=_X_STEP, **extra)


def d_outputs(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], losses: tuple[str, str],
    height: int = 340,
) -> go.Figure:  # fmt: skip
    """Mean D(x) and D(G(z)) of both runs; the ½ line where both losses have one."""
    traces = pair(a, b, {"d_real": ("D(x) real", REAL), "d_fake": ("D(G(z)) fake", FAKE)})
    if not all(loss in HALF for loss in losses):
        return figure(traces, height, xaxis=_X_STEP, yaxis={"title": {"text": "D score"}})
    shape, note = hline(0.5, "0.5")
    probability = all(loss in PROBABILITY for loss in losses)
    yaxis = {"range": [-0.02, 1.02]} if probability else {"title": {"text": "D score"}}
    return figure(traces, height, xaxis=_X_STEP, yaxis=yaxis, shapes=[shape], annotations=[note])


def divergence_curves(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], height: int = 340
) -> go.Figure:
    """The JS divergence between the data and each run's samples on a grid (nats, log)."""
    traces = pair(a, b, {"js_grid": ("JS", FAKE)})
    yaxis = {"type": "log", "title": {"text": "nats"}}  # ticks within a decade too
    return figure(traces, height, xaxis=_X_STEP, yaxis=yaxis)


def coverage_curves(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], height: int = 340
) -> go.Figure:
    """Modes covered by each run (mixtures with modes), else each run's sliced W1 distance."""
    if "modes_covered" not in a or "modes_covered" not in b:
        return figure(pair(a, b, {"w1": ("W1 (sliced)", FAKE)}), height, xaxis=_X_STEP)
    totals = [float(np.nanmax(h["modes_total"])) for h in (a, b) if len(h["modes_total"])]
    total = max(totals, default=1.0)
    yaxis = {"range": [-0.3, total + 0.3], "title": {"text": f"modes of {total:g}"}}
    traces = pair(a, b, {"modes_covered": ("modes covered", REAL)})
    return figure(traces, height, xaxis=_X_STEP, yaxis=yaxis)
