"""Plotly and Pillow figures and their captions; no Streamlit here, so figures are built and
tested headless.
"""
