"""Latent space: browse and edit what a trained image GAN has learned.

A shipped model or an uploaded checkpoint is driven by explicit points (labs/latent/): z and
code sliders, a traversal grid, interpolation, arithmetic, inversion of a real digit, the
nearest training digits. A slider move reruns the page; only the open tab is computed. The
address bar carries the shipped model and the seed of z, so a link (a lesson's) opens them.
"""

import numpy as np
import streamlit as st
import torch

from ganlab import ui
from ganlab.config.links import LinkParam
from ganlab.data.mnist import split_bundled
from ganlab.errors import GanlabError
from ganlab.figures import latent as vz
from ganlab.labs.latent import inversion, pretrained
from ganlab.labs.latent import space as lt
from ganlab.scores.digits import classify
from ganlab.ui.digit_panels import model_picker

Z_DIMS, S = 4, st.session_state
SHIPPED = tuple(f"pretrained:{name}" for name in pretrained.available())
MODEL, SEED = LINK = (  # a link names a shipped model only (not an upload, nor this session's run)
    LinkParam("model", str, next(iter(SHIPPED), None), choices=SHIPPED, key="source"),
    LinkParam("seed", int, 0, low=0, high=2**31 - 1),
)
ui.ensure_navigation()
link_errors = ui.settings_link("lat", LINK)


def set_point(model: lt.LatentModel, point: lt.Point) -> None:
    """Make ``point`` the digit on screen: its values go into the sliders."""
    S["lat.point"], S["lat.model"] = point.detach(), model.name
    S.update({f"lat.{k}": v for k, v in lt.slider_values(model, point, Z_DIMS).items()})


def invert(model: lt.LatentModel, target: torch.Tensor) -> None:
    found = inversion.invert(model, target)
    S["lat.inverted"] = (target.numpy(), found.image, found.mse)
    set_point(model, found.point)


with st.sidebar:
    model = model_picker("lat")
    if model is None:
        st.stop()
    seed = st.number_input("Seed of z", SEED.low, SEED.high, key="lat.seed")
    if S.get("lat.model") != model.name or S.get("lat.seed_used") != seed:
        S["lat.seed_used"] = seed
        set_point(model, model.random(1, seed))
    new_seed = int(torch.randint(2**31 - 1, ()))
    st.button("Randomise z", on_click=lambda: S.update({"lat.seed": new_seed}), key="lat.rnd")
    if model.has_code:
        st.select_slider(f"{model.code_name} (the 10-way code)", list(range(10)), key="lat.code")
    for i in range(model.n_cont):
        st.slider(f"c{i + 1} (trained on -1..1)", -2.0, 2.0, step=0.05, key=f"lat.c{i + 1}")
    for i in range(min(Z_DIMS, model.noise_dim)):
        st.slider(f"z{i}", -model.z_span, model.z_span, step=0.02, key=f"lat.z{i}")

st.title("Latent space")
for error in link_errors:
    st.error(error, icon="⚠️")
st.caption(f"{model.name} ({model.variant}); z has {model.noise_dim} dimensions.")
ui.show_reported()
values = {k: S[f"lat.{k}"] for k in lt.slider_values(model, S["lat.point"], Z_DIMS)}
point = lt.from_sliders(model, S["lat.point"], values)
with lt.cpu_threads(), torch.no_grad():
    digit = model.generate(point)
    (read,), (conf,) = classify(digit)
    idx, dist = inversion.nearest(digit)
S["lat.digit"] = digit[0].numpy()  # what is on screen (tests read it)
left, right = st.columns([1, 3])
left.image(vz.enlarge(digit[0].numpy()), caption=vz.digit_caption(int(read), float(conf)))
near, dists = split_bundled().train_images[idx[0], 0], ", ".join(f"{d:.1f}" for d in dist[0])
right.image(vz.strip(near.numpy()), caption=f"Nearest training digits (pixel L2: {dists})")

tab_names = ["Traversal", "Interpolation", "Arithmetic", "Inversion"]
tabs = st.tabs(tab_names, key="lat.tab", on_change="rerun")  # only the open tab runs
if tabs[0].open:
    with tabs[0]:
        axis = st.selectbox("Vary along columns", lt.axis_names(model, Z_DIMS), key="lat.axis")
        rows = st.slider("Rows (the first: the digit on screen)", 1, 8, 5, key="lat.rows")
        grid = lt.traversal(model, point, axis, rows=rows, seed=seed + 1)
        lo, *_, hi = lt.axis_values(model, axis)
        st.image(vz.grid_image(grid), caption=f"{axis} from {lo:g} to {hi:g}; rows: other z")
if tabs[1].open:
    with tabs[1]:
        a, b, c = st.columns(3)
        end = a.number_input("To a random digit of seed", 0, 2**31 - 1, 1, key="lat.end")
        mode = b.radio("Path of z", ["slerp", "lerp"], horizontal=True, key="lat.mode")
        steps = c.slider("Steps", 2, 32, 10, key="lat.steps")
        walk = model.draw(lt.interpolate(point, model.random(1, end), steps, mode))
        st.image(vz.strip(walk), caption="From the digit on screen to the end digit")
        st.download_button("Download GIF", lambda: vz.gif_bytes(walk), "walk.gif", "image/gif")
if tabs[2].open:
    with tabs[2]:
        pool = model.random(8, seed + 100)
        st.image(vz.strip(model.draw(pool)), caption="Samples 0 to 7")
        cols = st.columns(3)
        picks = [
            cols[i].multiselect(f"{n}: mean of", range(8), [i], key=f"lat.{n}")
            for i, n in enumerate("ABC")
        ]
        try:
            means = [lt.mean_point(pool, p) for p in picks]
            result = lt.combine(*means)
            shown = vz.strip(model.draw(lt.stack([*means, result])))
            st.image(shown, caption="mean A, mean B, mean C, and A - B + C")
            st.button("Edit A - B + C above", on_click=set_point, args=(model, result))
        except GanlabError as err:
            st.warning(str(err))
if tabs[3].open:
    with tabs[3]:
        st.caption("Search for the z (and codes) whose digit matches a real one, then edit it.")
        index = st.number_input("Held-out digit (unseen by the shipped GANs)", 0, 1999, key="lat.i")
        file = st.file_uploader("... or your own 28x28 digit", ["png", "npy"], key="lat.up")
        try:
            target = split_bundled().heldout_images[index, 0]
            if file is not None:
                target = torch.from_numpy(inversion.read_digit_file(file.name, file.getvalue()))
            st.image(vz.enlarge(target.numpy(), 3), caption="Target")
            st.button("Invert", on_click=ui.command(invert, model, target), type="primary")
        except GanlabError as err:
            st.error(str(err), icon="⚠️")
        if "lat.inverted" in S:
            t, found, mse = S["lat.inverted"]
            st.image(vz.strip(np.stack([t, found])), caption=f"Target, found: MSE {mse:.4f}")
