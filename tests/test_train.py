"""The training loop: determinism, k:1 schedule, mid-run knobs, snapshots, divergence."""

import numpy as np
import pytest
import torch

from ganlab.config.run_config import make_config
from ganlab.data import sample_noise
from ganlab.device import run_threads, torch_threads
from ganlab.nets import evaluating
from ganlab.training.checkpoint import load_trainer, save_run
from ganlab.training.trainer import Trainer


def small(variant: str = "nsgan", data: str = "ring8", **kw):
    base = dict(hidden=16, depth=1, batch_size=32, steps=20, snapshot_every=10)
    return make_config(variant, data, **{**base, **kw})


def test_same_seed_same_weights_on_cpu() -> None:
    a, b = Trainer(small(seed=4)), Trainer(small(seed=4))
    list(a.run())
    list(b.run())
    for pa, pb in zip(a.g.parameters(), b.g.parameters()):
        assert torch.equal(pa, pb)
    c = Trainer(small(seed=5))
    list(c.run())
    assert not torch.equal(next(a.g.parameters()), next(c.g.parameters()))


def test_k_discriminator_steps_per_generator_step() -> None:
    t = Trainer(small(k=3))
    t.train_step()
    assert t.step == 1
    d_steps = t.opt_d.state[next(t.d.parameters())]["step"]
    g_steps = t.opt_g.state[next(t.g.parameters())]["step"]
    assert (float(d_steps), float(g_steps)) == (3.0, 1.0)


def test_snapshots_report_means_and_metrics() -> None:
    snaps = list(Trainer(small()).run(view=True))
    assert [s.step for s in snaps] == [10, 20]
    s = snaps[-1]
    assert 0 < s.d_real < 1 and 0 < s.d_fake < 1  # probabilities for nsgan
    assert s.loss_d > 0 and s.grad_norm_d > 0 and s.grad_norm_g > 0
    assert s.metrics["modes_total"] == 8 and 0 <= s.metrics["js_grid"] <= np.log(2) + 1e-9
    v = s.view
    assert v["fake"].shape == (1000, 2) and v["fake_push"].shape == (1000, 2)
    assert v["d_grid"].shape == (3600,) and v["d_star"].shape == (3600,)
    assert ((v["d_star"] >= 0) & (v["d_star"] <= 1)).all()
    assert v["manifold"].shape == (30, 60, 2)


def test_critic_outputs_are_raw_scores() -> None:
    s = list(Trainer(small(variant="wgan-gp", steps=10)).run())[-1]
    assert s.status == "ok" and np.isfinite(s.loss_d)


def test_knobs_change_mid_run_and_lr_decays() -> None:
    t = Trainer(small(lr_decay=0.5, lr_decay_every=5))
    for _ in range(5):
        t.train_step()
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(0.5 * t.cfg.lr_g)
    t.set_knobs(lr_d=1e-2, k=2)
    assert t.opt_d.param_groups[0]["lr"] == pytest.approx(0.5e-2)  # decay still applies
    assert t.cfg.k == 2


@pytest.mark.parametrize(
    "mods",
    [
        {"minibatch_disc": True},
        {"pack": 4},
        {"unrolled": 2},
        {"variant": "wgan"},
        {"variant": "gan"},
        {"variant": "lsgan"},
        {"variant": "hinge"},
        {"r1": 1.0},
        {"g_batchnorm": True, "maxout": 5},
        {"g_batchnorm": True, "g_ema": 0.99},
        {"lookahead": 5, "variant": "wgan"},
        {"instance_noise": 0.3, "unrolled": 2},
        {"instance_noise": 0.3, "r1": 1.0, "instance_noise_steps": 10},
        {"instance_noise": 0.3, "variant": "wgan-gp"},
        {"data": "gauss1d"},
        {"data": "spiral", "noise": "uniform"},
        {"data": "moons", "activation": "tanh", "optimizer": "sgd"},
    ],
)
def test_every_modifier_trains_finitely(mods) -> None:
    s = list(Trainer(small(**mods)).run(view=True))[-1]
    assert s.status == "ok"
    assert np.isfinite([s.loss_d, s.loss_g]).all()
    assert np.isfinite(s.view["fake"]).all()


