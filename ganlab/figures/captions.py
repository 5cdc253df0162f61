"""The one-line captions under the live charts: what you see, and what equilibrium looks like.

Kept beside viz.py's figures and in the same words as the losses' docstrings, so that a
lecture reads the same story on every chart. No Streamlit, no plotly.
"""

from __future__ import annotations

from ganlab.figures.live import HALF, PROBABILITY


def captions(loss: str, dim: int, has_modes: bool = True) -> dict[str, str]:
    """One line under each chart: what you see, and what should happen at equilibrium.
    Keys: distribution, losses, d, js, modes."""
    probability = loss in PROBABILITY
    d_what = "D's probability 'real'" if probability else "D's score"
    if dim == 1:
        picture = (
            f"Green: p_data; purple: p_g (G's samples); black: {d_what}; dotted: "
            "D* = p_data/(p_data+p_g); arrows: where G's loss pushes samples. "
            "At equilibrium p_g = p_data and D = D* = ½ everywhere."
        )
    else:
        picture = (
            f"Green dots: real data; purple: G's samples; background: {d_what} (green = real); "
            "dotted: D* = ½; black ticks: where G's loss pushes each sample; faint grid: G's "
            "manifold. At equilibrium purple covers every green mode and D fades to white (½)."
        )
    eq = {
        "minimax": "D's loss hovers at 2·log 2 ≈ 1.39 (dotted)",
        "nsgan": "D's loss hovers at 2·log 2 ≈ 1.39 (dotted)",
        "lsgan": "D's loss hovers at 0.25 (dotted)",
        "wgan": "D's loss (minus the critic's distance estimate) rises toward 0",
        "hinge": "D's loss hovers near 2 and G's near 0",
    }[loss]
    if loss in HALF:
        d = (
            "Mean D(x) on real and D(G(z)) on fake batches. At equilibrium both sit at ½ "
            "(dotted): D can no longer tell real from fake."
        )
    else:
        d = (
            "Mean critic score on real and fake batches. At equilibrium the gap closes: "
            "the critic scores both alike."
        )
    if has_modes:
        modes = (
            "Modes that got their share of G's samples (solid) and samples within 3σ of a mode "
            "(dashed, %). At equilibrium every mode is covered and high quality nears 100 %."
        )
    else:
        modes = "Sliced Wasserstein-1 distance between data and G. At equilibrium it nears 0."
    return {
        "distribution": picture,
        "losses": f"Losses, averaged between points. At equilibrium {eq} and neither trends.",
        "d": d,
        "js": (
            "Jensen-Shannon and both KL divergences between data and G on a grid (log scale). "
            "At equilibrium all fall toward 0 (sampling noise keeps them a little above)."
        ),
        "modes": modes,
    }
