"""Elementwise functions of the array API, differentiable where the math allows.

Every elementwise function of the array API standard (2025.12) is here under its standard name,
with PyTorch's derivative values (node names and formulas live in
:mod:`pluggrad.ops.derivatives.elementwise`), plus the common PyTorch spellings (``clamp``,
``sigmoid``, ``relu``, ``arcsin``, ``true_divide``, ...) and Tensor methods.

Floating-point-only functions (``sin``, ``log``, ``atan2``, ``divide``...) promote integer and
boolean tensors to the default floating dtype first, as PyTorch does.
"""

from __future__ import annotations

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Tensor
from ._args import SCALAR_TYPES, as_tensor_arg
from ._convert import astype, binary_operands, default_float
from ._define import primitive
from ._views import imag_view, real_view

__all__ = [
    # the standard
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh",
    "bitwise_and", "bitwise_left_shift", "bitwise_invert", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "ceil", "clip", "conj", "copysign", "cos", "cosh", "divide", "equal", "exp",
    "expm1", "floor", "floor_divide", "greater", "greater_equal", "hypot", "imag", "isfinite",
    "isinf", "isnan", "less", "less_equal", "log", "log1p", "log2", "log10", "logaddexp",
    "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "multiply",
    "negative", "nextafter", "not_equal", "positive", "pow", "real", "reciprocal", "remainder",
    "round", "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan", "tanh",
    "trunc",
    # PyTorch spellings
    "absolute", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "bitwise_not", "clamp", "clamp_min", "clamp_max", "div", "eq", "exp2", "fix", "fmod", "ge",
    "gt", "le", "lt", "mul", "ne", "neg", "relu", "rsqrt", "sgn", "sigmoid", "sub",
    "true_divide",
]  # fmt: skip


# ---- argument preparation ---------------------------------------------------------------------
def _tensor(x) -> Tensor:
    return as_tensor_arg(x)


def _floating_pair(x1, x2) -> tuple:
    """Binary operands of a floating-point-only function: integer or boolean tensors become the
    other operand's floating dtype, or the default float dtype."""
    x1, x2 = binary_operands(x1, x2)
    t1, t2 = isinstance(x1, Tensor), isinstance(x2, Tensor)
    target = None
    for t, is_t in ((x1, t1), (x2, t2)):
        if is_t and t.dtype.kind in "fc":
            target = t.dtype if target is None else target
    target = target or _dtypes.get_default_dtype()
    if t1 and x1.dtype.kind in "biu":
        x1 = astype(x1, target)
    if t2 and x2.dtype.kind in "biu":
        x2 = astype(x2, target)
    return x1, x2


def _unary(name: str, doc: str, *, floating: bool = False, forward=None, node_name=None):
    prim = primitive(node_name or name, ("x",), elementwise=True, forward=forward)

    def function(x, /) -> Tensor:
        x = _tensor(x)
        if floating:
            x = default_float(x)
        return apply(prim, (x,))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.primitive = prim  # type: ignore[attr-defined]  # read by the op database
    return function


def _binary(name: str, doc: str, *, floating: bool = False, forward=None):
    prim = primitive(name, ("x1", "x2"), elementwise=True, forward=forward)

    def function(x1, x2, /) -> Tensor:
        if floating:
            x1, x2 = _floating_pair(x1, x2)
        elif type(x1) is not Tensor or type(x2) is not Tensor or x1.dtype is not x2.dtype:
            x1, x2 = binary_operands(x1, x2)
        return apply(prim, (x1, x2))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.primitive = prim  # type: ignore[attr-defined]  # read by the op database
    return function


def _is_complex_array(backend, array) -> bool:
    return backend.from_native[array.dtype].kind == "c"


def _as_array(backend, value, like):
    """A Python scalar operand as an array of `like`'s dtype (kernels the standard lacks)."""
    if isinstance(value, SCALAR_TYPES):
        return backend.xp.asarray(value, dtype=like.dtype)
    return value


# ---- forward kernels the standard lacks ------------------------------------------------------
def _sigmoid_forward(backend, x):
    xp = backend.xp
    if _is_complex_array(backend, x):
        return 1 / (1 + xp.exp(-x))
    e = xp.exp(-xp.abs(x))  # never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _tanh_forward(backend, x):
    xp = backend.xp
    y = xp.tanh(x)
    if not _is_complex_array(backend, x):
        return y
    # the standard's tanh(±inf + bj) = ±1 ± 0j, the zero signed as sin(2b) would not be
    # (NumPy and XLA sign it so)
    a, b = xp.real(x), xp.imag(x)
    at_infinity = xp.isinf(a) & xp.isfinite(b)
    limit = xp.astype(xp.sign(a), y.dtype)  # ±1 + 0j
    limit = xp.where(xp.signbit(b), xp.conj(limit), limit)  # ±1 - 0j where b is negative
    return xp.where(at_infinity, limit, y)


