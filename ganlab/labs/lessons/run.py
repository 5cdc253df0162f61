"""Run a lesson headless: train every arm with the real Trainer, save it, check the numbers.

Each arm becomes a run folder (checkpoint.pt, config.json, metrics.json), so everything
that reads a trained run (``ganlab sample``, the latent page) reads a lesson's arms too.
OUT/lesson.json keeps the verdict and every arm's measured numbers. An arm that starts from
a shipped model (``start: pretrained:NAME``) loads it and trains ``steps`` more (0: none).
This module draws nothing and knows no page.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from ganlab.config.run_config import RunConfig, make_config
from ganlab.device import run_threads, torch_threads
from ganlab.errors import ConfigError
from ganlab.labs.lessons.catalogue import LESSONS
from ganlab.labs.lessons.lesson import START, ArmResult, Lesson, Results, Verdict, scalars
from ganlab.training.checkpoint import load_trainer, save_run
from ganlab.training.snapshot import Snapshot
from ganlab.training.trainer import Trainer

Progress = Callable[[float, str], None]
SNAPSHOT_FIELDS = ("step", "loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name``, or one sentence listing the names."""
    if name not in LESSONS:
        raise ConfigError(f"Unknown lesson {name!r}; the lessons are: {', '.join(LESSONS)}.")
    return LESSONS[name]


def make_trainer(arm: dict[str, Any]) -> tuple[Trainer, int]:
    """The arm's trainer and the step it trains to."""
    values = dict(arm)
    start = values.pop(START, "")
    if start:
        trainer = load_trainer(start, torch.device("cpu"))
        return trainer, trainer.step + int(values.get("steps", 0))
    cfg = arm_config(values)
    return Trainer(cfg), cfg.steps


def _row(snap: Snapshot) -> dict[str, float]:
    """A snapshot's numbers; NaN means (a snapshot with no steps behind it) are left out."""
    row = {**{k: float(getattr(snap, k)) for k in SNAPSHOT_FIELDS}, **scalars(snap.metrics)}
    return {k: v for k, v in row.items() if math.isfinite(v)}


def run_arm(lesson: Lesson, name: str, folder: Path, progress: Progress) -> ArmResult:
    """Train one arm to its last step, measure it at both ends and save it to ``folder``."""
    start = time.perf_counter()
    trainer, total = make_trainer(lesson.arms[name])
    result = ArmResult(name, trainer.cfg.to_dict())
    with torch_threads(run_threads(trainer.device)):  # the project's one thread policy
        if lesson.prepare is not None:
            lesson.prepare(trainer)
        if lesson.measure is not None:
            result.first = lesson.measure(trainer)
        begun = trainer.step
        snap = None
        for snap in trainer.run(total):
            result.history.append(_row(snap))
            progress((snap.step - begun) / max(total - begun, 1), f"{name}: step {snap.step}")
        if snap is None:  # nothing to train: measure the model as it is
            snap = trainer.snapshot()
            result.history.append(_row(snap))
        result.last = dict(result.history[-1])
        if lesson.measure is not None:  # a shipped model trained no further: measured once
            trained = trainer.step > begun
            result.last.update(lesson.measure(trainer) if trained else result.first)
    result.seconds = time.perf_counter() - start
    result.diverged = snap.message if snap.status == "diverged" else ""
    metrics = {"status": snap.status, "steps": trainer.step, **result.last}
    result.folder = str(save_run(trainer, folder, metrics).parent)
    return result


def run_lesson(name: str, out_dir: str | Path, progress: Progress | None = None) -> dict[str, Any]:
    """Train every arm of lesson ``name`` into OUT/ARM, check the numbers, write
    OUT/lesson.json. Returns {"name", "passed", "verdict", "arms": {arm: folder},
    "seconds"}; ``progress(fraction, what)`` follows the arms."""
    lesson = get_lesson(name)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {str(out)!r} exists and is not a folder.")
    start, results = time.perf_counter(), {}
    arms = list(lesson.arms)
    for i, arm in enumerate(arms):

        def arm_progress(fraction: float, what: str, i: int = i) -> None:
            if progress is not None:
                progress((i + min(fraction, 1.0)) / len(arms), what)

        results[arm] = run_arm(lesson, arm, out / _folder_name(arm), arm_progress)
    diverged = [f"{arm} diverged ({r.diverged})" for arm, r in results.items() if r.diverged]
    verdict = Verdict(False, f"Did not hold: {diverged[0]}") if diverged else lesson.check(results)
    report = {
        "name": lesson.name,
        "passed": verdict.passed,
        "verdict": verdict.text,
        "arms": {arm: r.folder for arm, r in results.items()},
        "seconds": round(time.perf_counter() - start, 1),
    }
    (out / "lesson.json").write_text(json.dumps({**report, **measured(results)}, indent=2) + "\n")
    return report


def measured(results: Results) -> dict[str, Any]:
    """Every arm's numbers at the start and the end, for lesson.json and the page."""
    return {
        "measured": {
            arm: {"first": r.first, "last": r.last, "seconds": round(r.seconds, 1)}
            for arm, r in results.items()
        }
    }


def _folder_name(arm: str) -> str:
    """An arm's name as a folder name ("pack 2" -> "pack-2")."""
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in arm)


def setup_params(arm: dict[str, Any]) -> dict[str, str] | None:
    """URL parameters that open the playground with a toy arm's settings (links.py);
    None for an arm on digits or from a shipped model, which the playground cannot load."""
    from ganlab.config.links import config_to_params

    if START in arm:
        return None
    cfg = arm_config(arm)
    return config_to_params(cfg) if cfg.kind == "toy" else None


def arm_config(arm: dict[str, Any]) -> RunConfig:
    """The config of an arm that trains from scratch (not from a shipped model)."""
    values = dict(arm)
    if values.pop(START, ""):
        raise ConfigError("This arm starts from a shipped model; its config is the model's.")
    return make_config(values.pop("variant", "nsgan"), values.pop("data", None), **values)
