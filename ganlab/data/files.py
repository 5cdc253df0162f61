"""Points from a user's CSV or NPY file: bounded, validated, one clear sentence per problem.

The file becomes a GaussianMixture with no jitter (training samples the points themselves)
and a kernel density estimate for metrics and the D* overlay.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch

from ganlab.data.toy import GaussianMixture
from ganlab.errors import DataError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MIN_ROWS = 2
KDE_POINTS = 4000  # the density uses at most this many points, so a grid stays cheap


def read_points(source: str | Path | bytes, name: str = "") -> np.ndarray:
    """Read a (n, 1) or (n, 2) float32 array from a .csv/.npy path or the bytes of one."""
    if isinstance(source, bytes):
        raw, label = source, name or "the uploaded file"
    else:
        path = Path(source)
        label = name or str(path)
        if not path.is_file():
            raise DataError(f"Data file {label!r} does not exist or is not a file.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DataError(_too_big(label, path.stat().st_size))
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise DataError(f"Data file {label!r} cannot be read ({err.strerror}).")
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(_too_big(label, len(raw)))
    suffix = (name or str(source)).lower().rsplit(".", 1)[-1]
    if suffix == "npy":
        points = _parse_npy(raw, label)
    elif suffix == "csv":
        points = _parse_csv(raw, label)
    else:
        raise DataError(f"Data file {label!r} must end in .csv or .npy.")
    return _check_points(points, label)


def _too_big(label: str, size: int) -> str:
    return f"Data file {label!r} is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES >> 20} MB."


def load_npy(raw: bytes, what: str) -> np.ndarray:
    """An array from .npy bytes, never pickled objects; ``what`` names the file in messages
    ("Data file 'a.npy'"). The header is checked first: it may claim any shape, and np.load
    allocates that much before it reads the data."""
    fmt = np.lib.format
    try:
        f = io.BytesIO(raw)
        version = fmt.read_magic(f)
        read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = read(f)
        claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if claimed > len(raw):
            raise DataError(
                f"{what} claims shape {shape} ({claimed:,} bytes) but holds {len(raw):,} "
                "bytes; it is truncated or not a real .npy file."
            )
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except DataError:
        raise
    except Exception as err:  # the header parser raises odd types too (tokenize's TokenError)
        first = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise DataError(f"{what} is not a valid .npy array ({first}).")


def _parse_npy(raw: bytes, label: str) -> np.ndarray:
    arr = load_npy(raw, f"Data file {label!r}")
    if arr.dtype.kind not in "iuf":  # not complex, nor timedelta (numpy counts it an integer)
        raise DataError(f"Data file {label!r} holds {arr.dtype} values; it must hold numbers.")
    return arr


def _parse_csv(raw: bytes, label: str) -> np.ndarray:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError(f"Data file {label!r} is not UTF-8 text; a CSV must be plain text.")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines and not _is_numeric_row(lines[0]):
        lines = lines[1:]  # a header row
    rows = []
    for number, line in enumerate(lines, start=1):
        if number > MAX_ROWS:
            raise DataError(f"Data file {label!r} has more than {MAX_ROWS:,} rows.")
        try:
            rows.append([float(v) for v in line.replace(";", ",").split(",")])
        except ValueError:
            raise DataError(
                f"Data file {label!r}, row {number}: {line[:40]!r} is not a list of numbers."
            )
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise DataError(f"Data file {label!r} has rows of different lengths {sorted(widths)}.")
    return np.asarray(rows, dtype=np.float64)


def _is_numeric_row(line: str) -> bool:
    try:
        [float(v) for v in line.replace(";", ",").split(",")]
    except ValueError:
        return False
    return True


def _check_points(arr: np.ndarray, label: str) -> np.ndarray:
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] not in (1, 2):
        raise DataError(
            f"Data file {label!r} has shape {tuple(arr.shape)}; it must have 1 or 2 columns."
        )
    if len(arr) < MIN_ROWS:
        rows = "1 row" if len(arr) == 1 else f"{len(arr)} rows"
        raise DataError(f"Data file {label!r} has {rows}; it needs at least {MIN_ROWS}.")
    if len(arr) > MAX_ROWS:
        raise DataError(f"Data file {label!r} has {len(arr):,} rows; the limit is {MAX_ROWS:,}.")
    if not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).any(axis=1).argmax()) + 1
        raise DataError(f"Data file {label!r}, row {bad}: NaN or infinite values are not allowed.")
    if np.abs(arr).max() > 1e6:
        raise DataError(f"Data file {label!r} has values beyond +-1e6; rescale the points.")
    return arr.astype(np.float32)


def points_dataset(points: np.ndarray, name: str, device: torch.device) -> GaussianMixture:
    """The points as a data set: samples are the points, density a Gaussian KDE."""
    n, dim = points.shape
    spread = float(points.std(axis=0).mean()) or 1.0
    bandwidth = spread * n ** (-1.0 / (dim + 4))  # Scott's rule
    lo, hi = points.min(axis=0), points.max(axis=0)
    margin = 0.15 * (hi - lo) + 3 * bandwidth
    bounds = tuple((float(a - m), float(b + m)) for a, b, m in zip(lo, hi, margin))
    subsample = None
    if n > KDE_POINTS:
        keep = np.random.default_rng(0).choice(n, KDE_POINTS, replace=False)
        subsample = torch.from_numpy(points[keep]).to(device)
    centers = torch.from_numpy(points).to(device)
    return GaussianMixture(name, centers, bandwidth, bounds, False, False, subsample)
