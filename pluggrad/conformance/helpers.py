"""Small assertions shared by the tests."""

from __future__ import annotations

import numpy as np

import pluggrad


def values(t) -> np.ndarray:
    """The data of a tensor as a NumPy array (whatever its backend)."""
    return t._backend.to_numpy(t._data)


def assert_values(t, expected, *, dtype=None, rtol=1e-6, atol=1e-6) -> None:
    """Assert a tensor's values (and optionally dtype) equal `expected`."""
    assert isinstance(t, pluggrad.Tensor), f"expected a Tensor, got {type(t).__name__}"
    np.testing.assert_allclose(values(t), np.asarray(expected), rtol=rtol, atol=atol)
    if dtype is not None:
        assert t.dtype is dtype, f"dtype {t.dtype} != {dtype}"
