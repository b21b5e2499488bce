"""Autocast state: the mixed-precision regions in force (``pluggrad.amp.autocast``).

The regions live in a :class:`contextvars.ContextVar`, so each thread has its own, as PyTorch's
thread-local autocast state.  The operations with an autocast policy (:mod:`pluggrad.ops._autocast`)
read :func:`active` first: no region, nothing else to look up.
"""

from __future__ import annotations

import contextvars

from .._dtypes import DType

__all__ = ["active", "enter", "leave", "region_dtype", "region_state", "suspended"]

# (device type, enabled, dtype) of each region in force, innermost last
_regions: contextvars.ContextVar[tuple[tuple[str, bool, DType], ...]] = contextvars.ContextVar(
    "pluggrad_autocast_regions", default=()
)
#: the regions in force (an empty tuple outside any)
active = _regions.get


def enter(device_type: str, enabled: bool, dtype: DType) -> contextvars.Token:
    """Open a region; :func:`leave` with the token closes it."""
    return _regions.set((*_regions.get(), (device_type, enabled, dtype)))


def leave(token: contextvars.Token) -> None:
    """Close the region :func:`enter` opened."""
    _regions.reset(token)


def suspended() -> contextvars.Token:
    """Hide the regions in force (an operation with an autocast policy runs the operations it
    is made of as they are, as PyTorch's autocast kernels exclude autocast below them);
    :func:`leave` with the token shows them again."""
    return _regions.set(())


def region_state(device_type: str) -> tuple[bool, DType | None]:
    """``(enabled, dtype)`` of the innermost region for `device_type` (``(False, None)``
    outside any)."""
    for kind, enabled, dtype in reversed(_regions.get()):
        if kind == device_type:
            return enabled, dtype
    return False, None


def region_dtype(device_type: str) -> DType | None:
    """The dtype autocast casts to on `device_type` now: None outside an enabled region."""
    enabled, dtype = region_state(device_type)
    return dtype if enabled else None
