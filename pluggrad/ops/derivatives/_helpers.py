"""Helpers shared by the derivative formulas (all written against an array namespace ``ns``)."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..._core.grad_fit import cast_grad, is_complex, is_complex_dtype, sum_to

__all__ = [
    "Entry", "is_scalar", "is_complex", "is_complex_dtype", "conj", "cast_grad", "sum_to",
    "normalize_axes", "unreduce", "reduced_count", "zeros_where", "by_axis", "inverse_permutation",
]  # fmt: skip


class Entry:
    """One row of the table: the node name and the formula of each differentiable input.

    ``scalar_overloads`` lists the call signatures (``"ts"``, ``"st"``) that are PyTorch's
    Scalar overloads (``pow(Tensor, Scalar)``, ``rsub``): their nodes have no edge for the
    Python scalar, where other operations wrap it as a tensor with no history (an edge
    ``(None, 0)``).  ``saved_as`` renames inputs in the node's ``_saved_<name>`` attributes
    (inputs are PyTorch's ``self`` and ``other`` unless renamed, e.g. pow's ``exponent``).
    ``saved_outputs`` lists the outputs of a multi-output operation that its formulas read as
    ``result`` (the others are None there, and are not saved: ``sort`` keeps its indices only,
    so changing the sorted values in place does not break its backward, as in PyTorch).
    """

    __slots__ = ("node", "formulas", "scalar_overloads", "saved_as", "saved_outputs")

    def __init__(
        self,
        node: str | dict | Callable,
        *,
        scalar_overloads: tuple[str, ...] = (),
        saved_as: dict[str, str] | None = None,
        saved_outputs: tuple[int, ...] | None = None,
        **formulas: Callable,
    ):
        self.node = node
        self.formulas = formulas
        self.scalar_overloads = scalar_overloads
        self.saved_as = saved_as or {}
        self.saved_outputs = saved_outputs

    def __repr__(self) -> str:
        return f"Entry({self.node!r}, {', '.join(self.formulas)})"


def is_scalar(x) -> bool:
    """True for Python numbers (operands that are not tensors)."""
    return isinstance(x, (bool, int, float, complex))


def conj(ns, x):
    """Complex conjugate, skipped for real inputs (PyTorch's formulas conjugate saved inputs:
    gradients of complex functions follow its conjugate-Wirtinger convention)."""
    return ns.conj(x) if is_complex(x) else x


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


def masked_quotient(ns, num, den, masked):
    """``num / den`` with zeros where `masked` holds: PyTorch's
    ``(num / den).masked_fill_(masked, 0)``.

    Under ``create_graph=True`` (``ns.differentiable``) the division by the real `den` stays in
    the graph, so a higher derivative at a masked point is PyTorch's NaN (0 / 0 in the
    division's backward).  A plain backward divides by 1 there instead: the same values, and no
    NumPy warning for the division by zero.
    """
    if getattr(ns, "differentiable", False):
        return zeros_where(ns, masked, num / den)
    return zeros_where(ns, masked, num / ns.where(masked, ns.ones_like(den), den))


def by_axis(all_name: str, dim_name: str) -> Callable:
    """Node name of a reduction: PyTorch's ``...Backward0`` over all axes, ``...1`` over some."""
    return lambda args, params: all_name if params.get("axis") is None else dim_name


def inverse_permutation(axes) -> tuple[int, ...]:
    """The permutation that undoes ``permute_dims(x, axes)``."""
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a % len(axes)] = i
    return tuple(inverse)
