"""What a live run remembers: loss rows, metric rows and GIF frames, bounded and thread-safe.

The training thread appends; the page reads whole tables as numpy arrays. Each record keeps
at most a fixed number of rows yet always spans the whole run (``Decimating``), so a run of
hours holds the same memory as a run of minutes. No torch, no Streamlit.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

HISTORY_ROWS = 3000
MAX_SWITCHES = 20
MAX_FRAMES = 120
LOSS_FIELDS = ("step", "loss_d", "loss_g", "d_real", "d_fake", "steps_per_s", "lr_d", "lr_g", "k")


class Decimating:
    """A bounded list that spans everything appended: when full, every other row goes and
    from then on only every other new row is kept (then every fourth, and so on)."""

    def __init__(self, cap: int) -> None:
        self.cap, self.rows, self._stride, self._seen = cap, [], 1, 0

    def append(self, row: Any) -> None:
        self._seen += 1
        if self._seen % self._stride:
            return
        self.rows.append(row)
        if len(self.rows) >= self.cap:
            self.rows, self._stride = self.rows[::2], self._stride * 2


class RunLog:
    """The histories of one run. ``real`` and ``bounds`` describe the data for the GIF."""

    def __init__(self, real: np.ndarray, bounds: Any) -> None:
        self.real, self.bounds = real, bounds
        self._lock = threading.Lock()
        self._losses = Decimating(HISTORY_ROWS)
        self._metrics = Decimating(HISTORY_ROWS)
        self._frames = Decimating(MAX_FRAMES)
        self.appended = {"losses": 0, "metrics": 0}  # grows with every row: a cache token
        self._switches: list[tuple[int, str]] = []  # (step, the loss from then on)
        self._tables: dict[str, tuple[int, dict[str, np.ndarray]]] = {
            "losses": (-1, {}),
            "metrics": (-1, {}),
        }

    def add_losses(self, snap: Any) -> None:
        """One row of LOSS_FIELDS from a snapshot; rows with a NaN (no G step yet) are skipped."""
        row = [float(getattr(snap, name)) for name in LOSS_FIELDS]
        if all(math.isfinite(v) for v in row):
            with self._lock:
                self._losses.append(row)
                self.appended["losses"] += 1

    def add_switch(self, step: int, loss: str) -> None:
        """A live loss switch after ``step``: the curves mark it, since D's and G's numbers
        change their meaning there (the last MAX_SWITCHES are kept)."""
        with self._lock:
            self._switches = [*self._switches, (step, loss)][-MAX_SWITCHES:]
            self.appended["losses"] += 1

    def add_metrics(self, step: int, metrics: dict[str, float]) -> None:
        with self._lock:
            self._metrics.append((step, dict(metrics)))
            self.appended["metrics"] += 1

    def last_metrics(self) -> dict[str, float]:
        with self._lock:
            return dict(self._metrics.rows[-1][1]) if self._metrics.rows else {}

    def add_frame(self, step: int, points: np.ndarray) -> None:
        with self._lock:
            self._frames.append((step, points.astype(np.float32)))

    def losses(self) -> dict[str, np.ndarray]:
        """One array per name in LOSS_FIELDS, and the live loss switches as ``switch_step``
        and ``switch_loss`` (shared between callers: read, don't write)."""
        with self._lock:
            if self._tables["losses"][0] != self.appended["losses"]:
                table = np.asarray(self._losses.rows, dtype=np.float64)
                table = table.reshape(-1, len(LOSS_FIELDS))
                arrays = {name: table[:, i] for i, name in enumerate(LOSS_FIELDS)}
                arrays["switch_step"] = np.array([s for s, _ in self._switches], np.float64)
                arrays["switch_loss"] = np.array([loss for _, loss in self._switches], str)
                self._tables["losses"] = (self.appended["losses"], arrays)
            return self._tables["losses"][1]

    def metrics(self) -> dict[str, np.ndarray]:
        """``step`` plus one array per metric name (shared between callers, like losses)."""
        with self._lock:
            if self._tables["metrics"][0] != self.appended["metrics"]:
                self._tables["metrics"] = (self.appended["metrics"], self._metric_arrays())
            return self._tables["metrics"][1]

    def _metric_arrays(self) -> dict[str, np.ndarray]:
        rows = self._metrics.rows
        if not rows:
            return {"step": np.zeros(0)}
        names = ["step", *rows[-1][1]]
        table = [[step, *(m.get(n, math.nan) for n in names[1:])] for step, m in rows]
        arr = np.asarray(table, dtype=np.float64)
        return {name: arr[:, i] for i, name in enumerate(names)}

    def frames(self) -> list[tuple[int, np.ndarray]]:
        with self._lock:
            return list(self._frames.rows)
