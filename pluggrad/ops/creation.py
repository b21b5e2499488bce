"""Creating tensors: ``tensor``, ``asarray``, ``zeros``, ``arange``, ``linspace``, ``*_like``...

Creation functions make leaves on the active backend (see :mod:`pluggrad.backends`), on the one
their ``backend=`` names (a name or a :class:`~pluggrad.backends.Backend`: ``tensor``,
``asarray``, ``zeros``, ``ones``, ``empty``, ``full``, ``arange``, ``linspace``, ``eye``), or for
``*_like`` on the backend of the tensor they are given.  They accept PyTorch's spellings
(``zeros(2, 3)``, ``requires_grad=True``) as well as the array API's (``zeros((2, 3))``).
Python floats become the default float dtype (float32) and Python ints become int64, as in
PyTorch.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from .. import _dtypes
from .._core.primitive import apply
from .._core.tensor import Size, Tensor
from .._core.tensor import _init as init_tensor
from .._dtypes import to_dtype
from ..backends import Backend, get_backend
from ._args import as_tensor_arg
from ._convert import astype, clone
from ._define import primitive
from ._devices import to_device
from ._leaf import (
    device_like,
    get_default_device,
    leaf,
    native_array,
    place,
    python_dtype,
    resolve_backend,
    set_default_device,
    tensor,
)
from ._shape import broadcast_to, reshape

__all__ = [
    "tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "full", "empty", "arange",
    "linspace", "logspace", "eye", "zeros_like", "ones_like", "full_like", "empty_like",
    "meshgrid", "tril", "triu", "set_default_device", "get_default_device", "tril_indices",
    "triu_indices",
]  # fmt: skip
# functions that take no tensor: bound to a backend in its differentiable namespace
BACKEND_CREATORS = (
    "tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "full", "empty", "arange",
    "linspace", "logspace", "eye", "tril_indices", "triu_indices",
)  # fmt: skip


def asarray(obj, /, *, dtype=None, device=None, copy=None, backend=None, chunks=None) -> Tensor:
    """Convert `obj` to a tensor, without copying when it already is one (array API).

    A tensor is returned as it is (graph and all) unless a `dtype` change or ``copy=True``
    asks for a new one.  `chunks` (Dask's spelling) splits the new tensor's array, on a backend
    of chunked arrays (``"dask"``: a dask array keeps its chunks, other data is chunked
    ``"auto"``).
    """
    if isinstance(obj, Tensor) and device is not None:
        obj = to_device(obj, device)
    if isinstance(obj, Tensor) and (dtype is None or to_dtype(dtype) is obj.dtype):
        if copy:
            return clone(obj)
        return obj
    if isinstance(obj, Tensor) and obj._backend is resolve_backend(backend):
        return astype(obj, to_dtype(dtype))
    return tensor(obj, dtype=dtype, device=device, backend=backend, chunks=chunks)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor holding `array`; shares its memory on the NumPy backend."""
    backend = get_backend()
    return leaf(backend.asarray(array) if backend.name != "numpy" else array, backend, False)


def _shape(size) -> tuple[int, ...]:
    """PyTorch's ``zeros(2, 3)`` and the standard's ``zeros((2, 3))`` both mean (2, 3)."""
    if len(size) == 1 and isinstance(size[0], Sequence):
        size = tuple(size[0])
    shape = tuple(int(n) for n in size)
    negative = [n for n in shape if n < 0]
    if negative:
        raise NegativeDimensionError(
            f"Trying to create tensor with negative dimension {negative[0]}: {list(shape)}"
        )
    return shape


class NegativeDimensionError(RuntimeError, ValueError):
    """A negative length in a shape: PyTorch's RuntimeError, and NumPy's ValueError."""


def _filled(fill_value, size, dtype, requires_grad, backend=None, device=None, chunks=None):
    backend = resolve_backend(backend)
    if dtype is None:
        dtype = python_dtype(np.asarray(fill_value))
    dtype = to_dtype(dtype)
    native = backend.to_native[dtype]
    data = backend.rechunk(backend.xp.full(_shape(size), fill_value, dtype=native), chunks)
    return leaf(data, backend, requires_grad, device)


def _size_of(shape, size: tuple, size_kw) -> tuple:
    """The shape of a creation function, spelled as the standard's ``zeros((2, 3))`` or
    ``zeros(shape=(2, 3))``, PyTorch's ``zeros(2, 3)`` or its ``zeros(size=(2, 3))``."""
    if size_kw is not None:
        if shape is not None or size:
            raise TypeError("the shape was given both positionally and as size=")
        return (size_kw,)
    if shape is None:
        if size:
            raise TypeError("the shape was given both positionally and as shape=")
        return ()
    return (shape, *size)


def zeros(shape=None, *size, dtype=None, device=None, requires_grad: bool = False,
          backend=None, chunks=None, **kwargs) -> Tensor:  # fmt: skip
    """A tensor of zeros of the given shape (default dtype float32); `chunks`: Dask's, on a
    backend of chunked arrays (as for every creation function)."""
    size = _size_of(shape, size, _pop_size(kwargs, "zeros"))
    dtype = dtype or _dtypes.get_default_dtype()
    return _filled(0.0, size, dtype, requires_grad, backend, device, chunks)


def ones(shape=None, *size, dtype=None, device=None, requires_grad: bool = False,
         backend=None, chunks=None, **kwargs) -> Tensor:  # fmt: skip
    """A tensor of ones of the given shape (default dtype float32)."""
    size = _size_of(shape, size, _pop_size(kwargs, "ones"))
    dtype = dtype or _dtypes.get_default_dtype()
    return _filled(1.0, size, dtype, requires_grad, backend, device, chunks)


def empty(shape=None, *size, dtype=None, device=None, requires_grad: bool = False,
          backend=None, chunks=None, **kwargs) -> Tensor:  # fmt: skip
    """A tensor of the given shape; its values are unspecified (zeros on every backend here)."""
    size = _size_of(shape, size, _pop_size(kwargs, "empty"))
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad, backend=backend,
                 chunks=chunks)  # fmt: skip


