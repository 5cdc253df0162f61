"""Sweeps: every combination of k, learning rates, batch sizes and seeds, trained at once.

``make_grid`` turns lists of values into validated configs (one sentence for a bad grid);
``run_sweep`` trains them: ``batched`` (default) groups runs of one shape and trains each
group as one batched model (training/batched.py); ``sequential`` runs ``Trainer`` one after
another (the reference, and the way for settings the batched trainer lacks); ``ray`` fans
the batched groups out as Ray tasks on a local Ray or a cluster (``run_ray``; starting and
joining Ray is labs/ray_cluster.py). Every backend returns the same rows, which
``cli/sweep.py`` saves as results.csv beside a heat map (heatmap.html).

``DEFAULT_GRID`` is the one home of the grid that the page and the CLI start from, and
``sweep-default.json`` under ganlab/assets is its measured result (written by
scripts/ship_results.py), which the page shows before anyone trains.
This module draws nothing itself: figures are in figures/sweep.py.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from ganlab import ASSETS
from ganlab.config.links import config_to_params
from ganlab.config.run_config import RunConfig, make_config
from ganlab.device import resolve_device
from ganlab.errors import ConfigError
from ganlab.labs import ray_cluster
from ganlab.training.batched import (
    BatchedTrainer,
    batchable,
    check_batchable,
    group_key,
    unbatchable_fields,
)

MAX_RUNS = 512
BACKENDS = ("batched", "sequential", "ray")
STEP_CHUNK = 50  # progress is reported every this many steps of a group
RAY_GROUP = 64  # runs per Ray task: smaller groups spread a grid over more nodes
METRICS = ("modes_covered", "modes_total", "high_quality_frac", "js_grid", "kl_grid", "kl_rev")
# results.csv: settings, status (ok / diverged), final metrics, seconds (a batched run's share
# of its group's training time) and the playground link of the run's setup.
COLUMNS = (
    "run group data variant loss k lr_d lr_g batch_size seed steps status".split()
    + list(METRICS)
    + ["w1", "seconds", "link"]
)
Progress = Callable[[float], None]
SHIPPED = ASSETS / "sweep-default.json"


def parse_list(flag: str, text: str | None, kind: type) -> list[Any] | None:
    """``"1,2,5"`` -> [1, 2, 5]; None when the flag was not given."""
    if text is None:
        return None
    values = []
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            continue
        try:
            values.append(kind(part))
        except ValueError:
            word = "whole number" if kind is int else "number"
            raise ConfigError(f"--{flag} has {part!r}, which is not a {word}.")
    if not values:
        raise ConfigError(f"--{flag} is empty; give at least one value, e.g. --{flag} 1,2,5.")
    return values


def make_grid(
    data: str = "ring8",
    variant: str = "nsgan",
    k: Sequence[int] | None = None,
    lr_d: Sequence[float] | None = None,
    lr_g: Sequence[float] | None = None,
    batch_size: Sequence[int] | None = None,
    seeds: int = 1,
    **fixed: Any,
) -> list[RunConfig]:
    """Every combination, validated. A list left as None takes the preset's one value; an
    empty list, more than MAX_RUNS runs or a bad value raises ConfigError."""
    base = make_config(variant, data, **fixed)
    axes = {"k": k, "lr_d": lr_d, "lr_g": lr_g, "batch_size": batch_size}
    lists: dict[str, list[Any]] = {}
    for name, values in axes.items():
        if values is not None and len(values) == 0:
            raise ConfigError(f"The {name} list is empty; give at least one value.")
        lists[name] = list(dict.fromkeys(values)) if values is not None else [getattr(base, name)]
    if not isinstance(seeds, int) or isinstance(seeds, bool) or seeds < 1:
        raise ConfigError(f"seeds is {seeds!r}; it must be a whole number of at least 1.")
    total = seeds * len(list(itertools.product(*lists.values())))
    if total > MAX_RUNS:
        raise ConfigError(
            f"The grid has {total} runs, more than the cap of {MAX_RUNS}; "
            "drop some values or seeds."
        )
    return [
        base.replace(seed=base.seed + s, **dict(zip(lists, combo)))
        for combo in itertools.product(*lists.values())
        for s in range(seeds)
    ]


@dataclass(frozen=True)
class Grid:
    """What a sweep trains: data and variant, the lists it crosses, seeds per cell and the
    settings every run shares. ``configs()`` validates it (ConfigError, one sentence)."""

    data: str
    variant: str
    k: tuple[int, ...]
    lr_d: tuple[float, ...]
    lr_g: tuple[float, ...]
    batch_size: tuple[int, ...]
    seeds: int
    steps: int
    hidden: int

    def configs(self, **fixed: Any) -> list[RunConfig]:
        """Every run of the grid (make_grid); ``fixed`` adds settings such as the device."""
        lists = {"k": self.k, "lr_d": self.lr_d, "lr_g": self.lr_g, "batch_size": self.batch_size}
        return make_grid(
            self.data, self.variant, seeds=self.seeds, steps=self.steps, hidden=self.hidden,
            **lists, **fixed,
        )  # fmt: skip

    def command(self, out: str = "runs/sweep") -> str:
        """The ``python -m ganlab sweep`` line that trains this grid."""

        def join(values: Sequence[float]) -> str:
            return ",".join(f"{v:g}" for v in values)

        return (
            f"python -m ganlab sweep --data {self.data} --variant {self.variant} "
            f"--k {join(self.k)} --lr-d {join(self.lr_d)} --lr-g {join(self.lr_g)} "
            f"--batch-size {join(self.batch_size)} --seeds {self.seeds} --steps {self.steps} "
            f"--hidden {self.hidden} --out {out}"
        )

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Grid:
        """The grid written by ``asdict`` into a JSON file (lists back to tuples)."""
        return cls(**{name: tuple(v) if isinstance(v, list) else v for name, v in d.items()})


# The grid the page and the CLI start from, chosen so that its diagram has a region that
# works and regions that fail for different reasons (bench/SWEEP.md, 2026-12-04, where the
# grids tried are listed): ring8's preset (pack 2, lrs x0.9 every 250 steps), k=1, both
# rates at 3e-4, 3e-3 and 3e-2, two seeds, 2,500 steps. Both at 3e-3 finds all 8 modes on
# both seeds; 3e-4 learns too slowly (at most 2); G at 10x D's rate or more ends on 1-3.
# Width 64 and batch 128 keep the 18 runs near 25 s of one CPU core.
DEFAULT_GRID = Grid(
    data="ring8",
    variant="nsgan",
    k=(1,),
    lr_d=(3e-4, 3e-3, 3e-2),
    lr_g=(3e-4, 3e-3, 3e-2),
    batch_size=(128,),
    seeds=2,
    steps=2500,
    hidden=64,
)
# What the default grid's diagram teaches (columns: D's rate; rows: G's, 3e-4 at the
# bottom), under its measured numbers; tests/test_sweep.py holds it to the shipped result.
DEFAULT_LESSON = (
    "Why: a rate of 3e-4 moves a net too little in 2,500 steps (the rates also decay x0.9 "
    "every 250) to learn the ring, so the bottom row and the left column fail. Above the "
    "diagonal G's rate is ten or a hundred times D's: G moves its points faster than D can "
    "redraw where the data is, so G hops between modes and ends on a few. In the right column "
    "D's steps of 3e-2 are too large to settle, and G finds only some of the modes. Both at "
    "3e-3, the ring8 preset's rate, is the balance where all eight are found."
)


def load_shipped() -> dict[str, Any]:
    """The default grid's measured result shipped with ganlab: when, how and its rows."""
    return json.loads(SHIPPED.read_text())


