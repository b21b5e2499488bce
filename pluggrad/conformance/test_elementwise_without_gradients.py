"""Elementwise functions without gradients: forward values and dtypes of the bitwise
functions, comparisons, logical functions, tests (``isnan``, ``signbit``...) and
``floor_divide``, as in PyTorch 2.13.
"""

from __future__ import annotations

import math

import numpy as np

import pluggrad as pg

from .helpers import assert_same, assert_values, t, values

nan, inf = math.nan, math.inf


# ---- functions without gradients -----------------------------------------------------------
def test_bitwise(backend):
    a, b = pg.tensor([12, -3]), pg.tensor([10, 6])
    cases = [
        (pg.bitwise_and(a, b), [8, 4]),
        (pg.bitwise_or(a, b), [14, -1]),
        (pg.bitwise_xor(a, b), [6, -5]),
        (pg.bitwise_invert(pg.tensor([0, -3])), [-1, 2]),
        (pg.bitwise_not(pg.tensor([0, -3])), [-1, 2]),
        (pg.bitwise_left_shift(pg.tensor([1, -8]), pg.tensor([3, 1])), [8, -16]),
        (pg.bitwise_right_shift(pg.tensor([-8, 8]), pg.tensor([1, 2])), [-4, 2]),
        (pg.bitwise_left_shift(pg.tensor([1, 2]), 3), [8, 16]),
        (pg.bitwise_and(a, 6), [4, 4]),
        (a.bitwise_xor(b), [6, -5]),
        (a.bitwise_not(), [-13, 2]),
        (a.bitwise_left_shift(1), [24, -6]),
        (a.bitwise_right_shift(1), [6, -2]),
    ]
    for y, expected in cases:
        assert y.dtype is pg.int64
        np.testing.assert_array_equal(values(y), expected)
    p, q = pg.tensor([True, True, False]), pg.tensor([True, False, False])
    assert_values(pg.bitwise_and(p, q), [True, False, False], dtype=pg.bool)
    assert_values(pg.bitwise_xor(p, q), [False, True, False], dtype=pg.bool)
    i8 = pg.tensor([1, 2], dtype=pg.int8)
    assert pg.bitwise_left_shift(i8, 2).dtype is pg.int8


def test_comparisons(backend):
    a = t([1.0, 2.0, nan], requires_grad=True)
    b = pg.tensor([[2.0], [1.0]], dtype=pg.float64)
    cases = [
        (pg.equal, [[False, True, False], [True, False, False]]),
        (pg.not_equal, [[True, False, True], [False, True, True]]),
        (pg.less, [[True, False, False], [False, False, False]]),
        (pg.less_equal, [[True, True, False], [True, False, False]]),
        (pg.greater, [[False, False, False], [False, True, False]]),
        (pg.greater_equal, [[False, True, False], [True, True, False]]),
    ]
    aliases = {pg.equal: (pg.eq, "eq"), pg.not_equal: (pg.ne, "ne"), pg.less: (pg.lt, "lt"),
               pg.less_equal: (pg.le, "le"), pg.greater: (pg.gt, "gt"),
               pg.greater_equal: (pg.ge, "ge")}  # fmt: skip
    for f, expected in cases:
        alias, method = aliases[f]
        methods = [method] if f is pg.equal else [method, f.__name__]  # x.equal: not elementwise
        for y in (f(a, b), alias(a, b), *(getattr(a, m)(b) for m in methods)):
            assert_values(y, expected, dtype=pg.bool)
            assert not y.requires_grad and y.grad_fn is None
    assert_values(pg.less(a, 1.5), [True, False, False], dtype=pg.bool)
    assert_values(pg.greater(2, pg.tensor([1, 3])), [True, False], dtype=pg.bool)


def test_logical(backend):
    p, q = pg.tensor([True, True, False, False]), pg.tensor([True, False, True, False])
    assert_values(pg.logical_and(p, q), [True, False, False, False], dtype=pg.bool)
    assert_values(pg.logical_or(p, q), [True, True, True, False], dtype=pg.bool)
    assert_values(pg.logical_xor(p, q), [False, True, True, False], dtype=pg.bool)
    assert_values(pg.logical_not(p), [False, False, True, True], dtype=pg.bool)
    assert_values(p.logical_xor(q), [False, True, True, False], dtype=pg.bool)


def test_isnan_isinf_isfinite_signbit(backend):
    x = t([1.0, inf, -inf, nan, -0.0, 0.0])
    cases = [
        (pg.isnan, [False, False, False, True, False, False]),
        (pg.isinf, [False, True, True, False, False, False]),
        (pg.isfinite, [True, False, False, False, True, True]),
        (pg.signbit, [False, False, True, False, True, False]),
    ]
    for f, expected in cases:
        for y in (f(x), getattr(x, f.__name__)()):
            assert_values(y, expected, dtype=pg.bool)
            assert not y.requires_grad
    assert_values(pg.isfinite(pg.tensor([1, 2])), [True, True], dtype=pg.bool)


def test_floor_divide(backend):
    y = pg.floor_divide(pg.tensor([7, -7, 7]), pg.tensor([2, 2, -2]))
    assert y.dtype is pg.int64
    np.testing.assert_array_equal(values(y), [3, -4, -4])
    x = t([-7.5, 7.5])
    y = pg.floor_divide(x, 2)
    assert_same(values(y), [-4.0, 3.0])
    assert not y.requires_grad  # PyTorch: "derivative for aten::floor_divide is not implemented"
    assert_same(values(x.floor_divide(2.0)), [-4.0, 3.0])