def _relu_forward(backend, x):
    return backend.zeros_where(x < 0, x)  # keeps NaN and -0.0, as PyTorch


def _rsqrt_forward(backend, x):
    return 1 / backend.xp.sqrt(x)


def _exp2_forward(backend, x):
    xp = backend.xp
    kernel = getattr(xp, "exp2", None)
    return kernel(x) if kernel is not None else xp.pow(2.0, x)


def _fmod_forward(backend, x1, x2):
    xp = backend.xp
    kernel = getattr(xp, "fmod", None)
    if kernel is not None:
        return kernel(x1, x2)
    x1 = _as_array(backend, x1, x2)
    x2 = _as_array(backend, x2, x1)
    r = xp.remainder(xp.abs(x1), xp.abs(x2))
    if backend.from_native[r.dtype].kind == "f":
        return xp.copysign(r, x1)
    return xp.where(x1 < 0, -r, r)


def _sign_forward(backend, x):
    if not _is_complex_array(backend, x):
        return backend.kernels["sign"](x)  # a backend may override it (jax: the sign of -0.0)
    # x / |x|, and the standard's sign(±0 ± 0j) = 0 + 0j (without NumPy's 0 / 0 warning;
    # XLA would keep the zeros' signs)
    xp = backend.xp
    zero = x == 0
    magnitude = xp.abs(x)
    s = x / xp.where(zero, xp.ones_like(magnitude), magnitude)
    return xp.where(zero, xp.zeros_like(s), s)


def _round_forward(backend, x, decimals=0):
    xp = backend.xp
    if decimals == 0:
        return xp.round(x)
    if backend.from_native[x.dtype].kind not in "fc":
        raise NotImplementedError(f'"round" with decimals is not implemented for {x.dtype}')
    if decimals > 0:
        scale = 10.0**decimals
        return xp.round(x * scale) / scale
    scale = 10.0 ** (-decimals)
    return xp.round(x / scale) * scale


def _div_rounding_forward(backend, x1, x2, rounding_mode):
    xp = backend.xp
    if rounding_mode == "floor":
        return xp.floor_divide(x1, x2)
    x1 = _as_array(backend, x1, x2)
    x2 = _as_array(backend, x2, x1)
    if backend.from_native[xp.result_type(x1, x2)].kind in "fc":
        return xp.trunc(x1 / x2)
    q = xp.floor_divide(x1, x2)  # integers: round toward zero
    inexact = xp.remainder(x1, x2) != 0
    return xp.where(inexact & ((x1 < 0) != (x2 < 0)), q + 1, q)


def _clip_forward(backend, x, min, max):  # noqa: A002 - the standard's names
    xp = backend.xp
    out = x
    if min is not None:
        out = xp.maximum(out, min)
    if max is not None:
        out = xp.minimum(out, max)  # where min > max the result is max, as in PyTorch
    return backend.copy(x) if out is x else out


def _clamp_min_forward(backend, x, min):  # noqa: A002
    return backend.xp.maximum(x, min)


def _clamp_max_forward(backend, x, max):  # noqa: A002
    return backend.xp.minimum(x, max)


# ---- arithmetic --------------------------------------------------------------------------------
_ADD = primitive("add", ("x1", "x2"), elementwise=True)
_SUBTRACT = primitive("subtract", ("x1", "x2"), elementwise=True)
_DIVIDE = primitive("divide", ("x1", "x2"), elementwise=True)
_DIV_ROUNDING = primitive(
    "div_rounding", ("x1", "x2"), elementwise=True, forward=_div_rounding_forward
)


def _scaled(x2, alpha):
    if alpha == 1:
        return x2
    return x2 * alpha if isinstance(x2, SCALAR_TYPES) else multiply(x2, alpha)


