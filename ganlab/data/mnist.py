"""MNIST digits: a strict IDX reader and the bundled 10,000-digit set.

The IDX format is a big-endian header (a magic number, then one uint32 per dimension)
followed by raw uint8 data; files may be gzip-compressed. Every header field is checked, so a
wrong, truncated or foreign file becomes a one-sentence ``DataError`` instead of a reshape
traceback or a silently garbled digit.

The bundled set (``mnist_bundled/``) is the original MNIST *test* set, 10,000 digits under
CC BY-SA 3.0 (see the README beside the files). The full 60,000-digit training set is not
shipped; ``load_mnist(folder)`` reads it from a folder the user chooses.

This module only reads data. It does not download anything, and it does not normalise to
[-1, 1] for tanh generators: that is the trainer's choice.
"""

from __future__ import annotations

import functools
import gzip
import struct
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np
import torch

from ganlab.errors import DataError

BUNDLED_DIR = Path(__file__).resolve().parent / "mnist_bundled"
BUNDLED_IMAGES = "t10k-images-idx3-ubyte.gz"
BUNDLED_LABELS = "t10k-labels-idx1-ubyte.gz"
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"

IMAGES_MAGIC = 2051  # 0x00000803: uint8 data, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: uint8 data, 1 dimension
SIDE = 28
MAX_ITEMS = 1_000_000  # far above MNIST's 70,000; stops a forged header from asking for GBs
# The classifier behind the digit score trains on the first 8,000 bundled digits and is
# judged on the last 2,000 (written by a different, harder group of people in the original).
HELD_OUT_START = 8_000

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


class MnistSplit(NamedTuple):
    """The fixed split of the bundled digits used by the digit classifier."""

    train_images: torch.Tensor  # float32 (8000, 1, 28, 28) in [0, 1]
    train_labels: torch.Tensor  # int64 (8000,)
    heldout_images: torch.Tensor  # float32 (2000, 1, 28, 28) in [0, 1]
    heldout_labels: torch.Tensor  # int64 (2000,)


def _open(path: Path) -> BinaryIO:
    """Open plain or gzip IDX, deciding by the file's first bytes rather than its name."""
    try:
        with path.open("rb") as probe:
            is_gzip = probe.read(2) == _GZIP_MAGIC
        return gzip.open(path, "rb") if is_gzip else path.open("rb")
    except FileNotFoundError:
        raise DataError(f"MNIST file {path} does not exist.") from None
    except OSError as err:
        raise DataError(f"MNIST file {path} cannot be read ({err.strerror or err}).") from None


def _read_exact(stream: BinaryIO, n_bytes: int, path: Path) -> bytearray:
    """Read n_bytes in chunks, so a forged size never allocates more than the file holds."""
    buf = bytearray()
    try:
        while len(buf) < n_bytes:
            chunk = stream.read(min(_CHUNK, n_bytes - len(buf)))
            if not chunk:
                break
            buf += chunk
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"MNIST file {path} is not valid gzip or IDX data ({err}).") from None
    return buf


def _read_idx(path: str | Path, magic: int, kind: str) -> tuple[tuple[int, ...], bytearray]:
    """Check the header of an IDX file of the given magic and return (dims, raw data)."""
    path = Path(path)
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    with _open(path) as stream:
        header = _read_exact(stream, header_size, path)
        if len(header) < 4:
            raise DataError(f"MNIST file {path} is too short to hold an IDX header.")
        (found,) = struct.unpack(">I", header[:4])
        if found != magic:
            raise DataError(
                f"MNIST file {path} has magic number {found}, but IDX {kind} files start "
                f"with {magic}."
            )
        if len(header) < header_size:
            raise DataError(f"MNIST file {path} is truncated inside its {header_size}-byte header.")
        dims = struct.unpack(f">{ndim}I", header[4:])
        if dims[0] > MAX_ITEMS:
            raise DataError(
                f"MNIST file {path} claims {dims[0]} {kind}, more than the {MAX_ITEMS} allowed."
            )
        if dims[1:] not in ((), (SIDE, SIDE)):
            raise DataError(
                f"MNIST file {path} holds {dims[1]}x{dims[2]} images, but only "
                f"{SIDE}x{SIDE} digits are supported."
            )
        expected = int(np.prod(dims))
        data = _read_exact(stream, expected, path)
        if len(data) < expected:
            raise DataError(
                f"MNIST file {path} is truncated: its header promises {expected} data bytes "
                f"but only {len(data)} follow."
            )
        if _read_exact(stream, 1, path):
            raise DataError(
                f"MNIST file {path} has bytes after the {expected} its header promises."
            )
    return dims, data


