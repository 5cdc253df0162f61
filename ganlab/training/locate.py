"""Where a run's checkpoint lies: the file name inside a run folder, and the pretrained runs
shipped with ganlab that ``pretrained:NAME`` names.

It sits in the training layer, below labs/, because checkpoint.read_checkpoint accepts
``pretrained:NAME`` wherever it accepts a run folder, and training must not import the labs
that build on it. What the shipped models are for (summaries, browsing, slimming) stays in
labs/latent/pretrained.py, which re-exports these names. This module reads no file's content.
"""

from __future__ import annotations

from pathlib import Path

from ganlab import ASSETS
from ganlab.errors import CheckpointError

CHECKPOINT = "checkpoint.pt"
PRETRAINED_DIR = ASSETS / "pretrained"
PREFIX = "pretrained:"
NAMES = ("infogan-mnist", "cgan-mnist", "dcgan-mnist")


def is_pretrained(source: str | Path) -> bool:
    """Whether ``source`` names a shipped model (``pretrained:NAME``) rather than a path."""
    return isinstance(source, str) and source.startswith(PREFIX)


def path_of(source: str) -> Path:
    """The run folder of ``pretrained:NAME`` (or of NAME), or one sentence naming the known
    models."""
    name = source[len(PREFIX) :] if is_pretrained(source) else source
    if name not in NAMES:
        raise CheckpointError(
            f"Unknown pretrained model {name!r}; the shipped ones are: "
            f"{', '.join(PREFIX + n for n in NAMES)}."
        )
    folder = PRETRAINED_DIR / name
    if not (folder / CHECKPOINT).is_file():
        raise CheckpointError(
            f"The pretrained model {name!r} is missing from this install ({folder}); "
            "scripts/train_pretrained.py rebuilds it."
        )
    return folder


def available() -> list[str]:
    """The shipped models present in this install, in NAMES order."""
    return [n for n in NAMES if (PRETRAINED_DIR / n / CHECKPOINT).is_file()]


def checkpoint_file(source: str | Path) -> tuple[Path, str]:
    """The checkpoint file of a run folder, a .pt file or ``pretrained:NAME``, and the name
    to show for it in messages; one sentence if there is none."""
    if is_pretrained(source):
        return path_of(str(source)) / CHECKPOINT, str(source)
    path = Path(source)
    if path.is_dir():
        path = path / CHECKPOINT
    if not path.is_file():
        raise CheckpointError(f"No checkpoint at {str(path)!r}; give a run folder from 'train'.")
    return path, str(path)
