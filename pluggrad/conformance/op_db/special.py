"""Op-database records: special functions.  References: ``scipy.special`` with NumPy (the
forward values), ``jax.scipy.special`` with JAX (the derivative oracle)."""

from __future__ import annotations

import math

import numpy as np

import pluggrad as pg

from ._base import OpRecord, Sample, rand


def _sp(xp):
    """The special-function module that goes with the array namespace `xp`."""
    if getattr(xp, "__name__", "").startswith("jax"):
        import jax.scipy.special  # noqa: PLC0415 - only on the jax backend's oracle runs

        return jax.scipy.special
    import scipy.special  # noqa: PLC0415 - the special extra, installed with the tests

    return scipy.special


def _unary(name, function, ref, low=-2.0, high=2.0, primitives=None):
    return OpRecord(
        name,
        function,
        ref,
        [Sample((rand(5, low=low, high=high),)), Sample((rand(2, 3, low=low, high=high),))],
        primitives or (name,),
    )


RECORDS: list[OpRecord] = [
    _unary("erf", pg.erf, lambda xp, x: _sp(xp).erf(x)),
    _unary("erfc", pg.erfc, lambda xp, x: _sp(xp).erfc(x)),
    _unary("erfinv", pg.erfinv, lambda xp, x: _sp(xp).erfinv(x), -0.9, 0.9),
    _unary(
        "erfcx",
        pg.special.erfcx,
        lambda xp, x: xp.exp(x * x) * _sp(xp).erfc(x),
        -1.5,
        1.5,
    ),
    _unary("lgamma", pg.lgamma, lambda xp, x: _sp(xp).gammaln(x), 0.3, 4.0, ("gammaln",)),
    _unary("digamma", pg.digamma, lambda xp, x: _sp(xp).digamma(x), 0.3, 4.0),
    OpRecord(
        "polygamma",
        lambda n, x: pg.polygamma(n, x),
        lambda xp, n, x: _sp(xp).polygamma(n, x),
        [Sample((1, rand(4, low=0.5, high=3.0))), Sample((2, rand(2, 2, low=0.5, high=3.0)))],
        ("polygamma",),
    ),
    _unary("i0", pg.i0, lambda xp, x: _sp(xp).i0(x)),
    _unary("i0e", pg.special.i0e, lambda xp, x: _sp(xp).i0e(x)),
    _unary("i1", pg.special.i1, lambda xp, x: _sp(xp).i1(x)),
    _unary("i1e", pg.special.i1e, lambda xp, x: _sp(xp).i1e(x)),
    _unary("ndtr", pg.special.ndtr, lambda xp, x: _sp(xp).ndtr(x)),
    _unary("ndtri", pg.special.ndtri, lambda xp, x: _sp(xp).ndtri(x), 0.1, 0.9),
    _unary("log_ndtr", pg.special.log_ndtr, lambda xp, x: _sp(xp).log_ndtr(x), -3.0, 2.0),
    _unary("entr", pg.special.entr, lambda xp, x: -x * xp.log(x), 0.2, 2.0),
    OpRecord(
        "mvlgamma",
        lambda x, p: pg.mvlgamma(x, p),
        lambda xp, x, p: (
            p * (p - 1) / 4 * math.log(math.pi) + sum(_sp(xp).gammaln(x - j / 2) for j in range(p))
        ),
        [Sample((rand(4, low=2.0, high=4.0), 1)), Sample((rand(3, low=2.0, high=4.0), 3))],
        ("gammaln",),
        functions=("mvlgamma",),
    ),
    OpRecord(
        "special.xlog1py",
        lambda x, y: pg.special.xlog1py(x, y),
        lambda xp, x, y: x * xp.log1p(y),
        [Sample((rand(4), rand(4, low=0.1, high=2.0))), Sample((rand(2, 3), np.array(0.5)))],
        ("log1p", "multiply", "where"),
        functions=("special.xlog1py",),
    ),
]
