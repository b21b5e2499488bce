"""``autocast``: PyTorch's mixed-precision region, which pluggrad runs in full precision (it
has no 16-bit floating dtype); see :mod:`pluggrad.amp`."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtypes
from .._device import device as _device
from ..backends import has_gpu

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled", "get_autocast_dtype"]

# PyTorch's default autocast dtype per device type
_DEFAULT_DTYPES = {"cpu": "bfloat16", "cuda": "float16"}


class _State:
    """The autocast regions in force, innermost last: (device type, enabled, dtype name)."""

    regions: list[tuple[str, bool, str]] = []


def is_autocast_available(device_type: str) -> bool:
    """Whether `device_type` has an autocast (``"cpu"`` and ``"cuda"``, as in PyTorch)."""
    return device_type in _DEFAULT_DTYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an autocast region for `device_type` (default ``"cuda"``) is in force and
    enabled: never in pluggrad, whose regions disable themselves."""
    wanted = "cuda" if device_type is None else device_type
    for kind, enabled, _ in reversed(_State.regions):
        if kind == wanted:
            return enabled
    return False


def get_autocast_dtype(device_type: str) -> str:
    """The dtype autocast would use on `device_type` (its name: pluggrad has no such dtype)."""
    for kind, _, dtype in reversed(_State.regions):
        if kind == device_type:
            return dtype
    return _DEFAULT_DTYPES.get(device_type, "float16")


class autocast:
    """``with autocast(device_type, dtype=None, enabled=True):`` a mixed-precision region, also
    usable as a decorator.

    Parameters
    ----------
    device_type : str
        ``"cpu"`` or ``"cuda"`` (any PyTorch device type is accepted; others warn).
    dtype : optional
        The lower precision dtype (``"float16"``/``"bfloat16"`` or their PyTorch names).
    enabled : bool
        False makes the region do nothing, without a warning.
    cache_enabled : bool, optional
        Accepted for PyTorch's signature.

    Notes
    -----
    Entered enabled, the region warns that pluggrad has no 16-bit floating dtype and disables
    itself, as PyTorch does for a dtype or device its autocast does not support; the block
    computes in the tensors' own dtypes.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:  # fmt: skip
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device(device_type).type  # PyTorch's error for an unknown type
        self.fast_dtype = (
            _dtype_name(dtype) if dtype is not None else get_autocast_dtype(self.device)
        )
        self._enabled = enabled
        if enabled:
            self._enabled = False
            if self.device == "cuda" and not has_gpu():
                message = "CUDA is not available or torch_xla is imported. Disabling autocast."
            else:
                message = (
                    f"pluggrad has no {self.fast_dtype} dtype (the array API standard has no "
                    "16-bit floating type). Disabling autocast: the region computes in the "
                    "tensors' own dtypes."
                )
            warnings.warn(message, UserWarning, stacklevel=2)

    def __enter__(self) -> autocast:
        _State.regions.append((self.device, self._enabled, self.fast_dtype))
        return self

    def __exit__(self, *exc_info) -> None:
        _State.regions.pop()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return run


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, _dtypes.DType):
        return dtype.name
    return str(dtype).rsplit(".", 1)[-1]
