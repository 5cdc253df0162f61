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
    WIDGETS,
    loss_choice,
    loss_fields,
    split_changes,
)
from ganlab.config.fields import TOY_DATA
from ganlab.config.links import save_points
from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import RunConfig, make_config
from ganlab.errors import GanlabError
from ganlab.live.runner import Runner


def key_of(prefix: str, field: str) -> str:
    """The session-state key of a page's widget for a config field."""
    return f"{prefix}.{field}"


def load_widgets(prefix: str, cfg: RunConfig, fields: tuple[str, ...] | None = None) -> None:
    """Write cfg's values into the widgets' state (call before they are drawn, or in a
    callback)."""
    for field in fields or (*WIDGETS, "variant"):
        st.session_state[key_of(prefix, field)] = getattr(cfg, field)
    st.session_state[key_of(prefix, "data")] = cfg.data if cfg.data in TOY_DATA else "points"
    if cfg.data not in TOY_DATA:
        st.session_state[key_of(prefix, "data_path")] = cfg.data
    if cfg.kind == "image":
        st.session_state[key_of(prefix, "loss")] = loss_choice(cfg)


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
    if kind == "select":
        return st.selectbox(label, spec, key=key, help=help_text or None)
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


def data_widget(prefix: str) -> None:
    """Toy data sets plus 'your points' (an uploaded CSV/NPY, or points typed in); picking a
    set loads its preset (gauss1d: 1D noise, stratified) into the other widgets."""
    options, names = (*TOY_DATA, "points"), {"points": "your points (CSV/NPY or typed)"}
    key = key_of(prefix, "data")
    st.selectbox(
        "Data", options, key=key, format_func=lambda v: names.get(v, v),
        on_change=_load_preset, args=(prefix,),
    )  # fmt: skip
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


def loss_widget(prefix: str) -> str:
    """An image run's loss, picked apart from its variant; WGAN-GP shows its penalty's λ."""
    key = key_of(prefix, "loss")
    help_text = "nsgan: the non-saturating GAN; wgan-gp: a critic with a gradient penalty."
    st.selectbox("Loss", IMAGE_LOSSES, key=key, on_change=_penalty_default, args=(prefix,),
                 help=help_text)  # fmt: skip
    if st.session_state[key] == "wgan-gp":
        field_widget(prefix, "gp_weight")
    return st.session_state[key]


def _penalty_default(prefix: str) -> None:
    key = key_of(prefix, "gp_weight")
    st.session_state[key] = st.session_state.get(key) or GP_WEIGHT


def _data_value(prefix: str) -> str | None:
    choice = st.session_state.get(key_of(prefix, "data"))
    if choice == "points":
        return st.session_state.get(key_of(prefix, "data_path"))
    return choice


def wanted_config(prefix: str, base: RunConfig) -> RunConfig:
    """The config the widgets describe (raises ConfigError with one sentence)."""
    state = st.session_state
    values = {f: state[key_of(prefix, f)] for f in WIDGETS if key_of(prefix, f) in state}
    values["variant"] = st.session_state.get(key_of(prefix, "variant"), base.variant)
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