def shipped_json(
    grid: Grid, rows: list[dict[str, Any]], seconds: float, machine: str, measured_on: str
) -> dict[str, Any]:
    """What scripts/ship_results.py writes to SHIPPED: provenance, the grid, and the rows
    with metrics rounded to 4 significant digits (a small file, the same diagram)."""

    def rounded(row: dict[str, Any]) -> dict[str, Any]:
        metrics = {n: float(f"{row[n]:.4g}") for n in (*METRICS, "w1")}
        return {**row, **metrics}

    return {
        "about": "The default sweep grid's result, written by scripts/ship_results.py "
        "(not by hand); the Sweep page shows it until a user runs their own.",
        "measured_on": measured_on,
        "command": grid.command(),
        "seconds": round(seconds, 1),
        "machine": machine,
        "grid": asdict(grid),
        "rows": [rounded(r) for r in rows],
    }


def check_grid(cfgs: list[RunConfig], backend: str = "batched") -> None:
    """Raise ConfigError, one sentence, if the backend cannot train these configs."""
    if backend not in BACKENDS:
        raise ConfigError(f"backend is {backend!r}; choose one of: {', '.join(BACKENDS)}.")
    if not cfgs:
        raise ConfigError("The grid is empty; give at least one value for every list.")
    for cfg in cfgs:
        if cfg.kind != "toy":
            raise ConfigError(f"Sweeps train toy variants only; {cfg.variant!r} is an image GAN.")
        if backend == "ray":  # the batched backend trains what it cannot batch one by one
            check_batchable(cfg)


def groups(cfgs: list[RunConfig], size: int = MAX_RUNS) -> list[list[int]]:
    """Indices of runs that can train together, at most ``size`` per group."""
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for i, cfg in enumerate(cfgs):
        by_key.setdefault(group_key(cfg), []).append(i)
    return [ix[i : i + size] for ix in by_key.values() for i in range(0, len(ix), size)]