def add(x1, x2, /, *, alpha=1) -> Tensor:
    """Elementwise ``x1 + x2`` (broadcasting; Python scalars are weak).

    Parameters
    ----------
    x1, x2 : Tensor or scalar
    alpha : scalar, optional
        PyTorch's multiplier of `x2`: ``x1 + alpha * x2``.
    """
    x2 = _scaled(x2, alpha)
    if type(x1) is not Tensor or type(x2) is not Tensor or x1.dtype is not x2.dtype:
        x1, x2 = binary_operands(x1, x2)
    return apply(_ADD, (x1, x2))


def subtract(x1, x2, /, *, alpha=1) -> Tensor:
    """Elementwise ``x1 - x2`` (``x1 - alpha * x2`` with PyTorch's `alpha`)."""
    x2 = _scaled(x2, alpha)
    if type(x1) is not Tensor or type(x2) is not Tensor or x1.dtype is not x2.dtype:
        x1, x2 = binary_operands(x1, x2)
    return apply(_SUBTRACT, (x1, x2))


multiply = _binary("multiply", "Elementwise ``x1 * x2``.")


def divide(x1, x2, /, *, rounding_mode=None) -> Tensor:
    """Elementwise true division ``x1 / x2``; integers are divided as floats (PyTorch).

    Parameters
    ----------
    x1, x2 : Tensor or scalar
    rounding_mode : {None, "trunc", "floor"}, optional
        PyTorch's rounding of the quotient: ``"trunc"`` rounds toward zero, ``"floor"``
        toward negative infinity (both keep integer dtypes and have zero gradient).
    """
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        x1, x2 = binary_operands(x1, x2)
        return apply(_DIV_ROUNDING, (x1, x2), {"rounding_mode": rounding_mode})
    x1, x2 = _floating_pair(x1, x2)
    return apply(_DIVIDE, (x1, x2))


def _pow_forward(backend, x1, x2):
    # ``z ** 2`` of a complex `z` is ``z * z``: the standard's special cases for square (those of
    # multiply) and PyTorch's result; the backends' complex power loses signed zeros and
    # overflows to NaN where the product gives infinities.
    if (
        isinstance(x2, (int, float))
        and x2 == 2
        and hasattr(x1, "dtype")
        and _is_complex_array(backend, x1)
    ):
        return x1 * x1
    return backend.xp.pow(x1, x2)


pow = _binary("pow", "Elementwise ``x1 ** x2``.", forward=_pow_forward)  # noqa: A001
negative = _unary("negative", "Elementwise ``-x``.")
reciprocal = _unary("reciprocal", "Elementwise ``1 / x``.", floating=True)


def positive(x, /) -> Tensor:
    """Elementwise ``+x``: `x` itself, as in PyTorch."""
    return _tensor(x)


def square(x, /) -> Tensor:
    """Elementwise ``x * x`` (computed as ``x ** 2``: PyTorch's ``PowBackward0``)."""
    return pow(_tensor(x), 2)


floor_divide = _binary(
    "floor_divide", "Elementwise ``x1 // x2``, rounded toward negative infinity (no gradient)."
)
remainder = _binary(
    "remainder", "Elementwise remainder of ``x1 / x2`` with the sign of `x2` (Python's ``%``)."
)
fmod = _binary(
    "fmod",
    "Elementwise C-style remainder of ``x1 / x2``, with the sign of `x1` (``torch.fmod``).",
    forward=_fmod_forward,
)

# ---- exponential, logarithm, power ------------------------------------------------------------
exp = _unary("exp", "Elementwise exponential.", floating=True)
exp2 = _unary("exp2", "Elementwise ``2 ** x`` (``torch.exp2``).", floating=True,
              forward=_exp2_forward)  # fmt: skip


def _expm1_forward(backend, x):
    xp = backend.xp
    y = xp.expm1(x)
    if not _is_complex_array(backend, x):
        return y
    # the standard's expm1(±0 + 0j) = +0 + 0j (NumPy and XLA give -0 + 0j for -0 + 0j)
    return xp.where(x == 0, xp.zeros_like(y), y)


expm1 = _unary("expm1", "Elementwise ``exp(x) - 1``, accurate near 0.", floating=True,
               forward=_expm1_forward)  # fmt: skip
log = _unary("log", "Elementwise natural logarithm.", floating=True)
log1p = _unary("log1p", "Elementwise ``log(1 + x)``, accurate near 0.", floating=True)
log2 = _unary("log2", "Elementwise base-2 logarithm.", floating=True)
log10 = _unary("log10", "Elementwise base-10 logarithm.", floating=True)
logaddexp = _binary("logaddexp", "Elementwise ``log(exp(x1) + exp(x2))``.", floating=True)
sqrt = _unary("sqrt", "Elementwise square root.", floating=True)
rsqrt = _unary("rsqrt", "Elementwise ``1 / sqrt(x)`` (``torch.rsqrt``).", floating=True,
               forward=_rsqrt_forward)  # fmt: skip
