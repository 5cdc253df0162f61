"""What comes in from outside a session, checked: shareable links, imported configs, uploads.

A link holds only what differs from the variant's preset for the data set, so it stays short
and reads like a recipe (``?variant=wgan&data=grid25&lr_d=0.0002``). Uploaded points are
validated (data/files.py) and stored by content hash where a config may name them; a link or
an imported config never names any other file on the server. A 2D set of up to 500 points
(drawn or uploaded) travels in its link as ``points=`` (points_link.py) and is stored again,
with the same checks, when the link is opened. No Streamlit here: ui.py reads
and writes ``st.query_params`` and the upload widgets.

A compare link (the playground's two runs) adds run B's differing settings as ``b.<field>``
(``?variant=nsgan&data=ring8&b.pack=4``): B is A's config with those fields replaced, on A's
data and from A's seed, so the two runs differ in nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganlab.config.controls import WIDGETS
from ganlab.config.fields import IMAGE_DATA, ROW, ROWS, TOY_DATA, Field, panel
from ganlab.config.points_link import PARAM as POINTS
from ganlab.config.points_link import decode_points, encode_points, npy_bytes
from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import RunConfig, make_config
from ganlab.data.files import read_points
from ganlab.errors import ConfigError, DataError

UPLOAD_DIR = Path(tempfile.gettempdir()) / "ganlab-uploads"
B = "b."  # the prefix of run B's parameters in a compare link
SHARED = ("data", "seed")  # B plays on A's data from A's seed
# What the playground's compare picker offers: the loss and every setting its sidebar shows.
_SIDEBAR = ("loss", *(f for name in ("game", "knobs", "modifiers", "nets") for f in panel(name)))
COMPARE_FIELDS = tuple(f for f in dict.fromkeys(_SIDEBAR) if f not in SHARED)


def config_to_params(cfg: RunConfig) -> dict[str, str]:
    """The fields that differ from the variant's preset for the data, as URL parameters.
    A run on a drawn or uploaded 2D set of up to 500 points carries the points themselves
    (``points=``, config/points_link.py); on other uploaded points it links to ring8."""
    named = cfg.data in TOY_DATA or cfg.data in IMAGE_DATA
    points = None if named else points_param(cfg.data)
    data = cfg.data if named or points else "ring8"
    preset = make_config(cfg.variant, data)
    params = {"variant": cfg.variant} if points else {"variant": cfg.variant, "data": data}
    for row in ROWS:
        value = getattr(cfg, row.name)
        if row.link and row.name not in params and value != getattr(preset, row.name):
            params[row.name] = _text(value)
    if points:
        params[POINTS] = points
    return params


@functools.lru_cache(maxsize=256)
def points_param(data: str) -> str | None:
    """The ``points=`` text of an uploaded set that fits a link, else None (an upload's
    file is named by its content, so the answer for a path never changes)."""
    path = Path(data)
    if path.suffix != ".npy" or path.resolve().parent != UPLOAD_DIR.resolve():
        return None
    try:  # memory-mapped: a large upload's shape is read, never its rows
        return encode_points(np.load(path, mmap_mode="r", allow_pickle=False))
    except (OSError, ValueError):
        return None


def config_from_params(params: dict[str, str], kind: str = "toy") -> RunConfig:
    """A config from URL parameters (raises ConfigError naming the bad parameter). ``kind``
    is the page's: "toy" (the playground) or "image" (the images page: MNIST only)."""
    values: dict[str, Any] = {}
    for name, text in params.items():
        row = ROW.get(name)
        if row is None or not row.link:
            continue  # other pages' parameters, or settings a link may not set
        values[name] = _parse(row, text, name)
    names = [name for name, variant in VARIANTS.items() if variant.kind == kind]
    variant = values.pop("variant", "nsgan" if kind == "toy" else names[0])
    if variant not in names:
        raise ConfigError(f"The link's variant is {variant!r}; choose one of: {', '.join(names)}.")
    if kind == "image":  # never a path: the server's own MNIST folder is not a link's to name
        data = values.pop("data", IMAGE_DATA[0])
        if data not in IMAGE_DATA:
            allowed = ", ".join(IMAGE_DATA)
            raise ConfigError(f"The link's data is {data!r}; choose one of: {allowed}.")
        return make_config(variant, data, **values)
    data = values.pop("data", "ring8")
    if POINTS in params:
        data = points_from_link(params[POINTS])
    elif data not in TOY_DATA:
        raise ConfigError(f"The link's data is {data!r}; choose one of: {', '.join(TOY_DATA)}.")
    return make_config(variant, data, **values)


