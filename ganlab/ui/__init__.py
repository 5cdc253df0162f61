"""Streamlit glue shared by the pages; ganlab.ui is the only part of ganlab that imports
streamlit. The pages decide layout; nothing here trains or builds figures.

- session.py: ``session_runner`` (this tab's Runner), ``ensure_navigation``, and errors as
  messages (``command`` wraps a callback, ``report`` / ``show_reported``).
- widgets.py: a RunConfig as keyed widgets and back (``init_widgets``, ``field_widget``,
  ``variant_widget``, ``data_widget``, ``loss_widget``, ``wanted_config``,
  ``apply_config``).
- panels.py: ``run_controls``, ``reset_prompt``, ``chart``, ``live_status``,
  ``redraw_every``, ``status_row``, ``export_panel``, ``sync_url``, and the other pages'
  links: ``new_link``, ``write_link``, ``settings_link``.
- compare.py: the playground's compare mode (``compare_toggle``, ``compare_view``) and
  ``load_compare`` / ``end_compare`` for the lessons page.
- overview.py: the playground's ``model_overview`` (the model graph, slow motion's stage).
- draw.py: the drawing canvas (``drawn_points``, assets/draw_points.js) that
  ``data_widget`` shows for 'draw points'.
- digit_panels.py: the latent page's ``model_picker`` and the images page's
  ``nearest_panel`` (imported from there by those pages).
"""

from ganlab.ui.compare import compare_toggle, compare_view, end_compare, load_compare
from ganlab.ui.overview import model_overview
from ganlab.ui.panels import (
    chart,
    export_panel,
    import_config,
    live_status,
    new_link,
    redraw_every,
    reset_prompt,
    reset_to_widgets,
    run_controls,
    settings_link,
    status_row,
    sync_url,
    write_link,
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
    "compare_toggle",
    "compare_view",
    "data_widget",
    "end_compare",
    "ensure_navigation",
    "export_panel",
    "field_widget",
    "import_config",
    "init_widgets",
    "key_of",
    "live_status",
    "load_compare",
    "load_widgets",
    "loss_widget",
    "model_overview",
    "new_link",
    "redraw_every",
    "report",
    "reset_prompt",
    "reset_to_widgets",
    "run_controls",
    "session_runner",
    "settings_link",
    "show_reported",
    "status_row",
    "sync_url",
    "variant_widget",
    "wanted_config",
    "write_link",
]
