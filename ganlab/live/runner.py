"""One background training job per browser session: play, pause, step, reset, live knobs.

A Runner owns a Trainer and, while playing, one thread that steps it. The page never touches
the trainer: its commands run between two steps (in the training thread while one runs, in
the caller otherwise), and it reads the newest Snapshot plus bounded histories. Pictures
and metrics cost steps, so the thread takes them on a budget of the wall clock (pacing.py)
and a picture only when the page has asked for one. A process-wide cap
(``threads.SLOTS``) bounds how many runs train at once; beyond it runs take turns, with a
message. A diverged run pauses itself and keeps the message. Nothing here imports
Streamlit: ganlab.ui ties one Runner to one session with ``st.cache_resource(scope=
"session", on_release=...)``, which stops it when the tab closes.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganlab.config.run_config import RunConfig
from ganlab.data import GaussianMixture
from ganlab.device import run_threads, torch_threads
from ganlab.errors import ConfigError
from ganlab.live.pacing import Meter, Pacer
from ganlab.live.runlog import Decimating, RunLog
from ganlab.live.threads import SLOTS, Job, Slots, share_the_interpreter
from ganlab.training.checkpoint import CHECKPOINT, load_trainer, save_run
from ganlab.training.snapshot import StageView
from ganlab.training.stages import staged_step, supports
from ganlab.training.trainer import Snapshot, Trainer

FRAME_POINTS = 400  # a GIF frame: G's samples of a fixed noise batch (not for image runs:
# 400 digits cost ~0.15 s; theirs is the grid each picture already drew, IMAGE_FRAMES)
IMAGE_FRAMES = 60  # an image run's GIF frames, as bytes (an 8x8 grid: 50 kB)
SHARED_S = 6.0  # the turn-taking message stays this long after a run last waited
# Where the training threads note, every TRACE_EVERY_S, each run's step and its place in the
# line (JSON lines; unset: nowhere). The load test reads it to tell a run that stopped
# stepping from a page that stopped updating.
TRACE_ENV, TRACE_EVERY_S = "GANLAB_TRACE_RUNS", 2.0
_BUILD_LOCK = threading.Lock()  # Trainer() seeds torch's global RNG while it builds nets


@dataclass
class Status:
    """What the page's status line shows."""

    playing: bool
    waiting: bool
    step: int
    steps_per_s: float
    device: str
    message: str
    stages_per_s: float | None = None  # slow motion's measured pace; None when not in it


