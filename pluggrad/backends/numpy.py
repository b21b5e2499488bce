"""The NumPy backend (the default): CPU arrays through ``array_api_compat.numpy``."""

from __future__ import annotations

import math
import operator
import sys
from typing import Any

import array_api_compat.numpy as xp
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._base import Backend, along_axis_key, conv_output_shape
from ._host_memory import keep_freed_memory

# references to a buffer's array when only the buffer holds it: the list slot, the local name
# in add_gradients and getrefcount's argument (PyPy has no reference counts: never in place)
_BUFFER_ONLY = 3
# ... to a tensor's array when only the tensor holds it (the tensor's slot, write_into's argument
# and getrefcount's), and to a gradient reaching a leaf that nothing else holds (the engine's
# buffer, _accumulate_leaf's and adopt_gradient's arguments, getrefcount's); the tests of
# test_memory.py fail if these ever let an array be shared
_TENSOR_ONLY = 3
_FIRST_GRAD_ONLY = 4
# ... to the array under a view when only that view holds it
_VIEW_BASE_ONLY = 3
_getrefcount = getattr(sys, "getrefcount", lambda obj: _FIRST_GRAD_ONLY + 1)

# the ufuncs behind Python's operators on arrays (what a traced `a + b` records)
_OPERATOR_UFUNCS = {
    operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
    operator.truediv: np.true_divide, operator.neg: np.negative,
}  # fmt: skip

# array-api-compat's wrappers that only forward to NumPy (with the arguments a trace saw, the
# dtype and dimension checks they make passed): a replayed program calls NumPy directly
_FORWARDED = {
    getattr(xp, name): getattr(np, target)
    for name, target in (
        ("matmul", "matmul"), ("matrix_transpose", "matrix_transpose"),
        ("permute_dims", "transpose"), ("tensordot", "tensordot"),
    )
}  # fmt: skip

# the integer type of each real floating type's size, for bit masks
_SAME_SIZE_INT = {np.dtype(f"float{n}"): np.dtype(f"int{n}") for n in (16, 32, 64)}


def _sole_row_major_view(view: np.ndarray) -> bool:
    """Whether `view` is a row-major view over all of an array that nothing else holds (the
    weight gradient of a linear layer, computed column-major and transposed back, or a bias
    gradient reshaped): then a leaf can keep it as its ``.grad``.  Any other view is copied in
    row-major order, as PyTorch's AccumulateGrad copies a gradient whose layout differs from
    the parameter's; adopting it would leave the optimizer's updates mixing memory orders,
    which measured slower."""
    base = view.base
    return (
        view.flags.c_contiguous
        and type(base) is np.ndarray
        and base.base is None
        and base.size == view.size
        # the view's reference, this function's name and getrefcount's argument
        and _getrefcount(base) <= _VIEW_BASE_ONLY
    )


