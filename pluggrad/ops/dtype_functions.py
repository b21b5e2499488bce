"""Data type functions of the array API standard: ``can_cast``, ``finfo``, ``iinfo``,
``isdtype`` and ``result_type`` (``astype`` lives with the manipulation functions).

Type promotion follows the standard's lattice within a kind (bool, signed and unsigned
integers, real and complex floating).  Across kinds, where the standard leaves the result to
the implementation, pluggrad follows PyTorch: a float with an integer gives the float, a complex
with a real float gives the complex type of the wider precision, and uint64 with a signed
integer is an error.  Python scalars are "weak": they take the other operand's dtype if their
kind fits it.
"""

from __future__ import annotations

import builtins
import dataclasses

import numpy as np

from .. import _dtypes
from .._core.tensor import Tensor
from .._dtypes import DType, to_dtype

__all__ = ["can_cast", "finfo", "iinfo", "isdtype", "result_type"]

NONDIFFERENTIABLE_FUNCTIONS: frozenset[str] = frozenset(__all__)

TENSOR_METHODS: dict = {}

_KIND_NAMES = {
    "bool": "b",
    "signed integer": "i",
    "unsigned integer": "u",
    "integral": "iu",
    "real floating": "f",
    "complex floating": "c",
    "numeric": "iufc",
}


def isdtype(dtype, kind) -> builtins.bool:
    """Whether `dtype` is of `kind`: a dtype, a kind name (``"real floating"``, ``"integral"``,
    ``"numeric"``, ...), or a tuple of those."""
    dtype = to_dtype(dtype)
    if isinstance(kind, tuple):
        return builtins.any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KIND_NAMES:
            raise ValueError(f"unknown dtype kind {kind!r}; expected one of {sorted(_KIND_NAMES)}")
        return dtype.kind in _KIND_NAMES[kind]
    return dtype is to_dtype(kind)


# ---- promotion ---------------------------------------------------------------------------------
_INTS = {
    "i": [_dtypes.int8, _dtypes.int16, _dtypes.int32, _dtypes.int64],
    "u": [_dtypes.uint8, _dtypes.uint16, _dtypes.uint32, _dtypes.uint64],
}
_COMPLEX_OF_FLOAT = {_dtypes.float32: _dtypes.complex64, _dtypes.float64: _dtypes.complex128}
_FLOAT_OF_COMPLEX = {v: k for k, v in _COMPLEX_OF_FLOAT.items()}


def _promote(a: DType, b: DType) -> DType:
    """The result dtype of a binary operation on arrays of dtypes `a` and `b`."""
    if a is b:
        return a
    ka, kb = a.kind, b.kind
    if ka == "b":
        return b
    if kb == "b":
        return a
    if ka in "iu" and kb in "iu":
        if ka == kb:
            return a if a.itemsize >= b.itemsize else b
        signed, unsigned = (a, b) if ka == "i" else (b, a)
        if unsigned.itemsize < signed.itemsize:
            return signed
        if unsigned.itemsize == 8:
            raise TypeError(f"{a} and {b} cannot be promoted to a common integer type")
        return _INTS["i"][[1, 2, 4, 8].index(unsigned.itemsize) + 1]
    if ka in "iu":
        return b
    if kb in "iu":
        return a
    # both floating (real or complex)
    real_a = _FLOAT_OF_COMPLEX.get(a, a)
    real_b = _FLOAT_OF_COMPLEX.get(b, b)
    if real_a.itemsize == real_b.itemsize and real_a is not real_b:
        real = _dtypes.float32  # float16 with bfloat16: neither holds the other (PyTorch's rule)
    else:
        real = real_a if real_a.itemsize >= real_b.itemsize else real_b
    return _COMPLEX_OF_FLOAT[real] if "c" in (ka, kb) else real


def _scalar_dtype(value) -> DType:
    if isinstance(value, builtins.bool):
        return _dtypes.bool
    if isinstance(value, int):
        return _dtypes.int64
    if isinstance(value, float):
        return _dtypes.get_default_dtype()
    return _dtypes.default_complex_dtype()


def _scalar_fits(value, dtype: DType) -> builtins.bool:
    """Whether a Python scalar takes `dtype` in a mixed operation (the weak-scalar rule)."""
    if isinstance(value, builtins.bool):
        return True
    if isinstance(value, int):
        return dtype.kind in "iufc"
    if isinstance(value, float):
        return dtype.kind in "fc"
    return dtype.kind == "c"


