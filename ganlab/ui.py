"""Streamlit glue shared by the pages; the only ganlab module that imports streamlit.

- ``session_runner``: this browser session's Runner, stopped when the session ends.
- Config widgets: ``init_widgets`` / ``load_widgets`` put a RunConfig into keyed widgets,
  ``field_widget`` draws one, ``wanted_config`` reads them back into a validated config.
- ``apply_config``: live knobs (lr, k) go straight to the run; anything else asks to reset.
- Errors: ``command`` wraps a button callback so a bad value becomes a message, not a trace.
The pages decide layout; nothing here trains or draws figures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.io as pio
import streamlit as st

from ganlab.config import FIELDS, NOISES, OPTIMIZERS, TOY_DATA, RunConfig, make_config
from ganlab.errors import ConfigError, GanlabError
from ganlab.nets.mlp import ACTIVATIONS
from ganlab.runner import Runner, Status
from ganlab.sharing import check_data_source, config_to_params, save_points
from ganlab.train import Snapshot
from ganlab.variants import VARIANTS

LIVE = ("lr_d", "lr_g", "k")  # change mid-run; everything else needs a fresh run
IGNORED = ("steps", "snapshot_every")  # the live page runs until paused
ERROR_KEY = "ganlab.error"
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
    "depth": ("slider", "Depth (hidden layers)", (1, 8), ""),
    "activation": ("select", "Activation", tuple(ACTIVATIONS), ""),
    "minibatch_disc": ("toggle", "Minibatch discrimination", None, "D compares samples."),
    "pack": ("slider", "Pack (PacGAN)", (1, 8), "D judges this many samples together."),
    "unrolled": ("slider", "Unrolled D steps", (0, 10), "G looks this many D steps ahead."),
    "seed": ("number", "Seed", (0, 2**31 - 1), "Same seed, same run (on CPU)."),
}
KNOBS = ("k", "lr_d", "lr_g", "batch_size", "optimizer")
NETS = ("noise", "noise_dim", "hidden", "depth", "activation", "seed")
MODIFIERS = ("minibatch_disc", "pack", "unrolled")


# ----- the session's runner --------------------------------------------------------------------
@st.cache_resource(scope="session", on_release=Runner.stop, show_spinner=False)
def _runner(name: str, _initial: RunConfig) -> Runner:
    return Runner(_initial)


def session_runner(name: str, initial: Callable[[], RunConfig]) -> Runner:
    """This session's runner for a page; ``initial`` builds its first config (once). The
    runner is also kept in ``st.session_state["ganlab.runner.<name>"]`` for tests."""
    key = f"ganlab.runner.{name}"
    if key in st.session_state:
        runner = _runner(name, st.session_state[key].cfg)  # the cached one, normally
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


# ----- errors ----------------------------------------------------------------------------------
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


# ----- config <-> widgets ------------------------------------------------------------------------
def _key(prefix: str, field: str) -> str:
    return f"{prefix}.{field}"


def load_widgets(prefix: str, cfg: RunConfig, fields: tuple[str, ...] | None = None) -> None:
    """Write cfg's values into the widgets' state (call before they are drawn, or in a
    callback)."""
    for field in fields or (*WIDGETS, "variant"):
        st.session_state[_key(prefix, field)] = getattr(cfg, field)
    st.session_state[_key(prefix, "data")] = cfg.data if cfg.data in TOY_DATA else "points"
    if cfg.data not in TOY_DATA:
        st.session_state[_key(prefix, "data_path")] = cfg.data


def init_widgets(prefix: str, cfg: RunConfig) -> None:
    """Fill widgets that have no state yet (first run, or after visiting another page)."""
    if _key(prefix, "variant") not in st.session_state:
        load_widgets(prefix, cfg)


def field_widget(prefix: str, field: str) -> Any:
    """Draw one config field's widget; options stretch to include an imported value."""
    kind, label, spec, help_text = WIDGETS[field]
    key = _key(prefix, field)
    value = st.session_state.get(key)
    if kind == "choice":
        options = sorted({*spec, value} - {None})
        return st.select_slider(label, options, key=key, help=help_text or None, format_func=_num)
    if kind == "select":
        return st.selectbox(label, spec, key=key, help=help_text or None)
    if kind == "toggle":
        return st.toggle(label, key=key, help=help_text or None)
    low, high = spec
    high = max(high, value or high)
    if kind == "slider":
        return st.slider(label, low, high, key=key, help=help_text or None)
    return st.number_input(label, low, high, step=1, key=key, help=help_text or None)


