"""Derivatives of matrix products and of the ``linalg`` extension."""

from __future__ import annotations

from ._helpers import Entry, sum_to


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


TABLE = {
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
}

NONDIFFERENTIABLE = frozenset()
