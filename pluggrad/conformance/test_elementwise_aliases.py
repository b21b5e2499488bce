"""Elementwise functions: PyTorch's aliases and Tensor methods, the ``alpha`` keyword, and
the presence of every standard elementwise function.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import pluggrad as pg

from .helpers import assert_same, grads, node, t, values

# ---- aliases and Tensor methods -----------------------------------------------------------------
ALIASES = {
    "absolute": "abs", "arccos": "acos", "arccosh": "acosh", "arcsin": "asin",
    "arcsinh": "asinh", "arctan": "atan", "arctan2": "atan2", "arctanh": "atanh",
    "bitwise_not": "bitwise_invert", "div": "divide", "true_divide": "divide",
    "mul": "multiply", "sub": "subtract", "neg": "negative", "fix": "trunc",
}  # fmt: skip


def test_aliases_are_the_same_functions(backend):
    # each name has its own wrapper taking PyTorch's keywords, around one function
    for alias, name in ALIASES.items():
        assert inspect.unwrap(getattr(pg, alias)) is inspect.unwrap(getattr(pg, name)), alias


UNARY_METHODS = [
    "abs", "absolute", "acos", "arccos", "acosh", "arccosh", "asin", "arcsin", "asinh",
    "arcsinh", "atan", "arctan", "atanh", "arctanh", "ceil", "floor", "trunc", "fix", "round",
    "sign", "sgn", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt",
    "square", "reciprocal", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "relu",
    "neg", "negative", "positive", "signbit", "isnan", "isinf", "isfinite", "conj",
]  # fmt: skip
BINARY_METHODS = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "remainder", "fmod", "floor_divide", "atan2", "arctan2", "hypot", "logaddexp", "copysign",
    "nextafter", "maximum", "minimum",
]  # fmt: skip


@pytest.mark.parametrize("method", UNARY_METHODS)
def test_unary_tensor_methods(backend, method):
    data = [1.25, 1.5, 1.75] if method in ("acosh", "arccosh") else [0.25, 0.5, 0.75]
    x = t(data)
    name = ALIASES.get(method, method)
    expected = getattr(pg, name)(t(data))
    y = getattr(x, method)()
    np.testing.assert_array_equal(values(y), values(expected))
    assert (y.grad_fn is None) == (expected.grad_fn is None)
    if y.grad_fn is not None:
        assert node(y) == node(expected)


@pytest.mark.parametrize("method", BINARY_METHODS)
def test_binary_tensor_methods(backend, method):
    a, b = t([0.25, 1.5, 2.75]), t([1.25, 0.5, 2.0])
    name = ALIASES.get(method, method)
    y = getattr(a, method)(b)
    np.testing.assert_array_equal(values(y), values(getattr(pg, name)(a, b)))


def test_alpha_keyword(backend):
    a, b = t([1.0, 2.0]), t([3.0, 4.0])
    y = a.add(b, alpha=2)
    assert_same(values(y), [7.0, 10.0])
    ga, gb = grads(y, a, b)
    assert_same(ga, [1.0, 1.0])
    assert_same(gb, [2.0, 2.0])
    assert_same(values(pg.sub(a, b, alpha=0.5)), [-0.5, 0.0])
    assert_same(values(pg.add(a, 1.0, alpha=3)), [4.0, 5.0])


def test_every_standard_elementwise_function_is_here(backend):
    names = """abs acos acosh add asin asinh atan atan2 atanh bitwise_and bitwise_left_shift
        bitwise_invert bitwise_or bitwise_right_shift bitwise_xor ceil clip conj copysign cos cosh
        divide equal exp expm1 floor floor_divide greater greater_equal hypot imag isfinite isinf
        isnan less less_equal log log1p log2 log10 logaddexp logical_and logical_not logical_or
        logical_xor maximum minimum multiply negative nextafter not_equal positive pow real
        reciprocal remainder round sign signbit sin sinh square sqrt subtract tan tanh
        trunc""".split()
    missing = [n for n in names if not callable(getattr(pg, n, None))]
    assert not missing
