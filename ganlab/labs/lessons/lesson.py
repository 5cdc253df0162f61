"""What a lesson is: one idea of GAN training as a run to predict, watch and check.

A ``Lesson`` is data: the idea in words, the page that shows it, its arms (each a config for
``make_config``, trained headless by run.py), a question with choices and the answer, what
to watch, and a ``check`` that reads the arms' measured numbers and says in words whether
the expected thing happened and why. This module holds the types only; the lessons
themselves are in catalogue_toy.py and catalogue_images.py, and nothing here trains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor

# The pages a lesson can open (pages/NAME.py); the playground also takes its settings.
PAGES = ("playground", "theory", "images", "latent", "augment")

# Keys of an arm that are not RunConfig fields: where the arm starts from.
START = "start"  # "pretrained:NAME": the shipped model, trained ``steps`` more (default 0)


@dataclass(frozen=True)
class Verdict:
    """Whether a lesson's check held, and why, in one or two sentences with numbers."""

    passed: bool
    text: str


@dataclass
class ArmResult:
    """What one arm measured: ``first`` before any G step (after ``prepare``), ``last`` at
    the end (the final snapshot's means and metrics, plus the lesson's own measurements),
    ``history`` one row per snapshot, and the run folder it was saved to."""

    name: str
    config: dict[str, Any]
    first: dict[str, float] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)
    folder: str = ""
    seconds: float = 0.0
    diverged: str = ""  # the trainer's message when the arm diverged (then nothing is checked)


def verdict(held: bool, measured: str, why: str, expected: str) -> Verdict:
    """The verdict in words: "Held: MEASURED. WHY" or "Did not hold: MEASURED. Expected
    EXPECTED." so that a failed check says what was measured and what should have been."""
    if held:
        return Verdict(True, f"Held: {measured}. {why}")
    return Verdict(False, f"Did not hold: {measured}. Expected {expected}.")


Results = dict[str, ArmResult]
# A lesson's own measurement of a trained arm (beyond the snapshot's metrics): plain floats.
Measure = Callable[[Any], dict[str, float]]


@dataclass(frozen=True)
class Lesson:
    """One idea, one definition. ``answer`` indexes ``choices``; ``why`` is revealed with
    it. ``prepare(trainer)`` runs before training (e.g. D trains alone for a while);
    ``measure(trainer)`` adds numbers at the start and the end of every arm. ``links``: a
    page other than the playground (which loads the arms themselves) opens with these
    settings, by label (its link's parameters: the theory page's k, steps and seed, ...)."""

    name: str
    title: str
    idea: str
    page: str
    arms: dict[str, dict[str, Any]]
    question: str
    choices: tuple[str, ...]
    answer: int
    why: str
    watch: str
    check: Callable[[Results], Verdict]
    measure: Measure | None = None
    prepare: Callable[[Any], None] | None = None
    links: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.page not in PAGES:
            raise ValueError(f"Lesson {self.name!r}: page {self.page!r} is not one of {PAGES}.")
        if not 0 <= self.answer < len(self.choices):
            raise ValueError(f"Lesson {self.name!r}: answer {self.answer} is not a choice.")


def scalars(values: dict[str, Any]) -> dict[str, float]:
    """The plain numbers of a dict (arrays, lists and text left out), as floats."""
    out = {}
    for key, value in values.items():
        if isinstance(value, Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = float(value)
    return out