class Runner:
    """A training job driven by commands; thread-safe; never calls Streamlit."""

    def __init__(self, cfg: RunConfig | None = None, slots: Slots = SLOTS) -> None:
        self._slots = slots
        self._lock = threading.Lock()  # guards the fields below that both threads touch
        self._train_lock = threading.Lock()  # one user of the trainer at a time
        self._wake = threading.Event()
        self._jobs: list[Job] = []
        self._thread: threading.Thread | None = None
        self._playing = self._stopped = self._resume = False
        # While a run waits for a slot (and SHARED_S after) its status says it takes turns.
        self._shared_until = 0.0
        self._view_wanted = True
        self.speed: float | None = None  # slow motion: steps per second, None = flat out
        self._install(self._build(cfg or RunConfig()))

    # ----- what the page reads ------------------------------------------------------------
    @property
    def cfg(self) -> RunConfig:
        return self.trainer.cfg

    @property
    def playing(self) -> bool:
        return self._playing

    def latest(self) -> Snapshot | None:
        """The newest snapshot; asks the thread for a fresh picture at its next chance."""
        self._view_wanted = True
        return self._snap

    def status(self) -> Status:
        snap = self._snap
        with self._lock:
            message = self._message
            sharing = self._playing and time.monotonic() < self._shared_until
            if sharing:
                message = self._slots.message()
            slow = self._playing and (self.speed or self._walk) and supports(self.cfg)
            return Status(
                self._playing,
                sharing,
                snap.step if snap else 0,
                self._pace.rate if self._playing else 0.0,
                snap.device if snap else "",
                message,
                self._stages.rate if slow else None,
            )

    def versions(self) -> dict[str, tuple[int, int]]:
        """Tokens that change exactly when the picture, the loss history or the metric
        history does (so a page can skip rebuilding a figure that would be the same)."""
        run = self._run_id  # a reset starts a new run
        counts = self._log.appended
        return {"view": (run, self._views), "losses": (run, counts["losses"]),
                "metrics": (run, counts["metrics"])}  # fmt: skip

    def training_images(self) -> torch.Tensor:
        """The real digits this image run trains on (on its device), for nearest-neighbour
        checks; a toy run has none and raises ConfigError."""
        images = self.trainer.training_images()
        if images is None:
            raise ConfigError(f"Variant {self.cfg.variant!r} trains on points, not digits.")
        return images

    def history(self) -> dict[str, np.ndarray]:
        """Loss and D-output history: one array per name in runlog.LOSS_FIELDS."""
        return self._log.losses()

    def metric_history(self) -> dict[str, np.ndarray]:
        """Metric history: ``step`` plus one array per metric name."""
        return self._log.metrics()

    def frames(self) -> tuple[np.ndarray, list[tuple[int, np.ndarray]], Any]:
        """For a GIF of the run: real points, (step, G's samples of one fixed noise batch)
        spread over the whole run, and the data's bounds ((lo, hi) per axis). An image run's
        frames are its grids from fixed noise instead, uint8 (rows, 8, 28, 28)."""
        log = self._log
        if self.cfg.kind == "image":
            with self._lock:
                return log.real, list(self._grids.rows), None
        return log.real, log.frames(), log.bounds

    # ----- commands ---------------------------------------------------------------------------
    def play(self) -> None:
        with self._lock:
            if self._stopped or self._playing:
                return
            self._playing, self._message = True, ""
            self._pace.restart()
            self._stages.restart()
            if self._metrics_at == self.trainer.step:  # measured where it stands: the next
                # metrics wait their turn (digits: 1-3 s of classifier before any motion)
                self._pace.delay_metrics(time.perf_counter())
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name=f"ganlab-runner-{id(self):x}", daemon=True
                )
                self._thread.start()

    def pause(self) -> None:
        """Stop after the current step (in slow motion: stage; Play goes on from there);
        returns once the thread has let go of the trainer."""
        with self._lock:
            self._playing = self._resume = self._walk_once = False
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def step(self, which: str = "both") -> None:
        """One D step, one G step or one of each (k D steps + 1 G step), then a picture. In
        slow motion a toy run walks it stage by stage on the training thread, a picture a
        stage, and pauses at its end."""
        self.pause()
        if self.speed and supports(self.cfg):
            self._call(lambda: self._begin_walk(which))
            self.play()
            return
        actions = {"d": "train_d", "g": "train_g", "both": "train_step"}

        def one_step() -> None:
            self._end_walk()
            getattr(self.trainer, actions[which])()
            self._add_frame()
            self._publish(view=True, metrics=True)

        self._call(one_step)

    def set_knobs(self, **changes: float | int | str) -> None:
        """Change the live settings mid-run (fields.py's rows with ``live``); validated here,
        applied before the next step, weights kept."""
        self.cfg.replace(**changes)  # raises ConfigError now, in the caller
        self._call(lambda: self._set_knobs(changes))

    def _set_knobs(self, changes: dict[str, float | int | str]) -> None:
        """A new loss changes what the picture shows (D's shading, G's arrows) and what D's
        numbers mean (probability or score): publish a picture under it at once, and leave
        D's numbers blank until a step under the new loss measures them."""
        loss = self.cfg.loss
        self.trainer.set_knobs(**changes)
        if self.cfg.loss != loss:
            self._log.add_switch(self.trainer.step, self.cfg.loss)
            self._publish(view=True, metrics=False, carry=False)

    def set_speed(self, steps_per_s: float | None) -> None:
        """Slow motion at this many steps a second (toy runs: stages of a step, see
        training/stages.py; a picture each), or None: flat out."""
        speed = None if not steps_per_s else max(0.2, float(steps_per_s))
        if speed != self.speed:  # pages call this on every rerun; only a change wakes the thread
            self.speed = speed
            if speed is None and self._walk is None:
                self._stage = None  # the next picture is of whole steps again
            self._wake.set()

    def reset(self, cfg: RunConfig | None = None) -> None:
        """A fresh run (a new config, or the same one from step 0). A config that fails to
        build raises here, and the current run goes on untouched."""
        trainer = self._build(cfg or self.cfg)
        self.pause()
        self._call(lambda: self._install(trainer))

    def restore(self, source: str | Path) -> None:
        """Go on from a saved run (a folder or file from ``save_run``): its config, weights,
        optimizers and step; the histories start afresh there. Raises CheckpointError."""
        with _BUILD_LOCK:  # on this run's device, as a saved run may come from a GPU
            trainer = load_trainer(source, self.trainer.device)
        self.pause()
        self._call(lambda: self._install(trainer))

    def checkpoint_bytes(self) -> bytes:
        """The run as checkpoint.pt (weights-only format, see checkpoint.py)."""

        def save() -> bytes:
            with tempfile.TemporaryDirectory(prefix="ganlab-ckpt-") as tmp:
                save_run(self.trainer, tmp)
                return (Path(tmp) / CHECKPOINT).read_bytes()

        return self._call(save)

    def park(self) -> None:
        """Pause without waiting (the session's connection dropped): the thread ends after
        its step, and the run, weights and histories stay for the session if it comes back
        (``unpark`` plays on where it was playing)."""
        with self._lock:
            self._resume, self._playing = self._playing, False
        self._trace("parked")
        self._wake.set()

    def unpark(self) -> None:
        if self._resume:
            self._resume = False
            self._trace("unparked")
            self.play()

    def stop(self, wait: bool = True) -> None:
        """End for good (the session closed): refuse new plays and let the thread finish its
        step and exit; ``wait=False`` returns at once (Streamlit calls this on its event
        loop when a tab closes, where a join would stall every other session)."""
        with self._lock:
            self._stopped, self._playing = True, False
        self._wake.set()
        if wait:
            self.pause()

    # ----- the training thread ------------------------------------------------------------------
    def _loop(self) -> None:
        # A run in the app shares the machine with other sessions (device.run_threads).
        with torch_threads(run_threads(self.trainer.device, shared=True)):
            self._train_loop()

    def _train_loop(self) -> None:
        has_slot, traced = False, -TRACE_EVERY_S
        share_the_interpreter()
        try:
            while True:
                if time.monotonic() - traced >= TRACE_EVERY_S:
                    traced = time.monotonic()
                    self._trace("training" if has_slot else "waiting")
                with self._lock:
                    jobs, self._jobs = self._jobs, []
                    if not jobs and not self._playing and (self._stopped or not self._stale()):
                        self._thread = None
                        return
                with self._train_lock:
                    for job in jobs:
                        job.run()
                    if not self._playing:
                        if self._stale() and not self._stopped:  # show where it paused
                            self._publish(view=True, metrics=True)
                        continue
                    if not has_slot:
                        has_slot = self._slots.acquire(timeout=0.2, owner=self)
                        if not has_slot:
                            self._shared_until = time.monotonic() + SHARED_S
                            continue
                        turn_began = time.perf_counter()
                    started = time.perf_counter()
                    if (self._walk is not None or self.speed) and supports(self.cfg):
                        self._next_stage(started)  # slow motion: a stage of a step at a time
                    else:
                        self.trainer.train_step()
                        self.trainer.seconds += time.perf_counter() - started
                        self._after_step()
                    if self._slots.turn_over(self, time.perf_counter() - turn_began):
                        has_slot = False
                if self.speed:
                    self._wake.wait(max(0.0, 1 / self.speed - (time.perf_counter() - started)))
                    self._wake.clear()
        finally:
            if has_slot:
                self._slots.release()
            else:
                self._slots.leave(self)

    def _after_step(self) -> None:
        now, pace = time.perf_counter(), self._pace
        pace.tick(now, self.trainer.step)
        if pace.frame_due(now):
            self._add_frame()
        what = pace.publish_due(now, bool(self.speed), self._view_wanted)
        if what:
            self._publish(view=what == "view", metrics=what == "metrics")

    def _publish(self, view: bool, metrics: bool, carry: bool = True) -> float:
        """Take a snapshot, record it, and say what it cost in seconds. ``carry``: keep the
        last measured numbers where no G step came since (see _carry_over)."""
        started = time.perf_counter()
        snap = self.trainer.snapshot(view=view, metrics=metrics)
        snap.stage = self._stage
        cost = time.perf_counter() - started
        snap.steps_per_s = self._pace.rate if self._playing else 0.0
        if metrics:
            self._log.add_metrics(snap.step, snap.metrics)
            self._metrics_at = snap.step
        else:
            snap.metrics = self._log.last_metrics()
        self._log.add_losses(snap)
        with self._lock:
            if self._snap is not None and carry:
                self._carry_over(snap, view)
            if snap.status == "diverged":  # the nets are back at the last finite state
                self._playing, self._message = False, snap.message
                self._walk = None  # its graphs hold the weights just replaced
                snap.step = self.trainer.step
            self._snap = snap
            if view:
                self._view_wanted, self._views = False, self._views + 1
                if "grid" in snap.view:  # an image run's GIF frame: the picture just drawn
                    grid = (snap.view["grid"] * 255).round().astype(np.uint8)
                    self._grids.append((snap.step, grid))
        self._pace.published(view, metrics, started, cost)
        return cost

    def _next_stage(self, started: float) -> None:
        """One stage of slow motion's walk (a whole step's walk begins when none is under
        way), and its picture; a step button's walk pauses after its last stage."""
        if self._walk is None:
            self._walk = staged_step(self.trainer)
        stage = self._stage = next(self._walk)
        now = time.perf_counter()
        self._stage_count += 1
        self._stages.tick(now, self._stage_count)
        self.trainer.seconds += now - started
        if stage.last:
            self._walk = None
            if not self.speed:  # slow motion went off mid-walk: whole steps from here
                self._stage = None
        self._pace.tick(now, self.trainer.step)
        if self._pace.frame_due(now):
            self._add_frame()
        self._publish(view=True, metrics=self._pace.publish_due(now, True, True) == "metrics")
        if stage.last:  # a step button's walk pauses once its last stage is on show
            with self._lock:
                if self._walk_once:
                    self._playing = self._walk_once = False

    def _begin_walk(self, which: str) -> None:
        """A step button in slow motion: walk ``which`` half of a step, then pause."""
        self._end_walk()
        self._walk, self._walk_once = staged_step(self.trainer, which), True

    def _end_walk(self) -> None:
        """Finish a walk under way at once: a step's math is whole before another begins."""
        if self._walk is not None:
            for _ in self._walk:
                pass
        self._walk = self._stage = None

    def _carry_over(self, snap: Snapshot, view: bool) -> None:
        """Keep the last picture beside new numbers, and the last measured losses and D
        outputs when no G step came since (a pause, or a single D step): the page shows
        them, not blanks."""
        if not view:
            snap.view = self._snap.view
        for name in ("loss_d", "loss_g", "d_real", "d_fake"):
            if math.isnan(getattr(snap, name)):
                setattr(snap, name, getattr(self._snap, name))

    def _stale(self) -> bool:
        """Whether the published picture or metrics lag the nets (then pausing publishes)."""
        step = self.trainer.step
        return self._snap is None or self._snap.step != step or self._metrics_at != step

    def _add_frame(self) -> None:
        if self.cfg.kind == "image":
            return
        gen = torch.Generator(device=self.trainer.device).manual_seed(7)
        points = self.trainer.sample(FRAME_POINTS, gen).detach().cpu().numpy()
        self._log.add_frame(self.trainer.step, points)

    # ----- plumbing -------------------------------------------------------------------------------
    def _trace(self, event: str) -> None:
        """Append a line to the trace file named by TRACE_ENV, if any."""
        path = os.environ.get(TRACE_ENV)
        if not path:
            return
        line = {
            "t": round(time.time(), 2), "run": f"{id(self):x}", "event": event,
            "setup": f"{self.cfg.variant}/{self.cfg.data}", "step": self.trainer.step,
            "playing": self._playing, "in_use": self._slots.in_use, "waiting": self._slots.waiting,
        }  # fmt: skip
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")

    @staticmethod
    def _build(cfg: RunConfig) -> Trainer:
        with _BUILD_LOCK:
            return Trainer(cfg)

    def _install(self, trainer: Trainer) -> None:
        """Make ``trainer`` the run: clear histories and publish its first picture."""
        self.trainer = trainer
        data = trainer.data
        toy = isinstance(data, GaussianMixture)
        real = data.sample(FRAME_POINTS, torch.Generator(trainer.device)) if toy else None
        real_np = real.cpu().numpy() if real is not None else np.zeros((0, 0))
        self._log, self._views = RunLog(real_np, data.bounds if toy else None), 0
        self._run_id = getattr(self, "_run_id", 0) + 1
        self._snap: Snapshot | None = None
        self._metrics_at = -1
        self._message, self._pace = "", Pacer(image=trainer.cfg.kind == "image")
        self._stages, self._stage_count = Meter(), 0  # slow motion's stages/s
        # Slow motion's walk through a step under way, the stage it last showed, and whether
        # to pause when it ends (a step button's walk); a new run has none.
        self._walk: Iterator[StageView] | None = None
        self._stage: StageView | None = None
        self._walk_once = False
        self._grids = Decimating(IMAGE_FRAMES)
        self._add_frame()
        self._publish(view=True, metrics=True)

    def _call(self, fn: Callable[[], Any]) -> Any:
        """Run fn on the trainer between two steps and return its result (or raise its error)."""
        job = Job(fn)
        with self._lock:
            queued = self._thread is not None
            if queued:
                self._jobs.append(job)
        if queued:
            self._wake.set()
            if not job.done.wait(timeout=30):
                raise TimeoutError("The training thread did not answer within 30 s.")
        else:
            with self._train_lock:
                job.run()
        if job.error is not None:
            raise job.error
        return job.result
