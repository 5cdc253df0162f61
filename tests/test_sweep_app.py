"""The sweep page under Streamlit's AppTest: a small grid runs and links to the playground."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "sweep.py")


def small_grid() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["sw.steps"] = 50
    at.session_state["sw.hidden"] = 16
    at.session_state["sw.k"] = [1, 2]
    at.session_state["sw.lr_d"] = [1e-4, 1e-3]
    at.session_state["sw.seeds"] = 1
    at.run()
    assert not at.exception, at.exception
    return at


def test_sweep_page_runs_a_grid_and_links_cells_to_the_playground():
    at = small_grid()
    assert "4 runs in 2 batched group(s), 50 steps each." in [c.value for c in at.caption]
    assert not at.get("plotly_chart")  # nothing to show before a run
    at.button(key="sw.run").click().run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1
    cells = at.selectbox(key="sw.cell")
    assert cells.options == [
        "k=1, lr D 0.0001",
        "k=1, lr D 0.001",
        "k=2, lr D 0.0001",
        "k=2, lr D 0.001",
    ]
    cells.set_value("k=2, lr D 0.001").run()
    links = [m.value for m in at.markdown if "open in the playground" in m.value]
    assert len(links) == 1 and "(./?variant=nsgan&data=ring8&k=2&" in links[0]
    assert len(at.session_state["sw.rows"]) == 4


def test_sweep_page_explains_a_bad_grid():
    at = small_grid()
    at.multiselect(key="sw.k").set_value([]).run()
    assert [e.value for e in at.error] == ["The k list is empty; pick at least one value."]
    at.multiselect(key="sw.k").set_value([1, 2, 3, 5, 10]).run()
    at.multiselect(key="sw.lr_d").set_value([1e-4, 5e-4, 1e-3]).run()
    at.slider(key="sw.seeds").set_value(5).run()  # 5 x 3 x 5 = 75 runs
    assert "The grid has 75 runs; this page trains at most 64" in at.error[0].value
    assert not at.button  # no Run button for a grid that cannot run
