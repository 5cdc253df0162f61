"""The playground's compare mode: runs A and B from one seed, side by side.

Run A is the playground's run (its sidebar widgets); run B is A's config with the settings
the user picked replaced (config/links.py ``b_config``), in a worker of its own. One row of
buttons drives both, A's live knobs reach B too (except a compared one), and a change of
what B compares starts both over together. The pictures stand side by side and the curves
share a chart (figures/compare.py). Compare mode and B's settings live in session state, so
that the lessons page can set them up (``load_compare``) before switching here; a session's
first run takes them from the link's ``b.*`` parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from ganlab.config.controls import WIDGETS, split_changes
from ganlab.config.fields import LOSS_NAMES, Widget
from ganlab.config.links import (
    COMPARE_FIELDS,
    b_config,
    compare_to_params,
    contrast,
    differences,
    overrides_from_params,
)
from ganlab.config.links import B as B_PARAM
from ganlab.config.run_config import RunConfig
from ganlab.errors import ConfigError, GanlabError
from ganlab.figures import compare as fc
from ganlab.figures import live as viz
from ganlab.figures.captions import captions
from ganlab.live.runner import Runner, Status
from ganlab.live.worker import RemoteRunner
from ganlab.training.trainer import Snapshot
from ganlab.ui.panels import chart, import_config, redraw_every, sync_url
from ganlab.ui.session import command, session_runner
from ganlab.ui.widgets import field_widget, key_of, wanted_config

ON = "ganlab.compare.on"  # compare mode (plain state: it outlives visits to other pages)
OVERRIDES = "ganlab.compare.b"  # run B's settings that differ from A's
RESTART = "ganlab.compare.restart"  # both runs start over at the next page run
RUNNER_B = "playground.b"
PB = "pgb"  # the keys of B's picker
FIRST = "pack"  # what B differs in when compare mode starts without a link or lesson
SEVERAL = "several"  # the picker's entry for B set by a link or a lesson in several fields
# The sidebar's widgets, labelled as B's (the loss as a plain list where the table has none).
PICKER = {
    name: w._replace(label=f"B's {w.label[0].lower()}{w.label[1:]}")
    for name, w in {"loss": Widget("select", "Loss", LOSS_NAMES), **WIDGETS}.items()
}
Runners = tuple[Runner | RemoteRunner, ...]  # A and B (or the ones to restart)


def compare_toggle(prefix: str, runner: Runner) -> bool:
    """The Compare toggle; whether compare mode is on. A session's first run turns it on
    when the link has run B's ``b.*`` parameters (a bad one is one message; A runs alone)."""
    state = st.session_state
    if ON not in state:
        state[ON] = False
        if any(param.startswith(B_PARAM) for param in st.query_params):
            try:
                _load_b(overrides_from_params(runner.cfg, st.query_params.to_dict()))
            except ConfigError as err:
                st.error(f"{err} The playground shows run A alone.", icon="⚠️")
    key = key_of(prefix, "compare")
    state[key] = state[ON]
    st.toggle(
        "Compare two runs", key=key, on_change=command(_toggled, prefix, runner),
        help="Run B is run A with one setting changed, from the same seed. Turning this on "
        "starts both from step 0.",
    )  # fmt: skip
    return state[ON]


def _load_b(overrides: dict[str, Any]) -> None:
    """Compare mode on with these B settings, shown in the picker."""
    state = st.session_state
    state[ON], state[OVERRIDES] = True, overrides
    single = len(overrides) == 1 and next(iter(overrides)) in COMPARE_FIELDS
    state[key_of(PB, "field")] = next(iter(overrides)) if single else SEVERAL
    for name, value in overrides.items():
        state[key_of(PB, name)] = value


def _toggled(prefix: str, a: Runner) -> None:
    state = st.session_state
    state[ON] = state[key_of(prefix, "compare")]
    if not state[ON]:
        end_compare()
        return
    overrides = state.get(OVERRIDES) or {FIRST: contrast(a.cfg, FIRST)}
    _load_b(overrides)
    state[RESTART] = True


def end_compare() -> None:
    """Compare mode off: the playground shows run A alone, and run B pauses."""
    st.session_state[ON] = False
    b = st.session_state.get(f"ganlab.runner.{RUNNER_B}")
    if b is not None:
        b.pause()


def load_compare(prefix: str, a: RunConfig, b: RunConfig) -> dict[str, str]:
    """Set up compare mode with runs A and B (both from step 0) for the playground, and
    return its link's parameters (the lessons page switches there with them)."""
    overrides = differences(a, b)
    runner = session_runner("playground", lambda: a)
    import_config(runner, prefix, a.to_json())
    b_runner = session_runner(RUNNER_B, lambda: b_config(a, overrides))
    b_runner.reset(b_config(runner.cfg, overrides))
    _load_b(overrides)
    st.session_state.pop(RESTART, None)
    return compare_to_params(runner.cfg, b_runner.cfg)


