"""``pluggrad.__array_namespace_info__()``: what the namespace supports (array API 2023.12+)."""

from __future__ import annotations

from . import _dtypes, ops
from .backends import get_backend
from .ops.dtype_functions import isdtype

__all__ = ["__array_namespace_info__"]


class Info:
    """The inspection object of the pluggrad namespace (answers for the active backend)."""

    __module__ = "pluggrad"

    def capabilities(self) -> dict:
        """Optional features: boolean indexing and data-dependent shapes work eagerly; arrays
        have up to 64 dimensions (NumPy's limit; the standard asks for an int here)."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self):
        """The device new arrays are created on (a :class:`pluggrad.device`)."""
        return ops.get_default_device()

    def devices(self) -> tuple:
        """The devices of the active backend (:class:`pluggrad.device` objects), a tuple."""
        return tuple(get_backend().devices())

    def default_dtypes(self, *, device=None) -> dict:
        """PyTorch's defaults: float32, complex64, int64 (indices too)."""
        return {
            "real floating": _dtypes.get_default_dtype(),
            "complex floating": _dtypes.default_complex_dtype(),
            "integral": _dtypes.int64,
            "indexing": _dtypes.int64,
        }

    def dtypes(self, *, device=None, kind=None) -> dict:
        """The supported dtypes by name, optionally only those of `kind` (or kinds)."""
        backend = get_backend()
        return {
            dtype.name: dtype
            for dtype in _dtypes.STANDARD_DTYPES
            if dtype in backend.to_native and (kind is None or isdtype(dtype, kind))
        }


def __array_namespace_info__() -> Info:
    """Return the inspection object of the namespace (array API)."""
    return Info()
