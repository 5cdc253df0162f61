"""``ganlab bench``: every case kind reports project vs eager, measured in one process.

Only the shape and sanity of the numbers are checked here: timing goals live in bench/."""

from __future__ import annotations

import json

import pytest
import torch

from ganlab.benchmarks.cases import CASES
from ganlab.benchmarks.timing import naive_steps_fn
from ganlab.cli.main import main
from ganlab.config.run_config import make_config


def test_bench_inapp_case_reports_ratios(capsys):
    assert main(["bench", "--json", "--cases", "inapp-ring8", "--seconds", "1.5"]) == 0
    [app] = json.loads(capsys.readouterr().out)
    assert app["case"] == "inapp-ring8" and app["device"].startswith("cpu")
    assert app["project_steps_per_s"] > 0 and app["naive_steps_per_s"] > 0
    assert app["ratio"] == pytest.approx(
        app["project_steps_per_s"] / app["naive_steps_per_s"], 0.05
    )
    assert app["redraws_per_s"] > 2  # the consumer really drew while the runner trained
    assert 0 < app["vs_headless"] < 5


def test_bench_image_case_eager_loop_runs_on_the_presets_nets():
    """The eager DCGAN loop of the image-dcgan case steps the preset's conv nets (its D
    returns one logit per image, so BCE targets must be flat: a shape bug once broke it)."""
    settings = {k: v for k, v in CASES["image-dcgan"].items() if k not in ("variant", "data")}
    cfg = make_config("dcgan", "mnist", **{**settings, "batch_size": 8}, device="cpu")
    steps = naive_steps_fn(cfg, torch.device("cpu"))
    torch.manual_seed(0)
    steps(2)
    assert cfg.hidden == make_config("dcgan", "mnist").hidden


def test_bench_unknown_case_is_one_sentence(capsys):
    assert main(["bench", "--cases", "toy-ring9"]) == 2
    err = capsys.readouterr().err
    assert "toy-ring9" in err and "Traceback" not in err and err.count("\n") == 1


def test_bench_sweep_case_times_the_batched_runs_against_sequential_trainers():
    from ganlab.benchmarks.sweep import sweep_case

    settings = {"variant": "nsgan", "data": "ring8", "hidden": 8, "batch_size": 16, "runs": 2}
    row = sweep_case("sweep-2", settings, torch.device("cpu"), seconds=0.3)
    assert row["case"] == "sweep-2" and row["runs"] == 2 and row["device"].startswith("cpu")
    assert row["project_steps_per_s"] > 0 and row["naive_steps_per_s"] > 0
    ratio = row["project_steps_per_s"] / row["naive_steps_per_s"]
    assert row["ratio"] == pytest.approx(ratio, 0.05)
