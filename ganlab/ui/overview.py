"""The playground's model overview and, in slow motion, the line naming the stage.

The figure is figures/overview.py's SVG; this draws it in the live fragment with its
caption and says in words which stage of a step is on screen.
"""

from __future__ import annotations

import time

import streamlit as st

from ganlab.config.run_config import RunConfig
from ganlab.figures import overview as fig
from ganlab.training.snapshot import Snapshot
from ganlab.training.stages import STAGES, supports

TURN_S = 1.0  # while playing, the D path and the G path light in turn, this long each
CAPTION = (
    "The model: noise z → Generator → fake samples; fake and real samples → Discriminator → "
    "its verdicts → D's loss and G's loss; the updates flow back to D (top) and through D to "
    "G (bottom). Numbers from the newest snapshot; in slow motion, from the stage's batch."
)


def model_overview(snap: Snapshot, cfg: RunConfig, playing: bool, slow: bool) -> None:
    """The overview graph of ``snap``, and above it in slow motion the stage line: "stage N
    of M: <name>", then what the stage does."""
    stage = snap.stage
    if stage is not None:
        repeat = f" ({stage.repeat})" if stage.repeat else ""
        st.markdown(f"**{stage.label}**{repeat}. {STAGES[stage.number - 1].what}")
    elif slow and supports(cfg):
        st.markdown(
            f"**Slow motion**: Play or a step button walks a step through its {len(STAGES)} "
            "stages, one picture each."
        )
    lit = None
    if stage is None and playing:
        lit = "DG"[int(time.monotonic() / TURN_S) % 2]
    svg = fig.overview(snap, f"{cfg.noise}, {cfg.noise_dim}-D", lit)
    # Markdown, not st.html: st.html's sanitizer drops SVG. In a <div> the SVG is an HTML
    # block, which Markdown leaves as it is.
    st.markdown(f"<div>{svg}</div>", unsafe_allow_html=True)
    st.caption(CAPTION)
