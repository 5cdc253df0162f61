"""The hand-written optimizer update against torch.optim, its differentiable mode, the unrolled
D that follows D's real optimizer, and the one lr schedule."""

from __future__ import annotations

import copy

import pytest
import torch

from ganlab.config.run_config import make_config
from ganlab.losses import ns_gan
from ganlab.nets.mlp import ToyDiscriminator
from ganlab.training.batched import BatchedTrainer
from ganlab.training.optim import functional_update, lr_factor, make_optimizer
from ganlab.training.trainer import Trainer
from ganlab.training.unrolled import unrolled_d_logits

OPTIMIZERS = ("adam", "sgd", "rmsprop")
BETAS = (0.5, 0.999)


def _torch_optimizer(name: str, params: list[torch.Tensor], lr: float) -> torch.optim.Optimizer:
    # The plain per-tensor kernels: the reference formulas, not the project's fused choice.
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=BETAS, foreach=False)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=False)
    return torch.optim.SGD(params, lr=lr, foreach=False)


def _grads(seed: int, shapes: list[torch.Size], steps: int) -> list[list[torch.Tensor]]:
    gen = torch.Generator().manual_seed(seed)
    return [[torch.randn(s, generator=gen) for s in shapes] for _ in range(steps)]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_functional_update_matches_torch_optim_over_several_steps(name: str) -> None:
    torch.manual_seed(0)
    ours = [torch.randn(4, 3), torch.randn(3)]
    start = [p.clone() for p in ours]
    theirs = [p.clone().requires_grad_(True) for p in ours]
    opt = _torch_optimizer(name, theirs, lr=1e-2)
    states: list[dict] = [{} for _ in ours]
    # Gradients shrinking to near zero exercise the eps in the denominators too.
    for i, grads in enumerate(_grads(1, [p.shape for p in ours], 6)):
        grads = [g * 10.0**-i for g in grads]
        for p, g in zip(theirs, grads):
            p.grad = g.clone()
        opt.step()
        functional_update(name, ours, grads, states, 1e-2, BETAS)
    for a, b in zip(ours, theirs):
        assert (a - b.detach()).abs().max() < 1e-6
    moved = max((a - b).abs().max() for a, b in zip(ours, start))
    assert moved > 1e-3  # the comparison is of trained weights, not of two untouched copies


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_per_run_lr_on_stacked_params_is_each_runs_own_optimizer(name: str) -> None:
    lrs = [1e-3, 1e-2, 5e-2]
    torch.manual_seed(1)
    stacked = [torch.randn(3, 5, 2), torch.randn(3, 2)]  # three runs along the first axis
    runs = [[p[r].clone().requires_grad_(True) for p in stacked] for r in range(3)]
    opts = [_torch_optimizer(name, run, lr) for run, lr in zip(runs, lrs)]
    states: list[dict] = [{} for _ in stacked]
    for grads in _grads(2, [p.shape for p in stacked], 5):
        for r, (run, opt) in enumerate(zip(runs, opts)):
            for p, g in zip(run, grads):
                p.grad = g[r].clone()
            opt.step()
        functional_update(name, stacked, grads, states, torch.tensor(lrs), BETAS)
    for r, run in enumerate(runs):
        for p, q in zip(stacked, run):
            assert (p[r] - q.detach()).abs().max() < 1e-6
    # The three runs really moved differently: their lrs span a factor of 50.
    assert (stacked[0][0] - stacked[0][2]).abs().max() > 1e-3


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_differentiable_update_keeps_the_graph_and_leaves_its_inputs_alone(name: str) -> None:
    # loss = w * sum(p^2): g = 2 w p. One step from empty state, with the denominator held
    # constant, is p - lr * 2 w p / c, so d(sum new p)/dw = -lr * sum(2 p / c) where c is 1
    # (SGD), |g| + 1e-8 (Adam's first step) or sqrt(0.01 g^2) + 1e-8 (RMSprop's).
    p = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    w = torch.tensor(1.5, requires_grad=True)
    (g,) = torch.autograd.grad(w * (p**2).sum(), p, create_graph=True)
    state = {"exp_avg": torch.zeros(3), "exp_avg_sq": torch.zeros(3), "square_avg": torch.zeros(3)}
    before = {k: v.clone() for k, v in state.items()}
    (new,) = functional_update(name, [p], [g], [dict(state)], 0.1, BETAS, differentiable=True)
    new.sum().backward()
    gd = (2 * 1.5 * p).detach()
    c = {"sgd": torch.ones(3), "adam": gd.abs() + 1e-8, "rmsprop": (0.01 * gd**2).sqrt() + 1e-8}
    expected = -0.1 * (2 * p.detach() / c[name]).sum()
    assert w.grad is not None and w.grad.item() == pytest.approx(expected.item(), rel=1e-5)
    assert torch.equal(p.detach(), torch.tensor([1.0, -2.0, 0.5]))  # p itself did not move
    for k, v in state.items():
        assert torch.equal(v, before[k])  # nor did the state it started from


