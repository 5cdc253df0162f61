"""Image GANs: DCGAN, CGAN, InfoGAN and LAPGAN on MNIST digits, trained live.

The playground's flow with digits: sidebar widgets describe a run, this session's Runner
trains it in the background, and a fragment redraws the newest snapshot while it plays: a
grid from fixed noise, the losses, D's outputs and the digit classifier's score. Under them,
the nearest training digits of any generated one (CS231n's memorisation check), then the
export panel (config, checkpoint, a GIF of the grid over training, the shareable link).
"""

import streamlit as st

from ganlab import ui
from ganlab.config.controls import IMAGE_KNOBS, IMAGE_WIDGETS
from ganlab.config.links import config_from_params, config_to_params
from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import RunConfig, make_config
from ganlab.data.mnist import find_mnist_files
from ganlab.errors import GanlabError
from ganlab.figures import animation
from ganlab.figures import curves as vc
from ganlab.figures import images as vi
from ganlab.figures import latent as vl
from ganlab.figures.captions import captions
from ganlab.ui.digit_panels import nearest_panel

P, S = "img", st.session_state  # widget key prefix
REDRAW_S = 0.5
VIEWS = {"real": "Real training digits", "c1_sweep": "What c1 does", "c2_sweep": "What c2 does"}
VIEWS["levels"] = "The pyramid's levels"

ui.ensure_navigation()
link, linked, link_error = ui.new_link(P), None, ""
try:  # a shared link's or a lesson's setup (never a server folder: mnist_dir is not in links)
    linked = config_from_params(link, kind="image") if link else None
except GanlabError as err:
    link_error = str(err)  # one sentence; the page goes on with its run
runner = ui.session_runner("images", lambda: linked or make_config("dcgan", "mnist"))
ui.init_widgets(P, runner.cfg)
if linked is not None and linked != runner.cfg.replace(mnist_dir=""):  # a link from elsewhere
    ui.load_widgets(P, linked.replace(mnist_dir=runner.cfg.mnist_dir))

with st.sidebar:
    st.header("Game")
    variant = ui.variant_widget(P, kind="image")
    ui.loss_widget(P)
    if variant == "infogan":
        ui.field_widget(P, "info_lambda")
    st.header("Training knobs")
    st.caption("Learning rates and k change the running game at its next step.")
    for field in IMAGE_KNOBS:
        ui.field_widget(P, field, IMAGE_WIDGETS)
    st.header("Data and seed")
    ui.field_widget(P, "mnist_dir")
    ui.field_widget(P, "seed")


def usable_folder(wanted: RunConfig, current: RunConfig) -> RunConfig:
    """``wanted``, or with the running folder where the typed one holds no MNIST files."""
    try:
        if wanted.mnist_dir:
            find_mnist_files(wanted.mnist_dir)
        return wanted
    except GanlabError as err:
        using = current.mnist_dir or "the 10,000 bundled digits"
        st.error(f"{err} Training goes on with {using}.", icon="⚠️")
        return wanted.replace(mnist_dir=current.mnist_dir)


st.title("Image GANs")
ui.show_reported()
if link_error:
    st.error(link_error, icon="⚠️")
try:
    changed = ui.apply_config(runner, usable_folder(ui.wanted_config(P, runner.cfg), runner.cfg))
except GanlabError as err:
    st.error(f"{err} The run goes on with its current settings.", icon="⚠️")
    changed = []
summary = VARIANTS[runner.cfg.variant].summary
st.caption(f"{summary} Press Play; change the loss, k or a learning rate while it runs.")
if changed:
    ui.reset_prompt(runner, P, changed)
ui.write_link(P, config_to_params(runner.cfg))
ui.run_controls(runner, P)
playing = runner.playing
every = ui.redraw_every(REDRAW_S)


@st.fragment(run_every=every if playing else None)
def live() -> None:
    v, snap, cfg = ui.live_status(runner, playing, (REDRAW_S, every))
    view, words, metrics = snap.view, captions(cfg.loss, 2), runner.metric_history()
    S[f"{P}.grid"] = view["grid"]  # what is on screen (tests read it)
    left, right = st.columns([5, 4], gap="large")
    left.image(vl.grid_image(view["grid"], 2), caption=vi.GRID_CAPTIONS[cfg.variant])
    shown = [name for name in VIEWS if name in view]
    if S.get(f"{P}.view") not in shown:  # InfoGAN's sweeps, then a variant without them
        S[f"{P}.view"] = "real"
    pick = right.selectbox("Beside the grid", shown, format_func=VIEWS.get, key=f"{P}.view")
    right.image(vl.grid_image(view[pick], 2), caption=vi.EXTRA_VIEWS[pick])
    a, b, c = st.columns(3, gap="medium")
    history = runner.history()
    with a:
        ui.chart(f"{P}.losses", words["losses"], v["losses"], vc.loss_curves, history, cfg.loss)
    with b:
        ui.chart(f"{P}.d", words["d"], v["losses"], vc.d_outputs, history, cfg.loss)
    with c:
        ui.chart(f"{P}.score", vi.SCORE_CAPTION, v["metrics"], vi.digit_score_curves, metrics)
    st.subheader("Nearest training digits")
    nearest_panel(P, runner, view["grid"], v["view"])


live()

with st.expander("Export and share: config, checkpoint, GIF, link", expanded=False):
    ui.export_panel(runner, P, lambda: animation.grid_gif(runner.frames()[1]))
