"""Error types that carry one user-facing sentence.

Every input problem becomes one of these at the edge (config, data, checkpoint), so the CLI
can print the message and exit 2 and the pages can show it with ``st.error`` without a
traceback.
"""


class GanlabError(ValueError):
    """Base class: ``str(err)`` is a single sentence meant for the user."""


class ConfigError(GanlabError):
    """A run setting is out of range, of the wrong type or unknown."""


class DataError(GanlabError):
    """A data set or uploaded file cannot be used."""


class CheckpointError(GanlabError):
    """A checkpoint is missing, corrupt, or belongs to another model."""
