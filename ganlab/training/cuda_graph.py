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

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import Tensor

from ganlab.config.fields import ROWS, changed

WARMUP_STEPS = 3  # eager steps on a side stream before capture (cuBLAS workspaces, Adam state),
# undone afterwards (``undone``): capturing does not advance the run
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
        one uncounted training step. Warm-up runs on a side stream, as capture requires;
        the caller undoes what it did to the weights (``undone``)."""
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


@contextlib.contextmanager
def undone(
    modules: list[torch.nn.Module], optimizers: list[torch.optim.Optimizer]
) -> Iterator[None]:
    """Run the block, then put every weight, buffer and optimizer moment back as it was, in
    place (a captured graph holds their addresses). A moment the block created is zeroed,
    which is how a fresh Adam starts. So the warm-up before a capture costs no steps of the
    run: a graphed run's step N is the eager run's step N."""
    tensors = [t for m in modules for t in (*m.parameters(), *m.buffers())]
    kept = [t.detach().clone() for t in tensors]
    moments = {id(p): {k: v.clone() for k, v in s.items() if torch.is_tensor(v)}
               for o in optimizers for p, s in o.state.items()}  # fmt: skip
    try:
        yield
    finally:
        with torch.no_grad():
            for t, old in zip(tensors, kept):
                t.copy_(old)
            for o in optimizers:
                for p, state in o.state.items():
                    old = moments.get(id(p), {})
                    for k, v in state.items():
                        if torch.is_tensor(v):
                            v.copy_(old[k]) if k in old else v.zero_()
