"""Playground: 1D and 2D GANs trained live, GAN Lab style.

Widgets in the sidebar describe a run; a Runner (ganlab/live/) trains it in this session's
worker process; a fragment redraws the newest snapshot five times a second while it plays
(more slowly when the server has more runs playing than CPU cores: ui.redraw_every).
"""

import functools

import streamlit as st

from ganlab import ui
from ganlab.config.controls import GAME, KNOBS, MODIFIERS, NETS
from ganlab.config.links import config_from_params
from ganlab.errors import GanlabError
from ganlab.figures import animation
from ganlab.figures import curves as vc
from ganlab.figures import live as viz
from ganlab.figures.captions import captions
from ganlab.figures.overview import staged_distribution

P = "pg"  # widget key prefix
REDRAW_S = 0.2

ui.ensure_navigation()
runner = ui.session_runner("playground", lambda: config_from_params(st.query_params.to_dict()))
ui.init_widgets(P, runner.cfg)

with st.sidebar:
    st.header("Data and game")
    ui.data_widget(P, runner)
    ui.variant_widget(P)
    for field in GAME:
        ui.field_widget(P, field)
    with st.expander("Modifiers: pack, unrolled, minibatch discrimination, instance noise"):
        for field in MODIFIERS:
            ui.field_widget(P, field)
    st.header("Training knobs")
    st.caption(
        "The loss, its terms, k, the learning rates, their decay and the optimizer change the "
        "running game at its next step and keep its weights; other changes ask for a fresh run."
    )
    if runner.cfg.lr_decay < 1:
        st.caption(
            f"Learning-rate decay is on (x{runner.cfg.lr_decay:g} every "
            f"{runner.cfg.lr_decay_every:,} steps): the two rates below are the base rates; "
            "the rates in use are shown under the picture."
        )
    for field in KNOBS:
        ui.field_widget(P, field)
    st.header("Networks and noise")
    for field in NETS:
        ui.field_widget(P, field)

st.title("GAN playground")
st.caption(
    "A generator (purple) learns to imitate the data (green) while a discriminator learns to "
    "tell them apart. Press Play; change the loss, the optimizer, k or a learning rate while "
    "it runs."
)
ui.show_reported()
try:
    changed = ui.apply_config(runner, ui.wanted_config(P, runner.cfg))
except GanlabError as err:
    st.error(f"{err} The run goes on with its current settings.", icon="⚠️")
    changed = []
if changed:
    ui.reset_prompt(runner, P, changed)
if ui.compare_toggle(P, runner):  # runs A and B side by side instead of the one run below
    ui.compare_view(runner, P, REDRAW_S)
    st.stop()
ui.sync_url(runner.cfg)
ui.run_controls(runner, P)
playing = runner.playing
every = ui.redraw_every(REDRAW_S)
busy = every > REDRAW_S


@st.fragment(run_every=every if playing else None)
def live() -> None:
    v, snap, cfg = ui.live_status(runner, playing, (REDRAW_S, every))
    if cfg.lr_decay < 1:
        n = snap.step // cfg.lr_decay_every
        st.caption(
            f"Learning rates in use at step {snap.step:,}: D {snap.lr_d:.3g}, G {snap.lr_g:.3g} "
            f"(the base rates x {cfg.lr_decay:g}^{n})."
        )
    slow = bool(runner.speed)
    ui.model_overview(snap, cfg, playing, slow)
    layers = st.pills(
        "Show", viz.LAYERS, selection_mode="multi", default=viz.LAYERS, key=f"{P}.layers"
    )
    shown, history, metrics = tuple(layers or ()), runner.history(), runner.metric_history()
    words = captions(cfg.loss, snap.view["real"].shape[1], "modes_covered" in metrics)
    left, right = st.columns([3, 2], gap="large")
    with left:
        # A busy server (more runs playing than cores) gets a lighter picture: each tab
        # redraws it in software, and eight tabs at full detail took the CPU from training.
        # Thinned inside the build, which the chart cache skips while the view is unchanged.
        caption = words["distribution"]
        if cfg.g_ema:
            caption += f" Purple is a moving average of G's weights (decay {cfg.g_ema:g})."
        if busy:
            caption += f" The server is busy, so it shows {viz.BUSY_POINTS} points of each."
        draw = functools.partial(staged_distribution, stage=snap.stage, light=busy)
        ui.chart(f"{P}.dist", caption, (v["view"], shown, busy), draw, snap.view, cfg.loss, shown)
    with right:
        ui.chart(f"{P}.losses", words["losses"], v["losses"], vc.loss_curves, history, cfg.loss)
        ui.chart(f"{P}.d", words["d"], v["losses"], vc.d_outputs, history, cfg.loss)
    a, b = st.columns(2, gap="large")
    with a:
        ui.chart(f"{P}.js", words["js"], v["metrics"], vc.divergence_curves, metrics)
    with b:
        ui.chart(f"{P}.cov", words["modes"], v["metrics"], vc.coverage_curves, metrics)


live()

with st.expander("Export and share: config, checkpoint, GIF, link", expanded=False):
    ui.export_panel(runner, P, lambda: animation.history_gif(*runner.frames()))