def test_batchnorm_g_samples_on_running_statistics_and_maxout_d_takes_the_max() -> None:
    t = Trainer(small(g_batchnorm=True, maxout=3, depth=2, d_depth=1, steps=20))
    list(t.run())
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in t.g.modules()) == 2  # G: depth 2
    assert [type(m).__name__ for m in t.d.trunk] == ["Maxout", "Linear"]  # D: d_depth 1
    assert t.g.training  # back in training mode after the snapshots' evaluation
    one = t.game.sample(1, torch.Generator().manual_seed(5))  # n = 1: no batch statistics
    z = sample_noise(t.cfg.noise, 1, t.cfg.noise_dim, "cpu", torch.Generator().manual_seed(5))
    with evaluating(t.g):  # running statistics: a sample does not depend on its batch
        torch.testing.assert_close(one, t.g(z))
        torch.testing.assert_close(t.g(torch.cat([z, torch.randn(63, 2)]))[:1], one)
    assert not torch.allclose(t.g(torch.cat([z, torch.randn(63, 2)]))[:1], one)  # batch stats
    layer = t.d.trunk[0]
    x = torch.randn(4, layer.linear.in_features)
    pieces = layer.linear(x).view(4, layer.out_dim, 3)
    torch.testing.assert_close(layer(x), pieces.max(-1).values)


def test_the_averaged_g_follows_g_and_is_what_is_shown_measured_and_saved(tmp_path) -> None:
    t = Trainer(small(g_ema=0.9, steps=30))
    before = [p.clone() for p in t.game.g_avg.parameters()]
    t.train_step()  # step 1: decay min(0.9, 2/11), so the average moves 9/11 of the way
    for avg, old, new in zip(t.game.g_avg.parameters(), before, t.g.parameters()):
        torch.testing.assert_close(avg, old + (new - old) * 9 / 11)
    assert not any(p.requires_grad for p in t.game.g_avg.parameters())
    list(t.run())
    assert not torch.equal(next(t.game.g_avg.parameters()), next(t.g.parameters()))
    gen = torch.Generator().manual_seed(3)
    z = sample_noise(t.cfg.noise, 5, t.cfg.noise_dim, "cpu", torch.Generator().manual_seed(3))
    torch.testing.assert_close(t.game.sample(5, gen), t.game.g_avg(z))  # samples: the average
    shown = t.game.view(t.loss_fn, t.probability)["fake"]
    torch.testing.assert_close(torch.as_tensor(shown), t.game.g_avg(t.game.fixed_z))
    plain = Trainer(small(steps=30))  # the same run without the average trains the same G
    list(plain.run())
    for a, b in zip(plain.g.parameters(), t.g.parameters()):
        torch.testing.assert_close(a, b)
    assert plain.game.metrics() != t.game.metrics()
    save_run(t, tmp_path)
    back = load_trainer(tmp_path)
    for a, b in zip(back.game.g_avg.parameters(), t.game.g_avg.parameters()):
        assert torch.equal(a, b)


