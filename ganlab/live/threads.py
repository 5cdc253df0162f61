"""Thread plumbing for the runner: a cap on concurrent training threads, and work handed to
a training thread together with a way to wait for its result.

Kept apart from runner.py so that the runner reads as the training loop it drives.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import Any


def cpu_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, which may be fewer than
    the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


MAX_TRAINING = max(2, min(8, 2 * cpu_cores()))  # runs training at once per server
# How long a thread may hold the interpreter lock while others want it (Python's default is
# 5 ms). Training threads are busy in Python between small tensor ops; at 5 ms the server's
# event loop, which needs the lock back after every socket read and write, queued behind
# each of them in turn: with five tabs playing on 2 cores a sixth page did not load in 180 s
# (its static files trickled out). At 0.5 ms six tabs were all playing within 50 s.
SWITCH_INTERVAL_S = 0.0005
TURN_S = 2.0  # while others wait, a run hands its slot on after training this long


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
        return (
            f"Taking turns: {self.in_use + self.waiting} runs want to train on this server, "
            f"which trains {self.limit} at a time; each trains for about {self.turn_s:g} s, "
            "then lets the next one go."
        )

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
