"""More of PyTorch's functions made of other operations (exported by
:mod:`pluggrad.ops.composite`): running extrema and ``logcumsumexp``, ``mode``, ``nanmedian``,
``scatter``, ``gradient``, ``combinations``, ``rms_norm``, ``norm_except_dim``, and the
host-side helpers ``unique_consecutive``, ``histogram``, ``frexp``, ``isin``,
``nonzero_static``.

Where an index is chosen (which maximum, which mode), it is worked out on the host from the
values, as PyTorch picks it, and the values are then read through ``take_along_axis``, so their
gradients flow to the chosen elements.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis, result_type
from ._convert import astype
from ._shape import reshape
from .elementwise import logaddexp, sqrt
from .indexing import put_along_axis_add, take_along_axis
from .linalg import vector_norm
from .manipulation import concat, where
from .reductions import mean

__all__ = [
    "cummax", "cummin", "logcumsumexp", "mode", "nanmedian", "scatter", "gradient",
    "combinations", "rms_norm", "norm_except_dim", "unique_consecutive", "histogram", "frexp",
    "isin", "nonzero_static", "is_inference", "is_distributed",
]  # fmt: skip


def _host(x: Tensor) -> np.ndarray:
    return np.asarray(x._backend.to_numpy(x.detach()._data))


_CumMax = result_type("cummax", "values", "indices")
_CumMin = result_type("cummin", "values", "indices")
_Mode = result_type("mode", "values", "indices")
_NanMedian = result_type("nanmedian", "values", "indices")
_Frexp = result_type("frexp", "mantissa", "exponent")
_Histogram = result_type("histogram", "hist", "bin_edges")


def _running(input, dim: int, better, kind):  # noqa: A002
    x = as_tensor_arg(input)
    if x.ndim == 0:
        return kind(x * 1, as_tensor_arg(0, like=x))
    dim = normalize_axis(dim, x.ndim)
    values = np.moveaxis(_host(x), dim, -1)
    index = np.zeros(values.shape, dtype=np.int64)
    best = values[..., 0].copy()
    for i in range(1, values.shape[-1]):
        # the latest of equal extrema, as PyTorch; a NaN wins and stays
        take = better(values[..., i], best) | (values[..., i] == best) | np.isnan(values[..., i])
        take &= ~np.isnan(best) | np.isnan(values[..., i])
        best = np.where(take, values[..., i], best)
        index[..., i] = np.where(take, i, index[..., i - 1])
    indices = as_tensor_arg(np.moveaxis(index, -1, dim), like=x)
    return kind(take_along_axis(x, indices, axis=dim), indices)


def cummax(input, dim: int):  # noqa: A002
    """The running maximum along `dim` and where it was reached (the latest of equal ones)."""
    return _running(input, dim, np.greater, _CumMax)


def cummin(input, dim: int):  # noqa: A002
    """The running minimum along `dim` and where it was reached (the latest of equal ones)."""
    return _running(input, dim, np.less, _CumMin)


def logcumsumexp(input, dim: int) -> Tensor:  # noqa: A002
    """``log(cumsum(exp(input)))`` along `dim`, without overflow: a scan of ``logaddexp``
    (doubling the span each step)."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        return x * 1
    dim = normalize_axis(dim, x.ndim)
    n = x.shape[dim]
    out = x
    span = 1
    while span < n:
        head = out.narrow(dim, 0, span)
        tail = logaddexp(out.narrow(dim, span, n - span), out.narrow(dim, 0, n - span))
        out = concat([head, tail], axis=dim)
        span *= 2
    return out