def result_type(*arrays_and_dtypes) -> DType:
    """The dtype that combining the given tensors, dtypes and Python scalars produces."""
    dtypes = []
    scalars = []
    for item in arrays_and_dtypes:
        if isinstance(item, Tensor):
            dtypes.append(item.dtype)
        elif isinstance(item, (builtins.bool, int, float, complex)):
            scalars.append(item)
        else:
            dtypes.append(to_dtype(item))
    if not dtypes and not scalars:
        raise ValueError("at least one array or dtype is required")
    if not dtypes:
        dtypes.append(_scalar_dtype(scalars.pop(0)))
    result = dtypes[0]
    for dtype in dtypes[1:]:
        result = _promote(result, dtype)
    for value in scalars:
        if not _scalar_fits(value, result):
            result = _promote(result, _scalar_dtype(value))
    return result


def can_cast(from_, to, /) -> builtins.bool:
    """Whether `from_` (a dtype or tensor) can be cast to `to` by the promotion rules."""
    source = from_.dtype if isinstance(from_, Tensor) else to_dtype(from_)
    target = to_dtype(to)
    if source.kind in "fc" and target.kind in "biu" or source.kind == "c" and target.kind == "f":
        return False
    if source.kind != "b" and target.kind == "b":
        return False
    try:
        return _promote(source, target) is target
    except TypeError:
        return False


# ---- machine limits ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class finfo_object:
    """Machine limits of a floating-point dtype (the standard's ``finfo_object``, with
    PyTorch's ``resolution`` and ``tiny``)."""

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType
    resolution: float = 0.0

    @property
    def tiny(self) -> float:
        """PyTorch's name of ``smallest_normal``."""
        return self.smallest_normal

    def __repr__(self) -> str:
        # PyTorch's, which prints its numbers with C's %g
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype.name})"
        )


@dataclasses.dataclass(frozen=True)
class iinfo_object:
    """Machine limits of an integer dtype (the standard's ``iinfo_object``)."""

    bits: int
    max: int
    min: int
    dtype: DType

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype.name})"


def finfo(type=None, /) -> finfo_object:  # noqa: A002 - the standard's parameter name
    """Machine limits of a real or complex floating dtype (or of a tensor's dtype; without an
    argument, of the default dtype, as ``torch.finfo()``)."""
    if type is None:
        type = _dtypes.get_default_dtype()  # noqa: A001
    dtype = type.dtype if isinstance(type, Tensor) else to_dtype(type)
    if dtype.kind not in "fc":
        raise TypeError(f"finfo() requires a floating-point dtype, got {dtype}")
    real = _FLOAT_OF_COMPLEX.get(dtype, dtype)
    if real is _dtypes.bfloat16:
        return _BFLOAT16_INFO  # NumPy has no bfloat16 to ask
    info = np.finfo(real.name)
    return finfo_object(
        bits=int(info.bits),
        eps=float(info.eps),
        max=float(info.max),
        min=float(info.min),
        smallest_normal=float(info.smallest_normal),
        dtype=real,
        resolution=10.0 ** -int(info.precision),  # as PyTorch computes it, in double
    )


# bfloat16: float32's 8 exponent bits with 7 stored significand bits
_BFLOAT16_INFO = finfo_object(
    bits=16,
    eps=2.0**-7,
    max=(2.0 - 2.0**-7) * 2.0**127,
    min=-(2.0 - 2.0**-7) * 2.0**127,
    smallest_normal=2.0**-126,
    dtype=_dtypes.bfloat16,
    resolution=0.01,  # 10**-precision, precision = floor(7 * log10(2)) = 2
)


def iinfo(type, /) -> iinfo_object:  # noqa: A002 - the standard's parameter name
    """Machine limits of an integer dtype (or of a tensor's dtype)."""
    dtype = type.dtype if isinstance(type, Tensor) else to_dtype(type)
    if dtype.kind not in "iu":
        raise TypeError(f"iinfo() requires an integer dtype, got {dtype}")
    info = np.iinfo(dtype.name)
    return iinfo_object(bits=int(info.bits), max=int(info.max), min=int(info.min), dtype=dtype)
