"""Streamlit glue shared by the pages; ganlab.ui is the only part of ganlab that imports
streamlit. The pages decide layout; nothing here trains or builds figures.

- session.py: ``session_runner`` (this tab's Runner), ``ensure_navigation``, and errors as
  messages (``command`` wraps a callback, ``report`` / ``show_reported``).
- widgets.py: a RunConfig as keyed widgets and back (``init_widgets``, ``field_widget``,
  ``variant_widget``, ``data_widget``, ``loss_widget``, ``wanted_config``,
  ``apply_config``).
- panels.py: ``run_controls``, ``reset_prompt``, ``chart``, ``live_status``,
  ``redraw_every``, ``status_row``, ``export_panel``, ``sync_url``.
- digit_panels.py: the latent page's ``model_picker`` and the images page's
  ``nearest_panel`` (imported from there by those pages).
"""

from ganlab.ui.panels import (
    chart,
    export_panel,
    import_config,
    live_status,
    redraw_every,
    reset_prompt,
    reset_to_widgets,
    run_controls,
    status_row,
    sync_url,
)
from ganlab.ui.session import command, ensure_navigation, report, session_runner, show_reported
from ganlab.ui.widgets import (
    apply_config,
    data_widget,
    field_widget,
    init_widgets,
    key_of,
    load_widgets,
    loss_widget,
    variant_widget,
    wanted_config,
)

__all__ = [
    "apply_config",
    "chart",
    "command",
    "data_widget",
    "ensure_navigation",
    "export_panel",
    "field_widget",
    "import_config",
    "init_widgets",
    "key_of",
    "live_status",
    "redraw_every",
    "load_widgets",
    "loss_widget",
    "report",
    "reset_prompt",
    "reset_to_widgets",
    "run_controls",
    "session_runner",
    "show_reported",
    "status_row",
    "sync_url",
    "variant_widget",
    "wanted_config",
]