def points_from_link(text: str) -> str:
    """Store the points a link carries as an upload of them would be (same checks, same
    content-named file); return the path a config names."""
    try:
        return save_points(npy_bytes(decode_points(text)), "link.npy")
    except DataError as err:
        raise ConfigError(str(err)) from err


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value}"


def _parse(row: Field, text: str, param: str) -> Any:
    """A link's text as the row's type (``param``: the parameter's name in the link)."""
    if row.type is bool:
        return text.lower() in ("1", "true", "yes", "on")
    try:
        return row.type(text)
    except ValueError:
        kind = row.type.__name__
        raise ConfigError(f"The link's {param} is {text!r}, which is not a valid {kind}.")


def differences(a: RunConfig, b: RunConfig) -> dict[str, Any]:
    """B's values of the settings a link may set where B differs from A (table order);
    raises ConfigError where B plays on other data or from another seed."""
    for name in SHARED:
        if getattr(a, name) != getattr(b, name):
            raise ConfigError(
                f"Runs A and B differ in {name} ({getattr(a, name)} and {getattr(b, name)}); "
                f"compared runs share {' and '.join(SHARED)}."
            )
    return {
        row.name: getattr(b, row.name)
        for row in ROWS
        if row.link and getattr(a, row.name) != getattr(b, row.name)
    }


def b_config(a: RunConfig, overrides: dict[str, Any]) -> RunConfig:
    """Run B: A's config with ``overrides`` (settings a link may set, never data or seed)."""
    for name in overrides:
        row = ROW.get(name)
        if row is None or not row.link or name in SHARED:
            raise ConfigError(
                f"Run B cannot set {name!r}; it differs from A only in settings a link may "
                f"set, and shares A's {' and '.join(SHARED)}."
            )
    return a.replace(**overrides)


def compare_to_params(a: RunConfig, b: RunConfig) -> dict[str, str]:
    """A compare link's parameters: A's as ``config_to_params``, then B's differences."""
    params = config_to_params(a)
    params.update({B + name: _text(value) for name, value in differences(a, b).items()})
    return params


def overrides_from_params(a: RunConfig, params: dict[str, str]) -> dict[str, Any]:
    """Run B's settings from a link's ``b.*`` parameters, checked against run A (raises
    ConfigError naming the bad parameter); empty for a link without any."""
    overrides: dict[str, Any] = {}
    for param, text in params.items():
        if not param.startswith(B):
            continue
        name = param.removeprefix(B)
        row = ROW.get(name)
        if row is None or not row.link or name in SHARED:
            raise ConfigError(
                f"The link's {param} names no setting run B may change; B differs from A in "
                f"settings such as {', '.join(COMPARE_FIELDS[:4])}, never in "
                f"{' or '.join(SHARED)}."
            )
        overrides[name] = _parse(row, text, param)
        try:
            b_config(a, {name: overrides[name]})
        except ConfigError as err:
            raise ConfigError(f"The link's {param} does not fit run B: {err}")
    try:
        b_config(a, overrides)
    except ConfigError as err:
        raise ConfigError(f"The link's b.* settings do not fit together in run B: {err}")
    return overrides


def compare_from_params(params: dict[str, str]) -> tuple[RunConfig, RunConfig]:
    """Runs A and B from a compare link (B is A where the link has no ``b.*``)."""
    a = config_from_params(params)
    return a, b_config(a, overrides_from_params(a, params))


