"""Config widgets: a RunConfig shown as keyed widgets, and read back, validated.

``init_widgets`` / ``load_widgets`` write a config into the widgets' session state,
``field_widget`` draws one field as its row in config/fields.py describes it (collected in
controls.WIDGETS), ``variant_widget`` and ``data_widget`` load presets, ``loss_widget`` picks
an image run's loss, ``wanted_config`` reads everything back into a RunConfig, and
``apply_config`` sends live knobs to the run and returns what needs a fresh run.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ganlab.config.controls import (
    GP_WEIGHT,
    IMAGE_LOSSES,
    IMAGE_WIDGETS,
    WIDGETS,
    loss_choice,
    loss_fields,
    split_changes,
)
from ganlab.config.fields import LOSS_NAMES, TOY_DATA
from ganlab.config.links import points_param, save_points
from ganlab.config.points_link import MIN_POINTS, decode_points, npy_bytes
from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import RunConfig, make_config
from ganlab.errors import GanlabError
from ganlab.live.runner import Runner
from ganlab.ui.draw import drawn_points, plane, points_of
from ganlab.ui.session import command

FILE_CHOICES = ("points", "draw")  # the data choices whose run trains on a file of points


def key_of(prefix: str, field: str) -> str:
    """The session-state key of a page's widget for a config field."""
    return f"{prefix}.{field}"


def load_widgets(prefix: str, cfg: RunConfig, fields: tuple[str, ...] | None = None) -> None:
    """Write cfg's values into the widgets' state (call before they are drawn, or in a
    callback)."""
    for field in fields or (*WIDGETS, "variant"):
        st.session_state[key_of(prefix, field)] = getattr(cfg, field)
    choice = st.session_state.get(key_of(prefix, "data"))  # a file stays drawn or uploaded
    mine = choice if choice in FILE_CHOICES else _file_choice(cfg.data)
    st.session_state[key_of(prefix, "data")] = cfg.data if cfg.data in TOY_DATA else mine
    if cfg.data not in TOY_DATA:
        st.session_state[key_of(prefix, "data_path")] = cfg.data
    if cfg.kind == "image":
        st.session_state[key_of(prefix, "loss")] = loss_choice(cfg)


def _file_choice(path: str) -> str:
    """How a set that no widget chose yet (a link's points) opens: on the canvas ('draw')
    when the canvas can show it, else as 'your points'."""
    text = points_param(path) if path not in TOY_DATA else None
    if text is None:
        return "points"
    low, high = plane()
    points = decode_points(text)
    return "draw" if low <= points.min() and points.max() <= high else "points"


def init_widgets(prefix: str, cfg: RunConfig) -> None:
    """Fill widgets that have no state yet (first run, or after visiting another page)."""
    if key_of(prefix, "variant") not in st.session_state:
        load_widgets(prefix, cfg)


def field_widget(prefix: str, field: str, widgets: dict[str, tuple] = WIDGETS) -> Any:
    """Draw one config field's widget (as ``widgets`` describes it: controls.WIDGETS, or a
    page's variation such as IMAGE_WIDGETS); options stretch to include an imported value."""
    kind, label, spec, help_text = widgets[field]
    key = key_of(prefix, field)
    value = st.session_state.get(key)
    if kind == "choice":
        options = sorted({*spec, value} - {None})
        return st.select_slider(label, options, key=key, help=help_text or None, format_func=_num)
    if kind == "select":  # spec: the options, or a dict of the options and their labels
        words = spec if isinstance(spec, dict) else {}
        return st.selectbox(label, tuple(spec), key=key, help=help_text or None,
                            format_func=lambda v: words.get(v, v))  # fmt: skip
    if kind == "toggle":
        return st.toggle(label, key=key, help=help_text or None)
    if kind == "text":
        return st.text_input(label, key=key, help=help_text or None)
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
    key = key_of(prefix, "variant")
    st.selectbox("GAN variant", names, key=key, on_change=_load_preset, args=(prefix,))
    return st.session_state[key]


def _load_preset(prefix: str) -> None:
    variant = st.session_state[key_of(prefix, "variant")]
    data = _data_value(prefix) or "ring8"
    seed = st.session_state.get(key_of(prefix, "seed"), 0)
    choice = st.session_state.get(key_of(prefix, "data"))
    folder = st.session_state.get(key_of(prefix, "mnist_dir"))  # a place, not a preset
    load_widgets(prefix, make_config(variant, data, seed=seed, mnist_dir=folder))
    st.session_state[key_of(prefix, "data")] = choice  # 'your points' before any file is in


