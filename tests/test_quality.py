"""Quality of the toy presets, measured: what a converged run looks like.

Sized for CI (a few seeds, the presets' own step counts); bench/quality.py measures every
seed of issue 3's targets and records them in bench/QUALITY.md.
"""

import pytest

from ganlab.config import make_config
from ganlab.train import Trainer


def final_metrics(variant: str, data: str, **mods) -> dict[str, float]:
    trainer = Trainer(make_config(variant, data, snapshot_every=10_000, **mods))
    return list(trainer.run())[-1].metrics


@pytest.mark.slow
def test_ring8_nsgan_preset_covers_every_mode() -> None:
    m = final_metrics("nsgan", "ring8", seed=0)
    assert m["modes_covered"] == 8
    assert m["high_quality_frac"] >= 0.9  # issue 3: measured 0.938 on this seed
    assert m["js_grid"] < 0.15


@pytest.mark.slow
def test_gauss1d_plain_gan_collapses_and_minibatch_discrimination_spreads_it() -> None:
    plain = final_metrics("nsgan", "gauss1d", seed=0)
    mbd = final_metrics("nsgan", "gauss1d", seed=0, minibatch_disc=True)
    assert plain["fake_std_0"] < 0.2  # a spike where N(4, 0.5) should be
    assert abs(mbd["fake_std_0"] - 0.5) <= 0.1  # within 20 % of the true spread
    assert mbd["w1"] <= 0.1 < plain["w1"]  # issue 3's bar (measured 0.072 on this seed)
    assert abs(mbd["fake_mean_0"] - 4.0) < 0.3