def _pop_size(kwargs: dict, name: str):
    """PyTorch's ``size=`` keyword; any other unknown keyword is an error."""
    size = kwargs.pop("size", None)
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    return size


_NO_FILL = object()


def full(shape=None, fill_value=_NO_FILL, *, size=None, dtype=None, device=None,
         requires_grad: bool = False, backend=None, chunks=None) -> Tensor:  # fmt: skip
    """A tensor of the given shape (the standard's ``shape``, PyTorch's ``size``) filled with
    `fill_value` (dtype inferred from it)."""
    if (shape is None) == (size is None):
        raise TypeError("full() takes the shape once: positionally, as shape= or as size=")
    if fill_value is _NO_FILL:
        raise TypeError("full() missing required argument 'fill_value'")
    shape = shape if size is None else size
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _filled(fill_value, shape, dtype, requires_grad, backend, device, chunks)


def arange(start, stop=None, step=1, *, dtype=None, device=None, requires_grad=False,
           backend=None, chunks=None) -> Tensor:  # fmt: skip
    """Evenly spaced values in ``[start, stop)``: int64 for integer arguments, else float32."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        integral = all(isinstance(v, numbers.Integral) for v in (start, stop, step))
        dtype = _dtypes.int64 if integral else _dtypes.get_default_dtype()
    backend = resolve_backend(backend)
    data = backend.xp.arange(start, stop, step, dtype=backend.to_native[to_dtype(dtype)])
    return leaf(backend.rechunk(data, chunks), backend, requires_grad, device)


_COMPLEX = (_dtypes.complex64, _dtypes.complex128)


def linspace(start, stop, /, num=None, *, steps=None, dtype=None, device=None,
             endpoint: bool = True, requires_grad: bool = False,
             backend=None, chunks=None) -> Tensor:  # fmt: skip
    """`num` (PyTorch: `steps`) evenly spaced values from `start` to `stop` (float32)."""
    num = steps if num is None else num
    if num is None:
        raise TypeError("linspace() missing required argument 'steps'")
    if dtype is None:
        # the standard: complex `start` or `stop` makes a tensor of the default complex dtype
        complex_ = any(isinstance(v, complex) or getattr(v, "dtype", None) in _COMPLEX
                       for v in (start, stop))  # fmt: skip
        dtype = _dtypes.get_default_dtype()
        if complex_:
            dtype = _dtypes.complex128 if dtype is _dtypes.float64 else _dtypes.complex64
    backend = resolve_backend(backend)
    native = backend.to_native[to_dtype(dtype)]
    data = backend.xp.linspace(start, stop, int(num), dtype=native, endpoint=endpoint)
    return leaf(backend.rechunk(data, chunks), backend, requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False, backend=None) -> Tensor:  # fmt: skip
    """PyTorch's ``logspace``: `steps` values ``base ** e`` for exponents evenly spaced from
    `start` to `end` (the default float dtype)."""
    dtype = _dtypes.get_default_dtype() if dtype is None else to_dtype(dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    # as PyTorch's CPU kernel: the exponents in float64, the first half counted up from `start`
    # and the second down from `end` (so both ends are exact), then cast to `dtype`
    native = np.dtype(dtype.name)
    start, end = (native.type(v.item() if isinstance(v, Tensor) else v) for v in (start, end))
    step = float(end - start) / (steps - 1) if steps > 1 else 0.0
    start, end = float(start), float(end)
    i = np.arange(steps)
    exponents = np.where(i < steps // 2, start + step * i, end - step * (steps - i - 1))
    values = np.power(float(base), exponents).astype(dtype.name)
    out = asarray(values, device=device, backend=backend)
    return out.requires_grad_() if requires_grad else out


def eye(n_rows, n_cols=None, /, *, k: int = 0, dtype=None, device=None,
        requires_grad: bool = False, backend=None, chunks=None) -> Tensor:  # fmt: skip
    """A 2-D tensor with ones on the `k`-th diagonal."""
    backend = resolve_backend(backend)
    native = backend.to_native[to_dtype(dtype or _dtypes.get_default_dtype())]
    data = backend.xp.eye(n_rows, n_cols, k=k, dtype=native)
    return leaf(backend.rechunk(data, chunks), backend, requires_grad, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None, backend=None) -> Tensor:  # fmt: skip
    """PyTorch's ``tril_indices``: the coordinates of a ``row x col`` matrix's lower triangle
    (on and below the `offset`-th diagonal) as a ``(2, N)`` tensor, row by row (int64 by
    default)."""
    return _triangle_indices(np.tril_indices, row, col, offset, dtype, device, backend)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None, backend=None) -> Tensor:  # fmt: skip
    """PyTorch's ``triu_indices``: the coordinates of a ``row x col`` matrix's upper triangle
    (on and above the `offset`-th diagonal) as a ``(2, N)`` tensor, row by row."""
    return _triangle_indices(np.triu_indices, row, col, offset, dtype, device, backend)


def _triangle_indices(indices, row: int, col: int, offset: int, dtype, device, backend) -> Tensor:
    for name, value in (("row", row), ("col", col)):
        if value < 0:
            raise RuntimeError(f"{name} must be non-negative, got{value}")
    dtype = _dtypes.int64 if dtype is None else to_dtype(dtype)
    if dtype not in (_dtypes.int64, _dtypes.int32):
        raise RuntimeError(f"\"tril_indices\" not implemented for '{dtype.torch_name}'")
    coordinates = np.stack(indices(row, offset, col)).astype(dtype.name)
    return asarray(coordinates, device=device, backend=backend)


def _like(x: Tensor, fill_value, dtype, requires_grad, device) -> Tensor:
    dtype = x.dtype if dtype is None else to_dtype(dtype)
    if device is None:  # PyTorch: the input's device
        device = device_like(x, same_shape=True)
    return _filled(fill_value, tuple(x.shape), dtype, requires_grad, x._backend, device)


def zeros_like(x, /, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape, dtype and backend of `x`."""
    return _like(x, 0, dtype, requires_grad, device)


