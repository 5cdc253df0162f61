"""Lessons: the catalogue is complete, the CLI lists and runs them, and every lesson's check
holds on its seed while a check on the wrong numbers says it did not hold, and why.

Each lesson's run is its own test (pytest-xdist spreads them over workers when it is asked
to); all of them together train for a few minutes on one core.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ganlab.cli.main import main
from ganlab.config.run_config import make_config
from ganlab.data.mnist import split_bundled
from ganlab.labs.lessons.catalogue import LESSONS
from ganlab.labs.lessons.catalogue_images import check_memorisation, neighbour_numbers
from ganlab.labs.lessons.lesson import PAGES, START, ArmResult
from ganlab.labs.lessons.run import setup_params

IDEAS = {  # the list of ideas, each taught by at least one lesson
    "equilibrium": "the two-player game and D = 1/2 at equilibrium",
    "optimal-d": "the optimal discriminator",
    "value-of-game": "C(G) = -log 4 + 2 JSD",
    "saturation": "saturating vs non-saturating G loss",
    "collapse-1d": "1D mode collapse and minibatch discrimination",
    "packing": "2D mode collapse and packing",
    "balance-k": "the balance of k and the learning rates",
    "wgan-critic": "weight clipping vs gradient penalty",
    "codes": "conditional generation and InfoGAN's codes",
    "memorisation": "the nearest-neighbour check",
    "augment": "GAN samples as training data",
}


def test_the_catalogue_has_every_idea_and_every_field_filled():
    assert len(LESSONS) >= 10
    assert set(IDEAS) <= set(LESSONS)
    for name, lesson in LESSONS.items():
        assert lesson.name == name
        for text in (lesson.title, lesson.idea, lesson.question, lesson.why, lesson.watch):
            assert len(text) > 20, (name, text)
        assert len(lesson.choices) >= 2 and all(lesson.choices)
        assert 0 <= lesson.answer < len(lesson.choices)
        assert lesson.page in PAGES and lesson.arms
        for settings in lesson.arms.values():
            if START not in settings:  # every arm's settings make a valid config
                values = dict(settings)
                make_config(values.pop("variant"), values.pop("data"), **values)
    assert len({lesson.title for lesson in LESSONS.values()}) == len(LESSONS)


def test_a_playground_lesson_links_its_settings_and_a_shipped_model_links_none():
    params = setup_params(LESSONS["packing"].arms["pack 1"])
    assert params == {
        "variant": "nsgan",
        "data": "ring8",
        "pack": "1",
        "lr_decay_every": "100",
        "seed": "5",
    }
    assert setup_params(LESSONS["memorisation"].arms["dcgan"]) is None


def test_lesson_list_json_names_every_lesson_in_order(capsys):
    assert main(["lesson", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"name": n, "title": lesson.title} for n, lesson in LESSONS.items()]


def test_an_unknown_lesson_is_one_sentence_naming_the_lessons_and_exit_2(tmp_path, capsys):
    assert main(["lesson", "run", "nope", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ganlab: Unknown lesson 'nope'; the lessons are: equilibrium, ")
    assert err.count("\n") == 0 and "Traceback" not in err
    assert not (tmp_path / "x").exists()


_RUNS: dict[str, tuple[int, dict, Path]] = {}


def run_cli(name: str, root: Path) -> tuple[int, dict, Path]:
    """``lesson run NAME --json`` once per test process (a later test reuses it)."""
    if name not in _RUNS:
        out = root / name
        code = main(["lesson", "run", name, "--out", str(out), "--json"])
        _RUNS[name] = code, json.loads((out / "lesson.json").read_text()), out
    return _RUNS[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LESSONS))
def test_every_lesson_holds_on_its_seed_and_its_arms_can_be_sampled(name, tmp_path_factory, capsys):
    code, report, out = run_cli(name, tmp_path_factory.mktemp("lessons"))
    printed = capsys.readouterr().out
    assert code == 0, report["verdict"]
    assert json.loads(printed) == {k: report[k] for k in ("name", "passed", "verdict", "arms")}
    assert report["passed"] is True and report["verdict"].startswith("Held: ")
    assert list(report["arms"]) == list(LESSONS[name].arms)
    for folder in report["arms"].values():
        assert Path(folder).parent == out
        npy = out / f"{Path(folder).name}.npy"
        assert main(["sample", folder, "--n", "10", "--out", str(npy)]) == 0
        samples = np.load(npy)
        assert len(samples) == 10 and np.isfinite(samples).all()


@pytest.mark.slow
def test_a_check_on_the_other_arms_numbers_fails_and_says_why(tmp_path_factory, capsys):
    """balance-k's check with its arms swapped: k 5's numbers under k 1's name."""
    _, report, _ = run_cli("balance-k", tmp_path_factory.mktemp("lessons"))
    capsys.readouterr()
    arms = {arm: ArmResult(arm, {}, m["first"], m["last"]) for arm, m in report["measured"].items()}
    swapped = {**arms, "k 1": arms["k 5"], "k 5": arms["k 1"]}
    verdict = LESSONS["balance-k"].check(swapped)
    assert verdict.passed is False
    assert verdict.text.startswith("Did not hold: with k 5, D(G(z)) ended at 0.478 and G 0.18 ")
    assert "with k 1, at 0.012 and 1.20;" in verdict.text
    assert verdict.text.endswith(
        "Expected k 5's D(G(z)) under 0.1, the others' over 0.3, and k 5's W1 over twice theirs."
    )


class _Copier:
    """A 'generator' that returns training digits: what memorisation looks like."""

    def sample(self, n, generator):
        return split_bundled()[0][:n].float()


def test_the_memorisation_check_catches_a_generator_that_copies_its_training_digits():
    numbers = neighbour_numbers(_Copier())
    assert numbers["nn_fake_min"] == 0.0 and numbers["nn_fake_median"] == 0.0
    assert numbers["nn_heldout_median"] > 3.0
    verdict = check_memorisation({"dcgan": ArmResult("dcgan", {}, {}, numbers)})
    assert verdict.passed is False
    assert verdict.text.startswith("Did not hold: G's digits lay a median 0.00 (closest 0.00) ")
    assert "Expected G's median at least 0.9 times the held-out median" in verdict.text
