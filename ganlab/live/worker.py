"""Live runs in worker processes, one per browser session, driven from the server.

The server keeps a ``RemoteRunner`` per session. It has the Runner's public API and
forwards each call over a pipe to a worker process that owns a real Runner, and with it
torch, the Trainer and the device. So sessions train side by side on the cores instead of
taking turns at the server's interpreter lock, and a run that takes its process down
(killed, out of memory, a crash in a native library) costs only its own page: the proxy
answers from what it last heard, says so in one sentence, and ``restart`` goes on from the
checkpoint the worker saves every few seconds.

A worker ends when its proxy stops it or is garbage collected, when it stayed parked (its
tab gone) past Streamlit's reconnect window, or when its pipe closes (the server stopped):
none outlives the server. The cap on runs training at once stays in the server
(``threads.SLOTS``) and covers workers too.

Not here: the worker process and how it starts (process.py), the training loop
(runner.py), and Streamlit (ganlab.ui.session picks this or the in-process Runner).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganlab.config.run_config import RunConfig
from ganlab.errors import GanlabError
from ganlab.live.process import PARKED_EXIT_S, SAVED_STEP, Worker, forget_saves, warm_up
from ganlab.live.runner import Status
from ganlab.live.threads import SLOTS, Slots
from ganlab.training.checkpoint import CHECKPOINT
from ganlab.training.trainer import Snapshot

CALL_S = 60.0  # a worker that does not answer within this is taken for hung, and ended


__all__ = ["RemoteRunner", "WorkerGone", "warm_up"]


class WorkerGone(GanlabError):
    """The run's worker process has ended; the message says how to start again."""


def _end(box: list[Worker | None], folder: str) -> None:
    """End the worker and delete its saves (the proxy was stopped or collected)."""
    worker, box[0] = box[0], None
    if worker is not None:
        worker.end()
    shutil.rmtree(folder, ignore_errors=True)


