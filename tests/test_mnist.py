"""The MNIST IDX loader: the bundled digits, and one clear DataError per kind of bad file."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from ganlab.data import mnist
from ganlab.errors import DataError


def write_idx(path: Path, magic: int, dims: tuple[int, ...], data: bytes, gz: bool = False) -> Path:
    raw = struct.pack(f">I{len(dims)}I", magic, *dims) + data
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def digits(n: int) -> bytes:
    return np.arange(n * 28 * 28, dtype=np.int64).astype(np.uint8).tobytes()


def test_bundled_digits_shapes_dtypes_and_ranges():
    x, y = mnist.load_mnist()
    assert x.shape == (10_000, 1, 28, 28) and x.dtype == torch.float32
    assert y.shape == (10_000,) and y.dtype == torch.int64
    assert x.min().item() == 0.0 and x.max().item() == 1.0
    # The MNIST test set's published class counts.
    expected = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert torch.bincount(y, minlength=10).tolist() == expected
    assert y[:5].tolist() == [7, 2, 1, 0, 4]


def test_bundled_load_is_cached():
    assert mnist.load_mnist()[0] is mnist.load_mnist()[0]


def test_split_bundled_is_first_8000_and_last_2000():
    x, y = mnist.load_mnist()
    split = mnist.split_bundled()
    assert split.train_images.shape == (8_000, 1, 28, 28)
    assert split.heldout_images.shape == (2_000, 1, 28, 28)
    assert torch.equal(split.train_labels, y[:8000])
    assert torch.equal(split.heldout_images, x[8000:])
    assert torch.bincount(split.heldout_labels, minlength=10).min().item() > 150


def test_raw_idx_readers_match_the_tensors():
    images = mnist.load_idx_images(mnist.BUNDLED_DIR / mnist.BUNDLED_IMAGES)
    labels = mnist.load_idx_labels(mnist.BUNDLED_DIR / mnist.BUNDLED_LABELS)
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    assert labels.max() == 9
    assert torch.equal(torch.from_numpy(images[3]).float() / 255, mnist.load_mnist()[0][3, 0])


@pytest.mark.parametrize("gz", [False, True])
def test_folder_with_train_files_plain_or_gzip(tmp_path, gz):
    suffix = ".gz" if gz else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", 2051, (3, 28, 28), digits(3), gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", 2049, (3,), bytes([5, 0, 9]), gz)
    x, y = mnist.load_mnist(tmp_path)
    assert x.shape == (3, 1, 28, 28) and x.dtype == torch.float32
    assert y.tolist() == [5, 0, 9]
    assert x[0, 0, 0, 1].item() == pytest.approx(1 / 255)


def test_folder_without_files_names_what_it_looked_for(tmp_path):
    with pytest.raises(DataError, match="train-images-idx3-ubyte") as err:
        mnist.load_mnist(tmp_path)
    assert str(tmp_path) in str(err.value) and "train-labels-idx1-ubyte" in str(err.value)


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        mnist.load_mnist(tmp_path / "nope")


def test_wrong_magic_names_both_numbers(tmp_path):
    path = write_idx(tmp_path / "x.idx", 2049, (3,), bytes(3))
    with pytest.raises(DataError, match="magic number 2049.*2051"):
        mnist.load_idx_images(path)


def test_truncated_data(tmp_path):
    path = write_idx(tmp_path / "x.gz", 2051, (3, 28, 28), digits(2), gz=True)
    with pytest.raises(DataError, match=r"truncated: .* 2352 data bytes but only 1568"):
        mnist.load_idx_images(path)


def test_truncated_header(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(struct.pack(">II", 2051, 3))
    with pytest.raises(DataError, match="truncated inside its 16-byte header"):
        mnist.load_idx_images(path)


def test_trailing_bytes(tmp_path):
    path = write_idx(tmp_path / "x.idx", 2049, (3,), bytes(4))
    with pytest.raises(DataError, match="bytes after the 3"):
        mnist.load_idx_labels(path)


def test_wrong_image_size(tmp_path):
    path = write_idx(tmp_path / "x.idx", 2051, (2, 32, 32), bytes(2 * 32 * 32))
    with pytest.raises(DataError, match="32x32 images.*28x28"):
        mnist.load_idx_images(path)


def test_label_out_of_range(tmp_path):
    path = write_idx(tmp_path / "x.idx", 2049, (3,), bytes([1, 10, 2]))
    with pytest.raises(DataError, match="label 10; labels must be 0-9"):
        mnist.load_idx_labels(path)


def test_forged_count_is_refused_before_reading(tmp_path):
    path = write_idx(tmp_path / "x.idx", 2049, (4_000_000_000,), bytes(3))
    with pytest.raises(DataError, match="claims 4000000000 label"):
        mnist.load_idx_labels(path)


def test_corrupt_gzip(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(struct.pack(">II", 2049, 3) + bytes(3))[:-12])
    with pytest.raises(DataError, match="x.gz"):
        mnist.load_idx_labels(path)


def test_mismatched_counts(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", 2051, (3, 28, 28), digits(3))
    write_idx(tmp_path / "train-labels-idx1-ubyte", 2049, (2,), bytes([1, 2]))
    with pytest.raises(DataError, match="3 images but 2 labels"):
        mnist.load_mnist(tmp_path)


def test_errors_are_value_errors_with_one_sentence(tmp_path):
    path = write_idx(tmp_path / "x.idx", 7, (3,), bytes(3))
    with pytest.raises(ValueError) as err:
        mnist.load_idx_labels(path)
    message = str(err.value)
    assert "\n" not in message and message.endswith(".")
