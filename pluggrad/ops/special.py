"""Special functions: PyTorch's ``torch.special`` (and its top-level ``erf``, ``lgamma``,
``digamma``, ``polygamma``, ``i0``, ``mvlgamma``, ``igamma``...), on every backend.

The kernels are the backend's ``special(name, ...)``: ``jax.scipy.special`` on JAX, SciPy's
``scipy.special`` through NumPy elsewhere (the ``special`` extra).  Derivatives are PyTorch's
(:mod:`pluggrad.ops.derivatives.special`), and PyTorch's non-differentiable ones (the Bessel
functions of the first and second kind, the orthogonal polynomials, ``zeta``, the incomplete
gamma functions) are not differentiable here either.  Integer inputs compute in the default
float dtype, as in PyTorch.
"""

from __future__ import annotations

import math
import operator

from .. import _dtypes
from .._core.grad_mode import no_grad
from .._core.primitive import apply
from .._core.tensor import Tensor
from ._along_axis import log_softmax, softmax
from ._args import as_tensor_arg, tensor_method
from ._convert import astype, binary_operands
from ._define import primitive
from .composite import logit, sinc, xlogy
from .elementwise import exp2, expm1, log1p, round, sigmoid, sin  # noqa: A004
from .manipulation import where
from .reductions import logsumexp

__all__ = [
    "erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "i0", "mvlgamma", "igamma",
    "igammac",
]  # fmt: skip

# torch.special's names (pluggrad.special), the top-level ones included
SPECIAL = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
    "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit",
    "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy", "zeta",
]  # fmt: skip

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset({"igamma", "igammac"})

# the special functions derivative formulas call, as ``ns.special.<name>``
FORMULA_FUNCTIONS = ("digamma", "polygamma", "i0", "i1", "i0e", "i1e", "erf")


def _kernel(name: str):
    return lambda backend, *arrays, **params: backend.special(name, *arrays, *params.values())


def _unary(prim_name: str, kernel: str | None = None):
    return primitive(prim_name, ("x",), elementwise=True, forward=_kernel(kernel or prim_name))


_ERF = _unary("erf")
_ERFC = _unary("erfc")
_ERFINV = _unary("erfinv")
_ERFCX = _unary("erfcx")
_GAMMALN = _unary("gammaln")
_DIGAMMA = _unary("digamma")
_I0 = _unary("i0")
_I0E = _unary("i0e")
_I1 = _unary("i1")
_I1E = _unary("i1e")
_NDTR = _unary("ndtr")
_NDTRI = _unary("ndtri")
_LOG_NDTR = _unary("log_ndtr")
_ENTR = _unary("entr")
_J0, _J1, _Y0, _Y1 = (_unary(n) for n in ("j0", "j1", "y0", "y1"))
_K0, _K1, _K0E, _K1E = (_unary(n) for n in ("k0", "k1", "k0e", "k1e"))
_AIRY_AI = _unary("airy_ai", "airy")  # scipy's airy returns (Ai, Ai', Bi, Bi'): the first
_POLYGAMMA = primitive(
    "polygamma",
    ("x",),
    elementwise=True,
    forward=lambda backend, x, n: backend.special("polygamma", n, x),
)
_ZETA = primitive("zeta", ("x", "q"), elementwise=True, forward=_kernel("zeta"))
_GAMMAINC = primitive("gammainc", ("a", "x"), elementwise=True, forward=_kernel("gammainc"))
_GAMMAINCC = primitive("gammaincc", ("a", "x"), elementwise=True, forward=_kernel("gammaincc"))


def _floating(x) -> Tensor:
    x = as_tensor_arg(x)
    if x.dtype.kind in "biu":
        x = astype(x, _dtypes.get_default_dtype())
    return x


def _unary_function(prim, name: str, doc: str):
    def function(input) -> Tensor:  # noqa: A002
        return apply(prim, (_floating(input),))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


erf = _unary_function(_ERF, "erf", "The error function, ``2/sqrt(pi) * int_0^x exp(-t**2) dt``.")
erfc = _unary_function(_ERFC, "erfc", "The complementary error function, ``1 - erf(x)``.")
erfinv = _unary_function(_ERFINV, "erfinv", "The inverse of :func:`erf` (on ``(-1, 1)``).")
erfcx = _unary_function(_ERFCX, "erfcx", "The scaled complementary error function, "
                        "``exp(x**2) * erfc(x)``.")  # fmt: skip
