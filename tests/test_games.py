"""The ``Game`` protocol: every game is one, its hooks return what the trainer expects, and
the trainer calls them directly (no getattr/hasattr probing)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from ganlab.config.presets import VARIANTS
from ganlab.config.run_config import make_config
from ganlab.errors import ConfigError
from ganlab.games import make_game
from ganlab.games.base import Fake, Game
from ganlab.games.image import ImageGame
from ganlab.games.toy import ToyGame
from ganlab.losses import LOSSES, PROBABILITY_OUTPUT
from ganlab.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
CPU = torch.device("cpu")
TOY = [name for name, v in VARIANTS.items() if v.kind == "toy"]
IMAGE = [name for name, v in VARIANTS.items() if v.kind == "image"]
N = 8


def small(variant: str, **overrides):
    data = "mnist" if variant in IMAGE else "ring8"
    return make_config(variant, data, hidden=8, batch_size=N, seed=0, **overrides)


def build(variant: str, **overrides) -> Game:
    torch.manual_seed(0)
    return make_game(small(variant, **overrides), CPU, torch.Generator().manual_seed(0))


def test_the_variants_cover_toy_and_all_four_image_games():
    assert {"dcgan", "cgan", "infogan", "lapgan"} == set(IMAGE)
    assert "nsgan" in TOY and "wgan-gp" in TOY


@pytest.mark.parametrize("variant", TOY + IMAGE)
def test_every_game_is_a_game_and_its_hooks_return_the_right_types(variant):
    game = build(variant)
    assert isinstance(game, Game)
    assert isinstance(game.g, nn.Module) and isinstance(game.d, nn.Module)
    assert isinstance(game.concat_ok, bool)
    assert game.cfg.variant == variant and game.device == CPU

    real, cond = game.real(N)
    fake = game.fake(N)
    assert isinstance(fake, Fake)  # x: a batch of N (a pyramid of N for LAPGAN)
    # A pack of samples gets one logit; LAPGAN's D judges each of its three levels.
    judged = 3 * N if variant == "lapgan" else N // game.cfg.pack
    assert game.discriminate(real, cond).shape == (judged,)
    assert game.discriminate(fake.x, fake.cond).shape == (judged,)
    assert game.noise(N).shape[0] == N

    fast = game.fast_d_params()
    assert isinstance(fast, list) and all(isinstance(p, nn.Parameter) for p in fast)
    d_ids = {id(p) for p in game.d.parameters()}
    assert all(id(p) in d_ids for p in fast)  # only D's own layers may train at G's rate
    assert bool(fast) == (variant == "infogan")

    aux = game.aux_loss(fake)
    assert (aux is not None) == (variant == "infogan")
    if aux is not None:
        assert isinstance(aux, Tensor) and aux.dim() == 0 and torch.isfinite(aux)

    penalty = game.penalty(real, cond, Fake(fake.x.detach(), fake.cond), torch.Generator())
    if variant in IMAGE:  # conditions and pyramids need the game's own penalty
        assert isinstance(penalty, Tensor) and penalty.dim() == 0 and penalty >= 0
    else:  # toy games leave it to the trainer's plain penalty on D
        assert penalty is None

    game.average_g(1)  # no g_ema: nothing to average, and nothing to save
    assert game.averaged_g_state() is None
    metrics = game.metrics()
    assert metrics and all(isinstance(v, float) for v in metrics.values())
    view = game.view(LOSSES[game.cfg.loss], PROBABILITY_OUTPUT[game.cfg.loss])
    assert view and all(isinstance(v, np.ndarray) for v in view.values())
    samples = game.sample(3, torch.Generator().manual_seed(1))
    assert samples.shape == ((3, 28, 28) if variant in IMAGE else (3, 2))


@pytest.mark.parametrize("variant", TOY)
def test_toy_games_judge_points_and_have_no_digits(variant):
    game = build(variant)
    assert game.data is not None and game.training_images() is None
    assert game.d_on(torch.zeros(5, 2)).shape == (5,)
    with pytest.raises(ConfigError, match="image variants"):
        game.use_training_set(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))


@pytest.mark.parametrize("variant", IMAGE)
def test_image_games_have_digits_and_no_point_logits(variant):
    game = build(variant)
    assert game.data is None
    images = game.training_images()
    assert images is not None and images.shape[1:] == (1, 28, 28) and len(images) > 1000
    with pytest.raises(ConfigError, match="toy variants"):
        game.d_on(torch.zeros(2, 1, 28, 28))


def test_use_training_set_makes_the_game_draw_only_those_digits():
    game = build("cgan")
    x = torch.rand(6, 1, 28, 28)
    y = torch.full((6,), 3, dtype=torch.long)
    game.use_training_set(x, y)
    assert torch.equal(game.training_images(), x)
    real, labels = game.real(40)
    assert (labels == 3).all()  # CGAN's real batch carries its labels
    assert all(any(torch.equal(r, xi) for xi in x) for r in real)
    with pytest.raises(ConfigError, match="got 6 digits and 2 labels"):
        game.use_training_set(x, y[:2])


def test_an_averaged_g_is_saved_and_restored_through_the_protocol():
    game = build("nsgan", g_ema=0.9)
    state = game.averaged_g_state()
    assert state is not None and set(state) == set(game.g.state_dict())
    saved = {k: v.clone() for k, v in state.items()}
    with torch.no_grad():
        for p in game.g.parameters():
            p.add_(1.0)
    game.average_g(50)  # moves the average toward the shifted G
    assert any(not torch.equal(saved[k], v) for k, v in game.averaged_g_state().items())
    game.load_averaged_g(saved)
    assert all(torch.equal(saved[k], v) for k, v in game.averaged_g_state().items())


def test_the_trainer_offers_what_callers_used_to_fetch_from_its_game():
    toy = Trainer(small("nsgan", steps=2), CPU)
    toy.train_steps(2)
    assert toy.data is not None and toy.training_images() is None
    x = toy.sample(4, torch.Generator().manual_seed(2))
    assert x.shape == (4, 2)
    assert toy.d_logits_on(x).shape == (4,)
    image = Trainer(small("dcgan"), CPU)
    digits, labels = torch.rand(5, 1, 28, 28), torch.arange(5)
    image.use_training_set(digits, labels)
    assert torch.equal(image.training_images(), digits)
    assert image.sample(2, torch.Generator().manual_seed(0)).shape == (2, 28, 28)


def test_the_trainer_puts_infogans_q_head_in_a_group_at_gs_rate():
    t = Trainer(small("infogan", lr_g=1e-3, lr_d=2e-4), CPU)
    fast = {id(p) for p in t.game.fast_d_params()}
    assert len(t.opt_d.param_groups) == 2
    assert {id(p) for p in t.opt_d.param_groups[1]["params"]} == fast
    assert float(t.opt_d.param_groups[1]["lr"]) == pytest.approx(1e-3)
    assert float(t.opt_d.param_groups[0]["lr"]) == pytest.approx(2e-4)


def test_the_protocol_documents_every_member_and_both_bases_implement_it():
    members = [
        name
        for name in vars(Game)
        if not name.startswith("_") and callable(getattr(Game, name, None))
    ]
    assert {"penalty", "fast_d_params", "averaged_g_state", "use_training_set"} <= set(members)
    for name in members:
        assert getattr(Game, name).__doc__, f"Game.{name} has no docstring"
        for cls in (ToyGame, ImageGame):  # written out, not inherited from the protocol
            assert name in {n for c in cls.__mro__ for n in vars(c)}, f"{cls.__name__}.{name}"
    fields = set(Game.__annotations__)
    assert {"g", "d", "concat_ok", "data", "cfg", "device"} <= fields


def test_training_never_probes_a_game_with_getattr_or_hasattr():
    probes = re.compile(r"getattr\(\s*(self\.)?game|hasattr\(")
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted((ROOT / "ganlab" / "training").glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if probes.search(line)
    ]
    assert not found, found


def test_nothing_outside_training_walks_into_a_trainers_game():
    walks = re.compile(r"\btrainer\.game\b|runner\.trainer\.\w+\.")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("ganlab", "pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "training" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if walks.search(line)
    ]
    assert not found, found
