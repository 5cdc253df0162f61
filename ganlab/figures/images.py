"""Figures and words for the images page: the digit score over time, and what each grid shows.

The sample grids themselves are uint8 pictures (viz_latent.grid_image); this module adds the
one plotly chart the toy pages do not have, the classifier's verdict on G's digits over the
run, and the captions that say what a grid's rows and columns are. No Streamlit, no models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from ganlab.figures.live import D_LINE, FAKE, REAL, STAR, figure, line

# metric key: (legend name, colour, dash) for the left axis, in percent
SCORES = {
    "mean_confidence": ("mean confidence", REAL, "solid"),
    "min_share": ("rarest digit's share", FAKE, "dash"),
    "label_accuracy": ("label accuracy (CGAN)", STAR, "dot"),
    "cat_purity": ("code purity (InfoGAN)", STAR, "dot"),
}
SCORE_CAPTION = (
    "The digit classifier on 500 samples of fixed noise: its mean confidence, the rarest "
    "digit's share (10 % when all ten are equally common; 0 is mode collapse) and, on the "
    "right, the Fréchet distance of its features to held-out real digits (lower is better)."
)
GRID_CAPTIONS = {
    "dcgan": "64 digits from the same 64 noise vectors at every redraw: you watch G change.",
    "cgan": "One row per label 0 to 9 (top to bottom); each column shares one noise vector.",
    "infogan": "One row per value 0 to 9 of the categorical code; each column shares one "
    "noise vector; c1 = c2 = 0. The code is never told the digit: a row of one digit "
    "means InfoGAN found the classes on its own.",
    "lapgan": "64 digits from fixed noise, each built 7x7, then 14x14, then 28x28.",
}
EXTRA_VIEWS = {
    "real": "64 real training digits (the same ones at every redraw), for comparison.",
    "c1_sweep": "c1 from -2 to 2 (columns), one row per categorical value, one fixed z.",
    "c2_sweep": "c2 from -2 to 2 (columns), one row per categorical value, one fixed z.",
    "levels": "Eight digits as the pyramid builds them: 7x7, 14x14 and 28x28 (rows).",
}


def digit_score_curves(metrics: dict[str, np.ndarray], height: int = 320) -> go.Figure:
    """Shares and confidences in percent on the left axis, the Fréchet distance on the right."""
    step, dots = metrics["step"], {"mode": "lines+markers", "marker": {"size": 7}}
    traces: list[dict[str, Any]] = [  # dots: a score comes every few seconds, not every step
        line(step, 100 * metrics[key], name, color, line={"dash": dash}, **dots)
        for key, (name, color, dash) in SCORES.items()
        if key in metrics
    ]
    if "frechet" in metrics:
        frechet = line(step, metrics["frechet"], "Fréchet (right)", D_LINE, yaxis="y2", **dots)
        traces.append({**frechet, "line": {**frechet["line"], "width": 2}})
    right = {"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"}
    return figure(
        traces,
        height,
        xaxis={"title": {"text": "step"}},
        yaxis={"range": [-2, 102], "ticksuffix": "%", "tickvals": [0, 25, 50, 75, 100]},
        yaxis2={**right, "title": {"text": "Fréchet"}},
        margin={"l": 60, "r": 70, "t": 40, "b": 50},
    )


def neighbour_caption(distances: np.ndarray, pool: int) -> str:
    """What the nearest-neighbour strip shows, with its distances."""
    shown = ", ".join(f"{d:.1f}" for d in distances)
    return (
        f"The {len(distances)} nearest of the {pool:,} training digits (pixel L2: {shown}). "
        "A distance near 0 would mean G copies its training data."
    )
