"""The command line: ``python -m ganlab train | sample | bench | sweep | augment | lesson``.

This module holds the parser, the exit codes and the dispatch; each subcommand is a module
beside it with ``add_arguments(parser)`` and a command function. Contract: bad input prints
one sentence on stderr and exits 2 (a subcommand raises ``GanlabError``; argparse's own
complaints are shortened to one line); a run that diverges keeps its last finite checkpoint,
writes metrics.json with "status": "diverged" and exits 3.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ganlab.cli import augment, bench, lesson, sample, sweep, train
from ganlab.errors import GanlabError

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it

Command = Callable[[argparse.Namespace], int]
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Command]] = {
    "train": ("train one GAN headless and save it", train.add_arguments, train.train_command),
    "sample": ("draw samples from a trained run", sample.add_arguments, sample.sample_command),
    "bench": (
        "project trainer vs a plain eager loop, side by side",
        bench.add_arguments,
        bench.bench_command,
    ),
    "sweep": ("train a grid of small GANs at once", sweep.add_arguments, sweep.sweep_command),
    "augment": (
        "GAN samples as extra training data",
        augment.add_arguments,
        augment.augment_command,
    ),
    "lesson": (
        "list the lessons, or run one and check it",
        lesson.add_arguments,
        lesson.lesson_command,
    ),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump
        self.exit(EXIT_BAD_INPUT, f"ganlab: {message} (see --help).\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ganlab", description="Train and study GANs from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (help_text, add_arguments, _) in SUBCOMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a flag argparse refused (already printed)
        return int(exit_.code or 0)
    try:
        return SUBCOMMANDS[args.command][2](args)
    except GanlabError as err:
        print(f"ganlab: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except train.Diverged as err:  # the run is saved; its message says where it blew up
        print(f"ganlab: {err}", file=sys.stderr)
        return EXIT_DIVERGED
    except OSError as err:  # an --out that cannot be written, a full disk: still one sentence
        where = f" ({err.filename})" if err.filename else ""
        print(
            f"ganlab: cannot write or read a file: {err.strerror or err}{where}.", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("ganlab: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
