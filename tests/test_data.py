"""Toy data sets (sampling, exact densities) and user point files (validation)."""

import numpy as np
import pytest
import torch

from ganlab.data import make_toy_data, sample_noise
from ganlab.data.files import MAX_ROWS, read_points
from ganlab.errors import DataError


@pytest.mark.parametrize("name", ["gauss1d", "ring8", "grid25", "spiral", "moons"])
def test_density_integrates_to_one_over_the_box(name: str) -> None:
    data = make_toy_data(name)
    lo = [b[0] for b in data.bounds]
    hi = [b[1] for b in data.bounds]
    n = 200 if data.dim == 2 else 4000
    axes = [torch.linspace(a, b, n, dtype=torch.float64) for a, b in zip(lo, hi)]
    grid = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, data.dim)
    cell = np.prod([(b - a) / (n - 1) for a, b in zip(lo, hi)])
    assert float(data.density(grid).sum()) * cell == pytest.approx(1.0, abs=0.02)


def test_classic_sets_have_the_documented_moments() -> None:
    g = torch.Generator().manual_seed(0)
    x = make_toy_data("gauss1d").sample(20000, g)
    assert float(x.mean()) == pytest.approx(4.0, abs=0.02)
    assert float(x.std()) == pytest.approx(0.5, abs=0.02)
    ring = make_toy_data("ring8").sample(20000, g)
    assert float(ring.norm(dim=1).mean()) == pytest.approx(2.0, abs=0.01)
    grid = make_toy_data("grid25")
    assert grid.centers.min() == -4 and grid.centers.max() == 4 and len(grid.centers) == 25


def test_sampling_is_deterministic_for_a_generator() -> None:
    data = make_toy_data("moons")
    a = data.sample(100, torch.Generator().manual_seed(7))
    b = data.sample(100, torch.Generator().manual_seed(7))
    assert torch.equal(a, b)


def test_stratified_noise_spreads_evenly() -> None:
    z = sample_noise("stratified", 100, 1, torch.device("cpu"), torch.Generator().manual_seed(0))
    gaps = z[:, 0].sort().values.diff()
    assert float(z.min()) >= -1 and float(z.max()) <= 1.03
    assert float(gaps.max()) < 0.05  # no holes, unlike a uniform draw of 100


def test_csv_and_npy_points_load(tmp_path) -> None:
    csv = tmp_path / "pts.csv"
    csv.write_text("x,y\n0,1\n2,3\n4,5\n")
    assert read_points(csv).tolist() == [[0, 1], [2, 3], [4, 5]]
    npy = tmp_path / "pts.npy"
    np.save(npy, np.arange(10.0))
    pts = read_points(npy)
    assert pts.shape == (10, 1) and pts.dtype == np.float32
    data = make_toy_data(str(csv))
    assert data.dim == 2 and not data.modes
    assert float(data.density(torch.tensor([[2.0, 3.0]]))) > float(
        data.density(torch.tensor([[2.0, 8.0]]))
    )


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("a.csv", b"", "at least 2"),
        ("a.csv", b"1,2\n3\n", "different lengths"),
        ("a.csv", b"1,2\n3,abc\n", "row 2"),
        ("a.csv", b"1,2,3\n4,5,6\n", "1 or 2 columns"),
        ("a.csv", b"1,2\nnan,3\n", "NaN"),
        ("a.csv", b"1,2\ninf,3\n", "NaN or infinite"),
        ("a.csv", b"\xff\xfe\x00garbage", "UTF-8"),
        ("a.npy", b"not an npy file", "not a valid .npy"),
        ("a.txt", b"1,2\n", "must end in .csv or .npy"),
        ("a.csv", b"1,2\n1e9,2\n", "beyond"),
    ],
)
def test_bad_point_files_get_one_clear_sentence(name, content, words) -> None:
    with pytest.raises(DataError, match=words):
        read_points(content, name)


def test_oversized_and_missing_files(tmp_path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_points(tmp_path / "missing.csv")
    rows = "\n".join("1,2" for _ in range(MAX_ROWS + 2)).encode()
    with pytest.raises(DataError, match="more than"):
        read_points(rows, "big.csv")


def test_a_pickled_npy_is_refused_without_running_it(tmp_path) -> None:
    marker = tmp_path / "ran"
    arr = np.array([Exploit(str(marker))], dtype=object)
    path = tmp_path / "evil.npy"
    np.save(path, arr, allow_pickle=True)
    with pytest.raises(DataError):
        read_points(path)
    assert not marker.exists()


class Exploit:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))