def _num(value: float) -> str:
    return f"{value:g}"


def variant_widget(prefix: str, kind: str = "toy") -> str:
    """The variant picker; choosing one loads its preset into the other widgets."""
    names = [name for name, v in VARIANTS.items() if v.kind == kind]
    key = _key(prefix, "variant")
    st.selectbox("GAN variant", names, key=key, on_change=_load_preset, args=(prefix,))
    return st.session_state[key]


def _load_preset(prefix: str) -> None:
    variant = st.session_state[_key(prefix, "variant")]
    data = _data_value(prefix) or "ring8"
    seed = st.session_state.get(_key(prefix, "seed"), 0)
    choice = st.session_state.get(_key(prefix, "data"))
    load_widgets(prefix, make_config(variant, data, seed=seed))
    st.session_state[_key(prefix, "data")] = choice  # 'your points' before any file is in


def data_widget(prefix: str) -> None:
    """Toy data sets plus 'your points' (an uploaded CSV/NPY, or points typed in); picking a
    set loads its preset (gauss1d: 1D noise, stratified) into the other widgets."""
    options, names = (*TOY_DATA, "points"), {"points": "your points (CSV/NPY or typed)"}
    key = _key(prefix, "data")
    st.selectbox(
        "Data", options, key=key, format_func=lambda v: names.get(v, v),
        on_change=_load_preset, args=(prefix,),
    )  # fmt: skip
    if st.session_state[key] != "points":
        return
    label = "Points file (.csv or .npy, 1 or 2 columns)"
    upload = st.file_uploader(label, ["csv", "npy"], key=_key(prefix, "upload"))
    typed = st.text_area("…or type points, one 'x, y' per line", key=_key(prefix, "typed"))
    source = (upload.getvalue(), upload.name) if upload else None
    if source is None and typed.strip():
        source = (typed.encode(), "typed.csv")
    if source is not None:
        try:
            path = save_points(*source)
        except GanlabError as err:
            st.error(str(err), icon="⚠️")
            return
        st.session_state[_key(prefix, "data_path")] = path
    if not st.session_state.get(_key(prefix, "data_path")):
        st.info("Upload a file or type at least two points to train on them.")


def _data_value(prefix: str) -> str | None:
    choice = st.session_state.get(_key(prefix, "data"))
    if choice == "points":
        return st.session_state.get(_key(prefix, "data_path"))
    return choice


def wanted_config(prefix: str, base: RunConfig) -> RunConfig:
    """The config the widgets describe (raises ConfigError with one sentence)."""
    values = {
        f: st.session_state[_key(prefix, f)] for f in WIDGETS if _key(prefix, f) in st.session_state
    }
    values["variant"] = st.session_state.get(_key(prefix, "variant"), base.variant)
    values["loss"] = make_config(values["variant"]).loss
    values["data"] = _data_value(prefix) or base.data
    return base.replace(**values)


def apply_config(runner: Runner, wanted: RunConfig) -> list[str]:
    """Send live knobs to the run now; return the other fields that differ (they need a
    reset). A run that has not started yet is simply rebuilt."""
    current = runner.cfg
    diff = [f for f in FIELDS if getattr(current, f) != getattr(wanted, f) and f not in IGNORED]
    live = {f: getattr(wanted, f) for f in diff if f in LIVE}
    if live:
        runner.set_knobs(**live)
    rest = [f for f in diff if f not in LIVE]
    if rest and runner.status().step == 0 and not runner.playing:
        runner.reset(wanted)
        return []
    return rest


# ----- panels the live pages share ----------------------------------------------------------
def reset_to_widgets(runner: Runner, prefix: str) -> None:
    """A fresh run with the settings the widgets show."""
    runner.reset(wanted_config(prefix, runner.cfg))


