"""``pluggrad.fft``: the array API ``fft`` extension, differentiable."""

from __future__ import annotations

__all__: list[str] = []
