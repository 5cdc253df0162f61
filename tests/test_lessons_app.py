"""The lessons page under Streamlit's AppTest: every lesson listed, its question answerable,
and a check run from its button shows the verdict."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ganlab.labs.lessons.catalogue import LESSONS

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "lessons.py")


def test_lessons_page_lists_every_lesson_and_reveals_an_answer_after_a_pick():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == [lesson.title for lesson in LESSONS.values()]
    lesson = LESSONS["saturation"]
    reveal = at.button(key="ls.saturation.reveal")
    assert reveal.disabled  # no answer before a pick
    wrong = next(c for i, c in enumerate(lesson.choices) if i != lesson.answer)
    at.radio(key="ls.saturation.q").set_value(wrong).run()
    at.button(key="ls.saturation.reveal").click().run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        f"The answer is: {lesson.choices[lesson.answer]}. {lesson.why}"
    ]


def test_running_a_check_from_the_page_shows_its_verdict():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    at.button(key="ls.saturation.run").click().run()
    assert not at.exception, at.exception
    assert len(at.success) == 1
    assert at.success[0].value.startswith("Held: after D trained alone, D(G(z)) was 0.010; ")


def test_loading_an_arm_resets_the_playground_run_and_widgets_to_its_settings(monkeypatch):
    monkeypatch.setenv("GANLAB_WORKERS", "0")  # the playground's runner as a thread here
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    at.button(key="ls.packing.pack 1").click().run()
    assert not at.exception, at.exception
    cfg = at.session_state["ganlab.runner.playground"].cfg
    assert (cfg.data, cfg.pack, cfg.seed, cfg.lr_decay_every) == ("ring8", 1, 5, 100)
    assert at.session_state["pg.pack"] == 1 and at.session_state["pg.seed"] == 5
    assert at.success[0].value == "Loaded into the playground; open the Playground page."
