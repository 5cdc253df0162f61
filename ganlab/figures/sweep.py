"""The sweep's phase diagram: modes covered and JS divergence as heat maps over k x lr.

``cells`` folds the rows of a sweep (one per run) into grid cells, averaging over seeds;
``phase_diagram`` draws two heat maps from them. Rows are what ganlab.sweep returns or what
results.csv holds. No Streamlit, no training here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import TEMPLATE


def _varies(rows: Sequence[dict[str, Any]], name: str) -> bool:
    return len({float(r[name]) for r in rows}) > 1


def _x_label(row: dict[str, Any], show_g: bool, show_d: bool) -> str:
    parts = []
    if show_d:
        parts.append(f"D {float(row['lr_d']):g}")
    if show_g:
        parts.append(f"G {float(row['lr_g']):g}")
    return " · ".join(parts)


def _y_label(row: dict[str, Any], show_batch: bool) -> str:
    label = f"k={int(row['k'])}"
    return f"{label} · B={int(row['batch_size'])}" if show_batch else label


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def cells(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Grid cells of a sweep: x labels (learning rates), y labels (k, and batch size when it
    varies), and per cell the mean metrics over its seeds and its rows' indices."""
    show_g = _varies(rows, "lr_g")
    show_d = _varies(rows, "lr_d") or not show_g
    show_batch = _varies(rows, "batch_size")

    def x_key(r: dict[str, Any]) -> tuple[float, float]:
        return (float(r["lr_d"]), float(r["lr_g"]))

    def y_key(r: dict[str, Any]) -> tuple[int, int]:
        return (int(r["k"]), int(r["batch_size"]))

    xs = sorted({x_key(r) for r in rows})
    ys = sorted({y_key(r) for r in rows})
    first_x = {x_key(r): r for r in rows}
    first_y = {y_key(r): r for r in rows}
    table: dict[tuple[int, int], list[int]] = {}
    for i, r in enumerate(rows):
        table.setdefault((ys.index(y_key(r)), xs.index(x_key(r))), []).append(i)
    has_modes = any(math.isfinite(float(r["modes_total"])) for r in rows)
    names = ("modes_covered", "js_grid", "w1", "high_quality_frac")
    means = {n: np.full((len(ys), len(xs)), np.nan) for n in names}
    for (iy, ix), members in table.items():
        for n in names:
            means[n][iy, ix] = _mean([float(rows[i][n]) for i in members])
    return {
        "x": [_x_label(first_x[x], show_g, show_d) for x in xs],
        "y": [_y_label(first_y[y], show_batch) for y in ys],
        "runs": table,
        "means": means,
        "has_modes": has_modes,
        "modes_total": max((float(r["modes_total"]) for r in rows), default=float("nan")),
    }


def phase_diagram(rows: Sequence[dict[str, Any]], height: int = 460) -> go.Figure:
    """Two heat maps side by side: modes covered (or W1 for data without modes) and JS, each
    cell the mean over seeds, the number written in the cell."""
    from plotly.subplots import make_subplots

    c = cells(rows)
    # Fixed colour ranges (0..all modes, 0..log 2) so two sweeps' maps compare by eye.
    if c["has_modes"]:
        left, left_title = c["means"]["modes_covered"], f"modes covered (of {c['modes_total']:g})"
        left_fmt, left_scale, left_range = "%{z:.1f}", "Viridis", (0.0, c["modes_total"])
    else:
        left, left_title, left_fmt, left_scale = c["means"]["w1"], "W1", "%{z:.3f}", "Viridis_r"
        left_range = (None, None)
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(left_title, "JS divergence (grid)"), horizontal_spacing=0.14
    )
    for col, z, fmt, scale, bar_x, (lo, hi) in (
        (1, left, left_fmt, left_scale, 0.43, left_range),
        (2, c["means"]["js_grid"], "%{z:.3f}", "Viridis_r", 1.0, (0.0, math.log(2))),
    ):
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=c["x"],
                y=c["y"],
                colorscale=scale,
                zmin=lo,
                zmax=hi,
                texttemplate=fmt,
                colorbar={"x": bar_x, "len": 0.9, "thickness": 14},
                hovertemplate="%{y}, lr %{x}: %{z:.3f}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_xaxes(title_text="learning rate", type="category")
    fig.update_yaxes(title_text="k (D steps per G step)", type="category", col=1)
    fig.update_yaxes(type="category", col=2)
    fig.update_layout(template=TEMPLATE, height=height, margin={"l": 70, "r": 20, "t": 50, "b": 60})
    return fig
