"""Shapes and axis order: ``reshape``, ``expand_dims``, ``squeeze``, ``broadcast_to``,
``permute_dims``, ``flip``, ``roll``... (exported by :mod:`pluggrad.ops.manipulation`) and the
matrix diagonal of the ``linalg`` extension (exported by :mod:`pluggrad.ops.linalg`).

These are the building blocks of the other topics: creation, indexing, manipulation and linalg
reshape, broadcast and reorder axes through them.
"""

from __future__ import annotations

import math
import operator

from .._core.primitive import apply
from .._core.size import BroadcastError, broadcast_mismatch
from .._core.tensor import Size, Tensor
from ._args import as_tensor_arg, merge_axis, normalize_axes, normalize_axis, size_args
from ._convert import clone
from ._define import linalg_kernel, primitive
from ._views import (
    broadcast_view,
    diagonal_view,
    expand_dims_view,
    permute_view,
    reshape_view,
    squeeze_view,
    view_strides,
)

__all__ = [
    "reshape", "expand_dims", "squeeze", "broadcast_to", "broadcast_arrays", "permute_dims",
    "moveaxis", "flip", "roll", "permute", "movedim", "unsqueeze", "transpose", "swapaxes",
    "swapdims", "t", "flatten", "broadcast_tensors", "broadcast_shapes",
]  # fmt: skip


def _permute(backend, x, axes):
    return backend.xp.permute_dims(x, axes)


def _reshape_forward(backend, x, shape, copy=None):
    # copy: True (asked for), "cloned" (x is a clone made because no view could express the
    # new shape: PyTorch's _unsafe_view), or None (a view)
    out = backend.xp.reshape(x, shape)
    return backend.copy(out) if copy is True else out


def _squeeze_forward(backend, x, axis):
    # axis: None (every axis of length one), or the axes asked for, of which those of length
    # other than one are kept (PyTorch's rule; the array API's error is raised before)
    axes = (axis,) if isinstance(axis, int) else axis
    shape = tuple(
        n for i, n in enumerate(x.shape) if n != 1 or (axes is not None and i not in axes)
    )
    return backend.xp.reshape(x, shape)


_RESHAPE = primitive("reshape", ("x",), forward=_reshape_forward, view=reshape_view)
_EXPAND_DIMS = primitive("expand_dims", ("x",), view=expand_dims_view)
_SQUEEZE = primitive("squeeze", ("x",), forward=_squeeze_forward, view=squeeze_view)
_BROADCAST_TO = primitive("broadcast_to", ("x",), view=broadcast_view)
_PERMUTE_DIMS = primitive("permute_dims", ("x",), view=permute_view)
_TRANSPOSE = primitive("transpose", ("x",), forward=_permute, view=permute_view)
_T = primitive("t", ("x",), forward=_permute, view=permute_view)
_FLIP = primitive("flip", ("x",))
_ROLL = primitive("roll", ("x",))
_DIAGONAL = primitive("diagonal", ("x",), forward=linalg_kernel("diagonal"), view=diagonal_view)


# ---- shape ---------------------------------------------------------------------------------------
def _target_shape(x: Tensor, shape, more: tuple) -> tuple[int, ...]:
    """The shape asked of ``reshape``/``view`` (``(2, 3)`` or ``2, 3``, one -1 inferred)."""
    if shape is None:
        raise TypeError("reshape() missing required argument 'shape'")
    shape = size_args((shape, *more))
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = math.prod(n for n in shape if n != -1)
        if known == 0 or x.numel() % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.numel()}")
        shape = tuple(x.numel() // known if n == -1 else n for n in shape)
    if math.prod(shape) != x.numel() or any(n < 0 for n in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.numel()}")
    return shape


def _is_viewable(x: Tensor, shape: tuple[int, ...]) -> bool:
    """Whether ``x.view(shape)`` can share x's elements (PyTorch's stride rule)."""
    if x._view is None:  # contiguous
        return True
    g = x._view.geometry()
    return view_strides(g.shape, g.strides, shape) is not None


def reshape(x, /, shape=None, *more, copy: bool | None = None) -> Tensor:
    """The same data with a new shape (one dimension may be -1).

    Accepts the array API's ``reshape(x, (2, 3))`` and PyTorch's ``x.reshape(2, 3)``.  As in
    PyTorch, the result is a view of `x` when strides can express it, else a copy
    (``x.t().reshape(-1)``); ``copy=True`` always copies.
    """
    x = as_tensor_arg(x)
    shape = _target_shape(x, shape, more)
    if copy:
        return apply(_RESHAPE, (x,), {"shape": shape, "copy": True})
    if not _is_viewable(x, shape):  # a contiguous copy, reshaped (PyTorch's _unsafe_view)
        return apply(_RESHAPE, (clone(x),), {"shape": shape, "copy": "cloned"})
    return apply(_RESHAPE, (x,), {"shape": shape})


VIEW_ERROR = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)


