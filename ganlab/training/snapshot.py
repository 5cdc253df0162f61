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
