"""ganlab's Streamlit entry point: the page list, nothing else (docs/architecture.md)."""

import streamlit as st

st.set_page_config(page_title="ganlab", page_icon="🧪", layout="wide")
pages = [
    st.Page("pages/playground.py", title="Playground", icon="🎯", default=True),
    st.Page("pages/images.py", title="Image GANs", icon="🔢"),
    st.Page("pages/theory.py", title="Theory", icon="📐"),
    st.Page("pages/sweep.py", title="Sweep", icon="🗺️"),
    st.Page("pages/latent.py", title="Latent space", icon="🧭"),
    st.Page("pages/augment.py", title="Augment", icon="➕"),
    st.Page("pages/lessons.py", title="Lessons", icon="🎓"),
]
st.navigation(pages).run()