def view(x, /, shape=None, *more) -> Tensor:
    """``Tensor.view(*shape)``: the same elements with a new shape, always a view of `x`
    (PyTorch's error where strides cannot express it: ``reshape`` copies there)."""
    x = as_tensor_arg(x)
    shape = _target_shape(x, shape, more)
    if not _is_viewable(x, shape):
        raise RuntimeError(VIEW_ERROR)
    return apply(_RESHAPE, (x,), {"shape": shape})


def expand_dims(x, /, axis: int | tuple[int, ...] = 0) -> Tensor:
    """Insert an axis of length one at position `axis` (in ``[-x.ndim - 1, x.ndim]``); a tuple
    of axes names positions in the result (``[-x.ndim - len(axis), x.ndim + len(axis))``)."""
    x = as_tensor_arg(x)
    if isinstance(axis, tuple):
        n = x.ndim + len(axis)
        axes = [operator.index(a) for a in axis]
        if any(not -n <= a < n for a in axes):
            raise IndexError(f"axis {axis} out of range for a result of {n} dimensions")
        axes = sorted(a % n for a in axes)
        if len(set(axes)) != len(axes):
            raise ValueError(f"repeated axis in {axis}")
        for a in axes:
            x = apply(_EXPAND_DIMS, (x,), {"axis": a})
        return x
    return apply(_EXPAND_DIMS, (x,), {"axis": normalize_axis(axis, x.ndim + 1)})


def unsqueeze(input, dim: int) -> Tensor:  # noqa: A002 - PyTorch's parameter names
    """``torch.unsqueeze``: insert an axis of length one at `dim` (``expand_dims``)."""
    return expand_dims(input, axis=dim)


def squeeze(x, /, axis=None, *, dim=None) -> Tensor:
    """Remove axes of length one.

    With the array API's `axis` (an int or a tuple) every named axis must have length one
    (ValueError otherwise); with PyTorch's `dim`, named axes of other lengths are left alone;
    with neither, every axis of length one goes (``torch.squeeze(x)``).
    """
    x = as_tensor_arg(x)
    given = merge_axis(axis, dim)
    if given is None:
        return apply(_SQUEEZE, (x,), {"axis": None})
    normalized: int | tuple[int, ...]
    if isinstance(given, tuple):
        normalized = normalize_axes(given, x.ndim)
    else:
        normalized = normalize_axis(given, x.ndim)
    if dim is None:
        for a in (normalized,) if isinstance(normalized, int) else normalized:
            if x.ndim and x.shape[a] != 1:
                raise ValueError(
                    f"squeeze: axis {a} has length {x.shape[a]}; only axes of length one can "
                    "be removed"
                )
    return apply(_SQUEEZE, (x,), {"axis": normalized})


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """``torch.flatten``: merge the axes `start_dim` to `end_dim` into one."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = normalize_axis(start_dim, x.ndim), normalize_axis(end_dim, x.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return x
    shape = x.shape[:start] + (math.prod(x.shape[start : end + 1]),) + x.shape[end + 1 :]
    return reshape(x, shape)


def broadcast_to(x, /, shape) -> Tensor:
    """Broadcast `x` to `shape` (the backward sums the gradient back)."""
    x = as_tensor_arg(x)
    shape = tuple(operator.index(n) for n in shape)
    if len(shape) < x.ndim:
        raise RuntimeError(
            f"the number of sizes provided ({len(shape)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({x.ndim})"
        )
    lead = len(shape) - x.ndim
    for i, (n, m) in enumerate(zip(x.shape, shape[lead:])):
        if n != m and n != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({m}) must match the existing size ({n}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {list(shape)}.  Tensor "
                f"sizes: {list(x.shape)}"
            )
    return apply(_BROADCAST_TO, (x,), {"shape": shape})


def _expand(self, *sizes) -> Tensor:
    """``Tensor.expand``: broadcast to `sizes`, where -1 keeps an existing axis."""
    target = size_args(sizes)
    lead = len(target) - self.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(target)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({self.ndim})"
        )
    shape = []
    for i, n in enumerate(target):
        if n == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            n = self.shape[i - lead]
        shape.append(n)
    return broadcast_to(self, tuple(shape))


def broadcast_shape(shapes) -> tuple[int, ...]:
    """The shape that `shapes` broadcast to (:class:`BroadcastError`, with PyTorch's message,
    if they do not)."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        lengths = {s[i - ndim + len(s)] for s in shapes if i - ndim + len(s) >= 0} - {1}
        if len(lengths) > 1:
            raise broadcast_mismatch([tuple(s) for s in shapes]) or BroadcastError(shapes)
        out.append(lengths.pop() if lengths else 1)
    return tuple(out)


