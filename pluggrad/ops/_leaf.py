"""Leaf tensors made from data: the backend asked for, PyTorch's dtypes for Python numbers, and
:func:`tensor` (exported by :mod:`pluggrad.ops.creation`).

Every module of the ops layer that turns array-likes into tensors comes through here.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _device, _dtypes
from .._core.tensor import REQUIRES_GRAD_FACTORY_DTYPE_ERROR, Tensor, _make
from .._device import as_device, entered_device
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


_default_device: _device.device | None = None


def set_default_device(device) -> None:
    """Make `device` (``"cuda"``, a :class:`~pluggrad.device`, or None for the backend's
    own default) where the creation functions put tensors when not told."""
    global _default_device
    _default_device = as_device(device)


def get_default_device() -> _device.device:
    """Where the creation functions put tensors when not told: the device set by
    :func:`set_default_device` or entered with ``with pluggrad.device(...)``, else where the
    active backend makes arrays (``device(type='cpu')`` for NumPy)."""
    chosen = entered_device() or _default_device
    if chosen is not None:
        return chosen
    backend = get_backend()
    return backend.torch_device(backend.device_of(backend.xp.asarray(0)))


def place(array, backend: Backend, wanted=None):
    """`array` moved to the device `wanted` (a device, its name, or None for the default
    device), as the creation functions place what they make."""
    if wanted is not None and not isinstance(wanted, (_device.device, str, int)):
        return backend.move(array, wanted)  # one of the library's own devices
    target = as_device(wanted) or entered_device() or _default_device
    if target is None:
        return array
    native = backend.native_device(target)
    return array if native is None else backend.move(array, native)


def device_like(x: Tensor, same_shape: bool):
    """Where a tensor made from `x` goes when not told (PyTorch: `x`'s device).  An array laid
    out over several devices (a JAX sharding: the only arrays whose ``device_of`` is a set)
    gives its layout to a tensor of its shape, and a replica on each of its devices to any
    other (``JaxBackend.layout_like``)."""
    where = x._backend.device_of(x._data)
    if isinstance(where, (set, frozenset)):
        return x._backend.layout_like(x._data, same_shape)  # type: ignore[attr-defined]
    return x.device


def leaf(data, backend: Backend, requires_grad: bool, device=None) -> Tensor:
    """A new leaf tensor holding the native array `data` of `backend`, on `device` (a device,
    its name, or None for the default device)."""
    t = _make(place(data, backend, device), backend)
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


COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than "
    "torch.tensor(sourceTensor)."
)
SCALAR_OF_GRAD_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_warned_scalar_of_grad = False


def _warn_scalar_of_grad() -> None:
    """PyTorch's warning for reading a tensor that requires grad as a number, once a process
    (PyTorch warns once too)."""
    global _warned_scalar_of_grad
    _warned_scalar_of_grad = True
    warnings.warn(SCALAR_OF_GRAD_WARNING, UserWarning, stacklevel=5)


def _scalars_of_tensors(data, dtypes: list):
    """`data` (nested lists and tuples) with each tensor in it replaced by its value as a
    Python number, as PyTorch reads them (one-element tensors only, a warning for those that
    require grad); the dtype of every number goes into `dtypes`."""
    if isinstance(data, (list, tuple)):
        return [_scalars_of_tensors(item, dtypes) for item in data]
    if isinstance(data, Tensor):
        if data.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if data._requires_grad and not _warned_scalar_of_grad:
            _warn_scalar_of_grad()
        dtypes.append(data.dtype)
        return data._backend.to_numpy(data._data).item()
    if isinstance(data, (np.generic, np.ndarray)):  # NumPy's values keep their dtype
        dtypes.append(to_dtype(data.dtype.name))
        return data
    dtypes.append(python_dtype(np.asarray(data)))
    return data


def _joint_dtype(dtypes: list) -> DType:
    """The dtype PyTorch gives a sequence whose elements have these dtypes: the highest kind
    (bool < integer < floating < complex), at the largest size among its members."""
    top = max(_KIND_RANK[d.kind] for d in dtypes)
    members = [d for d in dtypes if _KIND_RANK[d.kind] == top]
    widest = max(members, key=lambda d: d.itemsize)
    if top == 3 and any(d.kind == "f" and d.itemsize == 8 for d in dtypes):
        return _dtypes.complex128
    return widest


def _holds_tensors(data) -> bool:
    """Whether nested sequences hold a tensor or a NumPy value, whose dtypes PyTorch keeps."""
    if isinstance(data, (Tensor, np.generic, np.ndarray)):
        return True
    return isinstance(data, (list, tuple)) and any(_holds_tensors(item) for item in data)


def _ragged_error(data) -> Exception:
    """PyTorch's error for nested sequences of unequal lengths: the lengths are those of the
    first element at each depth, and the first sequence (depth first) that differs is named."""
    sizes = []
    first = data
    while isinstance(first, (list, tuple)):
        sizes.append(len(first))
        first = first[0] if first else None

    def check(seq, dim: int) -> Exception | None:
        if len(seq) != sizes[dim]:
            return ValueError(
                f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(seq)})"
            )
        for item in seq:
            deeper = dim + 1 < len(sizes)
            if deeper != isinstance(item, (list, tuple)):
                return TypeError("not a sequence" if deeper else "only scalars are expected")
            found = check(item, dim + 1) if deeper else None
            if found is not None:
                return found
        return None

    return check(data, 0) or ValueError("the nested sequences have unequal lengths")


def native_array(data, dtype: DType | None, backend: Backend):
    """A native array of `backend` holding `data`; dtype inferred as PyTorch does if None.

    Tensors inside nested sequences count as the numbers they hold, NumPy scalars and arrays
    with their dtypes (PyTorch's rule).
    """
    if isinstance(data, (list, tuple)) and _holds_tensors(data):
        dtypes: list[DType] = []
        data = _scalars_of_tensors(data, dtypes)
        if dtype is None and dtypes:
            dtype = _joint_dtype(dtypes)
    if isinstance(data, Tensor):
        if data._backend is backend:
            array = data._data
            return array if dtype is None else backend.xp.astype(array, backend.to_native[dtype])
        data = data._backend.to_numpy(data._data)
    if isinstance(data, (np.ndarray, np.generic)):  # a NumPy scalar keeps its dtype too
        return backend.asarray(np.asarray(data), dtype)
    if isinstance(data, backend.array_type):
        return data if dtype is None else backend.xp.astype(data, backend.to_native[dtype])
    if hasattr(data, "__dlpack__") and not isinstance(data, (list, tuple)):
        return backend.asarray(np.from_dlpack(data), dtype)
    try:
        array = np.asarray(data)
    except ValueError:  # NumPy's words for ragged lists; PyTorch's are shorter
        raise _ragged_error(data) from None
    if dtype is None:
        dtype = python_dtype(array) if array.dtype != object else None
        if dtype is None:
            raise TypeError(f"can't build a tensor from {type(data).__name__}")
    return backend.asarray(array, dtype)


def tensor(
    data, dtype=None, device=None, requires_grad: bool = False, *, backend=None, chunks=None
) -> Tensor:
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
    chunks : optional
        How to split the array, on a backend of chunked arrays (Dask's spellings: ``1000``,
        ``(1000, -1)``, ``"auto"``); other backends refuse it (TypeError).

    Examples
    --------
    >>> pluggrad.tensor([1, 2, 3])
    tensor([1, 2, 3])
    >>> pluggrad.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    backend = resolve_backend(backend)
    dtype = None if dtype is None else to_dtype(dtype)
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT_WARNING, UserWarning, stacklevel=2)
    array = native_array(data, dtype, backend)
    if isinstance(data, Tensor) or isinstance(data, backend.array_type):
        array = backend.copy(array)
    return leaf(backend.rechunk(array, chunks), backend, requires_grad, device)
