"""Shape manipulation, dtype conversion, copies and ``where``.

The array API's manipulation functions (``concat``, ``stack``, ``flip``, ``roll``, ``squeeze``,
``tile``, ``repeat``, ``unstack``...) plus PyTorch's spellings (``cat``, ``permute``,
``unsqueeze``, ``transpose``, ``flatten``, ``chunk``, ``split``...).  Note that PyTorch's
``Tensor.repeat`` is the array API's ``tile``, and the array API's ``repeat`` is PyTorch's
``repeat_interleave``: ``pluggrad.repeat`` keeps the array API meaning, the method ``x.repeat``
PyTorch's.

The shape and axis-order functions (``reshape``, ``squeeze``, ``broadcast_to``, ``permute_dims``,
``flip``, ``roll``...) are defined in :mod:`pluggrad.ops._shape`, and ``astype`` and ``clone`` in
:mod:`pluggrad.ops._convert`, below the topics that build on them; this module exports them.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from .._core.primitive import apply
from .._core.tensor import Tensor
from . import _devices, _shape, _views
from ._args import SCALAR_TYPES, as_tensor_arg, merge_axis, normalize_axis, size_args
from ._convert import astype, binary_operands, clone
from ._define import primitive
from ._leaf import tensor
from ._shape import (
    broadcast_arrays,
    broadcast_shape,
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    expand_dims,
    flatten,
    flip,
    moveaxis,
    movedim,
    permute,
    permute_dims,
    reshape,
    roll,
    squeeze,
    swapaxes,
    swapdims,
    t,
    transpose,
    unsqueeze,
)
from ._shape import diagonal as matrix_diagonal
from ._views import split_view, unstack_view
from .derivatives.manipulation import MAX_ARRAY_INPUTS
from .indexing import getitem, take
from .searching import nonzero

__all__ = [
    # the array API standard
    "reshape", "expand_dims", "squeeze", "broadcast_to", "broadcast_arrays", "permute_dims",
    "moveaxis", "flip", "roll", "concat", "stack", "unstack", "tile", "repeat", "astype",
    "clone", "where", "broadcast_shapes",
    # PyTorch's spellings
    "cat", "concatenate", "hstack", "vstack", "permute", "movedim", "unsqueeze", "transpose",
    "swapaxes", "swapdims", "t", "flatten", "broadcast_tensors", "repeat_interleave", "narrow",
    "chunk", "split", "unbind", "masked_fill", "diagonal", "select",
]  # fmt: skip

_ARRAY_INPUTS = tuple(f"x{i}" for i in range(MAX_ARRAY_INPUTS))


def _split_forward(backend, x, axis, sizes, with_sizes):
    outs, start = [], 0
    for n in sizes:
        outs.append(x[(slice(None),) * axis + (slice(start, start + n), Ellipsis)])
        start += n
    return tuple(outs)


def _unstack_forward(backend, x, axis):
    n = x.shape[axis]
    return tuple(x[(slice(None),) * axis + (i, Ellipsis)] for i in range(n))


def _masked_fill_forward(backend, x, mask, value):
    xp = backend.xp
    if isinstance(value, SCALAR_TYPES):
        value = xp.asarray(value, dtype=x.dtype)
    elif value.dtype != x.dtype:
        value = xp.astype(value, x.dtype)
    return xp.where(mask, value, x)


_CONCAT = primitive(
    "concat",
    _ARRAY_INPUTS,
    forward=lambda backend, *arrays, axis, sizes: backend.xp.concat(list(arrays), axis=axis),
)
_STACK = primitive(
    "stack",
    _ARRAY_INPUTS,
    forward=lambda backend, *arrays, axis: backend.xp.stack(list(arrays), axis=axis),
)
# as many outputs as each call makes
_SPLIT = primitive("split", ("x",), forward=_split_forward, n_outputs=None, view=split_view)
_UNSTACK = primitive("unstack", ("x",), forward=_unstack_forward, n_outputs=None, view=unstack_view)
_TILE = primitive(
    "tile", ("x",), forward=lambda backend, x, repetitions: backend.xp.tile(x, repetitions)
)
_WHERE = primitive("where", ("condition", "x1", "x2"), elementwise=True)
_MASKED_FILL = primitive("masked_fill", ("x", "mask", "value"), forward=_masked_fill_forward)


# ---- argument helpers ----------------------------------------------------------------------------
def _tensors(arrays, what: str) -> list[Tensor]:
    if isinstance(arrays, Tensor) or not isinstance(arrays, Sequence):
        raise TypeError(f"{what}() expects a sequence of tensors as its first argument")
    if not arrays:
        raise ValueError(f"{what}(): expected a non-empty list of Tensors")
    first = next((a for a in arrays if isinstance(a, Tensor)), None)
    return [as_tensor_arg(a, like=first) for a in arrays]


# ---- joining and splitting --------------------------------------------------------------------
def concat(arrays, /, *, axis: int | None = 0, dim: int | None = None) -> Tensor:
    """Join arrays along an existing axis (with ``axis=None``, the flattened arrays).

    Dtypes are promoted as for arithmetic.  ``dim`` is PyTorch's spelling.
    """
    tensors = _tensors(arrays, "concat")
    axis = merge_axis(axis, dim, default=0)
    if axis is None:
        tensors = [reshape(a, (-1,)) for a in tensors]
        axis = 0
    for i, a in enumerate(tensors):
        if a.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    first = tensors[0]
    axis = normalize_axis(axis, first.ndim)
    for i, a in enumerate(tensors[1:], 1):
        if a.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {a.ndim}"
            )
        for d, (n, m) in enumerate(zip(first.shape, a.shape)):
            if d != axis and n != m:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size {n} "
                    f"but got size {m} for tensor number {i} in the list."
                )
    if len(tensors) > MAX_ARRAY_INPUTS:
        tensors = [
            concat(tensors[i : i + MAX_ARRAY_INPUTS], axis=axis)
            for i in range(0, len(tensors), MAX_ARRAY_INPUTS)
        ]
        return concat(tensors, axis=axis)
    sizes = tuple(a.shape[axis] for a in tensors)
    return apply(_CONCAT, tuple(tensors), {"axis": axis, "sizes": sizes})


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """``torch.cat``: join tensors along the existing axis `dim` (``concat``)."""
    return concat(tensors, axis=merge_axis(axis, dim, default=0))


def concatenate(tensors, axis: int = 0) -> Tensor:
    """``torch.concatenate`` (``concat``)."""
    return concat(tensors, axis=axis)


def stack(arrays, /, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Join arrays of one shape along a new axis `axis` (``torch.stack(tensors, dim)``)."""
    tensors = _tensors(arrays, "stack")
    axis = merge_axis(axis, dim)
    first = tensors[0]
    for i, a in enumerate(tensors[1:], 1):
        if a.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                f"entry 0 and {list(a.shape)} at entry {i}"
            )
    axis = normalize_axis(0 if axis is None else axis, first.ndim + 1)
    if len(tensors) > MAX_ARRAY_INPUTS:
        return concat([expand_dims(a, axis=axis) for a in tensors], axis=axis)
    return apply(_STACK, tuple(tensors), {"axis": axis})


