"""The differentiable operations, under their array API names.

This module is also the namespace that derivative formulas run against under
``create_graph=True`` (see :mod:`pluggrad.ops._primitive`), so every name a formula uses must
exist both here and in each backend's array namespace.
"""

from __future__ import annotations

import sys

from . import _primitive
from .creation import *  # noqa: F403
from .creation import __all__ as _creation_all
from .derivatives import sum_to
from .elementwise import *  # noqa: F403
from .elementwise import __all__ as _elementwise_all
from .indexing import getitem, scatter_add
from .linalg import *  # noqa: F403
from .linalg import __all__ as _linalg_all
from .manipulation import *  # noqa: F403
from .manipulation import __all__ as _manipulation_all
from .reductions import *  # noqa: F403
from .reductions import __all__ as _reductions_all

__all__ = [
    *_creation_all, *_elementwise_all, *_linalg_all, *_manipulation_all, *_reductions_all,
    "getitem", "scatter_add", "sum_to",
]  # fmt: skip

_primitive.TENSOR_NS = sys.modules[__name__]
