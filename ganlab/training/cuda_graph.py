"""The toy training step as one CUDA graph: k D steps and a G step, replayed per step.

A toy step is dozens of tiny kernels, so on a GPU its time is launch overhead, not maths.
Captured once (``torch.cuda.graph``), a whole step replays as a single launch. What the
capture needs, and how the trainer provides it:

- fixed shapes and no host syncs in the step: toy batches are sampled on the device from
  the trainer's own generator, registered with the graph so each replay draws new numbers;
- optimizer state and learning rates that live on the device: Adam is built fused and
  capturable on CUDA, and its lr is a device tensor that lr decay and the live knobs fill
  in place (a Python float would be baked into the graph);
- a re-capture whenever the step's shape changes (a new k) or the optimizer state is
  replaced (restoring the last finite state after a divergence, loading a checkpoint).

Anything else (a CPU or MPS device, SGD/RMSprop, an unrolled D, image nets, or a capture
that fails) trains eagerly, and ``Trainer.graph_status`` says why. ``GANLAB_CUDA_GRAPHS=0``
turns graphs off. The GPU speed-up is measured by ``python -m ganlab bench`` (bench/).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from ganlab.config.fields import ROWS, changed

WARMUP_STEPS = 3  # eager steps on a side stream before capture (cuBLAS workspaces, Adam state)
# The settings a captured step supports only at their default, each with its reason in words
# (``graph`` in fields.py: SGD/RMSprop keep their lr on the host, an unrolled D, instance noise).
GRAPH_DEFAULT_ONLY = tuple(row for row in ROWS if row.graph)


def graph_unsupported(cfg: Any, device: torch.device) -> str | None:
    """Why this run cannot train as a CUDA graph (one phrase), or None if it can."""
    if os.environ.get("GANLAB_CUDA_GRAPHS", "1") == "0":
        return "CUDA graphs are off (GANLAB_CUDA_GRAPHS=0)"
    if device.type != "cuda":
        return f"CUDA graphs need a CUDA device, this run is on {device.type}"
    if cfg.kind != "toy":
        return "image GANs train eagerly (batch norm and per-game caches)"
    if rows := changed(cfg, GRAPH_DEFAULT_ONLY):  # the first in table order
        return rows[0].graph.format(value=getattr(cfg, rows[0].name), default=rows[0].default)
    return None


class StepGraph:
    """One captured training step. ``replay()`` runs it and returns its statistics as fresh
    tensors (the graph's own outputs are overwritten by the next replay)."""

    def __init__(
        self,
        step: Callable[[], tuple[Tensor, ...]],
        warmup: Callable[[], None],
        generator: torch.Generator,
    ) -> None:
        """``step`` computes one training step and returns its statistics; ``warmup`` runs
        one ordinary (counted) training step. Warm-up runs on a side stream, as capture
        requires; the warm-up steps are real steps of the run."""
        device = generator.device
        side = torch.cuda.Stream(device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):
                warmup()
        torch.cuda.current_stream(device).wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        self.graph.register_generator_state(generator)
        with torch.cuda.graph(self.graph):
            self._out = step()

    def replay(self) -> tuple[Tensor, ...]:
        self.graph.replay()
        return tuple(t.clone() for t in self._out)
