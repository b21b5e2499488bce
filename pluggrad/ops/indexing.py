"""Indexing: ``x[key]``, ``take``, ``take_along_axis`` and PyTorch's ``gather``,
``index_select``, ``take_along_dim``; their backwards are scatter-adds, which are
differentiable too (their derivatives are the gathers again), so every order works.

Integer indices out of range raise IndexError on every backend (JAX would clamp them).
"""

from __future__ import annotations

import operator

from .. import _dtypes
from .._core.primitive import apply, mixed_backend_error
from .._core.tensor import Tensor
from .._core.views import Geometry, geometry_of, local_positions, positions
from ._args import as_tensor_arg, is_array_like, normalize_axis
from ._define import primitive
from ._shape import broadcast_shape, broadcast_to, reshape
from ._views import as_strided_view, index_view, is_basic_key

# scatter_add (the backward of __getitem__) and put_along_axis_add (the backward of take and
# take_along_axis) are not exported: derivative formulas reach them as pluggrad.ops.<name>, and
# PyTorch's scatter_add means another thing.
__all__ = [
    "getitem", "take", "take_along_axis",
    "gather", "index_select", "take_along_dim", "as_strided",
]  # fmt: skip

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()


def _take_forward(backend, x, indices, axis):
    xp = backend.xp
    if axis is None:  # read x flat
        x = xp.reshape(x, (-1,))
    ax = 0 if axis is None else axis
    if indices.ndim == 1:
        return xp.take(x, indices, axis=ax)
    out = xp.take(x, xp.reshape(indices, (-1,)), axis=ax)
    return xp.reshape(out, x.shape[:ax] + tuple(indices.shape) + x.shape[ax + 1 :])


def _gather_forward(backend, x, indices, axis):
    # PyTorch's gather: indices may be shorter than x along the other axes
    if any(n != m for d, (n, m) in enumerate(zip(indices.shape, x.shape)) if d != axis):
        x = x[tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(indices.shape))]
    return backend.xp.take_along_axis(x, indices, axis=axis)


# a view for a key of integers, slices, ... and None; a copy (copy=True) for the others
_GETITEM = primitive(
    "getitem",
    ("x",),
    forward=lambda backend, x, key, copy=None: backend.getitem(x, key),
    view=index_view,
)
_SCATTER_ADD = primitive(
    "scatter_add",
    ("values",),
    forward=lambda backend, values, key, shape: backend.scatter_add(values, key, shape),
)
_TAKE = primitive("take", ("x", "indices"), forward=_take_forward)
# indices: the flat positions in x of the geometry (size, stride, storage_offset) over x's root
_AS_STRIDED = primitive(
    "as_strided",
    ("x",),
    forward=lambda backend, x, indices, size, stride, storage_offset: _take_forward(
        backend, x, indices, None
    ),
    view=as_strided_view,
)
_TAKE_ALONG_AXIS = primitive("take_along_axis", ("x", "indices"), forward=_gather_forward)
_PUT_ALONG_AXIS_ADD = primitive(
    "put_along_axis_add",
    ("values", "indices"),
    forward=lambda backend, values, indices, axis, shape: backend.put_along_axis_add(
        values, indices, axis, shape
    ),
)


# ---- x[key] ---------------------------------------------------------------------------------
def _native_key(key, x: Tensor):
    """Replace tensors and lists inside an indexing key by native arrays of `x`'s backend."""
    if isinstance(key, tuple):
        return tuple(_native_key(k, x) for k in key)
    if isinstance(key, Tensor):
        if key._backend is not x._backend:
            raise mixed_backend_error(x._backend, key._backend)
        if key.ndim == 0 and key.dtype.kind in "iu":
            return int(key.item())
        return key._data
    if isinstance(key, list):
        return as_tensor_arg(key, like=x)._data
    if isinstance(key, bool) or key is None or key is Ellipsis or isinstance(key, slice):
        return key
    if isinstance(key, int):
        return key
    if is_array_like(key):
        if len(key.shape) == 0 and getattr(key.dtype, "kind", "") in "iu":
            return int(key)
        return as_tensor_arg(key, like=x)._data
    if hasattr(key, "__index__"):
        return int(key.__index__())
    return as_tensor_arg(key, like=x)._data


