"""The panels live pages share: run controls, the reset prompt, live charts, the status row,
and export/import/share.

``chart`` draws a plotly figure through a small component (assets/live_plot.js) that updates
the chart in place; st.plotly_chart would remount it on every redraw.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ganlab import ASSETS
from ganlab.config.links import (
    LinkParam,
    check_data_source,
    compare_to_params,
    config_to_params,
    page_params,
    read_link,
)
from ganlab.config.run_config import RunConfig
from ganlab.errors import ConfigError
from ganlab.figures.live import SpecCache
from ganlab.live.runner import Runner, Status
from ganlab.live.threads import SLOTS, cpu_cores
from ganlab.live.worker import RemoteRunner
from ganlab.training.stages import STAGES, supports
from ganlab.training.trainer import Snapshot
from ganlab.ui.session import command
from ganlab.ui.widgets import key_of, load_widgets, wanted_config


def reset_to_widgets(runner: Runner, prefix: str) -> None:
    """A fresh run with the settings the widgets show."""
    runner.reset(wanted_config(prefix, runner.cfg))


def run_controls(runner: Runner, prefix: str) -> None:
    """Play/pause, step D, step G, step both, reset, and slow motion, in one row."""
    cols = st.columns([1.2, 1, 1, 1.1, 1, 1.7, 1.4], vertical_alignment="center")
    # Play and Pause are two widgets, not one relabelled: on a slow server a second click on
    # a Play the browser still shows would otherwise reach the Pause the server has since
    # drawn, and pause the run it had just started.
    if isinstance(runner, RemoteRunner) and runner.crashed:  # its process ended: start again
        restart, key = command(runner.restart), key_of(prefix, "restart")
        cols[0].button(
            "Restart", key=key, on_click=restart, icon=":material/refresh:", type="primary",
            width="stretch", help="A new training process, from the run's last save.",
        )  # fmt: skip
    elif runner.playing:
        pause, icon, key = command(runner.pause), ":material/pause:", key_of(prefix, "pause")
        cols[0].button("Pause", key=key, on_click=pause, icon=icon, width="stretch")
    else:
        play, icon, key = command(runner.play), ":material/play_arrow:", key_of(prefix, "play")
        cols[0].button("Play", key=key, on_click=play, icon=icon, type="primary", width="stretch")
    steps = {"Step D": ("d", "One discriminator step."), "Step G": ("g", "One generator step.")}
    steps["Step both"] = ("both", "k discriminator steps, then one generator step.")
    for col, (label, (which, tip)) in zip(cols[1:4], steps.items()):
        col.button(label, on_click=command(runner.step, which), help=tip, width="stretch")
    reset, tip = command(reset_to_widgets, runner, prefix), "Start over with the settings shown."
    cols[4].button("Reset", on_click=reset, help=tip, icon=":material/restart_alt:")
    unit, tip = "steps", "A picture every step."
    if supports(runner.cfg):  # toy runs walk each step through its stages (training/stages.py)
        unit, tip = "stages", "Each step walked stage by stage, a picture each."
    slow = cols[5].toggle("Slow motion", key=key_of(prefix, "slow"), help=tip)
    speed = cols[6].select_slider(
        f"{unit} per second", (0.5, 1, 2, 5, 10, 20), value=2, key=key_of(prefix, "speed"),
        disabled=not slow, label_visibility="collapsed", format_func=lambda v: f"{v:g} {unit}/s",
    )  # fmt: skip
    runner.set_speed(speed if slow else None)


def reset_prompt(runner: Runner, prefix: str, changed: list[str]) -> None:
    """Ask before throwing a run away for settings that need a fresh one."""
    st.warning(
        f"You changed {', '.join(changed)}: that needs a fresh run. The current run goes on "
        "until you reset.",
        icon=":material/restart_alt:",
    )
    a, b, _ = st.columns([1, 1, 3])
    a.button("Reset and apply", on_click=command(reset_to_widgets, runner, prefix), type="primary")
    b.button("Undo the changes", on_click=command(lambda: load_widgets(prefix, runner.cfg)))


def chart(key: str, caption: str, token: Any, build: Callable[..., go.Figure], *args: Any) -> None:
    """A full-width plotly chart, ``build(*args)``, with its one-line caption under it.

    Live redraws update the chart in place (assets/live_plot.js) and call ``build`` again
    only when ``token`` changes (None: every time), so an unchanged chart costs nothing.
    Falls back to st.plotly_chart (which remounts the chart) without Streamlit's plotly.js."""
    chunk = _plotly_chunk()
    if chunk is None:
        fig = build(*args)
        st.plotly_chart(fig, key=key, config={"displaylogo": False}, width="stretch")
    else:
        cache = st.session_state.setdefault("ganlab.chart_specs", SpecCache())
        spec, height = cache.spec(key, token, lambda: build(*args))
        _live_plot()(key=key, data={"spec": spec, "chunk": chunk}, height=height)
    st.caption(caption)


