"""PyTorch's pointwise functions made of other operations (exported by
:mod:`pluggrad.ops.composite`): ``lerp``, ``xlogy``, ``sinc``, ``fmax``, ``nan_to_num``,
``ldexp``, ``heaviside``, ``gcd``, ``isclose``, ``angle``, ``polar``..."""

from __future__ import annotations

import builtins
import math

from .. import _dtypes
from .._core.tensor import Tensor
from ._args import as_tensor_arg
from ._autocast import full_precision
from ._convert import astype, binary_operands
from .dtype_functions import finfo
from .elementwise import (
    abs,  # noqa: A004
    atan2,
    conj,
    cos,
    equal,
    imag,
    isinf,
    isnan,
    log,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    real,
    sin,
    trunc,
)
from .manipulation import where
from .searching import count_nonzero

__all__ = [
    "lerp", "xlogy", "float_power", "deg2rad", "rad2deg", "frac", "logit", "sinc", "fmax",
    "fmin", "nan_to_num", "ldexp", "logaddexp2", "heaviside", "gcd", "lcm", "isclose",
    "allclose", "angle", "complex", "polar", "conj_physical", "resolve_conj", "resolve_neg",
    "isneginf", "isposinf", "isreal", "is_signed", "is_conj", "is_neg", "rsub",
]  # fmt: skip


def _t(x, like: Tensor | None = None) -> Tensor:
    return as_tensor_arg(x, like=like)


def ldexp(input, other) -> Tensor:  # noqa: A002
    """``input * 2 ** other``."""
    x = _t(input)
    if not (x.is_floating_point() or x.is_complex()):
        x = astype(x, _dtypes.get_default_dtype())
    return x * (2.0 ** _t(other, x))


def logaddexp2(input, other) -> Tensor:  # noqa: A002
    """``log2(2 ** input + 2 ** other)``, without overflow."""
    x, y = binary_operands(input, other)
    return logaddexp(x * _LN2, y * _LN2) / _LN2


_LN2 = math.log(2.0)


def heaviside(input, values) -> Tensor:  # noqa: A002
    """The step function: 0 below 0, 1 above, `values` at 0 (not differentiable)."""
    x, v = binary_operands(input, values)
    return where(equal(x, 0), v, astype(x > 0, x.dtype))


def _integer_pair(input, other, name: str):  # noqa: A002
    x, y = binary_operands(input, other)
    if x.dtype.kind not in "iu" or y.dtype.kind not in "iu":
        raise RuntimeError(f"\"{name}_cpu\" not implemented for '{x.dtype.torch_name}'")
    return x, y


def gcd(input, other) -> Tensor:  # noqa: A002
    """The greatest common divisor of integers, elementwise (Euclid's algorithm)."""
    a, b = _integer_pair(input, other, "gcd")
    a, b = abs(a) + 0 * b, abs(b) + 0 * a  # broadcast both
    while bool(count_nonzero(b)):
        nonzero = b != 0
        a, b = where(nonzero, b, a), where(nonzero, a % where(nonzero, b, 1), 0)
    return a


