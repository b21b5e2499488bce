"""The differentiable operations, under their array API names.

One module per topic of the standard; each lists its public functions in ``__all__``, the
functions whose results never carry gradients in ``NONDIFFERENTIABLE_FUNCTIONS`` (every other
function must have a record in the conformance op database), and the PyTorch-style Tensor
methods it provides in ``TENSOR_METHODS``.

This module is also the namespace that derivative formulas run against under
``create_graph=True`` (see :mod:`pluggrad.ops._primitive`), so every name a formula uses must
exist both here and in each backend's array namespace.
"""

from __future__ import annotations

import sys

from . import (
    _primitive,
    creation,
    dtype_functions,
    elementwise,
    fft,
    indexing,
    linalg,
    manipulation,
    reductions,
    searching,
    sets,
    sorting,
)
from .creation import *  # noqa: F403
from .derivatives import sum_to
from .dtype_functions import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .indexing import *  # noqa: F403
from .indexing import put_along_axis_add, scatter_add  # noqa: F401  (for derivative formulas)
from .linalg import *  # noqa: F403
from .manipulation import *  # noqa: F403
from .reductions import *  # noqa: F403
from .searching import *  # noqa: F403
from .sets import *  # noqa: F403
from .sorting import *  # noqa: F403

TOPICS = (
    creation, dtype_functions, elementwise, fft, indexing, linalg, manipulation, reductions,
    searching, sets, sorting,
)  # fmt: skip

__all__ = [name for topic in TOPICS for name in topic.__all__] + ["sum_to"]

_primitive.TENSOR_NS = sys.modules[__name__]
