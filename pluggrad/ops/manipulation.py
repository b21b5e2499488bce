"""Shape manipulation, dtype conversion, copies and ``where``.

The array API's manipulation functions (``concat``, ``stack``, ``flip``, ``roll``, ``squeeze``,
``tile``, ``repeat``, ``unstack``...) plus PyTorch's spellings (``cat``, ``permute``,
``unsqueeze``, ``transpose``, ``flatten``, ``chunk``, ``split``...).  Note that PyTorch's
``Tensor.repeat`` is the array API's ``tile``, and the array API's ``repeat`` is PyTorch's
``repeat_interleave``: ``pluggrad.repeat`` keeps the array API meaning, the method ``x.repeat``
PyTorch's.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np

from .._core.primitive import apply
from .._core.tensor import Tensor
from .._dtypes import to_dtype
from ._args import SCALAR_TYPES, as_tensor_arg, binary_operands
from ._define import primitive
from .derivatives.manipulation import MAX_ARRAY_INPUTS

__all__ = [
    # the array API standard
    "reshape", "expand_dims", "squeeze", "broadcast_to", "broadcast_arrays", "permute_dims",
    "moveaxis", "flip", "roll", "concat", "stack", "unstack", "tile", "repeat", "astype",
    "clone", "where",
    # PyTorch's spellings
    "cat", "concatenate", "hstack", "vstack", "permute", "movedim", "unsqueeze", "transpose",
    "swapaxes", "swapdims", "t", "flatten", "broadcast_tensors", "repeat_interleave", "narrow",
    "chunk", "split", "unbind", "masked_fill", "diagonal",
]  # fmt: skip

_ARRAY_INPUTS = tuple(f"x{i}" for i in range(MAX_ARRAY_INPUTS))


def _permute(backend, x, axes):
    return backend.xp.permute_dims(x, axes)


def _reshape_forward(backend, x, shape, copy=None):
    out = backend.xp.reshape(x, shape)
    return backend.copy(out) if copy else out


def _squeeze_forward(backend, x, axis):
    # axis: None (every axis of length one), or the axes asked for, of which those of length
    # other than one are kept (PyTorch's rule; the array API's error is raised before)
    axes = (axis,) if isinstance(axis, int) else axis
    shape = tuple(
        n for i, n in enumerate(x.shape) if n != 1 or (axes is not None and i not in axes)
    )
    return backend.xp.reshape(x, shape)


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


_RESHAPE = primitive("reshape", ("x",), forward=_reshape_forward)
_EXPAND_DIMS = primitive("expand_dims", ("x",))
_SQUEEZE = primitive("squeeze", ("x",), forward=_squeeze_forward)
_BROADCAST_TO = primitive("broadcast_to", ("x",))
_PERMUTE_DIMS = primitive("permute_dims", ("x",))
_TRANSPOSE = primitive("transpose", ("x",), forward=_permute)
_T = primitive("t", ("x",), forward=_permute)
_FLIP = primitive("flip", ("x",))
_ROLL = primitive("roll", ("x",))
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
_SPLIT = primitive("split", ("x",), forward=_split_forward, n_outputs=None)
_UNSTACK = primitive("unstack", ("x",), forward=_unstack_forward, n_outputs=None)
_TILE = primitive(
    "tile", ("x",), forward=lambda backend, x, repetitions: backend.xp.tile(x, repetitions)
)
_ASTYPE = primitive("astype", ("x",), forward=lambda backend, x, dtype: backend.xp.astype(x, dtype))
_CLONE = primitive("clone", ("x",), forward=lambda backend, x: backend.copy(x))
_COPY = primitive("copy", ("x",), forward=lambda backend, x: backend.copy(x))
_WHERE = primitive("where", ("condition", "x1", "x2"), elementwise=True)
_MASKED_FILL = primitive("masked_fill", ("x", "mask", "value"), forward=_masked_fill_forward)


# ---- argument helpers ----------------------------------------------------------------------------
def _axis(axis, ndim: int) -> int:
    """`axis` in ``range(ndim)``, or PyTorch's IndexError (a 0-d tensor accepts 0 and -1)."""
    axis = operator.index(axis)
    n = max(ndim, 1)
    if not -n <= axis < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {axis})"
        )
    return axis % n


def _axes(axes, ndim: int, what: str = "dim") -> tuple[int, ...]:
    """A tuple of distinct axes in ``range(ndim)``."""
    if not isinstance(axes, (tuple, list)):
        axes = (axes,)
    out = tuple(_axis(a, ndim) for a in axes)
    for a in out:
        if out.count(a) > 1:
            raise RuntimeError(f"{what} {a} appears multiple times in the list of dims")
    return out


