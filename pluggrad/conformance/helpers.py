"""Small assertions and builders shared by the tests."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pluggrad as pg


def values(t) -> np.ndarray:
    """The data of a tensor as a NumPy array (whatever its backend)."""
    return t._backend.to_numpy(t._data)


def assert_values(t, expected, *, dtype=None, rtol=1e-6, atol=1e-6) -> None:
    """Assert a tensor's values (and optionally dtype) equal `expected`."""
    assert isinstance(t, pg.Tensor), f"expected a Tensor, got {type(t).__name__}"
    np.testing.assert_allclose(values(t), np.asarray(expected), rtol=rtol, atol=atol)
    if dtype is not None:
        assert t.dtype is dtype, f"dtype {t.dtype} != {dtype}"


def raises_runtime(message_start: str):
    """``pytest.raises(RuntimeError)`` whose message must start with `message_start`."""
    return pytest.raises(RuntimeError, match="^" + re.escape(message_start))


# ---- the engine tests (test_engine_*.py) ------------------------------------------------------


def leaf(data, dtype=None):
    """A leaf tensor on the active backend that requires grad."""
    return pg.tensor(data, dtype=dtype, requires_grad=True)


# ---- the elementwise tests (test_elementwise_*.py) --------------------------------------------


def t(data, dtype=pg.float64, requires_grad=True):
    """A float64 leaf that requires grad (another dtype, or none, on request)."""
    return pg.tensor(data, dtype=dtype, requires_grad=requires_grad)


def grads(y, *inputs, cotangent=None):
    """The gradients of `y` (with `cotangent`, ones by default) for `inputs`, as NumPy arrays."""
    cotangent = pg.ones_like(y) if cotangent is None else cotangent
    return [values(g) for g in pg.autograd.grad(y, list(inputs), cotangent)]


def node(y) -> str:
    """The class name of `y`'s backward node, e.g. ``"AbsBackward0"``."""
    return type(y.grad_fn).__name__


def assert_same(actual, expected):
    """Equal values, NaN where expected, and the same sign on zeros."""
    actual, expected = np.asarray(actual), np.asarray(expected, dtype=actual.dtype)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0, equal_nan=True)
    zeros = expected == 0
    np.testing.assert_array_equal(np.signbit(actual[zeros]), np.signbit(expected[zeros]))


def backend_dtype(dtype) -> pg.DType:
    """`dtype` (a DType or its name), skipping the test where the active backend's library
    lacks it (the 16-bit floats outside the array API standard)."""
    dtype = getattr(pg, dtype) if isinstance(dtype, str) else dtype
    backend = pg.get_backend()
    if dtype not in backend.to_native:
        pytest.skip(f"the {backend.name} backend has no {dtype.name}")
    return dtype
