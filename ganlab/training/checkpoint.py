"""Save and load a run: weights, optimizer states, step and config, safely.

A checkpoint is a plain dict of tensors and primitives written with ``torch.save`` and read
with ``torch.load(weights_only=True)``, which refuses pickled code: a hostile file is an
error message, never executed. config.json and metrics.json sit beside it for people.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from ganlab.config.run_config import RunConfig
from ganlab.device import resolve_device
from ganlab.errors import CheckpointError, GanlabError
from ganlab.training.trainer import Trainer

CHECKPOINT = "checkpoint.pt"
FORMAT = "ganlab-checkpoint-1"


def save_run(trainer: Trainer, out_dir: str | Path, metrics: dict[str, Any] | None = None) -> Path:
    """Write DIR/checkpoint.pt, DIR/config.json and (if given) DIR/metrics.json."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = {"format": FORMAT, "config": trainer.cfg.to_dict(), **trainer.state_dict()}
    tmp = out / (CHECKPOINT + ".tmp")
    torch.save(state, tmp)
    tmp.replace(out / CHECKPOINT)  # a crash mid-write never leaves a half checkpoint
    (out / "config.json").write_text(trainer.cfg.to_json() + "\n")
    if metrics is not None:
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return out / CHECKPOINT


def read_checkpoint(source: str | Path, label: str | None = None) -> dict[str, Any]:
    """The checkpoint dict from a run folder, a .pt file or ``pretrained:NAME``, validated.
    ``label`` names the file in messages (an upload's name rather than its temporary path).
    """
    if isinstance(source, str) and source.startswith("pretrained:"):
        from ganlab.labs.latent.pretrained import (
            path_of,  # the shipped models (ganlab/pretrained.py)
        )

        source = path_of(source)
    path = Path(source)
    if path.is_dir():
        path = path / CHECKPOINT
    if not path.is_file():
        raise CheckpointError(f"No checkpoint at {str(path)!r}; give a run folder from 'train'.")
    label = label or str(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, zipfile.BadZipFile, EOFError, OSError) as err:
        first = str(err).strip().splitlines()[0][:120] if str(err).strip() else type(err).__name__
        raise CheckpointError(
            f"{label!r} is not a readable ganlab checkpoint (corrupt, truncated or not "
            f"weights-only: {first})."
        )
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{label!r} is a PyTorch file but not a ganlab checkpoint.")
    if not isinstance(state.get("config"), dict):
        raise CheckpointError(f"{label!r} has no run config; it was not written by ganlab.")
    return state


def load_trainer(
    source: str | Path | dict[str, Any], device: torch.device | None = None
) -> Trainer:
    """Rebuild the trainer of a saved run, with its weights, optimizers and step (from a
    source for read_checkpoint, or a dict it returned). Weights that are not finite are
    refused: the nets would draw nothing but NaN."""
    state = source if isinstance(source, dict) else read_checkpoint(source)
    try:
        cfg = RunConfig.from_dict(state["config"])
    except GanlabError as err:
        raise CheckpointError(f"The checkpoint's config is invalid: {err}")
    # A run saved on a GPU machine loads anywhere: the device is chosen here, not stored.
    trainer = Trainer(cfg, device or resolve_device("auto"))
    try:
        trainer.load_state(state)
    except (RuntimeError, KeyError, ValueError, TypeError, AttributeError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:120]
        raise CheckpointError(f"The checkpoint's weights do not fit its config ({first}).")
    if not trainer.weights_finite():
        raise CheckpointError("The checkpoint's weights hold NaN or infinite values.")
    return trainer
