"""PyTorch's shape and indexing functions made of other operations (exported by
:mod:`pluggrad.ops.composite`): ``index_add``, ``scatter_add``, ``masked_select``, ``rot90``,
``atleast_2d``, ``diag``, ``block_diag``, ``cartesian_prod``... and the predicates ``numel``,
``is_floating_point``..."""

from __future__ import annotations

import math
import operator

import numpy as np

from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis
from ._convert import astype
from ._shape import expand_dims, flip, permute_dims, reshape, transpose
from .indexing import _complete, _native_key, getitem, put_along_axis_add
from .indexing import scatter_add as _scatter_at
from .manipulation import chunk, concat, diagonal, hstack, split, stack, vstack, where

__all__ = [
    "index_add", "index_fill", "index_copy", "scatter_add", "masked_select", "fliplr", "flipud",
    "rot90", "atleast_1d", "atleast_2d", "atleast_3d", "column_stack", "dstack", "row_stack",
    "ravel", "unflatten", "diag_embed", "diag", "diagflat", "block_diag", "cartesian_prod",
    "numel", "is_floating_point", "is_complex", "is_nonzero", "is_same_size", "tensor_split",
    "hsplit", "vsplit", "dsplit", "split_with_sizes", "unsafe_chunk", "unsafe_split",
    "unsafe_split_with_sizes", "diagonal_scatter", "select_scatter", "slice_scatter",
    "as_strided_scatter", "index_put", "put", "masked_scatter",
]  # fmt: skip


# ---- writing along an axis, out of place ---------------------------------------------------------
def _index_key(x: Tensor, dim: int, index) -> tuple:
    index = as_tensor_arg(index, like=x)
    if index.ndim > 1:
        raise IndexError("index_add_(): Index is supposed to be a vector")
    if index.ndim == 0:  # one index: the source's slice along `dim` has length 1
        index = index.reshape(1)
    return (slice(None),) * dim + (index._data, Ellipsis)


def _selected(x: Tensor, dim: int, index) -> Tensor:
    """True on the slices of `x` along `dim` that `index` names (shaped to broadcast)."""
    positions = np.asarray(as_tensor_arg(index, like=x).tolist(), dtype=np.int64).reshape(-1)
    hit = np.zeros(x.shape[dim], dtype=bool)
    hit[positions] = True
    return as_tensor_arg(hit.reshape((x.shape[dim],) + (1,) * (x.ndim - dim - 1)), like=x)


def _check_source(x: Tensor, dim: int, source: Tensor) -> None:
    if source.ndim != x.ndim or any(
        m != n for d, (m, n) in enumerate(zip(source.shape, x.shape)) if d != dim
    ):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(source.shape)}"
        )


def index_add(input, dim: int, index, source, *, alpha=1) -> Tensor:  # noqa: A002
    """`input` with ``alpha * source[i]`` added to its slice ``index[i]`` along `dim`
    (repeated indices add up)."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    source = as_tensor_arg(source, like=x)
    _check_source(x, dim, source)
    added = _scatter_at(source, _index_key(x, dim, index), tuple(x.shape))
    return x + (added if alpha == 1 else added * alpha)


def index_fill(input, dim: int, index, value) -> Tensor:  # noqa: A002
    """`input` with its slices ``index`` along `dim` set to `value`."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    return where(_selected(x, dim, index), value, x)


def index_copy(input, dim: int, index, source) -> Tensor:  # noqa: A002
    """`input` with its slice ``index[i]`` along `dim` replaced by ``source[i]``."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    placed = _scatter_at(as_tensor_arg(source, like=x), _index_key(x, dim, index), tuple(x.shape))
    return where(_selected(x, dim, index), placed, x)


def scatter_add(input, dim: int, index, src) -> Tensor:  # noqa: A002
    """``torch.scatter_add``: `input` plus ``src[p]`` added where ``gather`` with `index`
    would read (``index`` may be smaller than ``src``; repeated indices add up)."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    index = as_tensor_arg(index, like=x)
    src = as_tensor_arg(src, like=x)
    if tuple(src.shape) != tuple(index.shape):
        src = getitem(src, tuple(slice(0, n) for n in index.shape))
    return x + put_along_axis_add(src, index, dim, tuple(x.shape))


