"""When a playing run stops to publish: a picture, metrics, a loss point, a GIF frame.

A picture (points, D on a grid) costs several training steps and metrics (5,000 samples)
more, so the training thread takes them on a budget of the wall clock: a picture only when
the page has asked for one, at most MAX_VIEW_HZ times a second and within VIEW_SHARE of the
time; metrics within METRICS_SHARE (see bench/INAPP.md). Between pictures the loss history
still gets a point every SCALARS_EVERY_S. A Pacer also keeps the steps/s the page shows.
It only reads clocks and step counts; ganlab/runner.py acts on what it says.
"""

from __future__ import annotations

import time

MAX_VIEW_HZ = 10.0
VIEW_SHARE = 0.08  # at most this share of the wall clock goes to pictures
METRICS_SHARE = 0.03
METRICS_MIN_S, METRICS_MAX_S = 0.5, 5.0  # the budget bends so that a busy machine still
VIEW_MAX_S = 1.0  # animates (a picture every second) and measures (every 5 s)
SCALARS_EVERY_S = 0.5  # loss/D(x) history points between pictures (a snapshot costs ~3-7 ms)
FRAME_EVERY_S = 0.25  # GIF frames: G's samples of a fixed noise batch
# Digits: their score (500 samples through the classifier, 1-3 s on a busy CPU) may wait up
# to this long so that it stays near its share of the clock.
IMAGE_METRICS_MAX_S = 12.0


class Meter:
    """A wall-clock rate (steps or slow motion's stages per second) over the last second or
    so, or over the last two ticks where those are further apart."""

    def __init__(self) -> None:
        self.rate = 0.0
        self._clock: list[tuple[float, int]] = []

    def tick(self, now: float, count: int) -> None:
        self._clock.append((now, count))
        while len(self._clock) > 2 and now - self._clock[0][0] > 1.0:
            self._clock.pop(0)
        (t0, s0), (t1, s1) = self._clock[0], self._clock[-1]
        if t1 > t0:
            self.rate = (s1 - s0) / (t1 - t0)

    def restart(self) -> None:
        self.rate, self._clock = 0.0, []


class Pacer(Meter):
    """The schedule of one run's publishing (times from ``time.perf_counter``); as a Meter,
    its steps/s (pictures included: what you get)."""

    def __init__(self, image: bool = False) -> None:
        super().__init__()
        self.metrics_max_s = IMAGE_METRICS_MAX_S if image else METRICS_MAX_S
        self.metrics_gap = METRICS_MIN_S
        self.next_view = self.next_scalars = self.next_frame = 0.0
        self.next_metrics = time.perf_counter() + METRICS_MIN_S

    def frame_due(self, now: float) -> bool:
        """Whether to record a GIF frame now (and, if so, when the next one is due)."""
        if now < self.next_frame:
            return False
        self.next_frame = now + FRAME_EVERY_S
        return True

    def publish_due(self, now: float, slow_motion: bool, view_wanted: bool) -> str | None:
        """What to publish after this step: "metrics", "view", "scalars" or nothing. In slow
        motion every step gets a picture."""
        if now >= self.next_metrics:
            return "metrics"
        if slow_motion or (view_wanted and now >= self.next_view):
            return "view"
        if now >= self.next_scalars:
            return "scalars"
        return None

    def published(self, view: bool, metrics: bool, started: float, cost: float) -> None:
        """A snapshot (with a picture, metrics, both or neither) began at ``started`` and
        took ``cost`` seconds: the next ones of its kind wait their share of the clock."""
        self.next_scalars = started + SCALARS_EVERY_S
        if metrics:  # spaced so that, at ``cost`` seconds each, they take METRICS_SHARE
            self.metrics_gap = min(max(METRICS_MIN_S, cost / METRICS_SHARE), self.metrics_max_s)
            self.next_metrics = started + self.metrics_gap
        elif view:
            self.next_view = started + min(max(1 / MAX_VIEW_HZ, cost / VIEW_SHARE), VIEW_MAX_S)

    def delay_metrics(self, now: float) -> None:
        """Play from a state already measured: the next metrics wait their turn."""
        self.next_metrics = now + self.metrics_gap
