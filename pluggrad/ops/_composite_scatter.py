"""PyTorch's ``scatter_reduce`` made of other operations (exported by
:mod:`pluggrad.ops.composite`).

Where each element of ``src`` goes is worked out on the host from ``index``: a table with one
row per element of the result lists the positions that reduce into it (``self`` first, when it
takes part, then the elements of ``src`` in order), padded with the reduction's identity. The
result is that table read through ``take`` and reduced along its rows by ``sum``, ``prod``,
``amax`` or ``amin``, so its gradients are theirs: ``prod``'s exact with zeros, ``amax`` and
``amin`` shared equally among ties, as PyTorch's ``scatter_reduce_backward`` computes them.
"""

from __future__ import annotations

import numpy as np

from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis
from ._shape import reshape
from .elementwise import divide
from .indexing import getitem, take
from .manipulation import concat, where
from .reductions import amax, amin, prod, sum  # noqa: A004

__all__ = ["scatter_reduce"]

_REDUCE = {"sum": sum, "prod": prod, "mean": sum, "amax": amax, "amin": amin}


def _host(x: Tensor) -> np.ndarray:
    return np.asarray(x._backend.to_numpy(x.detach()._data))


def _identity(reduce: str, x: Tensor) -> Tensor:
    """The value a missing element of a row stands for: the reduction's identity."""
    value: float
    if reduce in ("sum", "mean"):
        value = 0
    elif reduce == "prod":
        value = 1
    elif x.dtype.is_floating_point:
        value = -np.inf if reduce == "amax" else np.inf
    else:
        info = np.iinfo(np.dtype(str(x.dtype).split(".")[-1]))
        value = info.min if reduce == "amax" else info.max
    return as_tensor_arg(np.asarray([value]), like=x).to(x.dtype)


def _check(x: Tensor, dim: int, index: Tensor, src: Tensor) -> None:
    if index.dtype.is_floating_point or index.dtype.is_complex or str(index.dtype)[-4:] == "bool":
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if index.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if any(
        n > s or (d != dim and n > m)
        for d, (n, m, s) in enumerate(zip(index.shape, x.shape, src.shape))
    ):
        raise RuntimeError(
            f"Expected index {list(index.shape)} to be no larger than self {list(x.shape)} "
            f"apart from dimension {dim} and to be no larger size than src {list(src.shape)}"
        )


def _table(idx: np.ndarray, dim: int, shape: tuple, include_self: bool):
    """Row ``o`` of the table: the positions in ``concat([src, self, identity])`` (flat) that
    reduce into element ``o`` of the result (flat); and how many there are in each row."""
    size, count = int(np.prod(shape)), idx.size
    bad = (idx < 0) | (idx >= shape[dim])
    if bad.any():
        raise RuntimeError(
            f"index {int(idx[bad][0])} is out of bounds for dimension {dim} with size {shape[dim]}"
        )
    coords: list[np.ndarray] = list(np.indices(idx.shape))
    coords[dim] = idx
    target = np.ravel_multi_index(tuple(coords), shape).reshape(-1) if count else np.zeros(0, int)
    hits = np.bincount(target, minlength=size)
    order = np.argsort(target, kind="stable")
    starts = np.cumsum(hits) - hits
    rank = np.arange(count) - starts[target[order]]
    pad = count + size  # the identity, after src and self
    table = np.full((size, 1 + (int(hits.max()) if count else 0)), pad, dtype=np.int64)
    with_self = include_self | (hits == 0)  # self stays where nothing is scattered
    table[with_self, 0] = count + np.arange(size)[with_self]
    table[target[order], 1 + rank] = order
    return table, hits + with_self, hits > 0


def scatter_reduce(
    input,  # noqa: A002
    dim: int,
    index,
    src,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """``torch.scatter_reduce``: the elements of `src` reduced (``"sum"``, ``"prod"``,
    ``"mean"``, ``"amax"``, ``"amin"``) into `input` where ``gather`` with `index` would read;
    with ``include_self=False`` the elements of `input` that receive something are left out
    of their reduction. Integer ``"mean"`` rounds down, as PyTorch's."""
    x = as_tensor_arg(input)
    if reduce not in _REDUCE:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    dim = normalize_axis(dim, x.ndim) if x.ndim else 0
    index = as_tensor_arg(index, like=x)
    src = as_tensor_arg(src, like=x)
    _check(x, dim, index, src)
    shape = tuple(x.shape)
    table, counts, hit = _table(_host(index).astype(np.int64), dim, shape, include_self)
    if tuple(src.shape) != tuple(index.shape):
        src = getitem(src, tuple(slice(0, n) for n in index.shape))
    pool = concat([reshape(src, (-1,)), reshape(x, (-1,)), _identity(reduce, x)])
    rows = reshape(take(pool, as_tensor_arg(table.reshape(-1), like=x)), table.shape)
    out = _REDUCE[reduce](rows, axis=1)
    if reduce == "mean":
        n = as_tensor_arg(counts, like=x).to(x.dtype)
        out = divide(out, n) if x.dtype.is_floating_point else divide(out, n, rounding_mode="floor")
    elif reduce in ("amax", "amin") and not include_self:
        out = _shared_with_self(out, x, rows, hit)
    return reshape(out, shape)


def _shared_with_self(out: Tensor, x: Tensor, rows: Tensor, hit: np.ndarray) -> Tensor:
    """PyTorch's gradient of an ``amax``/``amin`` that leaves `self` out: where `self` equals
    the result anyway, it still counts among the ties its share is divided by (and then drops
    self's share), so each element of ``src`` that is the result gets ``1 / (ties + 1)``."""
    result = _host(out)
    ties = np.sum(_host(rows)[:, 1:] == result[:, None], axis=1)
    quirk = hit & (_host(x).reshape(-1) == result) & np.isfinite(result)
    if not quirk.any() or not x.dtype.is_floating_point:
        return out
    scale = as_tensor_arg(np.where(quirk, -1.0 / (ties + 1), 0.0), like=x).to(x.dtype)
    # out - out.detach() is 0: the value is unchanged and the gradient scaled by ties/(ties+1)
    return where(as_tensor_arg(quirk, like=x), out + (out - out.detach()) * scale, out)