def masked_select(input, mask) -> Tensor:  # noqa: A002
    """The elements of `input` where `mask` (broadcast with it) is True, as a 1-D tensor."""
    x = as_tensor_arg(input)
    mask = as_tensor_arg(mask, like=x)
    shape = tuple(
        max(m, n) for m, n in zip(
            (1,) * (mask.ndim - x.ndim) + tuple(x.shape),
            (1,) * (x.ndim - mask.ndim) + tuple(mask.shape),
        )
    )  # fmt: skip
    return getitem(x.broadcast_to(shape), mask.broadcast_to(shape))


# ---- flips and rotations -------------------------------------------------------------------------
def fliplr(input) -> Tensor:  # noqa: A002
    """Reverse the columns (axis 1)."""
    x = as_tensor_arg(input)
    if x.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(x, axis=1)


def flipud(input) -> Tensor:  # noqa: A002
    """Reverse the rows (axis 0)."""
    x = as_tensor_arg(input)
    if x.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(x, axis=0)


def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90 degrees `k` times, from the first axis of `dims` towards the second."""
    x = as_tensor_arg(input)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    a, b = normalize_axis(dims[0], x.ndim), normalize_axis(dims[1], x.ndim)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")  # fmt: skip
    k %= 4
    if k == 1:
        return transpose(flip(x, axis=b), a, b)
    if k == 2:
        return flip(x, axis=(a, b))
    if k == 3:
        return flip(transpose(x, a, b), axis=b)
    return x.clone()


# ---- at least n dimensions, stacking -------------------------------------------------------------
def _atleast(n: int, tensors) -> Tensor | tuple[Tensor, ...]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
        single = False
    else:
        single = len(tensors) == 1
    out = []
    for t in tensors:
        t = as_tensor_arg(t)
        if t.ndim < n:
            shape = {1: (1,), 2: (1, 1), 3: (1, 1, 1)}[n]
            if n == 3 and t.ndim == 2:
                shape = (*t.shape, 1)
            elif n == 3 and t.ndim == 1:
                shape = (1, t.shape[0], 1)
            elif n == 2 and t.ndim == 1:
                shape = (1, t.shape[0])
            t = reshape(t, shape)
        out.append(t)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """The tensors with at least one dimension (a scalar becomes shape (1,))."""
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """The tensors with at least two dimensions (a vector of n becomes (1, n))."""
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """The tensors with at least three dimensions ((n,) -> (1, n, 1), (m, n) -> (m, n, 1))."""
    return _atleast(3, tensors)


def column_stack(tensors) -> Tensor:
    """Vectors as columns (and matrices as they are), side by side."""
    columns = [t if t.ndim > 1 else reshape(t, (-1, 1)) for t in map(as_tensor_arg, tensors)]
    return hstack(columns)


def dstack(tensors) -> Tensor:
    """Stack along the third axis (after making each tensor at least 3-D)."""
    return concat(list(atleast_3d(list(tensors))), axis=2)


def row_stack(tensors) -> Tensor:
    """``vstack`` (its old name)."""
    return vstack(tensors)


def ravel(input) -> Tensor:  # noqa: A002
    """The elements as a 1-D tensor (a view when they are contiguous)."""
    return reshape(as_tensor_arg(input), (-1,))


def unflatten(input, dim: int, sizes) -> Tensor:  # noqa: A002
    """Split axis `dim` into `sizes` (one of which may be -1)."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    sizes = tuple(operator.index(n) for n in sizes)
    if -1 in sizes:
        known = math.prod(n for n in sizes if n != -1)
        sizes = tuple(x.shape[dim] // known if n == -1 else n for n in sizes)
    if math.prod(sizes) != x.shape[dim]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({x.shape[dim]}) in the input tensor"
        )
    return reshape(x, tuple(x.shape[:dim]) + sizes + tuple(x.shape[dim + 1 :]))


