"""Statistical and utility functions of the array API (``sum``, ``prod``, ``mean``, ``std``,
``var``, ``max``, ``min``, ``cumulative_sum``, ``cumulative_prod``, ``all``, ``any``, ``diff``)
and PyTorch's reductions (``amax``, ``cumsum``, ``logsumexp``, ``softmax``...).

Every function takes the array API's ``axis``/``keepdims`` and PyTorch's ``dim``/``keepdim``.
Where PyTorch gives the same name another meaning, the array API form wins and PyTorch's is
chosen by its arguments: ``max(x)`` and ``max(x, axis=1)`` are the standard's reductions, while
``max(x, 1)`` or ``max(x, dim=1)`` return PyTorch's ``(values, indices)`` and ``max(x, y)`` is
``maximum``; ``std(x)``/``var(x)`` default to ``correction=0`` as in the standard, while a
PyTorch spelling (a positional ``dim``, ``dim=``, ``unbiased=``, ``keepdim=``) gets PyTorch's
default ``correction=1``.  Tensor methods (``x.max(1)``, ``x.std()``) follow PyTorch.

The functions along one axis that keep it (``cumulative_sum``, ``cumsum``, ``diff``,
``softmax``...) are defined in :mod:`pluggrad.ops._along_axis`; this module exports them.
"""

from __future__ import annotations

import builtins

from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import acts_as_torch, in_float32, to_dtype
from . import _along_axis
from ._along_axis import (
    cumprod,
    cumsum,
    cumulative_prod,
    cumulative_sum,
    diff,
    log_softmax,
    softmax,
)
from ._args import (
    as_tensor_arg,
    merge_axis,
    normalize_axis,
    reduction_axes,
    result_type,
    torch_positional,
)
from ._autocast import full_precision
from ._convert import accumulation_dtype, cast, default_float
from ._define import primitive
from .elementwise import maximum, minimum

__all__ = [
    # statistical functions of the standard
    "sum", "prod", "mean", "std", "var", "max", "min", "cumulative_sum", "cumulative_prod",
    # utility functions of the standard
    "all", "any", "diff",
    # PyTorch's spellings
    "amax", "amin", "cumsum", "cumprod", "logsumexp", "softmax", "log_softmax",
]  # fmt: skip

# PyTorch's return types (torch.return_types.max / min)
MaxResult = result_type("max", "values", "indices")
MinResult = result_type("min", "values", "indices")


def _reduced_shape(shape, axis, keepdims) -> tuple:
    axes = reduction_axes(axis, len(shape))
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _checked_axis(axis, ndim: int):
    """`axis` of a reduction, checked against `ndim` dimensions; None for a 0-d tensor, which
    reduces over "dim 0" or "dim -1" as a whole (PyTorch)."""
    reduction_axes(axis, ndim)
    return None if ndim == 0 else axis


def _max_dim_forward(backend, x, axis, keepdims):
    xp = backend.xp
    return MaxResult(
        xp.max(x, axis=axis, keepdims=keepdims), xp.argmax(x, axis=axis, keepdims=keepdims)
    )


def _min_dim_forward(backend, x, axis, keepdims):
    xp = backend.xp
    return MinResult(
        xp.min(x, axis=axis, keepdims=keepdims), xp.argmin(x, axis=axis, keepdims=keepdims)
    )


def _logsumexp_forward(backend, x, axis, keepdims):
    xp = backend.xp
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isinf(m), xp.zeros_like(m), m)  # all -inf (or +inf): no shift
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.reshape(out, _reduced_shape(x.shape, axis, False))


def _in_own_dtype(name):
    # x is already in the dtype to accumulate in: dtype= keeps it (the kernels' own default
    # widens small integers); 16-bit floats accumulate in float32 and round once, as PyTorch's
    # kernels (NumPy's float16 sum over an axis rounds at each step)
    def forward(backend, x, **params):
        kernel = getattr(backend.xp, name)
        return in_float32(backend.xp, lambda a: kernel(a, dtype=a.dtype, **params), x)

    return forward