def plan(cfgs: list[RunConfig]) -> str:
    """How the batched backend will train the grid, in words."""
    parts = groups(cfgs)
    alone = [ix for ix in parts if not batchable(cfgs[ix[0]])]
    if not alone:
        return f"{len(cfgs)} runs in {len(parts)} batched group(s)"
    fields = {name: None for ix in alone for name in unbatchable_fields(cfgs[ix[0]])}
    return (
        f"{len(cfgs)} runs, {sum(map(len, alone))} of them one by one (the batched trainer "
        f"cannot batch {', '.join(fields)})"
    )


def _row(i: int, group: int, cfg: RunConfig, metrics: dict[str, float], seconds: float) -> dict:
    row: dict[str, Any] = {"run": i, "group": group, "status": "ok" if metrics else "diverged"}
    for name in ("data", "variant", "loss", "k", "lr_d", "lr_g", "batch_size", "seed", "steps"):
        row[name] = getattr(cfg, name)
    for name in (*METRICS, "w1"):
        row[name] = metrics.get(name, float("nan"))
    row["seconds"] = round(seconds, 4)
    row["link"] = "./?" + urlencode(config_to_params(cfg))
    return row


def train_group(
    cfgs: list[RunConfig], device: str = "auto", progress: Progress | None = None
) -> list[tuple[dict[str, float], float]]:
    """Train one group as a batched model; per run (metrics, seconds per run)."""
    trainer = BatchedTrainer(cfgs, resolve_device(device))
    start, steps = time.perf_counter(), cfgs[0].steps
    while trainer.step < steps:
        trainer.train_steps(min(STEP_CHUNK, steps - trainer.step))
        if progress:
            progress(trainer.step / steps)
    share = (time.perf_counter() - start) / len(cfgs)
    return [(m, share) for m in trainer.metrics()]


def train_one(cfg: RunConfig, device: str = "auto") -> tuple[dict[str, float], float]:
    """The sequential reference: one Trainer, its final metrics and its seconds."""
    from ganlab.training.trainer import Trainer

    trainer = Trainer(cfg, resolve_device(device))
    start = time.perf_counter()
    trainer.train_steps(cfg.steps)
    seconds = time.perf_counter() - start
    snap = trainer.snapshot()
    return (snap.metrics if snap.status == "ok" else {}), seconds


def run_sweep(
    cfgs: list[RunConfig],
    backend: str = "batched",
    device: str = "auto",
    progress: Progress | None = None,
    ray_address: str | None = None,
) -> list[dict[str, Any]]:
    """Train every config; one row per run, in the order given. ``progress`` gets the
    fraction of generator steps done, from 0 to 1. ``ray_address`` (host:port of a Ray
    head) makes the ray backend join that cluster instead of starting a local Ray."""
    check_grid(cfgs, backend)
    if backend == "ray":
        return run_ray(cfgs, device, ray_address, progress)[0]
    total = sum(c.steps for c in cfgs)
    done = 0.0
    rows: list[dict[str, Any] | None] = [None] * len(cfgs)
    if backend == "sequential":
        for i, cfg in enumerate(cfgs):
            metrics, seconds = train_one(cfg, device)
            rows[i] = _row(i, i, cfg, metrics, seconds)
            done += cfg.steps
            if progress:
                progress(done / total)
        return rows  # type: ignore[return-value]
    for g, ix in enumerate(groups(cfgs)):
        weight = sum(cfgs[i].steps for i in ix) / total

        def tick(f: float, base: float = done, w: float = weight) -> None:
            if progress:
                progress(base + f * w)

        if batchable(cfgs[ix[0]]):  # a group shares every field the check looks at
            results = train_group([cfgs[i] for i in ix], device, tick)
        else:  # e.g. grid25's preset: batch norm in G; these train one by one
            results = [train_one(cfgs[i], device) for i in ix]
        for i, (metrics, seconds) in zip(ix, results):
            rows[i] = _row(i, g, cfgs[i], metrics, seconds)
        done += weight
    return rows  # type: ignore[return-value]


def run_ray(
    cfgs: list[RunConfig],
    device: str = "auto",
    address: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The ray backend: each group (at most RAY_GROUP runs) is one Ray task on a local Ray
    or, given ``address``, on that cluster. Returns the rows and, per group, the id of the
    Ray node that trained it."""
    check_grid(cfgs, "ray")
    parts = groups(cfgs, size=RAY_GROUP)
    rows: list[dict[str, Any] | None] = [None] * len(cfgs)
    nodes = [""] * len(parts)
    with ray_cluster.session(address) as ray:
        tasks = [([cfgs[i] for i in ix], device) for ix in parts]
        for done, (g, node, results) in enumerate(
            ray_cluster.run_on_nodes(ray, train_group, tasks), 1
        ):
            nodes[g] = node
            for i, (metrics, seconds) in zip(parts[g], results):
                rows[i] = _row(i, g, cfgs[i], metrics, seconds)
            if progress:
                progress(done / len(parts))
    return rows, nodes  # type: ignore[return-value]


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV text with a header line: one line per run."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
