"""Thread plumbing for the runner: a cap on concurrent training runs, its stand-in for a run
in a worker process, and work handed to a training thread with a way to wait for its result.

The cap (``SLOTS``) lives in the server process; a run in a worker process (worker.py) asks
it through a pipe (``SlotClient`` there, ``serve_slots`` here), so one cap covers the
server's runs whichever process they train in. Kept apart from runner.py so that the runner
reads as the training loop it drives.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


def cpu_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, which may be fewer than
    the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


WORKERS_ENV = "GANLAB_WORKERS"  # "0": live runs train as threads of the server process


def use_workers() -> bool:
    """Whether live runs train in worker processes (the default) or as server threads."""
    return os.environ.get(WORKERS_ENV, "1") != "0"


# Runs training at once per server. A worker process trains on one core with one torch
# thread, so as many as there are cores; threads share one interpreter lock, and two per core
# kept the cores busy between the lock's hand-overs.
MAX_TRAINING = cpu_cores() if use_workers() else max(2, min(8, 2 * cpu_cores()))
# How long a thread may hold the interpreter lock while others want it (Python's default is
# 5 ms). Training threads are busy in Python between small tensor ops; at 5 ms the server's
# event loop, which needs the lock back after every socket read and write, queued behind
# each of them in turn: with five tabs playing on 2 cores a sixth page did not load in 180 s
# (its static files trickled out). At 0.5 ms six tabs were all playing within 50 s.
SWITCH_INTERVAL_S = 0.0005
TURN_S = 2.0  # while others wait, a run hands its slot on after training this long
ASK_EVERY_S = 0.1  # a run in a worker past its turn asks this often whether anyone waits


def share_the_interpreter() -> None:
    """Make threads hand the interpreter lock on sooner (process-wide; see
    SWITCH_INTERVAL_S). Called when a live run starts training in a server."""
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)


class Slots:
    """A cap on concurrent training threads, shared in turns.

    Runs that want a slot queue up in order of arrival. While any run waits, a run that has
    trained for ``turn_s`` gives its slot to the next in line and queues again at the back
    (see ``turn_over``), so every playing run keeps advancing however many there are; with no
    one waiting a run keeps its slot. A classroom on a small machine thus trains ``limit``
    runs at a time at full speed instead of every run at once, thrashing the CPU and
    starving the server's event loop of the interpreter lock."""

    def __init__(self, limit: int, turn_s: float = TURN_S) -> None:
        self.limit, self.turn_s = limit, turn_s
        self._cond = threading.Condition()
        self._line: deque[object] = deque()
        self.in_use = 0

    @property
    def waiting(self) -> int:
        """How many runs are waiting for a slot."""
        return len(self._line)

    def acquire(self, timeout: float, owner: object | None = None) -> bool:
        """Take a slot within ``timeout`` seconds. A given ``owner`` keeps its place in the
        line between calls until it gets a slot or ``leave``s; without one a caller that
        times out leaves the line."""
        me = object() if owner is None else owner
        with self._cond:
            if me not in self._line:
                self._line.append(me)
            if not self._cond.wait_for(lambda: self._free_for(me), timeout):
                if owner is None:
                    self._line.remove(me)
                    self._cond.notify_all()
                return False
            self._line.popleft()
            self.in_use += 1
            self._cond.notify_all()  # the next in line may fit as well
            return True

    def _free_for(self, owner: object) -> bool:
        return self.in_use < self.limit and self._line[0] is owner

    def turn_over(self, owner: object, held_s: float) -> bool:
        """For ``owner``, holding a slot for ``held_s`` seconds: if its turn is up and
        someone waits, give the slot up and join the back of the line (one step, so the
        count of runs that want to train never dips), and say so."""
        if held_s < self.turn_s:  # the common case, every training step: no lock
            return False
        with self._cond:
            if not self._line:
                return False
            self.in_use -= 1
            self._line.append(owner)
            self._cond.notify_all()
            return True

    def message(self) -> str:
        """The sentence a waiting run's page shows."""
        return turns_message(self.in_use + self.waiting, self.limit, self.turn_s)

    def release(self) -> None:
        with self._cond:
            self.in_use -= 1
            self._cond.notify_all()

    def leave(self, owner: object) -> None:
        """Give up a place in the line (the run paused or stopped while waiting)."""
        with self._cond:
            if owner in self._line:
                self._line.remove(owner)
                self._cond.notify_all()


SLOTS = Slots(MAX_TRAINING)  # shared by every session of the server process


def turns_message(wanting: int, limit: int, turn_s: float) -> str:
    """The sentence a page shows while its run waits for its turn."""
    return (
        f"Taking turns: {wanting} runs want to train on this server, which trains {limit} "
        f"at a time; each trains for about {turn_s:g} s, then lets the next one go."
    )


def serve_slots(conn: Connection, slots: Slots) -> None:
    """Answer one worker's ``SlotClient`` from ``slots`` until its pipe closes (the worker
    ended or died), then give back the slot or the place in line it had: a killed worker
    never keeps a slot from the others. Runs on a thread of the server."""
    owner, holding = object(), False
    try:
        while True:
            op, arg = conn.recv()
            if op == "acquire":
                result = slots.acquire(arg, owner)
                holding = result
            elif op == "turn_over":
                result = slots.turn_over(owner, arg)
                holding = holding and not result
            elif op == "release":
                result, holding = slots.release(), False
            else:  # "leave"
                result = slots.leave(owner)
            conn.send((result, slots.in_use, slots.waiting))
    except (EOFError, OSError):
        pass
    finally:
        if holding:
            slots.release()
        else:
            slots.leave(owner)
        conn.close()


class SlotClient:
    """The server's cap as a run in a worker process sees it: Slots' interface, each call a
    question over a pipe answered by ``serve_slots``. The counts are those of the last
    answer (for the message and traces). If the server is gone, the worker exits."""

    def __init__(self, conn: Connection, limit: int, turn_s: float = TURN_S) -> None:
        self.limit, self.turn_s, self.in_use, self.waiting = limit, turn_s, 0, 0
        self._conn, self._lock, self._asked_at = conn, threading.Lock(), 0.0

    def _ask(self, op: str, arg: object = None) -> Any:
        with self._lock:
            try:
                self._conn.send((op, arg))
                result, self.in_use, self.waiting = self._conn.recv()
            except (EOFError, OSError):  # the server stopped: nobody is left to train for
                os._exit(0)
        return result

    def acquire(self, timeout: float, owner: object | None = None) -> bool:
        return self._ask("acquire", timeout)

    def turn_over(self, owner: object, held_s: float) -> bool:
        # Called after every training step: past its turn a run asks whether anyone waits
        # every ASK_EVERY_S, not every step (a question costs as much as a toy step).
        now = time.monotonic()
        if held_s < self.turn_s or now - self._asked_at < ASK_EVERY_S:
            return False
        self._asked_at = now
        return self._ask("turn_over", held_s)

    def release(self) -> None:
        self._ask("release")

    def leave(self, owner: object) -> None:
        self._ask("leave")

    def message(self) -> str:
        return turns_message(self.in_use + self.waiting, self.limit, self.turn_s)


class Job:
    """A function to run on the training thread; ``done`` is set once it ran."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn, self.done, self.result, self.error = fn, threading.Event(), None, None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except Exception as err:  # handed back to the caller, who shows it
            self.error = err
        self.done.set()
