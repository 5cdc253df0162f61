"""How a run trains: the trainer (k D steps, one G step), the optimizer step and schedules,
unrolled and batched training, CUDA graphs, checkpoints, snapshots.
"""