hypot = _binary("hypot", "Elementwise ``sqrt(x1**2 + x2**2)`` without overflow.", floating=True)

# ---- trigonometric and hyperbolic -------------------------------------------------------------
sin = _unary("sin", "Elementwise sine.", floating=True)
cos = _unary("cos", "Elementwise cosine.", floating=True)
tan = _unary("tan", "Elementwise tangent.", floating=True)
asin = _unary("asin", "Elementwise inverse sine.", floating=True)
acos = _unary("acos", "Elementwise inverse cosine.", floating=True)
atan = _unary("atan", "Elementwise inverse tangent.", floating=True)
atan2 = _binary("atan2", "Elementwise angle of the point ``(x2, x1)`` (quadrant-aware).",
                floating=True)  # fmt: skip
sinh = _unary("sinh", "Elementwise hyperbolic sine.", floating=True)
cosh = _unary("cosh", "Elementwise hyperbolic cosine.", floating=True)
tanh = _unary("tanh", "Elementwise hyperbolic tangent.", floating=True, forward=_tanh_forward)
asinh = _unary("asinh", "Elementwise inverse hyperbolic sine.", floating=True)
acosh = _unary("acosh", "Elementwise inverse hyperbolic cosine.", floating=True)
atanh = _unary("atanh", "Elementwise inverse hyperbolic tangent.", floating=True)

# ---- activation functions (PyTorch) -----------------------------------------------------------
sigmoid = _unary("sigmoid", "Elementwise logistic function ``1 / (1 + exp(-x))``.",
                 floating=True, forward=_sigmoid_forward)  # fmt: skip
relu = _unary("relu", "Elementwise ``max(x, 0)`` (gradient 0 at 0, as PyTorch).",
              forward=_relu_forward)  # fmt: skip

_THRESHOLD_BACKWARD = primitive(
    "threshold_backward",
    ("x", "relu_output"),
    elementwise=True,
    forward=lambda backend, x, relu_output: backend.zeros_where(relu_output <= 0, x),
)


def threshold_backward(g, result) -> Tensor:
    """`g` with zeros where ``result <= 0``: relu's backward as PyTorch computes it under
    ``create_graph=True``, a function of relu's saved output (with a zero derivative), so the
    gradient it makes requires grad and a second backward runs through relu's node, as in
    PyTorch."""
    return apply(_THRESHOLD_BACKWARD, (g, result))


# ---- rounding, sign, magnitude -----------------------------------------------------------------
abs = _unary("abs", "Elementwise absolute value (gradient 0 at 0, as PyTorch).")  # noqa: A001
ceil = _unary("ceil", "Elementwise smallest integer-valued number not less than `x`.")
floor = _unary("floor", "Elementwise largest integer-valued number not greater than `x`.")
trunc = _unary("trunc", "Elementwise rounding toward zero.")
_ROUND = primitive("round", ("x",), elementwise=True, forward=_round_forward)
_SIGN = primitive("sign", ("x",), elementwise=True, forward=_sign_forward)
_SGN = primitive("sgn", ("x",), elementwise=True, forward=_sign_forward)


def round(x, /, *, decimals: int = 0) -> Tensor:  # noqa: A001 - the array API name
    """Elementwise rounding to the nearest integer, halves to even.

    Parameters
    ----------
    x : Tensor
    decimals : int, optional
        PyTorch's number of decimal places (negative: to the left of the point).
    """
    x = _tensor(x)
    return apply(_ROUND, (x,), {"decimals": int(decimals)} if decimals else None)


def sign(x, /) -> Tensor:
    """Elementwise sign: -1, 0 or 1 (``x / abs(x)`` for complex numbers, 0 at 0)."""
    x = _tensor(x)
    return apply(_SGN if x.dtype.kind == "c" else _SIGN, (x,))


def sgn(x, /) -> Tensor:
    """PyTorch's ``sgn``: the sign, ``x / abs(x)`` for complex numbers (``SgnBackward0``)."""
    return apply(_SGN, (_tensor(x),))


