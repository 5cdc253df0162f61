"""Animated GIFs of a live run's history, drawn with Pillow from what the runner stored.

The runner keeps, at moments spread over the run (runner.Runner.frames), G's samples of one
fixed noise batch for a toy run, or its grid of digits from fixed noise for an image run.
``history_gif`` paints the samples as small pictures, real points green and G's purple
(GAN Lab's colours); ``grid_gif`` tiles the digits. Each joins its frames into a looping
GIF, with the step written on every frame. No plotly, no browser: a 120-frame GIF of points
takes well under a second.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganlab.figures.latent import grid_image

PALETTE = [255, 255, 255, 27, 120, 55, 118, 42, 131, 34, 34, 34, 200, 200, 200]
WHITE, GREEN, PURPLE, INK, GREY = range(5)


def _pixels(points: np.ndarray, bounds: tuple[tuple[float, float], ...], size: int) -> np.ndarray:
    """Data coordinates to pixel coordinates (y up), for 2D points."""
    (x0, x1), (y0, y1) = bounds
    px = (points[:, 0] - x0) / (x1 - x0) * (size - 1)
    py = (1 - (points[:, 1] - y0) / (y1 - y0)) * (size - 1)
    return np.column_stack([px, py])


def _dots(draw: ImageDraw.ImageDraw, pixels: np.ndarray, color: int, r: float = 2.2) -> None:
    for x, y in pixels:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=color)


def _histogram(
    draw: ImageDraw.ImageDraw, values: np.ndarray, lo: float, hi: float, size: int, color: int
) -> None:
    counts, _ = np.histogram(values, bins=60, range=(lo, hi))
    heights = counts / max(counts.max(), 1) * (size * 0.75)
    width = size / 60
    points = [(i * width + width / 2, size - 24 - h) for i, h in enumerate(heights)]
    draw.line(points, fill=color, width=3)


def _frame(
    real: np.ndarray,
    fake: np.ndarray,
    step: int,
    bounds: tuple[tuple[float, float], ...],
    size: int,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
) -> Image.Image:
    image = Image.new("P", (size, size), WHITE)
    image.putpalette(PALETTE)
    draw = ImageDraw.Draw(image)
    if real.shape[1] == 1:
        lo, hi = bounds[0]
        draw.line([(0, size - 24), (size, size - 24)], fill=GREY, width=1)
        _histogram(draw, real[:, 0], lo, hi, size, GREEN)
        _histogram(draw, fake[:, 0], lo, hi, size, PURPLE)
    else:
        _dots(draw, _pixels(fake, bounds, size), PURPLE)
        _dots(draw, _pixels(real, bounds, size), GREEN)  # on top, as in the live picture
    draw.text((8, 6), f"step {step:,}", fill=INK, font=font)
    return image


def history_gif(
    real: np.ndarray,
    frames: list[tuple[int, np.ndarray]],
    bounds: tuple[tuple[float, float], ...],
    size: int = 420,
    ms_per_frame: int = 120,
) -> bytes:
    """A looping GIF: one frame per stored (step, samples), the last one held longer."""
    if not frames:
        raise ValueError("There is no history to animate yet; press Play first.")
    font = ImageFont.load_default(size=22)
    images = [_frame(real, fake, step, bounds, size, font) for step, fake in frames]
    durations = [ms_per_frame] * (len(images) - 1) + [1500]
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
    )
    return out.getvalue()


def grid_gif(
    frames: list[tuple[int, np.ndarray]], scale: int = 2, ms_per_frame: int = 200
) -> bytes:
    """A looping GIF of an image run: one frame per stored (step, uint8 grid of digits from
    fixed noise), ``scale`` pixels a pixel under a line with the step; the last held longer."""
    if not frames:
        raise ValueError("There is no history to animate yet; press Play first.")
    font = ImageFont.load_default(size=8 * scale)
    images = []
    for step, grid in frames:
        digits = Image.fromarray(grid_image(np.asarray(grid, np.float32) / 255, scale))
        frame = Image.new("L", (digits.width, digits.height + 12 * scale), 255)
        frame.paste(digits, (0, 12 * scale))
        ImageDraw.Draw(frame).text((2 * scale, scale), f"step {step:,}", fill=0, font=font)
        images.append(frame)
    durations = [ms_per_frame] * (len(images) - 1) + [1500]
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
    )
    return out.getvalue()
