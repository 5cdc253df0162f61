"""Each loss pair against values worked out by hand for one small batch of logits."""

import math

import pytest
import torch

from ganlab.losses import (
    LOSSES,
    gradient_norm_penalty,
    gradient_penalty,
    interpolate,
    r1_penalty,
)
from ganlab.nets.mlp import ToyDiscriminator

D_REAL = torch.tensor([0.0, 2.0])
D_FAKE = torch.tensor([-1.0, 0.5])


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


D_CLASSIC = (softplus(-0.0) + softplus(-2.0)) / 2 + (softplus(-1.0) + softplus(0.5)) / 2

EXPECTED = {
    # name: (D's loss, G's loss)
    "minimax": (D_CLASSIC, -(softplus(-1.0) + softplus(0.5)) / 2),
    "nsgan": (D_CLASSIC, (softplus(1.0) + softplus(-0.5)) / 2),
    "lsgan": (0.5 * (1 + 1) / 2 + 0.5 * (1 + 0.25) / 2, 0.5 * (4 + 0.25) / 2),
    "wgan": ((-1.0 + 0.5) / 2 - (0.0 + 2.0) / 2, -(-1.0 + 0.5) / 2),
    "hinge": ((1 + 0) / 2 + (0 + 1.5) / 2, -(-1.0 + 0.5) / 2),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loss_matches_hand_computed_values(name: str) -> None:
    pair = LOSSES[name](D_REAL, D_FAKE)
    assert pair.d.item() == pytest.approx(EXPECTED[name][0], abs=1e-6)
    assert pair.g.item() == pytest.approx(EXPECTED[name][1], abs=1e-6)


def test_registry_holds_exactly_the_documented_losses() -> None:
    assert set(LOSSES) == set(EXPECTED)


def test_saturating_loss_gradient_vanishes_where_non_saturating_does_not() -> None:
    # D confidently rejects the fake: logit -8, D(G(z)) ~ 3e-4.
    logit = torch.tensor([-8.0], requires_grad=True)
    (g_sat,) = torch.autograd.grad(LOSSES["minimax"](D_REAL[:1], logit).g, logit)
    (g_ns,) = torch.autograd.grad(LOSSES["nsgan"](D_REAL[:1], logit).g, logit)
    assert abs(g_sat.item()) < 1e-3
    assert abs(g_ns.item()) > 0.99


def test_losses_stay_finite_for_extreme_logits() -> None:
    big = torch.tensor([1e4, -1e4])
    for fn in LOSSES.values():
        pair = fn(big, -big)
        assert torch.isfinite(pair.d) and torch.isfinite(pair.g)


def linear_critic(x: torch.Tensor) -> torch.Tensor:
    return 3.0 * x.sum(dim=1)


def test_gradient_penalty_of_a_linear_critic() -> None:
    # grad of 3 * (x1 + x2) has norm 3 * sqrt(2) everywhere: penalty (3 sqrt 2 - 1)^2.
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    gp = gradient_penalty(linear_critic, real, fake)
    assert gp.item() == pytest.approx((3 * math.sqrt(2) - 1) ** 2, rel=1e-5)


def test_gradient_penalty_of_a_packed_critic_takes_the_norm_per_pack() -> None:
    # A critic judging pairs, f([x1, x2]) = 3 x1[0] + 4 x2[1]: the gradient of each packed
    # input is (3, 0, 0, 4), norm 5, so the penalty is (5 - 1)^2 = 16. Per sample it would
    # be ((3 - 1)^2 + (4 - 1)^2) / 2 = 6.5.
    critic = ToyDiscriminator(2, hidden=4, depth=0, pack=2)
    with torch.no_grad():
        layer = next(m for m in critic.modules() if isinstance(m, torch.nn.Linear))
        layer.weight.copy_(torch.tensor([[3.0, 0.0, 0.0, 4.0]]))
        layer.bias.zero_()
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    assert gradient_penalty(critic, real, fake).item() == pytest.approx(16.0, rel=1e-5)


def test_the_penalty_formula_is_a_pure_function_of_the_gradients_and_vmaps() -> None:
    # Rows (3, 4) and (0, 0): norms 5 and 0, so ((5 - 1)^2 + (0 - 1)^2) / 2 = 8.5; packed in
    # pairs the one input's gradient is (3, 4, 0, 0), norm 5: (5 - 1)^2 = 16.
    grad = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    assert gradient_norm_penalty(grad).item() == pytest.approx(8.5)
    assert gradient_norm_penalty(grad, pack=2).item() == pytest.approx(16.0)
    per_run = torch.vmap(gradient_norm_penalty)(torch.stack([grad, 2 * grad]))
    assert per_run.tolist() == pytest.approx([8.5, (81 + 1) / 2])


def test_interpolate_picks_one_point_per_pair_on_the_segment() -> None:
    gen = torch.Generator().manual_seed(1)
    real, fake = torch.randn(64, 3, generator=gen), torch.randn(64, 3, generator=gen)
    x_hat = interpolate(real, fake, torch.Generator().manual_seed(0))
    t = (x_hat - fake) / (real - fake)  # the same fraction along all three coordinates
    assert (t - t[:, :1]).abs().max() < 1e-4
    assert 0 <= t.min() and t.max() <= 1 and t[:, 0].std() > 0.1
    again = interpolate(real, fake, torch.Generator().manual_seed(0))
    assert torch.equal(x_hat, again)  # the generator alone decides the points


def test_r1_penalty_of_a_linear_critic() -> None:
    real = torch.randn(16, 2, requires_grad=True)
    assert r1_penalty(linear_critic(real), real).item() == pytest.approx(18.0, rel=1e-6)
