"""Panels of the digit pages: which trained GAN the latent page browses, and the nearest
training digits of one generated digit on the images page (CS231n's memorisation check).
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st
import torch

from ganlab.errors import GanlabError
from ganlab.figures import images as vi
from ganlab.figures import latent as vl
from ganlab.labs.latent import pretrained
from ganlab.labs.latent.space import LATENT_VARIANTS, LatentModel
from ganlab.live.runner import Runner
from ganlab.scores.digits import classify, nearest_training_images

UPLOAD = "Upload a checkpoint (.pt)"
LIVE = "This session's images run"
_shipped = st.cache_resource(show_spinner="Loading the model ...")(pretrained.load)
_uploaded = st.cache_resource(scope="session", max_entries=2)(pretrained.from_bytes)


def model_picker(key: str) -> LatentModel | None:
    """A select box of the shipped GANs, this session's images run (as a snapshot: it
    trains on while the page browses) and an uploaded checkpoint; returns the chosen model.
    A checkpoint that cannot be read gets one sentence, and the first shipped GAN instead."""
    state = st.session_state
    names = [f"pretrained:{n}" for n in pretrained.available()]
    live = state.get("ganlab.runner.images")  # this session's run on the images page, if any
    runs = [LIVE] if live is not None and live.cfg.variant in LATENT_VARIANTS else []
    choice = st.selectbox("Trained GAN", [*names, *runs, UPLOAD], key=f"{key}.source")
    model = _shipped(names[0].removeprefix("pretrained:")) if names else None
    try:
        if choice == LIVE:
            if st.button("Take a new snapshot", key=f"{key}.snap") or f"{key}.live" not in state:
                state[f"{key}.live"] = pretrained.from_bytes(
                    live.checkpoint_bytes(), f"{LIVE} ({time.ctime()})"
                )
            model = state[f"{key}.live"]
        elif choice == UPLOAD:
            file = st.file_uploader("A checkpoint.pt from 'ganlab train'", "pt", key=f"{key}.pt")
            if file is not None:
                model = _uploaded(file.getvalue(), file.name)
        else:
            model = _shipped(choice.removeprefix("pretrained:"))
    except GanlabError as err:
        st.error(f"{err} Showing {names[0] if names else 'nothing'} instead.", icon="⚠️")
    return model


def nearest_panel(key: str, runner: Runner, grid: np.ndarray, token: object) -> None:
    """Pick a digit of G's grid by row and column; see the closest training digits. They are
    computed once per picture (``token``) and pick, not on every redraw."""
    state = st.session_state
    a, b, c = st.columns([1, 1, 6], vertical_alignment="top")
    last_row, last_col = len(grid) - 1, grid.shape[1] - 1
    state[f"{key}.nn_row"] = min(state.get(f"{key}.nn_row", 0), last_row)  # CGAN: 10 rows
    state[f"{key}.nn_col"] = min(state.get(f"{key}.nn_col", 0), last_col)
    row = a.number_input("Row", 0, last_row, key=f"{key}.nn_row")
    col = a.number_input("Column", 0, last_col, key=f"{key}.nn_col")
    images = runner.training_images()
    if state.get(f"{key}.nn", (None,))[0] != (token, row, col):
        digit = torch.from_numpy(grid[row, col]).to(images.device)
        idx, dist = nearest_training_images(digit[None], k=8, reference=images)
        near = images[idx[0]].squeeze(1).cpu().numpy()
        state[f"{key}.nn"] = ((token, row, col), grid[row, col], near, dist[0].cpu().numpy())
    _, digit, near, dist = state[f"{key}.nn"]
    (read,), (sure,) = classify(digit[None])
    words = vl.digit_caption(int(read), float(sure))
    b.image(vl.enlarge(digit, 3), caption=f"G's digit at row {row}, column {col}: {words}")
    c.image(vl.strip(near), caption=vi.neighbour_caption(dist, len(images)))
