"""Functions along one axis that keep it: the array API's ``cumulative_sum``,
``cumulative_prod`` and ``diff``, and PyTorch's ``cumsum``, ``cumprod``, ``softmax`` and
``log_softmax`` (exported by :mod:`pluggrad.ops.reductions`)."""

from __future__ import annotations

import builtins

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import in_float32, to_dtype
from ._args import SCALAR_TYPES, as_tensor_arg, merge_axis, normalize_axis, torch_positional
from ._convert import accumulation_dtype, cast, default_float
from ._define import primitive
from ._shape import broadcast_to
from .elementwise import not_equal
from .manipulation import concat

__all__ = [
    "cumulative_sum", "cumulative_prod", "diff", "cumsum", "cumprod", "softmax", "log_softmax",
]  # fmt: skip


def _in_float32(forward):
    """`forward` computed in float32 and rounded once for 16-bit floats, as PyTorch's CPU
    kernels compute them (float32 is their accumulation type)."""

    def run(backend, x, axis):
        return in_float32(backend.xp, lambda wide: forward(backend, wide, axis), x)

    return run


@_in_float32
def _softmax_forward(backend, x, axis):
    xp = backend.xp
    e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


@_in_float32
def _log_softmax_forward(backend, x, axis):
    xp = backend.xp
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def _cumulative_forward(name):
    # x is already in the dtype to accumulate in: dtype= keeps it (the kernels' own default
    # widens small integers)
    def forward(backend, x, axis, include_initial):
        kernel = getattr(backend.xp, name)
        if x.ndim == 0:
            return backend.xp.reshape(kernel(backend.xp.reshape(x, (1,)), dtype=x.dtype), ())
        return kernel(x, axis=axis, include_initial=include_initial, dtype=x.dtype)

    return forward


_CUMSUM = primitive("cumulative_sum", ("x",), forward=_cumulative_forward("cumulative_sum"))
_CUMPROD = primitive("cumulative_prod", ("x",), forward=_cumulative_forward("cumulative_prod"))
_SOFTMAX = primitive("softmax", ("x",), forward=_softmax_forward)
_LOG_SOFTMAX = primitive("log_softmax", ("x",), forward=_log_softmax_forward)


# ---- cumulative sums and products --------------------------------------------------------------


def _cumulative(prim, name, x, axis, dtype, include_initial):
    x = as_tensor_arg(x)
    if axis is None:
        if x.ndim > 1:
            raise TypeError(f"{name}(): axis is required for arrays of more than one dimension")
        axis = 0
    if not isinstance(axis, builtins.int) or isinstance(axis, builtins.bool):
        raise TypeError(f"{name}(): axis must be an int, got {type(axis).__name__}")
    axis = normalize_axis(axis, x.ndim)
    if x.ndim == 0 and include_initial:
        raise ValueError(f"{name}(): include_initial needs an array of at least one dimension")
    x = cast(x, accumulation_dtype(x, dtype))
    return apply(prim, (x,), {"axis": axis, "include_initial": bool(include_initial)})


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False, dim=None) -> Tensor:
    """Cumulative sum along `axis` (optional for one-dimensional `x`).

    Parameters
    ----------
    x : Tensor
    axis, dim : int, optional
        The axis to accumulate along.
    dtype : DType, optional
        Accumulate in this dtype (integers default to int64, unsigned to uint64).
    include_initial : bool
        Start with the empty sum (0): the result is one longer along `axis`.
    """
    axis = merge_axis(axis, dim)
    return _cumulative(_CUMSUM, "cumulative_sum", x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False, dim=None) -> Tensor:
    """Cumulative product along `axis` (arguments as :func:`cumulative_sum`; starts with 1 when
    `include_initial`).  The gradient is exact with zeros in `x`."""
    axis = merge_axis(axis, dim)
    return _cumulative(_CUMPROD, "cumulative_prod", x, axis, dtype, include_initial)


def cumsum(input, dim, *, dtype=None) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """PyTorch's ``cumsum``: cumulative sum along `dim`."""
    return _cumulative(_CUMSUM, "cumsum", input, dim, dtype, False)


def cumprod(input, dim, *, dtype=None) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """PyTorch's ``cumprod``: cumulative product along `dim` (exact gradient with zeros)."""
    return _cumulative(_CUMPROD, "cumprod", input, dim, dtype, False)


