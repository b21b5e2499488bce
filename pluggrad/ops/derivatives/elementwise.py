"""Derivatives of elementwise functions."""

from __future__ import annotations

import math

from ._helpers import Entry, is_scalar, zeros_where


def _pow_grad_base(ns, g, x1, x2):
    if is_scalar(x2):
        if x2 == 0:
            return ns.zeros_like(g)
        return g * (x2 * x1 ** (x2 - 1))
    return zeros_where(ns, x2 == 0, g * (x2 * x1 ** (x2 - 1)))


def _pow_grad_exponent(ns, g, x1, x2, result):
    # d(a**y)/dy = a**y * log(a); PyTorch defines it as 0 where a == 0 and y >= 0
    if is_scalar(x1):
        if x1 == 0:
            return zeros_where(ns, x2 >= 0, g * (result * -math.inf))
        return g * (result * math.log(x1))
    return g * zeros_where(ns, (x1 == 0) & (x2 >= 0), result * ns.log(x1))


TABLE = {
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
        x2=lambda ns, g, condition: zeros_where(ns, condition, g),
    ),
}

NONDIFFERENTIABLE = frozenset(
    {
        "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
        "logical_and", "logical_or", "logical_not", "logical_xor",
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
        "isnan", "isinf", "isfinite",
    }
)  # fmt: skip