copysign = _binary("copysign", "Elementwise magnitude of `x1` with the sign of `x2`.",
                   floating=True)  # fmt: skip
nextafter = _binary(
    "nextafter",
    "Elementwise next representable floating-point value after `x1` toward `x2`.",
    floating=True,
)
signbit = _unary("signbit", "Elementwise test of the sign bit (true for -0.0; no gradient).")

# ---- extrema and clipping ----------------------------------------------------------------------
maximum = _binary("maximum", "Elementwise maximum (NaN propagates; ties split the gradient).")
minimum = _binary("minimum", "Elementwise minimum (NaN propagates; ties split the gradient).")
_CLIP = primitive("clip", ("x", "min", "max"), elementwise=True, forward=_clip_forward)
_CLAMP_MIN = primitive("clamp_min", ("x", "min"), elementwise=True, forward=_clamp_min_forward)
_CLAMP_MAX = primitive("clamp_max", ("x", "max"), elementwise=True, forward=_clamp_max_forward)


def _bounds(x, *bounds) -> tuple:
    """`x` and the clipping bounds, with dtypes settled: a float bound promotes an integer `x`
    (PyTorch); tensor bounds take `x`'s dtype (the standard: the result has `x`'s dtype)."""
    x = _tensor(x)
    prepared = []
    for b in bounds:
        if b is None or isinstance(b, SCALAR_TYPES):
            if isinstance(b, (float, complex)):
                x, _ = binary_operands(x, b)
        else:
            b = as_tensor_arg(b, like=x)
            if b.dtype.kind in "fc" and x.dtype.kind in "biu":
                x = astype(x, b.dtype)
        prepared.append(b)
    prepared = [
        astype(b, x.dtype) if isinstance(b, Tensor) and b.dtype is not x.dtype else b
        for b in prepared
    ]
    return (x, *prepared)


def clip(x, /, min=None, max=None) -> Tensor:  # noqa: A002 - the standard's names
    """Clamp each element of `x` to ``[min, max]``.

    Parameters
    ----------
    x : Tensor
    min, max : Tensor or scalar, optional
        Bounds (broadcast against `x`); None means unbounded.  Where ``min > max`` the result is
        `max`, as in PyTorch.  The gradient reaches `x` where ``min <= x <= max`` (inclusive)
        and each bound where it was the result.
    """
    return apply(_CLIP, _bounds(x, min, max))


def clamp(x, /, min=None, max=None) -> Tensor:  # noqa: A002
    """PyTorch's name of :func:`clip` (at least one bound is required)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return clip(x, min, max)


def clamp_min(x, /, min) -> Tensor:  # noqa: A002
    """``max(x, min)`` with PyTorch's gradient (to `x` where ``x >= min``)."""
    return apply(_CLAMP_MIN, _bounds(x, min))


def clamp_max(x, /, max) -> Tensor:  # noqa: A002
    """``min(x, max)`` with PyTorch's gradient (to `x` where ``x <= max``)."""
    return apply(_CLAMP_MAX, _bounds(x, max))


# ---- complex numbers ----------------------------------------------------------------------------
_REAL = primitive("real", ("x",), elementwise=True, view=real_view)
_IMAG = primitive("imag", ("x",), elementwise=True, view=imag_view)
_CONJ = primitive("conj", ("x",), elementwise=True)


def real(x, /) -> Tensor:
    """Real part of each element (`x` itself for real tensors, as in PyTorch)."""
    x = _tensor(x)
    return apply(_REAL, (x,)) if x.dtype.kind == "c" else x


def imag(x, /) -> Tensor:
    """Imaginary part of each element (complex tensors only, as in PyTorch)."""
    x = _tensor(x)
    if x.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return apply(_IMAG, (x,))


def conj(x, /) -> Tensor:
    """Complex conjugate of each element (`x` itself for real tensors, as in PyTorch)."""
    x = _tensor(x)
    return apply(_CONJ, (x,)) if x.dtype.kind == "c" else x