def compare_view(a: Runner, prefix: str, redraw_s: float) -> None:
    """Run B's picker, one row of controls for both runs, and both runs drawn live (every
    ``redraw_s`` seconds while they play, more slowly on a busy server)."""
    state = st.session_state
    b = session_runner(RUNNER_B, lambda: b_config(a.cfg, state[OVERRIDES]))
    runs = (a, b)
    _picker(a)
    if state.pop(RESTART, False):
        _start_over(runs, a.cfg)
    _follow(runs)
    sync_url(a.cfg, b.cfg)
    _controls(runs, prefix)
    playing = a.playing or b.playing
    every = redraw_every(redraw_s)

    @st.fragment(run_every=every if playing else None)
    def live() -> None:
        _draw(runs, playing, every > redraw_s)

    live()
    with st.expander("Share this comparison"):
        st.caption("The address bar holds it too; opening it sets up both runs.")
        params = compare_to_params(a.cfg, b.cfg)
        base = str(st.context.url or "").split("?")[0]
        st.code(f"{base}?" + "&".join(f"{k}={v}" for k, v in params.items()), language=None)


def _picker(a: Runner) -> None:
    """What B differs in and B's value; a change starts both runs over."""
    state = st.session_state
    overrides: dict[str, Any] = state[OVERRIDES]
    field_key = key_of(PB, "field")
    several = state.get(field_key) == SEVERAL
    options = (SEVERAL, *COMPARE_FIELDS) if several else COMPARE_FIELDS
    left, right, note = st.columns([1, 1, 2], vertical_alignment="bottom")
    names = {SEVERAL: "several settings (as loaded)"}
    field = left.selectbox(
        "Run B differs from A in", options, key=field_key, format_func=lambda f: names.get(f, f),
        on_change=command(_pick, a), help="Both runs start over when this changes.",
    )  # fmt: skip
    if field == SEVERAL:
        note.caption("Pick one setting to compare instead; both runs then start over.")
        return
    state.setdefault(key_of(PB, field), overrides.get(field, getattr(a.cfg, field)))
    with right:
        value = field_widget(PB, field, PICKER)
    note.caption(f"A's {field} follows the sidebar; B keeps its own. Both share A's seed.")
    if value == overrides.get(field):
        return
    try:
        b_config(a.cfg, {field: value})
    except ConfigError as err:
        st.error(f"{err} Run B keeps {field} = {overrides.get(field)}.", icon="⚠️")
        return
    state[OVERRIDES] = {field: value}
    state[RESTART] = True


def _pick(a: Runner) -> None:
    field = st.session_state[key_of(PB, "field")]
    if field != SEVERAL:
        _load_b({field: contrast(a.cfg, field)})
        st.session_state[RESTART] = True


def _start_over(runs: Runners, cfg: RunConfig) -> None:
    a, b = runs
    a.reset(cfg)
    b.reset(b_config(a.cfg, st.session_state[OVERRIDES]))


def _follow(runs: Runners) -> None:
    """B follows A: A's live knobs now, A's other settings once A was reset (a knob B
    compares keeps B's value)."""
    a, b = runs
    try:
        wanted = b_config(a.cfg, st.session_state[OVERRIDES])
        live, rest = split_changes(b.cfg, wanted)
        if rest:
            b.reset(wanted)
        elif live:
            b.set_knobs(**live)
    except GanlabError as err:
        st.error(f"Run B cannot follow run A: {err}", icon="⚠️")


def _each(runs: Runners, do: Callable[[Runner], None]) -> Callable[[], None]:
    def run() -> None:
        for runner in runs:
            do(runner)

    return command(run)


def _reset_both(runs: Runners, prefix: str) -> None:
    a, b = runs
    a.reset(wanted_config(prefix, a.cfg))
    b.reset(b_config(a.cfg, st.session_state[OVERRIDES]))


