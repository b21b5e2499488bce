"""PyTorch's order statistics and numerical integration made of other operations (exported
by :mod:`pluggrad.ops.composite`): ``median``, ``kthvalue``, ``quantile``, ``msort``, ``cov``,
``corrcoef``, ``trapezoid``, ``cumulative_trapezoid``, ``renorm``, and the counting helpers
``histc``, ``bincount``, ``bucketize``, ``unravel_index`` (not differentiable)."""

from __future__ import annotations

import operator

import numpy as np

from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis, result_type
from ._autocast import full_precision
from ._shape import expand_dims, reshape
from .indexing import take_along_axis
from .linalg import vector_norm
from .manipulation import concat, where
from .reductions import mean, sum  # noqa: A004
from .searching import searchsorted
from .sorting import argsort, sort

__all__ = [
    "median", "kthvalue", "quantile", "nanquantile", "msort", "cov", "corrcoef", "trapezoid",
    "trapz", "cumulative_trapezoid", "renorm", "histc", "bincount", "bucketize", "unravel_index",
    "cdist",
]  # fmt: skip


_Median = result_type("median", "values", "indices")
_KthValue = result_type("kthvalue", "values", "indices")


def _kth(x: Tensor, k: int, dim: int, keepdim: bool, kind):
    """The `k`-th smallest (0-based) along `dim`, with its index (the first of equal ones)."""
    order = argsort(x, axis=dim, stable=True)
    index = order.narrow(dim, k, 1)
    values = take_along_axis(x, index, axis=dim)
    if not keepdim:
        values, index = values.squeeze(dim), index.squeeze(dim)
    return kind(values, index)


