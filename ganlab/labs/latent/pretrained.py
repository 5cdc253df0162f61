"""The image GANs shipped with ganlab, so latent browsing works offline from the first second.

Each model is a run folder under ``ganlab/assets/pretrained/NAME`` (checkpoint.pt,
config.json, metrics.json), written by ``python -m ganlab train`` and then slimmed: the
optimizers' moment estimates are dropped (they are only needed to resume training and would
triple the size), which ``load_trainer`` accepts as an optimizer that has not stepped yet.
scripts/train_pretrained.py reproduces them. Anywhere a run folder is accepted,
``pretrained:NAME`` names a shipped one: training/locate.py resolves it, below this layer, and
its names are re-exported here. Every shipped checkpoint carries its digest (see
training/checkpoint.py); scripts/reseal_pretrained.py rewrites old ones in that format.

This module trains nothing and loads nothing at import.
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from typing import Any

import torch

from ganlab.errors import CheckpointError, ConfigError
from ganlab.training.locate import (  # noqa: F401  (re-exported: the pages and scripts use them)
    NAMES,
    PREFIX,
    PRETRAINED_DIR,
    available,
    is_pretrained,
    path_of,
)

SUMMARIES = {
    "infogan-mnist": "InfoGAN: a 10-way code that picks the digit, two continuous codes",
    "cgan-mnist": "CGAN: the label picks the digit",
    "dcgan-mnist": "DCGAN: noise only",
}


def metrics_of(name: str) -> dict[str, Any]:
    """The shipped model's metrics.json (training summary plus the measured quality)."""
    path = path_of(PREFIX + name) / "metrics.json"
    return json.loads(path.read_text()) if path.is_file() else {}


@functools.lru_cache(maxsize=8)
def load(name: str) -> Any:
    """The shipped model ``name`` as a LatentModel on the CPU (cached; read-only)."""
    from ganlab.labs.latent.space import LatentModel
    from ganlab.training.checkpoint import load_trainer

    trainer = load_trainer(path_of(PREFIX + name), torch.device("cpu"))
    return LatentModel(trainer, name=PREFIX + name)


def slim(run_dir: str | Path, out_dir: str | Path, notes: dict[str, Any] | None = None) -> Path:
    """Copy a trained run to ``out_dir`` without optimizer moments or metric history.

    ``notes`` are merged into metrics.json (where the training data came from, measured
    quality). The config's ``mnist_dir`` is cleared and its device set to the CPU: a shipped
    model loads with the bundled digits on any machine, whatever it was trained on."""
    from ganlab.training.checkpoint import CHECKPOINT, read_checkpoint, seal

    src, out = Path(run_dir), Path(out_dir)
    state = read_checkpoint(src)
    for key in ("opt_g", "opt_d"):
        state[key] = {"state": {}, "param_groups": state[key]["param_groups"]}
    state["config"] = {**state["config"], "mnist_dir": "", "device": "cpu"}
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    torch.save(seal(state), out / CHECKPOINT)  # a new digest: the config changed
    (out / "config.json").write_text(json.dumps(state["config"], indent=2) + "\n")
    metrics = (
        json.loads((src / "metrics.json").read_text()) if (src / "metrics.json").is_file() else {}
    )
    metrics.pop("history", None)
    metrics.pop("resumed_from", None)  # a path on the training machine; the notes say how
    metrics.update(notes or {})
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return out / CHECKPOINT


MAX_CHECKPOINT = 64 << 20  # an image GAN of ganlab's sizes is a few MB


def from_bytes(data: bytes, name: str = "uploaded checkpoint") -> Any:
    """A LatentModel from checkpoint bytes (an upload, or a live run's checkpoint_bytes),
    read weights-only and checked against its digest; a wrong file is one sentence
    (CheckpointError or ConfigError)."""
    import tempfile

    from ganlab.labs.latent.space import LATENT_VARIANTS, LatentModel
    from ganlab.training.checkpoint import load_trainer, read_checkpoint

    if len(data) > MAX_CHECKPOINT:
        raise CheckpointError(
            f"{name!r} is {len(data) >> 20} MB; checkpoints over 64 MB are refused."
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "checkpoint.pt"
        path.write_bytes(data)
        state = read_checkpoint(path, label=name)
    variant = state["config"].get("variant")
    if variant not in LATENT_VARIANTS:
        # Checked before anything is built: a toy run's config may name a data file, and
        # building it would read that path on this server.
        raise ConfigError(
            f"{name!r} is a {str(variant)[:40]!r} run; the latent page takes one of: "
            f"{', '.join(LATENT_VARIANTS)}."
        )
    # Browsing needs no training data: a run from another machine's MNIST folder loads
    # here with the bundled digits.
    state["config"] = {**state["config"], "mnist_dir": "", "device": "cpu"}
    trainer = load_trainer(state, torch.device("cpu"), label=name)
    return LatentModel(trainer, name=name)
