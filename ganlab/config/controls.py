"""What the config widgets look like, and which changes a running game can take.

Pure data and logic (no Streamlit) so that every live page shows the same knob the same way:
``WIDGETS`` maps a RunConfig field to its widget kind, label, range or choices and help text,
and ``GAME``, ``KNOBS``, ``NETS``, ``MODIFIERS`` and ``IMAGE_KNOBS`` list what each page panel
shows, all read off the rows of fields.py; ``split_changes`` sorts a change of settings into
what applies at the next step (the rows marked live: learning rates, k, the loss, the
optimizer, as in GAN Lab) and what needs a fresh run.
ui/widgets.py draws the widgets. The loss choice of the images page lives here too.
"""

from __future__ import annotations

from typing import Any

from ganlab.config.fields import ROWS, Widget, panel
from ganlab.config.run_config import FIELDS, RunConfig

LIVE = tuple(row.name for row in ROWS if row.live)  # the rest needs a fresh run
IGNORED = tuple(row.name for row in ROWS if not row.live_page)  # the live page runs until paused

# field: (widget, label, choices or (min, max), help), as the rows of fields.py give them
WIDGETS: dict[str, Widget] = {row.name: row.widget for row in ROWS if row.widget}
# The images page: conv nets want other noise sizes than the toy MLPs.
IMAGE_WIDGETS = {**WIDGETS, **{row.name: row.image_widget for row in ROWS if row.image_widget}}
IMAGE_KNOBS = panel("image")
GAME = panel("game")
KNOBS = panel("knobs")
NETS = panel("nets")
MODIFIERS = panel("modifiers")
# An image run's loss is picked apart from its variant (the variants differ in their nets).
IMAGE_LOSSES = ("nsgan", "lsgan", "wgan-gp", "hinge")
GP_WEIGHT = 10.0  # Gulrajani et al. 2017


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
