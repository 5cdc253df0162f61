"""The command line's ``lesson``: list the lessons, or run one headless and check it.

``python -m ganlab lesson list [--json]`` prints every lesson's name and title (--json: an
array of {"name", "title"}). ``python -m ganlab lesson run NAME --out DIR [--json]`` trains
each arm into DIR/ARM (a run folder ``ganlab sample`` reads), writes DIR/lesson.json and
prints the verdict (--json: {"name", "passed", "verdict", "arms": {arm: folder}}). Exit 0
when the check holds, 1 when it does not; an unknown name is one sentence and exit 2
(raised as ConfigError, which the CLI's main turns into that).
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_CHECK_FAILED = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``lesson`` subcommand's own subcommands and flags (cli/main.py builds the parser)."""
    sub = p.add_subparsers(
        dest="lesson_command", metavar="{list,run}", required=True, parser_class=type(p)
    )
    ls = sub.add_parser("list", help="every lesson's name and title")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    run = sub.add_parser("run", help="train a lesson's arms headless and check the result")
    run.add_argument("name", help="a lesson's name (see 'lesson list')")
    run.add_argument("--out", required=True, help="folder for the arms' run folders")
    run.add_argument("--json", action="store_true", help="print the result as JSON")


def lesson_command(args: argparse.Namespace) -> int:
    """List or run; returns the exit code."""
    from ganlab.labs.lessons.catalogue import LESSONS

    if args.lesson_command == "list":
        rows = [{"name": lesson.name, "title": lesson.title} for lesson in LESSONS.values()]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            width = max(len(row["name"]) for row in rows)
            for row in rows:
                print(f"{row['name']:<{width}}  {row['title']}")
        return 0
    from ganlab.labs.lessons.run import get_lesson, run_lesson

    get_lesson(args.name)  # an unknown name fails before anything is written

    shown = [-1]

    def progress(fraction: float, what: str) -> None:
        if int(10 * fraction) > shown[0]:  # about ten lines per lesson
            shown[0] = int(10 * fraction)
            print(f"  {100 * fraction:3.0f}%  {what}", file=sys.stderr, flush=True)

    result = run_lesson(args.name, args.out, progress)
    report = {key: result[key] for key in ("name", "passed", "verdict", "arms")}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(result["verdict"])
        for arm, folder in result["arms"].items():
            print(f"  {arm}: {folder}")
    return 0 if result["passed"] else EXIT_CHECK_FAILED
