"""ganlab: learn and study generative adversarial networks by training them live.

The library is importable and testable without Streamlit; only ``ganlab.ui`` imports it.
"""

__version__ = "0.1.0"
