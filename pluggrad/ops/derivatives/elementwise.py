"""Derivatives of elementwise functions (PyTorch's ``derivatives.yaml`` rows, same node names).

Complex inputs follow PyTorch's convention: formulas conjugate what PyTorch conjugates.  A
real input of a complex result gets the real part of its gradient (PyTorch's
``handle_r_to_c``): the node casts every gradient to its input's dtype (``_fit`` in
``ops/_primitive.py``), so formulas do not repeat it.
"""

from __future__ import annotations

import cmath
import math

from ._helpers import Entry, conj, is_complex, is_scalar, masked_quotient, zeros_where

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _cj(ns, v):
    """Conjugate of an array or a Python scalar (a no-op for real values)."""
    kind = type(v)
    if kind is float or kind is int or kind is bool:
        return v
    if kind is complex:
        return v.conjugate()
    return conj(ns, v)


def _zero(ns, g):
    return ns.zeros_like(g)


def _mask(ns, keep, g):
    """`g` where `keep` holds, else 0."""
    return zeros_where(ns, ns.logical_not(keep), g)


def _scalar_log(x):
    # the log of a Python scalar as PyTorch computes it for a tensor (NaN for negative reals)
    if isinstance(x, complex):
        return cmath.log(x)
    return math.log(x) if x > 0 else math.nan


# ---- pow ----------------------------------------------------------------------------------------
def _pow_grad_base(ns, g, x1, x2):
    if is_scalar(x2):
        if x2 == 0:
            return ns.zeros_like(g)
        if x2 == 2:  # the square: x1 ** 1 is x1 exactly, and one operation (node) fewer
            return g * _cj(ns, 2 * x1)
        return g * _cj(ns, x2 * x1 ** (x2 - 1))
    return zeros_where(ns, x2 == 0, g * _cj(ns, x2 * x1 ** (x2 - 1)))


def _pow_grad_exponent(ns, g, x1, x2, result):
    # d(a**y)/dy = a**y * log(a); PyTorch defines it as 0 where a == 0 and real(y) >= 0
    nonnegative = (ns.real(x2) if is_complex(x2) else x2) >= 0
    if is_scalar(x1):
        if x1 == 0:
            return zeros_where(ns, nonnegative, g * (result * -math.inf))
        return g * _cj(ns, result * _scalar_log(x1))
    return g * _cj(ns, zeros_where(ns, (x1 == 0) & nonnegative, result * ns.log(x1)))


# ---- binary functions with kinks or special points ----------------------------------------------
def _atan2_recip(ns, x1, x2):
    # 1 / (x1**2 + x2**2), with 0 where that overflows (PyTorch gives 0 gradients at the origin)
    denom = x1 * x1 + x2 * x2
    zero = denom == 0
    recip = 1 / ns.where(zero, ns.ones_like(denom), denom)
    return ns.where(zero | ns.isinf(recip), ns.zeros_like(recip), recip)


def _relu_grad(ns, g, result):
    # PyTorch's threshold_backward(grad, result, 0): under create_graph a function of the
    # saved output (see pluggrad.ops.elementwise.threshold_backward)
    if getattr(ns, "differentiable", False):
        return ns.threshold_backward(g, result)
    return zeros_where(ns, result <= 0, g)


def _copysign_grad(ns, g, x1, result):
    # result / x1 (that is, +-1), and 0 where x1 == 0 (NaN at higher orders, as in PyTorch)
    return g * masked_quotient(ns, result, x1, x1 == 0)


def _maximum_grad(ns, g, x1, x2, loses):
    # ties split the gradient in halves; NaN comparisons pass it to both inputs (PyTorch)
    return zeros_where(ns, loses, ns.where(x1 == x2, g / 2, g))


def _sgn_grad(ns, g, x, result):
    if not is_complex(x):
        return ns.zeros_like(g)
    a = ns.abs(x)
    zero = a == 0
    out = (g - result * result * ns.conj(g)) / (2 * ns.where(zero, ns.ones_like(a), a))
    return zeros_where(ns, zero, out)


def _acosh_grad(ns, g, x):
    if is_complex(x):
        return g / ns.conj(ns.sqrt(x + 1) * ns.sqrt(x - 1))
    return g / ns.sqrt(x * x - 1)


# ---- clip (PyTorch's clamp) -------------------------------------------------------------------
def _clamp_node(args, params):
    bounds = [b for b in args[1:] if b is not None]
    if not bounds or any(is_scalar(b) for b in bounds):
        return "ClampBackward1"
    return "ClampBackward0"


def _clip_x(ns, g, x, min, max):  # noqa: A002
    keep = None
    if min is not None:
        keep = x >= min
    if max is not None:
        below = x <= max
        keep = below if keep is None else keep & below
    return g if keep is None else _mask(ns, keep, g)


