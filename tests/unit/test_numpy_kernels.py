"""The NumPy backend's own kernels: ``zeros_where`` (bit for bit ``numpy.where(cond, 0, value)``)
and ``add_gradients`` (in place only when nobody else can see it)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pluggrad.backends.numpy import NumpyBackend

BACKEND = NumpyBackend()
SPECIALS = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-310, -2.5]


def _expected(cond, value):
    return np.where(cond, np.zeros_like(value), value)


def _same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a.view(f"i{a.dtype.itemsize}"), b.view(f"i{b.dtype.itemsize}"))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_special_values_keep_their_bits(dtype):
    value = np.array(SPECIALS * 2, dtype=dtype)
    cond = np.arange(value.size) % 2 == 0
    _same_bits(BACKEND.zeros_where(cond, value), _expected(cond, value))


@given(
    value=hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=32),
    ),
    data=st.data(),
)
def test_random_masks_broadcasting_and_strides(value, data):
    cond_shape = data.draw(hnp.broadcastable_shapes(value.shape, max_dims=value.ndim))
    cond = data.draw(hnp.arrays(np.bool_, cond_shape))
    strided = value.T  # a non-contiguous view
    _same_bits(BACKEND.zeros_where(cond, value), _expected(cond, value))
    cond_t = data.draw(hnp.arrays(np.bool_, strided.shape))
    _same_bits(BACKEND.zeros_where(cond_t, strided), _expected(cond_t, strided))


def test_a_value_broadcast_against_a_larger_condition():
    value = np.array(SPECIALS, dtype=np.float32)
    cond = np.array([[True], [False]]) & (np.arange(value.size) % 3 == 0)
    _same_bits(BACKEND.zeros_where(cond, value), _expected(cond, value))


def test_other_dtypes_fall_back_to_where():
    value = np.array([1 + 2j, -0.0 - 1j], dtype=np.complex128)
    cond = np.array([True, False])
    np.testing.assert_array_equal(BACKEND.zeros_where(cond, value), _expected(cond, value))
    ints = np.array([3, -4])
    np.testing.assert_array_equal(BACKEND.zeros_where(cond, ints), [0, -4])


def test_add_gradients_reuses_only_an_array_nobody_else_holds():
    buffer = [np.ones(3)]
    first = id(buffer[0])
    result = BACKEND.add_gradients(buffer, 0, np.full(3, 2.0))
    assert id(result) == first and result.tolist() == [3.0, 3.0, 3.0]

    held = np.ones(3)
    buffer = [held]
    result = BACKEND.add_gradients(buffer, 0, np.full(3, 2.0))
    assert result is not held and held.tolist() == [1.0, 1.0, 1.0]

    base = np.ones(6)
    buffer = [base[:3]]  # a view: its memory is base's
    BACKEND.add_gradients(buffer, 0, np.full(3, 2.0))
    assert base.tolist() == [1.0] * 6

    buffer = [np.ones(1)]  # broadcasting to a larger shape needs a new array
    assert BACKEND.add_gradients(buffer, 0, np.ones(3)).shape == (3,)
    buffer = [np.ones(3, dtype=np.float32)]  # so does promotion
    assert BACKEND.add_gradients(buffer, 0, np.ones(3)).dtype == np.float64