@functools.cache
def _live_plot() -> Any:
    js = (ASSETS / "live_plot.js").read_text()
    return st.components.v2.component("ganlab_live_plot", js=js, isolate_styles=False)


@functools.cache
def _plotly_chunk() -> str | None:
    """The URL path of Streamlit's own plotly.js bundle (it sets window.Plotly)."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return f"static/js/{found[0].name}" if found else None


SLOW_TIP = (
    f"Slow motion: a step walks its {len(STAGES)} stages (stages 1-5 k times), so this counts "
    "stages shown per second, measured."
)
KIND_PAGES = {"toy": ("points", "the playground"), "image": ("digits", "the Image GANs page")}


def import_config(runner: Runner, prefix: str, text: str) -> None:
    """Start a fresh run from config JSON; a bad file is a message and the run goes on."""
    cfg = RunConfig.from_json(text)
    check_data_source(cfg.data)
    if cfg.kind != runner.cfg.kind:  # each live page draws one kind of run
        on, page = KIND_PAGES[cfg.kind]
        raise ConfigError(
            f"The config's variant {cfg.variant!r} trains on {on}; import it on {page}."
        )
    runner.reset(cfg)
    load_widgets(prefix, cfg)


def export_panel(runner: Runner, prefix: str, gif: Callable[[], bytes]) -> None:
    """Downloads (config, checkpoint, GIF), config import, and the shareable link."""
    cfg = runner.cfg
    name = f"ganlab-{Path(cfg.data).stem}-{cfg.variant}"
    a, b, c = st.columns(3)
    a.download_button("⬇ Config JSON", cfg.to_json(), f"{name}.json", "application/json")
    b.download_button("⬇ Checkpoint", runner.checkpoint_bytes, f"{name}.pt", on_click="ignore")
    c.download_button("⬇ Training GIF", gif, f"{name}.gif", "image/gif", on_click="ignore")
    key = key_of(prefix, "import_text")
    st.text_area("Import config JSON (paste, then Import)", key=key, height=100)
    paste = command(lambda: import_config(runner, prefix, st.session_state.get(key, "")))
    st.button("Import", on_click=paste)
    st.file_uploader(
        "…or import a config file", ["json"], key=key_of(prefix, "import_file"),
        on_change=command(_import_file, runner, prefix),
    )  # fmt: skip
    params = config_to_params(cfg)
    base = str(st.context.url or "").split("?")[0]
    st.markdown("**Shareable link** (opens this setup):")
    st.code(f"{base}?" + "&".join(f"{k}={v}" for k, v in params.items()), language=None)


def sync_url(cfg: RunConfig, b: RunConfig | None = None) -> None:
    """Keep the address bar a link to this setup (opening it restores the setup); with
    ``b``, to compare mode's runs A (``cfg``) and B."""
    params = config_to_params(cfg) if b is None else compare_to_params(cfg, b)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def new_link(prefix: str) -> dict[str, str] | None:
    """The address bar's parameters where the page (widget key ``prefix``) did not write
    them itself: a session's first visit, or a link followed from another page (a lesson's).
    Back by the page menu, which drops them, the page's own last ones. None: its own."""
    url, own = st.query_params.to_dict(), st.session_state.get(f"{prefix}.link")
    if url == own:
        return None
    return url or own or {}


