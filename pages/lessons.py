"""Lessons: every idea of GAN training as a run to predict, watch and check.

For each lesson (ganlab/labs/lessons): the idea, a question to answer before pressing Play
(the answer and why are shown once the student has picked and pressed Reveal), what to
watch, links that open the lesson's page with its settings (or buttons that load each arm
into the playground), and "Run the check", which trains the arms headless in this script
run (ui/jobs.py) in a temporary folder and shows the verdict.
"""

import tempfile
from functools import partial
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ganlab import ui
from ganlab.config.links import link_text
from ganlab.errors import GanlabError
from ganlab.labs.lessons.catalogue import LESSONS
from ganlab.labs.lessons.run import arm_config, run_lesson, setup_params
from ganlab.ui.jobs import run_button

ui.ensure_navigation()
S = st.session_state
PLAYGROUND_PREFIX = "pg"  # pages/playground.py's widget keys, loaded with the arm's settings
PAGES = {
    "playground": "pages/playground.py",
    "theory": "pages/theory.py",
    "images": "pages/images.py",
    "latent": "pages/latent.py",
    "augment": "pages/augment.py",
}


def open_page(where, page: str, label: str, params: dict | None) -> None:
    """A link to ``page`` with ``params`` in its URL; a plain URL where the page list is not
    known (this page run on its own, as in tests)."""
    try:
        where.page_link(PAGES[page], label=label, query_params=params)
    except StreamlitAPIException:
        query = "?" + urlencode(params) if params else ""
        where.markdown(f"[{label}](/{page}{query})")


def load_in_playground(arm: dict, params: dict) -> None:
    """Reset this session's playground run to the arm's settings, then go there. (A link
    alone would not do: the playground reads its URL only for a session's first run.)"""
    cfg = arm_config(arm)
    ui.import_config(ui.session_runner("playground", lambda: cfg), PLAYGROUND_PREFIX, cfg.to_json())
    ui.end_compare()  # one arm: the playground's single run
    try:
        st.switch_page(PAGES["playground"], query_params=params)
    except StreamlitAPIException:  # this page run on its own: no page list to switch in
        st.success("Loaded into the playground; open the Playground page.")


def open_in_compare(arms: list[dict]) -> None:
    """Load a lesson's two arms as the playground's runs A and B, side by side, then go
    there (with the compare link in the URL)."""
    try:
        params = ui.load_compare(PLAYGROUND_PREFIX, *(arm_config(arm) for arm in arms))
    except GanlabError as err:
        st.error(f"These arms cannot be compared side by side: {err}", icon="⚠️")
        return
    try:
        st.switch_page(PAGES["playground"], query_params=params)
    except StreamlitAPIException:  # this page run on its own: no page list to switch in
        st.success("Loaded both into the playground's compare mode; open the Playground page.")


def check_lesson(name: str, progress) -> dict:
    """Train the lesson's arms in a temporary folder (gone afterwards) for the verdict."""
    with tempfile.TemporaryDirectory(prefix=f"ganlab-lesson-{name}-") as out:
        return run_lesson(name, out, progress)


st.title("Lessons")
st.write(
    "Each lesson is one idea of GAN training as an experiment. Read the idea, answer the "
    "question before you press Play, open the setup, watch what it says to watch, then let "
    "the check train the same runs and say in words whether the expected thing happened."
)

for lesson in LESSONS.values():
    with st.expander(lesson.title):
        st.write(lesson.idea)
        picked = st.radio(lesson.question, lesson.choices, index=None, key=f"ls.{lesson.name}.q")
        if st.button("Reveal the answer", key=f"ls.{lesson.name}.reveal", disabled=picked is None):
            S[f"ls.{lesson.name}.shown"] = True
        if S.get(f"ls.{lesson.name}.shown"):
            right = lesson.choices[lesson.answer]
            if picked == right:
                st.success(f"Right: {right}. {lesson.why}")
            else:
                st.warning(f"The answer is: {right}. {lesson.why}")
        st.markdown(f"**Watch:** {lesson.watch}")
        if lesson.page != "playground":  # with the lesson's settings in the page's link
            pages = lesson.links or {"": {}}
            for column, (label, values) in zip(st.columns(len(pages)), pages.items()):
                where = f"{label} on the {lesson.page} page" if label else f"the {lesson.page} page"
                params = {name: link_text(value) for name, value in values.items()}
                open_page(column, lesson.page, f"Open {where}", params or None)
        links = {arm: setup_params(settings) for arm, settings in lesson.arms.items()}
        links = {arm: params for arm, params in links.items() if params is not None}
        for column, (arm, params) in zip(st.columns(max(len(links), 1)), links.items()):
            if column.button(f"Load {arm} in the playground", key=f"ls.{lesson.name}.{arm}"):
                load_in_playground(lesson.arms[arm], params)
        if len(links) == len(lesson.arms) == 2:  # two toy setups: side by side as A and B
            if st.button("Open both in compare mode", key=f"ls.{lesson.name}.compare"):
                open_in_compare(list(lesson.arms.values()))
        store = f"ls.{lesson.name}.result"
        run_button(
            "Run the check", f"ls.{lesson.name}.run", store, partial(check_lesson, lesson.name)
        )
        result = S.get(store)
        if result is not None:
            show = st.success if result["passed"] else st.error
            show(result["verdict"])
            st.caption(
                f"Trained {len(result['arms'])} runs in {result['seconds']:.0f} s. "
                f"`python -m ganlab lesson run {lesson.name} --out DIR` keeps them."
            )
