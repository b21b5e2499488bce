"""Derivatives of the special functions (``erf``, ``lgamma``, ``digamma``, the modified Bessel
functions...), PyTorch's formulas.  Formulas reach other special functions as
``ns.special.<name>``.  The Bessel functions of the first and second kind, the orthogonal
polynomials, ``zeta`` and the incomplete gamma functions have no derivative in PyTorch either.
"""

from __future__ import annotations

import math

from ._helpers import Entry

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _safe(ns, x):
    """`x` with its zeros replaced by ones (for a quotient whose value at 0 is set apart)."""
    return ns.where(x == 0, 1.0, x)


TABLE = {
    "erf": Entry("ErfBackward0", x=lambda ns, g, x: g * (_TWO_OVER_SQRT_PI * ns.exp(-(x * x)))),
    "erfc": Entry("ErfcBackward0", x=lambda ns, g, x: g * (-_TWO_OVER_SQRT_PI * ns.exp(-(x * x)))),
    "erfinv": Entry(
        "ErfinvBackward0",
        x=lambda ns, g, result: g * (math.sqrt(math.pi) / 2 * ns.exp(result * result)),
    ),
    "erfcx": Entry(
        "SpecialErfcxBackward0",
        x=lambda ns, g, x, result: g * (2.0 * x * result - _TWO_OVER_SQRT_PI),
    ),
    "gammaln": Entry("LgammaBackward0", x=lambda ns, g, x: g * ns.special.digamma(x)),
    "digamma": Entry("DigammaBackward0", x=lambda ns, g, x: g * ns.special.polygamma(1, x)),
    "polygamma": Entry(
        "PolygammaBackward0", x=lambda ns, g, x, n: g * ns.special.polygamma(n + 1, x)
    ),
    "i0": Entry("I0Backward0", x=lambda ns, g, x: g * ns.special.i1(x)),
    "i0e": Entry(
        "SpecialI0EBackward0",
        x=lambda ns, g, x, result: g * (ns.special.i1e(x) - ns.sign(x) * result),
    ),
    # i1'(x) = i0(x) - i1(x) / x, 1/2 at 0
    "i1": Entry(
        "SpecialI1Backward0",
        x=lambda ns, g, x, result: (
            g * ns.where(x == 0, 0.5, ns.special.i0(x) - result / _safe(ns, x))
        ),
    ),
    "i1e": Entry(
        "SpecialI1EBackward0",
        x=lambda ns, g, x, result: (
            g
            * ns.where(x == 0, 0.5, ns.special.i0e(x) - result * (ns.sign(x) + 1.0 / _safe(ns, x)))
        ),
    ),
    "ndtr": Entry(
        "SpecialNdtrBackward0", x=lambda ns, g, x: g * (ns.exp(-0.5 * x * x) / _SQRT_2PI)
    ),
    "ndtri": Entry(
        "SpecialNdtriBackward0",
        x=lambda ns, g, result: g * (_SQRT_2PI * ns.exp(0.5 * result * result)),
    ),
    "log_ndtr": Entry(
        "SpecialLogNdtrBackward0",
        x=lambda ns, g, x, result: g * (ns.exp(-0.5 * x * x - result) / _SQRT_2PI),
    ),
    "entr": Entry("SpecialEntrBackward0", x=lambda ns, g, x: g * -(ns.log(x) + 1.0)),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset(
    {
        "zeta",
        "gammainc",
        "gammaincc",
        "j0",
        "j1",
        "y0",
        "y1",
        "k0",
        "k1",
        "k0e",
        "k1e",
        "airy_ai",
    }  # fmt: skip
)