def getitem(x, key) -> Tensor:
    """``x[key]`` with integers, slices, ``...``, ``None``, integer arrays (several broadcast
    together, and mixed with slices, with NumPy's and PyTorch's rules) and boolean masks."""
    x = as_tensor_arg(x)
    key = _check_key(x, _complete(_native_key(key, x), x))
    return apply(_GETITEM, (x,), {"key": key} if is_basic_key(key) else {"key": key, "copy": True})


def _consumed(part, x: Tensor) -> int:
    """How many axes of `x` one part of a key indexes."""
    if part is None or part is Ellipsis or isinstance(part, bool):
        return 0
    if is_array_like(part) and x._backend.from_native.get(part.dtype) is _dtypes.bool:
        return part.ndim
    return 1


def _complete(key, x: Tensor):
    """Make the key name every axis (``x[1]`` on a matrix is ``x[1, ...]``), with its slices'
    bounds inside the axes (``x[1:10]`` of 3 elements is ``x[1:]``).

    PyTorch and NumPy index the leading axes implicitly and clip slice bounds; the array API
    standard asks for a trailing ellipsis and leaves out-of-bounds slices unspecified, and
    array_api_strict enforces both.
    """
    parts = key if isinstance(key, tuple) else (key,)
    if any(isinstance(p, slice) for p in parts):
        parts = _clip_slices(parts, x)
        key = parts if isinstance(key, tuple) or len(parts) != 1 else parts[0]
    if any(p is Ellipsis for p in parts):
        return key
    if sum(_consumed(p, x) for p in parts) < x.ndim:
        return parts + (Ellipsis,)
    return key


def _clip_slices(parts: tuple, x: Tensor) -> tuple:
    """`parts` with each slice's bounds inside its axis (the same elements, in the same order)."""
    shape = tuple(x.shape)
    consumed = [_consumed(p, x) for p in parts]
    clipped = []
    axis = 0
    for i, part in enumerate(parts):
        if part is Ellipsis:
            axis = len(shape) - sum(consumed[i + 1 :])
        elif isinstance(part, slice) and axis < len(shape):
            clipped.append(_clip_slice(part, shape[axis]))
            axis += 1
            continue
        clipped.append(part)
        axis += consumed[i]
    return tuple(clipped)


def _clip_slice(part: slice, size: int) -> slice:
    start, stop, step = part.indices(size)
    if size == 0:
        return slice(None, None, step)
    if (stop - start) * step <= 0:  # empty
        return slice(0, 0, step)
    if step > 0:
        return slice(start, None if stop >= size else stop, step)
    return slice(start, None if stop < 0 else stop, step)


def scatter_add(values, key, shape) -> Tensor:
    """Zeros of `shape` with `values` added at ``[key]`` (repeated indices accumulate)."""
    return apply(_SCATTER_ADD, (as_tensor_arg(values),), {"key": key, "shape": tuple(shape)})


def _out_of_bounds(index: int, dim: int, size: int) -> IndexError:
    return IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def _check_range(
    backend, array, dim: int, size: int, error=_out_of_bounds, negative: bool = True
) -> None:
    """Raise `error` if an index of the native integer `array` is outside ``[-size, size)``
    (``[0, size)`` if not `negative`); not while tracing (the values are not known yet)."""
    if 0 in tuple(array.shape) or not backend.has_values(array):
        return
    xp = backend.xp
    low, high = int(xp.min(array)), int(xp.max(array))
    if high >= size:
        raise error(high, dim, size)
    if low < (-size if negative else 0):
        raise error(low, dim, size)


