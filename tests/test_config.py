"""RunConfig: presets, validation messages, JSON round-trip."""

import math

import pytest

from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import RunConfig, make_config
from ganlab.errors import ConfigError


def test_defaults_are_valid_and_round_trip_through_json() -> None:
    cfg = make_config("wgan-gp", "grid25", seed=3)
    assert RunConfig.from_json(cfg.to_json()) == cfg
    assert (cfg.loss, cfg.k, cfg.gp_weight, cfg.beta2) == ("wgan", 5, 10.0, 0.9)


def test_precedence_is_data_then_variant_then_user() -> None:
    cfg = make_config("nsgan", "gauss1d", noise_dim=3)
    assert cfg.noise == "uniform"  # from the data set's defaults
    assert cfg.noise_dim == 3  # the user wins
    assert make_config("wgan", "ring8").optimizer == "rmsprop"


def test_every_variant_builds_with_its_default_data() -> None:
    for name in VARIANTS:
        assert make_config(name).variant == name


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"lr_d": 0.0}, ["lr_d", "0", "greater than 0"]),
        ({"lr_g": -1e-3}, ["lr_g", "-0.001"]),
        ({"k": 0}, ["k is 0", "at least 1"]),
        ({"batch_size": 100_000}, ["batch_size", "100000", "at most 8192"]),
        ({"batch_size": 0}, ["batch_size", "at least 1"]),
        ({"lr_d": math.nan}, ["lr_d", "nan", "finite"]),
        ({"lr_g": math.inf}, ["lr_g", "inf", "finite"]),
        ({"k": "3"}, ["k", "'3'", "whole number"]),
        ({"k": 2.5}, ["k", "2.5", "whole number"]),
        ({"minibatch_disc": 1}, ["minibatch_disc", "true or false"]),
        ({"optimizer": "adagrad"}, ["optimizer", "adagrad", "adam, sgd, rmsprop"]),
        ({"noise": "cauchy"}, ["noise", "cauchy", "stratified"]),
        ({"pack": 3}, ["pack is 3", "multiple of pack"]),
        ({"data": "cifar10"}, ["data", "cifar10", "ring8"]),
        ({"device": "tpu"}, ["device", "tpu", "cuda"]),
        ({"depth": 99}, ["depth", "99", "at most 8"]),
        ({"maxout": 0}, ["maxout is 0", "at least 1"]),
        ({"d_depth": 9}, ["d_depth is 9", "at most 8"]),
        ({"g_ema": 1.0}, ["g_ema is 1.0", "less than 1"]),
        ({"g_ema": -0.5}, ["g_ema is -0.5", "at least 0"]),
        ({"lookahead": -1}, ["lookahead is -1", "at least 0"]),
        ({"lookahead_alpha": 0.0}, ["lookahead_alpha is 0", "greater than 0"]),
        ({"lookahead_alpha": 1.5}, ["lookahead_alpha is 1.5", "at most 1"]),
        ({"instance_noise": -0.1}, ["instance_noise is -0.1", "at least 0"]),
        ({"instance_noise_steps": -5}, ["instance_noise_steps is -5", "at least 0"]),
        (
            {"g_batchnorm": True, "batch_size": 1, "pack": 1},
            ["batch_size is 1", "g_batchnorm", "at least 2"],
        ),
        ({"nonsense": 1}, ["Unknown config field", "nonsense"]),
    ],
)
def test_bad_values_get_one_sentence_naming_field_value_and_range(changes, words) -> None:
    with pytest.raises(ConfigError) as err:
        make_config("nsgan", **{"data": "ring8", **changes})
    message = str(err.value)
    for word in words:
        assert word in message
    assert "\n" not in message and message.endswith(".")


def test_unknown_variant_and_image_only_rules() -> None:
    with pytest.raises(ConfigError, match="Unknown variant 'bigan'"):
        make_config("bigan")
    with pytest.raises(ConfigError, match="toy variants only"):
        make_config("dcgan", "mnist", pack=2)
    with pytest.raises(ConfigError, match="toy variants only"):
        make_config("dcgan", "mnist", maxout=5)
    with pytest.raises(ConfigError, match="g_ema and instance_noise apply to toy variants only"):
        make_config("infogan", "mnist", g_ema=0.999)
    with pytest.raises(ConfigError, match="turn them off for variant 'dcgan'"):
        make_config("dcgan", "mnist", instance_noise=0.1)
    with pytest.raises(ConfigError, match="data is 'ring8'"):
        make_config("dcgan", "ring8")


def test_malformed_json_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid JSON"):
        RunConfig.from_json("{data: ring8")
    with pytest.raises(ConfigError, match="JSON object"):
        RunConfig.from_json("[1, 2]")


def test_replace_validates_again() -> None:
    cfg = make_config()
    assert cfg.replace(lr_d=3e-4).lr_d == 3e-4
    with pytest.raises(ConfigError, match="k is -1"):
        cfg.replace(k=-1)