# ---- diagonals and blocks ------------------------------------------------------------------------
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Matrices whose `offset`-th diagonal (over `dim1`, `dim2` of the result) is the last
    axis of `input`."""
    x = as_tensor_arg(input)
    n = x.shape[-1] + abs(offset)
    # row vectors v with v[j] = x[j - offset] (zeros around), times the offset-th identity:
    # out[i, i + offset] = v[i + offset] = x[i]
    row = expand_dims(_zero_padded(x, max(offset, 0), n), axis=-2)
    out = row * astype(as_tensor_arg(np.eye(n, k=offset), like=x), x.dtype)
    nd = out.ndim
    d1, d2 = normalize_axis(dim1, nd), normalize_axis(dim2, nd)
    if (d1, d2) == (nd - 2, nd - 1):
        return out
    order = [0] * nd
    for src, dst in enumerate(a for a in range(nd) if a not in (d1, d2)):
        order[dst] = src
    order[d1], order[d2] = nd - 2, nd - 1
    return permute_dims(out, tuple(order))


def _zero_padded(x: Tensor, before: int, n: int) -> Tensor:
    """`x` with zeros before (`before` of them) and after its last axis, to length `n`."""
    if before == 0 and x.shape[-1] == n:
        return x
    zeros = x[..., :1] * 0  # zeros of x's dtype and batch shape (their gradient is dropped)
    left = [zeros] * before
    right = [zeros] * (n - before - x.shape[-1])
    return concat([*left, x, *right], axis=-1)


def diag(input, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A vector's square matrix with it on the `diagonal`-th diagonal, or a matrix's
    `diagonal`-th diagonal."""
    x = as_tensor_arg(input)
    if x.ndim == 1:
        return diag_embed(x, diagonal)
    if x.ndim == 2:
        return _diagonal_of(x, diagonal)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{x.ndim}D")


def _diagonal_of(x: Tensor, offset: int) -> Tensor:
    return diagonal(x, offset)


def diagflat(input, offset: int = 0) -> Tensor:  # noqa: A002
    """The flattened input on the `offset`-th diagonal of a square matrix."""
    return diag_embed(reshape(as_tensor_arg(input), (-1,)), offset)


def block_diag(*tensors) -> Tensor:
    """The tensors (scalars, vectors as rows, matrices) as blocks on a block-diagonal matrix."""
    blocks = [as_tensor_arg(t) for t in tensors]
    blocks = [reshape(b, (1, 1)) if b.ndim == 0 else reshape(b, (1, -1)) if b.ndim == 1 else b
              for b in blocks]  # fmt: skip
    if not blocks:
        return as_tensor_arg([[]])
    width = sum(b.shape[1] for b in blocks)
    rows = []
    start = 0
    for b in blocks:
        zeros = b[:, :1] * 0
        left = [zeros] * start
        right = [zeros] * (width - start - b.shape[1])
        rows.append(concat([*left, b, *right], axis=1) if left or right else b)
        start += b.shape[1]
    return concat(rows, axis=0)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element of each 1-D tensor, as rows."""
    vectors = [as_tensor_arg(t) for t in tensors]
    if len(vectors) == 1:
        return vectors[0]
    n = len(vectors)
    grids = []
    for i, v in enumerate(vectors):
        shape = [1] * n
        shape[i] = v.shape[0]
        full = tuple(w.shape[0] for w in vectors)
        grids.append(reshape(reshape(v, tuple(shape)).broadcast_to(full), (-1,)))
    return stack(grids, axis=1)


# ---- predicates ----------------------------------------------------------------------------------
def numel(input) -> int:  # noqa: A002
    """The number of elements."""
    return as_tensor_arg(input).numel()


def is_floating_point(input) -> bool:  # noqa: A002
    """Whether the dtype is a floating one."""
    return as_tensor_arg(input).is_floating_point()


def is_complex(input) -> bool:  # noqa: A002
    """Whether the dtype is complex."""
    return as_tensor_arg(input).is_complex()


def is_nonzero(input) -> bool:  # noqa: A002
    """The truth of a one-element tensor (RuntimeError for more or fewer elements)."""
    x = as_tensor_arg(input)
    if x.numel() != 1:
        raise RuntimeError(
            "Boolean value of Tensor with more than one value is ambiguous"
            if x.numel() > 1
            else "Boolean value of Tensor with no values is ambiguous"
        )
    return bool(x.item() != 0)


def is_same_size(input, other) -> bool:  # noqa: A002
    """Whether the shapes are equal."""
    return tuple(as_tensor_arg(input).shape) == tuple(as_tensor_arg(other).shape)


# ---- splitting -----------------------------------------------------------------------------------
def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Views of `input` split along `dim`: into `n` nearly equal parts (the first ``size % n``
    one longer), or at the given indices."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    n = x.shape[dim]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec.tolist()
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        base, extra = divmod(n, spec)
        sizes = [base + 1] * extra + [base] * (spec - extra)
    else:
        cuts = [min(max(int(c) if c >= 0 else int(c) + n, 0), n) for c in spec]
        bounds = [0, *cuts, n]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
        starts = bounds[:-1]
        return tuple(x.narrow(dim, min(s, n), k) for s, k in zip(starts, sizes))
    return tuple(split(x, sizes, dim)) if sizes else ()


def hsplit(input, indices_or_sections) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`tensor_split` along the columns (axis 1; axis 0 for a vector)."""
    x = as_tensor_arg(input)
    return _split_evenly(x, indices_or_sections, 1 if x.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`tensor_split` along the rows (axis 0) of a tensor of at least 2 dimensions."""
    return _split_evenly(as_tensor_arg(input), indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`tensor_split` along the depth (axis 2) of a tensor of at least 3 dimensions."""
    return _split_evenly(as_tensor_arg(input), indices_or_sections, 2, "dsplit", 3)


def _split_evenly(x: Tensor, spec, dim: int, name: str, min_ndim: int):
    if x.ndim < min_ndim:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_ndim} dimension, but got a "
            f"tensor with {x.ndim} dimensions!"
        )
    if isinstance(spec, int) and x.shape[dim] % spec:
        raise RuntimeError(
            f"torch.{name} attempted to split along dimension {dim}, but the size of the "
            f"dimension {x.shape[dim]} is not divisible by the split_size {spec}!"
        )
    return tensor_split(x, spec, dim)