def _check_key(x: Tensor, key):
    """Raise PyTorch's IndexError for indices out of range (JAX would clamp them), for index
    arrays of other dtypes than integers and booleans, and for masks of the wrong shape.

    Returns the key, where a mask with an axis of length 0 (which selects nothing; the
    standard allows it where PyTorch raises) is replaced by a mask of the tensor's shape that
    selects nothing.
    """
    parts = key if isinstance(key, tuple) else (key,)
    key_parts = list(parts)
    backend = x._backend
    # where each part of the key starts in `parts`, once the ellipsis is spelled out
    origin = list(range(len(parts)))
    if any(p is Ellipsis for p in parts):
        ellipsis = next(i for i, p in enumerate(parts) if p is Ellipsis)
        consumed = sum(_consumed(p, x) for p in parts)
        filled = x.ndim - consumed
        parts = parts[:ellipsis] + (slice(None),) * filled + parts[ellipsis + 1 :]
        origin = origin[:ellipsis] + [-1] * filled + origin[ellipsis + 1 :]
    if sum(_consumed(p, x) for p in parts) > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    dim = 0
    for position, p in enumerate(parts):
        if p is None or isinstance(p, bool):
            continue
        if isinstance(p, int):
            size = x.shape[dim]
            if not -size <= p < size:
                raise _out_of_bounds(p, dim, size)
        elif is_array_like(p):
            dtype = backend.from_native.get(p.dtype)
            if dtype is _dtypes.bool:
                covered = tuple(x.shape[dim : dim + p.ndim])
                if _selects_nothing(tuple(p.shape), covered):
                    xp = backend.xp
                    key_parts[origin[position]] = xp.zeros(covered, dtype=xp.bool)
                elif tuple(p.shape) != covered:
                    raise IndexError(
                        f"The shape of the mask {list(p.shape)} at index {dim} does not match "
                        f"the shape of the indexed tensor {list(x.shape)} at index {dim}"
                    )
            elif dtype is None or dtype.kind not in "iu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            else:
                _check_range(backend, p, dim, x.shape[dim])
        dim += _consumed(p, x)
    return tuple(key_parts) if isinstance(key, tuple) else key_parts[0]


def _selects_nothing(mask_shape: tuple, covered: tuple) -> bool:
    """A mask whose axes have the lengths of the axes it covers or 0, with a 0 where the axis
    it covers is not empty."""
    return (
        len(mask_shape) == len(covered)
        and mask_shape != covered
        and all(m in (c, 0) for m, c in zip(mask_shape, covered))
    )


# ---- take, take_along_axis and their scatter-add -------------------------------------------------
def _index_tensor(indices, x: Tensor, what: str) -> Tensor:
    indices = as_tensor_arg(indices, like=x)
    if indices._backend is not x._backend:
        raise mixed_backend_error(x._backend, indices._backend)
    if indices.dtype.kind not in "iu":
        raise IndexDtypeError(
            _TORCH_INDEX_DTYPE_ERRORS.get(
                what, "{what}(): indices must be an integer tensor, got {name}"
            ).format(what=what, name=indices.dtype.name, torch_name=indices.dtype.torch_name)
        )
    return indices


class IndexDtypeError(RuntimeError, IndexError):
    """Indices that are not integers: PyTorch raises a RuntimeError, NumPy an IndexError."""


# PyTorch's words, where its function of that name refuses the indices' dtype
_TORCH_INDEX_DTYPE_ERRORS = {
    "gather": "gather(): Expected dtype int32/int64 for index",
    "take_along_dim": "gather(): Expected dtype int32/int64 for index",
    "index_select": "index_select(): Expected dtype int32 or int64 for index",
    "take": "take(): Expected a long tensor for index, but got {torch_name}",
}


def take(x, indices, /, *, axis: int | None = None) -> Tensor:
    """The elements of `x` at `indices` along `axis` (flattened `x` if None).

    The result has ``x.shape[:axis] + indices.shape + x.shape[axis + 1:]``.  ``take(x, i,
    axis=d)`` is PyTorch's ``index_select``; ``take(x, i)`` its ``take``.  Negative indices
    count from the end; others out of range raise IndexError.
    """
    x = as_tensor_arg(x)
    indices = _index_tensor(indices, x, "take")
    if axis is not None:
        axis = normalize_axis(axis, x.ndim)
        if x.ndim == 0:
            axis = None
    size = x.numel() if axis is None else x.shape[axis]

    def error(index, dim, size):
        if axis is None:
            return IndexError(
                f"out of range: tried to access index {index} on a tensor of {size} elements."
            )
        return _out_of_bounds(index, dim, size)

    _check_range(x._backend, indices._data, 0 if axis is None else axis, size, error)
    return apply(_TAKE, (x, indices), {"axis": axis})