# ---- softmax, log_softmax ----------------------------------------------------------------------


def _softmax_like(prim, name, input, dim, dtype, axis):  # noqa: A002 - PyTorch's name
    x = as_tensor_arg(input)
    dim = merge_axis(axis, dim)
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim'")
    if not isinstance(dim, builtins.int):
        raise TypeError(f"{name}(): dim must be an int, got {type(dim).__name__}")
    axis = normalize_axis(dim, x.ndim)  # checked on a 0-d tensor too
    if x.ndim == 0:
        axis = None
    x = cast(x, to_dtype(dtype)) if dtype is not None else default_float(x)
    return apply(prim, (x,), {"axis": axis})


def softmax(input, dim=None, dtype=None, *, axis=None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x), dim)``, computed stably (``SoftmaxBackward0``)."""
    return _softmax_like(_SOFTMAX, "softmax", input, dim, dtype, axis)


def log_softmax(input, dim=None, dtype=None, *, axis=None) -> Tensor:  # noqa: A002
    """``x - logsumexp(x, dim, keepdim=True)``, computed stably (``LogSoftmaxBackward0``)."""
    return _softmax_like(_LOG_SOFTMAX, "log_softmax", input, dim, dtype, axis)


# ---- diff ----------------------------------------------------------------------------------------


def _edge(value, x: Tensor, axis: int, name: str) -> Tensor:
    """`prepend`/`append` as a tensor like `x` (a scalar becomes one slice along `axis`)."""
    scalar = isinstance(value, SCALAR_TYPES)
    value = as_tensor_arg(value, like=x)
    if scalar:
        value = cast(value, x.dtype)  # Python scalars are weak
    if value.ndim == 0:
        return broadcast_to(value, tuple(1 if d == axis else n for d, n in enumerate(x.shape)))
    if value.ndim != x.ndim:
        raise ValueError(f"diff(): {name} must have the same number of dimensions as x")
    return value


def diff(x, /, *args, axis=-1, n=1, prepend=None, append=None, dim=None) -> Tensor:
    """The `n`-th forward difference along `axis`: ``x[1:] - x[:-1]``, applied `n` times.

    Parameters
    ----------
    x : Tensor
    axis, dim : int
        The axis (the last by default).  PyTorch's positional ``diff(x, n, dim, prepend,
        append)`` is accepted.
    n : int
        How many times to difference.
    prepend, append : Tensor, optional
        Values placed before / after `x` along `axis` first (scalars become one slice).
    """
    x = as_tensor_arg(x)
    kw = torch_positional("diff", args, ("n", "dim", "prepend", "append"),
                     {"n": None, "dim": dim, "prepend": prepend, "append": append})  # fmt: skip
    if kw["n"] is not None:
        n = kw["n"]
    axis = merge_axis(axis, kw["dim"], default=-1)
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    axis = normalize_axis(axis, x.ndim)
    parts = [x]
    if kw["prepend"] is not None:
        parts.insert(0, _edge(kw["prepend"], x, axis, "prepend"))
    if kw["append"] is not None:
        parts.append(_edge(kw["append"], x, axis, "append"))
    if len(parts) > 1:
        x = concat(parts, axis=axis)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    head = (slice(None),) * axis + (slice(1, None), Ellipsis)
    tail = (slice(None),) * axis + (slice(None, -1), Ellipsis)
    for _ in range(n):
        if x.shape[axis] == 0:
            break
        if x.dtype is _dtypes.bool:
            x = not_equal(x[head], x[tail])
        else:
            x = x[head] - x[tail]
    return x


# ---- Tensor methods (PyTorch's signatures) ------------------------------------------------------


def _cumsum_method(self, dim=None, *, dtype=None, axis=None):
    return cumsum(self, merge_axis(axis, dim), dtype=dtype)


def _cumprod_method(self, dim=None, *, dtype=None, axis=None):
    return cumprod(self, merge_axis(axis, dim), dtype=dtype)


def _diff_method(self, n=1, dim=-1, prepend=None, append=None):
    return diff(self, axis=dim, n=n, prepend=prepend, append=append)


TENSOR_METHODS: dict = {
    "cumsum": _cumsum_method,
    "cumprod": _cumprod_method,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "diff": _diff_method,
}
