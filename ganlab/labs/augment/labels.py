"""What label a GAN's digit gets when it joins a classifier's training set.

A generated digit comes without a label. Three answers, each a target distribution over the
classifier's outputs that the sample's cross-entropy is taken against:

- ``k+1``: a class of its own, "generated" (index K of K+1 outputs);
- ``argmax``: the class the classifier being trained is most sure of, re-read every step;
- ``uniform``: 1/K on each real class, label smoothing for outliers (LSRO, Zheng et al. 2017),
  which says "this looks like a digit, but no particular one".

Pure functions of logits, as losses.py's are; the loop that uses them is ganlab/augment.py.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.errors import ConfigError

K = 10  # digit classes


def pseudo_targets(scheme: str, logits: Tensor) -> Tensor:
    """The label distribution (n, outputs) a scheme gives generated digits, from the
    classifier's logits on them: one-hot on class K for ``k+1`` (logits have K+1 columns),
    one-hot on the classifier's own top class for ``argmax``, 1/K on every class for
    ``uniform``. Targets carry no gradient: the label is a constant for the step."""
    logits = logits.detach()
    if scheme == "k+1":
        return F.one_hot(torch.full_like(logits[:, 0], K, dtype=torch.long), K + 1).float()
    if scheme == "argmax":
        return F.one_hot(logits.argmax(dim=1), logits.shape[1]).float()
    if scheme == "uniform":
        return torch.full_like(logits, 1.0 / logits.shape[1])
    raise ConfigError(f"Scheme {scheme!r} gives generated digits no label.")


def generated_loss(scheme: str, logits: Tensor) -> Tensor:
    """Cross-entropy of the classifier's softmax against the scheme's pseudo-label, averaged
    over the batch. For ``uniform`` that is the mean over classes of -log p (LSRO)."""
    return -(pseudo_targets(scheme, logits) * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def describe_labels(scheme: str, model: nn.Module, fakes: Tensor) -> list[str]:
    """The pseudo-label ``scheme`` gives each digit at the end of training, in words."""
    with torch.no_grad():
        targets = pseudo_targets(scheme, model.eval()(fakes))
    model.train()
    if scheme == "uniform":
        return [f"1/{K} each"] * len(fakes)
    return ["generated" if t == K else str(int(t)) for t in targets.argmax(dim=1).tolist()]
