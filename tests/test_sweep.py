"""Sweeps: the batched trainer against the sequential Trainer, grids, results, the CLI."""

from __future__ import annotations

import csv
import math
import sys

import numpy as np
import pytest
import torch

from ganlab.cli.main import main
from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.figures import sweep as viz_sweep
from ganlab.labs import sweep
from ganlab.training.batched import BatchedTrainer, group_key
from ganlab.training.trainer import Trainer

TINY = {"hidden": 16, "batch_size": 32, "steps": 20}


def _weights(modules: list[torch.nn.Module]) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for m in modules for p in m.parameters()])


# wgan-gp trains 5 steps only, at lr_g 1e-3: its penalty's gradient jumps where a ReLU
# flips, so a 1e-8 rounding difference can become 1e-3 at a single step (measured: at step
# 6 of 20; at step 2 with ring8's lr_g of 3e-3).
@pytest.mark.parametrize(
    "variant, extra, steps",
    [
        ("nsgan", {}, 20),  # ring8's preset packs pairs
        ("nsgan", {"pack": 1}, 20),
        ("gan", {"optimizer": "sgd"}, 20),
        ("wgan", {}, 20),
        ("wgan-gp", {"lr_g": 1e-3}, 5),
    ],
)
def test_batched_runs_reproduce_sequential_trainers(variant, extra, steps):
    # Same seed, same nets, same data and noise: each batched run is the Trainer's run.
    cfgs = [
        make_config(variant, "ring8", seed=s, lr_d=lr, **TINY, **extra)
        for s, lr in ((0, 1e-3), (1, 3e-3))
    ]
    batched = BatchedTrainer(cfgs)
    batched.train_steps(steps)
    batched.unstack()
    for cfg, game in zip(cfgs, batched.games):
        trainer = Trainer(cfg)
        trainer.train_steps(steps)
        expected, got = _weights([trainer.g, trainer.d]), _weights([game.g, game.d])
        # Only float rounding differs (bmm vs mm, fused Adam vs ours).
        assert (expected - got).abs().max() < 1e-5
        untrained = Trainer(cfg)
        assert (expected - _weights([untrained.g, untrained.d])).abs().max() > 1e-3


def test_changing_one_runs_lr_leaves_the_others_alone():
    base = make_config("nsgan", "ring8", **TINY)
    a = BatchedTrainer([base, base.replace(seed=1)])
    b = BatchedTrainer([base, base.replace(seed=1, lr_d=5e-2, lr_g=5e-2)])
    for t in (a, b):
        t.train_steps(15)
    first_a = torch.cat([p[0].flatten() for p in a.g_params.values()])
    first_b = torch.cat([p[0].flatten() for p in b.g_params.values()])
    second_a = torch.cat([p[1].flatten() for p in a.g_params.values()])
    second_b = torch.cat([p[1].flatten() for p in b.g_params.values()])
    assert torch.equal(first_a, first_b)
    assert (second_a - second_b).abs().max() > 1e-3


def test_groups_split_by_shape_and_schedule_not_by_lr_or_seed():
    cfgs = sweep.make_grid("ring8", k=[1, 2], lr_d=[1e-4, 1e-3], batch_size=[32, 64], seeds=2)
    assert len(cfgs) == 16
    parts = sweep.groups(cfgs)
    assert sorted(len(p) for p in parts) == [4, 4, 4, 4]
    for part in parts:
        assert len({group_key(cfgs[i]) for i in part}) == 1
        assert len({(cfgs[i].lr_d, cfgs[i].seed) for i in part}) == 4


