"""``pluggrad.cuda``: PyTorch's questions about GPUs, answered by the active backend.

A GPU is a ``cuda`` device of the active backend (JAX with a GPU build; NumPy has none).
"""

from __future__ import annotations

from ._device import device
from .amp._deprecated import DeviceAmp
from .backends import get_backend
from .ops.random import manual_seed as _manual_seed

__all__ = [
    "is_available", "device_count", "current_device", "get_device_name", "manual_seed",
    "manual_seed_all",
]  # fmt: skip


def _gpus() -> list[device]:
    return [d for d in get_backend().devices() if d.type == "cuda"]


def is_available() -> bool:
    """True when the active backend has a GPU."""
    return bool(_gpus())


def device_count() -> int:
    """The number of GPUs of the active backend."""
    return len(_gpus())


def current_device() -> int:
    """The index of the GPU tensors go to by default (RuntimeError without a GPU)."""
    if not _gpus():
        raise RuntimeError(f"the {get_backend().name} backend has no GPU")
    return 0


def get_device_name(device=None) -> str:
    """The name of a GPU, as the backend's library reports it."""
    gpus = _gpus()
    index = 0 if device is None else (device if isinstance(device, int) else device.index or 0)
    if index >= len(gpus):
        raise RuntimeError(f"the {get_backend().name} backend has no GPU {index}")
    backend = get_backend()
    native = backend.native_device(gpus[index])
    return str(getattr(native, "device_kind", native))


def manual_seed(seed) -> None:
    """Seed the GPU's random numbers: the default generator when the active backend has a GPU;
    silently nothing otherwise (as in PyTorch without CUDA)."""
    if is_available():
        _manual_seed(seed)


manual_seed_all = manual_seed

#: ``torch.cuda.amp.autocast`` and ``torch.cuda.amp.GradScaler``, deprecated spellings of
#: :mod:`pluggrad.amp`'s
amp = DeviceAmp("cuda")
