"""What the config widgets look like, and which changes a running game can take.

Pure data and logic (no Streamlit) so that every live page shows the same knob the same way:
``WIDGETS`` maps a RunConfig field to its widget kind, label, range or choices and help text;
``split_changes`` sorts a change of settings into what applies at the next step (learning
rates and k, as in GAN Lab) and what needs a fresh run. ui.py draws the widgets.
"""

from __future__ import annotations

from typing import Any

from ganlab.config import FIELDS, NOISES, OPTIMIZERS, RunConfig
from ganlab.nets.mlp import ACTIVATIONS

LIVE = ("lr_d", "lr_g", "k")  # change mid-run; everything else needs a fresh run
IGNORED = ("steps", "snapshot_every")  # the live page runs until paused
LRS = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0)

# field: (widget, label, choices or (min, max), help)
WIDGETS: dict[str, tuple[str, str, Any, str]] = {
    "k": ("slider", "k: D steps per G step", (1, 20), "Takes effect at the next step."),
    "lr_d": ("choice", "Learning rate of D", LRS, "Takes effect at the next step."),
    "lr_g": ("choice", "Learning rate of G", LRS, "Takes effect at the next step."),
    "batch_size": ("choice", "Batch size", (16, 32, 64, 128, 256, 512, 1024, 2048, 4096), ""),
    "optimizer": ("select", "Optimizer", OPTIMIZERS, ""),
    "noise": ("select", "Noise distribution", NOISES, "What G's input z is drawn from."),
    "noise_dim": ("slider", "Noise dimension", (1, 16), ""),
    "hidden": ("choice", "Width (hidden units)", (4, 8, 16, 32, 64, 128, 256, 512, 1024), ""),
    "depth": ("slider", "Depth (hidden layers)", (1, 8), ""),
    "activation": ("select", "Activation", tuple(ACTIVATIONS), ""),
    "minibatch_disc": ("toggle", "Minibatch discrimination", None, "D compares samples."),
    "pack": ("slider", "Pack (PacGAN)", (1, 8), "D judges this many samples together."),
    "unrolled": ("slider", "Unrolled D steps", (0, 10), "G looks this many D steps ahead."),
    "seed": ("number", "Seed", (0, 2**31 - 1), "Same seed, same run (on CPU)."),
}
KNOBS = ("k", "lr_d", "lr_g", "batch_size", "optimizer")
NETS = ("noise", "noise_dim", "hidden", "depth", "activation", "seed")
MODIFIERS = ("minibatch_disc", "pack", "unrolled")


def split_changes(current: RunConfig, wanted: RunConfig) -> tuple[dict[str, Any], list[str]]:
    """(live knobs that changed, with their new values; the other fields that changed)."""
    diff = [f for f in FIELDS if getattr(current, f) != getattr(wanted, f) and f not in IGNORED]
    return {f: getattr(wanted, f) for f in diff if f in LIVE}, [f for f in diff if f not in LIVE]
