"""The drawing plane: points drawn with the mouse become a data set (GAN Lab's brush).

``drawn_points`` mounts the canvas (assets/draw_points.js, a Streamlit component: a click
adds a point, a drag paints a trail, Clear empties it) and returns what it holds, checked and
rounded as a link carries it (config/points_link.py). What to do with the points (store
them, reset the run) is the data widget's business (widgets.py).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import streamlit as st
import torch

from ganlab import ASSETS
from ganlab.config.points_link import MAX_POINTS, quantize
from ganlab.data.toy import TOY_SETS


@functools.cache
def plane() -> tuple[float, float]:
    """The drawing plane's range on both axes: the toy sets' usual box (ring8's)."""
    low, high = TOY_SETS["ring8"](torch.device("cpu")).bounds[0]
    return float(low), float(high)


def drawn_points(key: str, start: np.ndarray | None = None) -> np.ndarray:
    """Mount the canvas (under ``key``) and return its points, (n, 2) float32, at most
    MAX_POINTS; ``start`` fills a canvas that has no drawing yet (a run's own points, when
    they lie inside the plane: the canvas never shows a set moved to its border)."""
    state = st.session_state.get(key)
    first = points_of(state.get("points") if state else None)
    low, high = plane()
    if state is None and start is not None and low <= np.min(start) <= np.max(start) <= high:
        first = points_of(np.asarray(start).ravel().tolist())
    data = {"points": first.ravel().tolist(), "plane": list(plane()), "cap": MAX_POINTS}
    result = _canvas()(
        key=key, data=data, default={"points": data["points"]}, on_points_change=lambda: None
    )
    return points_of(result.get("points"))


def points_of(value: Any) -> np.ndarray:
    """The browser's flat [x0, y0, x1, y1, ...] as checked points: pairs of finite numbers
    inside the plane, at most MAX_POINTS, rounded to 1/1000; anything else is no points."""
    try:
        flat = np.asarray(value if value is not None else [], dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return np.zeros((0, 2), np.float32)
    if len(flat) % 2:
        return np.zeros((0, 2), np.float32)
    pairs = flat.reshape(-1, 2)
    pairs = pairs[np.isfinite(pairs).all(axis=1)][:MAX_POINTS]
    return quantize(np.clip(pairs, *plane()))


@functools.cache
def _canvas() -> Any:
    js = (ASSETS / "draw_points.js").read_text()
    return st.components.v2.component("ganlab_draw_points", js=js, isolate_styles=False)
