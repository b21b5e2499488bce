"""PyTorch's legacy tensor types: ``FloatTensor``, ``DoubleTensor``, ``LongTensor``...

``pluggrad.LongTensor([1, 2])`` makes an int64 tensor (``LongTensor(2, 3)`` a 2x3 one), and
``isinstance(x, pluggrad.FloatTensor)`` is True for a float32 tensor on the CPU, as in PyTorch.
``x.type()`` names these types (``'torch.FloatTensor'``).
"""

from __future__ import annotations

from . import _dtypes
from ._core.tensor import Tensor
from .backends import get_backend
from .ops._leaf import leaf
from .ops.creation import legacy_tensor_data

__all__ = [
    "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
    "ByteTensor", "BoolTensor", "HalfTensor", "BFloat16Tensor",
]  # fmt: skip


class _LegacyType(type):
    """The metaclass: instances are the Tensors of the type's dtype on the CPU."""

    dtype: _dtypes.DType

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __call__(cls, *args, device=None) -> Tensor:
        backend = get_backend()
        return leaf(legacy_tensor_data(backend, args, cls.dtype), backend, False, device)


def _legacy(name: str, dtype: _dtypes.DType) -> type:
    doc = f"``{name}(data)`` or ``{name}(*sizes)``: a {dtype.name} tensor (PyTorch's legacy type)."
    return _LegacyType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "pluggrad"})


FloatTensor = _legacy("FloatTensor", _dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", _dtypes.float64)
HalfTensor = _legacy("HalfTensor", _dtypes.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", _dtypes.bfloat16)
LongTensor = _legacy("LongTensor", _dtypes.int64)
IntTensor = _legacy("IntTensor", _dtypes.int32)
ShortTensor = _legacy("ShortTensor", _dtypes.int16)
CharTensor = _legacy("CharTensor", _dtypes.int8)
ByteTensor = _legacy("ByteTensor", _dtypes.uint8)
BoolTensor = _legacy("BoolTensor", _dtypes.bool)