class NumpyBackend(Backend):
    """Arrays are :class:`numpy.ndarray`; kernels come from ``array_api_compat.numpy``."""

    name = "numpy"
    library = "numpy"
    mutable = True
    xp = xp
    array_type = np.ndarray

    def native_dtype(self, dtype):
        # NumPy has float16 but no bfloat16 (ml_dtypes' one does not keep its type through
        # matmul, so the numpy backend leaves it out)
        return None if dtype.name == "bfloat16" else np.dtype(dtype.name)

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

    def write_into(self, target, values, fresh=False):
        if (
            fresh
            and values.base is None
            and _getrefcount(values) <= _TENSOR_ONLY
            and _getrefcount(target) <= _TENSOR_ONLY
            and values.flags.writeable
        ):
            # an in-place update of a tensor nothing else can see (no view, no exported array):
            # the new array takes the old one's place, as a ufunc's out= would have saved a copy
            return values
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

    in_place_kernels = {
        "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
        "divide": np.true_divide, "maximum": np.maximum, "minimum": np.minimum,
        "sqrt": np.sqrt,
    }  # fmt: skip

    def flat_view(self, array):
        return array.reshape(-1) if array.flags.c_contiguous and array.flags.writeable else None

    def adopt_gradient(self, grad):
        if (
            type(grad) is np.ndarray
            and grad.flags.writeable
            and _getrefcount(grad) <= _FIRST_GRAD_ONLY
            and (grad.base is None or _sole_row_major_view(grad))
        ):
            return grad
        return grad.copy()

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

    def convolution(self, x, w, *, stride, padding, lhs_dilation, rhs_dilation, groups):
        """The convolution on a strided view of the windows (``sliding_window_view``), one
        ``einsum`` (BLAS through its optimizer); ``tensordot`` where the kernel has more
        elements than the output (the weight's gradient: the kernel is the output's gradient).

        Measured on a 32x3x32x32 input with 16 3x3 filters (docs/reference/nn.md): einsum 1.3
        ms, matmul of an im2col 1.8 ms, tensordot 4.3 ms; for the weight's gradient (32x32
        kernel, 3x3 output) tensordot 1.5 ms, einsum 4.7 ms.
        """
        d = x.ndim - 2
        spatial, kernel = x.shape[2:], w.shape[2:]
        out_shape = conv_output_shape(spatial, kernel, stride, padding, lhs_dilation, rhs_dilation)
        n, o = x.shape[0], w.shape[0]
        if 0 in out_shape or 0 in x.shape or 0 in w.shape:
            return np.zeros((n, o, *out_shape), dtype=np.result_type(x, w))
        x = _dilated_padded(x, padding, lhs_dilation)
        extent = tuple((k - 1) * rd + 1 for k, rd in zip(kernel, rhs_dilation))
        windows = sliding_window_view(x, extent, axis=tuple(range(2, 2 + d)))
        positions = tuple(slice(None, (m - 1) * s + 1, s) for m, s in zip(out_shape, stride))
        windows = windows[_axes_key(positions + tuple(slice(None, None, r) for r in rhs_dilation))]
        cg = w.shape[1]
        windows = windows.reshape(n, groups, cg, *windows.shape[2:])
        filters = w.reshape(groups, o // groups, cg, *kernel)
        if groups == 1 and math.prod(kernel) > math.prod(out_shape):
            out = np.tensordot(windows[:, 0], filters[0], axes=(
                [1, *range(2 + d, 2 + 2 * d)], [1, *range(2, 2 + d)]))  # fmt: skip
            return np.moveaxis(out, -1, 1)
        space, window = "hijklm"[:d], "pqrstu"[:d]
        out = np.einsum(
            f"ngc{space}{window},goc{window}->ngo{space}", windows, filters, optimize=True
        )
        return out.reshape(n, o, *out_shape)

    def device_of(self, array):
        return "cpu"

    # -- the planner of compiled programs (pluggrad._trace.program) ----------------------------
    def reuse_kernel(self, fn):
        """Elementwise ufuncs (one result, no core dimensions) and the arithmetic operators:
        the ufunc itself, whose ``out=`` may be one of its operands."""
        if isinstance(fn, np.ufunc):
            return fn if fn.nout == 1 and fn.signature is None else None
        return _OPERATOR_UFUNCS.get(fn)

    def replay_kernel(self, fn):
        return _FORWARDED.get(fn, fn)

    def memory_root(self, array):
        while isinstance(array, np.ndarray) and array.base is not None:
            array = array.base
        return array

    def layout(self, array):
        if type(array) is not np.ndarray:
            return None
        return array.strides, array.base is None and array.flags.writeable

    def writable(self, array):
        return type(array) is np.ndarray and array.base is None and array.flags.writeable

    def poison(self, array):
        if type(array) is np.ndarray and array.dtype.kind in "fc" and array.flags.writeable:
            array.fill(np.nan)


def _axes_key(slices: tuple[slice, ...]) -> tuple[Any, ...]:
    """The key that applies `slices` to the last axes."""
    return (Ellipsis, *slices)


def _dilated_padded(x: np.ndarray, padding, lhs_dilation) -> np.ndarray:
    """`x` with ``lhs_dilation - 1`` zeros between the elements of each spatial axis, then
    padded with ``(lo, hi)`` zeros (negative: cropped)."""
    if any(ld != 1 for ld in lhs_dilation):
        shape = tuple((s - 1) * ld + 1 for s, ld in zip(x.shape[2:], lhs_dilation))
        dilated = np.zeros((*x.shape[:2], *shape), dtype=x.dtype)
        dilated[_axes_key(tuple(slice(None, None, ld) for ld in lhs_dilation))] = x
        x = dilated
    if all(lo == 0 and hi == 0 for lo, hi in padding):
        return x
    kept = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape[2:], padding))
    x = x[_axes_key(kept)]
    shape = tuple(s + max(lo, 0) + max(hi, 0) for s, (lo, hi) in zip(x.shape[2:], padding))
    padded = np.zeros((*x.shape[:2], *shape), dtype=x.dtype)
    padded[
        _axes_key(
            tuple(slice(max(lo, 0), max(lo, 0) + n) for n, (lo, _) in zip(x.shape[2:], padding))
        )
    ] = x
    return padded


backend = NumpyBackend()
# a step's freed arrays are reused by the next step, not returned to the system and faulted in
# again (see pluggrad.backends._host_memory; PLUGGRAD_KEEP_FREED_MEMORY=0 leaves malloc alone)
keep_freed_memory()
