"""ganlab: learn and study generative adversarial networks by training them live.

The library is importable and testable without Streamlit; only ``ganlab.ui`` imports it.
See docs/architecture.md for the layers.
"""

from pathlib import Path

__version__ = "0.1.0"
ASSETS = Path(__file__).resolve().parent / "assets"  # shipped weights and the live chart's JS
