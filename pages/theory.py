"""Theory: the minimax game of Goodfellow et al. (2014), measured on a real 1D GAN.

Every panel trains gauss1d (N(4, 0.5)) with ganlab's Trainer and plots what ganlab/labs/theory.py
measures from the nets; results are cached per setting (pure functions of their inputs). The
address bar carries k, the steps and the seed, so a link (a lesson's) opens the same runs.
"""

import streamlit as st

from ganlab import ui
from ganlab.config.links import LinkParam
from ganlab.figures import theory as viz_theory
from ganlab.labs import theory

ui.ensure_navigation()
CONFIG = {"displaylogo": False}
K, STEPS, SEED = LINK = (
    LinkParam("k", int, 5, choices=(1, 2, 5, 10)),
    LinkParam("steps", int, 300, low=20, high=600),
    LinkParam("seed", int, 0, low=0, high=10_000),
)
link_errors = ui.settings_link("th", LINK)


@st.cache_data(show_spinner="Training a 1D GAN and measuring it…", max_entries=32)
def game_trace(k: int, steps: int, seed: int) -> dict:
    return theory.trace(theory.theory_config(k=k, steps=steps, seed=seed), max(steps // 30, 1))


@st.cache_data(show_spinner="Training a saturating and a non-saturating GAN…", max_entries=8)
def saturation(steps: int, seed: int) -> dict:
    return theory.saturation(steps=steps, seed=seed, every=max(steps // 12, 1))


@st.cache_data(show_spinner="Training with and without minibatch discrimination…")
def collapse(steps: int, seed: int) -> dict:
    return theory.collapse(steps=steps, seed=seed, every=max(steps // 20, 1))


def show(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, config=CONFIG, width="stretch")


with st.sidebar:
    st.header("The run behind the panels")
    k = st.select_slider("k: D steps per G step", K.choices, key="th.k")
    steps = st.slider("G steps", STEPS.low, STEPS.high, step=20, key="th.steps")
    seed = int(st.number_input("Seed", SEED.low, SEED.high, key="th.seed"))
    st.caption("gauss1d: N(4, 0.5); Adam 1e-3, batch 64, 32-unit tanh nets.")

st.title("GAN theory, measured")
for error in link_errors:
    st.error(error, icon="⚠️")
st.write(
    "Each panel trains a real GAN on the classic 1D data and measures the quantities of the "
    "original paper from its nets: nothing here is only drawn from a formula."
)
tr = game_trace(k, steps, seed)

st.header("1. The optimal discriminator")
st.latex(r"D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}")
st.write(
    "For a fixed G the best D is D*. The trained D (black) chases it (dotted); the more D "
    "steps per G step (k), the closer it gets. The gap is measured where either density lives."
)
records = [int(s) for s in tr["step"]]
at = st.select_slider("Step", records, value=records[-1], key="th.at")
i = records.index(at)
left, right = st.columns([3, 2])
with left:
    show(viz_theory.d_vs_optimal(tr, i), "th.dstar")
with right:
    st.metric("mean |D − D*| at this step", f"{tr['d_gap'][i]:.3f}")
    show(viz_theory.d_gap_curve(tr), "th.gap")

st.header("2. The value of the game and the Jensen-Shannon divergence")
st.latex(
    r"V(D,G) = \mathbb{E}_{x}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]"
    r"\qquad C(G) = \max_D V = -\log 4 + 2\,\mathrm{JSD}(p_{data}\,\|\,p_g)"
)
st.write(
    "V is measured at the current D on samples; C(G) is computed from p_data and G's "
    "histogram on a grid. V can never exceed C(G): the gap is how far D is from D*. With "
    "small k, V sits near −log 4 while C(G) says G is still far off; raise k and they meet."
)
show(viz_theory.value_curves(tr), "th.value")

st.header("3. Saturating vs non-saturating G loss")
st.latex(
    r"\min_G \log(1 - D(G(z))) \quad\text{vs}\quad \min_G -\log D(G(z))"
    r"\qquad \left|\tfrac{\partial}{\partial a}\right| = D \;\text{vs}\; 1 - D"
)
sat = saturation(max(steps // 5, 10), seed)
st.write(
    "Early in training D rejects G's samples (D(G(z)) near 0). There the minimax loss "
    "log(1 − D) is flat and its gradient vanishes; −log D is steep. Below, D first trains "
    "alone for 100 steps, then the same G is trained with each loss (plain SGD, so a step is "
    "as large as its gradient): the gradients G actually received, and where its samples went."
)
show(viz_theory.g_loss_curves(theory.g_loss_curves(), float(sat["gan"]["d_fake"][0])), "th.gl")
show(viz_theory.saturation_curves(sat), "th.sat")

st.header("4. Mode collapse and minibatch discrimination")
runs = collapse(max(steps * 4 // 3, 20), seed)
st.latex(r"o(x_i)_b = \sum_{j \ne i} \exp\left(-\lVert M_{i,b} - M_{j,b} \rVert_{L_1}\right)")
st.write(
    "With a plain D, G can put all its samples where D is fooled right now: p_g narrows to a "
    "spike. Minibatch discrimination lets D see how close each sample is to the others in "
    "its batch (Salimans et al. 2016), so a collapsed batch gives itself away and G spreads out. "
    "Both runs: 8-unit nets, k = 1, the same seed."
)
show(viz_theory.collapse_panels(runs), "th.collapse")

st.header("5. Maximum likelihood and the two KL divergences")
st.latex(
    r"\mathrm{KL}(p_{data}\|p_g) = \mathbb{E}_{p_{data}}\!\left[\log\tfrac{p_{data}}{p_g}\right]"
    r"\qquad \mathrm{KL}(p_g\|p_{data}) = \mathbb{E}_{p_g}\!\left[\log\tfrac{p_g}{p_{data}}\right]"
)
st.write(
    "Maximum likelihood minimises KL(p_data‖p_g): it punishes G for every bit of data it "
    "misses, so it covers modes. KL(p_g‖p_data) punishes only samples where the data is "
    "unlikely. A collapsed G pays far more in the first (it misses most of the data) than in "
    "the second; the GAN's JSD sits between the two. Solid: plain D; dashed: with minibatch "
    "discrimination (the runs of panel 4)."
)
show(viz_theory.kl_curves(runs), "th.kl")
