"""Helpers shared by the derivative formulas (all written against an array namespace ``ns``)."""

from __future__ import annotations

import math
from collections.abc import Callable


class Entry:
    """One row of the table: the node name and the formula of each differentiable input."""

    __slots__ = ("node", "formulas")

    def __init__(self, node: str | dict | Callable, **formulas: Callable):
        self.node = node
        self.formulas = formulas

    def __repr__(self) -> str:
        return f"Entry({self.node!r}, {', '.join(self.formulas)})"


def is_scalar(x) -> bool:
    """True for Python numbers (operands that are not tensors)."""
    return isinstance(x, (bool, int, float, complex))


def is_complex(x) -> bool:
    """True if `x` (an array of any backend, a Tensor, or a Python number) is complex."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return isinstance(x, complex)
    try:  # the cache lookup of is_complex_dtype, inlined: formulas ask for every gradient
        return _COMPLEX_DTYPES[(type(dtype), dtype)]
    except KeyError:
        return is_complex_dtype(dtype)


# (dtype type, dtype) -> is it complex; formulas ask for every gradient.  The type is part of
# the key so that dtypes of different libraries are never compared (array_api_strict's warn).
_COMPLEX_DTYPES: dict = {}


def is_complex_dtype(dtype) -> bool:
    """True if `dtype` (a NumPy, JAX, array_api_strict or pluggrad dtype) is complex."""
    key = (type(dtype), dtype)
    try:
        return _COMPLEX_DTYPES[key]
    except KeyError:
        kind = getattr(dtype, "kind", None)  # NumPy and JAX dtypes, pluggrad's DType
        result = kind == "c" if kind is not None else "complex" in str(dtype)  # array_api_strict
        _COMPLEX_DTYPES[key] = result
        return result


def conj(ns, x):
    """Complex conjugate, skipped for real inputs (PyTorch's formulas conjugate saved inputs:
    gradients of complex functions follow its conjugate-Wirtinger convention)."""
    return ns.conj(x) if is_complex(x) else x


def cast_grad(ns, g, dtype):
    """`g` cast to `dtype`, keeping only the real part when a complex gradient flows into a real
    input (PyTorch's rule: the gradient of a real input is real)."""
    if g.dtype == dtype:
        return g
    if is_complex(g) and not is_complex_dtype(dtype):
        g = ns.real(g)
        if g.dtype == dtype:
            return g
    return ns.astype(g, dtype)


def sum_to(ns, g, shape: tuple[int, ...]):
    """Sum `g` over the axes that broadcasting added or stretched, giving an array of `shape`."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    if axes:
        g = ns.sum(g, axis=axes, keepdims=True)
    if lead or tuple(g.shape) != tuple(shape):
        g = ns.reshape(g, shape)
    return g


def normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple, possibly negative) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim if ndim else 0 for a in axes)


def unreduce(ns, g, x_shape, axis, keepdims):
    """Broadcast the gradient of a reduction back to the reduced input's shape."""
    if not keepdims and axis is not None and len(x_shape):
        axes = normalize_axes(axis, len(x_shape))
        g = ns.reshape(g, tuple(1 if i in axes else n for i, n in enumerate(x_shape)))
    return ns.broadcast_to(g, x_shape)


def reduced_count(x_shape, axis) -> int:
    """How many elements a reduction over `axis` combines into each result."""
    return math.prod(x_shape[a] for a in normalize_axes(axis, len(x_shape)))


def zeros_where(ns, cond, value):
    """``value`` with zeros where `cond` holds (PyTorch's masked derivative convention).

    On raw arrays this is the backend's kernel (NumPy's avoids ``where``'s per-element branch).
    """
    kernel = getattr(ns, "zeros_where", None)
    if kernel is not None:
        return kernel(cond, value)
    return ns.where(cond, ns.zeros_like(value), value)


def by_axis(all_name: str, dim_name: str) -> Callable:
    """Node name of a reduction: PyTorch's ``...Backward0`` over all axes, ``...1`` over some."""
    return lambda args, params: all_name if params.get("axis") is None else dim_name


def inverse_permutation(axes) -> tuple[int, ...]:
    """The permutation that undoes ``permute_dims(x, axes)``."""
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a % len(axes)] = i
    return tuple(inverse)
