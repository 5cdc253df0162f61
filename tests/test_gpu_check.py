"""scripts/gpu_check.sh on a machine without CUDA (CUDA_VISIBLE_DEVICES hides any GPU).

The script's GPU path needs a GPU; here it must say so in one line, run its CPU-safe part
and exit 0 without writing a results file. ``--device cpu`` walks the whole pipeline
(tests, bench, soak, results file) on the CPU with a tiny budget, which checks the file it
writes.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gpu_check.sh"


def _run(*flags: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run(
        ["bash", str(SCRIPT), *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_without_cuda_it_says_so_runs_the_cpu_bench_and_writes_nothing(tmp_path):
    out = tmp_path / "RESULTS-gpu.md"
    done = _run("--out", str(out))
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("no CUDA on this machine: torch ") and "writing no results" in first
    assert "| toy-1d-small | cpu" in done.stdout
    assert not out.exists()


def test_dry_run_lists_every_step_and_runs_none(tmp_path):
    done = _run(
        "--dry-run", "--device", "cpu", "--soak-minutes", "2", "--out", str(tmp_path / "r.md")
    )
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stdout.splitlines() if line.startswith("== ")]
    names = ["== cuda tests (", "== bench (", "== soak (", f"== write: {tmp_path / 'r.md'}"]
    assert len(steps) == 4 and all(s.startswith(n) for s, n in zip(steps, names))
    assert "-m cuda tests/test_cuda.py" in steps[0] and "--device cpu --json" in steps[1]
    assert "--minutes 2 --every 6" in steps[2] and "(at most 180 s)" in steps[2]
    assert not (tmp_path / "r.md").exists()


def test_bad_options_exit_2_with_one_line():
    done = _run("--device", "tpu")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "gpu_check: --device is 'tpu'; choose cuda or cpu.\n"


def test_the_whole_pipeline_on_the_cpu_writes_the_results_file(tmp_path):
    out = tmp_path / "RESULTS.md"
    flags = ["--device", "cpu", "--cases", "toy-1d-small", "--bench-seconds", "0.1"]
    done = _run(*flags, "--soak-minutes", "0.05", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text()
    assert text.startswith(f"# GPU check, {datetime.date.today().isoformat()}\n")
    assert f"torch {torch.__version__}, CUDA {torch.version.cuda}" in text
    assert "skipped" in text  # the cuda tests, on a machine that hides its GPU
    assert "- Failed steps: none" in text and "flat" in text
    assert "| toy-1d-small | cpu" in text
    assert "gpu_check: all steps passed." in done.stdout
