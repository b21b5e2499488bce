"""Searching functions of the array API (``argmax``, ``argmin``, ``count_nonzero``,
``nonzero``, ``searchsorted``; ``where`` lives in :mod:`~pluggrad.ops.manipulation`) and
PyTorch's ``argwhere``.  Their results are indices or counts: never differentiable."""

from __future__ import annotations

import builtins

import numpy as np

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import acts_as_torch, to_dtype
from ._args import SCALAR_TYPES, as_tensor_arg, merge_axis, reduction_axes, torch_positional
from ._convert import binary_operands, cast
from ._define import primitive

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "argwhere"]


def _nonzero_forward(backend, x):
    xp = backend.xp
    indices = xp.nonzero(xp.reshape(x, (1,)) if x.ndim == 0 else x)
    return tuple(xp.astype(i, xp.int64) for i in indices)


def _argwhere_forward(backend, x):
    xp = backend.xp
    if x.ndim == 0:
        count = builtins.int(xp.count_nonzero(x))
        return xp.zeros((count, 0), dtype=xp.int64)
    return xp.astype(xp.stack(xp.nonzero(x), axis=1), xp.int64)


def _searchsorted_forward(backend, x1, x2, side, sorter):
    xp = backend.xp
    if x1.ndim <= 1:
        return xp.astype(xp.searchsorted(x1, x2, side=side, sorter=sorter), xp.int64)
    # PyTorch's batched form: x1 (..., n) sorted along its last axis, x2 (..., m)
    if sorter is not None:
        x1 = xp.take_along_axis(x1, sorter, axis=-1)
    a, b = xp.expand_dims(x1, axis=-2), xp.expand_dims(x2, axis=-1)
    below = a < b if side == "left" else a <= b
    return xp.sum(xp.astype(below, xp.int64), axis=-1)


_ARGMAX = primitive("argmax", ("x",))
_ARGMIN = primitive("argmin", ("x",))
_COUNT_NONZERO = primitive("count_nonzero", ("x",))
# one index array per dimension of x
_NONZERO = primitive("nonzero", ("x",), forward=_nonzero_forward, n_outputs=None)
_ARGWHERE = primitive("argwhere", ("x",), forward=_argwhere_forward)
_SEARCHSORTED = primitive("searchsorted", ("x1", "x2"), forward=_searchsorted_forward)


def _arg_extremum(prim, name, x, args, axis, keepdims, dim, keepdim):
    kw = torch_positional(name, args, ("dim", "keepdim"), {"dim": dim, "keepdim": keepdim})
    dim, keepdim = kw["dim"], kw["keepdim"]
    x = as_tensor_arg(x)
    axis = merge_axis(axis, dim)
    if axis is not None and not isinstance(axis, builtins.int):
        raise TypeError(f"{name}(): axis must be an int or None")
    reduction_axes(axis, x.ndim)  # checks the axis
    if x.ndim == 0:
        axis = None
    return apply(prim, (x,), {"axis": axis, "keepdims": bool(keepdims or keepdim)})


def argmax(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False) -> Tensor:
    """Index of the maximum along `axis` (of the flattened `x` by default), int64; the first
    one when several are equal, a NaN counting as the maximum.

    Parameters
    ----------
    x : Tensor
    axis, dim : int, optional
        PyTorch's ``argmax(x, dim, keepdim)`` positional form is accepted.
    keepdims, keepdim : bool
        Keep the reduced axis with length 1.
    """
    return _arg_extremum(_ARGMAX, "argmax", x, args, axis, keepdims, dim, keepdim)


def argmin(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False) -> Tensor:
    """Index of the minimum along `axis` (of the flattened `x` by default), int64; arguments
    as :func:`argmax`."""
    return _arg_extremum(_ARGMIN, "argmin", x, args, axis, keepdims, dim, keepdim)


def count_nonzero(x, /, *args, axis=None, keepdims=False, dim=None) -> Tensor:
    """Number of nonzero elements over `axis` (all by default), int64.

    PyTorch's ``count_nonzero(x, dim)`` positional form is accepted.
    """
    if len(args) > 1:
        raise TypeError("count_nonzero() takes at most 2 positional arguments")
    if args:
        dim = args[0]
    x = as_tensor_arg(x)
    axis = merge_axis(axis, dim)
    reduction_axes(axis, x.ndim)  # checks the axis
    if x.ndim == 0:
        axis = None
    return apply(_COUNT_NONZERO, (x,), {"axis": axis, "keepdims": bool(keepdims)})


