"""Figures for the theory page: D against D*, V against C(G), the two G losses, collapse.

Each builder takes the plain arrays ganlab/theory.py measures and returns a ``go.Figure``
in the playground's look (viz.figure: big type, GAN Lab's colours). No Streamlit here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import D_LINE, FAKE, REAL, STAR, TEMPLATE, figure, hline, line

LOG4 = math.log(4.0)
_STEP = {"title": {"text": "G step"}}
_FILL_REAL = {"fill": "tozeroy", "fillcolor": "rgba(27,120,55,0.18)"}
_FILL_FAKE = {"fill": "tozeroy", "fillcolor": "rgba(118,42,131,0.18)"}


def _as_list(x: Any) -> list[float]:
    return [float(v) for v in np.asarray(x)]


def d_vs_optimal(tr: dict[str, Any], i: int, height: int = 420) -> go.Figure:
    """Record i of a trace: p_data and p_g (left axis), D(x) and D*(x) (right axis)."""
    x = _as_list(tr["x"])
    traces = [
        line(x, _as_list(tr["p_data"]), "p_data", REAL, **_FILL_REAL),
        line(x, _as_list(tr["p_g"][i]), "p_g", FAKE, line={"shape": "hvh"}, **_FILL_FAKE),
        line(x, _as_list(tr["d"][i]), "D(x)", D_LINE, yaxis="y2"),
        line(x, _as_list(tr["d_star"][i]), "D*(x)", STAR, yaxis="y2", line={"dash": "dot"}),
    ]
    top = max(float(np.max(tr["p_data"])), float(np.max(tr["p_g"][i])), 1e-6) * 1.1
    y2 = {"overlaying": "y", "side": "right", "range": [-0.02, 1.05], "showgrid": False}
    y2["tickvals"] = [0, 0.5, 1]
    return figure(
        traces,
        height,
        xaxis={"title": {"text": "x"}, "range": [x[0], x[-1]]},
        yaxis={"title": {"text": "density"}, "range": [0, top]},
        yaxis2={**y2, "title": {"text": "D(x)"}},
    )


def d_gap_curve(tr: dict[str, Any], height: int = 300) -> go.Figure:
    """Mean |D - D*| (weighted by (p_data + p_g) / 2) over training."""
    trace = line(_as_list(tr["step"]), _as_list(tr["d_gap"]), "mean |D − D*|", D_LINE)
    return figure([trace], height, xaxis=_STEP, yaxis={"range": [0, 0.55]})


def value_curves(tr: dict[str, Any], height: int = 380) -> go.Figure:
    """V(D, G) measured at the current D beside C(G) = -log 4 + 2 JSD; -log 4 dotted."""
    step = _as_list(tr["step"])
    traces = [
        line(step, _as_list(tr["value"]), "V(D, G) at the current D", D_LINE),
        line(step, _as_list(tr["c_of_g"]), "C(G) = −log 4 + 2·JSD", STAR, line={"dash": "dash"}),
    ]
    shape, note = hline(-LOG4, "−log 4: p_g = p_data")
    return figure(traces, height, xaxis=_STEP, shapes=[shape], annotations=[note])


def g_loss_curves(curves: dict[str, np.ndarray], d_now: float, height: int = 380) -> go.Figure:
    """Left: G's two losses against D(G(z)); right: the size of their gradients. A dotted
    line marks where G's samples actually sit early in training."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("G's loss", "|∂loss / ∂logit|"))
    d = _as_list(curves["d"])
    for col, suffix in ((1, "loss"), (2, "grad")):
        for key, name, color in (("sat", "log(1 − D(G(z)))", FAKE), ("ns", "−log D(G(z))", REAL)):
            trace = line(d, _as_list(curves[f"{key}_{suffix}"]), name, color)
            fig.add_trace(go.Scatter(trace, showlegend=col == 1), row=1, col=col)
        fig.add_vline(x=d_now, line={"dash": "dot", "color": "#555555"}, row=1, col=col)
    fig.add_annotation(
        x=d_now, y=1.0, yref="y2 domain", xref="x2", text=f"  early: D(G(z)) = {d_now:.2f}",
        showarrow=False, xanchor="left",
    )  # fmt: skip
    fig.update_xaxes(title_text="D(G(z))", range=[0, 1])
    return _finish(fig, height)


def saturation_curves(runs: dict[str, dict[str, Any]], height: int = 380) -> go.Figure:
    """Left: ||grad of G's own loss|| each run's G received (log scale); right: where G's
    samples are (their mean), against the data's mean 4."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("‖∇θ G's loss‖ received", "mean of G(z)"))
    for variant, key, name, color in (
        ("gan", "grad_sat", "saturating (gan)", FAKE),
        ("nsgan", "grad_ns", "non-saturating (nsgan)", REAL),
    ):
        tr = runs[variant]
        step = _as_list(tr["step"])
        fig.add_trace(go.Scatter(line(step, _as_list(tr[key]), name, color)), row=1, col=1)
        trace = line(step, _as_list(tr["fake_mean"]), name, color)
        fig.add_trace(go.Scatter(trace, showlegend=False), row=1, col=2)
    fig.add_hline(y=4.0, line={"dash": "dot", "color": "#555555"}, row=1, col=2)
    fig.update_yaxes(type="log", dtick=1, row=1, col=1)  # one label per decade
    fig.update_xaxes(title_text="G step")
    return _finish(fig, height)


def collapse_panels(runs: dict[str, dict[str, Any]], height: int = 400) -> go.Figure:
    """G's final density beside the data's, without and with minibatch discrimination."""
    from plotly.subplots import make_subplots

    names = {"plain": "plain D", "minibatch": "D with minibatch discrimination"}
    titles = [f"{names[k]}: std of G(z) {float(tr['fake_std'][-1]):.2f}" for k, tr in runs.items()]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, shared_yaxes=True)
    for col, tr in enumerate(runs.values(), start=1):
        x = _as_list(tr["x"])
        first = col == 1
        real = line(x, _as_list(tr["p_data"]), "p_data (std 0.5)", REAL, **_FILL_REAL)
        fake = line(x, _as_list(tr["p_g"][-1]), "p_g", FAKE, line={"shape": "hvh"}, **_FILL_FAKE)
        fig.add_trace(go.Scatter(real, showlegend=first), row=1, col=col)
        fig.add_trace(go.Scatter(fake, showlegend=first), row=1, col=col)
    fig.update_xaxes(title_text="x", range=[1, 7])
    return _finish(fig, height)


def kl_curves(runs: dict[str, dict[str, Any]], height: int = 380) -> go.Figure:
    """KL(p_data || p_g) and KL(p_g || p_data) over training for each run (log scale)."""
    dash = {"plain": "solid", "minibatch": "dash"}
    traces = []
    for name, tr in runs.items():
        step = _as_list(tr["step"])
        for key, label, color in (
            ("kl_data_g", "KL(p_data‖p_g)", REAL),
            ("kl_g_data", "KL(p_g‖p_data)", FAKE),
        ):
            style = {"dash": dash.get(name, "solid")}
            traces.append(line(step, _as_list(tr[key]), f"{label}, {name}", color, line=style))
    yaxis = {"type": "log", "dtick": 1, "title": {"text": "nats"}}
    return figure(traces, height, xaxis=_STEP, yaxis=yaxis)


def _finish(fig: go.Figure, height: int) -> go.Figure:
    legend = {"orientation": "h", "y": -0.25, "yanchor": "top", "x": 0}
    fig.update_layout(
        template=TEMPLATE, height=height, margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend=legend,
    )  # fmt: skip
    return fig
