"""The settings table: one row per setting of a run, and the lists derived from the rows.

A row holds everything the project knows about one setting apart from the code that uses
it: name, type, default, allowed range (with open or closed ends) or choices, help text,
command-line flag, the widget a page draws, and four answers: may it change in a running
game (live), does it apply to toy variants only, can the batched sweep trainer train values
other than the default (batchable), can the captured CUDA-graph step (the reason it cannot,
if not). ``RunConfig`` and its range checks (run_config.py), the ``train`` flags
(cli/train.py), the widgets (controls.py, ui/widgets.py), links (links.py), the batched
trainer's and the CUDA graph's refusals are all built from these rows, so a new setting is
one row here plus the code that applies it.

Name lists come from their one home (losses, activations, toy data sets, noises, variants);
the optimizers and devices have theirs here. Rules between settings (batch size a multiple
of pack, memory caps) are not rows: run_config.py writes them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ganlab.config.presets import VARIANTS
from ganlab.data.noise import NOISES
from ganlab.data.toy import TOY_SETS
from ganlab.losses import LOSSES
from ganlab.nets.mlp import ACTIVATIONS

TOY_DATA = tuple(TOY_SETS)
IMAGE_DATA = ("mnist",)
LOSS_NAMES = tuple(LOSSES)
OPTIMIZERS = ("adam", "sgd", "rmsprop")
DEVICES = ("auto", "cpu", "cuda", "mps")

MAX_BATCH = 8192
MAX_HIDDEN = 1024
MAX_DEPTH = 8
MAX_STEPS = 10_000_000
LRS = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0)
NEXT_STEP = "Takes effect at the next step."
KEPT = "Takes effect at the next step; the weights are kept."
# What a student needs to tell the losses apart (the loss select shows "name (words)").
LOSS_WORDS = {
    "minimax": "saturating",
    "nsgan": "non-saturating",
    "lsgan": "least squares",
    "wgan": "Wasserstein critic",
    "hinge": "margins",
}


class Widget(NamedTuple):
    """How a page draws a setting: kind (slider, choice, select, toggle, number, text),
    label, (min, max) or the options, and help text (empty: none)."""

    kind: str
    label: str
    spec: Any = None
    help: str = ""


@dataclass(frozen=True)
class Field:
    """One setting. ``low``/``high`` bound a number (``ends``: "[]" closed, "(]" low end
    open, "[)" high end open); ``choices`` list the allowed names. ``panels`` name where the
    pages show the widget: game, knobs, nets, modifiers (playground), image (images page)."""

    name: str
    type: type
    default: Any
    help: str = ""  # the --help text; empty: the choices in words
    low: float | None = None
    high: float | None = None
    ends: str = "[]"
    choices: tuple[str, ...] = ()
    widget: Widget | None = None
    image_widget: Widget | None = None  # the images page's variation, if it differs
    panels: tuple[str, ...] = ()
    live: bool = False  # a running game takes it at its next step
    toy_only: bool = False  # image variants need the default
    batchable: bool = True  # False: the batched sweep trainer needs the default
    graph: str = ""  # why a CUDA-graph step needs the default ({value}, {default} filled in)
    link: bool = True  # a shared link may set it
    live_page: bool = True  # False: the live pages ignore it (they run until paused)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def low_open(self) -> bool:
        return self.ends[0] == "("

    @property
    def high_open(self) -> bool:
        return self.ends[1] == ")"

    @property
    def cli_help(self) -> str:
        if self.help or not self.choices:
            return self.help
        return f"{', '.join(self.choices[:-1])} or {self.choices[-1]}"


_NETS, _MOD = ("nets",), ("modifiers",)
ROWS: tuple[Field, ...] = (
    Field("data", str, "ring8", f"{', '.join(TOY_DATA + IMAGE_DATA)} or a .csv/.npy"),
    Field("variant", str, "nsgan", choices=tuple(VARIANTS)),
    Field("loss", str, "nsgan", "override the variant's loss pair", choices=LOSS_NAMES,
          live=True, panels=("game",), widget=Widget(
              "select", "Loss", {n: f"{n} ({LOSS_WORDS[n]})" if n in LOSS_WORDS else n
                                 for n in LOSS_NAMES},
              "minimax: G minimises log(1 − D(G(z))), which saturates when D wins; nsgan: G "
              "maximises log D(G(z)) instead; wgan wants clip or λ below. The variant loads its "
              f"own loss. {KEPT}")),
    Field("k", int, 1, "discriminator steps per generator step", 1, 100, live=True,
          widget=Widget("slider", "k: D steps per G step", (1, 20), NEXT_STEP),
          panels=("knobs", "image")),
    Field("lr_d", float, 1e-3, "D's learning rate", 0.0, 10.0, "(]", live=True,
          widget=Widget("choice", "Learning rate of D", LRS, NEXT_STEP), panels=("knobs", "image")),
    Field("lr_g", float, 1e-3, "G's learning rate", 0.0, 10.0, "(]", live=True,
          widget=Widget("choice", "Learning rate of G", LRS, NEXT_STEP), panels=("knobs", "image")),
    Field("batch_size", int, 256, "samples per batch", 1, MAX_BATCH, panels=("knobs", "image"),
          widget=Widget("choice", "Batch size", (16, 32, 64, 128, 256, 512, 1024, 2048, 4096))),
    Field("optimizer", str, "adam", choices=OPTIMIZERS, panels=("knobs",), live=True,
          widget=Widget("select", "Optimizer", OPTIMIZERS,
                        f"{KEPT} Its moments start afresh at the current learning rates."),
          graph="{value} keeps its lr on the host; graphs need {default}"),
    Field("beta1", float, 0.5, "Adam's beta1", 0.0, 1.0, "[)"),
    Field("beta2", float, 0.999, "Adam's beta2", 0.0, 1.0, "[)"),
    Field("lr_decay", float, 1.0, "multiply both lrs by this ...", 0.0, 1.0, "(]", live=True,
          panels=("knobs",), widget=Widget(
              "choice", "Learning-rate decay: x this ...", (0.5, 0.8, 0.9, 0.95, 0.99, 1.0),
              "1: off. Both rates in use are the base rates x this^(step ÷ n), n below; "
              "a change sets them from the next step.")),
    Field("lr_decay_every", int, 1000, "... every this many steps", 1, MAX_STEPS, live=True,
          panels=("knobs",), widget=Widget(
              "choice", "... every n steps", (50, 100, 250, 500, 1000, 2000, 5000), NEXT_STEP)),
    Field("noise", str, "normal", choices=NOISES, panels=_NETS,
          widget=Widget("select", "Noise distribution", NOISES, "What G's input z is drawn from.")),
    Field("noise_dim", int, 2, "size of G's input z", 1, 256, panels=("nets", "image"),
          widget=Widget("slider", "Noise dimension", (1, 16)),
          image_widget=Widget("choice", "Noise dimension (z)", (2, 4, 8, 16, 32, 62, 100, 128))),
    Field("hidden", int, 128, "hidden units per layer (channels for images)", 1, MAX_HIDDEN,
          widget=Widget("choice", "Width (hidden units)", (4, 8, 16, 32, 64, 128, 256, 512, 1024)),
          panels=_NETS),
    Field("depth", int, 2, "hidden layers (G's, and D's unless --d-depth)", 1, MAX_DEPTH,
          panels=_NETS, widget=Widget("slider", "Depth (hidden layers)", (1, 8),
                                     "G's, and D's unless set below.")),
    Field("d_depth", int, 0, "D's hidden layers (0: the same as --depth)", 0, MAX_DEPTH,
          panels=_NETS, widget=Widget("slider", "D's depth (0: as above)", (0, 8),
                                     "D's own number of hidden layers.")),
    Field("activation", str, "relu", choices=tuple(ACTIVATIONS), panels=_NETS,
          widget=Widget("select", "Activation", tuple(ACTIVATIONS))),
    Field("pack", int, 1, "PacGAN: D judges this many samples at once", 1, 16, toy_only=True,
          widget=Widget("slider", "Pack (PacGAN)", (1, 8), "D judges this many samples together."),
          panels=_MOD),
    Field("unrolled", int, 0, "unroll D this many steps for G's loss", 0, 20, toy_only=True,
          batchable=False, graph="the unrolled D copies its weights each step", panels=_MOD,
          widget=Widget("slider", "Unrolled D steps", (0, 10), "G looks this many D steps ahead.")),
    Field("minibatch_disc", bool, False, "D compares the samples of a batch", toy_only=True,
          batchable=False, panels=_MOD,
          widget=Widget("toggle", "Minibatch discrimination", None, "D compares samples.")),
    Field("g_batchnorm", bool, False, "batch norm in G", toy_only=True, batchable=False,
          widget=Widget("toggle", "Batch norm in G", None, "G normalises each hidden layer."),
          panels=_NETS),
    Field("maxout", int, 1, "D's units: the max of this many linear pieces", 1, 16,
          toy_only=True, panels=_NETS,
          widget=Widget("slider", "Maxout pieces in D", (1, 8),
                        "1: plain units with the activation.")),
    Field("g_ema", float, 0.0, "sample and measure a moving average of G (decay, e.g. 0.999)",
          0.0, 1.0, "[)", toy_only=True, batchable=False, panels=_NETS, widget=Widget(
              "choice", "Average of G's weights (EMA decay)", (0.0, 0.99, 0.999, 0.9999),
              "0: off. Otherwise pictures, metrics and samples come from a moving average of G's "
              "weights, which stays put while G hops between modes; training is unchanged.")),
    Field("lookahead", int, 0, "every this many steps pull both nets back", 0, MAX_STEPS,
          batchable=False, panels=("knobs",), widget=Widget(
              "choice", "Lookahead: pull back every n steps", (0, 5, 10, 20, 50),
              "0: off. Otherwise every n steps both nets move back toward where they were n "
              "steps before (halfway unless the link sets lookahead_alpha; Lookahead-minmax), "
              "which damps the players' circling around each other.")),
    Field("lookahead_alpha", float, 0.5, "... this share of the way (0.5)", 0.0, 1.0, "(]"),
    Field("instance_noise", float, 0.0, "std of noise added to every sample D sees ...", 0.0,
          10.0, toy_only=True, batchable=False, panels=_MOD,
          graph="instance noise changes its size every step", widget=Widget(
              "choice", "Instance noise (std)", (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0),
              "0: off. Otherwise D sees every sample, real and fake, plus Gaussian noise of this "
              "std: the blurred sets overlap, so D is never perfect and G's gradient never "
              "vanishes.")),
    Field("instance_noise_steps", int, 0, "... falling to 0 over this many steps (0: kept)", 0,
          MAX_STEPS, panels=_MOD, widget=Widget(
              "choice", "... falling to 0 over (steps)", (0, 1000, 2000, 5000, 10000, 20000),
              "0: the noise stays for the whole run.")),
    Field("clip", float, 0.0, "WGAN: clip D's weights to +-clip (0: off)", 0.0, 10.0,
          live=True, panels=("game",), widget=Widget(
              "choice", "Clip D's weights to ±c (WGAN)", (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
              "0: off. After every D step each weight of D is clipped into [−c, c], which keeps "
              f"a WGAN critic Lipschitz (Arjovsky et al. 2017). {NEXT_STEP}")),
    Field("gp_weight", float, 0.0, "weight of WGAN-GP's gradient penalty", 0.0, 1000.0,
          live=True, panels=("game",), widget=Widget(
              "choice", "λ: weight of the gradient penalty", (0.0, 0.1, 1.0, 5.0, 10.0, 50.0),
              "0: off. WGAN-GP adds λ·(‖∇D‖ − 1)² on lines between real and fake to D's loss, "
              f"pulling the critic's gradient norm toward 1. {NEXT_STEP}"),
          image_widget=Widget("choice", "λ: weight of the gradient penalty",
                              (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
                              "WGAN-GP pulls the critic's gradient norm toward 1 on lines between "
                              "real and fake.")),
    Field("r1", float, 0.0, "R1 penalty weight gamma on real data", 0.0, 1000.0, batchable=False),
    Field("info_lambda", float, 1.0, "InfoGAN: weight of the information term", 0.0, 100.0,
          widget=Widget("choice", "λ: weight of InfoGAN's information term",
                        (0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
                        "How hard G and Q are pushed to keep the codes readable from the image "
                        "(L_I).")),
    Field("mnist_dir", str, "", "folder with the full MNIST train-* files", link=False,
          widget=Widget("text", "Full MNIST folder (optional)", None,
                        "A folder on the server with train-images-idx3-ubyte and "
                        "train-labels-idx1-ubyte (.gz or not); empty: the 10,000 bundled digits.")),
    Field("seed", int, 0, "seed of every random draw (same seed, same run on CPU)", 0, 2**31 - 1,
          widget=Widget("number", "Seed", (0, 2**31 - 1), "Same seed, same run (on CPU)."),
          panels=_NETS),
    Field("device", str, "auto", choices=DEVICES),
    Field("steps", int, 3000, "generator steps", 1, MAX_STEPS, link=False, live_page=False),
    Field("snapshot_every", int, 100, "report progress and metrics every this many steps", 1,
          MAX_STEPS, link=False, live_page=False),
)  # fmt: skip
ROW: dict[str, Field] = {row.name: row for row in ROWS}


def changed(cfg: Any, rows: tuple[Field, ...] = ROWS) -> list[Field]:
    """The rows whose value in ``cfg`` differs from their default, in table order."""
    return [row for row in rows if getattr(cfg, row.name) != row.default]


def panel(name: str) -> tuple[str, ...]:
    """The settings a page panel shows, in table order."""
    return tuple(row.name for row in ROWS if name in row.panels)
