"""Indexing: ``x[key]`` and its backward, a scatter-add."""

from __future__ import annotations

from .. import _dtypes
from .._tensor import Tensor
from ._args import as_tensor_arg
from ._primitive import Primitive, apply

# scatter_add is not exported: it serves as the differentiable backward of indexing (derivative
# formulas reach it as pluggrad.ops.scatter_add), and PyTorch's scatter_add means another thing
__all__ = ["getitem"]

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset()

TENSOR_METHODS: dict = {}

_GETITEM = Primitive("getitem", ("x",), forward=lambda backend, x, key: backend.getitem(x, key))
_SCATTER_ADD = Primitive(
    "scatter_add",
    ("values",),
    forward=lambda backend, values, key, shape: backend.scatter_add(values, key, shape),
)


def _native_key(key, x: Tensor):
    """Replace tensors and lists inside an indexing key by native arrays of `x`'s backend."""
    if isinstance(key, tuple):
        return tuple(_native_key(k, x) for k in key)
    if isinstance(key, Tensor):
        if key._backend is not x._backend:
            from ._primitive import mixed_backend_error

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
    if hasattr(key, "__index__"):
        return int(key.__index__())
    return as_tensor_arg(key, like=x)._data


def getitem(x, key) -> Tensor:
    """``x[key]`` with integers, slices, ``...``, ``None``, integer arrays and boolean masks."""
    x = as_tensor_arg(x)
    key = _complete(_native_key(key, x), x)
    _check_bounds(x, key)
    return apply(_GETITEM, (x,), {"key": key})


def _consumed(part, x: Tensor) -> int:
    """How many axes of `x` one part of a key indexes."""
    if part is None or part is Ellipsis:
        return 0
    if hasattr(part, "dtype") and x._backend.from_native.get(part.dtype) is _dtypes.bool:
        return part.ndim
    return 1


def _complete(key, x: Tensor):
    """Make the key name every axis (``x[1]`` on a matrix is ``x[1, ...]``).

    PyTorch and NumPy index the leading axes implicitly; the array API standard asks for a
    trailing ellipsis, and array_api_strict enforces it.
    """
    parts = key if isinstance(key, tuple) else (key,)
    if any(p is Ellipsis for p in parts):
        return key
    if sum(_consumed(p, x) for p in parts) < x.ndim:
        return parts + (Ellipsis,)
    return key


def scatter_add(values, key, shape) -> Tensor:
    """Zeros of `shape` with `values` added at ``[key]`` (repeated indices accumulate)."""
    return apply(_SCATTER_ADD, (as_tensor_arg(values),), {"key": key, "shape": tuple(shape)})


def _check_bounds(x: Tensor, key) -> None:
    """Raise PyTorch's IndexError for integer indices out of range (JAX would clamp them)."""
    parts = key if isinstance(key, tuple) else (key,)
    if any(p is Ellipsis for p in parts):
        ellipsis = next(i for i, p in enumerate(parts) if p is Ellipsis)
        consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
        parts = parts[:ellipsis] + (slice(None),) * (x.ndim - consumed) + parts[ellipsis + 1 :]
    dim = 0
    for p in parts:
        if p is None:
            continue
        if isinstance(p, bool):
            continue
        if isinstance(p, int):
            if dim >= x.ndim:
                raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
            size = x.shape[dim]
            if not -size <= p < size:
                raise IndexError(f"index {p} is out of bounds for dimension {dim} with size {size}")
        dim += _consumed(p, x)
