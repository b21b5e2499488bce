"""Autocast policies of the operations, as PyTorch's CPU autocast lists them
(``aten/src/ATen/autocast_mode.cpp``).

Inside an enabled ``pluggrad.amp.autocast`` region of a tensor's device type:

- :func:`lower_precision` operations (matrix products, ``linear``, convolutions, ``prelu``,
  attention) cast their floating-point tensor arguments, float64 excepted, to the region's
  dtype (``bfloat16`` or ``float16``);
- :func:`full_precision` operations (the losses, ``prod``, ``cdist``, ``trace``, quantiles,
  linear algebra's decompositions and solvers, the FFTs, 3-d pooling) cast them to float32;
- every other operation runs in its arguments' dtypes, with the usual promotion; the ones that
  PyTorch runs as one kernel and pluggrad builds of products (``mv``, ``dot``, ``bilinear``,
  ``matrix_exp``...) are :func:`exempt`, so that their products are not cast either.

Inside an operation with a policy the regions are hidden, as PyTorch's autocast kernels exclude
autocast below them: the operations it is made of run on the arguments as cast.

The casts are differentiable (``ToCopyBackward0`` in the graph), so the gradients of float32
parameters come back in float32.  Unlike PyTorch, pluggrad does not cache the casts of leaf
tensors within a region: each use casts again, which gives the same values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from .. import _dtypes
from .._core import autocast_state
from .._core.tensor import Tensor
from ._convert import astype

__all__ = ["lower_precision", "full_precision", "exempt", "to_full_precision"]

_F = TypeVar("_F", bound=Callable)


def _cast(value, wanted: Callable[[str], _dtypes.DType | None]):
    """`value` cast to what the region of its device asks for, if it is an eligible tensor
    (floating point, not float64: PyTorch's ``is_eligible``); anything else unchanged."""
    if type(value) in (list, tuple):
        return type(value)(_cast(v, wanted) for v in value)
    if not isinstance(value, Tensor) or value.dtype.kind != "f" or value.dtype is _dtypes.float64:
        return value
    target = wanted(value.device.type)
    return value if target is None or value.dtype is target else astype(value, target)


def _policy(wanted: Callable[[str], _dtypes.DType | None]) -> Callable[[_F], _F]:
    def decorate(fn: _F) -> _F:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            if not autocast_state.active():  # the common case: no region, no lookups
                return fn(*args, **kwargs)
            if wanted is not _nothing:
                args = tuple(_cast(a, wanted) for a in args)
                kwargs = {k: _cast(v, wanted) for k, v in kwargs.items()}
            token = autocast_state.suspended()
            try:
                return fn(*args, **kwargs)
            finally:
                autocast_state.leave(token)

        return run  # type: ignore[return-value]

    return decorate


def _float32_if_enabled(device_type: str) -> _dtypes.DType | None:
    return None if autocast_state.region_dtype(device_type) is None else _dtypes.float32


def _nothing(device_type: str) -> None:
    return None


#: PyTorch's ``lower_precision_fp`` policy: eligible arguments cast to the region's dtype
lower_precision = _policy(autocast_state.region_dtype)
#: PyTorch's ``fp32`` policy: eligible arguments cast to float32
full_precision = _policy(_float32_if_enabled)
#: no cast, and none below: an operation PyTorch runs as one kernel outside autocast's lists
exempt = _policy(_nothing)


def to_full_precision(value):
    """`value` cast as a :func:`full_precision` operation casts it: for operations whose
    policy depends on an argument (``pad``'s mode)."""
    return _cast(value, _float32_if_enabled) if autocast_state.active() else value
