"""Derivatives of reductions and statistics."""

from __future__ import annotations

from ._helpers import Entry, by_axis, reduced_count, unreduce

TABLE = {
    "sum": Entry(
        by_axis("SumBackward0", "SumBackward1"),
        x=lambda ns, g, x_shape, axis, keepdims: unreduce(ns, g, x_shape, axis, keepdims),
    ),
    "mean": Entry(
        by_axis("MeanBackward0", "MeanBackward1"),
        x=lambda ns, g, x_shape, axis, keepdims: unreduce(
            ns, g / reduced_count(x_shape, axis), x_shape, axis, keepdims
        ),
    ),
}

NONDIFFERENTIABLE = frozenset()
