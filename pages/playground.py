"""Playground: 1D and 2D GANs trained live (being built; see issue 4)."""

import streamlit as st

st.title("ganlab playground")
st.write("Train a GAN from the command line for now: `python -m ganlab train --out runs/ring`.")