def _pick(array_api, torch, default, names=("axis", "dim")):
    """The array API's keyword or PyTorch's, whichever was given."""
    if array_api is not None and torch is not None:
        raise TypeError(f"pass either {names[0]} or {names[1]}, not both")
    if array_api is not None:
        return array_api
    return default if torch is None else torch


def _sizes(args) -> tuple:
    """``f(2, 3)`` or ``f((2, 3))`` or ``f([2, 3])`` as a tuple."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(operator.index(a) for a in args)


def _tensors(arrays, what: str) -> list[Tensor]:
    if isinstance(arrays, Tensor) or not isinstance(arrays, Sequence):
        raise TypeError(f"{what}() expects a sequence of tensors as its first argument")
    if not arrays:
        raise ValueError(f"{what}(): expected a non-empty list of Tensors")
    first = next((a for a in arrays if isinstance(a, Tensor)), None)
    return [as_tensor_arg(a, like=first) for a in arrays]


# ---- shape ---------------------------------------------------------------------------------------
def reshape(x, /, shape=None, *more, copy: bool | None = None) -> Tensor:
    """The same data with a new shape (one dimension may be -1).

    Accepts the array API's ``reshape(x, (2, 3))`` and PyTorch's ``x.reshape(2, 3)``.
    ``copy=True`` always copies; otherwise the result may share memory with `x`.
    """
    x = as_tensor_arg(x)
    if shape is None:
        raise TypeError("reshape() missing required argument 'shape'")
    shape = _sizes((shape, *more))
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = math.prod(n for n in shape if n != -1)
        if known == 0 or x.numel() % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.numel()}")
        shape = tuple(x.numel() // known if n == -1 else n for n in shape)
    if math.prod(shape) != x.numel() or any(n < 0 for n in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.numel()}")
    params = {"shape": shape, "copy": True} if copy else {"shape": shape}
    return apply(_RESHAPE, (x,), params)


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
    n = x.ndim + 1
    axis = operator.index(axis)
    if not -n <= axis < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {axis})"
        )
    return apply(_EXPAND_DIMS, (x,), {"axis": axis % n})


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """``torch.diagonal``: the `offset`-th diagonal over axes `dim1` and `dim2`, appended as the
    last axis (the standard's ``linalg.diagonal`` takes the last two axes)."""
    from .linalg import _torch_diagonal

    return _torch_diagonal(as_tensor_arg(input), offset, dim1, dim2)


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
    if axis is not None and dim is not None:
        raise TypeError("pass either axis or dim, not both")
    given = axis if dim is None else dim
    if given is None:
        return apply(_SQUEEZE, (x,), {"axis": None})
    if isinstance(given, (tuple, list)):
        normalized = _axes(given, x.ndim)
    else:
        normalized = _axis(given, x.ndim)
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
    start, end = _axis(start_dim, x.ndim), _axis(end_dim, x.ndim)
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
    sizes = _sizes(sizes)
    lead = len(sizes) - self.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({self.ndim})"
        )
    shape = []
    for i, n in enumerate(sizes):
        if n == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            n = self.shape[i - lead]
        shape.append(n)
    return broadcast_to(self, tuple(shape))


