"""A finite job run from a button in the page's own script run, with a progress bar.

The sweep and augment pages train for a bounded time, so they run in the script run that
the click started (no thread to manage), holding one of the server's training slots so a
classroom cannot start more jobs than the CPU can carry. The result goes to
``st.session_state``, where reruns find it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ganlab.live.threads import SLOTS

Progress = Callable[..., None]


def run_button(label: str, key: str, store: str, work: Callable[[Progress], Any]) -> None:
    """A primary button; a click runs ``work(progress)`` under a training slot and keeps its
    result in ``st.session_state[store]``. ``progress(fraction, what="")`` moves the bar."""
    if not st.button(label, type="primary", key=key):
        return
    if not SLOTS.acquire(timeout=5):
        st.warning("The server is busy training other runs; try again in a moment.")
        return
    try:
        bar = st.progress(0.0, text="Starting…")

        def progress(fraction: float, what: str = "") -> None:
            fraction = min(fraction, 1.0)
            bar.progress(fraction, f"{fraction:.0%}: {what}" if what else f"{fraction:.0%}")

        st.session_state[store] = work(progress)
        bar.empty()
    finally:
        SLOTS.release()
