"""The NumPy backend (the default): CPU arrays through ``array_api_compat.numpy``."""

from __future__ import annotations

import sys
from typing import Any

import array_api_compat.numpy as xp
import numpy as np

from ._base import Backend, along_axis_key

# references to a buffer's array when only the buffer holds it: the list slot, the local name
# in add_gradients and getrefcount's argument (PyPy has no reference counts: never in place)
_BUFFER_ONLY = 3
_getrefcount = getattr(sys, "getrefcount", lambda obj: _BUFFER_ONLY + 1)

# the integer type of each real floating type's size, for bit masks
_SAME_SIZE_INT = {np.dtype(f"float{n}"): np.dtype(f"int{n}") for n in (16, 32, 64)}


class NumpyBackend(Backend):
    """Arrays are :class:`numpy.ndarray`; kernels come from ``array_api_compat.numpy``."""

    name = "numpy"
    library = "numpy"
    mutable = True
    xp = xp
    array_type = np.ndarray

    def native_dtype(self, dtype):
        return np.dtype(dtype.name)

    def zeros_where(self, cond, value):
        """``where(cond, 0, value)``, bit for bit, for real floating arrays without a branch
        per element: the value's bits ANDed with a mask that is all ones where `cond` is False.

        NumPy's ``where`` branches per element: with a random mask (relu's) it is several times
        slower than this (benchmarks/README.md, Kernels).  NaN, infinities and the sign of kept
        zeros are preserved; zeroed elements are +0.0, as with ``where``.
        """
        bits = _SAME_SIZE_INT.get(getattr(value, "dtype", None))
        if bits is None or not isinstance(value, np.ndarray):
            return super().zeros_where(cond, value)
        mask = np.asarray(cond, dtype=bits)  # 1 where zeroed, 0 where kept (a new array)
        mask -= 1  # all ones where kept, 0 where zeroed
        if mask.shape != value.shape:  # one of them broadcasts
            return np.bitwise_and(value.view(bits), mask).view(value.dtype)
        np.bitwise_and(value.view(bits), mask, out=mask)  # the result, in the mask's memory
        return mask.view(value.dtype)

    def asarray(self, obj, dtype=None):
        return np.asarray(obj, dtype=None if dtype is None else self.to_native[dtype])

    def normalize(self, result: Any) -> np.ndarray:
        # NumPy returns scalars (np.float64, ...) for 0-d results; tensors always hold arrays.
        return np.asarray(result)

    def to_numpy(self, array):
        return array

    def copy(self, array):
        return array.copy()

    def write_into(self, target, values):
        if (
            target.base is None
            and target.flags.writeable
            and target.shape == values.shape
            and target.dtype == values.dtype
        ):
            np.copyto(target, values)
            return target
        return values

    def put(self, array, positions, values):
        if array.base is None and array.flags.writeable:
            np.put(array, positions, values)
            return array
        out = array.copy()
        np.put(out, positions, values)
        return out

    def write_through(self, root, view, values):
        # `view` is a NumPy view of the array that owns the root's memory: write into it
        if view.base is root and root.base is None and view.flags.writeable:
            np.copyto(view, values)
            return True
        return False

    def shares_memory_with(self, view, root):
        return view.base is root and root.base is None

    def accumulate(self, total, grad):
        if total.flags.writeable and total.shape == grad.shape and total.dtype == grad.dtype:
            np.add(total, grad, out=total)
            return total
        return total + grad

    def add_gradients(self, buffer, index, grad):
        """Add in place when the buffer's array is referenced by the buffer alone (CPython's
        reference count) and owns its memory; otherwise allocate, as ``+`` does.

        Gradients often alias: ``add``'s backward hands the same array to both inputs, a
        retained ``.grad`` or a hook may keep one, a formula may return a view.  Any of these
        raises the count or sets ``base``, so only an array nobody else can observe is reused.
        A fan-out of large inputs (W4's ``x`` feeds four operations) then sums without a new
        array per contribution.
        """
        current = buffer[index]
        if (
            type(current) is np.ndarray
            and _getrefcount(current) <= _BUFFER_ONLY
            and current.base is None
        ):
            return self.accumulate(current, grad)  # in place when shape and dtype allow
        return current + grad

    def scatter_add(self, values, key, shape):
        out = np.zeros(shape, dtype=values.dtype)
        np.add.at(out, key, values)
        return out

    def put_along_axis_add(self, values, indices, axis, shape):
        out = np.zeros(shape, dtype=values.dtype)
        np.add.at(out, along_axis_key(np, indices, axis), values)
        return out

    def device_of(self, array):
        return "cpu"


backend = NumpyBackend()