def contrast(a: RunConfig, name: str) -> Any:
    """A value of setting ``name`` for run B that differs from A's and makes a valid run:
    the other side of a toggle, the next name, or the nearest larger (else smaller) of the
    values its widget offers."""
    row, value = ROW[name], getattr(a, name)
    widget = WIDGETS.get(name)
    if row.type is bool:
        candidates: list[Any] = [not value]
    elif row.type is str:
        names = list(row.choices or (widget.spec if widget else ()))
        at = names.index(value) if value in names else -1
        candidates = names[at + 1 :] + names[: max(at, 0)][::-1]
    else:
        if widget and widget.kind == "choice":
            options = sorted(widget.spec)
        elif widget and widget.kind in ("slider", "number"):
            options = list(range(int(widget.spec[0]), int(widget.spec[1]) + 1))
        else:
            options = [value / 2, value * 2]
        above, below = [o for o in options if o > value], [o for o in options if o < value]
        candidates = above + below[::-1]
    for candidate in candidates:
        try:
            b_config(a, {name: candidate})
        except ConfigError:
            continue
        return candidate
    raise ConfigError(f"No other value of {name} makes a valid run B beside A's {value}.")


def save_points(raw: bytes, name: str) -> str:
    """Validate uploaded points and store them where a config can name them (by content)."""
    points = read_points(raw, name)
    UPLOAD_DIR.mkdir(exist_ok=True)
    path = UPLOAD_DIR / f"{hashlib.sha256(points.tobytes()).hexdigest()[:16]}.npy"
    if not path.exists():
        np.save(path, points)
    return str(path)


def check_data_source(data: str) -> None:
    """A config from outside may name a data set or a file uploaded here, never another path
    on the server (whose numbers the page would then draw for anyone)."""
    named = data in TOY_DATA or data in IMAGE_DATA
    if named or Path(data).resolve().parent == UPLOAD_DIR.resolve():
        return
    raise ConfigError(
        f"data is {data!r}: a config may name {', '.join(TOY_DATA + IMAGE_DATA)}; for your own "
        "points, upload the file on the page."
    )


# ----- the links of the pages whose settings are plain widgets (theory, latent, augment) -----


@dataclass(frozen=True)
class LinkParam:
    """One setting such a page's link may carry: its name in the URL, type, default, and the
    allowed choices or inclusive range (type ``list``: a comma-separated list of choices).
    ``key`` is the page's widget key after its prefix, where that is not ``name``."""

    name: str
    type: type
    default: Any
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    key: str = ""

    @property
    def widget(self) -> str:
        return self.key or self.name

    def parse(self, text: str) -> Any:
        """The value ``text`` stands for; ConfigError names the parameter and what it allows."""
        name = self.name
        if self.type is list:
            value: Any = [item.strip() for item in text.split(",") if item.strip()]
            if not value or len(set(value)) < len(value) or set(value) - set(self.choices):
                allowed = ", ".join(self.choices)
                raise ConfigError(f"The link's {name} is {text!r}; choose some of: {allowed}.")
            return value
        try:
            value = self.type(text)
        except ValueError:
            kind = self.type.__name__
            raise ConfigError(f"The link's {name} is {text!r}, which is not a valid {kind}.")
        if self.choices and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise ConfigError(f"The link's {name} is {text!r}; choose one of: {allowed}.")
        if self.low is not None and self.high is not None and not self.low <= value <= self.high:
            raise ConfigError(
                f"The link's {name} is {text!r}; it must be from {self.low:,} to {self.high:,}."
            )
        return value


def link_text(value: Any) -> str:
    """A setting's value as a link writes it: lists comma-separated, booleans lower case."""
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else _text(value)


def read_link(
    params: dict[str, str], spec: tuple[LinkParam, ...]
) -> tuple[dict[str, Any], list[str]]:
    """The values a link gives a page's settings (by widget key) and one sentence per bad
    parameter, whose setting is left alone; other pages' parameters are ignored."""
    values: dict[str, Any] = {}
    errors: list[str] = []
    for param in spec:
        if param.name in params:
            try:
                values[param.widget] = param.parse(params[param.name])
            except ConfigError as err:
                errors.append(str(err))
    return values, errors


def page_params(values: dict[str, Any], spec: tuple[LinkParam, ...]) -> dict[str, str]:
    """A page's settings (by widget key) as its link's parameters: the ones that differ from
    their defaults and that a link can carry (not an uploaded model, say)."""
    params = {}
    for param in spec:
        value = values.get(param.widget, param.default)
        text = link_text(value)
        if value == param.default:
            continue
        try:
            param.parse(text)
        except ConfigError:
            continue
        params[param.name] = text
    return params