def _controls(runs: Runners, prefix: str) -> None:
    """Play/pause, step D, step G, step both and reset, each for both runs at once."""
    cols = st.columns([1.3, 1, 1, 1.2, 1, 2.5], vertical_alignment="center")
    crashed = [r for r in runs if isinstance(r, RemoteRunner) and r.crashed]
    if crashed:
        tip = "New training processes, from the runs' last saves."
        restart = _each(tuple(crashed), lambda r: r.restart())
        cols[0].button("Restart", on_click=restart, icon=":material/refresh:", type="primary",
                       width="stretch", help=tip, key=key_of(PB, "restart"))  # fmt: skip
    elif any(r.playing for r in runs):
        pause = _each(runs, lambda r: r.pause())
        cols[0].button("Pause", on_click=pause, icon=":material/pause:", width="stretch",
                       key=key_of(PB, "pause"))  # fmt: skip
    else:
        play = _each(runs, lambda r: r.play())
        cols[0].button("Play", on_click=play, icon=":material/play_arrow:", type="primary",
                       width="stretch", key=key_of(PB, "play"))  # fmt: skip
    steps = {"Step D": ("d", "One discriminator step."), "Step G": ("g", "One generator step.")}
    steps["Step both"] = ("both", "k discriminator steps, then one generator step.")
    for col, (label, (which, tip)) in zip(cols[1:4], steps.items()):
        step = _each(runs, functools.partial(lambda r, w: r.step(w), w=which))
        col.button(label, on_click=step, help=f"{tip} In both runs.", width="stretch",
                   key=key_of(PB, f"step.{which}"))  # fmt: skip
    reset = command(_reset_both, runs, prefix)
    cols[4].button("Reset", on_click=reset, help="Start both over with the settings shown.",
                   icon=":material/restart_alt:", key=key_of(PB, "reset"))  # fmt: skip
    cols[5].caption("One row drives both runs.")
    for runner in runs:
        runner.set_speed(None)  # compared runs play flat out (slow motion is the single view's)


def _draw(runs: Runners, playing: bool, busy: bool) -> None:
    """Both runs' status and pictures side by side, then their curves overlaid."""
    a, b = runs
    versions = [r.versions() for r in runs]
    snaps, statuses = [r.latest() for r in runs], [r.status() for r in runs]
    if any(s.playing for s in statuses) != playing:
        st.rerun()
    labels = fc.run_labels(a.cfg, b.cfg)
    losses = (a.cfg.loss, b.cfg.loss)
    shown = st.pills(
        "Show", viz.LAYERS, selection_mode="multi", default=viz.LAYERS, key=key_of(PB, "layers")
    )
    shown = tuple(shown or ())
    histories, metrics = [r.history() for r in runs], [r.metric_history() for r in runs]
    words = captions(a.cfg.loss, snaps[0].view["real"].shape[1], "modes_covered" in metrics[0])
    draw = functools.partial(viz.distribution, height=560, light=busy)
    for col, run, label, v, snap, status, cfg in zip(
        st.columns(2, gap="large"), fc.RUNS, labels, versions, snaps, statuses, (a.cfg, b.cfg)
    ):
        with col:
            st.markdown(f"#### {label}")
            _status(status, snap)
            caption = words["distribution"] if run == "A" else "The same picture for run B."
            ui_key = key_of(PB, f"dist.{run}")
            chart(ui_key, caption, (v["view"], shown, busy), draw, snap.view, cfg.loss, shown)
    if losses[0] == losses[1]:
        loss_words, d_words = words["losses"], words["d"]
    else:
        loss_words = f"Losses ({losses[0]} for A, {losses[1]} for B: each has its own scale)."
        d_words = "Mean D output on real and fake batches of each run."
    solid = "Solid: A; dashed: B. "
    if "modes_covered" in metrics[0]:
        cover = "Modes that got their share of each run's samples; at equilibrium, all of them."
    else:
        cover = "Sliced Wasserstein-1 distance between data and each run; at equilibrium near 0."
    token = tuple(v["losses"] for v in versions)
    left, right = st.columns(2, gap="large")
    with left:
        chart(key_of(PB, "loss"), solid + loss_words, token, fc.loss_curves, *histories, losses)
    with right:
        chart(key_of(PB, "d"), solid + d_words, token, fc.d_outputs, *histories, losses)
    token = tuple(v["metrics"] for v in versions)
    left, right = st.columns(2, gap="large")
    with left:
        js = "Jensen-Shannon divergence between data and each run's samples (log scale)."
        chart(key_of(PB, "js"), solid + js, token, fc.divergence_curves, *metrics)
    with right:
        chart(key_of(PB, "cov"), solid + cover, token, fc.coverage_curves, *metrics)


def _status(status: Status, snap: Snapshot | None) -> None:
    """One run's step, speed and modes covered (or W1)."""
    cols = st.columns(3)
    cols[0].metric("Step", f"{status.step:,}")
    rate = f"{status.steps_per_s:,.0f} steps/s" if status.playing else "paused"
    cols[1].metric("Speed", rate)
    m = snap.metrics if snap is not None else {}
    if "modes_covered" in m:
        cols[2].metric("Modes covered", f"{m['modes_covered']:.0f} of {m['modes_total']:.0f}")
    elif "w1" in m:
        cols[2].metric("W1 to data", f"{m['w1']:.3f}")
    if status.waiting:
        st.info(status.message, icon="⏳")
    elif status.message:
        st.error(status.message, icon="🛑")
