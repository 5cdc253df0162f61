"""Image GANs on digits: shapes, ranges, conditions, the InfoGAN MI term, LAPGAN's pyramid,
the --mnist-dir folder and the train/sample command line. Small nets and few steps: these
check what a short run can show, not sample quality (bench/IMAGE_QUALITY.md does that)."""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from ganlab.config.run_config import make_config
from ganlab.data.mnist import load_mnist
from ganlab.errors import ConfigError, DataError
from ganlab.games import pyramid
from ganlab.games.image import tile
from ganlab.games.infogan import code_purity
from ganlab.losses import LOSSES
from ganlab.training.checkpoint import load_trainer, save_run
from ganlab.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
TINY = {"hidden": 8, "batch_size": 16, "noise_dim": 8, "device": "cpu"}
IMAGE_VARIANTS = ["dcgan", "cgan", "infogan", "lapgan"]


@pytest.fixture(autouse=True)
def _two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(min(before, 2))
    yield
    torch.set_num_threads(before)


def tiny(variant: str, **changes) -> Trainer:
    return Trainer(make_config(variant, **{**TINY, **changes}))


@pytest.fixture(scope="module")
def stepped() -> dict[str, Trainer]:
    """One tiny trainer per variant after two steps, shared by the read-only tests."""
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    trainers = {v: tiny(v) for v in IMAGE_VARIANTS}
    for t in trainers.values():
        for _ in range(2):
            t.train_step()
    return trainers


def draw(trainer: Trainer, n: int, seed: int = 0, **conditions) -> torch.Tensor:
    return trainer.game.sample(n, torch.Generator().manual_seed(seed), **conditions)


@pytest.mark.parametrize("variant", IMAGE_VARIANTS)
def test_steps_samples_view_and_metrics_have_the_promised_shapes(variant, stepped):
    t = stepped[variant]
    x = draw(t, 6)
    assert x.shape == (6, 28, 28) and x.dtype == torch.float32
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    view = t.game.view(LOSSES[t.cfg.loss], True)
    rows = 10 if variant in ("cgan", "infogan") else 8
    assert view["grid"].shape == (rows, 8, 28, 28) and view["grid"].dtype == np.float32
    assert view["real"].shape == (8, 8, 28, 28)
    if variant == "infogan":
        assert view["c1_sweep"].shape == view["c2_sweep"].shape == (10, 8, 28, 28)
    if variant == "lapgan":
        assert view["levels"].shape == (3, 8, 28, 28)
    m = t.game.metrics()
    assert {"mean_confidence", "min_share", "frechet", "share_9"} <= set(m)
    assert all(isinstance(v, float) and np.isfinite(v) for v in m.values())
    assert sum(m[f"share_{d}"] for d in range(10)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("variant", "penalty"),
    [("cgan", {"gp_weight": 10.0}), ("lapgan", {"gp_weight": 10.0}), ("infogan", {"r1": 1.0})],
)
def test_penalties_run_for_conditional_pyramid_and_q_head_critics(variant, penalty):
    t = tiny(variant, loss="wgan" if "gp_weight" in penalty else "nsgan", **penalty)
    for _ in range(2):
        t.train_step()
    snap = t.snapshot(metrics=False)
    assert snap.status == "ok" and np.isfinite(snap.loss_d)


def test_lapgan_refuses_r1_in_one_sentence():
    with pytest.raises(ConfigError, match="r1 is 1, but lapgan's discriminators judge pyramids"):
        tiny("lapgan", r1=1.0)


def test_a_seed_gives_the_same_run_on_cpu():
    a, b = tiny("infogan"), tiny("infogan")
    for t in (a, b):
        for _ in range(3):
            t.train_step()
    assert torch.equal(draw(a, 4, cat=2), draw(b, 4, cat=2))


def test_cgan_label_conditions_the_digit(stepped):
    t = stepped["cgan"]
    threes, fives = draw(t, 8, label=3), draw(t, 8, label=5)
    assert torch.equal(threes, draw(t, 8, label=3))  # same z and label: same digits
    assert (threes - fives).abs().mean() > 1e-3  # same z, other label: other digits


def test_infogan_mutual_information_term_falls_in_a_short_run():
    t = tiny("infogan", batch_size=32)
    before = t.game.metrics()["info_loss"]
    for _ in range(40):
        t.train_step()
    after = t.game.metrics()["info_loss"]
    # At the start Q guesses: about ln 10 = 2.3 for the categorical code alone.
    assert before > 2.0
    assert after < 0.5 * before


def test_infogan_q_head_trains_at_g_rate_and_old_checkpoints_still_load(tmp_path):
    t = tiny("infogan", lr_d=2e-4, lr_g=1e-3, lr_decay=0.5, lr_decay_every=2)
    trunk, q = t.opt_d.param_groups
    assert {id(p) for p in q["params"]} == {id(p) for p in t.d.q.parameters()}
    assert len(trunk["params"]) + len(q["params"]) == len(list(t.d.parameters()))
    assert (trunk["lr"], q["lr"]) == (2e-4, 1e-3)
    t.train_step()
    t.train_step()  # the decay halves both players' rates, Q's with G's
    assert (trunk["lr"], q["lr"], t.opt_g.param_groups[0]["lr"]) == (1e-4, 5e-4, 5e-4)
    t.set_knobs(lr_g=4e-4)
    assert (trunk["lr"], q["lr"]) == (1e-4, 2e-4)
    save_run(t, tmp_path)
    state = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    # A checkpoint from before Q had its own rate: one group for all of D.
    state["opt_d"]["param_groups"] = state["opt_d"]["param_groups"][:1]
    state["opt_d"]["param_groups"][0]["params"] = list(range(len(list(t.d.parameters()))))
    state["opt_d"]["state"] = {}
    state["format"] = "ganlab-checkpoint-1"  # which was also before checkpoints had a digest
    del state["digest"]
    torch.save(state, tmp_path / "checkpoint.pt")
    old = load_trainer(tmp_path)
    assert old.step == 2 and len(old.opt_d.param_groups) == 2
    for a, b in zip(old.g.parameters(), t.g.parameters()):
        assert torch.equal(a, b)
    old.train_step()  # and it trains on


