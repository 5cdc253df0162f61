"""The settings of one run: a frozen dataclass built from the settings table, its
validation, and JSON round-trip.

Every knob a page or the command line shows is a field here, so a run is fully described
by its config (and reproduced by it, with the seed, on CPU). The fields, their types,
defaults, ranges and choices are the rows of fields.py; this module adds the rules between
fields (pack divides the batch, memory caps, toy-only settings on image variants) by hand.
Validation happens once, at construction, and raises ``ConfigError`` with one sentence naming
field, value and range. This module does not build nets or touch data; it only knows names.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from ganlab.config.fields import IMAGE_DATA, ROW, ROWS, TOY_DATA, Field, changed
from ganlab.config.presets import DATA_DEFAULTS, VARIANTS
from ganlab.errors import ConfigError

# Memory caps that hold on any device, so that MAX_TRAINING (threads.py) runs fit in a few
# GB together. Minibatch discrimination compares every pair in a batch: batch^2 x 15 floats
# (batch 1024: 60 MB, with its gradient; batch 8192: 4 GB). An image net's activations grow
# with batch x width (hidden is the channel count at 14x14): 1024 x 128 needs about 1 GB.
MAX_PAIRWISE_BATCH = 1024
MAX_IMAGE_BATCH_X_WIDTH = 1024 * 128
MAX_CONFIG_CHARS = 100_000  # a config is about 700 characters of JSON


class _Settings:
    """RunConfig's methods; its fields are the rows of fields.py (``config_class``)."""

    _rows: dict[str, Field] = {}  # name: row, set by config_class

    def __post_init__(self) -> None:
        _validate(self)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some fields changed (validated again)."""
        _check_names(changes, self._rows)
        return dataclasses.replace(self, **changes)

    @property
    def kind(self) -> str:
        """``toy`` for points in 1D/2D, ``image`` for digits."""
        return VARIANTS[self.variant].kind

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        if not isinstance(values, dict):
            raise ConfigError("The config must be a JSON object of field names to values.")
        _check_names(values, cls._rows)
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        return cls.from_dict(parse_json(text))


def config_class(rows: tuple[Field, ...] = ROWS, name: str = "RunConfig") -> type:
    """A frozen dataclass with one field per row, in table order, validated at construction."""
    cls = dataclasses.make_dataclass(
        name,
        [(row.name, row.type, dataclasses.field(default=row.default)) for row in rows],
        bases=(_Settings,),
        frozen=True,
    )
    cls.__module__ = __name__  # so that it pickles, and reads as ours in tracebacks
    cls.__doc__ = "One GAN run. Defaults are the ring8 / nsgan run that converges in seconds."
    cls._rows = {row.name: row for row in rows}  # what validation checks
    return cls


RunConfig = config_class()
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


def _check_names(values: dict[str, Any], rows: dict[str, Field] = ROW) -> None:
    unknown = [name for name in values if name not in rows]
    if unknown:
        raise ConfigError(
            f"Unknown config field {unknown[0]!r}; known fields are: {', '.join(rows)}."
        )


def _validate(cfg: Any) -> None:
    rows = cfg._rows.values()
    for row in rows:
        _check_type(row.name, getattr(cfg, row.name), row.type)
    for row in rows:
        if row.choices:
            _one_of(row.name, getattr(cfg, row.name), row.choices)
    kind = VARIANTS[cfg.variant].kind
    is_file = cfg.data.lower().endswith((".csv", ".npy"))
    if kind == "image":
        _one_of("data", cfg.data, IMAGE_DATA)
    elif not is_file and cfg.data not in TOY_DATA:
        raise ConfigError(
            f"data is {cfg.data!r}; choose one of {', '.join(TOY_DATA)}, "
            "or a path ending in .csv or .npy."
        )
    for row in rows:
        if row.low is not None and row.high is not None:
            value = getattr(cfg, row.name)
            _in_range(row.name, value, row.low, row.high, row.low_open, row.high_open)
    if cfg.batch_size % cfg.pack:
        raise ConfigError(
            f"batch_size is {cfg.batch_size} but pack is {cfg.pack}; "
            "the batch size must be a multiple of pack so D can judge whole packs."
        )
    if cfg.g_batchnorm and cfg.batch_size < 2:
        raise ConfigError(
            "batch_size is 1 with g_batchnorm, whose batch statistics need at least 2 "
            "samples; use a batch of 2 or more, or turn g_batchnorm off."
        )
    if cfg.minibatch_disc and cfg.batch_size > MAX_PAIRWISE_BATCH:
        raise ConfigError(
            f"batch_size is {cfg.batch_size} with minibatch_disc, which compares every pair of "
            f"samples; it must be at most {MAX_PAIRWISE_BATCH} to fit in memory."
        )
    if kind == "image" and cfg.batch_size * cfg.hidden > MAX_IMAGE_BATCH_X_WIDTH:
        raise ConfigError(
            f"batch_size x hidden is {cfg.batch_size} x {cfg.hidden} for the image GAN "
            f"{cfg.variant!r}; it must be at most {MAX_IMAGE_BATCH_X_WIDTH:,} (e.g. 1024 x 128) "
            "so that its activations fit in memory (about 1 GB) on any device."
        )
    toy_only = tuple(row for row in rows if row.toy_only)
    if kind == "image" and changed(cfg, toy_only):
        names = [row.name for row in toy_only]
        raise ConfigError(
            f"{', '.join(names[:-1])} and {names[-1]} apply to toy variants only; "
            f"turn them off for variant {cfg.variant!r}."
        )


def _check_type(name: str, value: Any, expected: type) -> None:
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