class RemoteRunner:
    """A Runner in a worker process: the Runner's public API, answered over a pipe.

    While the worker is gone (see the module docstring) reads return what it last said,
    ``status().message`` says what happened and how to go on, playing commands raise
    WorkerGone with that sentence, ``restart`` starts a new worker from the last save and
    ``reset`` a new one from step 0."""

    def __init__(
        self, cfg: RunConfig | None = None, slots: Slots = SLOTS,
        parked_exit_s: float = PARKED_EXIT_S,
    ) -> None:  # fmt: skip
        self._slots, self._lock, self._parked_exit_s = slots, threading.Lock(), parked_exit_s
        self._folder = tempfile.mkdtemp(prefix="ganlab-run-")
        self._box: list[Worker | None] = [None]
        self._last: dict[str, Any] = {}
        self._images: tuple[object, torch.Tensor] | None = None
        self._stopped, self._resume, self.speed = False, False, None
        weakref.finalize(self, _end, self._box, self._folder)  # collected, or at exit
        self._start(cfg or RunConfig(), resume=False)

    # ----- what the page reads ----------------------------------------------------------------
    @property
    def cfg(self) -> RunConfig:
        return self._cfg

    @property
    def playing(self) -> bool:
        return bool(self._read("playing", False)) and not self._gone()

    @property
    def crashed(self) -> bool:
        """Whether the worker ended without being stopped (then ``restart`` goes on)."""
        return not self._stopped and self._gone()

    @property
    def pid(self) -> int | None:
        """The worker's process id (None once stopped)."""
        worker = self._box[0]
        return worker.process.pid if worker is not None else None

    def latest(self) -> Snapshot | None:
        return self._read("latest")

    def status(self) -> Status:
        status = self._read("status") or Status(False, False, 0, 0.0, "", "")
        if self._gone():
            status.playing = status.waiting = False
            status.steps_per_s, status.message = 0.0, self._gone_message()
        return status

    def versions(self) -> dict[str, tuple[int, int]]:
        return self._read("versions")

    def history(self) -> dict[str, np.ndarray]:
        return self._read("history")

    def metric_history(self) -> dict[str, np.ndarray]:
        return self._read("metric_history")

    def frames(self) -> tuple[np.ndarray, list[tuple[int, np.ndarray]], Any]:
        return self._read("frames")

    def training_images(self) -> torch.Tensor:
        """The digits the run trains on, fetched once per run (tens of MB)."""
        run = (self._box[0], self.versions()["view"][0])
        if self._images is None or self._images[0] != run:
            self._images = run, torch.from_numpy(self._call("training_images"))
        return self._images[1]

    # ----- commands -------------------------------------------------------------------------------
    def play(self) -> None:
        self._call("play")

    def pause(self) -> None:
        if not self._gone():
            self._call("pause")

    def step(self, which: str = "both") -> None:
        self._call("step", which)

    def set_knobs(self, **changes: float | int | str) -> None:
        self._call("set_knobs", **changes)
        self._cfg = self._call("cfg")

    def set_speed(self, steps_per_s: float | None) -> None:
        if steps_per_s != self.speed and not self._gone():  # pages call it on every rerun
            self._call("set_speed", steps_per_s)
            self.speed = steps_per_s

    def reset(self, cfg: RunConfig | None = None) -> None:
        """A fresh run; after the worker is gone, a new worker for it."""
        if self._gone():
            self._start(cfg or self._cfg, resume=False)
        else:
            self._call("reset", cfg)
            self._cfg = self._call("cfg")

    def restart(self) -> None:
        """A new worker going on from the last save (the run from step 0 if none yet)."""
        with self._lock:
            worker, self._box[0] = self._box[0], None
        if worker is not None:
            worker.end()  # a live one saves first
        self._start(self._cfg, resume=self.saved_step() is not None)

    def checkpoint_bytes(self) -> bytes:
        if self._gone() and (Path(self._folder) / CHECKPOINT).is_file():
            return (Path(self._folder) / CHECKPOINT).read_bytes()  # the last save
        return self._call("checkpoint_bytes")

    def park(self) -> None:
        """Pause without ending (the tab's connection dropped); see ``unpark``."""
        if not self._gone():
            self._resume = self.playing
            self._call("park")

    def unpark(self) -> None:
        """Back from a dropped connection: play on if it was playing. A worker that ended
        meanwhile, parked too long (process.PARKED_EXIT_S), is started again from its save
        (the histories then start there)."""
        if self.crashed and self._box[0].process.exitcode == 0:
            self.restart()
            if self._resume:
                self.play()
        elif not self._gone():
            self._call("unpark")

    def stop(self, wait: bool = True) -> None:
        """End the worker (the session closed); ``wait=False`` returns at once and leaves
        the ending to a thread. Its saves go when this proxy does."""
        with self._lock:
            self._stopped, worker, self._box[0] = True, self._box[0], None
        if worker is not None and wait:
            worker.end()
        elif worker is not None:
            threading.Thread(target=worker.end, daemon=True).start()

    # ----- plumbing -------------------------------------------------------------------------------
    def _start(self, cfg: RunConfig, resume: bool) -> None:
        Path(self._folder).mkdir(exist_ok=True)
        if not resume:
            forget_saves(self._folder)
        worker = Worker(cfg, self._slots, self._folder, resume, self._parked_exit_s)
        kind, value = worker.answer(CALL_S)  # the worker's first word: the run is built
        if kind != "ok":
            worker.end()
            if kind == "error":
                raise value
            raise WorkerGone(f"The training process did not start ({worker.how_it_ended()}).")
        with self._lock:
            self._box[0], self._cfg, self._stopped, self.speed = worker, value, False, None
        self._last.clear()
        self._read("status")

    def _gone(self) -> bool:
        worker = self._box[0]
        return worker is None or not worker.process.is_alive()

    def _gone_message(self) -> str:
        worker = self._box[0]
        if self._stopped or worker is None:
            return "This run was stopped; press Reset to start a new one."
        step = self.saved_step()
        where = "from step 0" if step is None else f"from step {step:,}, its last save"
        how = worker.how_it_ended()
        return f"The training process stopped ({how}); press Restart to go on {where}."

    def saved_step(self) -> int | None:
        """The step of the worker's last save (what ``restart`` goes on from), if any."""
        try:
            return int((Path(self._folder) / SAVED_STEP).read_text())
        except (OSError, ValueError):
            return None

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Ask the worker; raise its error, or WorkerGone if it has ended."""
        with self._lock:
            worker = self._box[0]
            message = (name, args, kwargs)
            kind, value = ("gone", None) if worker is None else worker.ask(message, CALL_S)
        if kind == "gone":
            raise WorkerGone(self._gone_message())
        if kind == "error":
            raise value
        return value

    def _read(self, name: str, default: Any = None) -> Any:
        """A read, remembered so that a page can still show it once the worker is gone."""
        try:
            self._last[name] = self._call(name)
        except WorkerGone:
            return self._last.get(name, default)
        return self._last[name]
