"""A worker process that trains one live run, and the server's handle on it (``Worker``).

``serve`` is the worker's main thread: it owns a Runner (with torch, the Trainer and the
device), answers the server's commands over a pipe, and saves the run every SAVE_EVERY_S
so that a new worker can go on after a crash. The runner asks the server's cap for a turn
over a second pipe (``threads.SlotClient``). Workers fork from a fork server that has torch
and ganlab imported, so one starts in a fraction of a second (``warm_up`` starts it early).

A worker ends when told to, when its pipe to the server closes (the server stopped), or
after PARKED_EXIT_S parked (its tab gone). worker.py's RemoteRunner is the API pages use.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.context
import os
import signal
import threading
import time
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import set_spawning_popen
from pathlib import Path
from typing import Any

import torch

from ganlab.config.run_config import RunConfig
from ganlab.errors import GanlabError
from ganlab.live.runner import Runner
from ganlab.live.threads import SlotClient, Slots, serve_slots
from ganlab.training.checkpoint import CHECKPOINT

SAVE_EVERY_S = 3.0  # the worker saves its run this often (if it moved) for a restart
PARKED_EXIT_S = 15.0  # a parked worker (its tab closed, or its connection dropped) saves
# and ends after this; a session that comes back later goes on from the save (worker.py)
SAVED_STEP = "saved_step.txt"  # beside the checkpoint: its step, for the message
READS = ("cfg", "playing", "latest", "status", "versions", "history", "metric_history", "frames")
COMMANDS = ("play", "pause", "step", "set_knobs", "set_speed", "reset", "checkpoint_bytes",
            "training_images", "park", "unpark")  # fmt: skip


class _Popen(popen_forkserver.Popen):
    """The fork server's Popen without its re-import of the parent's main module in the
    child: under Streamlit (and AppTest) ``__main__`` is the page script being run, which
    must not run again in a worker. Otherwise as ``Popen._launch`` (Python 3.11-3.13)."""

    def _launch(self, process_obj: Any) -> None:
        prep = spawn.get_preparation_data(process_obj._name)
        for key in ("init_main_from_path", "init_main_from_name"):
            prep.pop(key, None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)  # the child's sign that this process lives
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


_CTX = multiprocessing.get_context("forkserver")
# The fork server imports torch and the trainer once, and torch._dynamo, which torch imports
# when it builds the first optimizer (4 s on a busy machine).
_CTX.set_forkserver_preload(["ganlab.live.process", "torch._dynamo"])


def warm_up() -> None:
    """Start the fork server in the background (importing torch takes seconds), so that the
    first run of a fresh server starts at once."""
    threading.Thread(target=forkserver.ensure_running, daemon=True).start()


def serve(conn: Connection, slot_conn: Connection, cfg: RunConfig, limit: int,
          folder: str, resume: bool, parked_exit_s: float) -> None:  # fmt: skip
    """The worker's main thread: build the run, then answer commands until told to stop or
    the server's end of the pipe closes; between them, save the run every SAVE_EVERY_S."""
    torch.set_num_threads(1)  # the runner trains on one thread; so do its commands here
    try:
        runner = Runner(cfg, slots=SlotClient(slot_conn, limit))
        if resume:
            runner.restore(folder)
    except Exception as err:
        conn.send(("error", _picklable(err)))
        return
    conn.send(("ok", runner.cfg))
    saved, saved_at, parked_at = runner.status().step, time.monotonic(), None
    while True:
        if conn.poll(1.0):
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message is None:
                break
            name, args, kwargs = message
            if name == "park":
                parked_at = time.monotonic()
            elif name in COMMANDS:  # the session is back (a read alone does not say so)
                parked_at = None
            if name == "reset":  # the saves are of the old run: a restart goes on from 0
                forget_saves(folder)
            try:
                value = _do(runner, name, args, kwargs)
                reply = ("ok", value)
            except Exception as err:  # handed to the proxy, which raises it in the page
                reply = ("error", _picklable(err))
            try:
                conn.send(reply)
            except OSError:
                break
        if parked_at is not None and time.monotonic() - parked_at > parked_exit_s:
            break
        step = runner.status().step
        if step != saved and time.monotonic() - saved_at >= SAVE_EVERY_S:
            saved, saved_at = step, time.monotonic()
            _save(runner, folder)
    runner.stop()
    _save(runner, folder)


def _do(runner: Runner, name: str, args: tuple, kwargs: dict) -> Any:
    if name in ("cfg", "playing"):
        return getattr(runner, name)
    if name not in READS + COMMANDS:
        raise AttributeError(f"A live run has no command {name!r}.")
    value = getattr(runner, name)(*args, **kwargs)
    return value.cpu().numpy() if isinstance(value, torch.Tensor) else value


def _save(runner: Runner, folder: str) -> None:
    """Write the run's checkpoint into ``folder``, and its step beside it for the message
    (atomically: a crash mid-write keeps the last one)."""
    try:
        data = runner.checkpoint_bytes()
        step = torch.load(io.BytesIO(data), weights_only=True)["step"]
        for name, content in ((CHECKPOINT, data), (SAVED_STEP, str(step).encode())):
            tmp = Path(folder) / (name + ".tmp")
            tmp.write_bytes(content)
            tmp.replace(Path(folder) / name)
    except (OSError, GanlabError, TimeoutError):
        pass  # a restart then goes on from an older save


def forget_saves(folder: str) -> None:
    """Delete the saves in ``folder`` (the run they were of is gone)."""
    for name in (SAVED_STEP, CHECKPOINT):
        (Path(folder) / name).unlink(missing_ok=True)


def _picklable(err: Exception) -> Exception:
    if isinstance(err, (GanlabError, TimeoutError)):
        return err
    return RuntimeError(f"{type(err).__name__}: {err}")


class Worker:
    """One worker process and the server's ends of its two pipes."""

    def __init__(
        self, cfg: RunConfig, slots: Slots, folder: str, resume: bool,
        parked_exit_s: float = PARKED_EXIT_S,
    ) -> None:  # fmt: skip
        self.conn, child = _CTX.Pipe()
        slot_conn, slot_child = _CTX.Pipe()
        args = (child, slot_child, cfg, slots.limit, folder, resume, parked_exit_s)
        self.process = _Process(target=serve, args=args, name="ganlab-worker", daemon=True)
        self.process.start()
        child.close()  # so that the worker's death reads as the end of the pipe
        slot_child.close()
        threading.Thread(target=serve_slots, args=(slot_conn, slots), daemon=True).start()

    def ask(self, message: Any, timeout: float) -> tuple[str, Any]:
        """Send a message and wait for the answer; ("gone", None) if the worker has ended."""
        try:
            self.conn.send(message)
        except OSError:
            return "gone", None
        return self.answer(timeout)

    def answer(self, timeout: float) -> tuple[str, Any]:
        """The worker's next message: ("ok", value), ("error", exception) or ("gone", None)."""
        try:
            deadline = time.monotonic() + timeout
            while not self.conn.poll(0.2):
                if not self.process.is_alive():
                    return "gone", None
                if time.monotonic() > deadline:
                    self.process.kill()  # hung: make it a stopped run the page can restart
                    self.process.join(5)
                    return "gone", None
            return self.conn.recv()
        except (EOFError, OSError):
            self.process.join(1)
            return "gone", None

    def end(self, wait: bool = True) -> None:
        """Ask the worker to stop (it saves the run first); kill it if it does not."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        if wait:
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        self.conn.close()

    def how_it_ended(self) -> str:
        code = self.process.exitcode
        if code is None or code >= 0:
            return f"exit code {code}" if code else "its tab was away too long"
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
