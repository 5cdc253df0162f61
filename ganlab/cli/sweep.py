"""The command line's ``sweep``: flags in, a grid trained, results.csv and heatmap.html out.

``python -m ganlab sweep --k 1,2,5 --lr-d 1e-4,1e-3 --seeds 3 --out runs/sweep`` builds the
grid (labs/sweep.py), prints the plan and progress on stderr, and writes the results. A flag
left out takes the default grid's value (labs/sweep.py DEFAULT_GRID, the Sweep page's
start), so ``python -m ganlab sweep --out runs/sweep`` trains the grid the page ships.
``--backend ray`` trains on a local Ray, or with ``--ray-address HOST:PORT`` on a cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

from ganlab.device import resolve_device
from ganlab.errors import ConfigError
from ganlab.labs.ray_cluster import parse_address, require_ray, session
from ganlab.labs.sweep import (
    BACKENDS,
    DEFAULT_GRID,
    Grid,
    check_grid,
    parse_list,
    plan,
    rows_to_csv,
    run_ray,
    run_sweep,
)


def write_results(rows: list[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """out/results.csv (one row per run) and out/heatmap.html (self-contained)."""
    from ganlab.figures.sweep import phase_diagram

    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / "results.csv", out / "heatmap.html"
    csv_path.write_text(rows_to_csv(rows))
    phase_diagram(rows).write_html(html_path, include_plotlyjs=True, full_html=True)
    return csv_path, html_path


def _values(flag: str, text: str, kind: type) -> tuple[Any, ...]:
    """A list flag's values (its default is the default grid's, so it is never absent)."""
    return tuple(parse_list(flag, text, kind) or ())


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``sweep`` subcommand's flags (main.py builds the parser)."""
    g = DEFAULT_GRID
    grid = " (default: %(default)s)"

    def listed(values: tuple[float, ...]) -> str:
        return ",".join(f"{v:g}" for v in values)

    p.add_argument("--data", default=g.data, help="a toy data set or a .csv/.npy file" + grid)
    p.add_argument(
        "--variant", default=g.variant, help="gan, nsgan, lsgan, wgan, wgan-gp, hinge" + grid
    )
    p.add_argument("--k", default=listed(g.k), help="D steps per G step, comma-separated" + grid)
    p.add_argument("--lr-d", default=listed(g.lr_d), help="comma-separated" + grid)
    p.add_argument("--lr-g", default=listed(g.lr_g), help="comma-separated" + grid)
    p.add_argument("--batch-size", default=listed(g.batch_size), help="comma-separated" + grid)
    p.add_argument("--seeds", type=int, default=g.seeds, help="seeds per setting" + grid)
    p.add_argument("--steps", type=int, default=g.steps, help="generator steps per run" + grid)
    p.add_argument("--hidden", type=int, default=g.hidden, help="hidden units" + grid)
    p.add_argument("--depth", type=int)
    p.add_argument("--optimizer", help="adam, sgd or rmsprop")
    p.add_argument("--out", required=True, help="folder for results.csv and heatmap.html")
    p.add_argument("--backend", default="batched", help="batched, sequential or ray")
    p.add_argument(
        "--ray-address",
        help="ray backend: join the cluster whose head is at host:port (default: a local Ray)",
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")


def sweep_command(args: argparse.Namespace) -> int:
    """Run the sweep the flags describe; ConfigError propagates (the CLI exits 2)."""
    if args.backend not in BACKENDS:
        raise ConfigError(f"--backend is {args.backend!r}; choose one of: {', '.join(BACKENDS)}.")
    if args.ray_address is not None and args.backend != "ray":
        raise ConfigError("--ray-address needs --backend ray.")
    if args.backend == "ray":
        require_ray()  # before the grid's checks: say how to install it
        if args.ray_address is not None:
            parse_address(args.ray_address)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {args.out!r} exists and is not a folder.")
    grid = Grid(
        args.data,
        args.variant,
        k=_values("k", args.k, int),
        lr_d=_values("lr-d", args.lr_d, float),
        lr_g=_values("lr-g", args.lr_g, float),
        batch_size=_values("batch-size", args.batch_size, int),
        seeds=args.seeds,
        steps=args.steps,
        hidden=args.hidden,
    )
    cfgs = grid.configs(depth=args.depth, optimizer=args.optimizer, device=args.device)
    resolve_device(args.device)
    check_grid(cfgs, args.backend)
    # Ray starts (or the cluster is joined and checked) before anything is printed, so a
    # bad --ray-address is one line; run_ray then uses this session.
    ray = session(args.ray_address) if args.backend == "ray" else contextlib.nullcontext()
    with ray:
        rows = _train(cfgs, args)
    csv_path, html_path = write_results(rows, out)
    print(f"ganlab: wrote {csv_path} and {html_path}", file=sys.stderr)
    return 0


def _train(cfgs: list[Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Train the grid on the chosen backend, with the plan and progress on stderr."""
    shape = plan(cfgs) if args.backend == "batched" else f"{len(cfgs)} runs"
    print(f"ganlab: {shape}", file=sys.stderr)
    start = time.perf_counter()
    last = [-1]

    def progress(f: float) -> None:
        if int(f * 10) > last[0]:
            last[0] = int(f * 10)
            print(f"  {100 * f:3.0f}% after {time.perf_counter() - start:.1f} s", file=sys.stderr)

    if args.backend == "ray":
        rows, nodes = run_ray(cfgs, args.device, args.ray_address, progress)
        where = f" on {len(set(nodes))} Ray node(s) ({len(nodes)} group(s))"
    else:
        rows, where = run_sweep(cfgs, args.backend, args.device, progress), ""
    print(
        f"ganlab: {len(rows)} runs in {time.perf_counter() - start:.1f} s{where}", file=sys.stderr
    )
    return rows