def nonzero(x, /, *, as_tuple=None):
    """Indices of the nonzero elements: a tuple with one int64 tensor per dimension of `x`
    (the array API's form, which refuses a 0-d `x`).

    ``as_tuple=True`` is PyTorch's spelling of that form, where a 0-d `x` counts as
    one-dimensional; ``as_tuple=False`` gives PyTorch's default form instead, one row per
    element: :func:`argwhere`.  The Tensor method ``x.nonzero()`` follows PyTorch.
    """
    x = as_tensor_arg(x)
    if as_tuple is False or (as_tuple is None and acts_as_torch()):
        return argwhere(x)
    if as_tuple is None and x.ndim == 0:
        raise ValueError(
            "nonzero is not defined for 0-d arrays (the array API standard); "
            "nonzero(x, as_tuple=True) treats a 0-d x as one-dimensional, as PyTorch does"
        )
    return apply(_NONZERO, (x,))


def argwhere(input) -> Tensor:  # noqa: A002 - PyTorch's parameter name
    """PyTorch's ``argwhere``: the indices of the nonzero elements, one row per element
    (shape ``(count, ndim)``, int64)."""
    return apply(_ARGWHERE, (as_tensor_arg(input),))


def _common_dtype(a: Tensor, b: Tensor):
    if a.dtype is b.dtype:
        return a.dtype
    return to_dtype(np.result_type(np.dtype(a.dtype.name), np.dtype(b.dtype.name)).name)


def searchsorted(x1, x2, /, *, side="left", sorter=None, right=None, out_int32=False) -> Tensor:
    """Indices where the elements of `x2` would be inserted into the sorted `x1` to keep it
    sorted (int64).

    Parameters
    ----------
    x1 : Tensor
        Sorted along its last axis (one-dimensional in the standard; PyTorch's batched form,
        with leading axes matching those of `x2`, is accepted).  Unsorted with `sorter`.
    x2 : Tensor or Python scalar
        The values to insert.
    side : {"left", "right"}
        For values equal to elements of `x1`: the first suitable index, or the last.
    sorter : Tensor, optional
        Indices that sort `x1` (``argsort(x1)``).
    right : bool, optional
        PyTorch's spelling of ``side="right"``.
    out_int32 : bool
        Return int32 indices (PyTorch).
    """
    if right is not None:
        side = "right" if right else "left"
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    x1 = as_tensor_arg(x1)
    if isinstance(x2, SCALAR_TYPES):  # a weak scalar: x1's dtype (promoted for a float)
        x1, _ = binary_operands(x1, x2)
        x2 = cast(as_tensor_arg(x2, like=x1), x1.dtype)
    else:
        x2 = as_tensor_arg(x2, like=x1)
        common = _common_dtype(x1, x2)
        x1, x2 = cast(x1, common), cast(x2, common)
    if sorter is not None:
        sorter = as_tensor_arg(sorter, like=x1)
    args = (x1, x2)
    out = apply(_SEARCHSORTED, args, {"side": side, "sorter": None if sorter is None else
                                      sorter._data})  # fmt: skip
    return cast(out, _dtypes.int32) if out_int32 else out


def _argmax_method(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
    return argmax(self, axis=merge_axis(axis, dim), keepdims=keepdims or keepdim)


def _argmin_method(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
    return argmin(self, axis=merge_axis(axis, dim), keepdims=keepdims or keepdim)


def _nonzero_method(self, *, as_tuple=False):
    return nonzero(self, as_tuple=as_tuple)


def _count_nonzero_method(self, dim=None, *, axis=None, keepdims=False):
    return count_nonzero(self, axis=merge_axis(axis, dim), keepdims=keepdims)


# functions of __all__ whose results never carry gradients
NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(__all__)

# PyTorch-style Tensor methods this module provides: {method name: function}
TENSOR_METHODS: dict = {
    "argmax": _argmax_method,
    "argmin": _argmin_method,
    "count_nonzero": _count_nonzero_method,
    "nonzero": _nonzero_method,
    "argwhere": argwhere,
}
