#!/usr/bin/env bash
# GPU check, in under 8 minutes: the CUDA tests (pytest -m cuda), the bench on the GPU, a
# short soak, and bench/RESULTS-gpu.md with the date, the GPU, torch/CUDA and the table.
#
#   scripts/gpu_check.sh [--dry-run] [--device cuda|cpu] [--bench-seconds S] [--cases A,B]
#                        [--soak-minutes M] [--out FILE]
#
# Without CUDA it says "no CUDA on this machine: ...", runs the part that means something on
# a CPU (one small toy bench case, briefly), writes nothing and exits 0 when that passes.
# --device cpu runs every step on the CPU instead (a dry run of the whole pipeline; no file
# unless --out is given). Each step has a time limit; the exit code is 1 if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python}
DEVICE=cuda
BENCH_SECONDS=2      # per measurement; 6 cases x 3 rounds x 2 loops: about 2.5 min on a GPU
CASES=""
SOAK_MINUTES=1.5
OUT=""
DRY=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --device) DEVICE=$2; shift ;;
    --bench-seconds) BENCH_SECONDS=$2; shift ;;
    --cases) CASES=$2; shift ;;
    --soak-minutes) SOAK_MINUTES=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown option $1; see --help." >&2; exit 2 ;;
  esac
  shift
done
if [[ $DEVICE != cuda && $DEVICE != cpu ]]; then
  echo "gpu_check: --device is '$DEVICE'; choose cuda or cpu." >&2
  exit 2
fi
[[ $DEVICE == cuda && -z $OUT ]] && OUT=bench/RESULTS-gpu.md
[[ $DEVICE == cpu ]] && export CUDA_VISIBLE_DEVICES=""  # the soak and tests pick auto

# Run a step under a time limit, or only show it with --dry-run; remember failures. The
# step's header goes to fd 3 (the script's stdout) whatever the step's own output is sent to.
exec 3>&1
FAILED=()
step() {
  local name=$1 limit=$2
  shift 2
  echo "== $name (at most ${limit} s): $*" >&3
  [[ $DRY == 1 ]] && return 0
  timeout --kill-after=10 "$limit" "$@"
  local rc=$?
  if [[ $rc != 0 ]]; then
    [[ $rc == 124 ]] && echo "gpu_check: $name ran past ${limit} s." >&2
    FAILED+=("$name (exit $rc)")
  fi
  return $rc
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

why_no_cuda=$("$PY" -c '
import torch
if not torch.cuda.is_available():
    built = torch.version.cuda
    print(f"torch {torch.__version__} " + (f"(CUDA {built}) sees no GPU" if built else "is a CPU-only build"))
' 2>&1 | tail -n 1)
if [[ $DEVICE == cuda && -n $why_no_cuda ]]; then
  echo "no CUDA on this machine: $why_no_cuda; running the CPU-safe part only, writing no results file."
  step "bench on cpu" 120 "$PY" -m ganlab bench --device cpu --cases toy-1d-small --seconds 0.2
  exit $?
fi

TESTS=(tests/test_cuda.py tests/test_train.py)  # where the tests marked cuda live
step "cuda tests" 150 "$PY" -m pytest -p no:cacheprovider -m cuda "${TESTS[@]}" \
  > "$WORK/tests.txt"
cat "$WORK/tests.txt"

bench=("$PY" -m ganlab bench --device "$DEVICE" --json --seconds "$BENCH_SECONDS")
[[ -n $CASES ]] && bench+=(--cases "$CASES")
step "bench" 240 "${bench[@]}" > "$WORK/bench.json"
[[ $DRY == 1 ]] || cat "$WORK/bench.json"

every=$(awk -v m="$SOAK_MINUTES" 'BEGIN { e = m * 60 / 20; print (e < 1 ? 1 : e) }')
soak_limit=$(awk -v m="$SOAK_MINUTES" 'BEGIN { printf "%d", m * 60 + 60 }')
step "soak" "$soak_limit" "$PY" scripts/soak.py --minutes "$SOAK_MINUTES" --every "$every" \
  --out "$WORK/soak.json" > /dev/null 2> "$WORK/soak.txt"  # stdout: one JSON line a sample
cat "$WORK/soak.txt" >&2

if [[ $DRY == 1 ]]; then
  echo "== write: ${OUT:-no results file}"
  exit 0
fi

if [[ -n $OUT ]]; then
  TESTS_LINE=$(tail -n 1 "$WORK/tests.txt")
  SOAK_LINE=$(grep '^soak:' "$WORK/soak.txt" | tail -n 1)
  "$PY" - "$WORK/bench.json" "$OUT" "$TESTS_LINE" "$SOAK_LINE" "${FAILED[*]:-}" <<'EOF'
"""bench/RESULTS-gpu.md: when, where, which torch, the bench table, tests and soak."""
import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

import torch

from ganlab.benchmarks.cases import markdown_table

bench, out, tests, soak, failed = sys.argv[1:6]
try:
    smi = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
        capture_output=True, text=True, timeout=30,
    ).stdout.strip().splitlines()[0]
    gpu = f"{smi} (nvidia-smi: name, driver)"
except (OSError, IndexError, subprocess.TimeoutExpired):
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
try:
    table = markdown_table(json.loads(Path(bench).read_text()))
except (OSError, ValueError, KeyError):
    table = "(the bench failed; see the script's output)"
text = f"""# GPU check, {date.today().isoformat()}

Written by `scripts/gpu_check.sh`: the CUDA tests, `python -m ganlab bench`, a short soak.

- Machine: {gpu}; {platform.machine()}, Python {sys.version.split()[0]}
- torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}
- CUDA tests (`pytest -m cuda`): {tests or "(no output)"}
- Soak: {soak or "(no verdict)"}
- Failed steps: {failed or "none"}

{table}
"""
Path(out).parent.mkdir(parents=True, exist_ok=True)
Path(out).write_text(text)
print(f"gpu_check: wrote {out}")
EOF
fi

if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "gpu_check: failed: ${FAILED[*]}" >&2
  exit 1
fi
echo "gpu_check: all steps passed."