def broadcast_shapes(*shapes) -> Size:
    """The shape that `shapes` (sequences of ints, or ints for 1-D shapes) broadcast to, as
    ``torch.broadcast_shapes`` and the standard's ``broadcast_shapes``; an error that is both
    PyTorch's RuntimeError and the standard's ValueError if they do not broadcast."""
    as_tuples = [(s,) if isinstance(s, int) else tuple(int(n) for n in s) for s in shapes]
    return Size(broadcast_shape(as_tuples))


def broadcast_arrays(*arrays) -> tuple[Tensor, ...]:
    """The arrays broadcast against each other (a tuple, as PyTorch and the standard since
    2025.12 have it)."""
    tensors = [as_tensor_arg(a) for a in arrays]
    shape = broadcast_shape([t.shape for t in tensors])
    return tuple(broadcast_to(t, shape) for t in tensors)


def broadcast_tensors(*tensors) -> tuple[Tensor, ...]:
    """``torch.broadcast_tensors``: the tensors broadcast against each other (a tuple).

    A tensor that already has the common shape comes back itself, not a view of it (PyTorch's
    ``expand_outplace``): ``Normal(loc, scale).mean`` is the leaf ``loc``, without a graph node.
    """
    given = [as_tensor_arg(t) for t in tensors]
    shape = broadcast_shape([t.shape for t in given])
    return tuple(t if tuple(t.shape) == shape else broadcast_to(t, shape) for t in given)


# ---- axis order ----------------------------------------------------------------------------------
def permute_dims(x, /, axes) -> Tensor:
    """Reorder the axes of `x`: axis ``i`` of the result is axis ``axes[i]`` of `x`."""
    x = as_tensor_arg(x)
    axes = tuple(operator.index(a) for a in axes)
    if len(axes) != x.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{x.ndim} is not equal to len(dims) = {len(axes)}"
        )
    normalized = tuple(normalize_axis(a, x.ndim) for a in axes)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(_PERMUTE_DIMS, (x,), {"axes": normalized})


def permute(input, dims) -> Tensor:  # noqa: A002
    """``torch.permute(input, dims)`` (``permute_dims``)."""
    return permute_dims(input, dims)


def _permute_method(self, *dims) -> Tensor:
    return permute_dims(self, size_args(dims))


def _reversed_axes(self) -> Tensor:
    """``x.T``: the axes in reverse order (PyTorch deprecates it for ndim != 2)."""
    return permute_dims(self, tuple(range(self.ndim - 1, -1, -1)))


def moveaxis(x, source, destination, /) -> Tensor:
    """Move the axes `source` to the positions `destination` (the others keep their order)."""
    x = as_tensor_arg(x)
    source = normalize_axes(source, x.ndim) if x.ndim else ()
    destination = normalize_axes(destination, x.ndim) if x.ndim else ()
    if len(source) != len(destination):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(source)} dims) should contain the same number of dims as destination "
            f"({list(destination)} dims)"
        )
    rest = iter(a for a in range(x.ndim) if a not in source)
    moved = dict(zip(destination, source))
    order = tuple(moved[i] if i in moved else next(rest) for i in range(x.ndim))
    return permute_dims(x, order)


def movedim(input, source, destination) -> Tensor:  # noqa: A002
    """``torch.movedim`` (``moveaxis``)."""
    return moveaxis(input, source, destination)