def lcm(input, other) -> Tensor:  # noqa: A002
    """The least common multiple of integers, elementwise (0 if either is 0)."""
    a, b = _integer_pair(input, other, "lcm")
    g = gcd(a, b)
    return where(equal(g, 0), 0, abs(a // where(equal(g, 0), 1, g) * b))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:  # noqa: A002
    """Where ``|input - other| <= atol + rtol * |other|`` (and equal infinities)."""
    x, y = binary_operands(input, other)
    close = logical_or(equal(x, y), abs(x - y) <= atol + rtol * abs(y))
    if x.is_floating_point() or x.is_complex():
        close = logical_and(close, logical_not(logical_or(isinf(x), isinf(y)))) | equal(x, y)
        if equal_nan:
            close = close | logical_and(isnan(x), isnan(y))
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:  # noqa: A002
    """Whether :func:`isclose` holds everywhere."""
    return bool(count_nonzero(logical_not(isclose(input, other, rtol, atol, equal_nan))) == 0)


# ---- complex numbers ----------------------------------------------------------------------------
def angle(input) -> Tensor:  # noqa: A002
    """The argument of each element (``atan2(imag, real)``; for real numbers pi below 0, else
    0)."""
    x = _t(input)
    if x.is_complex():
        return atan2(imag(x), real(x))
    if not x.is_floating_point():
        x = astype(x, _dtypes.get_default_dtype())
    return where(x < 0, math.pi, where(isnan(x), x, 0.0 * x))


def complex(real, imag) -> Tensor:  # noqa: A001 - PyTorch's name
    """``real + 1j * imag`` from two real tensors of the same float dtype."""
    re, im = binary_operands(real, imag)
    if not re.is_floating_point() or re.dtype is not im.dtype:
        raise RuntimeError(
            "Expected both inputs to be Half, Float or Double tensors but got "
            f"{re.dtype.torch_name} and {im.dtype.torch_name}"
        )
    return re + im * 1j


@full_precision
def polar(abs, angle) -> Tensor:  # noqa: A002
    """``abs * (cos(angle) + 1j * sin(angle))``."""
    r, theta = binary_operands(abs, angle)
    return complex(r * cos(theta), r * sin(theta))


def conj_physical(input) -> Tensor:  # noqa: A002
    """The complex conjugate (pluggrad's ``conj`` always computes it)."""
    return conj(_t(input))


def resolve_conj(input) -> Tensor:  # noqa: A002
    """`input` itself: pluggrad has no lazy conjugation to resolve."""
    return _t(input)


def resolve_neg(input) -> Tensor:  # noqa: A002
    """`input` itself: pluggrad has no lazy negation to resolve."""
    return _t(input)


def is_conj(input) -> bool:  # noqa: A002
    """False: pluggrad conjugates eagerly."""
    _t(input)
    return False


def is_neg(input) -> bool:  # noqa: A002
    """False: pluggrad negates eagerly."""
    _t(input)
    return False


def isneginf(input) -> Tensor:  # noqa: A002
    """Where an element is -inf."""
    x = _t(input)
    return logical_and(isinf(x), x < 0)


def isposinf(input) -> Tensor:  # noqa: A002
    """Where an element is +inf."""
    x = _t(input)
    return logical_and(isinf(x), x > 0)


def isreal(input) -> Tensor:  # noqa: A002
    """Where an element has no imaginary part (everywhere for a real tensor)."""
    x = _t(input)
    return equal(imag(x), 0) if x.is_complex() else equal(x, x) | logical_not(equal(x, x))


def is_signed(input) -> bool:  # noqa: A002
    """Whether the dtype holds negative numbers."""
    return _t(input).dtype.kind in "ifc"


def rsub(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """``other - alpha * input``."""
    x = _t(input)
    return other - (x if alpha == 1 else x * alpha)


# ---- pointwise -----------------------------------------------------------------------------------
def lerp(input, end, weight) -> Tensor:  # noqa: A002
    """``input + weight * (end - input)``."""
    start = _t(input)
    return start + weight * (_t(end, start) - start)


def xlogy(input, other) -> Tensor:  # noqa: A002
    """``input * log(other)``, 0 where ``input`` is 0 (NaN where ``other`` is NaN)."""
    x, y = binary_operands(input, other)
    if x.dtype.kind in "biu":
        x = astype(x, _dtypes.get_default_dtype())
    zero = logical_and(equal(x, 0), logical_not(isnan(y)))
    return where(zero, 0.0, x * log(where(zero, 1.0, y)))  # no log(0) where it is not used


def float_power(input, exponent) -> Tensor:  # noqa: A002
    """``input ** exponent`` in double precision (complex128 if either is complex)."""
    values = (input, exponent)
    complex_ = any(
        isinstance(v, builtins.complex) or (isinstance(v, Tensor) and v.is_complex())
        for v in values
    )
    wide = _dtypes.complex128 if complex_ else _dtypes.float64
    like = next(v for v in values if isinstance(v, Tensor))
    base = astype(_t(input, like), wide, copy=False)
    power = astype(exponent, wide, copy=False) if isinstance(exponent, Tensor) else exponent
    return base**power


def deg2rad(input) -> Tensor:  # noqa: A002
    """Degrees to radians."""
    x = _t(input)
    return (x if x.is_floating_point() else astype(x, _dtypes.get_default_dtype())) * (
        math.pi / 180
    )


def rad2deg(input) -> Tensor:  # noqa: A002
    """Radians to degrees."""
    x = _t(input)
    return (x if x.is_floating_point() else astype(x, _dtypes.get_default_dtype())) * (
        180 / math.pi
    )


def frac(input) -> Tensor:  # noqa: A002
    """The fractional part, ``input - trunc(input)`` (its sign is the input's)."""
    x = _t(input)
    return x - trunc(x)


def logit(input, eps=None) -> Tensor:  # noqa: A002
    """``log(p / (1 - p))``, with `p` clamped to ``[eps, 1 - eps]`` when `eps` is given."""
    p = _t(input)
    if eps is not None:
        p = minimum(maximum(p, eps), 1 - eps)
    return log(p / (1 - p))


def sinc(input) -> Tensor:  # noqa: A002
    """``sin(pi x) / (pi x)``, 1 at 0 (where its derivative is 0)."""
    x = _t(input)
    if not x.is_floating_point() and not x.is_complex():
        x = astype(x, _dtypes.get_default_dtype())
    at_zero = equal(x, 0)
    safe = where(at_zero, 1.0, x) * math.pi  # no 0/0 in the branch that is not taken
    return where(at_zero, 1.0, sin(safe) / safe)


def fmax(input, other) -> Tensor:  # noqa: A002
    """The elementwise maximum, ignoring NaN (NaN only where both are)."""
    x, y = binary_operands(input, other)
    return where(isnan(y), x, where(isnan(x), y, maximum(x, y)))


def fmin(input, other) -> Tensor:  # noqa: A002
    """The elementwise minimum, ignoring NaN (NaN only where both are)."""
    x, y = binary_operands(input, other)
    return where(isnan(y), x, where(isnan(x), y, minimum(x, y)))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor:  # noqa: A002
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the
    largest and lowest finite values of the dtype)."""
    x = _t(input)
    if not x.is_floating_point():
        return x * 1
    limits = finfo(x.dtype)
    high = float(limits.max) if posinf is None else posinf
    low = float(limits.min) if neginf is None else neginf
    out = where(isnan(x), nan, x)
    return where(isinf(x), where(x > 0, high, low), out)
