"""Pick the device a run trains on (cuda, then mps, then cpu, unless the user names one), and
how many intra-op threads torch should use for it.

The thread policy has one home here: ``run_threads`` says how many, ``torch_threads`` sets
that for a block and restores torch's setting after. Nothing here trains anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from ganlab.errors import ConfigError


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` takes the fastest device present; naming a missing one is a ConfigError."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name == "cuda" and not cuda:
        raise ConfigError("device is 'cuda' but no CUDA GPU is available here; use auto or cpu.")
    if name == "mps" and not mps:
        raise ConfigError("device is 'mps' but Apple's MPS is not available here; use auto or cpu.")
    return torch.device(name)


def describe(device: torch.device) -> str:
    """A short human name, e.g. 'cuda (NVIDIA H100)' or 'cpu (2 threads)'."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return device.type


def run_threads(device: torch.device | str, small: bool = True, shared: bool = False) -> int:
    """How many intra-op threads a run should train on; 0 means torch's default.

    Small nets (the toy GANs, the labs' digit nets) on the CPU get one: their matmuls are too
    small to split, and on a loaded CPU the threads wait on each other (a toy step was 10x
    slower on a busy 2-core machine with two). A run in the app (``shared``) gets one
    whatever it trains: it shares the machine with other sessions' runs, and an OpenMP team
    stalls whenever one core is taken, so parallelism comes from the sessions instead (see
    bench/INAPP.md). Anything else: torch's default, all cores."""
    return 1 if shared or (small and torch.device(device).type == "cpu") else 0


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block on ``n`` intra-op threads and restore the previous setting after;
    n = 0 leaves torch's setting alone."""
    if not n:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
