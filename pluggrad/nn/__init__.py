"""``pluggrad.nn``: the part of ``torch.nn`` that training loops use, on pluggrad's autograd.

:class:`Module` and :class:`Parameter` with PyTorch's registration, iteration, ``state_dict``,
modes, conversions, hooks and ``repr``; the layers, activations and losses as modules
(:mod:`pluggrad.nn.modules`); their functional forms (:mod:`pluggrad.nn.functional`); weight
initialisation (:mod:`pluggrad.nn.init`); gradient clipping (:mod:`pluggrad.nn.utils`).
Every backend runs them: they are made of pluggrad's differentiable operations.
"""

from __future__ import annotations

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [
    "functional",
    "init",
    "utils",
    "Parameter",
    "Buffer",
    "UninitializedParameter",
    "UninitializedBuffer",
    *_modules_all,
]
