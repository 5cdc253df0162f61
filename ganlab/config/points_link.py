"""A small 2D point set carried in a link, as one URL parameter (``points=``).

Each coordinate is quantized to 1/1000, stored as a little-endian int16 and the bytes are
written in base64url without padding: four bytes a point, so 300 points take 1,600
characters. Only sets of 2 to 500 points within +-32.767 fit; larger or 1D sets are not
linked. Decoding checks the text and says what is wrong in one sentence; the points are then
validated and stored like an upload (links.py). Pure functions, no files.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np

from ganlab.data.files import MIN_ROWS
from ganlab.errors import ConfigError

PARAM = "points"  # the URL parameter's name
MAX_POINTS = 500  # what a drawn set or a link may hold
MIN_POINTS = MIN_ROWS  # what an upload needs too
SCALE = 1000  # coordinates are kept in thousandths
REACH = np.iinfo(np.int16).max / SCALE  # +-32.767: the largest coordinate an int16 holds
_BYTES = 4  # two int16 a point
_TEXT = re.compile(r"[A-Za-z0-9_-]*={0,2}")  # padding is not needed, but allowed


def _to_ints(points: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(points, dtype=np.float64) * SCALE).astype("<i2")


def _from_ints(ints: np.ndarray) -> np.ndarray:
    return ints.astype(np.float32) / np.float32(SCALE)


def quantize(points: np.ndarray) -> np.ndarray:
    """Points rounded to 1/1000, exactly as a link brings them back (so a drawn set and the
    same set opened from its link are one file, with one content hash)."""
    return _from_ints(_to_ints(np.clip(points, -REACH, REACH)))


def fits(points: np.ndarray) -> bool:
    """Whether a set can travel in a link: 2D, 2 to 500 points, all within +-32.767.
    Reads the shape first, so a memory-mapped large file is never read in full."""
    if points.ndim != 2 or points.shape[1] != 2:
        return False
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        return False
    values = np.asarray(points, dtype=np.float64)
    return bool(np.isfinite(values).all() and np.abs(values).max() <= REACH)


def encode_points(points: np.ndarray) -> str | None:
    """The URL parameter for a set, or None when it does not fit a link."""
    if not fits(points):
        return None
    return base64.urlsafe_b64encode(_to_ints(points).tobytes()).decode("ascii").rstrip("=")


def decode_points(text: str) -> np.ndarray:
    """The (n, 2) float32 points a ``points=`` parameter holds (ConfigError, one sentence,
    for anything else)."""
    if not isinstance(text, str) or not _TEXT.fullmatch(text):
        raise ConfigError(
            "The link's points parameter is not base64url text (letters, digits, - and _)."
        )
    text = text.rstrip("=")
    if len(text) > -(-MAX_POINTS * _BYTES * 4 // 3):
        raise ConfigError(
            f"The link's points parameter holds more than {MAX_POINTS} points; a link "
            f"carries at most {MAX_POINTS}."
        )
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:  # binascii.Error: a length no base64 text can have
        raise ConfigError(
            f"The link's points parameter is cut short: its length ({len(text)}) is one more "
            "than a multiple of 4, which base64 text never is."
        )
    n, rest = divmod(len(raw), _BYTES)
    if rest:
        raise ConfigError(
            f"The link's points parameter is cut short: {len(raw)} bytes are not whole "
            "(x, y) pairs."
        )
    if n < MIN_POINTS:
        raise ConfigError(
            f"The link's points parameter holds {n} point{'s' * (n != 1)}; a set needs at "
            f"least {MIN_POINTS}."
        )
    return _from_ints(np.frombuffer(raw, dtype="<i2").reshape(n, 2))


def npy_bytes(points: np.ndarray) -> bytes:
    """The points as the bytes of a .npy file, the form links.save_points reads."""
    out = io.BytesIO()
    np.save(out, np.asarray(points, dtype=np.float32), allow_pickle=False)
    return out.getvalue()
