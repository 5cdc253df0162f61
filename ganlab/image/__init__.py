"""Image GANs on MNIST digits: DCGAN, CGAN, InfoGAN and LAPGAN as games for the trainer.

``make_image_game`` is what ganlab.game.make_game calls for a variant of kind ``image``.
Each game is in its own module: dcgan.py (DCGAN and CGAN), infogan.py, lapgan.py (with
pyramid.py); base.py holds what they share. Nothing trains or loads at import.
"""

from __future__ import annotations

import torch

from ganlab.config import RunConfig
from ganlab.errors import ConfigError
from ganlab.image.base import ImageGame, tile


def make_image_game(cfg: RunConfig, device: torch.device, generator: torch.Generator) -> ImageGame:
    """The game for an image variant (dcgan, cgan, infogan or lapgan)."""
    from ganlab.image.dcgan import CGANGame, DCGANGame
    from ganlab.image.infogan import InfoGANGame
    from ganlab.image.lapgan import LAPGANGame

    games = {"dcgan": DCGANGame, "cgan": CGANGame, "infogan": InfoGANGame, "lapgan": LAPGANGame}
    if cfg.variant not in games:
        raise ConfigError(
            f"variant {cfg.variant!r} is not an image GAN; choose one of: {', '.join(games)}."
        )
    return games[cfg.variant](cfg, device, generator)


__all__ = ["ImageGame", "make_image_game", "tile"]