def ones_like(x, /, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape, dtype and backend of `x`."""
    return _like(x, 1, dtype, requires_grad, device)


def empty_like(x, /, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor with the shape, dtype and backend of `x` (values unspecified: zeros here)."""
    return _like(x, 0, dtype, requires_grad, device)


def full_like(x, /, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """`fill_value` everywhere, with the shape, dtype and backend of `x`."""
    return _like(x, fill_value, dtype, requires_grad, device)


def legacy_init(self: Tensor, *args, device=None) -> None:
    """``Tensor(*args, device=None)``, PyTorch's legacy constructor (see :class:`Tensor`).

    The tensor is made on the active backend, on `device` when one is given.

    Raises
    ------
    RuntimeError
        If `device` is not a device of the active backend.
    """
    backend = get_backend()
    data = legacy_tensor_data(backend, args)
    init_tensor(self, place(data, backend, device), backend)


def legacy_tensor_data(backend: Backend, args: tuple, dtype=None):
    """Data for PyTorch's legacy ``Tensor(...)`` constructor: always the default float dtype
    (or `dtype`, for ``LongTensor(...)`` and the other legacy types).

    ``Tensor(data)`` converts `data`; ``Tensor(2, 3)`` makes a 2x3 tensor (of zeros here:
    PyTorch leaves it uninitialised); ``Tensor()`` makes an empty one.
    """
    dtype = dtype or _dtypes.get_default_dtype()
    native = backend.to_native[dtype]
    if not args:
        return backend.xp.zeros((0,), dtype=native)
    if all(isinstance(a, numbers.Integral) for a in args) and not isinstance(args[0], bool):
        return backend.xp.zeros(tuple(int(a) for a in args), dtype=native)
    if len(args) == 1 and isinstance(args[0], Size):
        return backend.xp.zeros(tuple(args[0]), dtype=native)
    if len(args) != 1:
        raise TypeError(f"Tensor() takes data or sizes, got {args!r}")
    return native_array(args[0], dtype, backend)


_TRIL = primitive("tril", ("x",))
_TRIU = primitive("triu", ("x",))


def tril(x, /, diagonal: int | None = None, *, k: int = 0) -> Tensor:
    """The lower triangle of the matrices in `x` (zeros above the `k`-th diagonal).

    ``diagonal`` (positional or keyword) is PyTorch's name for `k`.
    """
    return _triangle(_TRIL, x, k if diagonal is None else diagonal)


def triu(x, /, diagonal: int | None = None, *, k: int = 0) -> Tensor:
    """The upper triangle of the matrices in `x` (zeros below the `k`-th diagonal)."""
    return _triangle(_TRIU, x, k if diagonal is None else diagonal)


def _triangle(prim, x, k: int) -> Tensor:
    x = as_tensor_arg(x)
    if x.ndim < 2:
        raise RuntimeError(f"{prim.name}: input tensor must have at least 2 dimensions")
    return apply(prim, (x,), {"k": int(k)})


def meshgrid(*arrays, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors (``indexing="xy"`` or ``"ij"``), a tuple (PyTorch's,
    and the standard's since 2025.12); differentiable.  Without `indexing`: ``"xy"`` (the
    standard), or PyTorch's ``"ij"`` with its warning while pluggrad.as_torch stands for
    torch."""
    if len(arrays) == 1 and isinstance(arrays[0], (list, tuple)):
        arrays = tuple(arrays[0])
    if indexing is None and _dtypes.acts_as_torch():
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    elif indexing is None:
        indexing = "xy"
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', got {indexing!r}")
    n = len(arrays)
    sizes = [a.numel() for a in arrays]
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, a in enumerate(arrays):
        axis = i
        if indexing == "xy" and n >= 2 and i < 2:
            axis = 1 - i
        shape = [1] * n
        shape[axis] = a.numel()
        grids.append(broadcast_to(reshape(a, tuple(shape)), tuple(sizes)))
    return tuple(grids)


def from_dlpack(x, /, *, device=None, copy=None) -> Tensor:
    """A tensor on the active backend holding the data of a DLPack-capable object."""
    backend = get_backend()
    if isinstance(x, Tensor):
        x = x._backend.to_numpy(x._data)
    array = np.from_dlpack(x)
    return leaf(backend.asarray(array.copy() if copy else array), backend, False)


# creation functions make leaves (nothing to differentiate), except these, which act on arrays
NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(__all__) - {"tril", "triu", "meshgrid"}

TENSOR_METHODS: dict = {}
