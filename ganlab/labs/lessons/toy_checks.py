"""The measurements and checks of the lessons on points (catalogue_toy.py defines them).

A measurement reads a trained arm through the trainer's public face (its nets, samples and
data); a check turns the arms' numbers into a Verdict that says what happened and why.
Nothing here trains beyond ``d_alone``, which a lesson runs before training starts.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ganlab.labs import theory
from ganlab.labs.lessons.lesson import Results, Verdict, scalars, verdict

LOG4 = math.log(4.0)
SLOPE_POINTS = 1000


def theory_numbers(trainer: Any) -> dict[str, float]:
    """The theory lab's scalars (V, C(G), JS, |D - D*|, both G gradients) for a 1D arm;
    its D(G(z)) on the probe's points is ``d_fake_probe`` (``d_fake`` is the snapshot's)."""
    numbers = scalars(theory.measure(trainer, theory.Probe(trainer)))
    numbers["d_fake_probe"] = numbers.pop("d_fake")
    return numbers


def d_alone(trainer: Any, steps: int = 100) -> None:
    """D trains alone first, so it starts out winning (as early in a real run)."""
    for _ in range(steps):
        trainer.train_d()


# ----- the checks ------------------------------------------------------------------------
def check_equilibrium(r: Results) -> Verdict:
    game = r["the game"]
    first, last = game.history[0], game.last
    gap0 = first["d_real"] - first["d_fake"]
    ok = abs(last["d_real"] - 0.5) < 0.1 and abs(last["d_fake"] - 0.5) < 0.1
    ok = ok and gap0 > 0.1 and last["w1"] < 0.15
    return verdict(
        ok,
        f"over the first {first['step']:.0f} steps D said {first['d_real']:.2f} on real and "
        f"{first['d_fake']:.2f} on fake points; by step {last['step']:.0f} G's samples were "
        f"{last['w1']:.2f} from the data (W1) and D said {last['d_real']:.2f} and "
        f"{last['d_fake']:.2f}",
        "D can no longer tell the two apart, so the best it can say is 1/2.",
        "D to tell them apart at first (a gap over 0.1), then G within 0.15 of the data "
        "and D within 0.1 of 1/2 on both",
    )


def check_optimal_d(r: Results) -> Verdict:
    slow, fast = r["k 1"].last["d_gap"], r["k 10"].last["d_gap"]
    ok = fast < 0.15 and fast < slow / 2
    return verdict(
        ok,
        f"with 10 D steps per G step D ended {fast:.2f} from D* = p_data / (p_data + p_g) on "
        f"average where the samples are; with 1 step, {slow:.2f}",
        "D* is the best D for the current G, and D gets near it only when it trains long "
        "enough between G's moves.",
        "k 10 within 0.15 of D* and at most half as far as k 1",
    )


def check_value(r: Results) -> Verdict:
    first, last = r["k 10"].first, r["k 10"].last
    gap = abs(last["value"] - last["c_of_g"])
    ok = first["js"] > 0.6 and last["js"] < 0.2 and gap < 0.15
    return verdict(
        ok,
        f"JSD went from {first['js']:.2f} (log 2 = 0.69: no overlap) to {last['js']:.2f}, so "
        f"C(G) = -log 4 + 2 JSD went from {round(first['c_of_g'], 2) + 0:.2f} to "
        f"{last['c_of_g']:.2f} "
        f"(-log 4 = {-LOG4:.2f}); V(D, G) at the trained D was {last['value']:.2f}, "
        f"{gap:.2f} from C(G)",
        "Near the optimal D the value of the game is C(G), and it falls as G nears the data.",
        "JSD to start above 0.6 and end below 0.2, and V within 0.15 of C(G)",
    )


def check_saturation(r: Results) -> Verdict:
    sat, ns = r["saturating"].first, r["non-saturating"].first
    ratio = sat["grad_sat"] / max(ns["grad_ns"], 1e-12)
    ok = sat["d_fake_probe"] < 0.05 and ratio < 0.1
    return verdict(
        ok,
        f"after D trained alone, D(G(z)) was {sat['d_fake_probe']:.3f}; G's gradient was "
        f"{sat['grad_sat']:.3f} under log(1 - D(G(z))) and {ns['grad_ns']:.2f} under "
        f"-log D(G(z)), a ratio of {ratio:.3f}",
        "The saturating loss is flat where D is sure, so G learns least when it is worst.",
        "D(G(z)) below 0.05 and the saturating gradient under a tenth of the other",
    )


def check_collapse_1d(r: Results) -> Verdict:
    plain, mbd = r["plain"].last, r["minibatch discrimination"].last
    ok = plain["fake_std_0"] < 0.2 and abs(mbd["fake_std_0"] - 0.5) < 0.1
    ok = ok and mbd["w1"] < plain["w1"] / 2
    return verdict(
        ok,
        f"the plain GAN's samples had std {plain['fake_std_0']:.2f} (W1 {plain['w1']:.2f}), "
        f"with minibatch discrimination {mbd['fake_std_0']:.2f} (W1 {mbd['w1']:.2f}); "
        "N(4, 0.5) has 0.5",
        "Alone, a spike at the mean fools D; comparing the samples of a batch exposes it.",
        "a spike (std under 0.2) without, std within 0.1 of 0.5 and half the W1 with",
    )


def check_packing(r: Results) -> Verdict:
    plain, packed = r["pack 1"].last, r["pack 2"].last
    total = plain["modes_total"]
    ok = packed["modes_covered"] == total and plain["modes_covered"] <= total - 2
    return verdict(
        ok,
        f"unpacked, G dropped {total - plain['modes_covered']:.0f} of {total:.0f} modes; "
        f"packed in pairs, {total - packed['modes_covered']:.0f}",
        "A D that judges two samples at once sees when they come from too few modes.",
        "the packed G to cover every mode and the unpacked one to drop at least 2",
    )


def check_k(r: Results) -> Verdict:
    one, five, slow = r["k 1"].last, r["k 5"].last, r["k 5, lr_d / 5"].last
    balanced = min(one["d_fake"], slow["d_fake"]) > 0.3
    ok = five["d_fake"] < 0.1 and balanced and five["w1"] > 2 * max(one["w1"], slow["w1"])
    return verdict(
        ok,
        f"with k 5, D(G(z)) ended at {five['d_fake']:.3f} and G {five['w1']:.2f} from the "
        f"ring (W1); with k 1, at {one['d_fake']:.3f} and {one['w1']:.2f}; with k 5 and "
        f"lr_d / 5, at {slow['d_fake']:.3f} and {slow['w1']:.2f}",
        "Five D steps per G step let D win, and a winning D starves the saturating G; a "
        "slower D restores the balance.",
        "k 5's D(G(z)) under 0.1, the others' over 0.3, and k 5's W1 over twice theirs",
    )


def check_wgan(r: Results) -> Verdict:
    clip, gp = r["weight clipping"].last, r["gradient penalty"].last
    ok = clip["slope"] < 0.3 and abs(gp["slope"] - 1) < 0.25 and clip["at_clip"] > 0.1
    return verdict(
        ok,
        f"between real and fake points the clipped critic's slope |grad D| was "
        f"{clip['slope']:.2f}, with {100 * clip['at_clip']:.0f}% of its weights at +-c; the "
        f"penalised critic's was {gp['slope']:.2f} (W1 of G's samples so far: "
        f"{clip['w1']:.2f} clipped, {gp['w1']:.2f} penalised)",
        "Clipping boxes the critic in and leaves it nearly flat; the penalty asks for the "
        "slope 1 of W1's dual exactly where G's samples must move.",
        "the clipped slope under 0.3 with over 10% of weights at +-c, the penalised within "
        "0.25 of 1",
    )


def critic_numbers(trainer: Any) -> dict[str, float]:
    """The critic's mean slope |grad_x D| on points between real and fake samples (what the
    gradient penalty pulls to 1), and the share of its weights at the clipping bound."""
    gen = torch.Generator().manual_seed(trainer.cfg.seed + 5)  # not the training stream
    real = trainer.data.sample(SLOPE_POINTS, gen).cpu()
    fake = trainer.sample(SLOPE_POINTS, gen).detach().cpu()
    t = torch.rand(SLOPE_POINTS, 1, generator=gen)
    x = (t * real + (1 - t) * fake).to(trainer.device).requires_grad_(True)
    (grad,) = torch.autograd.grad(trainer.d_logits_on(x).sum(), x)
    c = trainer.cfg.clip
    weights = torch.cat([p.detach().abs().flatten() for p in trainer.d.parameters()])
    share = float((weights >= 0.999 * c).float().mean()) if c else 0.0
    return {"slope": float(grad.norm(dim=1).mean()), "at_clip": share}