lgamma = _unary_function(_GAMMALN, "lgamma", "``log(|Gamma(x)|)``.")
gammaln = _unary_function(_GAMMALN, "gammaln", "``log(|Gamma(x)|)`` (``lgamma``).")
digamma = _unary_function(_DIGAMMA, "digamma", "The logarithmic derivative of Gamma.")
psi = _unary_function(_DIGAMMA, "psi", "``digamma``.")
i0 = _unary_function(_I0, "i0", "The modified Bessel function of the first kind, order 0.")
i0e = _unary_function(_I0E, "i0e", "``exp(-|x|) * i0(x)``.")
i1 = _unary_function(_I1, "i1", "The modified Bessel function of the first kind, order 1.")
i1e = _unary_function(_I1E, "i1e", "``exp(-|x|) * i1(x)``.")
ndtr = _unary_function(_NDTR, "ndtr", "The standard normal distribution function.")
ndtri = _unary_function(_NDTRI, "ndtri", "The inverse of :func:`ndtr`.")
log_ndtr = _unary_function(_LOG_NDTR, "log_ndtr", "``log(ndtr(x))``, accurate far below 0.")
entr = _unary_function(_ENTR, "entr", "``-x * log(x)`` (0 at 0, -inf below).")
bessel_j0 = _unary_function(_J0, "bessel_j0", "The Bessel function of the first kind, order 0.")
bessel_j1 = _unary_function(_J1, "bessel_j1", "The Bessel function of the first kind, order 1.")
bessel_y0 = _unary_function(_Y0, "bessel_y0", "The Bessel function of the second kind, order 0.")
bessel_y1 = _unary_function(_Y1, "bessel_y1", "The Bessel function of the second kind, order 1.")
modified_bessel_i0 = _unary_function(_I0, "modified_bessel_i0", "``i0``.")
modified_bessel_i1 = _unary_function(_I1, "modified_bessel_i1", "``i1``.")
_K_DOC = "The modified Bessel function of the second kind, order {}."
modified_bessel_k0 = _unary_function(_K0, "modified_bessel_k0", _K_DOC.format(0))
modified_bessel_k1 = _unary_function(_K1, "modified_bessel_k1", _K_DOC.format(1))
scaled_modified_bessel_k0 = _unary_function(
    _K0E, "scaled_modified_bessel_k0", "``exp(x) * k0(x)``."
)
scaled_modified_bessel_k1 = _unary_function(
    _K1E, "scaled_modified_bessel_k1", "``exp(x) * k1(x)``."
)
airy_ai = _unary_function(_AIRY_AI, "airy_ai", "The Airy function Ai.")


def polygamma(n: int, input) -> Tensor:  # noqa: A002
    """The `n`-th derivative of :func:`digamma`."""
    n = operator.index(n)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return apply(_POLYGAMMA, (_floating(input),), {"n": n})


def mvlgamma(input, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma function of dimension `p`:
    ``p (p - 1) / 4 log(pi) + sum_j lgamma(x - j / 2)``."""
    x = _floating(input)
    p = operator.index(p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    total = lgamma(x)
    for j in range(1, p):
        total = total + lgamma(x - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


multigammaln = mvlgamma


def _pair(prim, a, b) -> Tensor:
    x, y = binary_operands(a, b)
    return apply(prim, (_floating(x), _floating(y)))


def zeta(input, other) -> Tensor:  # noqa: A002
    """The Hurwitz zeta function ``sum_k (k + other) ** -input`` (not differentiable)."""
    return _pair(_ZETA, input, other)


def igamma(input, other) -> Tensor:  # noqa: A002
    """The regularized lower incomplete gamma function ``P(input, other)`` (not
    differentiable, as in PyTorch)."""
    return _pair(_GAMMAINC, input, other)


def igammac(input, other) -> Tensor:  # noqa: A002
    """The regularized upper incomplete gamma function ``Q(input, other)``."""
    return _pair(_GAMMAINCC, input, other)


gammainc = igamma
gammaincc = igammac


def xlog1py(input, other) -> Tensor:  # noqa: A002
    """``input * log1p(other)``, 0 where ``input`` is 0."""
    x, y = binary_operands(input, other)
    x = _floating(x)
    zero = x == 0
    return where(zero, 0.0, x * log1p(where(zero, 0.0, y)))


def spherical_bessel_j0(input) -> Tensor:  # noqa: A002
    """``sin(x) / x`` (1 at 0); not differentiable, as in PyTorch."""
    x = _floating(input)
    with no_grad():
        at_zero = x == 0
        safe = where(at_zero, 1.0, x)
        return where(at_zero, 1.0, sin(safe) / safe)


# ---- orthogonal polynomials (not differentiable, as in PyTorch): three-term recurrences -------
def _recurrence(x, n, first, second, step) -> Tensor:
    """``p_n(x)`` from ``p_0 = first(x)``, ``p_1 = second(x)`` and
    ``p_{k+1} = step(k, x, p_k, p_{k-1})``, for an integer `n` (a number or a tensor)."""
    x = _floating(x)
    with no_grad():
        x = x.detach()
        if isinstance(n, Tensor):
            top = int(n.max().item()) if n.numel() else 0
            values = [first(x)]
            if top >= 1:
                values.append(second(x))
            for k in range(1, top):
                values.append(step(k, x, values[k], values[k - 1]))
            out = values[0] * 0
            for k, v in enumerate(values):
                out = where(n == k, v, out)
            return where(n < 0, 0.0, out)
        n = operator.index(n)
        if n < 0:
            return x * 0
        previous, current = first(x), second(x)
        if n == 0:
            return previous
        for k in range(1, n):
            previous, current = current, step(k, x, current, previous)
        return current


def chebyshev_polynomial_t(input, n) -> Tensor:  # noqa: A002
    """The Chebyshev polynomial of the first kind ``T_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: x,
                       lambda k, x, p, q: 2 * x * p - q)  # fmt: skip


