"""``python -m ganlab train``: one GAN trained headless, saved as a run folder.

The config flags are read off the settings table (config/fields.py): one flag per setting,
named for it (``lr_d``: ``--lr-d``), typed as it is, with its help text; booleans are
switches. A flag that is not given leaves the config file's or the preset's value alone.
Validation is RunConfig's: this module only collects values. A diverged run is saved (its
last finite weights) and reported by raising ``Diverged``; main.py turns that into exit 3.

``--resume RUN`` continues a saved run (a run folder or ``pretrained:NAME``) with its weights,
optimizers and step: its own config is the base the flags change (say a lower ``--lr-g``), and
``--steps`` is the step to stop at, so it must lie beyond the run's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ganlab.config.fields import ROWS, Field
from ganlab.config.run_config import RunConfig, make_config, parse_json
from ganlab.errors import ConfigError

MAX_THREADS = 256


class Diverged(Exception):
    """The run diverged; it was saved. ``str(err)`` is the run's own message."""


def add_arguments(p: argparse.ArgumentParser, rows: tuple[Field, ...] = ROWS) -> None:
    """``--out``, one flag per settings row, and ``--config``."""
    p.add_argument("--out", required=True, help="run folder to write")
    for row in rows:
        if row.type is bool:  # default None: "not given", so the preset's value stands
            p.add_argument(row.flag, action="store_true", default=None, help=row.cli_help)
        else:
            kind = None if row.type is str else row.type
            p.add_argument(row.flag, type=kind, help=row.cli_help)
    p.add_argument("--config", help="a config.json; flags override it")
    p.add_argument(
        "--resume",
        metavar="RUN",
        help="continue a saved run (a run folder or pretrained:NAME) from its step to --steps; "
        "its config is the base that --config and the flags change",
    )
    p.add_argument(
        "--threads",
        type=int,
        help="torch's intra-op threads for this run (default: 1 for toy nets on a CPU, all "
        "cores otherwise); give 1 to each of several runs trained at once",
    )


def config_from_args(
    args: argparse.Namespace, rows: tuple[Field, ...] = ROWS, start: dict[str, Any] | None = None
) -> RunConfig:
    """The run's config: the preset (or ``start``, a resumed run's config), then --config
    FILE, then the flags given."""
    base: dict[str, Any] = dict(start or {})
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"Config file {args.config!r} does not exist.")
        try:
            text = path.read_text()
        except UnicodeDecodeError as err:
            raise ConfigError(f"Config file {args.config!r} is not valid JSON ({err}).")
        loaded = parse_json(text, f"Config file {args.config!r}")
        if not isinstance(loaded, dict):
            raise ConfigError(f"Config file {args.config!r} must hold a JSON object.")
        base.update(loaded)
    given = {row.name: getattr(args, row.name) for row in rows}
    values = {**base, **{name: value for name, value in given.items() if value is not None}}
    variant = values.pop("variant", "nsgan")
    data = values.pop("data", None)
    return make_config(variant, data, **values)


def train_command(args: argparse.Namespace) -> int:
    """Train the configured run to its last step, then write the run folder."""
    import torch

    from ganlab.device import torch_threads
    from ganlab.training.checkpoint import save_run

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {args.out!r} exists and is not a folder.")
    out.mkdir(parents=True, exist_ok=True)  # an unwritable --out fails now, not after training
    if args.threads is not None and not 1 <= args.threads <= MAX_THREADS:
        raise ConfigError(
            f"--threads is {args.threads}; it must be at least 1 and at most {MAX_THREADS}."
        )
    trainer, resumed = _trainer(args)
    cfg = trainer.cfg
    progress = _Progress(cfg.steps)
    history, snap = [], None
    start = time.perf_counter()
    # A toy trainer on a CPU steps on its own one thread whatever the flag says.
    threads = trainer.threads or args.threads or torch.get_num_threads()
    with torch_threads(args.threads or 0):
        for snap in trainer.run():
            history.append(_history_row(snap))
            progress.update(snap)
    progress.close()
    assert snap is not None
    metrics = {
        "status": snap.status,
        "steps": trainer.step,
        "seconds": round(time.perf_counter() - start, 3),
        "train_seconds": round(trainer.seconds, 3),
        "steps_per_s": round(trainer.step / max(trainer.seconds, 1e-9), 1),
        "device": snap.device,
        "threads": threads,
        **resumed,
        **snap.metrics,
        "history": history,
    }
    if snap.status == "diverged":
        metrics["message"] = snap.message
    save_run(trainer, out, metrics)
    if snap.status == "diverged":
        raise Diverged(snap.message)
    print(_summary(metrics, out), file=sys.stderr)
    return 0


def _trainer(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """A new trainer for the config the flags give, or (--resume) the saved run's trainer with
    the flags' changes; the second item notes where a resumed run came from."""
    from ganlab.device import resolve_device
    from ganlab.training.checkpoint import load_trainer, read_checkpoint
    from ganlab.training.trainer import Trainer

    if not args.resume:
        return Trainer(config_from_args(args)), {}
    state = read_checkpoint(args.resume)
    saved_step = int(state["step"])
    if args.steps is None or args.steps <= saved_step:
        given = "not given" if args.steps is None else f"{args.steps}"
        raise ConfigError(
            f"--steps is {given}; the run in {args.resume!r} is at step {saved_step}, so a "
            f"resumed run needs --steps of at least {saved_step + 1} (the step to stop at)."
        )
    cfg = config_from_args(args, start=state["config"])
    state["config"] = cfg.to_dict()
    trainer = load_trainer(state, resolve_device(cfg.device), label=args.resume)
    return trainer, {"resumed_from": {"run": args.resume, "step": saved_step}}


def _history_row(snap: Any) -> dict[str, float]:
    row = {
        "step": snap.step,
        "loss_d": snap.loss_d,
        "loss_g": snap.loss_g,
        "d_real": snap.d_real,
        "d_fake": snap.d_fake,
    }
    row.update(snap.metrics)
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()}


def _summary(m: dict[str, Any], out: Path) -> str:
    parts = [f"{m['steps']} steps in {m['train_seconds']:.1f} s ({m['steps_per_s']:.0f}/s)"]
    if "modes_total" in m:
        parts.append(f"modes {m['modes_covered']:.0f}/{m['modes_total']:.0f}")
        parts.append(f"high quality {100 * m['high_quality_frac']:.1f}%")
    if "js_grid" in m:
        parts.append(f"JS {m['js_grid']:.3f}")
    if "w1" in m:
        parts.append(f"W1 {m['w1']:.3f}")
    return f"ganlab: {', '.join(parts)}; wrote {out}/"


class _Progress:
    """A one-line progress bar on stderr (redrawn in a terminal, ten lines otherwise)."""

    def __init__(self, total: int) -> None:
        self.total, self.tty, self.printed = total, sys.stderr.isatty(), 0

    def update(self, snap: Any) -> None:
        done = snap.step / self.total
        bar = "#" * int(24 * done)
        line = (
            f"[{bar:<24}] {snap.step}/{self.total} {snap.steps_per_s:7.0f} steps/s  "
            f"loss D {snap.loss_d:.3f} G {snap.loss_g:.3f}"
        )
        if self.tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif done >= self.printed / 10:
            self.printed = int(done * 10) + 1
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)