_SUM = primitive("sum", ("x",), forward=_in_own_dtype("sum"))
_MEAN = primitive("mean", ("x",))
_PROD = primitive("prod", ("x",), forward=_in_own_dtype("prod"))
_VAR = primitive("var", ("x",))
_STD = primitive("std", ("x",))
_MAX = primitive("max", ("x",))
_MIN = primitive("min", ("x",))
_MAX_DIM = primitive("max_dim", ("x",), forward=_max_dim_forward, n_outputs=2)
_MIN_DIM = primitive("min_dim", ("x",), forward=_min_dim_forward, n_outputs=2)
_LOGSUMEXP = primitive("logsumexp", ("x",), forward=_logsumexp_forward)
_ALL = primitive("all", ("x",))
_ANY = primitive("any", ("x",))


# ---- argument handling ------------------------------------------------------------------------


def _require_float(function: str, x: Tensor) -> None:
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(
            f"{function}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {x.dtype.torch_name}"
        )


def _reduce(prim, x, axis, dim, keepdims, keepdim, dtype=None):
    x = as_tensor_arg(x)
    axis = merge_axis(axis, dim)
    axis = _checked_axis(axis, x.ndim)
    params = {"axis": axis, "keepdims": bool(keepdims or keepdim)}
    if prim is _SUM or prim is _PROD:
        dtype = accumulation_dtype(x, dtype)
    elif dtype is not None:
        dtype = to_dtype(dtype)
    return apply(prim, (cast(x, dtype),), params)


# ---- sum, prod, mean ----------------------------------------------------------------------------


