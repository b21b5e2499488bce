"""Reductions: ``sum`` and ``mean`` (with the array API's ``axis``/``keepdims`` and PyTorch's
``dim``/``keepdim`` spellings)."""

from __future__ import annotations

from .._tensor import Tensor
from ._args import as_tensor_arg
from ._primitive import Primitive, apply

__all__ = ["sum", "mean"]

_SUM = Primitive("sum", ("x",))
_MEAN = Primitive("mean", ("x",))


def _axis(axis, dim):
    if dim is not None:
        if axis is not None:
            raise TypeError("pass either axis or dim, not both")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis


def _reduce(prim, x, axis, dim, keepdims, keepdim, dtype=None):
    x = as_tensor_arg(x)
    params = {"axis": _axis(axis, dim), "keepdims": bool(keepdims or keepdim)}
    if dtype is not None:
        from .manipulation import astype

        x = astype(x, dtype)
    elif x.dtype.kind in "biu" and prim is _SUM:
        from .. import _dtypes
        from .manipulation import astype

        x = astype(x, _dtypes.int64)  # PyTorch and the standard sum integers in int64
    return apply(prim, (x,), params)


def sum(x, /, *, axis=None, dtype=None, keepdims=False, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    """Sum of elements over `axis` (all by default).

    Parameters
    ----------
    x : Tensor
    axis, dim : int or tuple of int, optional
        Axes to reduce (``dim`` is PyTorch's name).
    dtype : DType, optional
        Accumulate and return in this dtype.
    keepdims, keepdim : bool
        Keep reduced axes with length 1.
    """
    return _reduce(_SUM, x, axis, dim, keepdims, keepdim, dtype)


def mean(x, /, *, axis=None, keepdims=False, dim=None, keepdim=False, dtype=None) -> Tensor:
    """Arithmetic mean over `axis` (all by default); floating-point inputs only."""
    x = as_tensor_arg(x)
    if dtype is None and not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype.name.capitalize()}"
        )
    return _reduce(_MEAN, x, axis, dim, keepdims, keepdim, dtype)


def _sum_method(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=False):
    return sum(self, axis=axis, dim=dim, keepdims=keepdims, keepdim=keepdim, dtype=dtype)


def _mean_method(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=False):
    return mean(self, axis=axis, dim=dim, keepdims=keepdims, keepdim=keepdim, dtype=dtype)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {
    "sum": _sum_method,
    "mean": _mean_method,
}
