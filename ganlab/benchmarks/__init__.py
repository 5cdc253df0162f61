"""The cases behind ``python -m ganlab bench``: the project's trainer against plain eager
PyTorch loops.

- cases.py: the registry of cases and the plain trainer-vs-eager case;
- timing.py: the eager loop and the steps-per-second clock every case uses;
- sweep.py: the batched sweep against sequential Trainers; inapp.py: a live Runner with a
  page redrawing beside it.

The registry imports the cases; no case imports the registry.
"""
