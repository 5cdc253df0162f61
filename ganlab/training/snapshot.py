"""What a run looks like at one moment: the record the trainer hands to pages and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Snapshot:
    """What the run looks like after ``step`` generator steps. Losses and D outputs are
    means over the steps since the previous snapshot; ``view`` holds arrays to draw."""

    step: int
    seconds: float
    steps_per_s: float
    loss_d: float
    loss_g: float
    d_real: float
    d_fake: float
    grad_norm_d: float
    grad_norm_g: float
    lr_d: float
    lr_g: float
    k: int
    device: str
    metrics: dict[str, float] = field(default_factory=dict)
    view: dict[str, np.ndarray] = field(default_factory=dict)
    status: str = "ok"
    message: str = ""
    stage: StageView | None = None  # in slow motion: where the walk through a step stands


@dataclass
class StageView:
    """One stage of a training step walked in slow motion (training/stages.py): stage
    ``number`` of ``total`` of ``player``'s half ("D" or "G"), what that stage computed on
    its batch as arrays to draw (``real``, ``z``, ``fake``, ``d_real``, ``d_fake``, ``push``,
    ``moved``) and as numbers to show, and whether it ends the walk (``last``)."""

    number: int
    total: int
    name: str
    player: str
    repeat: str = ""  # "D step 2 of 3" when k > 1
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)
    last: bool = False

    @property
    def label(self) -> str:
        """What the page says, e.g. "stage 3 of 8: D judges real and fake"."""
        return f"stage {self.number} of {self.total}: {self.name}"
