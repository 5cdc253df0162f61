"""Thread plumbing for the runner: a cap on concurrent training threads, and work handed to
a training thread together with a way to wait for its result.

Kept apart from runner.py so that the runner reads as the training loop it drives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

MAX_TRAINING = 8  # runs training at once in one server process


class Slots:
    """A counting cap on concurrent training threads, with a count for the waiting message."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._sem = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.in_use = 0

    def acquire(self, timeout: float) -> bool:
        ok = self._sem.acquire(timeout=timeout)
        if ok:
            with self._lock:
                self.in_use += 1
        return ok

    def release(self) -> None:
        with self._lock:
            self.in_use -= 1
        self._sem.release()


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
