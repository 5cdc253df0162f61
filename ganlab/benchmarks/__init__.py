"""The cases behind ``python -m ganlab bench``: the project's trainer against plain eager
PyTorch loops.
"""