def write_link(prefix: str, params: dict[str, str]) -> None:
    """Make the address bar a link to ``params``, and remember them as the page's own."""
    st.session_state[f"{prefix}.link"] = params
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def settings_link(prefix: str, spec: tuple[LinkParam, ...]) -> list[str]:
    """The link of a page whose settings are plain widgets (keys ``prefix.NAME``, ``spec``):
    a new link (``new_link``) sets them, unset ones get their defaults, and the address bar
    then shows them. Call before the widgets are drawn; returns one sentence per bad
    parameter (its widget keeps its value)."""
    state, link, errors = st.session_state, new_link(prefix), []
    if link is not None:
        values, errors = read_link(link, spec)
        state.update({key_of(prefix, name): value for name, value in values.items()})
    for param in spec:  # a default of None: the widget's own (its first option)
        if param.default is not None:
            state.setdefault(key_of(prefix, param.widget), param.default)
    values = {param.widget: state.get(key_of(prefix, param.widget)) for param in spec}
    write_link(prefix, page_params(values, spec))
    return errors


def _import_file(runner: Runner, prefix: str) -> None:
    upload = st.session_state.get(key_of(prefix, "import_file"))
    if upload is not None:
        try:
            text = upload.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("The config file is not UTF-8 text; export one from ganlab.")
        import_config(runner, prefix, text)


def redraw_every(base_s: float) -> float:
    """Seconds between a live page's redraws: ``base_s`` while the runs playing on this
    server fit its CPU cores, and slower in proportion beyond that (eight runs on two cores
    redraw every 4 x ``base_s``), so that redrawing does not crowd out training or new tabs."""
    wanted = SLOTS.in_use + SLOTS.waiting
    return base_s * max(1.0, wanted / cpu_cores())


def live_status(
    runner: Runner, playing: bool, pace: tuple[float, float] | None = None
) -> tuple[dict[str, Any], Snapshot, RunConfig]:
    """The top of a live fragment: the version tokens (read first, so a chart is rebuilt
    only when its data changed), the newest snapshot and config, and the status row. A run
    that paused itself (diverged) reruns the page to redraw the buttons and stop the timer.
    ``pace`` is (base, in effect) of a fragment redrawing every ``redraw_every(base)`` s as
    of its page's last run; when that has moved by half or more (runs came or went on the
    server) the page reruns to set the new pace."""
    versions = runner.versions()
    snap, status, cfg = runner.latest(), runner.status(), runner.cfg
    if status.playing != playing:
        st.rerun()
    if playing and pace and not 2 / 3 < redraw_every(pace[0]) / pace[1] < 3 / 2:
        st.rerun()
    status_row(status, snap)
    return versions, snap, cfg


def status_row(status: Status, snap: Snapshot | None) -> None:
    """Big numbers for the back row: step, speed, device, D's outputs, coverage."""
    cols = st.columns(5)
    cols[0].metric("Step", f"{status.step:,}")
    if status.stages_per_s is not None:  # slow motion: a step takes seconds
        cols[1].metric("Stages / s", f"{status.stages_per_s:.1f}", help=SLOW_TIP)
    else:
        rate = status.steps_per_s
        cols[1].metric(
            "Steps / s",
            (f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}") if status.playing else "paused",
        )
    cols[2].metric("Device", status.device.partition(" (")[0].upper(), help=status.device)
    if snap is not None:
        cols[3].metric("D(x) real · D(G(z)) fake", f"{_fmt(snap.d_real)} · {_fmt(snap.d_fake)}")
        m = snap.metrics
        if "modes_covered" in m:
            cols[4].metric("Modes covered", f"{m['modes_covered']:.0f} of {m['modes_total']:.0f}")
        elif "w1" in m:
            cols[4].metric("W1 to data", f"{m['w1']:.3f}")
        elif "frechet" in m:  # digits: the classifier's features of G's vs real digits
            tip = "Between 500 of G's digits and held-out real ones; lower is better."
            cols[4].metric("Fréchet to real digits", f"{m['frechet']:,.1f}", help=tip)
    if status.waiting:
        st.info(status.message, icon="⏳")
    elif status.message:
        st.error(status.message, icon="🛑")


def _fmt(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"
