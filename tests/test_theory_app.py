"""The theory page under Streamlit's AppTest: every panel draws from a short real run."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "theory.py")


def test_theory_page_shows_five_panels_with_formulas_and_charts():
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["th.steps"] = 20  # a short run keeps the test fast
    at.session_state["th.k"] = 1
    at.run()
    assert not at.exception, at.exception
    headers = [h.value for h in at.header]
    assert headers[:5] == [
        "1. The optimal discriminator",
        "2. The value of the game and the Jensen-Shannon divergence",
        "3. Saturating vs non-saturating G loss",
        "4. Mode collapse and minibatch discrimination",
        "5. Maximum likelihood and the two KL divergences",
    ]
    assert len(at.latex) == 5 and "D^*(x)" in at.latex[0].value
    assert len(at.get("plotly_chart")) == 7
    gap_at_end = at.metric[0].value
    at.select_slider(key="th.at").set_value(0).run()  # back to the untrained D
    assert not at.exception, at.exception
    assert at.metric[0].value != gap_at_end
