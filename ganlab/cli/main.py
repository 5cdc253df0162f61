"""The command line: ``python -m ganlab train | sample | bench | sweep | augment``.

Contract (DESIGN.md): bad input prints one sentence on stderr and exits 2; a run that
diverges keeps its last finite checkpoint, writes metrics.json with "status": "diverged"
and exits 3. Flags that are not given leave the config file's or the preset's value alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganlab.errors import ConfigError, GanlabError

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump
        self.exit(EXIT_BAD_INPUT, f"ganlab: {message} (see --help).\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ganlab", description="Train and study GANs from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="train one GAN headless and save it")
    t.add_argument("--data", help="gauss1d, ring8, grid25, spiral, moons, mnist or a .csv/.npy")
    t.add_argument("--variant", help="gan, nsgan, lsgan, wgan, wgan-gp, hinge, dcgan, ...")
    t.add_argument("--loss", help="override the variant's loss pair")
    t.add_argument("--steps", type=int, help="generator steps")
    t.add_argument("--seed", type=int)
    t.add_argument("--out", required=True, help="run folder to write")
    t.add_argument("--k", type=int, help="discriminator steps per generator step")
    t.add_argument("--lr-d", type=float)
    t.add_argument("--lr-g", type=float)
    t.add_argument("--lr-decay", type=float, help="multiply both lrs by this ...")
    t.add_argument("--lr-decay-every", type=int, help="... every this many steps")
    t.add_argument("--batch-size", type=int)
    t.add_argument("--optimizer", help="adam, sgd or rmsprop")
    t.add_argument("--beta1", type=float)
    t.add_argument("--beta2", type=float)
    t.add_argument("--noise", help="uniform, normal or stratified")
    t.add_argument("--noise-dim", type=int)
    t.add_argument("--hidden", type=int)
    t.add_argument("--depth", type=int, help="hidden layers (G's, and D's unless --d-depth)")
    t.add_argument("--d-depth", type=int, help="D's hidden layers (0: the same as --depth)")
    t.add_argument("--activation")
    t.add_argument("--g-batchnorm", action="store_true", default=None, help="batch norm in G")
    t.add_argument("--maxout", type=int, help="D's units: the max of this many linear pieces")
    t.add_argument(
        "--g-ema", type=float, help="sample and measure a moving average of G (decay, e.g. 0.999)"
    )
    t.add_argument("--lookahead", type=int, help="every this many steps pull both nets back")
    t.add_argument("--lookahead-alpha", type=float, help="... this share of the way (0.5)")
    t.add_argument("--minibatch-disc", action="store_true", default=None)
    t.add_argument("--pack", type=int, help="PacGAN: D judges this many samples at once")
    t.add_argument("--unrolled", type=int, help="unroll D this many steps for G's loss")
    t.add_argument(
        "--instance-noise", type=float, help="std of noise added to every sample D sees ..."
    )
    t.add_argument(
        "--instance-noise-steps", type=int, help="... falling to 0 over this many steps (0: kept)"
    )
    t.add_argument("--gp-weight", type=float)
    t.add_argument("--r1", type=float, help="R1 penalty weight gamma on real data")
    t.add_argument("--clip", type=float)
    t.add_argument("--info-lambda", type=float)
    t.add_argument("--mnist-dir", help="folder with the full MNIST train-* files")
    t.add_argument("--snapshot-every", type=int)
    t.add_argument("--device", help="auto, cpu, cuda or mps")
    t.add_argument("--config", help="a config.json; flags override it")

    s = sub.add_parser("sample", help="draw samples from a trained run")
    s.add_argument("run", help="a run folder written by train")
    s.add_argument("--n", type=int, default=10000)
    s.add_argument("--out", required=True, help="a .npy file to write")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--label", type=int, help="cgan: the digit to draw")
    s.add_argument("--code", action="append", default=[], help="infogan: cat=K or c1=V,c2=V")

    b = sub.add_parser("bench", help="project trainer vs a plain eager loop, side by side")
    b.add_argument("--json", action="store_true", help="print the results as JSON")
    b.add_argument("--device", default="auto")
    b.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    b.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    b.add_argument("--record", help="also write the JSON and a markdown table to this folder")

    from ganlab.cli.sweep import add_arguments as add_sweep_arguments

    add_sweep_arguments(sub.add_parser("sweep", help="train a grid of small GANs at once"))
    from ganlab.labs.augment.report import add_arguments as add_augment_arguments

    add_augment_arguments(sub.add_parser("augment", help="GAN samples as extra training data"))
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a flag argparse refused (already printed)
        return int(exit_.code or 0)
    try:
        if args.command == "train":
            return _train(args)
        if args.command == "sample":
            return _sample(args)
        if args.command == "sweep":
            from ganlab.cli.sweep import sweep_command

            return sweep_command(args)
        if args.command == "augment":
            from ganlab.labs.augment.report import augment_command

            return augment_command(args)
        from ganlab.benchmarks.cases import bench_command

        return bench_command(args)
    except GanlabError as err:
        print(f"ganlab: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # an --out that cannot be written, a full disk: still one sentence
        where = f" ({err.filename})" if err.filename else ""
        print(
            f"ganlab: cannot write or read a file: {err.strerror or err}{where}.", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("ganlab: interrupted.", file=sys.stderr)
        return 130


CONFIG_FLAGS = (
    "data variant loss steps seed k lr_d lr_g lr_decay lr_decay_every batch_size optimizer "
    "beta1 beta2 noise noise_dim hidden depth d_depth activation g_batchnorm maxout g_ema "
    "lookahead lookahead_alpha minibatch_disc pack unrolled instance_noise instance_noise_steps "
    "gp_weight r1 clip info_lambda mnist_dir snapshot_every device"
).split()


def config_from_args(args: argparse.Namespace) -> Any:
    """The run's config: the preset, then --config FILE, then the flags given."""
    from ganlab.config.run_config import make_config, parse_json

    base: dict[str, Any] = {}
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"Config file {args.config!r} does not exist.")
        try:
            text = path.read_text()
        except UnicodeDecodeError as err:
            raise ConfigError(f"Config file {args.config!r} is not valid JSON ({err}).")
        base = parse_json(text, f"Config file {args.config!r}")
        if not isinstance(base, dict):
            raise ConfigError(f"Config file {args.config!r} must hold a JSON object.")
    flags = {name: getattr(args, name) for name in CONFIG_FLAGS if getattr(args, name) is not None}
    values = {**base, **flags}
    variant = values.pop("variant", "nsgan")
    data = values.pop("data", None)
    return make_config(variant, data, **values)


