"""Named presets: which loss pair, which optimizer settings, which extra terms.

A variant is a few lines of defaults over ``RunConfig`` fields, not a copy of the training
loop. ``make_config`` (config.py) applies, in order: the dataclass defaults, the data set's
defaults (``DATA_DEFAULTS``), the variant's defaults, then what the user set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Variant:
    """A named GAN recipe. ``kind`` says which data it trains on: ``toy`` or ``image``."""

    name: str
    kind: str
    summary: str
    defaults: dict[str, Any] = field(default_factory=dict)


def _toy(name: str, summary: str, **defaults: Any) -> Variant:
    return Variant(name, "toy", summary, defaults)


def _image(name: str, summary: str, **defaults: Any) -> Variant:
    return Variant(name, "image", summary, defaults)


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in [
        _toy(
            "gan",
            "Goodfellow et al. 2014 as written: G minimises log(1 - D(G(z))), which saturates "
            "when D wins early.",
            loss="minimax",
        ),
        _toy(
            "nsgan",
            "The non-saturating GAN: G maximises log D(G(z)); the default everywhere.",
            loss="nsgan",
        ),
        _toy(
            "lsgan",
            "Least squares GAN (Mao et al. 2017): D regresses real to 1 and fake to 0.",
            loss="lsgan",
        ),
        _toy(
            "wgan",
            "Wasserstein GAN (Arjovsky et al. 2017): a critic kept Lipschitz by clipping its "
            "weights, several critic steps per G step, RMSprop.",
            loss="wgan",
            optimizer="rmsprop",
            lr_d=5e-4,
            lr_g=5e-4,
            k=5,
            clip=0.05,
        ),
        _toy(
            "wgan-gp",
            "WGAN with gradient penalty (Gulrajani et al. 2017): lambda 10, Adam(0.5, 0.9), "
            "5 critic steps per G step.",
            loss="wgan",
            beta1=0.5,
            beta2=0.9,
            k=5,
            gp_weight=10.0,
        ),
        _toy(
            "hinge",
            "Hinge loss (Lim & Ye 2017; SAGAN, BigGAN): D maximises the margin, G raises D's "
            "score of its samples.",
            loss="hinge",
        ),
        # G learns 5x faster than D. At Radford's 2e-4 for both, G kept avoiding a few
        # digits although D rated real 1s and 6s as the most real: on seed 0 the 6s were
        # 1.6 % of 5,000 samples (confidence 0.86); a faster D (5e-4) did not help (2.0 %).
        # With lr_g 1e-3 every digit is >= 5 % on seeds 0-3 (6.1, 5.2, 5.3, 5.8 %; confidence
        # 0.886-0.890, Frechet 79-96 instead of 192; bench/IMAGE_QUALITY.md).
        _image(
            "dcgan",
            "Radford et al. 2016: strided convolutions, batch norm, Adam(beta1 0.5); here G's "
            "learning rate is 5x D's so that every digit gets drawn.",
            loss="nsgan",
            lr_d=2e-4,
            lr_g=1e-3,
        ),
        _image(
            "cgan",
            "Conditional GAN (Mirza & Osindero 2014): the digit label is fed to G and D.",
            loss="nsgan",
            lr_d=2e-4,
            lr_g=2e-4,
        ),
        _image(
            "infogan",
            "InfoGAN (Chen et al. 2016): a 10-way code and two continuous codes that a Q head "
            "must recover from the image, so they come to mean something.",
            loss="nsgan",
            lr_d=2e-4,
            lr_g=1e-3,
            steps=6000,  # purity 0.87-0.93 over seeds 0-3 (bench/IMAGE_QUALITY.md)
        ),
        _image(
            "lapgan",
            "LAPGAN (Denton et al. 2015): a GAN at 7x7, then conditional GANs that add the "
            "band-pass detail at 14x14 and 28x28.",
            loss="nsgan",
            lr_d=2e-4,
            lr_g=2e-4,
        ),
    ]
}

# What each data set needs to train well out of the box (before the variant's own defaults).
DATA_DEFAULTS: dict[str, dict[str, Any]] = {
    # The classic 1D demo's lesson (AYLIEN's gan-intro): tiny nets on N(4, 0.5). The
    # demo's own SGD (0.005, x0.95 every 150 steps, batch 8, stratified noise) is a flag
    # away; these defaults show its lesson in 2,000 steps: the plain GAN collapses to a
    # spike (std ~0.04), minibatch discrimination restores the spread (std ~0.48, W1 <=
    # 0.094 on seeds 0-2). Uniform noise, because stratified fakes are more evenly spaced
    # than any iid real batch, and minibatch discrimination notices and biases G. Softplus,
    # as in the demo's G: with tanh the top of G's range saturates (W1 0.14-0.21, fakes
    # piled up at 4.6 and none above 4.7).
    "gauss1d": {
        "noise_dim": 1,
        "noise": "uniform",
        "hidden": 16,
        "depth": 2,
        "activation": "softplus",
        "lr_decay": 0.9,
        "lr_decay_every": 100,
        "batch_size": 64,
        "steps": 2000,
    },
    # Modes of std 0.02 and 0.05 are sharper than a GAN's step noise at lr 1e-3: without
    # annealing, G keeps hopping between modes (measured: 1-8 of 8 covered from one
    # thousand steps to the next). Decaying both lrs x0.9 every 250 steps lets it settle.
    # ring8 also packs pairs (PacGAN): unpacked, a mode was lost on 2 of 5 seeds (8,7,7,8,8
    # covered; 84-90 % high quality at lr 1e-3). Packed, all 8 on every seed, and the
    # higher lr 3e-3 then sharpens the modes in the same 5,000 steps: 92-94 % on seeds 0-4
    # (bench/QUALITY.md). Set pack to 1 to watch a mode get dropped.
    "ring8": {
        "steps": 5000,
        "lr_decay": 0.9,
        "lr_decay_every": 250,
        "pack": 2,
        "lr_d": 3e-3,
        "lr_g": 3e-3,
    },
    # 25 modes of std 0.05 need sharper nets than ring8's. PacGAN's toy nets (Lin et al.
    # 2018) do much better: batch norm in G's hidden layers, three of them, and a D of
    # maxout units (5 pieces); without G's batch norm it barely starts, with plain ReLU
    # units in D it is about half as good. Even so G hops between modes from one thousand
    # steps to the next. Lookahead (both nets pulled halfway back every 5 steps) damps the
    # hopping; a batch of 512 at lr 3e-3 for 20,000 steps, the decay stretched to match,
    # finds most modes and sharpens them, but unpacked it still lost 2-3 modes on two
    # seeds of five (25, 25, 23, 22, 25). Packing pairs (PacGAN) lets D see that G's pairs
    # come from too few modes: all 25 on nine of seeds 0-9 (23 on seed 7), 83-94 % high
    # quality, and D's packed batch is half as long, so a step costs half as much
    # (bench/QUALITY.md).
    "grid25": {
        "steps": 20000,
        "batch_size": 512,
        "depth": 3,
        "d_depth": 2,
        "maxout": 5,
        "g_batchnorm": True,
        "lr_d": 3e-3,
        "lr_g": 3e-3,
        "lr_decay": 0.9,
        "lr_decay_every": 2000,
        "lookahead": 5,
        "pack": 2,
    },
    "mnist": {"batch_size": 64, "hidden": 32, "noise_dim": 62, "steps": 2000},
}