def mode(input, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """The most frequent value along `dim` (the smallest of equally frequent ones) and the
    index of its last occurrence."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        return _Mode(x * 1, as_tensor_arg(0, like=x))
    dim = normalize_axis(dim, x.ndim)
    values = np.moveaxis(_host(x), dim, -1)
    flat = values.reshape(-1, values.shape[-1])
    last = np.empty(flat.shape[0], dtype=np.int64)
    for row, v in enumerate(flat):
        uniques, counts = np.unique(v, return_counts=True)
        winner = uniques[np.argmax(counts)]  # np.unique sorts: the smallest of the most frequent
        last[row] = np.flatnonzero(v == winner)[-1]
    index = last.reshape(values.shape[:-1] + (1,))
    indices = as_tensor_arg(np.moveaxis(index, -1, dim), like=x)
    chosen = take_along_axis(x, indices, axis=dim)
    if not keepdim:
        chosen, indices = chosen.squeeze(dim), indices.squeeze(dim)
    return _Mode(chosen, indices)


def nanmedian(input, dim=None, keepdim: bool = False):  # noqa: A002
    """The lower median of the elements that are not NaN (NaN where there are none): of all
    elements (a tensor), or along `dim` (``(values, indices)``)."""
    x = as_tensor_arg(input)
    if dim is None:
        flat = reshape(x, (-1,))
        return nanmedian(flat, 0).values
    dim = normalize_axis(dim, x.ndim)
    values = np.moveaxis(_host(x), dim, -1)
    order = np.argsort(np.where(np.isnan(values), np.inf, values), axis=-1, kind="stable")
    count = np.sum(~np.isnan(values), axis=-1, keepdims=True)
    pick = np.maximum(count - 1, 0) // 2
    index = np.take_along_axis(order, pick, axis=-1)
    indices = as_tensor_arg(np.moveaxis(index, -1, dim), like=x)
    chosen = take_along_axis(x, indices, axis=dim)
    if not keepdim:
        chosen, indices = chosen.squeeze(dim), indices.squeeze(dim)
    return _NanMedian(chosen, indices)


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:  # noqa: A002
    """`input` with ``src[p]`` (or `value`) written where ``gather`` with `index` would read;
    of repeated indices the last write wins (``reduce="add"``/``"multiply"``: combined)."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    index = as_tensor_arg(index, like=x)
    source = as_tensor_arg(value if src is None else src, like=x)
    if isinstance(src, Tensor) and source.dtype is not x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    source = astype(source, x.dtype)  # a value: in the tensor's dtype, as PyTorch writes it
    if source.ndim == 0:
        source = source.broadcast_to(tuple(index.shape))
    elif tuple(source.shape) != tuple(index.shape):
        source = source[tuple(slice(0, n) for n in index.shape)]
    if reduce == "add":
        return x + put_along_axis_add(source, index, dim, tuple(x.shape))
    if reduce == "multiply":
        raise RuntimeError("scatter(reduce='multiply') is not supported by pluggrad; use "
                           "scatter_reduce semantics through index arithmetic instead")  # fmt: skip
    if reduce is not None:
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    # keep, of each target, the last source element that writes it
    idx = np.moveaxis(_host(index), dim, -1)
    keep = np.zeros(idx.shape, dtype=bool)
    flat_idx = idx.reshape(-1, idx.shape[-1])
    flat_keep = keep.reshape(-1, idx.shape[-1])
    for row in range(flat_idx.shape[0]):
        _, last = np.unique(flat_idx[row][::-1], return_index=True)
        flat_keep[row, flat_idx.shape[1] - 1 - last] = True
    kept = as_tensor_arg(np.moveaxis(flat_keep.reshape(idx.shape), -1, dim), like=x)
    zeros = source * 0  # (the source's dtype; a product, so the graph keeps its shape)
    placed = put_along_axis_add(where(kept, source, zeros), index, dim, tuple(x.shape))
    hits = put_along_axis_add(
        as_tensor_arg(np.moveaxis(flat_keep.reshape(idx.shape), -1, dim).astype(float), like=x),
        index, dim, tuple(x.shape),
    )  # fmt: skip
    return where(hits > 0, placed, x)


def gradient(input, *, spacing=1, dim=None, edge_order: int = 1) -> tuple[Tensor, ...]:  # noqa: A002
    """Central differences in the interior, one-sided first-order ones at the edges, along
    each axis of `dim` (all by default), with a scalar `spacing` (per axis, or a tuple)."""
    x = as_tensor_arg(input)
    dims = range(x.ndim) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    dims = [normalize_axis(d, x.ndim) for d in dims]
    steps = spacing if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    if edge_order != 1:
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    out = []
    for d, h in zip(dims, steps):
        n = x.shape[d]
        if n < 2:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
        first = (x.narrow(d, 1, 1) - x.narrow(d, 0, 1)) / h
        last = (x.narrow(d, n - 1, 1) - x.narrow(d, n - 2, 1)) / h
        if n == 2:
            out.append(concat([first, last], axis=d))
            continue
        inner = (x.narrow(d, 2, n - 2) - x.narrow(d, 0, n - 2)) / (2 * h)
        out.append(concat([first, inner, last], axis=d))
    return tuple(out)


def combinations(input, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """The length-`r` combinations of the elements of a vector, as rows."""
    x = as_tensor_arg(input)
    n = x.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(pick(range(n), r))
    if not rows:
        return reshape(x[:0], (0,) if r == 0 else (0, r))
    index = as_tensor_arg(np.asarray(rows, dtype=np.int64).reshape(-1), like=x)
    return reshape(x.take(index), (len(rows), r))


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:  # noqa: A002
    """``input / sqrt(mean(input**2 over the last len(normalized_shape) axes) + eps)``, times
    `weight` (`eps`: the dtype's machine epsilon by default)."""
    x = as_tensor_arg(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    if eps is None:
        eps = float(np.finfo(np.dtype(x.dtype.name)).eps)
    out = x / sqrt(mean(x * x, axis=axes, keepdims=True) + eps)
    return out if weight is None else out * weight


def norm_except_dim(v, pow: float = 2, dim: int = 0) -> Tensor:  # noqa: A002
    """The `pow`-norm over every axis but `dim` (kept, of length one): weight normalization's."""
    x = as_tensor_arg(v)
    if dim == -1:
        return vector_norm(x, ord=pow)
    dim = normalize_axis(dim, x.ndim)
    others = tuple(d for d in range(x.ndim) if d != dim)
    return vector_norm(x, ord=pow, axis=others, keepdims=True)


# ---- on the host (not differentiable) ------------------------------------------------------------
def unique_consecutive(
    input,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim=None,
):
    """The elements with consecutive repeats collapsed (of the flattened tensor), with the
    inverse indices and the run lengths if asked for."""
    x = as_tensor_arg(input)
    if dim is not None:
        raise RuntimeError("unique_consecutive(dim=...) is not supported by pluggrad")
    values = _host(x).reshape(-1)
    starts = (
        np.concatenate([[True], values[1:] != values[:-1]]) if values.size else np.zeros(0, bool)
    )
    out = [as_tensor_arg(values[starts], like=x)]
    if return_inverse:
        out.append(as_tensor_arg((np.cumsum(starts) - 1).reshape(_host(x).shape), like=x))
    if return_counts:
        edges = np.flatnonzero(np.concatenate([starts, [True]]))
        out.append(as_tensor_arg(np.diff(edges), like=x))
    return out[0] if len(out) == 1 else tuple(out)


def histogram(input, bins=100, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """``(hist, bin_edges)`` of the elements, as NumPy's ``histogram`` computes them."""
    x = as_tensor_arg(input)
    edges_in = _host(as_tensor_arg(bins, like=x)) if isinstance(bins, Tensor) else bins
    w = None if weight is None else _host(as_tensor_arg(weight, like=x)).reshape(-1)
    hist, edges = np.histogram(_host(x).reshape(-1), bins=edges_in, range=range, weights=w,
                               density=density)  # fmt: skip
    dtype = _host(x).dtype
    return _Histogram(as_tensor_arg(hist.astype(dtype), like=x),
                      as_tensor_arg(edges.astype(dtype), like=x))  # fmt: skip


def frexp(input):  # noqa: A002
    """``(mantissa, exponent)`` with ``input = mantissa * 2**exponent``, |mantissa| in [0.5, 1)."""
    x = as_tensor_arg(input)
    mantissa, exponent = np.frexp(_host(x))
    return _Frexp(as_tensor_arg(mantissa, like=x), as_tensor_arg(exponent.astype(np.int32), like=x))


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Where each element of `elements` is among `test_elements` (not, with `invert`)."""
    x = as_tensor_arg(elements)
    pool = _host(as_tensor_arg(test_elements, like=x)).reshape(-1)
    return as_tensor_arg(np.isin(_host(x), pool, invert=invert), like=x)


def nonzero_static(input, *, size: int, fill_value: int = -1) -> Tensor:  # noqa: A002
    """The indices of the nonzero elements as a ``(size, ndim)`` matrix: cut to `size` rows, or
    padded with `fill_value`."""
    x = as_tensor_arg(input)
    found = np.argwhere(_host(x) != 0)[:size]
    padded = np.full((size, max(x.ndim, 1) if x.ndim else 0), fill_value, dtype=np.int64)
    padded[: len(found)] = found
    return as_tensor_arg(padded, like=x)


def is_inference(input) -> bool:  # noqa: A002
    """Whether the tensor was made in inference mode."""
    return as_tensor_arg(input).is_inference()


def is_distributed(input) -> bool:  # noqa: A002
    """False: a pluggrad tensor lives on one backend's devices."""
    as_tensor_arg(input)
    return False