def _broadcast_shape(shapes) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        sizes = {s[i - ndim + len(s)] for s in shapes if i - ndim + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise RuntimeError(
                f"shape mismatch: objects cannot be broadcast to a single shape: {list(shapes)}"
            )
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_arrays(*arrays) -> list[Tensor]:
    """The arrays broadcast against each other (a list, as the standard specifies)."""
    tensors = [as_tensor_arg(a) for a in arrays]
    shape = _broadcast_shape([t.shape for t in tensors])
    return [broadcast_to(t, shape) for t in tensors]


def broadcast_tensors(*tensors) -> tuple[Tensor, ...]:
    """``torch.broadcast_tensors``: the tensors broadcast against each other (a tuple)."""
    return tuple(broadcast_arrays(*tensors))


# ---- axis order ------------------------------------------------------------------------------
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
    normalized = tuple(_axis(a, x.ndim) for a in axes)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(_PERMUTE_DIMS, (x,), {"axes": normalized})


def permute(input, dims) -> Tensor:  # noqa: A002
    """``torch.permute(input, dims)`` (``permute_dims``)."""
    return permute_dims(input, dims)


def _permute_method(self, *dims) -> Tensor:
    return permute_dims(self, _sizes(dims))


def _reversed_axes(self) -> Tensor:
    """``x.T``: the axes in reverse order (PyTorch deprecates it for ndim != 2)."""
    return permute_dims(self, tuple(range(self.ndim - 1, -1, -1)))


def moveaxis(x, source, destination, /) -> Tensor:
    """Move the axes `source` to the positions `destination` (the others keep their order)."""
    x = as_tensor_arg(x)
    source = _axes(source, x.ndim) if x.ndim else ()
    destination = _axes(destination, x.ndim) if x.ndim else ()
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
    a, b = _axis(dim0, x.ndim), _axis(dim1, x.ndim)
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
    axis = _pick(axis, dims, None)
    if axis is not None:
        axis = _axes(axis, x.ndim)
    return apply(_FLIP, (x,), {"axis": axis})


def _flip_method(self, *dims, **kwargs) -> Tensor:
    if dims:
        kwargs["dims"] = dims[0] if len(dims) == 1 else dims
    return flip(self, **kwargs)


def roll(x, /, shift=None, dims=None, *, axis=None, shifts=None) -> Tensor:
    """Shift elements along `axis` by `shift`, wrapping around (``torch.roll(input, shifts,
    dims)``); without an axis, `x` is rolled flat and keeps its shape."""
    x = as_tensor_arg(x)
    shift = _pick(shift, shifts, None, ("shift", "shifts"))
    if shift is None:
        raise TypeError("roll() missing required argument 'shift'")
    axis = _pick(axis, dims, None)
    if isinstance(shift, (tuple, list)):
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
    if isinstance(axis, (tuple, list)):
        axis = tuple(_axis(a, x.ndim) for a in axis)
        if not isinstance(shift, tuple):
            shift = (shift,) * len(axis)
    else:
        axis = _axis(axis, x.ndim)
        if isinstance(shift, tuple):
            axis = (axis,)
    if isinstance(shift, tuple) and len(shift) != len(axis):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shift)}, dims:{len(axis)}"
        )
    return apply(_ROLL, (x,), {"shift": shift, "axis": axis})


def _roll_method(self, shifts, dims=None) -> Tensor:
    return roll(self, shifts, dims)


# ---- joining and splitting --------------------------------------------------------------------
def concat(arrays, /, *, axis: int | None = 0, dim: int | None = None) -> Tensor:
    """Join arrays along an existing axis (with ``axis=None``, the flattened arrays).

    Dtypes are promoted as for arithmetic.  ``dim`` is PyTorch's spelling.
    """
    tensors = _tensors(arrays, "concat")
    if dim is not None:
        axis = dim
    if axis is None:
        tensors = [reshape(t, (-1,)) for t in tensors]
        axis = 0
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    first = tensors[0]
    axis = _axis(axis, first.ndim)
    for i, t in enumerate(tensors[1:], 1):
        if t.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}"
            )
        for d, (n, m) in enumerate(zip(first.shape, t.shape)):
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
    sizes = tuple(t.shape[axis] for t in tensors)
    return apply(_CONCAT, tuple(tensors), {"axis": axis, "sizes": sizes})


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """``torch.cat``: join tensors along the existing axis `dim` (``concat``)."""
    return concat(tensors, axis=dim if axis is None else axis)


def concatenate(tensors, axis: int = 0) -> Tensor:
    """``torch.concatenate`` (``concat``)."""
    return concat(tensors, axis=axis)


