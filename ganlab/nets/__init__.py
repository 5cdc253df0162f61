"""Generator and discriminator nets: MLPs for points, convolutional nets for digits."""

from ganlab.nets.mlp import MLP, MinibatchDiscrimination, ToyDiscriminator

__all__ = ["MLP", "MinibatchDiscrimination", "ToyDiscriminator"]
