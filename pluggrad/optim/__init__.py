"""``pluggrad.optim``: PyTorch's optimizers and learning-rate schedulers on pluggrad's tensors.

``SGD``, ``Adam``, ``AdamW``, ``Adamax``, ``NAdam``, ``RAdam``, ``RMSprop``, ``Adagrad``,
``Adadelta``, ``Rprop``, ``ASGD`` and ``LBFGS``, with PyTorch's names,
defaults, parameter groups, state and ``state_dict`` format, computing what PyTorch's
single-tensor (``foreach=False``) path computes; :mod:`pluggrad.optim.lr_scheduler` holds the
schedulers.  The steps run under ``no_grad`` and change the parameters and the state tensors in
place.  Except for ``LBFGS`` (which decides in Python, as PyTorch's does), a step reads no
tensor value into Python, so it can be traced by ``pluggrad.compile``.
"""

from __future__ import annotations

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
    "Adadelta", "Rprop", "ASGD", "LBFGS", "lr_scheduler",
]  # fmt: skip
