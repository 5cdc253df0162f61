"""Sweep: many small GANs trained at once, and their phase diagram over the grid's settings.

The sidebar describes a grid, starting from labs/sweep.py's DEFAULT_GRID. Until the user
trains one, the page shows that grid's measured result shipped with ganlab, labelled as such;
Run trains the sidebar's grid (runs of one shape share one batched model) with a progress
bar and replaces it. The heat maps show modes covered and JS per cell, the text under them
says where training worked and failed, and any cell's setup opens in the playground.
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
OWN = "sw.rows"  # (grid, rows) of the sweep this session trained
DEFAULT = sweep.DEFAULT_GRID
LRS = tuple(
    sorted({1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, *DEFAULT.lr_d, *DEFAULT.lr_g})
)

with st.sidebar:
    st.header("The grid")
    data = st.selectbox("Data", TOY_DATA, index=TOY_DATA.index(DEFAULT.data), key="sw.data")
    variant = st.selectbox(
        "Variant", VARIANTS, index=VARIANTS.index(DEFAULT.variant), key="sw.variant"
    )
    ks = st.multiselect("k: D steps per G step", (1, 2, 3, 5, 10), DEFAULT.k, key="sw.k")
    lr_d = st.multiselect("Learning rates of D", LRS, DEFAULT.lr_d, key="sw.lr_d")
    lr_g = st.multiselect("Learning rates of G", LRS, DEFAULT.lr_g, key="sw.lr_g")
    batch = st.multiselect(
        "Batch sizes", (32, 64, 128, 256, 512), DEFAULT.batch_size, key="sw.batch"
    )
    seeds = st.slider("Seeds per setting", 1, 5, DEFAULT.seeds, key="sw.seeds")
    steps = st.slider("G steps per run", 50, 3000, DEFAULT.steps, step=50, key="sw.steps")
    hidden = st.select_slider(
        "Width (hidden units)", (16, 32, 64, 128), DEFAULT.hidden, key="sw.hidden"
    )

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
    wanted = sweep.Grid(
        data, variant, k=tuple(sorted(ks)), lr_d=tuple(sorted(lr_d)), lr_g=tuple(sorted(lr_g)),
        batch_size=tuple(sorted(batch)), seeds=seeds, steps=steps, hidden=hidden,
    )  # fmt: skip
    cfgs = wanted.configs()
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
    run_button(
        "Run the sweep", "sw.run", OWN, lambda bar: (wanted, sweep.run_sweep(cfgs, progress=bar))
    )

if OWN in st.session_state:
    grid, rows = st.session_state[OWN]
    st.subheader("Your sweep")
else:  # nobody trained yet: the default grid's measured result, said to be shipped
    shipped = sweep.load_shipped()
    grid, rows = sweep.Grid.from_json(shipped["grid"]), shipped["rows"]
    st.subheader("Shipped result of the default grid")
    st.info(
        f"Measured on {shipped['measured_on']} with `{shipped['command']}`: "
        f"{len(rows)} runs in {shipped['seconds']:.0f} s ({shipped['machine']}). "
        "**Run the sweep** trains the sidebar's grid, the same one to start with, and shows "
        "your result in place of this one.",
        icon="📦",
    )
diagram = viz_sweep.phase_diagram(rows)
event = st.plotly_chart(
    diagram, key="sw.map", config={"displaylogo": False}, width="stretch",
    on_select="rerun", selection_mode="points",
)  # fmt: skip
first, *found = viz_sweep.reading(rows)
found += [sweep.DEFAULT_LESSON] if grid == DEFAULT else []
st.markdown(f"**What to read here.** {first}\n" + "".join(f"\n- {line}" for line in found))
st.caption(
    "Left: modes covered (more is better; W1 for data without modes). Right: JS divergence "
    "between data and G on a grid (less is better). Rows and columns: the settings named on "
    "the axes. Click a cell to pick it below."
)
points = event.selection.points if event else []
if points:  # a click on a cell picks it below
    st.session_state["sw.cell"] = viz_sweep.cell_name(points[0]["y"], points[0]["x"])
cells = viz_sweep.cells(rows)
labels = {cells["names"][cell]: runs for cell, runs in cells["runs"].items()}
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