def test_lookahead_pulls_both_nets_back_every_n_steps_and_is_saved(tmp_path) -> None:
    def weights(t: Trainer) -> list[torch.Tensor]:
        return [p.detach().clone() for net in (t.g, t.d) for p in net.parameters()]

    plain, la = Trainer(small(seed=2)), Trainer(small(seed=2, lookahead=3, lookahead_alpha=0.25))
    start = weights(la)
    for _ in range(2):  # before the first pull-back both train alike
        plain.train_step()
        la.train_step()
    assert all(torch.equal(a, b) for a, b in zip(weights(plain), weights(la)))
    plain.train_step()
    la.train_step()  # step 3: slow = start + 0.25 (fast - start); both nets restart from it
    for got, s, fast in zip(weights(la), start, weights(plain)):
        torch.testing.assert_close(got, s + 0.25 * (fast - s))
    torch.testing.assert_close(la.lookahead.slow, weights(la))
    la.train_step()
    assert not all(torch.equal(a, b) for a, b in zip(la.lookahead.slow, weights(la)))
    save_run(la, tmp_path)
    back = load_trainer(tmp_path)
    assert back.cfg.lookahead == 3
    assert all(torch.equal(a, b) for a, b in zip(back.lookahead.slow, la.lookahead.slow))


def test_instance_noise_blurs_what_d_sees_and_fades_on_schedule() -> None:
    """D's inputs, real and fake, get N(0, sigma^2) noise; sigma falls linearly to 0 over
    instance_noise_steps G steps, or stays when that is 0."""
    seen: list[torch.Tensor] = []

    def record(t: Trainer) -> None:
        t.d.register_forward_pre_hook(lambda _, args: seen.append(args[0].detach().clone()))

    plain, noisy = (
        Trainer(small(seed=1)),
        Trainer(small(seed=1, instance_noise=1.0, instance_noise_steps=4)),
    )
    assert noisy.instance_sigma() == 1.0
    for t in (plain, noisy):
        record(t)
        t.train_step()
    (plain_d, plain_g, noisy_d, noisy_g) = seen  # one D forward (real and fake), one for G
    # ring8's points lie on a circle of radius 2; blurred by sigma 1 they spread off it
    radius = plain_d[:32].norm(dim=1)
    torch.testing.assert_close(radius, torch.full_like(radius, 2.0), atol=0.1, rtol=0)
    off = (noisy_d[:32].norm(dim=1) - 2).abs()
    assert float(off.mean()) > 0.5
    assert float((noisy_g - plain_g).std()) > 0.5  # G's fakes reach D blurred too
    expected = [0.75, 0.5, 0.25, 0.0, 0.0]  # after steps 1..5 of a 4-step fade
    got = []
    for _ in range(5):
        got.append(noisy.instance_sigma())
        noisy.train_step()
    assert got == expected
    assert Trainer(small(instance_noise=0.2)).instance_sigma() == 0.2  # 0 steps: kept


def test_wgan_clips_critic_weights() -> None:
    t = Trainer(small(variant="wgan", clip=0.01, steps=3))
    list(t.run())
    assert max(float(p.detach().abs().max()) for p in t.d.parameters()) <= 0.01 + 1e-7


def test_unrolled_g_gradient_differs_from_plain() -> None:
    grads = []
    for unrolled in (0, 5):
        t = Trainer(small(unrolled=unrolled, seed=1))
        t.train_d()
        t.train_g()
        grads.append(torch.cat([p.grad.flatten() for p in t.g.parameters()]))
    assert not torch.allclose(grads[0], grads[1])


def test_divergence_pauses_and_restores_the_last_finite_state() -> None:
    t = Trainer(small(lr_d=5.0, lr_g=5.0, optimizer="sgd", steps=2000, snapshot_every=10))
    snaps = list(t.run())
    last = snaps[-1]
    assert last.status == "diverged" and last.step < 2000
    assert "diverged" in last.message and "last finite state" in last.message
    assert all(torch.isfinite(p).all() for p in t.g.parameters())
    assert all(torch.isfinite(p).all() for p in t.d.parameters())
    assert t.step == (snaps[-2].step if len(snaps) > 1 else 0)


