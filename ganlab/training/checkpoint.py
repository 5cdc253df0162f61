"""Save and load a run (weights, optimizer states, step and config) so that a file can't lie.

A checkpoint is a plain dict of tensors and primitives written with ``torch.save`` and read
with ``torch.load(weights_only=True)``, which refuses pickled code: a hostile file is an
error message, never executed. Whatever bytes a file holds, reading it returns what ganlab
saved or raises one CheckpointError sentence that names the file:

- the zip's CRC-32s are checked first (torch reads members without checking them);
- format 2 carries a SHA-256 digest of the config and of every tensor and number in the
  state, so a changed byte anywhere in the content is refused as corrupt. The digest detects
  damage, not forgery: anyone can write a file with a matching digest, and weights_only is
  what keeps such a file harmless;
- the structure is checked key by key, and the weights must load into the config's nets.

Format 1 files (written before digests) still load, checked by their CRCs and structure.
config.json and metrics.json sit beside the checkpoint for people; they are never read back.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import torch

from ganlab.config.run_config import RunConfig
from ganlab.device import resolve_device
from ganlab.errors import CheckpointError, GanlabError
from ganlab.training.locate import CHECKPOINT, checkpoint_file
from ganlab.training.trainer import Trainer

__all__ = ["CHECKPOINT", "FORMAT", "digest", "load_trainer", "read_checkpoint", "save_run", "seal"]

FORMAT = "ganlab-checkpoint-2"
FORMAT_1 = "ganlab-checkpoint-1"  # no digest; read, never written
DIGEST = "digest"
NETS = ("g", "d")
OPTIMIZERS = ("opt_g", "opt_d")
_UNREADABLE = "is not a readable ganlab checkpoint (corrupt, truncated or not weights-only"


def save_run(trainer: Trainer, out_dir: str | Path, metrics: dict[str, Any] | None = None) -> Path:
    """Write DIR/checkpoint.pt, DIR/config.json and (if given) DIR/metrics.json."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = seal({"config": trainer.cfg.to_dict(), **trainer.state_dict()})
    tmp = out / (CHECKPOINT + ".tmp")
    torch.save(state, tmp)
    tmp.replace(out / CHECKPOINT)  # a crash mid-write never leaves a half checkpoint
    (out / "config.json").write_text(trainer.cfg.to_json() + "\n")
    if metrics is not None:
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return out / CHECKPOINT


