"""Tensor methods of the composite topic that are not functions of the namespace (exported
by :mod:`pluggrad.ops.composite`): PyTorch's legacy conversions (``x.type()``, ``x.long()``,
``type_as``, ``new_zeros``...), ``view_as``, ``unfold``, ``fill_diagonal_``, ``sum_to_size``,
``H``."""

from __future__ import annotations

import builtins

from .. import _dtypes
from .._core.tensor import Tensor
from ._args import as_tensor_arg, normalize_axis
from ._composite_pointwise import allclose
from ._convert import astype
from ._leaf import device_like
from ._leaf import leaf as _leaf
from ._leaf import tensor as _tensor
from ._shape import reshape, view
from .creation import tril, triu
from .derivatives import sum_to
from .elementwise import equal as _elementwise_equal
from .manipulation import where

__all__ = ["LEGACY_METHODS"]


def _t(x, like=None):
    return as_tensor_arg(x, like=like)


def tensors_equal(input, other) -> builtins.bool:  # noqa: A002 - PyTorch's names
    """PyTorch's ``torch.equal``: whether the tensors have the same shape and elements."""
    a, b = as_tensor_arg(input), _t(other, input)
    return builtins.bool(tuple(a.shape) == tuple(b.shape) and allclose(a, b, 0, 0))


def equal(x1, x2, /):
    """Elementwise ``x1 == x2``, a boolean tensor (the array API's ``equal``); PyTorch's
    ``torch.equal`` (one ``bool``: the same shape and elements) while pluggrad.as_torch
    answers ``import torch``.  The method ``x.equal(y)`` is always PyTorch's."""
    return tensors_equal(x1, x2) if _dtypes.acts_as_torch() else _elementwise_equal(x1, x2)


def _unfold(self, dimension: int, size: int, step: int) -> Tensor:
    """The windows of `size` elements every `step` along `dimension`, as a new last axis (a
    view, ``as_strided`` over the tensor's storage)."""
    dim = normalize_axis(dimension, self.ndim) if self.ndim else 0
    n = self.shape[dim] if self.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    strides = self.stride()
    shape = list(self.shape)
    shape[dim] = (n - size) // step + 1
    new_strides = list(strides)
    new_strides[dim] = strides[dim] * step if strides else 1
    return self.as_strided(
        (*shape, size), (*new_strides, strides[dim] if strides else 1), self.storage_offset()
    )


def _fill_diagonal_(self, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (of a matrix, or of all equal-length axes) in place."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    n = min(self.shape)
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    step = builtins.sum(self.stride())
    rows, cols = self.shape[0], self.shape[1]
    count = n
    if wrap and self.ndim == 2 and rows > cols:  # the diagonal starts again below a gap row
        count = -(-(rows * cols) // (cols + 1))
    self.as_strided((count,), (step,), self.storage_offset()).fill_(fill_value)
    return self


def _sum_to_size(self, *size) -> Tensor:
    """The tensor summed (over broadcast axes) down to `size`."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return sum_to(self._backend.tensor_ns, self, tuple(size))


def _legacy_type(self, dtype=None, non_blocking: bool = False, **kwargs):
    """``x.type()``: PyTorch's legacy type name (``'torch.FloatTensor'``); ``x.type(dtype)`` or
    ``x.type('torch.DoubleTensor')``: the tensor converted."""
    if dtype is None:
        return f"torch.{self.dtype.torch_name}Tensor"
    if isinstance(dtype, str) and dtype.startswith("torch.") and dtype.endswith("Tensor"):
        wanted = dtype[len("torch.") : -len("Tensor")]
        for candidate in _dtypes.ALL_DTYPES:
            if candidate.torch_name == wanted:
                return astype(self, candidate, copy=False)
        raise ValueError(f"invalid type: '{dtype}'")
    return astype(self, dtype, copy=False)


def _new_filled(fill):
    def method(self, *size, dtype=None, device=None, requires_grad: bool = False, **kwargs):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        size = kwargs.pop("size", size)
        dtype = self.dtype if dtype is None else dtype
        native = self._backend.to_native[_dtypes.to_dtype(dtype)]
        data = self._backend.xp.full(tuple(size), fill, dtype=native)
        where = device_like(self, data.shape == self._data.shape) if device is None else device
        return _leaf(data, self._backend, requires_grad, where)

    method.__doc__ = (
        f"A new tensor of `size` filled with {fill}, of this tensor's dtype and device."
    )
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    """A new tensor of `size` filled with `fill_value`, of this tensor's dtype and device."""
    dtype = self.dtype if dtype is None else dtype
    native = self._backend.to_native[_dtypes.to_dtype(dtype)]
    data = self._backend.xp.full(tuple(size), fill_value, dtype=native)
    where = device_like(self, data.shape == self._data.shape) if device is None else device
    return _leaf(data, self._backend, requires_grad, where)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False):
    """A new leaf holding a copy of `data`, of this tensor's dtype (unless given) and device."""
    return _tensor(data, dtype=self.dtype if dtype is None else dtype,
                   device=self.device if device is None else device,
                   requires_grad=requires_grad, backend=self._backend)  # fmt: skip


def _cast_method(dtype):
    def method(self, memory_format=None):
        return astype(self, dtype, copy=False)

    method.__doc__ = f"The tensor as {dtype.name} (itself if it already is)."
    return method


LEGACY_METHODS: dict = {
    "type": _legacy_type,
    "type_as": lambda self, other: astype(self, other.dtype, copy=False),
    "view_as": lambda self, other: view(self, tuple(other.shape)),
    "reshape_as": lambda self, other: reshape(self, tuple(other.shape)),
    "ndimension": lambda self: self.ndim,
    "nelement": lambda self: self.numel(),
    "new_zeros": _new_filled(0),
    "new_ones": _new_filled(1),
    "new_empty": _new_filled(0),
    "new_full": _new_full,
    "new_tensor": _new_tensor,
    "where": lambda self, condition, other: where(condition, self, other),
    "unfold": _unfold,
    "fill_diagonal_": _fill_diagonal_,
    "sum_to_size": _sum_to_size,
    "H": property(
        lambda self: self.mT.conj() if self.ndim == 2 else self.conj(),
        doc="The conjugate transpose of a matrix.",
    ),  # fmt: skip
    "tril": lambda self, diagonal=0: tril(self, diagonal),
    "triu": lambda self, diagonal=0: triu(self, diagonal),
    "equal": lambda self, other: tensors_equal(self, other),
    "bool": _cast_method(_dtypes.bool),
    "byte": _cast_method(_dtypes.uint8),
    "char": _cast_method(_dtypes.int8),
    "short": _cast_method(_dtypes.int16),
    "int": _cast_method(_dtypes.int32),
    "long": _cast_method(_dtypes.int64),
    "cfloat": _cast_method(_dtypes.complex64),
    "cdouble": _cast_method(_dtypes.complex128),
}