def stack(arrays, /, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Join arrays of one shape along a new axis `axis` (``torch.stack(tensors, dim)``)."""
    tensors = _tensors(arrays, "stack")
    axis = _pick(axis, dim, 0)
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                f"entry 0 and {list(t.shape)} at entry {i}"
            )
    n = first.ndim + 1
    axis = operator.index(axis)
    if not -n <= axis < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {axis})"
        )
    axis %= n
    if len(tensors) > MAX_ARRAY_INPUTS:
        return concat([expand_dims(t, axis=axis) for t in tensors], axis=axis)
    return apply(_STACK, tuple(tensors), {"axis": axis})


def hstack(tensors) -> Tensor:
    """``torch.hstack``: join along axis 1, or axis 0 for 1-d (and 0-d) tensors."""
    tensors = [reshape(t, (1,)) if t.ndim == 0 else t for t in _tensors(tensors, "hstack")]
    return concat(tensors, axis=0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """``torch.vstack``: join along axis 0, after making 0-d and 1-d tensors rows."""
    rows = []
    for t in _tensors(tensors, "vstack"):
        rows.append(reshape(t, (1, t.numel())) if t.ndim < 2 else t)
    return concat(rows, axis=0)


def _split_sizes(x: Tensor, sizes: tuple[int, ...], axis: int, with_sizes: bool):
    return apply(_SPLIT, (x,), {"axis": axis, "sizes": sizes, "with_sizes": with_sizes})


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: pieces of `split_size` along `dim` (the last may be shorter), or pieces
    of the given sizes when a list is passed."""
    x = as_tensor_arg(tensor)
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    axis = _axis(dim, x.ndim)
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
    axis = _axis(dim, x.ndim)
    n = x.shape[axis]
    if n == 0:
        return _split_sizes(x, (0,) * chunks, axis, False)
    return split(x, -(-n // chunks), axis)


def unstack(x, /, *, axis: int = 0) -> tuple[Tensor, ...]:
    """The slices of `x` along `axis`, as a tuple (``torch.unbind``)."""
    x = as_tensor_arg(x)
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    axis = _axis(axis, x.ndim)
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
    axis = _axis(dim, x.ndim)
    n = x.shape[axis]
    start, length = operator.index(start), operator.index(length)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start %= n if n else 1
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    from .indexing import getitem

    return getitem(x, (slice(None),) * axis + (slice(start, start + length), Ellipsis))


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
    sizes = _sizes(sizes)
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
        _axis(0 if axis is None else axis, x.ndim)
        x = reshape(x, (-1,))
        axis = 0
    axis = _axis(axis, x.ndim)
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
        return reshape(broadcast_to(expanded, shape), merged)
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
    from .creation import tensor
    from .indexing import take

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
        from .creation import tensor

        positions = tensor(np.arange(counts.shape[0]), backend=counts._backend)
        return repeat(positions, counts, axis=0)
    out = repeat(input, repeats, axis=dim)
    if output_size is not None and out.shape[dim or 0] != output_size:
        raise RuntimeError("repeat_interleave: output_size does not match the repeats")
    return out


# ---- dtype conversion, copies, selection --------------------------------------------------------
def astype(x, dtype, /, *, copy: bool = True, device=None) -> Tensor:
    """`x` converted to `dtype` (differentiable between floating and complex dtypes)."""
    x = as_tensor_arg(x)
    dtype = to_dtype(dtype)
    if dtype is x.dtype and not copy:
        return x
    return apply(_ASTYPE, (x,), {"dtype": x._backend.to_native[dtype]})


def clone(x, /) -> Tensor:
    """A copy of `x` that stays in the graph (``CloneBackward0``)."""
    return apply(_CLONE, (as_tensor_arg(x),))


def accumulation_copy(x: Tensor) -> Tensor:
    """The copy AccumulateGrad stores as a first ``.grad`` under ``create_graph=True``."""
    return apply(_COPY, (x,))


def where(condition, x1, x2, /) -> Tensor:
    """Elements of `x1` where `condition` is true, else of `x2`."""
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
    from .creation import tensor

    return tensor(value, dtype=other.dtype, backend=other._backend)


def masked_fill(input, mask, value) -> Tensor:  # noqa: A002
    """``torch.masked_fill``: `input` with `value` where `mask` (broadcast to it) is true.

    `value` is a Python number (cast to `input`'s dtype) or a 0-d tensor (differentiable).
    """
    x = as_tensor_arg(input)
    mask = as_tensor_arg(mask, like=x)
    if mask.dtype.kind != "b":
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype.name}"
        )
    if _broadcast_shape([x.shape, mask.shape]) != tuple(x.shape):
        raise RuntimeError(
            f"masked_fill: the mask of shape {list(mask.shape)} does not broadcast to the "
            f"input's shape {list(x.shape)}"
        )
    if isinstance(value, SCALAR_TYPES):
        kind = x.dtype.kind
        value = bool(value) if kind == "b" else int(value) if kind in "iu" else value
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


def _view(x, *shape):
    return reshape(x, *shape)


def _expand_as(self, other) -> Tensor:
    return _expand(self, *other.shape)


def _squeeze_method(self, dim=None) -> Tensor:
    return squeeze(self, dim=dim) if dim is not None else squeeze(self)


def _flatten_method(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return flatten(self, start_dim, end_dim)


def _chunk_method(self, chunks: int, dim: int = 0):
    return chunk(self, chunks, dim)


def _split_method(self, split_size, dim: int = 0):
    return split(self, split_size, dim)


def _unbind_method(self, dim: int = 0):
    return unbind(self, dim)


def _tile_method(self, *dims) -> Tensor:
    return tile(self, _sizes(dims))


def _repeat_interleave_method(self, repeats=None, dim=None, *, output_size=None) -> Tensor:
    if repeats is None:
        return repeat_interleave(self)
    return repeat_interleave(self, repeats, dim, output_size=output_size)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {
    "reshape": reshape,
    "view": _view,
    "clone": clone,
    "astype": astype,
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
    "chunk": _chunk_method,
    "split": _split_method,
    "unbind": _unbind_method,
    "narrow": narrow,
    "tile": _tile_method,
    "repeat": _repeat_method,
    "repeat_interleave": _repeat_interleave_method,
    "masked_fill": masked_fill,
}