def index_select(input, dim: int, index) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """``torch.index_select``: the slices of `input` at the 1-d (or 0-d) `index` along `dim`."""
    x = as_tensor_arg(input)
    index = _index_tensor(index, x, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = normalize_axis(dim, x.ndim)
    size = x.shape[dim] if x.ndim else 1

    def error(*_):
        return IndexError("index out of range in self")

    _check_range(x._backend, index._data, dim, size, error, negative=False)
    if x.ndim == 0:
        if index.numel() != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {index.numel()} "
                "value(s)"
            )
        return reshape(take(x, reshape(index, (1,))), ())
    if index.ndim == 0:
        index = reshape(index, (1,))
    return take(x, index, axis=dim)


def take_along_axis(x, indices, /, *, axis: int = -1) -> Tensor:
    """The elements of `x` at `indices` along `axis`, elementwise over the other axes.

    `indices` has as many axes as `x`; along the others, `x` and `indices` broadcast.  The
    backward adds the gradient back at the indices (repeated indices accumulate).
    """
    x = as_tensor_arg(x)
    indices = _index_tensor(indices, x, "take_along_axis")
    if indices.ndim != x.ndim:
        raise ValueError(
            f"take_along_axis: indices ({indices.ndim}-d) and x ({x.ndim}-d) need the same number "
            "of dimensions"
        )
    axis = normalize_axis(axis, x.ndim)
    x, indices = _broadcast_except(x, indices, axis)
    _check_range(x._backend, indices._data, axis, x.shape[axis])
    return apply(_TAKE_ALONG_AXIS, (x, indices), {"axis": axis})


def _broadcast_except(x: Tensor, indices: Tensor, axis: int):
    """Broadcast `x` and `indices` against each other along every axis but `axis`."""
    ones = [s[:axis] + (1,) + s[axis + 1 :] for s in (tuple(x.shape), tuple(indices.shape))]
    shape = list(broadcast_shape(ones))
    x_shape = tuple(shape[:axis]) + (x.shape[axis],) + tuple(shape[axis + 1 :])
    i_shape = tuple(shape[:axis]) + (indices.shape[axis],) + tuple(shape[axis + 1 :])
    if x_shape != tuple(x.shape):
        x = broadcast_to(x, x_shape)
    if i_shape != tuple(indices.shape):
        indices = broadcast_to(indices, i_shape)
    return x, indices


def gather(input, dim: int, index, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """``torch.gather``: ``out[i][j] = input[index[i][j]][j]`` for ``dim=0`` (and so on).

    `index` has as many axes as `input` and is no longer than it along the others (no
    broadcasting); its values are in ``[0, input.shape[dim])``.
    """
    x = as_tensor_arg(input)
    index = _index_tensor(index, x, "gather")
    if index.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    dim = normalize_axis(dim, x.ndim)
    for d, (n, m) in enumerate(zip(index.shape, x.shape)):
        if d != dim and n > m:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"no larger than self {list(x.shape)} apart from dimension {dim}"
            )

    def error(value, d, size):
        return RuntimeError(f"index {value} is out of bounds for dimension {d} with size {size}")

    _check_range(x._backend, index._data, dim, x.shape[dim], error, negative=False)
    return apply(_TAKE_ALONG_AXIS, (x, index), {"axis": dim})


def take_along_dim(input, indices, dim: int | None = None) -> Tensor:  # noqa: A002
    """``torch.take_along_dim``: :func:`take_along_axis`, over the flattened tensors if `dim`
    is None."""
    x = as_tensor_arg(input)
    if dim is None:
        x = reshape(x, (-1,))
        indices = reshape(_index_tensor(indices, x, "take_along_dim"), (-1,))
        dim = 0
    return take_along_axis(x, indices, axis=dim)