def transpose(input, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """``torch.transpose``: swap the axes `dim0` and `dim1`."""
    x = as_tensor_arg(input)
    a, b = normalize_axis(dim0, x.ndim), normalize_axis(dim1, x.ndim)
    axes = list(range(x.ndim))
    if x.ndim:
        axes[a], axes[b] = axes[b], axes[a]
    return apply(_TRANSPOSE, (x,), {"axes": tuple(axes)})


def swapaxes(input, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    """``torch.swapaxes`` (``transpose``)."""
    return transpose(input, axis0, axis1)


def swapdims(input, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """``torch.swapdims`` (``transpose``)."""
    return transpose(input, dim0, dim1)


def t(input) -> Tensor:  # noqa: A002
    """``torch.t``: transpose a matrix; 0-d and 1-d tensors come back as they are."""
    x = as_tensor_arg(input)
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return apply(_T, (x,), {"axes": tuple(range(x.ndim - 1, -1, -1))})


def flip(x, /, dims=None, *, axis=None) -> Tensor:
    """Reverse the order of elements along `axis` (all axes by default; ``dims`` is PyTorch's
    spelling)."""
    x = as_tensor_arg(x)
    axis = merge_axis(axis, dims)
    if axis is not None:
        axis = normalize_axes(axis, x.ndim)
    return apply(_FLIP, (x,), {"axis": axis})


def _flip_method(self, *dims, **kwargs) -> Tensor:
    if dims:
        kwargs["dims"] = dims[0] if len(dims) == 1 else dims
    return flip(self, **kwargs)


def roll(x, /, shift=None, dims=None, *, axis=None, shifts=None) -> Tensor:
    """Shift elements along `axis` by `shift`, wrapping around (``torch.roll(input, shifts,
    dims)``); without an axis, `x` is rolled flat and keeps its shape."""
    x = as_tensor_arg(x)
    shift = merge_axis(shift, shifts, names=("shift", "shifts"))
    if shift is None:
        raise TypeError("roll() missing required argument 'shift'")
    axis = merge_axis(axis, dims)
    if isinstance(shift, tuple):
        shift = tuple(operator.index(s) for s in shift)
    else:
        shift = operator.index(shift)
    if axis is None:
        if isinstance(shift, tuple):
            if len(shift) != 1:
                raise RuntimeError(
                    f"shifts and dimensions must align. shifts: {len(shift)}, dims:0"
                )
            shift = shift[0]
        return apply(_ROLL, (x,), {"shift": shift, "axis": None})
    if isinstance(axis, tuple):
        axis = tuple(normalize_axis(a, x.ndim) for a in axis)
        if not isinstance(shift, tuple):
            shift = (shift,) * len(axis)
    else:
        axis = normalize_axis(axis, x.ndim)
        if isinstance(shift, tuple):
            axis = (axis,)
    if isinstance(shift, tuple) and len(shift) != len(axis):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shift)}, dims:{len(axis)}"
        )
    return apply(_ROLL, (x,), {"shift": shift, "axis": axis})


def _roll_method(self, shifts, dims=None) -> Tensor:
    return roll(self, shifts, dims)


# ---- matrix diagonals ----------------------------------------------------------------------------
def diagonal(x, /, *, offset: int = 0) -> Tensor:
    """The `offset`-th diagonals of the matrices in `x` (over the last two axes)."""
    x = as_tensor_arg(x)
    if x.ndim < 2:
        raise ValueError("diagonal requires at least 2 dimensions")
    return apply(_DIAGONAL, (x,), {"offset": int(offset)})


def _expand_as(self, other) -> Tensor:
    return _expand(self, *other.shape)


def _squeeze_method(self, dim=None) -> Tensor:
    return squeeze(self, dim=dim) if dim is not None else squeeze(self)


def _flatten_method(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return flatten(self, start_dim, end_dim)


TENSOR_METHODS: dict = {
    "reshape": reshape,
    "view": view,
    "squeeze": _squeeze_method,
    "unsqueeze": unsqueeze,
    "flatten": _flatten_method,
    "expand": _expand,
    "expand_as": _expand_as,
    "broadcast_to": broadcast_to,
    "permute": _permute_method,
    "movedim": movedim,
    "moveaxis": movedim,
    "transpose": transpose,
    "swapaxes": swapaxes,
    "swapdims": swapdims,
    "t": t,
    "T": property(_reversed_axes, doc="The tensor with its axes in reverse order."),
    "flip": _flip_method,
    "roll": _roll_method,
}