@pytest.mark.parametrize(
    ("variant", "conditions", "words"),
    [
        ("cgan", {"label": 10}, "label is 10; it must be a whole number 0 to 9."),
        ("cgan", {"label": 2.5}, "label is 2.5"),
        ("cgan", {"cat": 1}, "Unknown condition 'cat': variant 'cgan' takes label"),
        ("dcgan", {"label": 1}, "variant 'dcgan' takes no conditions"),
        ("infogan", {"cat": -1}, "cat is -1"),
        ("infogan", {"c1": 7.0}, "c1 is 7.0; it must be a number from -3 to 3"),
        ("infogan", {"c2": float("nan")}, "c2 is nan"),
        ("infogan", {"c3": 0.0}, "Unknown condition 'c3'"),
    ],
)
def test_bad_sample_conditions_are_one_sentence(variant, conditions, words, stepped):
    t = stepped[variant]
    with pytest.raises(ConfigError) as err:
        draw(t, 2, **conditions)
    message = str(err.value)
    assert words in message
    assert "\n" not in message and message.endswith(".")


def test_infogan_codes_are_applied(stepped):
    t = stepped["infogan"]
    fake = t.game._generate(5, torch.Generator().manual_seed(0), {"cat": 4, "c2": -0.5})
    assert fake.latent["cat"].tolist() == [4] * 5
    assert fake.latent["cont"][:, 1].tolist() == [-0.5] * 5
    assert fake.latent["cont"][:, 0].abs().max() <= 1


def test_code_purity_by_hand():
    codes = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2])
    predicted = torch.tensor([7, 7, 7, 1, 3, 3, 3, 5])
    purity, distinct, majority = code_purity(codes, predicted)
    assert purity == pytest.approx((0.75 + 1.0 + 0.5) / 3)
    assert distinct == 2  # 7 and 3 (code 2 ties 3 and 5; argmax picks the lower, 3)
    assert majority[:3] == [7, 3, 3] and majority[3:] == [-1] * 7


def test_laplacian_pyramid_collapses_back_exactly():
    x = load_mnist()[0][:5]
    p, (up7, up14) = pyramid.build(x)
    assert p.low.shape == (5, 1, 7, 7) and p.band14.shape == (5, 1, 14, 14)
    assert up7.shape == (5, 1, 14, 14) and up14.shape == (5, 1, 28, 28)
    assert torch.allclose(pyramid.collapse(p), x, atol=1e-6)
    assert torch.allclose(pyramid.down(pyramid.down(x)), p.low)


def test_lapgan_judges_all_three_levels_at_once(stepped):
    t = stepped["lapgan"]
    real, cond = t.game.real(4)
    assert t.game.discriminate(real, cond).shape == (12,)


def test_tile_lays_a_grid_out_with_padding():
    grid = np.zeros((2, 3, 28, 28), dtype=np.float32)
    image = tile(grid)
    assert image.shape == (2 * 29 - 1, 3 * 29 - 1)
    assert image[28].min() == 1.0 and image[:28, :28].max() == 0.0


def _write_idx(path: Path, magic: int, array: np.ndarray) -> None:
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_mnist_dir_trains_on_the_folder_given(tmp_path):
    images, labels = load_mnist()
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", 2051, (images[:50, 0] * 255).numpy())
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", 2049, labels[:50].numpy())
    t = tiny("dcgan", mnist_dir=str(tmp_path))
    assert t.game.images.shape == (50, 1, 28, 28)
    t.train_step()
    assert t.game.draw(200)[0].shape == (200, 1, 28, 28)


def test_mnist_dir_that_does_not_exist_is_one_sentence(tmp_path):
    with pytest.raises(DataError, match="does not exist or is not a folder"):
        tiny("dcgan", mnist_dir=str(tmp_path / "nowhere"))


def test_mnist_dir_without_the_files_is_one_sentence(tmp_path):
    with pytest.raises(DataError) as err:
        tiny("dcgan", mnist_dir=str(tmp_path))
    assert "has no train-images-idx3-ubyte" in str(err.value)


def _ganlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ganlab", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_trains_infogan_and_samples_a_fixed_code(tmp_path):
    run = tmp_path / "run"
    done = _ganlab(
        "train", "--data", "mnist", "--variant", "infogan", "--steps", "20", "--out", str(run)
    )
    assert done.returncode == 0, done.stderr
    assert {"checkpoint.pt", "config.json", "metrics.json"} <= {p.name for p in run.iterdir()}
    out = tmp_path / "x.npy"
    done = _ganlab("sample", str(run), "--n", "16", "--out", str(out), "--code", "cat=3")
    assert done.returncode == 0, done.stderr
    x = np.load(out)
    assert x.shape == (16, 28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    bad = _ganlab("sample", str(run), "--n", "4", "--out", str(out), "--code", "cat=12")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "ganlab: cat is 12; it must be a whole number 0 to 9."
