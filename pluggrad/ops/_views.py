"""The geometry of PyTorch's view operations: how each one's output sits in its input's
storage (sizes, strides, storage offset), as in PyTorch.

Each ``*_view`` function is a primitive's ``view`` step, ``step(geometry, params, index)``,
given the input's :class:`~pluggrad._core.views.Geometry`, the call's parameters and which
output (for ``split`` and ``unstack``); :func:`view_strides` is PyTorch's rule for when a
``reshape`` can be a view.
"""

from __future__ import annotations

import itertools
import weakref

from .._core.tensor import Tensor
from .._core.views import Geometry, contiguous_strides, geometry_of, is_contiguous
from .._dtypes import shown_as
from ._args import normalize_axis
from ._convert import clone

__all__ = [
    "index_view", "permute_view", "reshape_view", "squeeze_view", "expand_dims_view",
    "broadcast_view", "diagonal_view", "split_view", "unstack_view", "real_view", "imag_view",
    "as_strided_view", "view_strides", "is_basic_key", "matrix_transpose_view",
]  # fmt: skip


def is_basic_key(key) -> bool:
    """True for a key of integers, slices, ``...`` and None only (``x[key]`` is a view)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or p is Ellipsis or isinstance(p, slice) or type(p) is int for p in parts)


def _inserted_stride(shape, strides, d: int) -> int:
    """The stride PyTorch gives a new axis of length one inserted before axis `d`."""
    return shape[d] * strides[d] if d < len(shape) else 1


def index_view(g: Geometry, params: dict, index: int) -> Geometry:
    """``x[key]`` with a key of integers, slices, ``...`` and None (completed to name every
    axis, see ``indexing._complete``)."""
    key = params["key"]
    parts = key if isinstance(key, tuple) else (key,)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    shape, strides, offset = [], [], g.offset
    d = 0
    for p in parts:
        if p is None:
            shape.append(1)
            strides.append(_inserted_stride(g.shape, g.strides, d))
        elif p is Ellipsis:
            for _ in range(len(g.shape) - consumed):
                shape.append(g.shape[d])
                strides.append(g.strides[d])
                d += 1
        elif isinstance(p, slice):
            start, stop, step = p.indices(g.shape[d])
            n = len(range(start, stop, step))
            if n:
                offset += start * g.strides[d]
            shape.append(n)
            strides.append(step * g.strides[d])
            d += 1
        else:
            offset += (p % g.shape[d]) * g.strides[d]
            d += 1
    return Geometry(tuple(shape), tuple(strides), offset, g.part)


def permute_view(g: Geometry, params: dict, index: int) -> Geometry:
    axes = params["axes"]
    return Geometry(
        tuple(g.shape[a] for a in axes), tuple(g.strides[a] for a in axes), g.offset, g.part
    )


def view_strides(shape, strides, new_shape) -> tuple[int, ...] | None:
    """The strides of ``x.view(new_shape)`` for `x` of `shape` and `strides`, or None when no
    strides can express it (``x.t().view(-1)``): PyTorch's ``computeStride``."""
    shape, strides, new_shape = tuple(shape), tuple(strides), tuple(new_shape)
    if not shape:
        return (1,) * len(new_shape)
    numel = 1
    for n in shape:
        numel *= n
    if numel == 0:
        return strides if shape == new_shape else contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[tensor_d]
        if tensor_d == 0 or (
            shape[tensor_d - 1] != 1 and strides[tensor_d - 1] != tensor_numel * chunk_base_stride
        ):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def reshape_view(g: Geometry, params: dict, index: int) -> Geometry:
    shape = tuple(params["shape"])
    strides = view_strides(g.shape, g.strides, shape)
    if strides is None:  # reshape() copies first (the caller's job); this is not a view
        raise AssertionError("reshape_view of a shape that needs a copy")
    return Geometry(shape, strides, g.offset, g.part)


def matrix_transpose_view(g: Geometry, params: dict, index: int) -> Geometry:
    axes = (*range(len(g.shape) - 2), len(g.shape) - 1, len(g.shape) - 2)
    return permute_view(g, {"axes": axes}, index)


def squeeze_view(g: Geometry, params: dict, index: int) -> Geometry:
    axis = params["axis"]
    axes = (axis,) if isinstance(axis, int) else axis
    kept = [d for d, n in enumerate(g.shape) if n != 1 or (axes is not None and d not in axes)]
    return Geometry(
        tuple(g.shape[d] for d in kept), tuple(g.strides[d] for d in kept), g.offset, g.part
    )


def expand_dims_view(g: Geometry, params: dict, index: int) -> Geometry:
    d = params["axis"]
    shape, strides = list(g.shape), list(g.strides)
    stride = _inserted_stride(g.shape, g.strides, d)
    shape.insert(d, 1)
    strides.insert(d, stride)
    return Geometry(tuple(shape), tuple(strides), g.offset, g.part)


def broadcast_view(g: Geometry, params: dict, index: int) -> Geometry:
    """``expand``: stride 0 along the axes that grow (PyTorch's ``inferExpandGeometry``)."""
    shape = tuple(params["shape"])
    lead = len(shape) - len(g.shape)
    strides = [0] * len(shape)
    for i in range(len(shape) - 1, -1, -1):
        d = i - lead
        if d >= 0:
            size, stride = g.shape[d], g.strides[d]
        else:
            size, stride = 1, (shape[i + 1] * strides[i + 1] if i + 1 < len(shape) else 1)
        strides[i] = 0 if size != shape[i] else stride
    return Geometry(shape, tuple(strides), g.offset, g.part)