def hstack(tensors) -> Tensor:
    """``torch.hstack``: join along axis 1, or axis 0 for 1-d (and 0-d) tensors."""
    tensors = [reshape(a, (1,)) if a.ndim == 0 else a for a in _tensors(tensors, "hstack")]
    return concat(tensors, axis=0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """``torch.vstack``: join along axis 0, after making 0-d and 1-d tensors rows."""
    rows = []
    for a in _tensors(tensors, "vstack"):
        rows.append(reshape(a, (1, a.numel())) if a.ndim < 2 else a)
    return concat(rows, axis=0)


def _split_sizes(x: Tensor, sizes: tuple[int, ...], axis: int, with_sizes: bool):
    return apply(_SPLIT, (x,), {"axis": axis, "sizes": sizes, "with_sizes": with_sizes})


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: pieces of `split_size` along `dim` (the last may be shorter), or pieces
    of the given sizes when a list is passed."""
    x = as_tensor_arg(tensor)
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    axis = normalize_axis(dim, x.ndim)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = tuple(operator.index(s) for s in split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {axis}), but got split_sizes={list(sizes)}"
            )
        return _split_sizes(x, sizes, axis, True)
    size = operator.index(split_size_or_sections)
    if size < 0 or (size == 0 and n != 0):
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )
    if n == 0:
        return _split_sizes(x, (0,), axis, False)
    sizes = (size,) * (n // size) + ((n % size,) if n % size else ())
    return _split_sizes(x, sizes, axis, False)


def chunk(input, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """``torch.chunk``: at most `chunks` pieces of equal size (the last may be shorter)."""
    x = as_tensor_arg(input)
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    axis = normalize_axis(dim, x.ndim)
    n = x.shape[axis]
    if n == 0:
        return _split_sizes(x, (0,) * chunks, axis, False)
    return split(x, -(-n // chunks), axis)


def unstack(x, /, *, axis: int = 0) -> tuple[Tensor, ...]:
    """The slices of `x` along `axis`, as a tuple (``torch.unbind``)."""
    x = as_tensor_arg(x)
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    axis = normalize_axis(axis, x.ndim)
    n = x.shape[axis]
    if n == 0:
        return ()
    return apply(_UNSTACK, (x,), {"axis": axis})


def unbind(input, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """``torch.unbind`` (``unstack``)."""
    return unstack(input, axis=dim)


def narrow(input, dim: int, start, length: int) -> Tensor:  # noqa: A002
    """``torch.narrow``: the slice ``start:start + length`` along `dim`."""
    x = as_tensor_arg(input)
    axis = normalize_axis(dim, x.ndim)
    n = x.shape[axis]
    start, length = operator.index(start), operator.index(length)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start %= n if n else 1
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(x, (slice(None),) * axis + (slice(start, start + length), Ellipsis))


def select(input, dim: int, index: int) -> Tensor:  # noqa: A002
    """``torch.select``: the slice at `index` along `dim`, without that axis (a view)."""
    x = as_tensor_arg(input)
    axis = normalize_axis(dim, x.ndim)
    n = x.shape[axis]
    index = operator.index(index)
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(x.shape)} at "
            f"dimension {axis}"
        )
    return getitem(x, (slice(None),) * axis + (index % n, Ellipsis))


# ---- tiling and repeating ----------------------------------------------------------------------
def tile(x, repetitions, /) -> Tensor:
    """`x` repeated `repetitions[i]` times along axis ``i`` (``torch.tile``).

    If `repetitions` is shorter than ``x.ndim``, ones are prepended to it; if longer, axes of
    length one are prepended to `x`.
    """
    x = as_tensor_arg(x)
    if isinstance(repetitions, int):
        repetitions = (repetitions,)
    repetitions = tuple(operator.index(r) for r in repetitions)
    if any(r < 0 for r in repetitions):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(repetitions)}: "
            f"{list(repetitions)}"
        )
    return apply(_TILE, (x,), {"repetitions": repetitions})


def _repeat_method(self, *sizes) -> Tensor:
    """``Tensor.repeat``: PyTorch's name for ``tile`` (not the array API's ``repeat``)."""
    sizes = size_args(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    return tile(self, sizes)


def repeat(x, repeats, /, *, axis: int | None = None) -> Tensor:
    """Repeat each element of `x` `repeats` times along `axis` (flattened if None).

    `repeats` is an int or a 1-d integer array with one count per element along `axis`.  This
    is PyTorch's ``repeat_interleave``; PyTorch's ``Tensor.repeat`` is :func:`tile`.
    """
    x = as_tensor_arg(x)
    if axis is None or x.ndim == 0:
        normalize_axis(0 if axis is None else axis, x.ndim)
        x = reshape(x, (-1,))
        axis = 0
    axis = normalize_axis(axis, x.ndim)
    n = x.shape[axis]
    if isinstance(repeats, int) or (
        hasattr(repeats, "__index__") and not hasattr(repeats, "shape")
    ):
        count = operator.index(repeats)
        if count < 0:
            raise RuntimeError("Repeats must be non-negative")
        expanded = expand_dims(x, axis=axis + 1)
        shape = x.shape[: axis + 1] + (count,) + x.shape[axis + 1 :]
        merged = x.shape[:axis] + (n * count,) + x.shape[axis + 1 :]
        return reshape(clone(broadcast_to(expanded, shape)), merged)
    counts = _integer_numpy(repeats, x)
    if counts.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    counts = counts.reshape(-1)
    if counts.size == 1:
        counts = np.broadcast_to(counts, (n,))
    if counts.size != n:
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{counts.size} and input.size({axis}) = {n}"
        )
    if (counts < 0).any():
        raise RuntimeError("repeats can not be negative")
    index = tensor(np.repeat(np.arange(n), counts), backend=x._backend)
    return take(x, index, axis=axis)


def _integer_numpy(values, like: Tensor) -> np.ndarray:
    if isinstance(values, Tensor):
        array = np.asarray(values._backend.to_numpy(values._data))
    else:
        array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"repeats has to be a Long tensor, got {array.dtype}")
    return array


def repeat_interleave(input, repeats=None, dim: int | None = None, *, output_size=None) -> Tensor:  # noqa: A002
    """``torch.repeat_interleave``: the array API's :func:`repeat`.

    Called with one integer tensor, returns ``repeat(arange(len(t)), t)``.
    """
    if repeats is None:
        counts = as_tensor_arg(input)
        positions = tensor(np.arange(counts.shape[0]), backend=counts._backend)
        return repeat(positions, counts, axis=0)
    out = repeat(input, repeats, axis=dim)
    if output_size is not None and out.shape[dim or 0] != output_size:
        raise RuntimeError("repeat_interleave: output_size does not match the repeats")
    return out


# ---- selection, diagonals ------------------------------------------------------------------------
def where(condition, x1=None, x2=None, /):
    """Elements of `x1` where `condition` is true, else of `x2`.

    Called with the condition alone, PyTorch's ``where(condition)`` is
    ``nonzero(condition, as_tuple=True)``: a tuple of index tensors, one per dimension.
    """
    if x1 is None and x2 is None:
        return nonzero(condition, as_tuple=True)
    if x1 is None or x2 is None:
        got = ", ".join(type(a).__name__ for a in (condition, x1, x2) if a is not None)
        raise TypeError(
            f"where() received an invalid combination of arguments - got ({got}), but expected "
            "(Tensor condition) or (Tensor condition, Tensor input, Tensor other)"
        )
    condition = as_tensor_arg(condition)
    x1, x2 = binary_operands(x1, x2)
    # a Python scalar is weak: it takes the other operand's dtype (``where(c, float32, 0)`` is
    # float32, as in the standard and PyTorch)
    if not isinstance(x1, Tensor):
        x1 = _scalar_like(x1, x2)
    if not isinstance(x2, Tensor):
        x2 = _scalar_like(x2, x1)
    return apply(_WHERE, (condition, x1, x2))


def _scalar_like(value, other: Tensor) -> Tensor:
    return tensor(value, dtype=other.dtype, backend=other._backend)


def masked_fill(input, mask, value) -> Tensor:  # noqa: A002
    """``torch.masked_fill``: `input` with `value` where `mask` (broadcast to it) is true.

    `value` is a Python number (cast to `input`'s dtype) or a 0-d tensor (differentiable).
    """
    x = as_tensor_arg(input)
    mask = as_tensor_arg(mask, like=x)
    if mask.dtype.kind != "b":
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{mask.dtype.cpp_name}"
        )
    if broadcast_shape([x.shape, mask.shape]) != tuple(x.shape):
        raise RuntimeError(
            f"masked_fill: the mask of shape {list(mask.shape)} does not broadcast to the "
            f"input's shape {list(x.shape)}"
        )
    if isinstance(value, SCALAR_TYPES):
        kind = x.dtype.kind
        value = bool(value) if kind == "b" else int(value) if kind in "iu" else value  # type: ignore[arg-type]  # int(complex) raises, as in PyTorch
        if kind == "f" and isinstance(value, complex):
            raise RuntimeError("value cannot be converted to type float without overflow")
        if kind == "f":
            value = float(value)
    else:
        value = as_tensor_arg(value, like=x)
        if value.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
    return apply(_MASKED_FILL, (x, mask, value))


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """``torch.diagonal``: the `offset`-th diagonal over axes `dim1` and `dim2`, appended as the
    last axis (the standard's ``linalg.diagonal`` takes the last two axes)."""
    x = as_tensor_arg(input)
    nd = x.ndim
    dim1, dim2 = dim1 % nd, dim2 % nd
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    order = [a for a in range(nd) if a not in (dim1, dim2)] + [dim1, dim2]
    if order != list(range(nd)):
        x = permute_dims(x, order)
    return matrix_diagonal(x, offset=offset)


def _chunk_method(self, chunks: int, dim: int = 0):
    return chunk(self, chunks, dim)


def _split_method(self, split_size, dim: int = 0):
    return split(self, split_size, dim)


def _unbind_method(self, dim: int = 0):
    return unbind(self, dim)


def _tile_method(self, *dims) -> Tensor:
    return tile(self, size_args(dims))


def _repeat_interleave_method(self, repeats=None, dim=None, *, output_size=None) -> Tensor:
    if repeats is None:
        return repeat_interleave(self)
    return repeat_interleave(self, repeats, dim, output_size=output_size)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset({"broadcast_shapes"})

TENSOR_METHODS: dict = {
    **_shape.TENSOR_METHODS,
    **_views.TENSOR_METHODS,
    **_devices.TENSOR_METHODS,
    "clone": clone,
    "astype": astype,
    "diagonal": diagonal,
    "chunk": _chunk_method,
    "split": _split_method,
    "unbind": _unbind_method,
    "narrow": narrow,
    "select": select,
    "tile": _tile_method,
    "repeat": _repeat_method,
    "repeat_interleave": _repeat_interleave_method,
    "masked_fill": masked_fill,
}
