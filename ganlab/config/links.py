"""What comes in from outside a session, checked: shareable links, imported configs, uploads.

A link holds only what differs from the variant's preset for the data set, so it stays short
and reads like a recipe (``?variant=wgan&data=grid25&lr_d=0.0002``). Uploaded points are
validated (data/files.py) and stored by content hash where a config may name them; a link or
an imported config never names any other file on the server. No Streamlit here: ui.py reads
and writes ``st.query_params`` and the upload widgets.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ganlab.config.fields import ROW, ROWS, TOY_DATA
from ganlab.config.run_config import RunConfig, make_config
from ganlab.data.files import read_points
from ganlab.errors import ConfigError

UPLOAD_DIR = Path(tempfile.gettempdir()) / "ganlab-uploads"


def config_to_params(cfg: RunConfig) -> dict[str, str]:
    """The fields that differ from the variant's preset for the data, as URL parameters.
    A run on uploaded points links to the same settings on ring8."""
    data = cfg.data if cfg.data in TOY_DATA else "ring8"
    preset = make_config(cfg.variant, data)
    params = {"variant": cfg.variant, "data": data}
    for row in ROWS:
        value = getattr(cfg, row.name)
        if row.link and row.name not in params and value != getattr(preset, row.name):
            params[row.name] = str(value).lower() if isinstance(value, bool) else f"{value}"
    return params


def config_from_params(params: dict[str, str]) -> RunConfig:
    """A config from URL parameters (raises ConfigError naming the bad parameter)."""
    values: dict[str, Any] = {}
    for name, text in params.items():
        row = ROW.get(name)
        if row is None or not row.link:
            continue  # other pages' parameters, or settings a link may not set
        try:
            if row.type is bool:
                values[name] = text.lower() in ("1", "true", "yes", "on")
            else:
                values[name] = row.type(text)
        except ValueError:
            kind = row.type.__name__
            raise ConfigError(f"The link's {name} is {text!r}, which is not a valid {kind}.")
    data = values.pop("data", "ring8")
    if data not in TOY_DATA:
        raise ConfigError(f"The link's data is {data!r}; choose one of: {', '.join(TOY_DATA)}.")
    return make_config(values.pop("variant", "nsgan"), data, **values)


def save_points(raw: bytes, name: str) -> str:
    """Validate uploaded points and store them where a config can name them (by content)."""
    points = read_points(raw, name)
    UPLOAD_DIR.mkdir(exist_ok=True)
    path = UPLOAD_DIR / f"{hashlib.sha256(points.tobytes()).hexdigest()[:16]}.npy"
    if not path.exists():
        np.save(path, points)
    return str(path)


def check_data_source(data: str) -> None:
    """A config from outside may name a toy set or a file uploaded here, never another path
    on the server (whose numbers the page would then draw for anyone)."""
    if data in TOY_DATA or Path(data).resolve().parent == UPLOAD_DIR.resolve():
        return
    raise ConfigError(
        f"data is {data!r}: a config may name {', '.join(TOY_DATA)}; for your own points, "
        "upload the file on the page."
    )
