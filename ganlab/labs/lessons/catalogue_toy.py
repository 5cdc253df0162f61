"""The lessons on points in 1D and 2D: the game, its theory, collapse, k, WGAN's critic.

One definition per lesson. Each arm's settings and seed were chosen so the check holds with
a margin on that seed (the numbers in the comments were measured with run.py, one thread);
each lesson trains in seconds to tens of seconds on one CPU core. The 1D lessons use the
theory lab's pinned settings (labs/theory.py), so they read D against D* on its grid.
"""

from __future__ import annotations

from typing import Any

from ganlab.labs import theory
from ganlab.labs.lessons.lesson import Lesson
from ganlab.labs.lessons.toy_checks import (
    check_collapse_1d,
    check_equilibrium,
    check_k,
    check_optimal_d,
    check_packing,
    check_saturation,
    check_value,
    check_wgan,
    critic_numbers,
    d_alone,
    theory_numbers,
)


def _theory_arm(**settings: Any) -> dict[str, Any]:
    return {"variant": "nsgan", "data": "gauss1d", **theory.THEORY, **settings}


def _theory_link(arm: dict[str, Any]) -> dict[str, Any]:
    """The theory page's settings for a theory arm (its link carries k, G steps and seed)."""
    return {name: arm[name] for name in ("k", "steps", "seed")}


# ----- the lessons -----------------------------------------------------------------------
# The theory lab's 1D settings; k 10 keeps D near D* (measured on seed 0, 300 steps: mean
# |D - D*| 0.05 at k 10 against 0.36 at k 1, where G also collapses to a spike).
K10 = _theory_arm(k=10, steps=300, snapshot_every=100, seed=0)
K1 = _theory_arm(k=1, steps=300, snapshot_every=100, seed=0)
# The game played to its end: k 5 for 600 steps (seed 0: D(x) 0.62 and D(G(z)) 0.38 over
# the first 100 steps, about 0.52 and 0.48 over the last 100, W1 0.05).
GAME = _theory_arm(k=5, steps=600, snapshot_every=100, seed=0)
# The playground's ring at half the preset's steps and its decay twice as fast: unpacked, G
# ends with 6 of 8 modes on seeds 4, 5 and 6; packed in pairs with all 8 (measured).
RING = {"variant": "nsgan", "data": "ring8", "steps": 2000, "lr_decay_every": 100, "seed": 5}
# bench/QUALITY.md's saturating GAN: batch 64, 600 steps; seed 0 ends with D(G(z)) 0.012
# and W1 1.20 at k 5, 0.48 and 0.18 at k 1, 0.41 and 0.11 at k 5 with lr_d 6e-4 (a fifth of
# ring8's 3e-3). Seeds 1 and 2 agree (k 5's W1 0.40 and 2.89, the others' 0.13-0.26).
SAT_RING = {"variant": "gan", "data": "ring8", "batch_size": 64, "steps": 600, "seed": 0}
# WGAN's two critics on the ring, unpacked, constant lr, 300 steps: the slope |grad D| was
# 0.09-0.10 clipped and 0.91-0.94 penalised on seeds 0 and 1 (measured).
WGAN = {"data": "ring8", "steps": 300, "batch_size": 64, "pack": 1, "lr_decay": 1.0, "seed": 0}