def chebyshev_polynomial_u(input, n) -> Tensor:  # noqa: A002
    """The Chebyshev polynomial of the second kind ``U_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: 2 * x,
                       lambda k, x, p, q: 2 * x * p - q)  # fmt: skip


def chebyshev_polynomial_v(input, n) -> Tensor:  # noqa: A002
    """The Chebyshev polynomial of the third kind ``V_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: 2 * x - 1,
                       lambda k, x, p, q: 2 * x * p - q)  # fmt: skip


def chebyshev_polynomial_w(input, n) -> Tensor:  # noqa: A002
    """The Chebyshev polynomial of the fourth kind ``W_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: 2 * x + 1,
                       lambda k, x, p, q: 2 * x * p - q)  # fmt: skip


def shifted_chebyshev_polynomial_t(input, n) -> Tensor:  # noqa: A002
    """``T_n(2x - 1)``."""
    return chebyshev_polynomial_t(2 * _floating(input) - 1, n)


def shifted_chebyshev_polynomial_u(input, n) -> Tensor:  # noqa: A002
    """``U_n(2x - 1)``."""
    return chebyshev_polynomial_u(2 * _floating(input) - 1, n)


def shifted_chebyshev_polynomial_v(input, n) -> Tensor:  # noqa: A002
    """``V_n(2x - 1)``."""
    return chebyshev_polynomial_v(2 * _floating(input) - 1, n)


def shifted_chebyshev_polynomial_w(input, n) -> Tensor:  # noqa: A002
    """``W_n(2x - 1)``."""
    return chebyshev_polynomial_w(2 * _floating(input) - 1, n)


def hermite_polynomial_h(input, n) -> Tensor:  # noqa: A002
    """The physicists' Hermite polynomial ``H_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: 2 * x,
                       lambda k, x, p, q: 2 * x * p - 2 * k * q)  # fmt: skip


def hermite_polynomial_he(input, n) -> Tensor:  # noqa: A002
    """The probabilists' Hermite polynomial ``He_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: x,
                       lambda k, x, p, q: x * p - k * q)  # fmt: skip


def laguerre_polynomial_l(input, n) -> Tensor:  # noqa: A002
    """The Laguerre polynomial ``L_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: 1 - x,
                       lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1))  # fmt: skip


def legendre_polynomial_p(input, n) -> Tensor:  # noqa: A002
    """The Legendre polynomial ``P_n(x)``."""
    return _recurrence(input, n, lambda x: x * 0 + 1, lambda x: x,
                       lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))  # fmt: skip


TENSOR_METHODS: dict = {
    "erf": tensor_method(erf),
    "erfc": tensor_method(erfc),
    "erfinv": tensor_method(erfinv),
    "lgamma": tensor_method(lgamma),
    "digamma": tensor_method(digamma),
    "polygamma": lambda self, n: polygamma(n, self),
    "i0": tensor_method(i0),
    "mvlgamma": tensor_method(mvlgamma),
    "igamma": tensor_method(igamma),
    "igammac": tensor_method(igammac),
}

# the torch.special functions that other modules define
ALIASES = {
    "exp2": exp2, "expm1": expm1, "log1p": log1p, "round": round, "sinc": sinc, "xlogy": xlogy,
    "logit": logit, "logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
    "expit": sigmoid,
}  # fmt: skip
