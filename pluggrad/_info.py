"""``pluggrad.__array_namespace_info__()``: what the namespace supports (array API 2023.12+)."""

from __future__ import annotations

from . import _dtypes
from .backends import get_backend

__all__ = ["__array_namespace_info__"]

_KINDS = {
    "bool": "b",
    "signed integer": "i",
    "unsigned integer": "u",
    "integral": "iu",
    "real floating": "f",
    "complex floating": "c",
    "numeric": "iufc",
}


class Info:
    """The inspection object of the pluggrad namespace (answers for the active backend)."""

    __module__ = "pluggrad"

    def capabilities(self) -> dict:
        """Optional features: boolean indexing and data-dependent shapes work eagerly."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": None}

    def default_device(self):
        """The device new arrays are created on by the active backend."""
        backend = get_backend()
        return backend.device_of(backend.asarray([0.0]))

    def devices(self) -> list:
        """The devices of the active backend."""
        return [self.default_device()]

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
        kinds = kind if isinstance(kind, tuple) else (kind,)
        selected = {}
        for dtype in _dtypes.ALL_DTYPES:
            if dtype not in backend.to_native:
                continue
            if kind is None or any(_matches(dtype, k) for k in kinds):
                selected[dtype.name] = dtype
        return selected


def _matches(dtype: _dtypes.DType, kind) -> bool:
    if isinstance(kind, str):
        return dtype.kind in _KINDS[kind]
    return dtype is kind


def __array_namespace_info__() -> Info:
    """Return the inspection object of the namespace (array API)."""
    return Info()