def test_grid_takes_the_preset_for_lists_not_given_and_drops_duplicates():
    cfgs = sweep.make_grid("gauss1d", "wgan", k=[1, 1, 3], seeds=1)
    preset = make_config("wgan", "gauss1d")
    assert [c.k for c in cfgs] == [1, 3]
    assert {c.lr_d for c in cfgs} == {preset.lr_d} and {c.batch_size for c in cfgs} == {
        preset.batch_size
    }
    assert [c.replace(k=preset.k) for c in cfgs] == [preset, preset]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": []}, "The k list is empty"),
        ({"lr_d": [1e-4, 2e-4, 3e-4, 1e-3], "k": list(range(1, 34)), "seeds": 4}, "cap of 512"),
        ({"k": [0]}, "k is 0"),
        ({"lr_g": [-1.0]}, "lr_g is -1.0"),
        ({"seeds": 0}, "seeds is 0"),
    ],
)
def test_bad_grids_get_one_sentence(kwargs, message):
    with pytest.raises(ConfigError) as err:
        sweep.make_grid("ring8", **kwargs)
    text = str(err.value)
    assert text.count(". ") == 0 and text.endswith(".")
    assert message in text


def test_what_the_batched_trainer_cannot_batch_trains_one_by_one():
    """grid25's preset has batch norm in G: a sweep on it trains each run as the sequential
    backend would (same rows), where it used to stop with an error."""
    cfgs = sweep.make_grid("ring8", lr_d=[1e-3, 2e-3], steps=30, hidden=16, g_batchnorm=True)
    assert (
        sweep.plan(cfgs)
        == "2 runs, 2 of them one by one (the batched trainer cannot batch g_batchnorm)"
    )
    batched, sequential = (sweep.run_sweep(cfgs, b, "cpu") for b in ("batched", "sequential"))
    keys = ("modes_covered", "high_quality_frac", "js_grid", "w1")
    assert [[r[k] for k in keys] for r in batched] == [[r[k] for k in keys] for r in sequential]
    plain = sweep.make_grid("ring8", lr_d=[1e-3, 2e-3], steps=30, hidden=16)
    assert sweep.plan(plain) == "2 runs in 1 batched group(s)"
    blurred = sweep.make_grid("ring8", lr_d=[1e-3], steps=30, hidden=16, instance_noise=0.1)
    assert sweep.plan(blurred) == (
        "1 runs, 1 of them one by one (the batched trainer cannot batch instance_noise)"
    )


def test_parse_list_names_the_flag():
    assert sweep.parse_list("lr-d", "1e-4, 3e-4,", float) == [1e-4, 3e-4]
    assert sweep.parse_list("k", None, int) is None
    with pytest.raises(ConfigError, match="--k has 'x', which is not a whole number"):
        sweep.parse_list("k", "1,x", int)
    with pytest.raises(ConfigError, match="--k is empty"):
        sweep.parse_list("k", ",", int)


def test_backends_give_the_same_rows_and_progress_reaches_one():
    cfgs = sweep.make_grid("ring8", lr_d=[1e-3, 3e-3], batch_size=[32], hidden=16, steps=20)
    seen: list[float] = []
    fast = sweep.run_sweep(cfgs, "batched", "cpu", seen.append)
    slow = sweep.run_sweep(cfgs, "sequential", "cpu")
    assert seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    assert [r["lr_d"] for r in fast] == [1e-3, 3e-3]
    for a, b in zip(fast, slow):
        assert a["status"] == b["status"] == "ok"
        assert a["modes_covered"] == b["modes_covered"]
        assert a["js_grid"] == pytest.approx(b["js_grid"], abs=1e-3)
        assert a["link"].startswith("./?variant=nsgan&data=ring8")


def test_phase_diagram_has_two_heat_maps_of_the_grid():
    rows = [
        {"k": k, "lr_d": lr, "lr_g": 1e-3, "batch_size": 64, "modes_covered": k + lr * 1e3,
         "modes_total": 8.0, "js_grid": 0.1 * k, "w1": 0.5, "high_quality_frac": 0.9}
        for k in (1, 2, 5) for lr in (1e-4, 1e-3) for _seed in (0, 1)
    ]  # fmt: skip
    grid = viz_sweep.cells(rows)
    assert grid["y"] == ["k=1", "k=2", "k=5"] and grid["x"] == ["D 0.0001", "D 0.001"]
    assert grid["means"]["modes_covered"][2, 1] == pytest.approx(6.0)
    assert all(len(runs) == 2 for runs in grid["runs"].values())
    fig = viz_sweep.phase_diagram(rows)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    assert "modes covered (of 8)" in fig.layout.annotations[0].text
    no_modes = [{**r, "modes_total": math.nan, "modes_covered": math.nan} for r in rows]
    assert viz_sweep.phase_diagram(no_modes).layout.annotations[0].text == "W1"


