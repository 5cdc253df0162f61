"""Pick the device a run trains on: cuda, then mps, then cpu, unless the user names one."""

from __future__ import annotations

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