# ---- comparisons and logic (not differentiable: boolean results) -----------------------------
equal = _binary("equal", "Elementwise ``x1 == x2`` (boolean result).")
not_equal = _binary("not_equal", "Elementwise ``x1 != x2`` (boolean result).")
less = _binary("less", "Elementwise ``x1 < x2`` (boolean result).")
less_equal = _binary("less_equal", "Elementwise ``x1 <= x2`` (boolean result).")
greater = _binary("greater", "Elementwise ``x1 > x2`` (boolean result).")
greater_equal = _binary("greater_equal", "Elementwise ``x1 >= x2`` (boolean result).")
logical_and = _binary("logical_and", "Elementwise logical AND.")
logical_or = _binary("logical_or", "Elementwise logical OR.")
logical_xor = _binary("logical_xor", "Elementwise logical XOR.")
logical_not = _unary("logical_not", "Elementwise logical NOT.")
bitwise_and = _binary("bitwise_and", "Elementwise ``x1 & x2`` (integers and booleans).")
bitwise_or = _binary("bitwise_or", "Elementwise ``x1 | x2`` (integers and booleans).")
bitwise_xor = _binary("bitwise_xor", "Elementwise ``x1 ^ x2`` (integers and booleans).")
bitwise_invert = _unary("bitwise_invert", "Elementwise ``~x`` (integers and booleans).")
bitwise_left_shift = _binary("bitwise_left_shift", "Elementwise ``x1 << x2`` (integers).")
bitwise_right_shift = _binary("bitwise_right_shift", "Elementwise ``x1 >> x2`` (integers).")
isnan = _unary("isnan", "Elementwise test for NaN.")
isinf = _unary("isinf", "Elementwise test for positive or negative infinity.")
isfinite = _unary("isfinite", "Elementwise test for finite values.")

# ---- PyTorch's other names for the same functions ---------------------------------------------
absolute = abs
arccos, arccosh, arcsin, arcsinh = acos, acosh, asin, asinh
arctan, arctan2, arctanh = atan, atan2, atanh
bitwise_not = bitwise_invert
div = divide
true_divide = divide
mul = multiply
sub = subtract
neg = negative
fix = trunc
eq, ne, lt, le, gt, ge = equal, not_equal, less, less_equal, greater, greater_equal

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
        "eq", "ne", "lt", "le", "gt", "ge",
        "logical_and", "logical_or", "logical_xor", "logical_not",
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert", "bitwise_not",
        "bitwise_left_shift", "bitwise_right_shift",
        "isnan", "isinf", "isfinite", "signbit", "floor_divide",
    }
)  # fmt: skip


def _round_method(self, *, decimals: int = 0) -> Tensor:
    return round(self, decimals=decimals)


TENSOR_METHODS: dict = {
    # arithmetic
    "add": add, "sub": subtract, "subtract": subtract, "mul": multiply, "multiply": multiply,
    "div": divide, "divide": divide, "true_divide": divide, "floor_divide": floor_divide,
    "remainder": remainder, "fmod": fmod, "pow": pow, "neg": negative, "negative": negative,
    "positive": positive, "reciprocal": reciprocal, "square": square,
    # exponential, logarithm, power
    "exp": exp, "exp2": exp2, "expm1": expm1, "log": log, "log1p": log1p, "log2": log2,
    "log10": log10, "logaddexp": logaddexp, "sqrt": sqrt, "rsqrt": rsqrt, "hypot": hypot,
    # trigonometric and hyperbolic
    "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos, "atan": atan,
    "atan2": atan2, "sinh": sinh, "cosh": cosh, "tanh": tanh, "asinh": asinh, "acosh": acosh,
    "atanh": atanh, "arcsin": asin, "arccos": acos, "arctan": atan, "arctan2": atan2,
    "arcsinh": asinh, "arccosh": acosh, "arctanh": atanh,
    # activations
    "sigmoid": sigmoid, "relu": relu,
    # rounding, sign, magnitude
    "abs": abs, "absolute": abs, "ceil": ceil, "floor": floor, "trunc": trunc, "fix": trunc,
    "round": _round_method, "sign": sign, "sgn": sgn, "signbit": signbit,
    "copysign": copysign, "nextafter": nextafter,
    # extrema and clipping
    "maximum": maximum, "minimum": minimum, "clamp": clamp, "clip": clip,
    "clamp_min": clamp_min, "clamp_max": clamp_max,
    # complex numbers (``real`` and ``imag`` are attributes in PyTorch)
    "conj": conj,
    # comparisons and logic (``equal`` is not elementwise in PyTorch)
    "eq": equal, "ne": not_equal, "lt": less, "le": less_equal, "gt": greater,
    "ge": greater_equal, "not_equal": not_equal, "less": less, "less_equal": less_equal,
    "greater": greater, "greater_equal": greater_equal,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_invert,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    "isnan": isnan, "isinf": isinf, "isfinite": isfinite,
}  # fmt: skip
