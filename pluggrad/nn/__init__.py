"""``pluggrad.nn``: the part of ``torch.nn`` that training loops use, on pluggrad's autograd.

So far :mod:`pluggrad.nn.functional` (activations, losses, padding, normalization, embedding);
modules, parameters and initialisation are issue 15's next steps.
"""

from __future__ import annotations

from . import functional

__all__ = ["functional"]
