"""What a GAN plays on: a game owns the nets, the real and fake batches and what D sees.

- base.py: ``Fake`` and ``Game``, the protocol of every hook the trainer may call;
- toy.py: points in 1D and 2D (MLPs);
- image.py: what the digit games share; dcgan.py (DCGAN, CGAN), infogan.py, lapgan.py (with
  pyramid.py): one paper per file.

``make_game`` picks the game for a config. Nothing trains or loads at import.
"""

from __future__ import annotations

import torch

from ganlab.config.run_config import RunConfig
from ganlab.errors import ConfigError
from ganlab.games.base import Game


def make_game(cfg: RunConfig, device: torch.device, generator: torch.Generator) -> Game:
    """The game for a config: points for toy variants, digits for image variants."""
    from ganlab.games.dcgan import CGANGame, DCGANGame
    from ganlab.games.infogan import InfoGANGame
    from ganlab.games.lapgan import LAPGANGame
    from ganlab.games.toy import ToyGame

    if cfg.kind == "toy":
        return ToyGame(cfg, device, generator)
    games = {"dcgan": DCGANGame, "cgan": CGANGame, "infogan": InfoGANGame, "lapgan": LAPGANGame}
    if cfg.variant not in games:
        raise ConfigError(
            f"variant {cfg.variant!r} is not an image GAN; choose one of: {', '.join(games)}."
        )
    return games[cfg.variant](cfg, device, generator)
