"""Derivatives of the activation primitives behind ``nn.functional``
(:mod:`pluggrad.ops.activations`), as PyTorch's ``gelu_backward`` and ``silu_backward`` kernels
compute them, one expression each.  Under ``create_graph=True`` the same expressions are
recorded with the differentiable namespace, which gives every higher order."""

from __future__ import annotations

import math

from ._helpers import Entry

# PyTorch's constants: M_SQRT1_2, M_2_SQRTPI * M_SQRT1_2 * 0.5 (1 / sqrt(2 pi)),
# M_SQRT2 * M_2_SQRTPI * 0.5 (sqrt(2 / pi)) and the tanh approximation's cubic coefficient
SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 2 / math.sqrt(math.pi) * math.sqrt(0.5) * 0.5
SQRT_2_OVER_PI = math.sqrt(2.0) * (2 / math.sqrt(math.pi)) * 0.5
GELU_KAPPA = 0.044715


def _gelu_grad(ns, g, x, approximate):
    """``g (Φ(x) + x φ(x))``; for the tanh approximation ``g (0.5 (1 + t) + 0.5 x (1 - t^2)
    sqrt(2 / pi) (1 + 3 0.044715 x^2))`` with ``t`` its tanh."""
    if approximate == "tanh":
        x_sq = x * x
        inner = SQRT_2_OVER_PI * (x + GELU_KAPPA * (x_sq * x))
        t = ns.tanh(inner)
        left = 0.5 * x
        right = 1 + t
        inner_derivative = SQRT_2_OVER_PI * (1 + 3 * GELU_KAPPA * x_sq)
        return g * (0.5 * right + left * (1 - t * t) * inner_derivative)
    cdf = 0.5 * (1 + ns.special.erf(x * SQRT_HALF))
    pdf = INV_SQRT_2PI * ns.exp(x * x * -0.5)
    return g * (cdf + x * pdf)


def _silu_grad(ns, g, x):
    """``g s (1 + x (1 - s))`` with ``s = 1 / (1 + exp(-x))``."""
    s = 1 / (1 + ns.exp(-x))
    return g * s * (1 + x * (1 - s))


TABLE = {
    # PyTorch's GeluBackward0 (saves self and approximate) and SiluBackward0 (self)
    "gelu": Entry("GeluBackward0", x=_gelu_grad),
    "silu": Entry("SiluBackward0", x=_silu_grad),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
