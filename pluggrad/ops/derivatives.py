"""THE derivative table: for each primitive, its backward node's name and, for each
differentiable input, a formula for that input's gradient.

Format (modelled on PyTorch's ``derivatives.yaml``)::

    "name": Entry(node, input_name=formula, ...)

* ``node`` is the PyTorch name of the backward node, or a dict from the call signature to names
  (one letter per input: ``t`` for a tensor, ``s`` for a Python scalar; ``2 - x`` is ``"st"``),
  or a function ``node(args, params)`` for names that depend on shapes or keywords.
* a formula is ``lambda ns, g, <names...>: ...`` where ``g`` is the gradient of the output and
  the names after it say what the node saves: input names, ``result`` (the output),
  ``<input>_shape``, ``<input>_dtype``, or a keyword parameter of the primitive.
* formulas use only ``ns`` (an array API namespace) and array operators.  The engine passes the
  backend's raw namespace and arrays for a plain backward, and pluggrad's differentiable
  namespace and Tensors under ``create_graph=True``, which is how every order of derivative
  works.  Broadcasting and dtype promotion of elementwise inputs are undone by the engine, so
  formulas may return gradients of the output's shape and dtype.

Primitives whose outputs are never differentiable are listed in :data:`NONDIFFERENTIABLE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["DERIVATIVES", "NONDIFFERENTIABLE", "Entry", "sum_to"]


class Entry:
    """One row of the table: the node name and the formula of each differentiable input."""

    __slots__ = ("node", "formulas")

    def __init__(self, node: str | dict | Callable, **formulas: Callable):
        self.node = node
        self.formulas = formulas

    def __repr__(self) -> str:
        return f"Entry({self.node!r}, {', '.join(self.formulas)})"


# ------------------------------------------------------------------------------------------------
# helpers shared by formulas (written against any array API namespace `ns`)
# ------------------------------------------------------------------------------------------------
def _is_scalar(x) -> bool:
    return isinstance(x, (bool, int, float, complex))


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


def _normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim if ndim else 0 for a in axes)


def _unreduce(ns, g, x_shape, axis, keepdims):
    """Broadcast the gradient of a reduction back to the reduced input's shape."""
    if not keepdims and axis is not None and len(x_shape):
        axes = _normalize_axes(axis, len(x_shape))
        g = ns.reshape(g, tuple(1 if i in axes else n for i, n in enumerate(x_shape)))
    return ns.broadcast_to(g, x_shape)


def _reduced_count(x_shape, axis) -> int:
    return math.prod(x_shape[a] for a in _normalize_axes(axis, len(x_shape)))


def _zeros_where(ns, cond, value):
    """``value`` with zeros where `cond` holds (PyTorch's masked derivative convention)."""
    return ns.where(cond, ns.zeros_like(value), value)


def _pow_grad_base(ns, g, x1, x2):
    if _is_scalar(x2):
        if x2 == 0:
            return ns.zeros_like(g)
        return g * (x2 * x1 ** (x2 - 1))
    return _zeros_where(ns, x2 == 0, g * (x2 * x1 ** (x2 - 1)))


def _pow_grad_exponent(ns, g, x1, x2, result):
    # d(a**y)/dy = a**y * log(a); PyTorch defines it as 0 where a == 0 and y >= 0
    if _is_scalar(x1):
        if x1 == 0:
            return _zeros_where(ns, x2 >= 0, g * (result * -math.inf))
        return g * (result * math.log(x1))
    return g * _zeros_where(ns, (x1 == 0) & (x2 >= 0), result * ns.log(x1))


def _matmul_grad(ns, g, x1, x2, wrt: int):
    """Gradient of ``matmul(x1, x2)`` w.r.t. input `wrt`, with NumPy's 1-D and batch rules."""
    if x1.ndim == 1 and x2.ndim == 1:
        return g * (x2 if wrt == 0 else x1)
    a, b = x1, x2
    if a.ndim == 1:
        a = ns.expand_dims(a, axis=0)
        g = ns.expand_dims(g, axis=-2)
    if b.ndim == 1:
        b = ns.expand_dims(b, axis=-1)
        g = ns.expand_dims(g, axis=-1)
    if wrt == 0:
        grad = sum_to(ns, ns.matmul(g, ns.matrix_transpose(b)), tuple(a.shape))
        return ns.reshape(grad, tuple(x1.shape)) if x1.ndim == 1 else grad
    grad = sum_to(ns, ns.matmul(ns.matrix_transpose(a), g), tuple(b.shape))
    return ns.reshape(grad, tuple(x2.shape)) if x2.ndim == 1 else grad


def _matmul_node(args, params) -> str:
    shapes = tuple(a.ndim for a in args)
    return {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0"}.get(
        shapes, "MatmulBackward0"
    )


def _getitem_node(args, params) -> str:
    parts = params["key"] if isinstance(params["key"], tuple) else (params["key"],)
    if any(hasattr(p, "shape") for p in parts):
        return "IndexBackward0"
    if any(isinstance(p, int) for p in parts):
        return "SelectBackward0"
    if any(p is None for p in parts):
        return "UnsqueezeBackward0"
    if any(isinstance(p, slice) for p in parts):
        return "SliceBackward0"
    return "AliasBackward0"