def put_along_axis_add(values, indices, axis: int, shape) -> Tensor:
    """Zeros of `shape` with ``values[p]`` added where ``take_along_axis`` would read
    ``indices[p]`` along `axis` (PyTorch's ``scatter_add`` into zeros; repeated indices
    accumulate).

    `values` and `indices` have the same shape, no longer than `shape` along the other axes.
    This is the backward of :func:`take_along_axis` and :func:`take`; its own backward is the
    gather ``take_along_axis(g, indices, axis=axis)``.
    """
    values = as_tensor_arg(values)
    indices = _index_tensor(indices, values, "put_along_axis_add")
    shape = tuple(int(n) for n in shape)
    axis = normalize_axis(axis, len(shape))
    if tuple(indices.shape) != tuple(values.shape) or len(shape) != values.ndim:
        raise ValueError(
            f"put_along_axis_add: values {list(values.shape)} and indices "
            f"{list(indices.shape)} need the same shape, with as many axes as {list(shape)}"
        )
    if any(n > m for d, (n, m) in enumerate(zip(values.shape, shape)) if d != axis):
        raise ValueError(
            f"put_along_axis_add: values {list(values.shape)} are longer than {list(shape)} "
            f"along an axis other than {axis}"
        )
    _check_range(values._backend, indices._data, axis, shape[axis])
    return apply(_PUT_ALONG_AXIS_ADD, (values, indices), {"axis": axis, "shape": shape})


def _take_method(self, index) -> Tensor:
    return take(self, index)


def _gather_method(self, dim: int, index, *, sparse_grad: bool = False) -> Tensor:
    return gather(self, dim, index)


def _index_select_method(self, dim: int, index) -> Tensor:
    return index_select(self, dim, index)


def _take_along_dim_method(self, indices, dim: int | None = None) -> Tensor:
    return take_along_dim(self, indices, dim)


# ---- as_strided ----------------------------------------------------------------------------------
def as_strided(input, size, stride, storage_offset=None) -> Tensor:  # noqa: A002
    """``torch.as_strided``: the elements of `input`'s storage at ``storage_offset +
    sum(i[d] * stride[d])`` for each index ``i`` of `size`, as a view.

    Strides and offset count elements of the storage (the tensor `input` is a view of, or
    `input` itself), as in PyTorch; the default offset is ``input.storage_offset()``.  The
    elements must be elements of `input`.
    """
    x = as_tensor_arg(input)
    size = tuple(operator.index(n) for n in size)
    stride = tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(stride)} != {len(size)}")
    if any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise RuntimeError(
            "as_strided: Negative strides are not supported at the moment, got "
            f"strides: {list(stride)}"
        )
    offset = geometry_of(x).offset if storage_offset is None else operator.index(storage_offset)
    wanted = positions(Geometry(size, stride, offset))
    local = local_positions(x, wanted)
    if local is None and x._view is not None and x._view.base is not None:
        # elements of the storage outside x: read them from x's base, which x is a view of
        x = x._view.base
        local = local_positions(x, wanted)
    if local is None:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} "
            "reach beyond the elements of the input's storage"
        )
    return strided_view(x, local, size, stride, offset)


def strided_view(x: Tensor, local, size, stride, offset) -> Tensor:
    """The view of `x` at the flat positions `local` (a NumPy int array of shape `size`) among
    x's elements, whose geometry over x's storage root is (size, stride, offset)."""
    params = {
        "indices": x._backend.asarray(local),
        "size": tuple(size),
        "stride": tuple(stride),
        "storage_offset": offset,
    }
    return apply(_AS_STRIDED, (x,), params)


TENSOR_METHODS: dict = {
    "as_strided": as_strided,
    "take": _take_method,
    "gather": _gather_method,
    "index_select": _index_select_method,
    "take_along_dim": _take_along_dim_method,
}
