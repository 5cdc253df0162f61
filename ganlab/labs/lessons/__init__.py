"""Lessons: every idea of GAN training as a run to predict, watch and check.

lesson.py (the types), catalogue*.py (the lessons, one definition each), run.py (train a
lesson's arms headless and check them). No Streamlit: pages/lessons.py draws them.
"""
