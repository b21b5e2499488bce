"""Elementwise functions: float32 in, float32 out (values and gradients); integer promotion
as in PyTorch 2.13.
"""

from __future__ import annotations

import numpy as np
import pytest

import pluggrad as pg

from .helpers import grads, t, values

# ---- float32 stays float32, integers are promoted -------------------------------------------
UNARY_DOMAINS = {
    "abs": (0.2, 2.0), "acos": (-0.9, 0.9), "acosh": (1.1, 3.0), "asin": (-0.9, 0.9),
    "asinh": (-2.0, 2.0), "atan": (-2.0, 2.0), "atanh": (-0.9, 0.9), "ceil": (0.1, 0.9),
    "cos": (-2.0, 2.0), "cosh": (-2.0, 2.0), "exp": (-2.0, 2.0), "exp2": (-2.0, 2.0),
    "expm1": (-2.0, 2.0), "floor": (0.1, 0.9), "log": (0.2, 3.0), "log1p": (0.2, 3.0),
    "log2": (0.2, 3.0), "log10": (0.2, 3.0), "negative": (-2.0, 2.0),
    "reciprocal": (0.5, 2.0), "round": (0.1, 0.4), "rsqrt": (0.5, 2.0), "sigmoid": (-2.0, 2.0),
    "relu": (0.2, 2.0), "sign": (0.2, 2.0), "sgn": (0.2, 2.0), "sin": (-2.0, 2.0),
    "sinh": (-2.0, 2.0), "square": (-2.0, 2.0), "sqrt": (0.2, 3.0), "tan": (-1.0, 1.0),
    "tanh": (-2.0, 2.0), "trunc": (0.1, 0.9),
}  # fmt: skip
BINARY_FLOAT = ["add", "subtract", "multiply", "divide", "pow", "atan2", "hypot", "logaddexp",
                "copysign", "maximum", "minimum", "remainder", "fmod", "nextafter"]  # fmt: skip


@pytest.mark.parametrize("name", sorted(UNARY_DOMAINS))
def test_unary_float32_in_float32_out(backend, name):
    low, high = UNARY_DOMAINS[name]
    data = np.linspace(low, high, 5)
    x = t(data, dtype=pg.float32)
    y = getattr(pg, name)(x)
    assert y.dtype is pg.float32
    (gx,) = grads(y, x)
    assert gx.dtype == np.float32
    x64 = t(data)
    (g64,) = grads(getattr(pg, name)(x64), x64)
    np.testing.assert_allclose(values(y), values(getattr(pg, name)(x64)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx, g64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", BINARY_FLOAT)
def test_binary_float32_in_float32_out(backend, name):
    a = t([0.5, 1.5, 2.5], dtype=pg.float32)
    b = t([1.25, 0.75, 2.0], dtype=pg.float32)
    f = getattr(pg, name)
    y = f(a, b)
    assert y.dtype is pg.float32
    ga, gb = grads(y, a, b)
    assert ga.dtype == np.float32 and gb.dtype == np.float32
    y = f(a, 0.75)  # Python scalars are weak
    assert y.dtype is pg.float32
    assert grads(y, a)[0].dtype == np.float32
    y = f(0.75, b)
    assert y.dtype is pg.float32
    assert grads(y, b)[0].dtype == np.float32


def test_clip_float32(backend):
    x = t([-1.0, 0.5, 2.0], dtype=pg.float32)
    for y in (pg.clip(x, -0.5, 1.0), pg.clamp_min(x, 0.0), pg.clamp_max(x, 1.0),
              pg.clip(x, t([0.0]), t([1.0])), pg.round(x, decimals=1)):  # fmt: skip
        assert y.dtype is pg.float32
        assert grads(y, x)[0].dtype == np.float32


@pytest.mark.parametrize("name", ["sin", "exp", "sqrt", "log1p", "sigmoid", "rsqrt", "exp2",
                                  "reciprocal", "atanh", "acos"])  # fmt: skip
def test_integer_input_of_floating_function_gives_default_float(backend, name):
    ints = pg.tensor([0, 1]) if name in ("acos", "exp", "sin", "exp2") else pg.tensor([2, 3])
    if name == "atanh":
        ints = pg.tensor([0, 0])
    y = getattr(pg, name)(ints)
    assert y.dtype is pg.float32
    np.testing.assert_allclose(values(y), values(getattr(pg, name)(pg.astype(ints, pg.float32))))
    pg.set_default_dtype(pg.float64)
    assert getattr(pg, name)(ints).dtype is pg.float64


def test_integer_division_gives_default_float(backend):
    a, b = pg.tensor([4, 2]), pg.tensor([3, 4])
    for y in (pg.divide(a, b), a / b, pg.true_divide(a, 3), pg.atan2(a, b), pg.hypot(a, b)):
        assert y.dtype is pg.float32
    np.testing.assert_allclose(values(a / b), [4 / 3, 0.5], rtol=1e-6)
    y = pg.divide(a, t([2.0, 4.0]))
    assert y.dtype is pg.float64


def test_integer_results_keep_integer_dtypes(backend):
    i = pg.tensor([-3, 0, 2])
    for f in (pg.abs, pg.sign, pg.negative, pg.floor, pg.ceil, pg.round, pg.trunc, pg.square,
              pg.positive, pg.relu):  # fmt: skip
        assert f(i).dtype is pg.int64, f.__name__
    np.testing.assert_array_equal(values(pg.relu(i)), [0, 0, 2])
    np.testing.assert_array_equal(values(pg.sign(i)), [-1, 0, 1])
    np.testing.assert_array_equal(values(pg.abs(i)), [3, 0, 2])
    np.testing.assert_array_equal(values(pg.maximum(i, 1)), [1, 1, 2])
    np.testing.assert_array_equal(values(pg.remainder(pg.tensor([7, -7]), 3)), [1, 2])
    np.testing.assert_array_equal(values(pg.fmod(pg.tensor([7, -7]), 3)), [1, -1])
