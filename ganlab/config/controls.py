"""What the config widgets look like, and which changes a running game can take.

Pure data and logic (no Streamlit) so that every live page shows the same knob the same way:
``WIDGETS`` maps a RunConfig field to its widget kind, label, range or choices and help text;
``split_changes`` sorts a change of settings into what applies at the next step (learning
rates and k, as in GAN Lab) and what needs a fresh run. ui.py draws the widgets.
"""

from __future__ import annotations

from typing import Any

from ganlab.config.run_config import FIELDS, NOISES, OPTIMIZERS, RunConfig
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
    "depth": ("slider", "Depth (hidden layers)", (1, 8), "G's, and D's unless set below."),
    "d_depth": ("slider", "D's depth (0: as above)", (0, 8), "D's own number of hidden layers."),
    "activation": ("select", "Activation", tuple(ACTIVATIONS), ""),
    "g_batchnorm": ("toggle", "Batch norm in G", None, "G normalises each hidden layer."),
    "maxout": ("slider", "Maxout pieces in D", (1, 8), "1: plain units with the activation."),
    "g_ema": (
        "choice", "Average of G's weights (EMA decay)", (0.0, 0.99, 0.999, 0.9999),
        "0: off. Otherwise pictures, metrics and samples come from a moving average of G's "
        "weights, which stays put while G hops between modes; training is unchanged.",
    ),
    "lookahead": (
        "choice", "Lookahead: pull back every n steps", (0, 5, 10, 20, 50),
        "0: off. Otherwise every n steps both nets move back toward where they were n steps "
        "before (halfway unless the link sets lookahead_alpha; Lookahead-minmax), which damps "
        "the players' circling around each other.",
    ),
    "minibatch_disc": ("toggle", "Minibatch discrimination", None, "D compares samples."),
    "pack": ("slider", "Pack (PacGAN)", (1, 8), "D judges this many samples together."),
    "unrolled": ("slider", "Unrolled D steps", (0, 10), "G looks this many D steps ahead."),
    "instance_noise": (
        "choice", "Instance noise (std)", (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0),
        "0: off. Otherwise D sees every sample, real and fake, plus Gaussian noise of this "
        "std: the blurred sets overlap, so D is never perfect and G's gradient never vanishes.",
    ),
    "instance_noise_steps": (
        "choice", "... falling to 0 over (steps)", (0, 1000, 2000, 5000, 10000, 20000),
        "0: the noise stays for the whole run.",
    ),
    "seed": ("number", "Seed", (0, 2**31 - 1), "Same seed, same run (on CPU)."),
    "info_lambda": (
        "choice", "λ: weight of InfoGAN's information term", (0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
        "How hard G and Q are pushed to keep the codes readable from the image (L_I).",
    ),
    "gp_weight": (
        "choice", "λ: weight of the gradient penalty", (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
        "WGAN-GP pulls the critic's gradient norm toward 1 on lines between real and fake.",
    ),
    "mnist_dir": (
        "text", "Full MNIST folder (optional)", None,
        "A folder on the server with train-images-idx3-ubyte and train-labels-idx1-ubyte "
        "(.gz or not); empty: the 10,000 bundled digits.",
    ),
}  # fmt: skip
# The images page: conv nets want other noise sizes than the toy MLPs.
IMAGE_WIDGETS = {
    **WIDGETS,
    "noise_dim": ("choice", "Noise dimension (z)", (2, 4, 8, 16, 32, 62, 100, 128), ""),
}
IMAGE_KNOBS = ("k", "lr_d", "lr_g", "batch_size", "noise_dim")
# An image run's loss is picked apart from its variant (the variants differ in their nets).
IMAGE_LOSSES = ("nsgan", "lsgan", "wgan-gp", "hinge")
GP_WEIGHT = 10.0  # Gulrajani et al. 2017
KNOBS = ("k", "lr_d", "lr_g", "batch_size", "optimizer", "lookahead")
NETS = (
    "noise", "noise_dim", "hidden", "depth", "d_depth", "activation", "g_batchnorm", "maxout",
    "g_ema", "seed",
)  # fmt: skip
MODIFIERS = ("minibatch_disc", "pack", "unrolled", "instance_noise", "instance_noise_steps")


def loss_fields(choice: str, gp_weight: float) -> dict[str, Any]:
    """The config fields of a loss choice on the images page: WGAN-GP is the critic loss plus
    a gradient penalty of weight ``gp_weight``; the other losses carry no penalty."""
    if choice == "wgan-gp":
        return {"loss": "wgan", "gp_weight": gp_weight or GP_WEIGHT}
    return {"loss": choice, "gp_weight": 0.0}


def loss_choice(cfg: RunConfig) -> str:
    """The images page's name for cfg's loss (the inverse of ``loss_fields``)."""
    return "wgan-gp" if cfg.loss == "wgan" and cfg.gp_weight else cfg.loss


def split_changes(current: RunConfig, wanted: RunConfig) -> tuple[dict[str, Any], list[str]]:
    """(live knobs that changed, with their new values; the other fields that changed)."""
    diff = [f for f in FIELDS if getattr(current, f) != getattr(wanted, f) and f not in IGNORED]
    return {f: getattr(wanted, f) for f in diff if f in LIVE}, [f for f in diff if f not in LIVE]