def diagonal_view(g: Geometry, params: dict, index: int) -> Geometry:
    """The `offset`-th diagonal over the last two axes, as the new last axis."""
    offset = params["offset"]
    rows, cols = g.shape[-2:]
    row_stride, col_stride = g.strides[-2:]
    if offset >= 0:
        n = max(min(rows, cols - offset), 0)
        start = offset * col_stride
    else:
        n = max(min(rows + offset, cols), 0)
        start = -offset * row_stride
    return Geometry(
        g.shape[:-2] + (n,),
        g.strides[:-2] + (row_stride + col_stride,),
        g.offset + (start if n else 0),
        g.part,
    )


def split_view(g: Geometry, params: dict, index: int) -> Geometry:
    axis, sizes = params["axis"], params["sizes"]
    start = sum(sizes[:index])
    key = (slice(None),) * axis + (slice(start, start + sizes[index]), Ellipsis)
    return index_view(g, {"key": key}, 0)


def unstack_view(g: Geometry, params: dict, index: int) -> Geometry:
    key = (slice(None),) * params["axis"] + (index, Ellipsis)
    return index_view(g, {"key": key}, 0)


def real_view(g: Geometry, params: dict, index: int) -> Geometry:
    return g._replace(part="real")


def imag_view(g: Geometry, params: dict, index: int) -> Geometry:
    return g._replace(part="imag")


def as_strided_view(g: Geometry, params: dict, index: int) -> Geometry:
    """``as_strided(x, size, stride, storage_offset)``: the geometry asked for, over the storage
    root's elements (as in PyTorch, where strides count in the storage)."""
    return Geometry(
        tuple(params["size"]), tuple(params["stride"]), params["storage_offset"], g.part
    )


# ---- strides and storage, as Tensor methods ------------------------------------------------------
# id(root) -> (weak reference to the root, the synthetic address of its storage)
_STORAGE_BASES: dict[int, tuple[weakref.ref, int]] = {}
_NEXT_STORAGE = itertools.count(1)


def _root(t: Tensor) -> Tensor:
    return t if t._view is None else t._view.root


def _stride(self, dim: int | None = None):
    """PyTorch's strides: how many elements of the storage one step along each axis moves
    (``x.t().stride()`` is ``(1, n)``)."""
    strides = geometry_of(self).strides
    if dim is None:
        return strides
    return strides[normalize_axis(dim, self.ndim)]


def _storage_offset(self) -> int:
    """The position of the first element in the storage (``x[1].storage_offset()``)."""
    return geometry_of(self).offset


def _is_contiguous(self, memory_format=None) -> bool:
    """Whether the elements sit in the storage in row-major order without gaps."""
    return is_contiguous(geometry_of(self))


def _contiguous(self, memory_format=None) -> Tensor:
    """The tensor itself if it is contiguous, else a contiguous copy (``CloneBackward0``)."""
    return self if is_contiguous(geometry_of(self)) else clone(self)


def _data_ptr(self) -> int:
    """An address of the first element, equal for tensors that start at the same element of
    the same storage.  Synthetic (an arrays' memory is the backend's and JAX's moves on each
    write): use it to compare tensors, not to read memory."""
    root = _root(self)
    known = _STORAGE_BASES.get(id(root))
    if known is not None and known[0]() is root:
        base = known[1]
    else:
        key = id(root)
        base = next(_NEXT_STORAGE) << 40
        _STORAGE_BASES[key] = (weakref.ref(root, lambda _: _STORAGE_BASES.pop(key, None)), base)
    return base + geometry_of(self).offset * self.dtype.itemsize


class UntypedStorage:
    """The storage a tensor's elements live in (``x.untyped_storage()``): its size in bytes
    and its address (:meth:`Tensor.data_ptr` of its first element)."""

    __slots__ = ("_root",)

    def __init__(self, root: Tensor):
        self._root = root

    def nbytes(self) -> int:
        return self._root.numel() * self._root.dtype.itemsize

    size = nbytes
    __len__ = nbytes

    def data_ptr(self) -> int:
        return _data_ptr(self._root)

    def element_size(self) -> int:
        return 1

    def __repr__(self) -> str:
        return f"{shown_as()}.UntypedStorage(nbytes={self.nbytes()})"


def _untyped_storage(self) -> UntypedStorage:
    """The storage of the tensor's elements, shared with its views and its base."""
    return UntypedStorage(_root(self))


def _element_size(self) -> int:
    """The size of one element in bytes."""
    return self.dtype.itemsize


def _dim_order(self) -> tuple[int, ...]:
    """The axes from the outermost to the innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(range(self.ndim), key=lambda d: (-strides[d], d)))


def _is_set_to(self, other) -> bool:
    """Whether both tensors see the same elements of the same storage, in the same layout."""
    return (
        _root(self) is _root(other)
        and geometry_of(self) == geometry_of(other)
        and self.dtype is other.dtype
    )


TENSOR_METHODS: dict = {
    "dim_order": _dim_order,
    "is_set_to": _is_set_to,
    "const_data_ptr": lambda self: _data_ptr(self),
    "stride": _stride,
    "storage_offset": _storage_offset,
    "is_contiguous": _is_contiguous,
    "contiguous": _contiguous,
    "data_ptr": _data_ptr,
    "untyped_storage": _untyped_storage,
    "element_size": _element_size,
}