def _train(args: argparse.Namespace) -> int:
    from ganlab.training.checkpoint import save_run
    from ganlab.training.trainer import Trainer

    cfg = config_from_args(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {args.out!r} exists and is not a folder.")
    out.mkdir(parents=True, exist_ok=True)  # an unwritable --out fails now, not after training
    trainer = Trainer(cfg)
    progress = _Progress(cfg.steps)
    history, snap = [], None
    start = time.perf_counter()
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
        **snap.metrics,
        "history": history,
    }
    if snap.status == "diverged":
        metrics["message"] = snap.message
    save_run(trainer, out, metrics)
    if snap.status == "diverged":
        print(f"ganlab: {snap.message}", file=sys.stderr)
        return EXIT_DIVERGED
    print(_summary(metrics, out), file=sys.stderr)
    return 0


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


def _sample(args: argparse.Namespace) -> int:
    from ganlab.training.checkpoint import load_trainer

    if not 1 <= args.n <= 1_000_000:
        raise ConfigError(f"--n is {args.n}; it must be between 1 and 1000000.")
    if not str(args.out).endswith(".npy"):
        raise ConfigError(f"--out {args.out!r} must be a .npy file.")
    conditions = parse_conditions(args.label, args.code)
    trainer = load_trainer(args.run)
    gen = torch.Generator(device=trainer.device).manual_seed(args.seed)
    x = trainer.game.sample(args.n, gen, **conditions)
    arr = x.detach().float().cpu().numpy().astype(np.float32)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, arr)
    print(
        f"ganlab: wrote {arr.shape[0]} samples of shape {arr.shape[1:]} to {args.out}",
        file=sys.stderr,
    )
    return 0


def parse_conditions(label: int | None, codes: list[str]) -> dict[str, Any]:
    """--label K and --code cat=K / --code c1=V,c2=V as keyword arguments for game.sample."""
    out: dict[str, Any] = {}
    if label is not None:
        out["label"] = label
    for text in codes:
        for part in text.split(","):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ConfigError(f"--code {text!r} must look like cat=3 or c1=0.5,c2=-1.")
            try:
                out[name] = int(value) if name == "cat" else float(value)
            except ValueError:
                raise ConfigError(f"--code {name}={value!r} is not a number.")
    return out