TOY_LESSONS = [
    Lesson(
        name="equilibrium",
        title="The two-player game and its equilibrium",
        idea="D maximises V(D, G) = E log D(x) + E log(1 - D(G(z))); G minimises it. If G "
        "draws exactly the data, no D can do better than D(x) = D(G(z)) = 1/2 everywhere.",
        page="playground",
        arms={"the game": GAME},
        question="Once G's samples match the data, what does D output on real and on fake points?",
        choices=("1 on real, 0 on fake", "1/2 on both", "0 on both", "whatever it learnt first"),
        answer=1,
        why="D* = p_data / (p_data + p_g), and p_g = p_data makes it 1/2: D can only guess.",
        watch="D(x) and D(G(z)) in the loss panel: apart at first, then both near 0.5 as the "
        "blue samples settle onto the data.",
        check=check_equilibrium,
    ),
    Lesson(
        name="optimal-d",
        title="The optimal discriminator D* = p_data / (p_data + p_g)",
        idea="For a fixed G the best D is D*(x) = p_data(x) / (p_data(x) + p_g(x)). A D that "
        "trains k steps per G step chases a moving target: with k 10 it stays near D*.",
        page="theory",
        arms={"k 1": K1, "k 10": K10},
        question="Which run keeps D closer to D*?",
        choices=("k 1", "k 10", "both the same: D* does not depend on k"),
        answer=1,
        why="D* is defined for the current G; ten D steps between G's moves let D catch up.",
        watch="On the theory page, D (line) against D* (dashed): at k 1 they part where G's "
        "spike sits; raise k and they meet.",
        check=check_optimal_d,
        measure=theory_numbers,
        links={"k 1": _theory_link(K1), "k 10": _theory_link(K10)},
    ),
    Lesson(
        name="value-of-game",
        title="The value of the game: C(G) = -log 4 + 2 JSD",
        idea="At D* the game's value is C(G) = -log 4 + 2 JSD(p_data || p_g): training G "
        "against an optimal D minimises the Jensen-Shannon divergence, whose minimum 0 "
        "gives C(G) = -log 4.",
        page="theory",
        arms={"k 10": K10},
        question="Starting from G's samples far from the data, where does C(G) start and end?",
        choices=("from 0 down toward -log 4", "from -log 4 up to 0", "it stays at -log 4"),
        answer=0,
        why="Disjoint supports give JSD = log 2, so C(G) = 0; matching the data gives JSD 0.",
        watch="The theory page's value panel: V(D, G) (measured) against C(G) (from the JSD).",
        check=check_value,
        measure=theory_numbers,
        links={"k 10": _theory_link(K10)},
    ),
    Lesson(
        name="saturation",
        title="Saturating vs non-saturating G loss",
        idea="Minimising log(1 - D(G(z))) gives G almost no gradient when D rejects its "
        "samples; maximising log D(G(z)) has the same fixed point and a strong gradient there.",
        page="theory",
        arms={
            "saturating": _theory_arm(
                variant="gan", steps=60, snapshot_every=20, seed=0, **theory.SATURATION
            ),
            "non-saturating": _theory_arm(steps=60, snapshot_every=20, seed=0, **theory.SATURATION),
        },
        question="D has trained alone and wins. Which G loss gives G the larger gradient?",
        choices=(
            "log(1 - D(G(z))), the minimax loss",
            "-log D(G(z)), the non-saturating one",
            "the same: they have the same fixed point",
        ),
        answer=1,
        why="d log(1 - D)/da = -D: it vanishes as D(G(z)) -> 0; d -log D/da = -(1 - D) does not.",
        watch="G's gradient norm in both runs over the first steps (plain SGD, so a small "
        "gradient is a stalled G).",
        check=check_saturation,
        measure=theory_numbers,
        prepare=d_alone,
        # The page's panel 3 trains both losses for a fifth of its 300 steps: the arms' 60.
        links={"": {"seed": 0}},
    ),
    Lesson(
        name="collapse-1d",
        title="Mode collapse in 1D and minibatch discrimination",
        idea="G can fool D with a single point near the data's mean. Minibatch "
        "discrimination lets D compare the samples in a batch, so a batch of near-copies "
        "gives itself away.",
        page="playground",
        arms={
            "plain": {"variant": "nsgan", "data": "gauss1d", "snapshot_every": 500, "seed": 0},
            "minibatch discrimination": {
                "variant": "nsgan",
                "data": "gauss1d",
                "minibatch_disc": True,
                "snapshot_every": 500,
                "seed": 0,
            },
        },
        question="On N(4, 0.5), what spread do G's samples end with, without and with "
        "minibatch discrimination?",
        choices=(
            "0.5 both",
            "a spike (near 0) both",
            "a spike, then about 0.5",
            "0.5, then a spike",
        ),
        answer=2,
        why="D judges one point at a time, so a spike at the mean is as real as any sample; "
        "comparing samples in a batch exposes it.",
        watch="The histogram of G's samples: a needle at 4 against the bell curve.",
        check=check_collapse_1d,
    ),
    Lesson(
        name="packing",
        title="Mode collapse in 2D and packing (PacGAN)",
        idea="On a ring of 8 Gaussians G may leave modes out. Packing shows D several samples "
        "at once; a pack from too few modes looks unlike a pack of real points.",
        page="playground",
        arms={"pack 1": {**RING, "pack": 1}, "pack 2": {**RING, "pack": 2}},
        question="After 2,000 steps, which run covers all 8 modes?",
        choices=("pack 1", "pack 2", "both", "neither"),
        answer=1,
        why="Unpacked, D cannot see how G's samples spread over modes; a pack can.",
        watch="The points: the unpacked G leaves two of the ring's modes bare.",
        check=check_packing,
    ),
    Lesson(
        name="balance-k",
        title="The balance of k and the two learning rates",
        idea="k D steps per G step (and lr_d against lr_g) set who is ahead. Too strong a D "
        "rejects every fake with confidence, and the saturating G loss then goes flat.",
        page="playground",
        arms={
            "k 1": {**SAT_RING, "k": 1},
            "k 5": {**SAT_RING, "k": 5},
            "k 5, lr_d / 5": {**SAT_RING, "k": 5, "lr_d": 6e-4},
        },
        question="With the minimax (saturating) loss, which run leaves G far from the ring?",
        choices=("k 1", "k 5", "k 5 with D's learning rate cut to a fifth", "none of them"),
        answer=1,
        why="Five D steps per G step let D win: D(G(z)) near 0, where G's gradient vanishes. "
        "Five slower steps move D about as far as one, and the balance is back.",
        watch="D(G(z)) in the loss panel: with k 5 it drops to ~0 and stays there; with lr_d "
        "cut as well it hovers near 0.4 as with k 1.",
        check=check_k,
    ),
    Lesson(
        name="wgan-critic",
        title="WGAN's critic: weight clipping vs gradient penalty",
        idea="W1 is a sup over 1-Lipschitz critics. Clipping weights to [-c, c] is a crude "
        "box; the gradient penalty pulls |grad D| to 1 on points between real and fake.",
        page="playground",
        arms={
            "weight clipping": {**WGAN, "variant": "wgan"},
            "gradient penalty": {**WGAN, "variant": "wgan-gp", "lr_d": 1e-3, "lr_g": 1e-3},
        },
        question="Between real and fake points, how steep is each critic?",
        choices=(
            "both near 1",
            "clipped near 1, penalised far below",
            "clipped far below 1, penalised near 1",
        ),
        answer=2,
        why="Clipped weights pile up at +-c and the critic stays nearly flat; the penalty "
        "asks for slope 1 exactly where G's samples must move.",
        watch="The critic's heat map: flat and blocky when clipped, a smooth slope with GP.",
        check=check_wgan,
        measure=critic_numbers,
    ),
]