def data_widget(prefix: str, runner: Runner | None = None) -> None:
    """Toy data sets, 'your points' (an uploaded CSV/NPY, or points typed in) and 'draw
    points' (a canvas, ui/draw.py); picking a set loads its preset (gauss1d: 1D noise,
    stratified) into the other widgets. Drawn points are trained on by a button that starts
    ``runner`` over on them (without a runner, it only sets the data, as an upload does)."""
    options = (*TOY_DATA, *FILE_CHOICES)
    names = {"points": "your points (CSV/NPY or typed)", "draw": "draw points (click or drag)"}
    key = key_of(prefix, "data")
    st.selectbox(
        "Data", options, key=key, format_func=lambda v: names.get(v, v),
        on_change=_load_preset, args=(prefix,),
    )  # fmt: skip
    if st.session_state[key] == "draw":
        _draw_data(prefix, runner)
    if st.session_state[key] != "points":
        return
    label = "Points file (.csv or .npy, 1 or 2 columns)"
    upload = st.file_uploader(label, ["csv", "npy"], key=key_of(prefix, "upload"))
    typed = st.text_area("…or type points, one 'x, y' per line", key=key_of(prefix, "typed"))
    source = (upload.getvalue(), upload.name) if upload else None
    if source is None and typed.strip():
        source = (typed.encode(), "typed.csv")
    if source is not None:
        try:
            path = save_points(*source)
        except GanlabError as err:
            st.error(str(err), icon="⚠️")
            return
        st.session_state[key_of(prefix, "data_path")] = path
    if not st.session_state.get(key_of(prefix, "data_path")):
        st.info("Upload a file or type at least two points to train on them.")


def _draw_data(prefix: str, runner: Runner | None) -> None:
    """The drawing canvas (it starts from the run's own points where they fit it) and, once
    it holds two points, the button that trains on them."""
    path = st.session_state.get(key_of(prefix, "data_path"))
    text = points_param(path) if path else None
    points = drawn_points(key_of(prefix, "canvas"), decode_points(text) if text else None)
    if len(points) < MIN_POINTS:
        st.info(f"Draw at least {MIN_POINTS} points to train on them.")
        return
    st.button(
        f"Train on these {len(points)} points", key=key_of(prefix, "train_drawn"),
        on_click=command(_train_drawn, prefix, runner), type="primary", width="stretch",
        help="A fresh run on the drawn points (the settings below apply).",
    )  # fmt: skip


def _train_drawn(prefix: str, runner: Runner | None) -> None:
    """Store the drawn points as an upload is stored and start the run over on them."""
    state = st.session_state.get(key_of(prefix, "canvas")) or {}
    points = points_of(state.get("points"))
    st.session_state[key_of(prefix, "data_path")] = save_points(npy_bytes(points), "drawn.npy")
    if runner is not None:
        runner.reset(wanted_config(prefix, runner.cfg))
        runner.play()


def loss_widget(prefix: str) -> str:
    """An image run's loss, picked apart from its variant; WGAN-GP shows its penalty's λ."""
    key = key_of(prefix, "loss")
    help_text = "nsgan: the non-saturating GAN; wgan-gp: a critic with a gradient penalty."
    st.selectbox("Loss", IMAGE_LOSSES, key=key, on_change=_penalty_default, args=(prefix,),
                 help=help_text)  # fmt: skip
    if st.session_state[key] == "wgan-gp":
        field_widget(prefix, "gp_weight", IMAGE_WIDGETS)
    return st.session_state[key]


def _penalty_default(prefix: str) -> None:
    key = key_of(prefix, "gp_weight")
    st.session_state[key] = st.session_state.get(key) or GP_WEIGHT


def _data_value(prefix: str) -> str | None:
    choice = st.session_state.get(key_of(prefix, "data"))
    if choice in FILE_CHOICES:
        return st.session_state.get(key_of(prefix, "data_path"))
    return choice


def wanted_config(prefix: str, base: RunConfig) -> RunConfig:
    """The config the widgets describe (raises ConfigError with one sentence)."""
    state = st.session_state
    values = {f: state[key_of(prefix, f)] for f in WIDGETS if key_of(prefix, f) in state}
    values["variant"] = st.session_state.get(key_of(prefix, "variant"), base.variant)
    if values.get("loss") not in LOSS_NAMES:  # none yet, or the images page's (below)
        values["loss"] = make_config(values["variant"]).loss
    choice = state.get(key_of(prefix, "loss"))
    if choice in IMAGE_LOSSES and VARIANTS[values["variant"]].kind == "image":
        values.update(loss_fields(choice, values.get("gp_weight", base.gp_weight)))
    values["data"] = _data_value(prefix) or base.data
    return base.replace(**values)


def apply_config(runner: Runner, wanted: RunConfig) -> list[str]:
    """Send live knobs to the run now; return the other fields that differ (they need a
    reset). A run that has not started yet is simply rebuilt."""
    live, rest = split_changes(runner.cfg, wanted)
    if live:
        runner.set_knobs(**live)
    if rest and runner.status().step == 0 and not runner.playing:
        runner.reset(wanted)
        return []
    return rest
