"""What every bench case times with: the plain eager loop a tutorial would write, and a
steps-per-second clock that warms up first and waits for the GPU.

The case registry (cases.py) and the cases (inapp.py, sweep.py) import this module; it
imports none of them, and it holds no case of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch import nn

from ganlab.config.run_config import RunConfig
from ganlab.data import make_toy_data
from ganlab.data.mnist import load_mnist
from ganlab.nets import MLP
from ganlab.nets.conv import ConvDiscriminator, ConvGenerator


def naive_steps_fn(cfg: RunConfig, device: torch.device) -> Callable[[int], None]:
    """The plain eager loop for a config: what a tutorial would write (the PyTorch DCGAN
    example's shape for digits, the same shape over MLPs for toy data)."""
    torch.manual_seed(cfg.seed)
    if cfg.kind == "image":
        images = load_mnist(cfg.mnist_dir or None)[0].to(device)
        g = ConvGenerator(cfg.noise_dim, cfg.hidden).to(device)
        d = ConvDiscriminator(cfg.hidden).to(device)

        def sample(n: int) -> torch.Tensor:
            return images[torch.randint(len(images), (n,), device=device)]
    else:
        data = make_toy_data(cfg.data, device)
        g = MLP(cfg.noise_dim, cfg.hidden, data.dim, cfg.depth, cfg.activation).to(device)
        d = MLP(data.dim, cfg.hidden, 1, cfg.depth, cfg.activation).to(device)
        sample = data.sample
    betas = (cfg.beta1, cfg.beta2)
    opt_g = torch.optim.Adam(g.parameters(), lr=cfg.lr_g, betas=betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=cfg.lr_d, betas=betas)
    bce = nn.BCEWithLogitsLoss()
    n = cfg.batch_size
    ones = torch.ones(n, device=device)
    zeros = torch.zeros(n, device=device)

    def d_step() -> torch.Tensor:
        real = sample(n)
        fake = g(torch.randn(n, cfg.noise_dim, device=device))
        loss_d = bce(d(real).view(-1), ones) + bce(d(fake.detach()).view(-1), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        return fake

    def steps(count: int) -> None:
        for _ in range(count):
            for _ in range(cfg.k - 1):
                d_step()
            fake = d_step()
            loss_g = bce(d(fake).view(-1), ones)
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()

    return steps


def rate(steps: Callable[[int], None], seconds: float, device: torch.device) -> float:
    """Steps per second of ``steps(n)``, which runs n training steps."""
    steps(20)  # warm up allocators and caches
    _sync(device)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps(25)
        n += 25
        _sync(device)
    return n / (time.perf_counter() - start)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
