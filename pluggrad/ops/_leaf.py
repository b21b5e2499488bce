"""Leaf tensors made from data: the backend asked for, PyTorch's dtypes for Python numbers, and
:func:`tensor` (exported by :mod:`pluggrad.ops.creation`).

Every module of the ops layer that turns array-likes into tensors comes through here.
"""

from __future__ import annotations

import numpy as np

from .. import _dtypes
from .._core.tensor import REQUIRES_GRAD_FACTORY_DTYPE_ERROR, Tensor, _make
from .._dtypes import DType, to_dtype
from ..backends import Backend, get_backend, load_backend

__all__ = ["tensor"]


def resolve_backend(backend) -> Backend:
    """The backend a creation function's ``backend=`` names: a Backend, a name, or None for the
    active one."""
    if backend is None:
        return get_backend()
    if isinstance(backend, Backend):
        return backend
    return load_backend(backend)


def leaf(data, backend: Backend, requires_grad: bool) -> Tensor:
    """A new leaf tensor holding the native array `data` of `backend`."""
    t = _make(data, backend)
    if requires_grad:
        t._set_requires_grad(True, REQUIRES_GRAD_FACTORY_DTYPE_ERROR)
    return t


def python_dtype(array: np.ndarray) -> DType:
    """PyTorch's dtype for data given as Python numbers: float32, int64, bool, complex64."""
    kind = array.dtype.kind
    if kind == "b":
        return _dtypes.bool
    if kind in "iu":
        return _dtypes.int64
    if kind == "f":
        return _dtypes.get_default_dtype()
    if kind == "c":
        return _dtypes.default_complex_dtype()
    raise TypeError(f"can't convert data of NumPy dtype {array.dtype} to a tensor")


def native_array(data, dtype: DType | None, backend: Backend):
    """A native array of `backend` holding `data`; dtype inferred as PyTorch does if None."""
    if isinstance(data, Tensor):
        if data._backend is backend:
            array = data._data
            return array if dtype is None else backend.xp.astype(array, backend.to_native[dtype])
        data = data._backend.to_numpy(data._data)
    if isinstance(data, np.ndarray):
        return backend.asarray(data, dtype)
    if isinstance(data, backend.array_type):
        return data if dtype is None else backend.xp.astype(data, backend.to_native[dtype])
    if hasattr(data, "__dlpack__") and not isinstance(data, (list, tuple)):
        return backend.asarray(np.from_dlpack(data), dtype)
    array = np.asarray(data)
    if dtype is None:
        dtype = python_dtype(array) if array.dtype != object else None
        if dtype is None:
            raise TypeError(f"can't build a tensor from {type(data).__name__}")
    return backend.asarray(array, dtype)


def tensor(data, dtype=None, device=None, requires_grad: bool = False, *, backend=None) -> Tensor:
    """Make a new leaf tensor holding a copy of `data`.

    Parameters
    ----------
    data : array_like
        Nested sequences of Python numbers, a NumPy array, a tensor or a backend array.
    dtype : DType, optional
        Inferred as PyTorch does when omitted: Python floats give the default float dtype
        (float32), Python ints give int64, bools give bool; arrays keep their dtype.
    device : optional
        Accepted for PyTorch compatibility; the backend decides where arrays live.
    requires_grad : bool
        Whether the new leaf records operations for autograd (floating/complex dtypes only).
    backend : str or Backend, optional
        Make the tensor on this backend instead of the active one.

    Examples
    --------
    >>> pluggrad.tensor([1, 2, 3])
    tensor([1, 2, 3])
    >>> pluggrad.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    backend = resolve_backend(backend)
    dtype = None if dtype is None else to_dtype(dtype)
    array = native_array(data, dtype, backend)
    if isinstance(data, Tensor) or isinstance(data, backend.array_type):
        array = backend.copy(array)
    return leaf(array, backend, requires_grad)
