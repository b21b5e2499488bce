"""Shape manipulation, dtype conversion, copies and ``where``."""

from __future__ import annotations

import math

from .._dtypes import to_dtype
from .._tensor import Tensor
from ._args import as_tensor_arg, binary_operands
from ._primitive import Primitive, apply

__all__ = [
    "reshape", "expand_dims", "broadcast_to", "permute_dims", "astype", "clone", "where",
]  # fmt: skip

_RESHAPE = Primitive("reshape", ("x",))
_EXPAND_DIMS = Primitive("expand_dims", ("x",))
_BROADCAST_TO = Primitive("broadcast_to", ("x",))
_PERMUTE_DIMS = Primitive("permute_dims", ("x",))
_ASTYPE = Primitive("astype", ("x",), forward=lambda backend, x, dtype: backend.xp.astype(x, dtype))
_CLONE = Primitive("clone", ("x",), forward=lambda backend, x: backend.copy(x))
_COPY = Primitive("copy", ("x",), forward=lambda backend, x: backend.copy(x))
_WHERE = Primitive("where", ("condition", "x1", "x2"), elementwise=True)


def _shape_arg(shape) -> tuple[int, ...]:
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def reshape(x, /, *shape, copy=None) -> Tensor:
    """The same data with a new shape (one dimension may be -1).

    Accepts ``reshape(x, (2, 3))`` and PyTorch's ``x.reshape(2, 3)``.
    """
    x = as_tensor_arg(x)
    shape = _shape_arg(shape)
    if -1 in shape:
        known = math.prod(n for n in shape if n != -1)
        shape = tuple(x.numel() // known if n == -1 and known else n for n in shape)
    if math.prod(shape) != x.numel():
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.numel()}")
    return apply(_RESHAPE, (x,), {"shape": shape})


def expand_dims(x, /, *, axis: int = 0) -> Tensor:
    """Insert an axis of length one at position `axis`."""
    return apply(_EXPAND_DIMS, (as_tensor_arg(x),), {"axis": axis})


def broadcast_to(x, /, shape) -> Tensor:
    """Broadcast `x` to `shape` (the backward sums the gradient back)."""
    return apply(_BROADCAST_TO, (as_tensor_arg(x),), {"shape": tuple(shape)})


def permute_dims(x, /, axes) -> Tensor:
    """Reorder the axes of `x`."""
    return apply(_PERMUTE_DIMS, (as_tensor_arg(x),), {"axes": tuple(axes)})


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


def _accumulation_copy(x: Tensor) -> Tensor:
    """The copy AccumulateGrad stores as a first ``.grad`` under ``create_graph=True``."""
    return apply(_COPY, (x,))


def where(condition, x1, x2, /) -> Tensor:
    """Elements of `x1` where `condition` is true, else of `x2`."""
    condition = as_tensor_arg(condition)
    x1, x2 = binary_operands(x1, x2)
    if not isinstance(x1, Tensor):
        x1 = as_tensor_arg(x1, like=x2)
    if not isinstance(x2, Tensor):
        x2 = as_tensor_arg(x2, like=x1)
    return apply(_WHERE, (condition, x1, x2))


def _view(x, *shape):
    return reshape(x, *shape)


NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {
    "reshape": reshape,
    "view": _view,
    "clone": clone,
    "astype": astype,
}
