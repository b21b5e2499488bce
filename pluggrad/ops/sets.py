"""Set functions of the array API (``unique_all``, ``unique_counts``, ``unique_inverse``,
``unique_values``) and PyTorch's ``unique``.

The results come in the backend's namedtuple types (fields ``values``, ``indices``,
``inverse_indices``, ``counts``), holding tensors; the unique values are sorted, and each NaN
counts as distinct.  None of them is differentiable (PyTorch's ``unique`` has no derivative
either: its backward raises).
"""

from __future__ import annotations

import numpy as np

from .._core.primitive import apply
from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis
from ._define import primitive

__all__ = ["unique_all", "unique_counts", "unique_inverse", "unique_values", "unique"]

_UNIQUE_ALL = primitive("unique_all", ("x",), n_outputs=4)
_UNIQUE_COUNTS = primitive("unique_counts", ("x",), n_outputs=2)
_UNIQUE_INVERSE = primitive("unique_inverse", ("x",), n_outputs=2)
_UNIQUE_VALUES = primitive("unique_values", ("x",))


def unique_all(x, /):
    """The unique elements of `x` with, for each, the index of its first occurrence in the
    flattened `x` and its count, and for each element of `x` the index of its value:
    ``(values, indices, inverse_indices, counts)`` (``inverse_indices`` has `x`'s shape)."""
    return apply(_UNIQUE_ALL, (as_tensor_arg(x),))


def unique_counts(x, /):
    """The unique elements of `x` and how often each occurs: ``(values, counts)``."""
    return apply(_UNIQUE_COUNTS, (as_tensor_arg(x),))


def unique_inverse(x, /):
    """The unique elements of `x` and, for each element of `x`, the index of its value in
    them: ``(values, inverse_indices)``, ``inverse_indices`` of `x`'s shape."""
    return apply(_UNIQUE_INVERSE, (as_tensor_arg(x),))


def unique_values(x, /) -> Tensor:
    """The unique elements of `x` (sorted, one-dimensional)."""
    return apply(_UNIQUE_VALUES, (as_tensor_arg(x),))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """PyTorch's ``unique``: the sorted unique elements, then (if asked) the inverse indices
    and the counts, as a tensor or a tuple.  With `dim`, the unique slices along it, sorted
    lexicographically (computed on the host: the values must be readable)."""
    x = as_tensor_arg(input)
    if dim is not None:
        return _unique_slices(x, dim, return_inverse, return_counts)
    if not return_inverse and not return_counts:
        return unique_values(x)
    values, _, inverse, counts = unique_all(x)
    out = (values,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out


def _unique_slices(x: Tensor, dim: int, return_inverse: bool, return_counts: bool):
    values, inverse, counts = np.unique(
        x._backend.to_numpy(x._data),
        return_inverse=True,
        return_counts=True,
        axis=normalize_axis(dim, x.ndim),
    )
    out: tuple[Tensor, ...] = (as_tensor_arg(values, like=x),)
    if return_inverse:
        out += (as_tensor_arg(inverse.reshape(-1).astype(np.int64), like=x),)
    if return_counts:
        out += (as_tensor_arg(counts.astype(np.int64), like=x),)
    return out if len(out) > 1 else out[0]


# functions of __all__ whose results never carry gradients
NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(__all__)

# PyTorch-style Tensor methods this module provides: {method name: function}
TENSOR_METHODS: dict = {"unique": unique}
