"""How quickly the latent page follows a slider, on this machine's CPU.

    python bench/latent_bench.py            # prints JSON, merges it into bench/latent.json

Two numbers per shipped model: drawing one digit from an explicit point (the model alone,
median of 50), and a whole rerun of pages/latent.py under Streamlit's AppTest after a z
slider moves (digit, classifier reading, nearest training digits and the open traversal
tab; median of 10, without a browser's network round trip), as wall time and as this
process's CPU time (what it costs on a core of its own when the machine is busy; the load
average is recorded beside). Quality numbers (purity,
inversion) come from scripts/train_pretrained.py.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganlab.labs.latent import pretrained  # noqa: E402
from ganlab.labs.latent.space import cpu_threads  # noqa: E402


def one_digit_ms(name: str) -> float:
    model = pretrained.load(name)
    point = model.random(1, 0)
    times = []
    with cpu_threads(), torch.no_grad():
        for _ in range(50):
            start = time.perf_counter()
            model.generate(point)
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def page_rerun_ms(name: str) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "latent.py"), default_timeout=120)
    at.run()
    at.selectbox(key="lat.source").set_value(f"pretrained:{name}").run()
    wall, cpu = [], []
    for i in range(10):
        at.slider(key="lat.z0").set_value(round(-0.9 + 0.2 * i, 2))
        start, start_cpu = time.perf_counter(), time.process_time()
        at.run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert not at.exception, at.exception
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def main() -> int:
    results = {}
    for name in pretrained.available():
        wall, cpu = page_rerun_ms(name)
        results[name] = {
            "one_digit_ms": round(one_digit_ms(name), 2),
            "page_rerun_ms": round(wall, 1),
            "page_rerun_cpu_ms": round(cpu, 1),
            "load_average": round(os.getloadavg()[0], 1),
        }
        print(name, results[name], flush=True)
    path = ROOT / "bench" / "latent.json"
    merged = json.loads(path.read_text()) if path.is_file() else {}
    for name, timing in results.items():
        merged.setdefault(name, {})["latency"] = timing
    path.write_text(json.dumps(merged, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
