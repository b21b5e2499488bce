"""Fitting a gradient to the input it flows into: the sums that undo broadcasting and the cast
to the input's dtype (with PyTorch's rule for complex gradients of real inputs).

The engine applies these after every derivative formula, so they are written against an array
namespace ``ns`` like the formulas themselves; the derivative table's helpers re-export them.
"""

from __future__ import annotations


def is_complex(x) -> bool:
    """True if `x` (an array of any backend, a Tensor, or a Python number) is complex."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return isinstance(x, complex)
    try:  # the cache lookup of is_complex_dtype, inlined: formulas ask for every gradient
        return _complex_dtypes[(type(dtype), dtype)]
    except KeyError:
        return is_complex_dtype(dtype)


# (dtype type, dtype) -> is it complex; formulas ask for every gradient.  The type is part of
# the key so that dtypes of different libraries are never compared (array_api_strict's warn).
_complex_dtypes: dict = {}


def is_complex_dtype(dtype) -> bool:
    """True if `dtype` (a NumPy, JAX, array_api_strict or pluggrad dtype) is complex."""
    key = (type(dtype), dtype)
    try:
        return _complex_dtypes[key]
    except KeyError:
        kind = getattr(dtype, "kind", None)  # NumPy and JAX dtypes, pluggrad's DType
        result = kind == "c" if kind is not None else "complex" in str(dtype)  # array_api_strict
        _complex_dtypes[key] = result
        return result


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
