"""A trained image GAN's latent space: points and walks (space.py), inversion, and the shipped
models (pretrained.py).
"""
