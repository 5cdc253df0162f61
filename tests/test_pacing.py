"""The publishing schedule of a playing run (ganlab/live/pacing.py): pictures and metrics keep to
their share of the wall clock, and the steps/s shown is measured over the last second."""

from __future__ import annotations

import pytest

from ganlab.live.pacing import (
    FRAME_EVERY_S,
    IMAGE_METRICS_MAX_S,
    MAX_VIEW_HZ,
    METRICS_MAX_S,
    METRICS_MIN_S,
    METRICS_SHARE,
    SCALARS_EVERY_S,
    VIEW_MAX_S,
    VIEW_SHARE,
    Pacer,
)


def test_metrics_take_their_share_within_bounds():
    pace = Pacer()
    pace.published(view=False, metrics=True, started=100.0, cost=0.06)  # 0.06 / 0.03 = 2 s
    assert pace.next_metrics == pytest.approx(100.0 + 0.06 / METRICS_SHARE)
    pace.published(view=False, metrics=True, started=200.0, cost=0.001)
    assert pace.next_metrics == pytest.approx(200.0 + METRICS_MIN_S)
    pace.published(view=False, metrics=True, started=300.0, cost=3.0)
    assert pace.next_metrics == pytest.approx(300.0 + METRICS_MAX_S)
    digits = Pacer(image=True)
    digits.published(view=False, metrics=True, started=0.0, cost=3.0)
    assert digits.next_metrics == pytest.approx(IMAGE_METRICS_MAX_S)


def test_pictures_at_most_ten_a_second_and_within_their_share():
    pace = Pacer()
    pace.next_metrics = 1e9  # metrics not due: only pictures and loss points
    assert pace.publish_due(0.0, slow_motion=False, view_wanted=True) == "view"
    pace.published(view=True, metrics=False, started=0.0, cost=0.001)
    assert pace.next_view == pytest.approx(1 / MAX_VIEW_HZ)
    assert pace.publish_due(0.05, slow_motion=False, view_wanted=True) is None
    assert pace.publish_due(0.11, slow_motion=False, view_wanted=True) == "view"
    pace.published(view=True, metrics=False, started=1.0, cost=0.04)  # 0.04 / 0.08 = 0.5 s
    assert pace.next_view == pytest.approx(1.0 + 0.04 / VIEW_SHARE)
    pace.published(view=True, metrics=False, started=2.0, cost=0.5)
    assert pace.next_view == pytest.approx(2.0 + VIEW_MAX_S)
    # nobody looking: no picture, but the loss history still gets its points
    assert pace.publish_due(2.6, slow_motion=False, view_wanted=False) == "scalars"
    pace.published(view=False, metrics=False, started=2.6, cost=0.003)
    assert pace.publish_due(2.7, slow_motion=False, view_wanted=False) is None
    assert pace.next_scalars == pytest.approx(2.6 + SCALARS_EVERY_S)
    # slow motion: a picture after every step
    assert pace.publish_due(2.7, slow_motion=True, view_wanted=False) == "view"


def test_metrics_come_before_pictures_and_wait_after_a_measured_pause():
    pace = Pacer()
    assert pace.publish_due(pace.next_metrics, slow_motion=True, view_wanted=True) == "metrics"
    pace.published(view=False, metrics=True, started=10.0, cost=0.06)
    pace.delay_metrics(50.0)
    assert pace.next_metrics == pytest.approx(50.0 + 0.06 / METRICS_SHARE)


def test_frames_every_quarter_second_and_the_rate_over_the_last_second():
    pace = Pacer()
    assert pace.frame_due(0.0) and not pace.frame_due(FRAME_EVERY_S / 2)
    assert pace.frame_due(FRAME_EVERY_S)
    for i in range(31):  # 100 steps/s for 0.3 s
        pace.tick(i / 100, i)
    assert pace.rate == pytest.approx(100.0)
    for i in range(1, 11):  # then 10 steps/s for 2 s: the old rate is forgotten
        pace.tick(0.3 + i * 0.2, 30 + 2 * i)
    assert pace.rate == pytest.approx(10.0)
    pace.restart()
    assert pace.rate == 0.0
