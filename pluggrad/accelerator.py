"""``pluggrad.accelerator``: PyTorch's device-neutral questions about the accelerator (a GPU of
the active backend: JAX with a GPU build; NumPy and array-api-strict have none).

PyTorch programs start with ``device = torch.accelerator.current_accelerator()`` or test
``torch.accelerator.is_available()``; both answer for the active backend, so the same program
runs on the CPU with NumPy and on a GPU with JAX.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ._device import device as _device
from .backends import get_backend

__all__ = [
    "is_available", "current_accelerator", "device_count", "current_device_index",
    "current_device_idx", "set_device_index", "set_device_idx", "device_index", "synchronize",
]  # fmt: skip

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."


class _Current:
    """The accelerator index that device-less calls use (PyTorch's current device)."""

    index = 0


def _accelerators() -> list[_device]:
    return [d for d in get_backend().devices() if d.type != "cpu"]


def _check_available() -> list[_device]:
    found = _accelerators()
    if not found:
        raise RuntimeError(_NONE_AVAILABLE)
    return found


def is_available() -> bool:
    """True when the active backend has an accelerator."""
    return bool(_accelerators())


def current_accelerator(check_available: bool = False) -> _device | None:
    """The accelerator's device type (``device(type='cuda')``), or None without one.

    Parameters
    ----------
    check_available : bool
        Return None also when the accelerator is not available now (pluggrad knows of an
        accelerator only when it is available, so both answers agree).
    """
    found = _accelerators()
    return _device(found[0].type) if found else None


def device_count() -> int:
    """The number of accelerator devices of the active backend (0 without one)."""
    return len(_accelerators())


def current_device_index() -> int:
    """The index of the accelerator device used by default."""
    _check_available()
    return _Current.index


def set_device_index(device) -> None:
    """Make `device` (an index, a device or its name) the default accelerator device.

    Raises
    ------
    RuntimeError
        Without an accelerator, or for an index the backend does not have.
    """
    found = _check_available()
    index = _index_of(device)
    if not -1 <= index < len(found):
        raise RuntimeError(f"Invalid device index {index}: there are {len(found)} devices")
    if index >= 0:  # PyTorch: a negative index leaves the current device as it is
        _Current.index = index


@contextlib.contextmanager
def device_index(device) -> Iterator[None]:
    """A block with `device` as the default accelerator device (None: unchanged)."""
    if device is None:
        yield
        return
    before = current_device_index()
    set_device_index(device)
    try:
        yield
    finally:
        _Current.index = before


def synchronize(device=None) -> None:
    """Wait for the accelerator's queued work.  A backend's results are waited for when they are
    read (``.item()``, ``.numpy()``, printing), so this only checks that there is an
    accelerator, as PyTorch does; time JAX work by reading its result."""
    _check_available()


def _index_of(device) -> int:
    if isinstance(device, int):
        return device
    wanted = _device(device)
    return 0 if wanted.index is None else wanted.index


current_device_idx = current_device_index
set_device_idx = set_device_index