def sum(x, /, *args, axis=None, dtype=None, keepdims=False, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    """Sum of elements over `axis` (all by default).

    Parameters
    ----------
    x : Tensor
    axis, dim : int or tuple of int, optional
        Axes to reduce (``dim`` is PyTorch's name; PyTorch's ``sum(x, dim, keepdim)``
        positional form is accepted).
    dtype : DType, optional
        Accumulate and return in this dtype.  Integers are summed in int64 (unsigned ones in
        uint64) and booleans in int64.
    keepdims, keepdim : bool
        Keep reduced axes with length 1.
    """
    kw = torch_positional("sum", args, ("dim", "keepdim"),
                     {"dim": dim, "keepdim": keepdim, "dtype": dtype})  # fmt: skip
    return _reduce(_SUM, x, axis, kw["dim"], keepdims, kw["keepdim"], kw["dtype"])


@full_precision
def prod(x, /, *args, axis=None, dtype=None, keepdims=False, dim=None, keepdim=False) -> Tensor:
    """Product of elements over `axis` (all by default); the gradient is exact with zeros.

    Parameters
    ----------
    x : Tensor
    axis, dim : int or tuple of int, optional
        Axes to reduce (PyTorch's ``prod(x, dim, keepdim)`` positional form is accepted).
    dtype : DType, optional
        Accumulate and return in this dtype (integers default to int64, unsigned to uint64).
    keepdims, keepdim : bool
        Keep reduced axes with length 1.
    """
    kw = torch_positional("prod", args, ("dim", "keepdim"),
                     {"dim": dim, "keepdim": keepdim, "dtype": dtype})  # fmt: skip
    return _reduce(_PROD, x, axis, kw["dim"], keepdims, kw["keepdim"], kw["dtype"])


def mean(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False, dtype=None) -> Tensor:
    """Arithmetic mean over `axis` (all by default); floating-point inputs only (or `dtype`)."""
    kw = torch_positional("mean", args, ("dim", "keepdim"),
                     {"dim": dim, "keepdim": keepdim, "dtype": dtype})  # fmt: skip
    x = as_tensor_arg(x)
    if kw["dtype"] is None:
        _require_float("mean", x)
    return _reduce(_MEAN, x, axis, kw["dim"], keepdims, kw["keepdim"], kw["dtype"])


# ---- var and std --------------------------------------------------------------------------------


def _var_std(prim, name, x, args, axis, correction, keepdims, dim, keepdim, unbiased, torch):
    x = as_tensor_arg(x)
    if args and isinstance(args[0], bool):  # torch.std(x, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}() got multiple values for argument 'unbiased'")
        unbiased, args = args[0], args[1:]
    kw = torch_positional(name, args, ("dim", "unbiased", "keepdim"),
                     {"dim": dim, "unbiased": unbiased, "keepdim": keepdim})  # fmt: skip
    dim, unbiased, keepdim = kw["dim"], kw["unbiased"], kw["keepdim"]
    torch = torch or bool(args) or dim is not None or unbiased is not None or keepdim
    torch = torch or acts_as_torch()
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{name}(): pass either unbiased or correction, not both")
        correction = 1 if unbiased else 0
    if correction is None:
        correction = 1 if torch else 0
    _require_float(name, x)
    axis = merge_axis(axis, dim)
    axis = _checked_axis(axis, x.ndim)
    params = {"axis": axis, "correction": correction, "keepdims": bool(keepdims or keepdim)}
    return apply(prim, (x,), params)


def var(x, /, *args, axis=None, correction=None, keepdims=False, dim=None, keepdim=False,
        unbiased=None) -> Tensor:  # fmt: skip
    """Variance over `axis`: ``sum(|x - mean|**2) / (N - correction)``.

    Parameters
    ----------
    x : Tensor
        Floating-point or complex input.
    axis, dim : int or tuple of int, optional
        Axes to reduce (all by default).
    correction : float, optional
        Degrees of freedom subtracted from N.  Defaults to 0 (the standard), or to 1 (PyTorch)
        when PyTorch's spellings are used: ``var(x, dim)``, ``dim=``, ``unbiased=``, ``keepdim=``.
    keepdims, keepdim : bool
        Keep reduced axes with length 1.
    unbiased : bool, optional
        PyTorch's older spelling of ``correction=1`` (True) or ``correction=0`` (False).
    """
    return _var_std(_VAR, "var", x, args, axis, correction, keepdims, dim, keepdim, unbiased,
                    False)  # fmt: skip


def std(x, /, *args, axis=None, correction=None, keepdims=False, dim=None, keepdim=False,
        unbiased=None) -> Tensor:  # fmt: skip
    """Standard deviation over `axis`: the square root of :func:`var` (same arguments).

    The gradient is 0 where the standard deviation is 0 (PyTorch's convention).
    """
    return _var_std(_STD, "std", x, args, axis, correction, keepdims, dim, keepdim, unbiased,
                    False)  # fmt: skip


def _var_method(self, *args, correction=None, keepdim=False, dim=None, unbiased=None,
                axis=None, keepdims=False):  # fmt: skip
    return _var_std(_VAR, "var", self, args, axis, correction, keepdims, dim, keepdim, unbiased,
                    True)  # fmt: skip


def _std_method(self, *args, correction=None, keepdim=False, dim=None, unbiased=None,
                axis=None, keepdims=False):  # fmt: skip
    return _var_std(_STD, "std", self, args, axis, correction, keepdims, dim, keepdim, unbiased,
                    True)  # fmt: skip


# ---- max and min --------------------------------------------------------------------------------


def _extremum(name, prim, dim_prim, elementwise, x, args, axis, keepdims, dim, keepdim):
    x = as_tensor_arg(x)
    if args and (isinstance(args[0], builtins.bool) or not isinstance(args[0], builtins.int)):
        # torch.max(x, other): the elementwise maximum
        if len(args) > 1 or axis is not None or dim is not None or keepdims or keepdim:
            raise TypeError(f"{name}(input, other) takes no further arguments")
        return elementwise(x, args[0])
    if args or dim is not None:  # torch.max(x, dim, keepdim=False): (values, indices)
        kw = torch_positional(name, args, ("dim", "keepdim"), {"dim": dim, "keepdim": keepdim})
        if axis is not None or keepdims:
            raise TypeError(f"{name}(): pass dim and keepdim, or axis and keepdims")
        dim = kw["dim"]
        if not isinstance(dim, builtins.int):
            raise TypeError(f"{name}(): dim must be an int, got {type(dim).__name__}")
        axis = normalize_axis(dim, x.ndim)  # checked on a 0-d tensor too
        keep = bool(kw["keepdim"])
        if x.ndim == 0:
            axis, keep = None, False
        return apply(dim_prim, (x,), {"axis": axis, "keepdims": keep})
    axis = merge_axis(axis, None)
    axis = _checked_axis(axis, x.ndim)
    return apply(prim, (x,), {"axis": axis, "keepdims": bool(keepdims or keepdim)})


def max(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False):  # noqa: A001
    """Maximum over `axis` (all by default), the array API's ``max``.

    With ties, the gradient is shared evenly among the maxima (as PyTorch's ``max(x)`` and
    ``amax``).  PyTorch's other forms are chosen by their arguments:

    * ``max(x, dim, keepdim=False)`` or ``max(x, dim=d)``: the namedtuple ``(values,
      indices)`` (``MaxBackward0``; the gradient goes to the returned index);
    * ``max(x, other)`` with a tensor `other`: the elementwise ``maximum``.

    Parameters
    ----------
    x : Tensor
    axis : int or tuple of int, optional
        Axes to reduce.
    keepdims : bool
        Keep reduced axes with length 1.
    """
    return _extremum("max", _MAX, _MAX_DIM, maximum, x, args, axis, keepdims, dim, keepdim)


def min(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False):  # noqa: A001
    """Minimum over `axis` (all by default), the array API's ``min``; PyTorch's forms
    ``min(x, dim)`` (``(values, indices)``) and ``min(x, other)`` as for :func:`max`."""
    return _extremum("min", _MIN, _MIN_DIM, minimum, x, args, axis, keepdims, dim, keepdim)


def _all_axes(x: Tensor, dim):
    axis = merge_axis(None, dim)
    if axis is None or axis == ():
        return None if x.ndim == 0 else tuple(range(x.ndim))
    return _checked_axis(axis, x.ndim)


def amax(x, /, dim=(), keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """PyTorch's ``amax``: maximum over `dim` (all axes when empty), ties sharing the gradient
    evenly (``AmaxBackward0``)."""
    x = as_tensor_arg(x)
    dim = _all_axes(x, merge_axis(axis, None if dim == () else dim))
    return apply(_MAX, (x,), {"axis": dim, "keepdims": bool(keepdim or keepdims)})


def amin(x, /, dim=(), keepdim=False, *, axis=None, keepdims=False) -> Tensor:
    """PyTorch's ``amin``: minimum over `dim` (all axes when empty), ties sharing the gradient
    evenly (``AminBackward0``)."""
    x = as_tensor_arg(x)
    dim = _all_axes(x, merge_axis(axis, None if dim == () else dim))
    return apply(_MIN, (x,), {"axis": dim, "keepdims": bool(keepdim or keepdims)})


# ---- logsumexp, softmax, log_softmax ----------------------------------------------------------


def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=False) -> Tensor:  # noqa: A002
    """``log(sum(exp(input), dim))`` computed stably (shifted by the maximum).

    Parameters
    ----------
    input : Tensor
    dim, axis : int or tuple of int, optional
        Axes to reduce (all by default).
    keepdim, keepdims : bool
        Keep reduced axes with length 1.
    """
    x = default_float(as_tensor_arg(input))
    axis = merge_axis(axis, dim)
    if axis == ():
        axis = None
    reduction_axes(axis, x.ndim)
    if x.ndim == 0:
        axis = None
    return apply(_LOGSUMEXP, (x,), {"axis": axis, "keepdims": bool(keepdim or keepdims)})


# ---- all, any, diff -----------------------------------------------------------------------------


def _logical(prim, name, x, args, axis, keepdims, dim, keepdim):
    kw = torch_positional(name, args, ("dim", "keepdim"), {"dim": dim, "keepdim": keepdim})
    x = as_tensor_arg(x)
    axis = merge_axis(axis, kw["dim"])
    axis = _checked_axis(axis, x.ndim)
    return apply(prim, (x,), {"axis": axis, "keepdims": bool(keepdims or kw["keepdim"])})


def all(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    """True where every element over `axis` is nonzero (a boolean tensor; PyTorch's
    ``all(x, dim, keepdim)`` positional form is accepted)."""
    return _logical(_ALL, "all", x, args, axis, keepdims, dim, keepdim)


def any(x, /, *args, axis=None, keepdims=False, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    """True where some element over `axis` is nonzero (a boolean tensor)."""
    return _logical(_ANY, "any", x, args, axis, keepdims, dim, keepdim)


# ---- Tensor methods (PyTorch's signatures) ------------------------------------------------------


def _sum_method(self, *args, **kwargs):
    return sum(self, *args, **kwargs)


def _mean_method(self, *args, **kwargs):
    return mean(self, *args, **kwargs)


def _prod_method(self, *args, **kwargs):
    return prod(self, *args, **kwargs)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset({"all", "any"})

TENSOR_METHODS: dict = {
    **_along_axis.TENSOR_METHODS,
    "sum": _sum_method,
    "mean": _mean_method,
    "prod": _prod_method,
    "std": _std_method,
    "var": _var_method,
    "max": max,
    "min": min,
    "amax": amax,
    "amin": amin,
    "logsumexp": logsumexp,
    "all": all,
    "any": any,
}
