"""Augment: do a GAN's digits help a classifier trained on only n labelled digits?

The sidebar describes the experiment (ganlab/labs/augment/); Run trains it in this script run
with a progress bar (it is finite, and a small one takes a minute or two on a CPU). The
result stays in the session: a bar chart of held-out accuracy per scheme with error bars,
the numbers, and generated digits with the label each scheme trained them as. Before the
first run the page shows the measured result shipped with ganlab, labelled as shipped.
"""

import json
from functools import partial

import streamlit as st

from ganlab import ui
from ganlab.config.links import LinkParam
from ganlab.errors import GanlabError
from ganlab.figures import augment as viz_augment
from ganlab.labs.augment import common
from ganlab.labs.augment import experiment as augment
from ganlab.labs.augment import report as augment_report
from ganlab.ui.jobs import run_button

ui.ensure_navigation()
RESULT = "au.result"
# The link's parameters are AugmentSettings' fields (a lesson's settings, by name); the page's
# widget keys are older and shorter.
STEPS = (("gan_steps", ""), ("classifier_steps", "clf_steps"), ("ssgan_steps", ""))
_, _, _, SEEDS, GAN, CLF, SSGAN = LINK = (
    LinkParam("labelled", int, 200, low=common.MIN_LABELLED, high=common.POOL, key="n"),
    LinkParam("generated", int, 500, low=1, high=common.MAX_GENERATED, key="m"),
    LinkParam("schemes", list, ["none", "k+1", "argmax", "uniform"], choices=augment.SCHEMES),
    LinkParam("seeds", int, 1, low=1, high=5),
    *(LinkParam(name, int, 300, low=5, high=2000, key=key) for name, key in STEPS),
)
link_errors = ui.settings_link("au", LINK)

with st.sidebar:
    st.header("The experiment")
    labelled = st.number_input("Labelled digits n", min_value=1, step=50, key="au.n")
    generated = st.number_input("Generated digits", min_value=0, step=250, key="au.m")
    schemes = st.multiselect("Schemes", augment.SCHEMES, key="au.schemes")
    seeds = st.slider("Seeds", SEEDS.low, SEEDS.high, key="au.seeds")
    gan_steps = st.slider("DCGAN steps", GAN.low, GAN.high, step=5, key="au.gan_steps")
    clf_steps = st.slider("Classifier steps", CLF.low, CLF.high, step=5, key="au.clf_steps")
    ssgan_steps = st.slider("SSGAN steps", SSGAN.low, SSGAN.high, step=5, key="au.ssgan_steps")

st.title("Augment: GAN digits as extra training data")
st.write(
    "Per seed, n labelled digits are drawn from the first 8,000 bundled digits; a DCGAN "
    "trains on those n alone, and a small classifier trains on the n digits without (**none**) "
    "and with the GAN's digits, labelled as an extra class (**k+1**), as the classifier's own "
    "most confident class (**argmax**), or uniformly over the 10 classes (**uniform**, LSRO). "
    "**ssgan** is the semi-supervised GAN, whose discriminator is the classifier. Accuracy is "
    "measured on the last 2,000 bundled digits, which nothing here trains on."
)
for error in link_errors:
    st.error(error, icon="⚠️")
try:
    settings = augment.AugmentSettings(
        labelled=int(labelled),
        generated=int(generated),
        schemes=tuple(schemes),
        seeds=seeds,
        gan_steps=gan_steps,
        classifier_steps=clf_steps,
        ssgan_steps=ssgan_steps,
    )
except GanlabError as err:
    st.error(str(err), icon="⚠️")
    settings = None
if settings is not None:
    run_button("Run the experiment", "au.run", RESULT, partial(augment.run_experiment, settings))

result = st.session_state.get(RESULT)
if result is not None:
    rows, s, seconds, device = result.summary(), result.settings, result.seconds, result.device
else:  # nobody ran it yet: the measured result shipped with ganlab, said to be shipped
    shipped = augment_report.load_shipped()
    rows, seconds, device = shipped["schemes"], shipped["seconds"], shipped["device"]
    s = augment.AugmentSettings(**shipped["settings"])
    st.info(
        f"**Shipped result.** Measured on {shipped['measured_on']} with "
        f"`{shipped['command']}` ({shipped['source']}; its story is bench/AUGMENT.md). "
        "**Run the experiment** trains the sidebar's settings, a smaller experiment to start "
        "with, and shows your result in place of this one.",
        icon="📦",
    )
st.subheader(f"n = {s.labelled} labelled, {s.generated} generated, {s.seeds} seed(s)")
st.plotly_chart(viz_augment.accuracy_bars(rows), key="au.bars", width="stretch")
st.info(augment_report.reading(rows))
st.caption(
    f"Bars: mean held-out accuracy over seeds; whiskers: ±1 standard deviation; circles: "
    f"single seeds. {seconds:,.0f} s on {device}; DCGAN {s.gan_steps} steps, "
    f"classifiers {s.classifier_steps} steps, SSGAN {s.ssgan_steps} steps."
)
table = [
    {"scheme": r["scheme"], "accuracy %": round(100 * r["mean"], 2),
     "± std": round(100 * r["std"], 2), "seeds": r["seeds"]}
    for r in rows
]  # fmt: skip
st.dataframe(table, hide_index=True, key="au.table")
if result is not None:
    if result.example_labels:
        st.subheader("Generated digits and the label each scheme trains them as")
        figure = viz_augment.labelled_examples(result.examples, result.example_labels)
        st.plotly_chart(figure, key="au.examples", width="stretch")
        st.caption("argmax: the final classifier's most confident class (seed 0).")
    left, right = st.columns(2)
    left.download_button(
        "⬇ results.csv",
        augment_report.result_csv(result),
        "results.csv",
        "text/csv",
        on_click="ignore",
    )
    right.download_button(
        "⬇ results.json",
        json.dumps(augment_report.result_json(result), indent=2),
        "results.json",
        "application/json",
        on_click="ignore",
    )
