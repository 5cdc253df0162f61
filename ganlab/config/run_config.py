"""The settings of one run: a frozen dataclass, its validation, and JSON round-trip.

Every knob a page or the command line shows is a field here, so a run is fully described
by its config (and reproduced by it, with the seed, on CPU). Validation happens once, at
construction, and raises ``ConfigError`` with one sentence naming field, value and range.
This module does not build nets or touch data; it only knows names.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

from ganlab.config.presets import DATA_DEFAULTS, VARIANTS
from ganlab.errors import ConfigError

TOY_DATA = ("gauss1d", "ring8", "grid25", "spiral", "moons")
IMAGE_DATA = ("mnist",)
LOSS_NAMES = ("minimax", "nsgan", "lsgan", "wgan", "hinge")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
NOISES = ("uniform", "normal", "stratified")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu", "softplus")
DEVICES = ("auto", "cpu", "cuda", "mps")

MAX_BATCH = 8192
MAX_HIDDEN = 1024
MAX_DEPTH = 8
MAX_STEPS = 10_000_000
# Memory caps that hold on any device, so that MAX_TRAINING (threads.py) runs fit in a few
# GB together. Minibatch discrimination compares every pair in a batch: batch^2 x 15 floats
# (batch 1024: 60 MB, with its gradient; batch 8192: 4 GB). An image net's activations grow
# with batch x width (hidden is the channel count at 14x14): 1024 x 128 needs about 1 GB.
MAX_PAIRWISE_BATCH = 1024
MAX_IMAGE_BATCH_X_WIDTH = 1024 * 128
MAX_CONFIG_CHARS = 100_000  # a config is about 700 characters of JSON


@dataclass(frozen=True)
class RunConfig:
    """One GAN run. Defaults are the ring8 / nsgan run that converges in seconds."""

    data: str = "ring8"
    variant: str = "nsgan"
    loss: str = "nsgan"
    k: int = 1
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    batch_size: int = 256
    optimizer: str = "adam"
    beta1: float = 0.5
    beta2: float = 0.999
    lr_decay: float = 1.0
    lr_decay_every: int = 1000
    noise_dim: int = 2
    noise: str = "normal"
    hidden: int = 128
    depth: int = 2
    d_depth: int = 0
    activation: str = "relu"
    g_batchnorm: bool = False
    maxout: int = 1
    g_ema: float = 0.0
    lookahead: int = 0
    lookahead_alpha: float = 0.5
    minibatch_disc: bool = False
    pack: int = 1
    unrolled: int = 0
    instance_noise: float = 0.0
    instance_noise_steps: int = 0
    clip: float = 0.0
    gp_weight: float = 0.0
    r1: float = 0.0
    info_lambda: float = 1.0
    mnist_dir: str = ""
    seed: int = 0
    device: str = "auto"
    steps: int = 3000
    snapshot_every: int = 100

    def __post_init__(self) -> None:
        _validate(self)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some fields changed (validated again)."""
        _check_names(changes)
        return dataclasses.replace(self, **changes)

    @property
    def kind(self) -> str:
        """``toy`` for points in 1D/2D, ``image`` for digits."""
        return VARIANTS[self.variant].kind

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        if not isinstance(values, dict):
            raise ConfigError("The config must be a JSON object of field names to values.")
        _check_names(values)
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        return cls.from_dict(parse_json(text))


FIELDS = {f.name: f for f in dataclasses.fields(RunConfig)}