def test_differentiable_adam_stays_finite_where_a_gradient_is_exactly_zero() -> None:
    p = torch.tensor([1.0, 0.0], requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(w * (p**2).sum(), p, create_graph=True)  # g[1] == 0
    new = p
    states: list[dict] = [{}]
    for _ in range(3):
        (new,) = functional_update("adam", [new], [g], states, 0.1, BETAS, differentiable=True)
    new.sum().backward()
    assert w.grad is not None and torch.isfinite(w.grad)
    assert p.grad is not None and torch.isfinite(p.grad).all()


def _d_and_optimizer(name: str) -> tuple[torch.nn.Module, torch.optim.Optimizer, list]:
    torch.manual_seed(3)
    d = ToyDiscriminator(2, hidden=8, depth=1)
    opt = make_optimizer(list(d.parameters()), name, 1e-2, BETAS)
    batches = [(torch.randn(16, 2), torch.randn(16, 2) + 1) for _ in range(4)]
    for real, fake in batches[:2]:  # two real steps, so the optimizer has moments to follow
        logits = d(torch.cat([real, fake]))
        opt.zero_grad()
        ns_gan(logits[:16], logits[16:]).d.backward()
        opt.step()
    return d, opt, batches[2:]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_unrolled_d_takes_the_steps_its_real_optimizer_would(name: str) -> None:
    d, opt, batches = _d_and_optimizer(name)
    fake = torch.randn(16, 2, requires_grad=True)
    # The reference: a copy of D whose own optimizer continues from the same state.
    reference_d = copy.deepcopy(d)
    reference_opt = make_optimizer(list(reference_d.parameters()), name, 1e-2, BETAS)
    reference_opt.load_state_dict(copy.deepcopy(opt.state_dict()))  # it would share tensors
    for real, _ in batches:
        logits = reference_d(torch.cat([real, fake.detach()]))
        reference_opt.zero_grad()
        ns_gan(logits[:16], logits[16:]).d.backward()
        reference_opt.step()
    saved = copy.deepcopy(opt.state_dict())
    weights = [p.detach().clone() for p in d.parameters()]
    more = iter([real for real, _ in batches[1:]])
    got = unrolled_d_logits(
        d, opt, name, 2, ns_gan, real=batches[0][0], fake=fake, more_real=lambda: next(more)
    )
    assert (got - reference_d(fake)).abs().max() < 1e-5
    assert (got - d(fake)).abs().max() > 1e-4  # two steps did move it
    got.sum().backward()
    assert fake.grad is not None and fake.grad.abs().sum() > 0
    # The real D and its optimizer are untouched.
    assert all(torch.equal(a, b) for a, b in zip(weights, d.parameters()))
    for key, state in saved["state"].items():
        for k, v in state.items():
            assert torch.equal(
                torch.as_tensor(v), torch.as_tensor(opt.state_dict()["state"][key][k])
            )


def test_lr_factor_is_a_step_schedule() -> None:
    assert [lr_factor(0.5, 50, s) for s in (0, 49, 50, 99, 100, 149, 150)] == [
        1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125,
    ]  # fmt: skip
    assert lr_factor(1.0, 10, 1000) == 1.0


def test_batched_rmsprop_with_lr_decay_reproduces_sequential_trainers() -> None:
    tiny = {"hidden": 16, "batch_size": 32, "steps": 12, "optimizer": "rmsprop"}
    tiny |= {"lr_decay": 0.5, "lr_decay_every": 4}
    cfgs = [
        make_config("nsgan", "ring8", seed=s, lr_d=lr, **tiny) for s, lr in ((0, 1e-3), (1, 3e-3))
    ]
    batched = BatchedTrainer(cfgs)
    batched.train_steps(12)
    batched.unstack()
    for cfg, game in zip(cfgs, batched.games):
        trainer = Trainer(cfg)
        trainer.train_steps(12)
        assert trainer.opt_g.param_groups[0]["lr"] == pytest.approx(cfg.lr_g * 0.125)
        for net, other in ((trainer.g, game.g), (trainer.d, game.d)):
            for p, q in zip(net.parameters(), other.parameters()):
                assert (p - q).abs().max() < 1e-5
