"""Training on a CUDA GPU: batched sweeps, the CLI, the trainers on device.

Every test here is marked ``cuda`` and runs only where torch sees a CUDA device;
``scripts/gpu_check.sh`` runs them (``pytest -m cuda``) with the bench and a short soak.
On a CPU-only machine they are skipped, which is all a CPU can say about them.
"""

from __future__ import annotations

import json
import math

import pytest
import torch

from ganlab.cli.main import main
from ganlab.config.run_config import make_config
from ganlab.labs import sweep
from ganlab.training.batched import BatchedTrainer
from ganlab.training.trainer import Trainer

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]
TINY = {"hidden": 16, "batch_size": 32, "device": "cuda"}


def _weights(modules: list[torch.nn.Module]) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for m in modules for p in m.parameters()])


def test_batched_runs_on_cuda_reproduce_eager_trainers_on_cuda(monkeypatch):
    monkeypatch.setenv("GANLAB_CUDA_GRAPHS", "0")  # the reference is the eager step
    cfgs = [
        make_config("nsgan", "ring8", seed=s, lr_d=lr, **TINY) for s, lr in ((0, 1e-3), (1, 3e-3))
    ]
    batched = BatchedTrainer(cfgs, torch.device("cuda"))
    batched.train_steps(20)
    batched.unstack()
    assert batched.device.type == "cuda"
    for cfg, game in zip(cfgs, batched.games):
        trainer = Trainer(cfg, torch.device("cuda"))
        assert trainer.graph_status.startswith("eager")
        trainer.train_steps(20)
        expected, got = _weights([trainer.g, trainer.d]), _weights([game.g, game.d])
        assert expected.is_cuda and got.is_cuda
        # bmm vs mm and another reduction order on the GPU: rounding, not a different run.
        assert (expected - got).abs().max().item() < 1e-4
        untrained = Trainer(cfg, torch.device("cuda"))
        assert (expected - _weights([untrained.g, untrained.d])).abs().max().item() > 1e-3


def test_a_batched_sweep_trains_every_run_on_cuda():
    cfgs = sweep.make_grid(
        "ring8", k=[1, 2], lr_d=[5e-4, 2e-3], batch_size=[32], seeds=2, steps=200,
        hidden=16, device="cuda",
    )  # fmt: skip
    rows = sweep.run_sweep(cfgs, "batched", "cuda")
    assert len(rows) == 8 and {r["group"] for r in rows} == {0, 1}
    for row in rows:
        assert row["status"] == "ok" and row["modes_total"] == 8
        assert math.isfinite(row["js_grid"]) and 0 <= row["high_quality_frac"] <= 1


def test_cli_train_on_cuda_writes_a_cuda_run(tmp_path):
    argv = ["train", "--data", "ring8", "--variant", "nsgan", "--steps", "300", "--seed", "0"]
    assert main([*argv, "--device", "cuda", "--out", str(tmp_path)]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["status"] == "ok" and metrics["steps"] == 300
    assert metrics["device"].startswith("cuda")


def test_a_toy_run_on_cuda_trains_as_a_cuda_graph():
    trainer = Trainer(make_config("nsgan", "ring8", device="cuda", steps=50))
    assert trainer.graph_status == "cuda graph"
    trainer.train_steps(10)
    assert trainer.step == 10 and trainer.snapshot(metrics=False).status == "ok"