def test_cli_sweep_writes_one_csv_row_per_run_and_a_heat_map(tmp_path, capsys):
    out = tmp_path / "sw"
    argv = ["sweep", "--data", "ring8", "--k", "1,2", "--lr-d", "1e-3,3e-3", "--lr-g", "1e-3"]
    argv += ["--seeds", "1"]
    argv += ["--steps", "10", "--hidden", "16", "--batch-size", "32", "--out", str(out)]
    assert main(argv) == 0
    with open(out / "results.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and {r["k"] for r in rows} == {"1", "2"}
    assert set(sweep.COLUMNS) <= set(rows[0]) and rows[0]["status"] == "ok"
    html = (out / "heatmap.html").read_text()
    assert "plotly" in html and "modes covered" in html
    assert "4 runs in 2 batched group(s)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--k", ""], "--k is empty"),
        (["--k", "1,2", "--seeds", "300"], "cap of 512"),
        (["--lr-d", "0"], "lr_d is 0.0"),
        (["--backend", "spark"], "--backend is 'spark'"),
        (["--data", "mnist", "--variant", "dcgan"], "toy variants only"),
    ],
)
def test_cli_bad_grids_exit_2_with_one_line(tmp_path, capsys, flags, message):
    assert main(["sweep", "--out", str(tmp_path / "x"), "--steps", "5", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cli_ray_backend_without_ray_says_how_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    assert main(["sweep", "--backend", "ray", "--out", str(tmp_path / "x")]) == 2
    assert "pip install 'ganlab[ray]'" in capsys.readouterr().err


def test_a_diverging_run_is_reported_and_leaves_the_others_alone():
    grid = {"optimizer": "sgd", "hidden": 16, "batch_size": [32], "steps": 30}
    cfgs = sweep.make_grid("ring8", "lsgan", lr_d=[1e-3, 9.0], **grid)  # D at lr 9 blows up
    rows = sweep.run_sweep(cfgs, "batched", "cpu")
    assert [r["status"] for r in rows] == ["ok", "diverged"]
    assert math.isnan(rows[1]["js_grid"]) and math.isfinite(rows[0]["js_grid"])
    alone = sweep.run_sweep(cfgs[:1], "batched", "cpu")[0]
    assert alone["js_grid"] == pytest.approx(rows[0]["js_grid"], abs=1e-6)
    assert alone["w1"] == pytest.approx(rows[0]["w1"], abs=1e-6)
    assert [r["status"] for r in sweep.run_sweep(cfgs, "sequential", "cpu")] == ["ok", "diverged"]


def _cell(rows: list[dict], lr_d: float, lr_g: float) -> float:
    """Mean modes covered over the seeds of one cell."""
    modes = [r["modes_covered"] for r in rows if r["lr_d"] == lr_d and r["lr_g"] == lr_g]
    assert modes
    return sum(modes) / len(modes)


def test_shipped_sweep_is_the_default_grid():
    """The page's shipped result and DEFAULT_GRID cannot drift apart: rerun
    scripts/ship_results.py sweep after changing the grid."""
    shipped = sweep.load_shipped()
    grid = sweep.Grid.from_json(shipped["grid"])
    assert grid == sweep.DEFAULT_GRID and shipped["command"] == grid.command()
    settings = ("data", "variant", "k", "lr_d", "lr_g", "batch_size", "seed", "steps")
    ran = sorted(tuple(r[n] for n in settings) for r in shipped["rows"])
    wanted = sorted(tuple(getattr(c, n) for n in settings) for c in grid.configs())
    assert ran == wanted and len(ran) == 18
    assert all(
        r["status"] == "ok" and r["link"].startswith("./?variant=nsgan") for r in shipped["rows"]
    )


def test_the_cli_defaults_and_the_grids_command_train_the_default_grid(monkeypatch):
    trained: list[list] = []
    monkeypatch.setattr("ganlab.cli.sweep._train", lambda cfgs, args: trained.append(cfgs) or [])
    monkeypatch.setattr("ganlab.cli.sweep.write_results", lambda rows, out: (out, out))
    wanted = sweep.DEFAULT_GRID.configs(device="auto")
    assert main(["sweep", "--out", "unused"]) == 0
    assert main(sweep.DEFAULT_GRID.command(out="unused").split()[3:]) == 0
    assert trained == [wanted, wanted]


def test_default_lesson_holds_on_the_shipped_result():
    """Each claim of DEFAULT_LESSON, checked on the shipped numbers."""
    rows = sweep.load_shipped()["rows"]
    slow, mid, fast = sweep.DEFAULT_GRID.lr_d
    assert sweep.DEFAULT_GRID.lr_g == (slow, mid, fast)
    assert _cell(rows, mid, mid) == 8  # "both at 3e-3 ... all eight are found"
    for other in (slow, mid, fast):  # "the bottom row and the left column fail"
        assert _cell(rows, slow, other) <= 2 and _cell(rows, other, slow) <= 2
    for d, g in ((slow, mid), (slow, fast), (mid, fast)):  # above the diagonal: "a few"
        assert _cell(rows, d, g) <= 3
    for g in (mid, fast):  # the right column: "only some of the modes"
        assert 3 < _cell(rows, fast, g) < 7
    cells = viz_sweep.cells(rows)
    assert cells["x"] == ["D 0.0003", "D 0.003", "D 0.03"]
    assert cells["y"] == ["G 0.0003", "G 0.003", "G 0.03"]  # bottom to top in the heat map


def test_reading_names_the_cells_that_work_and_fail():
    rows = [
        {"k": 1, "lr_d": d, "lr_g": g, "batch_size": 64, "seed": s, "steps": 300,
         "modes_covered": m, "modes_total": 8.0, "js_grid": 0.7 - m / 16, "w1": 0.5,
         "high_quality_frac": 0.5}
        for d, g, ms in ((1e-3, 1e-3, (8, 7)), (1e-3, 1e-2, (1, 2)), (1e-2, 1e-3, (4, 4)),
                         (1e-2, 1e-2, (math.nan, math.nan)))
        for s, m in enumerate(ms)
    ]  # fmt: skip
    assert viz_sweep.reading(rows) == [
        "Each cell is the mean of 2 seed(s) after 300 steps.",
        "Works (at least 7 of 8 modes): G 0.001 · D 0.001 (7.5 modes, JS 0.23).",
        "Fails (at most 2 modes): G 0.01 · D 0.001 (1.5 modes, JS 0.61); G 0.01 · D 0.01 "
        "(every seed diverged).",
        "The other 1 cell(s) found some modes but not all.",
    ]
    collapsed = [{**r, "modes_covered": 1.0} for r in rows]
    assert viz_sweep.reading(collapsed)[1:] == [
        "No cell found 7 of 8 modes; the best was G 0.001 · D 0.001 (1.0 modes, JS 0.23).",
        "Every cell fails (at most 2 modes).",
    ]
    no_modes = [{**r, "modes_total": math.nan, "w1": r["lr_d"] * 10} for r in rows]
    assert viz_sweep.reading(no_modes)[1] == (
        "Closest to the data: G 0.001 · D 0.001 (W1 0.010); furthest: G 0.01 · D 0.01 (W1 0.100)."
    )


def test_both_learning_rates_make_rows_of_g_and_columns_of_d():
    rows = sweep.load_shipped()["rows"]
    fig = viz_sweep.phase_diagram(rows)
    assert fig.layout.xaxis.title.text == "D's learning rate"
    assert fig.layout.yaxis.title.text == "G's learning rate"
    z = np.array(fig.data[0].z)
    assert z.shape == (3, 3) and z[1, 1] == 8  # row G 3e-3, column D 3e-3
    with_k = [{**r, "k": 1 + r["seed"]} for r in rows]  # k varies too: rows are k and G's rate
    assert viz_sweep.cells(with_k)["y"][:2] == ["k=1 · G 0.0003", "k=1 · G 0.003"]