def split_with_sizes(input, split_sizes, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Views of `input` along `dim` of the given sizes (which add up to its length)."""
    return tuple(split(as_tensor_arg(input), list(split_sizes), dim))


def unsafe_split(input, split_size, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`split` (PyTorch's variant whose views skip the in-place checks; pluggrad's
    checks stay)."""
    return tuple(split(as_tensor_arg(input), split_size, dim))


def unsafe_split_with_sizes(input, split_sizes, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`split_with_sizes` (see :func:`unsafe_split`)."""
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """:func:`chunk` (see :func:`unsafe_split`)."""
    return tuple(chunk(as_tensor_arg(input), chunks, dim))


# ---- out-of-place writes through a view ----------------------------------------------------------
def _written(input, view, src) -> Tensor:  # noqa: A002
    """A copy of `input` with `src` written into the elements ``view(copy)`` selects
    (``CopySlices``: the gradient reaches both)."""
    out = as_tensor_arg(input).clone()
    view(out).copy_(src)
    return out


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """`input` with `src` as its `offset`-th diagonal over `dim1`, `dim2`."""
    return _written(input, lambda t: diagonal(t, offset, dim1, dim2), src)


def select_scatter(input, src, dim: int, index: int) -> Tensor:  # noqa: A002
    """`input` with `src` as its slice `index` along `dim`."""
    return _written(input, lambda t: t.select(dim, index), src)


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:  # noqa: A002
    """`input` with `src` as its slice ``start:end:step`` along `dim`."""
    x = as_tensor_arg(input)
    dim = normalize_axis(dim, x.ndim)
    key = (slice(None),) * dim + (slice(start, end, step), Ellipsis)
    return _written(x, lambda t: t[key], src)


def as_strided_scatter(input, src, size, stride, storage_offset=None) -> Tensor:  # noqa: A002
    """`input` with `src` written where ``as_strided(input, size, stride, storage_offset)``
    reads."""
    return _written(input, lambda t: t.as_strided(size, stride, storage_offset), src)


def index_put(input, indices, values, accumulate: bool = False) -> Tensor:  # noqa: A002
    """`input` with `values` written at ``input[indices]`` (added there with `accumulate`,
    repeated indices adding up)."""
    x = as_tensor_arg(input)
    key = tuple(indices)
    if not accumulate:
        out = x.clone()
        out[key] = values
        return out
    native = _complete(_native_key(key, x), x)
    added = as_tensor_arg(values, like=x).broadcast_to(tuple(getitem(x, key).shape))
    return x + _scatter_at(added, native, tuple(x.shape))


def put(input, index, source, accumulate: bool = False) -> Tensor:  # noqa: A002
    """`input` with `source` written (added with `accumulate`) at the flat (row-major)
    positions `index`."""
    x = as_tensor_arg(input)
    flat = index_put(reshape(x, (-1,)), (as_tensor_arg(index, like=x).reshape(-1),),
                     as_tensor_arg(source, like=x).reshape(-1), accumulate)  # fmt: skip
    return reshape(flat, tuple(x.shape))


def masked_scatter(input, mask, source) -> Tensor:  # noqa: A002
    """`input` with the elements where `mask` is True replaced, in order, by the first
    elements of `source`."""
    x = as_tensor_arg(input)
    mask = as_tensor_arg(mask, like=x).broadcast_to(tuple(x.shape))
    count = int(mask.sum().item())
    taken = reshape(as_tensor_arg(source, like=x), (-1,))[:count]
    out = x.clone()
    out[mask] = taken
    return out
