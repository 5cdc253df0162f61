"""The sweep's phase diagram: modes covered and JS divergence as heat maps over the grid.

``cells`` folds the rows of a sweep (one per run) into grid cells, averaging over seeds:
columns are D's learning rate (G's when only G's varies), rows are k, the batch size when it
varies, and G's learning rate when both rates vary. ``phase_diagram`` draws two heat maps
from the cells and ``reading`` says in words, from the same numbers, where training worked
and where it failed. Rows are what labs/sweep.py returns or what results.csv holds. No
Streamlit, no training here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import TEMPLATE

WORKS, FAILS = 0.85, 0.25  # of all modes: a cell at or above WORKS works, at or below fails


def _varies(rows: Sequence[dict[str, Any]], name: str) -> bool:
    return len({float(r[name]) for r in rows}) > 1


def cell_name(y: str, x: str) -> str:
    """A cell's name from its row and column labels, as the reading and the page write it."""
    return f"{y} · {x}"


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def cells(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Grid cells of a sweep: x and y labels and axis titles, and per cell (row, column) the
    mean metrics over its seeds and its rows' indices."""
    vary_k, vary_b = _varies(rows, "k"), _varies(rows, "batch_size")
    x_name = "lr_g" if _varies(rows, "lr_g") and not _varies(rows, "lr_d") else "lr_d"
    g_on_y = x_name == "lr_d" and _varies(rows, "lr_g")

    def x_key(r: dict[str, Any]) -> float:
        return float(r[x_name])

    def y_key(r: dict[str, Any]) -> tuple[int, int, float]:
        return (int(r["k"]), int(r["batch_size"]), float(r["lr_g"]) if g_on_y else 0.0)

    def y_label(key: tuple[int, int, float]) -> str:
        k, batch, lr_g = key
        parts = [f"k={k}"] if vary_k or not (vary_b or g_on_y) else []
        parts += [f"B={batch}"] if vary_b else []
        parts += [f"G {lr_g:g}"] if g_on_y else []
        return " · ".join(parts)

    xs = sorted({x_key(r) for r in rows})
    ys = sorted({y_key(r) for r in rows})
    table: dict[tuple[int, int], list[int]] = {}
    for i, r in enumerate(rows):
        table.setdefault((ys.index(y_key(r)), xs.index(x_key(r))), []).append(i)
    metrics = ("modes_covered", "js_grid", "w1", "high_quality_frac")
    means = {n: np.full((len(ys), len(xs)), np.nan) for n in metrics}
    for (iy, ix), members in table.items():
        for n in metrics:
            means[n][iy, ix] = _mean([float(rows[i][n]) for i in members])
    y_titles = ["k (D steps per G step)"] if vary_k or not (vary_b or g_on_y) else []
    y_titles += ["batch size"] if vary_b else []
    y_titles += ["G's learning rate"] if g_on_y else []
    x_labels = [f"{'D' if x_name == 'lr_d' else 'G'} {x:g}" for x in xs]
    y_labels = [y_label(y) for y in ys]
    return {
        "x": x_labels,
        "y": y_labels,
        "x_title": f"{'D' if x_name == 'lr_d' else 'G'}'s learning rate",
        "y_title": " · ".join(y_titles),
        "runs": table,
        "names": {(iy, ix): cell_name(y_labels[iy], x_labels[ix]) for iy, ix in table},
        "means": means,
        "has_modes": any(math.isfinite(float(r["modes_total"])) for r in rows),
        "modes_total": max((float(r["modes_total"]) for r in rows), default=float("nan")),
        "seeds": max((len(m) for m in table.values()), default=0),
        "steps": max((int(r.get("steps", 0)) for r in rows), default=0),  # 0: not recorded
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
    fig.update_xaxes(title_text=c["x_title"], type="category")
    fig.update_yaxes(title_text=c["y_title"], type="category", col=1)
    fig.update_yaxes(type="category", col=2)
    fig.update_layout(template=TEMPLATE, height=height, margin={"l": 70, "r": 20, "t": 50, "b": 60})
    return fig


def reading(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Where training worked and where it failed, in sentences, from the cells' mean numbers:
    what a cell is, then (with modes) the cells that found at least WORKS of them and those
    at or below FAILS, or (without) the lowest and highest W1."""
    c = cells(rows)
    ranked = sorted(c["runs"], key=lambda cell: (c["means"]["js_grid"][cell], cell))
    seeds = f"mean of {c['seeds']} seed(s)" + (f" after {c['steps']:,} steps" if c["steps"] else "")
    if not c["has_modes"]:
        w1 = c["means"]["w1"]
        by_w1 = sorted(c["runs"], key=lambda cell: (np.nan_to_num(w1[cell], nan=np.inf), cell))
        best, worst = by_w1[0], by_w1[-1]
        return [
            f"Each cell is the {seeds}.",
            f"Closest to the data: {c['names'][best]} (W1 {w1[best]:.3f}); furthest: "
            f"{c['names'][worst]} (W1 {w1[worst]:.3f}).",
        ]
    total, modes, js = c["modes_total"], c["means"]["modes_covered"], c["means"]["js_grid"]

    def listed(group: list[tuple[int, int]]) -> str:
        def numbers(cell: tuple[int, int]) -> str:
            if not math.isfinite(modes[cell]):
                return "every seed diverged"
            return f"{modes[cell]:.1f} modes, JS {js[cell]:.2f}"

        return "; ".join(f"{c['names'][cell]} ({numbers(cell)})" for cell in group)

    works = [cell for cell in ranked if modes[cell] >= WORKS * total]
    fails = [cell for cell in ranked if not modes[cell] > FAILS * total]  # NaN (diverged) too
    words = [f"Each cell is the {seeds}."]
    if works:
        words.append(f"Works (at least {math.ceil(WORKS * total)} of {total:g} modes): "
                     f"{listed(works)}.")  # fmt: skip
    else:
        best = ranked[0]
        words.append(f"No cell found {math.ceil(WORKS * total)} of {total:g} modes; the best "
                     f"was {listed([best])}.")  # fmt: skip
    if fails and len(fails) == len(ranked):  # listing every cell would say nothing more
        words.append(f"Every cell fails (at most {math.floor(FAILS * total)} modes).")
    elif fails:
        words.append(f"Fails (at most {math.floor(FAILS * total)} modes): {listed(fails)}.")
    between = len(c["runs"]) - len(works) - len(fails)
    if between:
        words.append(f"The other {between} cell(s) found some modes but not all.")
    return words