def _clip_min(ns, g, x, min, max):  # noqa: A002
    # min is a tensor here; it gets no gradient where it reaches max (PyTorch: with min == max
    # and x below both, neither bound gets it; with min > max, max gets everything)
    keep = x < min
    if max is not None:
        keep = keep & (min < max)
    return _mask(ns, keep, g)


def _clip_max(ns, g, x, min, max):  # noqa: A002
    keep = x > max
    if min is not None:
        keep = keep | (max < min)
    return _mask(ns, keep, g)


TABLE = {
    # ---- arithmetic ----------------------------------------------------------------------------
    "add": Entry(
        "AddBackward0",
        x1=lambda ns, g: g,
        x2=lambda ns, g: g,
    ),
    "subtract": Entry(
        {"tt": "SubBackward0", "ts": "SubBackward0", "st": "RsubBackward1"},
        scalar_overloads=("st",),
        x1=lambda ns, g: g,
        x2=lambda ns, g: -g,
    ),
    "multiply": Entry(
        "MulBackward0",
        x1=lambda ns, g, x2: g * _cj(ns, x2),
        x2=lambda ns, g, x1: g * _cj(ns, x1),
    ),
    "divide": Entry(
        {"tt": "DivBackward0", "ts": "DivBackward0", "st": "MulBackward0"},
        x1=lambda ns, g, x2: g / _cj(ns, x2),
        # -g * conj(x1 / x2 / x2) as PyTorch has it (x2 * x2 would overflow where the result
        # does not), written so that XLA does not fold (x1 / x2) / x2 back into x1 / (x2 * x2),
        # and so that each step writes into the previous temporary (NumPy reuses a large
        # temporary in place): one new array instead of three
        x2=lambda ns, g, x1, x2: -(g * _cj(ns, x1 / x2)) / _cj(ns, x2),
    ),
    "div_rounding": Entry("DivBackward2", x1=_zero, x2=_zero),
    "pow": Entry(
        {"ts": "PowBackward0", "tt": "PowBackward1", "st": "PowBackward2"},
        scalar_overloads=("ts", "st"),
        saved_as={"x2": "exponent"},
        x1=_pow_grad_base,
        x2=_pow_grad_exponent,
    ),
    "negative": Entry("NegBackward0", x=lambda ns, g: -g),
    "reciprocal": Entry(
        "ReciprocalBackward0", x=lambda ns, g, result: -g * _cj(ns, result * result)
    ),
    "remainder": Entry(
        {"tt": "RemainderBackward1", "ts": "RemainderBackward0", "st": "RemainderBackward1"},
        x1=lambda ns, g: g,
        x2=lambda ns, g, x1, x2: -g * ns.floor_divide(x1, x2),
    ),
    "fmod": Entry(
        {"tt": "FmodBackward1", "ts": "FmodBackward0", "st": "FmodBackward1"},
        x1=lambda ns, g: g,
        x2=lambda ns, g, x1, x2: -g * ns.trunc(x1 / x2),
    ),
    # ---- exponential, logarithm, power -------------------------------------------------------
    "exp": Entry("ExpBackward0", x=lambda ns, g, result: g * _cj(ns, result)),
    "exp2": Entry("Exp2Backward0", x=lambda ns, g, result: g * _cj(ns, result) * _LN2),
    "expm1": Entry("Expm1Backward0", x=lambda ns, g, result: g * (_cj(ns, result) + 1)),
    "log": Entry("LogBackward0", x=lambda ns, g, x: g / _cj(ns, x)),
    "log1p": Entry("Log1PBackward0", x=lambda ns, g, x: g / _cj(ns, x + 1)),
    "log2": Entry("Log2Backward0", x=lambda ns, g, x: g / (_cj(ns, x) * _LN2)),
    "log10": Entry("Log10Backward0", x=lambda ns, g, x: g / (_cj(ns, x) * _LN10)),
    "logaddexp": Entry(
        "LogaddexpBackward0",
        x1=lambda ns, g, x1, x2: g / (1 + ns.exp(x2 - x1)),
        x2=lambda ns, g, x1, x2: g / (1 + ns.exp(x1 - x2)),
    ),
    "sqrt": Entry("SqrtBackward0", x=lambda ns, g, result: g / (2 * _cj(ns, result))),
    "rsqrt": Entry(
        "RsqrtBackward0", x=lambda ns, g, result: -0.5 * g * _cj(ns, result * result * result)
    ),
    "hypot": Entry(
        "HypotBackward0",
        x1=lambda ns, g, x1, result: g * x1 / result,
        x2=lambda ns, g, x2, result: g * x2 / result,
    ),
    # ---- trigonometric and hyperbolic --------------------------------------------------------
    "sin": Entry("SinBackward0", x=lambda ns, g, x: g * _cj(ns, ns.cos(x))),
    "cos": Entry("CosBackward0", x=lambda ns, g, x: g * -_cj(ns, ns.sin(x))),
    "tan": Entry("TanBackward0", x=lambda ns, g, result: g * _cj(ns, 1 + result * result)),
    "asin": Entry("AsinBackward0", x=lambda ns, g, x: g / _cj(ns, ns.sqrt(1 - x * x))),
    "acos": Entry("AcosBackward0", x=lambda ns, g, x: -g / _cj(ns, ns.sqrt(1 - x * x))),
    "atan": Entry("AtanBackward0", x=lambda ns, g, x: g / _cj(ns, x * x + 1)),
    "atan2": Entry(
        "Atan2Backward0",
        x1=lambda ns, g, x1, x2: g * x2 * _atan2_recip(ns, x1, x2),
        x2=lambda ns, g, x1, x2: g * -x1 * _atan2_recip(ns, x1, x2),
    ),
    "sinh": Entry("SinhBackward0", x=lambda ns, g, x: g * _cj(ns, ns.cosh(x))),
    "cosh": Entry("CoshBackward0", x=lambda ns, g, x: g * _cj(ns, ns.sinh(x))),
    "tanh": Entry("TanhBackward0", x=lambda ns, g, result: g * _cj(ns, 1 - result * result)),
    "asinh": Entry("AsinhBackward0", x=lambda ns, g, x: g / _cj(ns, ns.sqrt(x * x + 1))),
    "acosh": Entry("AcoshBackward0", x=_acosh_grad),
    "atanh": Entry("AtanhBackward0", x=lambda ns, g, x: g / _cj(ns, 1 - x * x)),
    # ---- activations (PyTorch) ---------------------------------------------------------------
    "sigmoid": Entry(
        "SigmoidBackward0", x=lambda ns, g, result: g * _cj(ns, (1 - result) * result)
    ),
    "relu": Entry("ReluBackward0", x=_relu_grad),
    "threshold_backward": Entry(
        "ThresholdBackwardBackward0",
        x=lambda ns, g, relu_output: _relu_grad(ns, g, relu_output),
        relu_output=lambda ns, g: ns.zeros_like(g),
    ),
    # ---- rounding, sign, magnitude (zero gradients where the function is flat) ---------------
    "abs": Entry("AbsBackward0", x=lambda ns, g, x: g * ns.sign(x)),
    "ceil": Entry("CeilBackward0", x=_zero),
    "floor": Entry("FloorBackward0", x=_zero),
    "trunc": Entry("TruncBackward0", x=_zero),
    "round": Entry(
        lambda args, params: "RoundBackward1" if params.get("decimals") else "RoundBackward0",
        x=_zero,
    ),
    "sign": Entry("SignBackward0", x=_zero),
    "sgn": Entry("SgnBackward0", x=_sgn_grad),
    "copysign": Entry(
        {"tt": "CopysignBackward0", "ts": "CopysignBackward1", "st": "CopysignBackward0"},
        x1=_copysign_grad,
        x2=_zero,
    ),
    "nextafter": Entry(
        "NextafterBackward0",
        x1=lambda ns, g, x1, x2: zeros_where(ns, x1 == x2, g),
        x2=_zero,
    ),
    # ---- extrema and clipping ----------------------------------------------------------------
    "maximum": Entry(
        "MaximumBackward0",
        x1=lambda ns, g, x1, x2: _maximum_grad(ns, g, x1, x2, x1 < x2),
        x2=lambda ns, g, x1, x2: _maximum_grad(ns, g, x1, x2, x1 > x2),
    ),
    "minimum": Entry(
        "MinimumBackward0",
        x1=lambda ns, g, x1, x2: _maximum_grad(ns, g, x1, x2, x1 > x2),
        x2=lambda ns, g, x1, x2: _maximum_grad(ns, g, x1, x2, x1 < x2),
    ),
    "clip": Entry(_clamp_node, x=_clip_x, min=_clip_min, max=_clip_max),
    "clamp_min": Entry(
        {"tt": "ClampMinBackward1", "ts": "ClampMinBackward0"},
        x=lambda ns, g, x, min: _mask(ns, x >= min, g),  # noqa: A006
        min=lambda ns, g, x, min: _mask(ns, x < min, g),  # noqa: A006
    ),
    "clamp_max": Entry(
        {"tt": "ClampMaxBackward1", "ts": "ClampMaxBackward0"},
        x=lambda ns, g, x, max: _mask(ns, x <= max, g),  # noqa: A006
        max=lambda ns, g, x, max: _mask(ns, x > max, g),  # noqa: A006
    ),
    # ---- complex numbers (PyTorch's real and imag are views: SelectBackward0) ---------------
    "real": Entry("SelectBackward0", x=lambda ns, g: g),
    "imag": Entry("SelectBackward0", x=lambda ns, g: g * 1j),
    "conj": Entry("ConjBackward0", x=lambda ns, g: ns.conj(g)),
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
        "bitwise_left_shift", "bitwise_right_shift",
        "isnan", "isinf", "isfinite", "signbit", "floor_divide",
    }
)  # fmt: skip
