"""Pictures for the latent page: digits, grids and strips as enlarged uint8 images.

Plain arrays (and a GIF) rather than plotly figures: st.image draws a 28x28 digit in a few
milliseconds, which keeps the image in step with a slider. Nothing here imports streamlit
or runs a model.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ganlab.games.image import tile

SCALE = 6


def enlarge(image: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """A (h, w) image in [0, 1] as uint8, each pixel a scale x scale block (no blurring)."""
    x = (np.clip(np.asarray(image, dtype=np.float32), 0, 1) * 255).round().astype(np.uint8)
    return np.kron(x, np.ones((scale, scale), dtype=np.uint8))


def grid_image(grid: np.ndarray, scale: int = 3) -> np.ndarray:
    """(rows, cols, 28, 28) -> one uint8 picture with 1-pixel white lines between digits."""
    return enlarge(tile(np.asarray(grid, dtype=np.float32)), scale)


def strip(frames: np.ndarray, scale: int = 3) -> np.ndarray:
    """(k, 28, 28) -> one row of k digits."""
    return grid_image(np.asarray(frames)[None], scale)


def digit_caption(label: int, confidence: float) -> str:
    """What the digit classifier reads in an image, for a caption."""
    return f"the classifier reads a {label} ({100 * confidence:.0f} % sure)"


def gif_bytes(frames: np.ndarray, scale: int = 4, ms: int = 80, bounce: bool = True) -> bytes:
    """An animated GIF of frames (k, 28, 28) in [0, 1], enlarged ``scale`` times; with
    ``bounce`` it plays forward then back, so the loop has no jump."""
    seq = list(frames) + (list(frames[-2:0:-1]) if bounce else [])
    images = [
        Image.fromarray((np.clip(f, 0, 1) * 255).astype(np.uint8)).resize(
            (28 * scale, 28 * scale), Image.NEAREST
        )
        for f in seq
    ]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=ms, loop=0)
    return buf.getvalue()
