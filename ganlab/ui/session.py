"""This session's runner, the page set-up, and errors shown instead of tracebacks.

One runner per browser session and page, created with ``st.cache_resource(scope="session")``
so Streamlit parks it when the tab's connection drops. It trains in a worker process of its
own (live/worker.py's RemoteRunner), or with GANLAB_WORKERS=0 as a thread of the server
(live/runner.py's Runner; both have the same public API). Callbacks cannot draw where they
are, so a GanlabError raised in one is kept (``report``) and shown at the top of the next
run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ganlab.config.run_config import RunConfig
from ganlab.errors import GanlabError
from ganlab.live.runner import Runner
from ganlab.live.threads import use_workers
from ganlab.live.worker import RemoteRunner, warm_up

ERROR_KEY = "ganlab.error"
if use_workers():
    warm_up()  # the fork server imports torch while the first page draws


def _release(runner: Runner) -> None:
    # Streamlit releases session caches whenever the websocket drops, also for a reconnect
    # (a network blip, a busy server): the run is parked, not ended, so that session_runner
    # can take it back and play on. A closed tab never comes back; its thread has ended, and
    # its worker process saves the run and ends soon after (process.PARKED_EXIT_S).
    runner.park()


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def _runner(
    name: str, _initial: RunConfig, _existing: Runner | RemoteRunner | None = None
) -> Runner | RemoteRunner:
    if _existing is not None:
        return _existing
    return RemoteRunner(_initial) if use_workers() else Runner(_initial)


def session_runner(name: str, initial: Callable[[], RunConfig]) -> Runner | RemoteRunner:
    """This session's runner for a page; ``initial`` builds its first config (once). The
    runner is also kept in ``st.session_state["ganlab.runner.<name>"]`` for tests."""
    key = f"ganlab.runner.{name}"
    if key in st.session_state:  # the cached runner, or after a reconnect the parked one
        runner = _runner(name, st.session_state[key].cfg, st.session_state[key])
        runner.unpark()  # back from a dropped connection: play on if it was playing
    else:
        try:
            cfg = initial()
        except GanlabError as err:
            report(f"The link's setup could not be used: {err}")
            cfg = RunConfig()
        runner = _runner(name, cfg)
    st.session_state[key] = runner
    return runner


def ensure_navigation() -> None:
    """Run this page through app.py's st.navigation. Streamlit (1.67) runs a page file on its
    own, in the old pages/-folder mode, when a fresh server's first visitor opens a page URL
    such as /playground: no wide layout, no page list. Leaving that mode and rerunning once
    fixes the session (and the process: the flag is global)."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def report(message: str) -> None:
    """Keep a message to show at the top of the next run (callbacks cannot draw in place)."""
    st.session_state[ERROR_KEY] = message


def show_reported() -> None:
    """Show (and forget) the message a callback or an earlier run left."""
    message = st.session_state.pop(ERROR_KEY, None)
    if message:
        st.error(message, icon="⚠️")


def command(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], None]:
    """A widget callback that runs fn and turns a GanlabError into a shown message."""

    def run() -> None:
        try:
            fn(*args, **kwargs)
        except GanlabError as err:
            report(str(err))

    return run