def seal(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` (config, weights, optimizers, step...) stamped with the current format and
    its digest, ready for torch.save; any format or digest it had is replaced."""
    body = {k: v for k, v in state.items() if k not in ("format", DIGEST)}
    return {"format": FORMAT, **body, DIGEST: digest(body)}


def digest(state: dict[str, Any]) -> str:
    """SHA-256 (hex) of a checkpoint's content: the config as canonical JSON, then every other
    entry in sorted key order, nested dicts and lists included, tensors as dtype, shape and
    contiguous CPU bytes. ``format`` and the digest itself are left out."""
    h = hashlib.sha256()
    _feed(h, json.dumps(state.get("config"), sort_keys=True))
    for key in sorted(k for k in state if k not in ("format", DIGEST, "config")):
        _feed(h, key)
        _feed(h, state[key])
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, torch.Tensor):
        flat = value.detach().cpu().contiguous().reshape(-1)
        h.update(f"T{flat.dtype}{tuple(value.shape)}:".encode())
        h.update(flat.view(torch.uint8).numpy())  # the raw bytes, whatever the dtype
    elif isinstance(value, dict):  # OrderedDict too: the order of keys is not content
        h.update(f"{{{len(value)}:".encode())
        for key in sorted(value, key=lambda k: (type(k).__name__, repr(k))):
            _feed(h, key)
            _feed(h, value[key])
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}:".encode())
        for item in value:
            _feed(h, item)
    else:  # None, bool, int, float, str and torch's dtype/device: repr is exact and stable
        text = repr(value)
        h.update(f"{type(value).__name__}{len(text)}:{text}".encode())


def read_checkpoint(source: str | Path, label: str | None = None) -> dict[str, Any]:
    """The checkpoint dict from a run folder, a .pt file or ``pretrained:NAME``, verified.
    ``label`` names the file in messages (an upload's name rather than its temporary path).
    """
    path, shown = checkpoint_file(source)
    who = repr(label or shown)
    _check_zip(path, who)
    try:
        with warnings.catch_warnings():  # about odd pickles: the verdict below says enough
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # hostile bytes make the unpickler raise almost any type
        raise CheckpointError(f"{who} {_UNREADABLE}: {_first_line(err)}).")
    if not isinstance(state, dict) or state.get("format") not in (FORMAT, FORMAT_1):
        raise CheckpointError(f"{who} is a PyTorch file but not a ganlab checkpoint.")
    if not isinstance(state.get("config"), dict):
        raise CheckpointError(f"{who} has no run config; it was not written by ganlab.")
    if state["format"] == FORMAT:
        _check_digest(state, who)
    _check_structure(state, who)
    return state


def load_trainer(
    source: str | Path | dict[str, Any],
    device: torch.device | None = None,
    label: str | None = None,
) -> Trainer:
    """Rebuild the trainer of a saved run, with its weights, optimizers and step (from a
    source for read_checkpoint, or a dict it returned; ``label`` names it in messages).
    Weights that are not finite are refused: the nets would draw nothing but NaN."""
    if isinstance(source, dict):
        state, who = source, repr(label) if label else "the checkpoint"
        _check_structure(state, who)
    else:
        state = read_checkpoint(source, label)
        who = repr(label or checkpoint_file(source)[1])
    try:
        cfg = RunConfig.from_dict(state["config"])
    except Exception as err:  # a ConfigError's sentence, or whatever odd values raised
        raise CheckpointError(f"The config in {who} is invalid: {_first_line(err)}.")
    if not all(_finite(state.get(key)) for key in (*NETS, "g_avg", "slow")):
        raise CheckpointError(f"The weights in {who} hold NaN or infinite values.")
    try:
        # A run saved on a GPU machine loads anywhere: the device is chosen here, not stored.
        trainer = Trainer(cfg, device or resolve_device("auto"))
    except Exception as err:  # e.g. a toy run whose points file is not on this machine
        reason = str(err) if isinstance(err, GanlabError) else _first_line(err)
        raise CheckpointError(f"The run in {who} cannot be rebuilt here: {_clip(reason)}.")
    try:
        trainer.load_state(state)  # Lookahead.load refuses a wrong count of slow weights
        _check_moments(trainer)
    except Exception as err:
        raise CheckpointError(f"The weights in {who} do not fit its config ({_first_line(err)}).")
    if not trainer.weights_finite():  # e.g. float64 weights beyond float32's range
        raise CheckpointError(f"The weights in {who} hold NaN or infinite values.")
    return trainer


def _check_zip(path: Path, who: str) -> None:
    """Refuse a zip whose members fail their CRC-32 (a flipped byte in a format-1 file, or in
    the pickled structure of any file); a file that is no zip is left to torch.load."""
    try:
        if not zipfile.is_zipfile(path):
            return
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED:  # torch.save never compresses
                    raise CheckpointError(f"{who} {_UNREADABLE}: compressed zip members).")
                if info.CRC == 0 and info.file_size:
                    continue  # saved with torch's CRCs turned off: nothing to check against
                with archive.open(info) as member:  # zipfile checks the CRC at the end
                    while member.read(1 << 20):
                        pass
    except CheckpointError:
        raise
    except Exception as err:
        raise CheckpointError(f"{who} {_UNREADABLE}: {_first_line(err)}).")


def _check_digest(state: dict[str, Any], who: str) -> None:
    try:
        matches = state.get(DIGEST) == digest(state)
    except Exception:  # a value digest() cannot take: not something ganlab wrote
        matches = False
    if not matches:
        raise CheckpointError(
            f"{who} is corrupt: its weights do not match the digest it was saved with."
        )


def _check_structure(state: dict[str, Any], who: str) -> None:
    """Every entry load_state reads has the type ganlab writes, or one sentence says which."""

    def bad(key: str, value: Any, expected: str) -> CheckpointError:
        text = (
            f"{who} is not a usable ganlab checkpoint: its {key!r} is a "
            f"{type(value).__name__}, not {expected}."
        )
        return CheckpointError(text[0].upper() + text[1:])  # "the checkpoint" opens it

    for key in (*NETS, "g_avg"):
        value = state.get(key)
        if key in NETS or key in state:
            if not _named_tensors(value):
                raise bad(key, value, "a dict of named tensors")
    for key in OPTIMIZERS:
        value = state.get(key)
        if not _optimizer_state(value):
            raise bad(key, value, "an optimizer state ('state' and 'param_groups')")
    step, seconds = state.get("step"), state.get("seconds")
    if type(step) is not int or step < 0:
        raise bad("step", step, "a whole number of at least 0")
    if type(seconds) not in (int, float) or not 0 <= seconds < math.inf:
        raise bad("seconds", seconds, "a finite number of at least 0")
    slow = state.get("slow")
    if slow is not None and not (
        isinstance(slow, list) and all(isinstance(t, torch.Tensor) for t in slow)
    ):
        raise bad("slow", slow, "a list of tensors")


def _named_tensors(value: Any) -> bool:
    """A dict of names to real, dense tensors (torch would cast complex ones to real)."""
    return isinstance(value, dict) and all(
        isinstance(k, str)
        and isinstance(v, torch.Tensor)
        and not v.is_complex()
        and v.layout == torch.strided
        for k, v in value.items()
    )


def _optimizer_state(value: Any) -> bool:
    if not (isinstance(value, dict) and isinstance(value.get("state"), dict)):
        return False
    groups = value.get("param_groups")
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        return False
    if not all(
        isinstance(g.get("params"), list)
        and all(type(i) is int for i in g["params"])
        and isinstance(g.get("lr"), (int, float, torch.Tensor))  # a tensor on capturing runs
        for g in groups
    ):
        return False
    moment_types = (torch.Tensor, int, float, type(None))
    return all(
        isinstance(s, dict) and all(isinstance(v, moment_types) for v in s.values())
        for s in value["state"].values()
    )


def _check_moments(trainer: Trainer) -> None:
    """torch loads an optimizer's moments without comparing shapes; training would fail on
    the first step instead, so compare them here."""
    for opt in (trainer.opt_g, trainer.opt_d):
        for param, moments in opt.state.items():
            for name, value in moments.items():
                wrong = isinstance(value, torch.Tensor) and value.numel() != 1
                if wrong and value.shape != param.shape:
                    raise ValueError(
                        f"moment {name!r} has shape {tuple(value.shape)} for a weight of "
                        f"shape {tuple(param.shape)}"
                    )


def _finite(value: Any) -> bool:
    tensors = value.values() if isinstance(value, dict) else value or []
    return all(bool(t.isfinite().all()) for t in tensors if t.is_floating_point() or t.is_complex())


def _first_line(err: BaseException) -> str:
    """An exception's first line, printable and short enough for a one-sentence message."""
    lines = str(err).strip().splitlines() or [type(err).__name__]
    if lines[0].endswith(":") and len(lines) > 1:  # "Error(s) in loading state_dict for MLP:"
        net = lines[0].removeprefix("Error(s) in loading state_dict for ")
        return _clip(re.sub(r"torch\.Size\((\[[^\]]*\])\)", r"\1", f"{net} {lines[1]}"), 160)
    return _clip(lines[0])


def _clip(text: str, limit: int = 120) -> str:
    line = " ".join(text.split())
    line = "".join(c if c.isprintable() else "?" for c in line)
    return line[: limit - 3].rstrip() + "..." if len(line) > limit else line.rstrip(" .")
