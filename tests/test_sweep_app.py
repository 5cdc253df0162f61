"""The sweep page under Streamlit's AppTest: the shipped result on first load, a run that
replaces it, links to the playground, and bad grids."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ganlab.figures import sweep as viz_sweep
from ganlab.labs import sweep

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "sweep.py")


def modes_map(at: AppTest) -> np.ndarray:
    """The left heat map's numbers (modes covered per cell) as the page drew them."""
    z = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["z"]  # plotly's binary form
    shape = tuple(int(n) for n in z["shape"].split(","))
    return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)


def small_grid() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["sw.steps"] = 50
    at.session_state["sw.hidden"] = 16
    at.session_state["sw.k"] = [1, 2]
    at.session_state["sw.lr_d"] = [1e-4, 1e-3]
    at.session_state["sw.lr_g"] = [1e-3]
    at.session_state["sw.seeds"] = 1
    at.run()
    assert not at.exception, at.exception
    return at


def test_first_load_shows_the_shipped_diagram_and_a_run_replaces_it():
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    shipped = sweep.load_shipped()
    assert "sw.rows" not in at.session_state  # nothing trained
    assert at.subheader[0].value == "Shipped result of the default grid"
    label = at.info[0].value
    assert label.startswith(f"Measured on {shipped['measured_on']} with `{shipped['command']}`")
    assert "18 runs in" in label
    shipped_map = modes_map(at)
    np.testing.assert_allclose(
        shipped_map, viz_sweep.cells(shipped["rows"])["means"]["modes_covered"]
    )
    assert shipped_map[1, 1] == 8  # G 3e-3, D 3e-3: all modes
    reading = [m.value for m in at.markdown if m.value.startswith("**What to read here.**")]
    first, *found = viz_sweep.reading(shipped["rows"])
    assert first == "Each cell is the mean of 2 seed(s) after 2,500 steps."
    assert reading == [
        f"**What to read here.** {first}\n"
        + "".join(f"\n- {line}" for line in [*found, sweep.DEFAULT_LESSON])
    ]
    assert "\n- Works (at least 7 of 8 modes): G 0.003 · D 0.003 (8.0 modes" in reading[0]
    # The sidebar starts on the shipped grid; a tiny-steps variant of it replaces the result.
    assert at.caption[0].value == "18 runs in 1 batched group(s), 2500 steps each."
    at.slider(key="sw.steps").set_value(50).run()
    at.button(key="sw.run").click().run()
    assert not at.exception, at.exception
    grid, rows = at.session_state["sw.rows"]
    assert grid == dataclasses.replace(sweep.DEFAULT_GRID, steps=50)
    assert len(rows) == 18 and {r["steps"] for r in rows} == {50}
    assert at.subheader[0].value == "Your sweep"
    assert not [i for i in at.info if "Measured on" in i.value]
    assert modes_map(at).shape == (3, 3) and modes_map(at)[1, 1] < 8  # 50 steps: not yet
    reading = [m.value for m in at.markdown if m.value.startswith("**What to read here.**")]
    assert len(reading) == 1 and sweep.DEFAULT_LESSON not in reading[0]  # not the default now
    assert all(line in reading[0] for line in viz_sweep.reading(rows))


def test_sweep_page_runs_a_grid_and_links_cells_to_the_playground():
    at = small_grid()
    assert "4 runs in 2 batched group(s), 50 steps each." in [c.value for c in at.caption]
    at.button(key="sw.run").click().run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1
    cells = at.selectbox(key="sw.cell")
    assert cells.options == [
        "k=1 · D 0.0001",
        "k=1 · D 0.001",
        "k=2 · D 0.0001",
        "k=2 · D 0.001",
    ]
    cells.set_value("k=2 · D 0.001").run()
    links = [m.value for m in at.markdown if "open in the playground" in m.value]
    assert len(links) == 1 and "(./?variant=nsgan&data=ring8&k=2&" in links[0]
    assert len(at.session_state["sw.rows"][1]) == 4


def test_sweep_page_explains_a_bad_grid():
    at = small_grid()
    at.multiselect(key="sw.k").set_value([]).run()
    assert [e.value for e in at.error] == ["The k list is empty; pick at least one value."]
    at.multiselect(key="sw.k").set_value([1, 2, 3, 5, 10]).run()
    at.multiselect(key="sw.lr_d").set_value([1e-4, 3e-4, 1e-3]).run()
    at.slider(key="sw.seeds").set_value(5).run()  # 5 x 3 x 5 = 75 runs
    assert "The grid has 75 runs; this page trains at most 64" in at.error[0].value
    assert not at.button  # no Run button for a grid that cannot run
