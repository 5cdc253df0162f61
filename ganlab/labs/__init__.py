"""The labs built on the trainer: theory, sweeps, the latent space, augmentation."""
