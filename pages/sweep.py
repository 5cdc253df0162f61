"""Sweep: many small GANs trained at once, and their phase diagram over k x learning rate.

The sidebar describes a grid; Run trains it (ganlab/labs/sweep.py: runs of one shape share one
batched model) with a progress bar; the heat maps show modes covered and JS per cell, and
any cell's setup opens in the playground through its link.
"""

import streamlit as st

from ganlab import ui
from ganlab.config.run_config import TOY_DATA
from ganlab.errors import GanlabError
from ganlab.figures import sweep as viz_sweep
from ganlab.labs import sweep
from ganlab.ui.jobs import run_button

ui.ensure_navigation()
PAGE_MAX_RUNS = 64  # the page trains in the session's own script run; the CLI allows 512
VARIANTS = ("nsgan", "gan", "lsgan", "hinge", "wgan", "wgan-gp")
ROWS = "sw.rows"
LRS = (1e-5, 3e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 3e-2)

with st.sidebar:
    st.header("The grid")
    data = st.selectbox("Data", TOY_DATA, index=TOY_DATA.index("ring8"), key="sw.data")
    variant = st.selectbox("Variant", VARIANTS, key="sw.variant")
    ks = st.multiselect("k: D steps per G step", (1, 2, 3, 5, 10), (1, 2, 5), key="sw.k")
    lr_d = st.multiselect("Learning rates of D", LRS, (1e-4, 5e-4, 2e-3), key="sw.lr_d")
    lr_g = st.multiselect("Learning rates of G", LRS, (1e-3,), key="sw.lr_g")
    batch = st.multiselect("Batch sizes", (32, 64, 128, 256, 512), (128,), key="sw.batch")
    seeds = st.slider("Seeds per setting", 1, 5, 2, key="sw.seeds")
    steps = st.slider("G steps per run", 50, 3000, 600, step=50, key="sw.steps")
    hidden = st.select_slider("Width (hidden units)", (16, 32, 64, 128), 64, key="sw.hidden")

st.title("Sweep: a phase diagram of GAN training")
st.write(
    "Every combination of the lists trains as its own GAN; runs of one shape share one "
    "batched model, so a grid costs little more than its largest group. Each cell of the heat "
    "maps is the mean over its seeds at the last step."
)
try:
    lists = {"k": ks, "lr_d": lr_d, "lr_g": lr_g, "batch_size": batch}
    empty = [name for name, values in lists.items() if not values]
    if empty:
        raise GanlabError(f"The {empty[0]} list is empty; pick at least one value.")
    cfgs = sweep.make_grid(data, variant, seeds=seeds, steps=steps, hidden=hidden, **lists)
    if len(cfgs) > PAGE_MAX_RUNS:
        raise GanlabError(
            f"The grid has {len(cfgs)} runs; this page trains at most {PAGE_MAX_RUNS} "
            "(python -m ganlab sweep takes up to 512)."
        )
except GanlabError as err:
    st.error(str(err), icon="⚠️")
    cfgs = []
if cfgs:
    st.caption(f"{sweep.plan(cfgs)}, {steps} steps each.")
    run_button("Run the sweep", "sw.run", ROWS, lambda bar: sweep.run_sweep(cfgs, progress=bar))

rows = st.session_state.get(ROWS)
if rows:
    diagram = viz_sweep.phase_diagram(rows)
    event = st.plotly_chart(
        diagram, key="sw.map", config={"displaylogo": False}, width="stretch",
        on_select="rerun", selection_mode="points",
    )  # fmt: skip
    points = event.selection.points if event else []
    if points:  # a click on a cell picks it below
        st.session_state["sw.cell"] = f"{points[0]['y']}, lr {points[0]['x']}"
    st.caption(
        "Left: modes covered (more is better; W1 for data without modes). Right: JS divergence "
        "between data and G on a grid (less is better). Rows: k (and batch size); columns: "
        "learning rates."
    )
    grid = viz_sweep.cells(rows)
    labels = {
        f"{grid['y'][iy]}, lr {grid['x'][ix]}": runs for (iy, ix), runs in grid["runs"].items()
    }
    if st.session_state.get("sw.cell") not in labels:
        st.session_state.pop("sw.cell", None)
    pick = st.selectbox(
        "Open a cell's setup in the playground (or click a cell)", sorted(labels), key="sw.cell"
    )
    for i in labels[pick]:  # relative links: /sweep -> / (the playground), under any base path
        row = rows[i]
        summary = f"seed {row['seed']}: modes {row['modes_covered']:g}, JS {row['js_grid']:.3f}"
        st.markdown(f"🎯 [{summary}: open in the playground]({row['link']}) (new tab)")
    st.dataframe(rows, hide_index=True, column_order=sweep.COLUMNS[:-1], key="sw.table")
    st.download_button(
        "⬇ results.csv", sweep.rows_to_csv(rows), "results.csv", "text/csv", on_click="ignore"
    )