def test_cuda_graph_status_says_why_a_run_trains_eagerly():
    trainer = Trainer(make_config("nsgan", "ring8", device="cpu", steps=10))
    assert trainer.graph_status == "eager: CUDA graphs need a CUDA device, this run is on cpu"
    trainer.train_steps(3)
    assert trainer.step == 3 and trainer._graph is None


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_graph_step_trains_like_the_eager_step():
    cfg = make_config("nsgan", "ring8", device="cuda", steps=400, lr_decay=0.5, lr_decay_every=7)
    graphed, eager = Trainer(cfg), Trainer(cfg.replace(), torch.device("cuda"))
    eager._graph_off = "test"  # the same run, eagerly
    graphed.train_steps(20)
    eager.train_steps(20)
    assert graphed.graph_status == "cuda graph" and graphed._graph is not None
    assert graphed.step == eager.step == 20
    assert float(graphed.opt_g.param_groups[0]["lr"]) == pytest.approx(cfg.lr_g * 0.5**2)
    first, second = graphed.snapshot(metrics=False), None
    graphed.train_steps(380)
    eager.train_steps(380)
    second = graphed.snapshot(metrics=True)
    assert second.loss_d != first.loss_d  # replays draw new batches
    assert second.metrics["modes_covered"] >= eager.snapshot().metrics["modes_covered"] - 2
    graphed.set_knobs(k=2)  # a new k is a new graph
    graphed.train_steps(2)
    assert graphed._graph is not None and graphed.cfg.k == 2


def test_thread_policy_one_for_small_nets_on_cpu_one_in_the_app_else_torchs() -> None:
    assert run_threads("cpu", small=True) == 1
    assert run_threads(torch.device("cpu"), small=False) == 0
    assert run_threads("cuda", small=True) == 0
    assert run_threads("cuda", small=False, shared=True) == 1
    assert Trainer(small()).threads == 1  # a toy run on the CPU


def test_torch_threads_sets_restores_and_zero_leaves_torch_alone() -> None:
    before = torch.get_num_threads()
    other = 2 if before == 1 else 1
    with torch_threads(other):
        assert torch.get_num_threads() == other
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), torch_threads(other):
        raise RuntimeError("restored even so")
    assert torch.get_num_threads() == before
    with torch_threads(0):
        assert torch.get_num_threads() == before


def test_a_toy_trainer_steps_on_one_thread_and_gives_the_setting_back() -> None:
    t = Trainer(small())
    seen: list[int] = []
    step = t.train_step
    t.train_step = lambda: (seen.append(torch.get_num_threads()), step())  # type: ignore[method-assign]
    before = torch.get_num_threads()
    with torch_threads(2 if before == 1 else before):
        outer = torch.get_num_threads()
        t.train_steps(2)
        assert torch.get_num_threads() == outer
    assert seen == [1, 1]


def test_the_warm_up_before_a_cuda_graph_capture_leaves_the_run_as_it_was() -> None:
    """cuda_graph.undone on the CPU: the steps inside move nothing, Adam's moments included,
    and a moment the block created starts again from zero, as a fresh Adam's does."""
    from ganlab.training.cuda_graph import undone

    trainer = Trainer(small())
    trainer.train_steps(2)  # Adam has moments to keep
    nets, optimizers = [trainer.g, trainer.d], [trainer.opt_g, trainer.opt_d]
    weights = [p.detach().clone() for net in nets for p in net.parameters()]
    moments = [s["exp_avg"].clone() for o in optimizers for s in o.state.values()]
    with undone(nets, optimizers):
        trainer.train_steps(3)
        moved = [p.detach().clone() for net in nets for p in net.parameters()]
    assert any(not torch.equal(a, b) for a, b in zip(weights, moved))
    assert all(
        torch.equal(a, p) for a, p in zip(weights, (p for n in nets for p in n.parameters()))
    )
    assert all(torch.equal(a, s["exp_avg"]) for a, s in
               zip(moments, (s for o in optimizers for s in o.state.values())))  # fmt: skip
    fresh = Trainer(small())
    with undone([fresh.g, fresh.d], [fresh.opt_g, fresh.opt_d]):
        fresh.train_steps(1)
    assert all(float(s["exp_avg"].abs().max()) == 0 for s in fresh.opt_d.state.values())