def load_idx_images(path: str | Path) -> np.ndarray:
    """Read an IDX image file (gzip or plain) into a writable uint8 array (n, 28, 28)."""
    dims, data = _read_idx(path, IMAGES_MAGIC, "image")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def load_idx_labels(path: str | Path) -> np.ndarray:
    """Read an IDX label file (gzip or plain) into a writable uint8 array (n,) of digits 0-9."""
    dims, data = _read_idx(path, LABELS_MAGIC, "label")
    labels = np.frombuffer(data, dtype=np.uint8).reshape(dims)
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"MNIST file {path} holds label {int(labels.max())}; labels must be 0-9.")
    return labels


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None


def _to_tensors(
    images: np.ndarray, labels: np.ndarray, where: str
) -> tuple[torch.Tensor, torch.Tensor]:
    if len(images) != len(labels):
        raise DataError(
            f"MNIST data in {where} has {len(images)} images but {len(labels)} labels; "
            "the counts must be equal."
        )
    x = torch.from_numpy(images).to(torch.float32).div_(255.0).unsqueeze(1)
    y = torch.from_numpy(labels).to(torch.int64)
    return x, y


@functools.lru_cache(maxsize=1)
def _load_bundled() -> tuple[torch.Tensor, torch.Tensor]:
    images = load_idx_images(BUNDLED_DIR / BUNDLED_IMAGES)
    labels = load_idx_labels(BUNDLED_DIR / BUNDLED_LABELS)
    return _to_tensors(images, labels, str(BUNDLED_DIR))


def load_mnist(mnist_dir: str | Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Return MNIST as (images float32 (n, 1, 28, 28) in [0, 1], labels int64 (n,)).

    ``None`` gives the 10,000 bundled digits. The bundled load is cached and every call
    returns the *same* tensors: treat them as read-only (clone before changing them in place),
    or every later caller in the process sees the change.

    A folder gives the full training set from ``train-images-idx3-ubyte[.gz]`` and
    ``train-labels-idx1-ubyte[.gz]`` in it; that load is not cached.
    """
    if mnist_dir is None:
        return _load_bundled()
    images_path, labels_path = find_mnist_files(mnist_dir)
    return _to_tensors(
        load_idx_images(images_path), load_idx_labels(labels_path), str(Path(mnist_dir))
    )


def find_mnist_files(mnist_dir: str | Path) -> tuple[Path, Path]:
    """The training images and labels files in a folder, or a DataError saying what is
    missing (a quick check, without reading them)."""
    folder = Path(mnist_dir)
    if not folder.is_dir():
        raise DataError(f"MNIST folder {folder} does not exist or is not a folder.")
    images_path = _find(folder, TRAIN_IMAGES)
    labels_path = _find(folder, TRAIN_LABELS)
    if images_path is None or labels_path is None:
        missing = TRAIN_IMAGES if images_path is None else TRAIN_LABELS
        raise DataError(
            f"MNIST folder {folder} has no {missing}[.gz]; it needs both "
            f"{TRAIN_IMAGES}[.gz] and {TRAIN_LABELS}[.gz]."
        )
    return images_path, labels_path


def split_bundled() -> MnistSplit:
    """Split the bundled digits: the first 8,000 to train on, the last 2,000 held out.

    The split is fixed (no shuffling) so that the shipped classifier's held-out accuracy and
    the real-digit statistics of the digit score are the same on every machine. The tensors
    are views of the cached bundled set: read-only, as for ``load_mnist``.
    """
    x, y = _load_bundled()
    s = HELD_OUT_START
    return MnistSplit(x[:s], y[:s], x[s:], y[s:])