def parse_json(text: str, label: str = "The config") -> Any:
    """JSON text as Python values, or one sentence: also for text too long or too deeply
    nested to parse, and for numbers too long to convert (both raise outside JSONDecodeError).
    """
    if len(text) > MAX_CONFIG_CHARS:
        raise ConfigError(
            f"{label} is {len(text):,} characters long; a config is at most {MAX_CONFIG_CHARS:,}."
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{label} is not valid JSON ({err.msg} at line {err.lineno}).")
    except (ValueError, RecursionError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else "a number too long"
        raise ConfigError(f"{label} is not usable JSON ({reason}).")


def make_config(variant: str = "nsgan", data: str | None = None, **overrides: Any) -> RunConfig:
    """Build a config from a variant preset, the data set's defaults and the user's values.

    Order of precedence (later wins): dataclass defaults, ``DATA_DEFAULTS[data]``, the
    variant's defaults, ``overrides``. Overrides that are ``None`` are ignored, so CLI flags
    that were not given leave the preset alone.
    """
    for name, value in (("variant", variant), ("data", data)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{name} is {value!r} ({type(value).__name__}); it must be text.")
    if variant not in VARIANTS:
        raise ConfigError(f"Unknown variant {variant!r}; choose one of: {', '.join(VARIANTS)}.")
    preset = VARIANTS[variant]
    if data is None:
        data = "mnist" if preset.kind == "image" else "ring8"
    values: dict[str, Any] = {"variant": variant, "data": data}
    values.update(DATA_DEFAULTS.get(data, {}))
    values.update(preset.defaults)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return RunConfig.from_dict(values)


def _check_names(values: dict[str, Any]) -> None:
    unknown = [name for name in values if name not in FIELDS]
    if unknown:
        raise ConfigError(
            f"Unknown config field {unknown[0]!r}; known fields are: {', '.join(FIELDS)}."
        )


def _validate(c: RunConfig) -> None:
    for f in dataclasses.fields(c):
        _check_type(f.name, getattr(c, f.name), f.type)
    _one_of("variant", c.variant, tuple(VARIANTS))
    _one_of("loss", c.loss, LOSS_NAMES)
    _one_of("optimizer", c.optimizer, OPTIMIZERS)
    _one_of("noise", c.noise, NOISES)
    _one_of("activation", c.activation, ACTIVATIONS)
    _one_of("device", c.device, DEVICES)
    kind = VARIANTS[c.variant].kind
    is_file = c.data.lower().endswith((".csv", ".npy"))
    if kind == "image":
        _one_of("data", c.data, IMAGE_DATA)
    elif not is_file and c.data not in TOY_DATA:
        raise ConfigError(
            f"data is {c.data!r}; choose one of {', '.join(TOY_DATA)}, "
            "or a path ending in .csv or .npy."
        )
    _in_range("k", c.k, 1, 100)
    _in_range("lr_d", c.lr_d, 0.0, 10.0, low_open=True)
    _in_range("lr_g", c.lr_g, 0.0, 10.0, low_open=True)
    _in_range("batch_size", c.batch_size, 1, MAX_BATCH)
    _in_range("beta1", c.beta1, 0.0, 1.0, high_open=True)
    _in_range("beta2", c.beta2, 0.0, 1.0, high_open=True)
    _in_range("lr_decay", c.lr_decay, 0.0, 1.0, low_open=True)
    _in_range("lr_decay_every", c.lr_decay_every, 1, MAX_STEPS)
    _in_range("noise_dim", c.noise_dim, 1, 256)
    _in_range("hidden", c.hidden, 1, MAX_HIDDEN)
    _in_range("depth", c.depth, 1, MAX_DEPTH)
    _in_range("d_depth", c.d_depth, 0, MAX_DEPTH)
    _in_range("maxout", c.maxout, 1, 16)
    _in_range("g_ema", c.g_ema, 0.0, 1.0, high_open=True)
    _in_range("lookahead", c.lookahead, 0, MAX_STEPS)
    _in_range("lookahead_alpha", c.lookahead_alpha, 0.0, 1.0, low_open=True)
    _in_range("pack", c.pack, 1, 16)
    _in_range("unrolled", c.unrolled, 0, 20)
    _in_range("instance_noise", c.instance_noise, 0.0, 10.0)
    _in_range("instance_noise_steps", c.instance_noise_steps, 0, MAX_STEPS)
    _in_range("clip", c.clip, 0.0, 10.0)
    _in_range("gp_weight", c.gp_weight, 0.0, 1000.0)
    _in_range("r1", c.r1, 0.0, 1000.0)
    _in_range("info_lambda", c.info_lambda, 0.0, 100.0)
    _in_range("seed", c.seed, 0, 2**31 - 1)
    _in_range("steps", c.steps, 1, MAX_STEPS)
    _in_range("snapshot_every", c.snapshot_every, 1, MAX_STEPS)
    if c.batch_size % c.pack:
        raise ConfigError(
            f"batch_size is {c.batch_size} but pack is {c.pack}; "
            "the batch size must be a multiple of pack so D can judge whole packs."
        )
    if c.g_batchnorm and c.batch_size < 2:
        raise ConfigError(
            "batch_size is 1 with g_batchnorm, whose batch statistics need at least 2 "
            "samples; use a batch of 2 or more, or turn g_batchnorm off."
        )
    if c.minibatch_disc and c.batch_size > MAX_PAIRWISE_BATCH:
        raise ConfigError(
            f"batch_size is {c.batch_size} with minibatch_disc, which compares every pair of "
            f"samples; it must be at most {MAX_PAIRWISE_BATCH} to fit in memory."
        )
    if kind == "image" and c.batch_size * c.hidden > MAX_IMAGE_BATCH_X_WIDTH:
        raise ConfigError(
            f"batch_size x hidden is {c.batch_size} x {c.hidden} for the image GAN "
            f"{c.variant!r}; it must be at most {MAX_IMAGE_BATCH_X_WIDTH:,} (e.g. 1024 x 128) "
            "so that its activations fit in memory (about 1 GB) on any device."
        )
    if kind == "image" and (
        c.pack > 1
        or c.unrolled
        or c.minibatch_disc
        or c.g_batchnorm
        or c.maxout > 1
        or c.g_ema
        or c.instance_noise
    ):
        raise ConfigError(
            "pack, unrolled, minibatch_disc, g_batchnorm, maxout, g_ema and instance_noise apply "
            f"to toy variants only; turn them off for variant {c.variant!r}."
        )


def _check_type(name: str, value: Any, annotation: Any) -> None:
    expected = {"int": int, "float": float, "str": str, "bool": bool}[str(annotation)]
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ConfigError(
            f"{name} is {value!r} ({type(value).__name__}); it must be {_TYPE_WORDS[expected]}."
        )


_TYPE_WORDS = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} is {value!r}; choose one of: {', '.join(allowed)}.")


def _in_range(
    name: str,
    value: float,
    low: float,
    high: float,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name} is {value}; it must be a finite number.")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        lo = f"greater than {_num(low)}" if low_open else f"at least {_num(low)}"
        hi = f"less than {_num(high)}" if high_open else f"at most {_num(high)}"
        raise ConfigError(f"{name} is {value}; it must be {lo} and {hi}.")


def _num(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"  # 2147483647, not 2.14748e+09
