"""Figures of the augmentation lab: accuracy per scheme, and generated digits with labels.

``accuracy_bars`` takes the rows of ``AugmentResult.summary()``; ``labelled_examples`` takes
the example digits and the pseudo-label each scheme gave them. No Streamlit, no training.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import FAKE, REAL, figure

GAP = 4  # pixels between example digits


def accuracy_bars(rows: Sequence[dict[str, Any]], height: int = 380) -> go.Figure:
    """Mean held-out accuracy (%) per scheme as bars, +-1 std over seeds as error bars, and
    each seed's value as a dot; the baseline ``none`` in green, GAN-based schemes in purple."""
    names = [r["scheme"] for r in rows]
    mean = [100 * r["mean"] for r in rows]
    std = [100 * r["std"] for r in rows]
    seed_x = [r["scheme"] for r in rows for _ in r["accuracies"]]
    seed_y = [100 * a for r in rows for a in r["accuracies"]]
    lows = [m - s for m, s in zip(mean, std)] + seed_y
    highs = [m + s for m, s in zip(mean, std)] + seed_y
    span = max(max(highs) - min(lows), 1.0)
    bars = {
        "type": "bar",
        "x": names,
        "y": mean,
        "name": "mean over seeds",
        "marker": {"color": [REAL if n == "none" else FAKE for n in names], "opacity": 0.8},
        "error_y": {"type": "data", "array": std, "visible": True, "thickness": 2, "width": 8},
        "text": [f"{m:.1f}%" for m in mean],
        "textposition": "inside",
        "insidetextanchor": "start",
        "hovertemplate": "%{x}: %{y:.2f}% (±%{error_y.array:.2f})<extra></extra>",
    }
    dots = {
        "type": "scatter",
        "mode": "markers",
        "x": seed_x,
        "y": seed_y,
        "name": "one seed",
        "marker": {"color": "#222222", "size": 8, "symbol": "circle-open"},
        "hovertemplate": "%{x}: %{y:.2f}%<extra>one seed</extra>",
    }
    # Start the axis near the data, not at 0: the differences are a few points at most.
    low = max(0.0, min(lows) - 0.6 * span)
    return figure(
        [bars, dots],
        height,
        yaxis={
            "title": "held-out accuracy (%)",
            "range": [low, min(100.0, max(highs) + 0.3 * span)],
        },
        xaxis={"title": "scheme"},
        showlegend=True,
    )


def labelled_examples(
    images: np.ndarray, labels: dict[str, list[str]], height: int = 300
) -> go.Figure:
    """A row of generated digits (n, 28, 28) in [0, 1]; under each, one line per scheme with
    the label that scheme trained it as."""
    n = len(images)
    strip = np.ones((28, n * (28 + GAP) - GAP), dtype=np.float32)
    for i, img in enumerate(images):
        strip[:, i * (28 + GAP) : i * (28 + GAP) + 28] = 1.0 - img  # dark ink on white
    heat = {
        "type": "heatmap",
        "z": strip,
        "colorscale": [[0.0, "#000000"], [1.0, "#ffffff"]],  # explicit: themes recolour names
        "zmin": 0,
        "zmax": 1,
        "showscale": False,
        "hoverinfo": "skip",
    }
    notes = []
    for row, (scheme, words) in enumerate(labels.items()):
        y = 28 + 7 + 9 * row
        notes.append(
            {"x": -GAP, "y": y, "text": f"<b>{scheme}</b>", "xanchor": "right", "showarrow": False}
        )
        for i, word in enumerate(words):
            notes.append({"x": i * (28 + GAP) + 13.5, "y": y, "text": word, "showarrow": False})
    bottom = 28 + 7 + 9 * len(labels)
    return figure(
        [heat],
        height,
        xaxis={"visible": False, "range": [-36, strip.shape[1]], "scaleanchor": "y"},
        yaxis={"visible": False, "range": [bottom, -1]},
        annotations=notes,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