def median(input, dim=None, keepdim: bool = False):  # noqa: A002
    """The lower median: of all elements (a tensor), or along `dim` (``(values, indices)``)."""
    x = as_tensor_arg(input)
    if dim is None:
        flat = reshape(x, (-1,))
        return _kth(flat, (flat.shape[0] - 1) // 2, 0, False, _Median).values
    dim = normalize_axis(dim, x.ndim)
    return _kth(x, (x.shape[dim] - 1) // 2, dim, keepdim, _Median)


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """The `k`-th smallest element along `dim` (1-based, as in PyTorch) and its index."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim) if x.ndim else 0
    n = x.shape[dim] if x.ndim else 1
    k = operator.index(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    return _kth(x if x.ndim else reshape(x, (1,)), k - 1, dim, keepdim, _KthValue)


@full_precision
def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):  # noqa: A002
    """The `q`-quantiles (a number or a 1-D tensor of them in [0, 1]) along `dim` (of all
    elements by default), interpolated as `interpolation` says (``linear``, ``lower``,
    ``higher``, ``midpoint``, ``nearest``); NaN for a slice holding a NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


@full_precision
def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):  # noqa: A002
    """:func:`quantile` of the elements that are not NaN (NaN for a slice of NaNs only)."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool):  # noqa: A002
    x = as_tensor_arg(input)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest. Got {interpolation}"
        )
    if dim is None:
        flat = reshape(x, (-1,))
        out = _quantile(flat, q, 0, False, interpolation, ignore_nan)
        if keepdim:  # every axis kept, of length one
            lead = out.shape[:1] if _several(q) else ()
            out = reshape(out, tuple(lead) + (1,) * x.ndim)
        return out
    dim = normalize_axis(dim, x.ndim)
    qs = np.atleast_1d(np.asarray(q.tolist() if isinstance(q, Tensor) else q, dtype=float))
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    nan = x != x
    ordered = sort(where(nan, float("inf"), x), dim=dim).values  # NaNs last, as +inf
    count = (~nan).sum(dim, keepdim=True) if ignore_nan else None
    n = x.shape[dim]
    out = []
    for p in map(float, qs):
        if count is None:
            position = as_tensor_arg(np.full((1,) * x.ndim, p * (n - 1)), like=x).to(x.dtype)
        else:
            position = (count - 1).clip(min=0).to(x.dtype) * p
        lower, upper = position.floor(), position.ceil()
        if interpolation == "lower":
            value = _at(ordered, lower, dim)
        elif interpolation == "higher":
            value = _at(ordered, upper, dim)
        elif interpolation == "nearest":  # halves to even, as PyTorch
            value = _at(ordered, position.round(), dim)
        else:
            low, high = _at(ordered, lower, dim), _at(ordered, upper, dim)
            weight = 0.5 if interpolation == "midpoint" else position - lower
            value = low + (high - low) * weight
        undefined = (count == 0) if count is not None else nan.any(dim, keepdim=True)
        value = where(undefined, float("nan"), value)
        out.append(value if keepdim else value.squeeze(dim))
    if _several(q):
        return concat([expand_dims(v, axis=0) for v in out], axis=0)
    return out[0]


def _several(q) -> bool:
    return (isinstance(q, Tensor) and q.ndim > 0) or isinstance(q, (list, tuple))


def _at(ordered: Tensor, position: Tensor, dim: int) -> Tensor:
    """The elements of `ordered` at `position` (one per slice along `dim`)."""
    index = position.long()
    shape = list(ordered.shape)
    shape[dim] = 1
    return take_along_axis(ordered, index.broadcast_to(tuple(shape)), axis=dim)


def msort(input) -> Tensor:  # noqa: A002
    """The values sorted along the first axis."""
    return sort(as_tensor_arg(input), dim=0).values


def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:  # noqa: A002
    """The covariance matrix of the variables in the rows of `input` (observations in the
    columns), with `correction` (and optional integer frequency / observation weights)."""
    x = as_tensor_arg(input)
    if x.ndim < 2:
        x = reshape(x, (1, -1))
    weights = None
    if fweights is not None:
        weights = as_tensor_arg(fweights, like=x)
    if aweights is not None:
        a = as_tensor_arg(aweights, like=x)
        weights = a if weights is None else weights * a
    if weights is None:
        avg = mean(x, axis=1, keepdims=True)
        norm = x.shape[1] - correction
        centered = x - avg
        return (centered @ centered.mT.conj()) / norm
    w_sum = sum(weights)
    avg = sum(x * weights, axis=1, keepdims=True) / w_sum
    if correction == 0:
        norm = w_sum
    elif aweights is None:
        norm = w_sum - correction
    else:
        a = as_tensor_arg(aweights, like=x)
        norm = w_sum - correction * sum(weights * a) / w_sum
    centered = x - avg
    return ((centered * weights) @ centered.mT.conj()) / norm


def corrcoef(input) -> Tensor:  # noqa: A002
    """Pearson's correlation coefficients of the variables in the rows of `input`."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal().sqrt()
    return (c / expand_dims(d, axis=1) / d).clip(-1, 1)


def _trapezoids(y, x, dx, dim: int) -> tuple[Tensor, int]:
    """Twice the area of each trapezoid of `y` along `dim` (spacing `dx`, or points `x`),
    and the axis."""
    y = as_tensor_arg(y)
    dim = normalize_axis(dim, y.ndim)
    n = y.shape[dim]
    pairs = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
    if x is None:
        return pairs * (1.0 if dx is None else dx), dim
    x = as_tensor_arg(x, like=y)
    return pairs * x.diff(dim=dim if x.ndim == y.ndim else -1), dim


def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of `y` along `dim` by the trapezoidal rule (spacing `dx`, or points `x`)."""
    areas, dim = _trapezoids(y, x, dx, dim)
    return sum(areas, axis=dim) / 2


def trapz(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """:func:`trapezoid` (its old name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running integrals of `y` along `dim` by the trapezoidal rule."""
    areas, dim = _trapezoids(y, x, dx, dim)
    return areas.cumsum(dim) / 2


def renorm(input, p, dim: int, maxnorm) -> Tensor:  # noqa: A002
    """`input` with each slice along `dim` whose `p`-norm exceeds `maxnorm` scaled down to it."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    others = tuple(d for d in range(x.ndim) if d != dim)
    norms = vector_norm(x, ord=p, axis=others, keepdims=True)
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return x * factor


# ---- counting (not differentiable) -------------------------------------------------------------
def _host(x: Tensor) -> np.ndarray:
    return x._backend.to_numpy(x.detach()._data)


def histc(input, bins: int = 100, min=0, max=0) -> Tensor:  # noqa: A002
    """The counts of the elements in `bins` equal bins over ``[min, max]`` (the data's range
    when both are 0), as a tensor of the input's dtype."""
    x = as_tensor_arg(input)
    values = _host(x).reshape(-1)
    low, high = (float(values.min()), float(values.max())) if min == max == 0 else (min, max)
    if low == high:
        low, high = low - 1, high + 1
    counts, _ = np.histogram(values, bins=bins, range=(low, high))
    return as_tensor_arg(counts.astype(values.dtype), like=x)


def bincount(input, weights=None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How many times each non-negative integer occurs (weighted sums with `weights`)."""
    x = as_tensor_arg(input)
    w = None if weights is None else _host(as_tensor_arg(weights, like=x))
    counts = np.bincount(_host(x), weights=w, minlength=minlength)
    return as_tensor_arg(counts, like=x)


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The index of the bucket of each element among the sorted `boundaries`."""
    boundaries = as_tensor_arg(boundaries)
    return searchsorted(boundaries, as_tensor_arg(input, like=boundaries), right=right,
                        out_int32=out_int32)  # fmt: skip


def unravel_index(indices, shape) -> tuple[Tensor, ...]:
    """The coordinates in `shape` of flat (row-major) `indices`."""
    idx = as_tensor_arg(indices)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    coords = np.unravel_index(_host(idx), shape)
    return tuple(as_tensor_arg(np.asarray(c, dtype=np.int64), like=idx) for c in coords)


@full_precision
def cdist(x1, x2, p: float = 2.0, compute_mode=None) -> Tensor:
    """PyTorch's ``cdist``: the `p`-norm distance between each row of `x1` ``(..., P, M)`` and
    each row of `x2` ``(..., R, M)``, shaped ``(..., P, R)`` (batch dimensions broadcast).

    Computed as the norm of the differences for every `compute_mode` (PyTorch's matrix-product
    form for ``p = 2`` rounds differently, by an ulp or so); the gradient is 0 where a distance
    is 0, as PyTorch's."""
    x1, x2 = as_tensor_arg(x1), as_tensor_arg(x2)
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    differences = expand_dims(x1, axis=-2) - expand_dims(x2, axis=-3)
    return vector_norm(differences, axis=-1, ord=p)
