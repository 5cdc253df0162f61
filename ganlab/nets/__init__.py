"""Generator and discriminator nets: MLPs for points, convolutional nets for digits."""

from ganlab.nets.mlp import MLP, Maxout, MinibatchDiscrimination, ToyDiscriminator
from ganlab.nets.modes import evaluating

__all__ = ["MLP", "Maxout", "MinibatchDiscrimination", "ToyDiscriminator", "evaluating"]