def _by_axis(all_name: str, dim_name: str) -> Callable:
    return lambda args, params: all_name if params.get("axis") is None else dim_name


def _inverse_permutation(axes):
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a % len(axes)] = i
    return tuple(inverse)


# ------------------------------------------------------------------------------------------------
# the table
# ------------------------------------------------------------------------------------------------
DERIVATIVES: dict[str, Entry] = {
    # ---- arithmetic ----------------------------------------------------------------------------
    "add": Entry(
        "AddBackward0",
        x1=lambda ns, g: g,
        x2=lambda ns, g: g,
    ),
    "subtract": Entry(
        {"tt": "SubBackward0", "ts": "SubBackward0", "st": "RsubBackward1"},
        x1=lambda ns, g: g,
        x2=lambda ns, g: -g,
    ),
    "multiply": Entry(
        "MulBackward0",
        x1=lambda ns, g, x2: g * x2,
        x2=lambda ns, g, x1: g * x1,
    ),
    "divide": Entry(
        {"tt": "DivBackward0", "ts": "DivBackward0", "st": "MulBackward0"},
        x1=lambda ns, g, x2: g / x2,
        x2=lambda ns, g, x1, x2: -g * x1 / (x2 * x2),
    ),
    "pow": Entry(
        {"ts": "PowBackward0", "tt": "PowBackward1", "st": "PowBackward2"},
        x1=_pow_grad_base,
        x2=_pow_grad_exponent,
    ),
    "negative": Entry("NegBackward0", x=lambda ns, g: -g),
    # ---- exponential, logarithm, trigonometric ------------------------------------------------
    "exp": Entry("ExpBackward0", x=lambda ns, g, result: g * result),
    "log": Entry("LogBackward0", x=lambda ns, g, x: g / x),
    "sqrt": Entry("SqrtBackward0", x=lambda ns, g, result: g / (2 * result)),
    "sin": Entry("SinBackward0", x=lambda ns, g, x: g * ns.cos(x)),
    "cos": Entry("CosBackward0", x=lambda ns, g, x: g * -ns.sin(x)),
    "tanh": Entry("TanhBackward0", x=lambda ns, g, result: g * (1 - result * result)),
    # ---- selection ------------------------------------------------------------------------------
    "where": Entry(
        "WhereBackward0",
        x1=lambda ns, g, condition: ns.where(condition, g, ns.zeros_like(g)),
        x2=lambda ns, g, condition: _zeros_where(ns, condition, g),
    ),
    # ---- reductions -----------------------------------------------------------------------------
    "sum": Entry(
        _by_axis("SumBackward0", "SumBackward1"),
        x=lambda ns, g, x_shape, axis, keepdims: _unreduce(ns, g, x_shape, axis, keepdims),
    ),
    "mean": Entry(
        _by_axis("MeanBackward0", "MeanBackward1"),
        x=lambda ns, g, x_shape, axis, keepdims: _unreduce(
            ns, g / _reduced_count(x_shape, axis), x_shape, axis, keepdims
        ),
    ),
    # ---- linear algebra -------------------------------------------------------------------------
    "matmul": Entry(
        _matmul_node,
        x1=lambda ns, g, x1, x2: _matmul_grad(ns, g, x1, x2, 0),
        x2=lambda ns, g, x1, x2: _matmul_grad(ns, g, x1, x2, 1),
    ),
    "dot": Entry(
        "DotBackward0",
        x1=lambda ns, g, x2: g * x2,
        x2=lambda ns, g, x1: g * x1,
    ),
    "matrix_transpose": Entry("TransposeBackward0", x=lambda ns, g: ns.matrix_transpose(g)),
    # ---- shape and copies -----------------------------------------------------------------------
    "reshape": Entry("ViewBackward0", x=lambda ns, g, x_shape: ns.reshape(g, x_shape)),
    "expand_dims": Entry("UnsqueezeBackward0", x=lambda ns, g, x_shape: ns.reshape(g, x_shape)),
    "broadcast_to": Entry("ExpandBackward0", x=lambda ns, g, x_shape: sum_to(ns, g, x_shape)),
    "permute_dims": Entry(
        "PermuteBackward0",
        x=lambda ns, g, axes: ns.permute_dims(g, _inverse_permutation(axes)),
    ),
    "astype": Entry("ToCopyBackward0", x=lambda ns, g, x_dtype: ns.astype(g, x_dtype)),
    "clone": Entry("CloneBackward0", x=lambda ns, g: g),
    # the copy AccumulateGrad makes of a first gradient under create_graph=True (as PyTorch)
    "copy": Entry("CopyBackwards", x=lambda ns, g: g),
    # ---- indexing -------------------------------------------------------------------------------
    "getitem": Entry(
        _getitem_node,
        x=lambda ns, g, key, x_shape: ns.scatter_add(g, key, x_shape),
    ),
    "scatter_add": Entry("IndexPutBackward0", values=lambda ns, g, key: ns.getitem(g, key)),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset(
    {
        "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
        "logical_and", "logical_or", "logical_not", "logical_xor",
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
        "isnan", "isinf", "isfinite",
    }
)  # fmt: skip
