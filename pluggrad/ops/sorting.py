"""Sorting functions of the array API (``sort``, ``argsort``) and PyTorch's ``topk``.

``sort(x, axis=...)`` is the standard's (the sorted values); PyTorch's form ``sort(x, dim)`` /
``sort(x, dim=...)`` and the Tensor method ``x.sort()`` return the namedtuple ``(values,
indices)``.  Sorting is stable here: tied elements keep their order (PyTorch's unstable CPU
sort may order ties otherwise).  The gradient of the values goes back to the positions they
were taken from.
"""

from __future__ import annotations

import builtins

from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import acts_as_torch
from ._args import (
    as_tensor_arg,
    merge_axis,
    normalize_axis,
    result_type,
    torch_positional,
)
from ._define import primitive

__all__ = ["sort", "argsort", "topk"]

# PyTorch's return types (torch.return_types.sort / topk), named as PyTorch prints them
SortResult = result_type("sort", "values", "indices")
TopkResult = result_type("topk", "values", "indices")


def _along(axis: int, ndim: int, part: slice) -> tuple:
    return (slice(None),) * axis + (part,) + (Ellipsis,) * (axis < ndim - 1)


def _sort_forward(backend, x, axis, descending, stable):
    xp = backend.xp
    if x.ndim == 0:
        return SortResult(backend.copy(x), xp.zeros((), dtype=xp.int64))
    indices = xp.argsort(x, axis=axis, descending=descending, stable=True)
    return SortResult(xp.take_along_axis(x, indices, axis=axis), indices)


def _topk_forward(backend, x, k, axis, largest):
    xp = backend.xp
    if x.ndim == 0:
        return TopkResult(backend.copy(x), xp.zeros((), dtype=xp.int64))
    indices = xp.argsort(x, axis=axis, descending=largest, stable=True)
    indices = indices[_along(axis, x.ndim, slice(0, k))]
    return TopkResult(xp.take_along_axis(x, indices, axis=axis), indices)


def _argsort_forward(backend, x, axis, descending, stable):
    xp = backend.xp
    if x.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    return xp.argsort(x, axis=axis, descending=descending, stable=stable)


_SORT = primitive("sort", ("x",), forward=_sort_forward, n_outputs=2)
_TOPK = primitive("topk", ("x",), forward=_topk_forward, n_outputs=2)
_ARGSORT = primitive("argsort", ("x",), forward=_argsort_forward)


def _axis_arg(name: str, axis, dim, ndim: int) -> int:
    """The axis to sort along, given as `axis` or `dim` (the last one by default)."""
    axis = merge_axis(axis, dim, default=-1)
    if not isinstance(axis, builtins.int) or isinstance(axis, builtins.bool):
        raise TypeError(f"{name}(): axis must be an int, got {type(axis).__name__}")
    return normalize_axis(axis, ndim)


def sort(x, /, *args, axis=-1, descending=False, stable=True, dim=None):
    """Sorted copy of `x` along `axis` (the array API's ``sort``).

    PyTorch's form, ``sort(x, dim, descending)`` or ``sort(x, dim=...)``, returns the
    namedtuple ``(values, indices)``.

    Parameters
    ----------
    x : Tensor
    axis, dim : int
        The axis to sort along (the last by default).
    descending : bool
        Largest first (NaNs count as the largest, as in PyTorch).
    stable : bool
        Accepted for the standard; sorting is always stable here.
    """
    torch_form = bool(args) or dim is not None or acts_as_torch()
    kw = torch_positional("sort", args, ("dim", "descending"),
                          {"dim": dim, "descending": descending})  # fmt: skip
    dim, descending = kw["dim"], kw["descending"]
    x = as_tensor_arg(x)
    axis = _axis_arg("sort", axis, dim, x.ndim)
    params = {"axis": axis, "descending": bool(descending),
              "stable": None if torch_form else bool(stable)}  # fmt: skip
    out = apply(_SORT, (x,), params)
    return out if torch_form else out.values


def argsort(x, /, *args, axis=-1, descending=False, stable=True, dim=None) -> Tensor:
    """Indices that sort `x` along `axis` (int64; stable by default, ties keeping their order).

    PyTorch's ``argsort(x, dim, descending)`` positional form is accepted.
    """
    kw = torch_positional("argsort", args, ("dim", "descending"),
                          {"dim": dim, "descending": descending})  # fmt: skip
    dim, descending = kw["dim"], kw["descending"]
    x = as_tensor_arg(x)
    axis = _axis_arg("argsort", axis, dim, x.ndim)
    return apply(_ARGSORT, (x,), {"axis": axis, "descending": bool(descending),
                                  "stable": bool(stable)})  # fmt: skip


def topk(input, k, dim=-1, largest=True, sorted=True, *, axis=None):  # noqa: A002
    """PyTorch's ``topk``: the `k` largest (or smallest) elements along `dim`, as the
    namedtuple ``(values, indices)``, always in sorted order; ties are taken in index order.

    The gradient of the values goes to the positions they were taken from (``TopkBackward0``).
    """
    x = as_tensor_arg(input)
    axis = _axis_arg("topk", axis, dim, x.ndim)
    k = builtins.int(k)
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    return apply(_TOPK, (x,), {"k": k, "axis": axis, "largest": bool(largest)})


def _sort_method(self, dim=-1, descending=False, stable=None, *, axis=None):
    x = self
    axis = _axis_arg("sort", axis, dim, x.ndim)
    params = {"axis": axis, "descending": bool(descending),
              "stable": None if stable is None else bool(stable)}  # fmt: skip
    return apply(_SORT, (x,), params)


def _argsort_method(self, dim=-1, descending=False, stable=False, *, axis=None):
    return argsort(self, axis=merge_axis(axis, dim, default=-1), descending=descending)


# functions of __all__ whose results never carry gradients
NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset({"argsort"})

# PyTorch-style Tensor methods this module provides: {method name: function}
TENSOR_METHODS: dict = {
    "sort": _sort_method,
    "argsort": _argsort_method,
    "topk": topk,
}