def run_controls(runner: Runner, prefix: str) -> None:
    """Play/pause, step D, step G, step both, reset, and slow motion, in one row."""
    cols = st.columns([1.3, 1, 1, 1.2, 1, 1.3, 1.6], vertical_alignment="center")
    key = _key(prefix, "play")
    if runner.playing:
        pause, icon = command(runner.pause), ":material/pause:"
        cols[0].button("Pause", key=key, on_click=pause, icon=icon, width="stretch")
    else:
        play, icon = command(runner.play), ":material/play_arrow:"
        cols[0].button("Play", key=key, on_click=play, icon=icon, type="primary", width="stretch")
    steps = {"Step D": ("d", "One discriminator step."), "Step G": ("g", "One generator step.")}
    steps["Step both"] = ("both", "k discriminator steps, then one generator step.")
    for col, (label, (which, tip)) in zip(cols[1:4], steps.items()):
        col.button(label, on_click=command(runner.step, which), help=tip, width="stretch")
    reset, tip = command(reset_to_widgets, runner, prefix), "Start over with the settings shown."
    cols[4].button("Reset", on_click=reset, help=tip, icon=":material/restart_alt:")
    slow = cols[5].toggle("Slow motion", key=_key(prefix, "slow"), help="A picture every step.")
    speed = cols[6].select_slider(
        "steps per second", (0.5, 1, 2, 5, 10, 20), value=2, key=_key(prefix, "speed"),
        disabled=not slow, label_visibility="collapsed", format_func=lambda v: f"{v:g} steps/s",
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


def chart(fig: Any, caption: str, key: str) -> None:
    """A full-width plotly chart that live redraws update in place (assets/live_plot.js),
    with its one-line caption under it. Falls back to st.plotly_chart, which rebuilds the
    chart at every redraw, where Streamlit's plotly.js bundle cannot be found."""
    chunk = _plotly_chunk()
    if chunk is None:
        st.plotly_chart(fig, key=key, config={"displaylogo": False}, width="stretch")
    else:
        spec = pio.to_json(fig, validate=False)
        _live_plot()(key=key, data={"spec": spec, "chunk": chunk}, height=int(fig.layout.height))
    st.caption(caption)


@functools.cache
def _live_plot() -> Any:
    js = (Path(__file__).parent / "assets" / "live_plot.js").read_text()
    return st.components.v2.component("ganlab_live_plot", js=js, isolate_styles=False)


@functools.cache
def _plotly_chunk() -> str | None:
    """The URL path of Streamlit's own plotly.js bundle (it sets window.Plotly)."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return f"static/js/{found[0].name}" if found else None


def import_config(runner: Runner, prefix: str, text: str) -> None:
    """Start a fresh run from config JSON; a bad file is a message and the run goes on."""
    cfg = RunConfig.from_json(text)
    check_data_source(cfg.data)
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
    key = _key(prefix, "import_text")
    st.text_area("Import config JSON (paste, then Import)", key=key, height=100)
    paste = command(lambda: import_config(runner, prefix, st.session_state.get(key, "")))
    st.button("Import", on_click=paste)
    st.file_uploader(
        "…or import a config file", ["json"], key=_key(prefix, "import_file"),
        on_change=command(_import_file, runner, prefix),
    )  # fmt: skip
    params = config_to_params(cfg)
    base = str(st.context.url or "").split("?")[0]
    st.markdown("**Shareable link** (opens this setup):")
    st.code(f"{base}?" + "&".join(f"{k}={v}" for k, v in params.items()), language=None)


def sync_url(cfg: RunConfig) -> None:
    """Keep the address bar a link to this setup (opening it restores the setup)."""
    params = config_to_params(cfg)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def _import_file(runner: Runner, prefix: str) -> None:
    upload = st.session_state.get(_key(prefix, "import_file"))
    if upload is not None:
        try:
            text = upload.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("The config file is not UTF-8 text; export one from ganlab.")
        import_config(runner, prefix, text)


def status_row(status: Status, snap: Snapshot | None) -> None:
    """Big numbers for the back row: step, speed, device, D's outputs, coverage."""
    cols = st.columns(5)
    cols[0].metric("Step", f"{status.step:,}")
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
    if status.waiting:
        st.info(status.message, icon="⏳")
    elif status.message:
        st.error(status.message, icon="🛑")


def _fmt(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"
