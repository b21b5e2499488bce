"""``torch.cuda.amp``: PyTorch's older spelling of :mod:`pluggrad.amp` for one device type,
deprecated there (a FutureWarning naming the new spelling) and here alike."""

from __future__ import annotations

import warnings
from typing import Any

from .autocast_mode import autocast
from .grad_scaler import GradScaler

__all__ = ["DeviceAmp"]


class DeviceAmp:
    """The ``amp`` attribute of ``pluggrad.cuda``: ``autocast`` and ``GradScaler`` for
    `device_type`, each warning that ``pluggrad.amp`` is the current spelling."""

    def __init__(self, device_type: str) -> None:
        self._device_type = device_type

    def _warn(self, name: str) -> None:
        warnings.warn(
            f"`torch.{self._device_type}.amp.{name}(args...)` is deprecated. Please use "
            f"`torch.amp.{name}('{self._device_type}', args...)` instead.",
            FutureWarning,
            stacklevel=3,
        )

    def autocast(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> autocast:  # fmt: skip
        """``pluggrad.amp.autocast(device_type, ...)``, with PyTorch's deprecation warning."""
        self._warn("autocast")
        return autocast(self._device_type, dtype=dtype, enabled=enabled,
                        cache_enabled=cache_enabled)  # fmt: skip

    def GradScaler(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                   backoff_factor: float = 0.5, growth_interval: int = 2000,
                   enabled: bool = True) -> GradScaler:  # fmt: skip
        """``pluggrad.amp.GradScaler(device_type, ...)``, with PyTorch's deprecation warning."""
        self._warn("GradScaler")
        return GradScaler(self._device_type, init_scale, growth_factor, backoff_factor,
                          growth_interval, enabled)  # fmt: skip
