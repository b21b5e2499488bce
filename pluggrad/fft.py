"""``pluggrad.fft``: the array API ``fft`` extension, differentiable.

Implemented in :mod:`pluggrad.ops.fft`; the transforms accept PyTorch's ``dim=`` beside the
standard's ``axis=``/``axes=`` and, like PyTorch, real input where the standard asks for complex.
"""

from __future__ import annotations

from .ops.fft import (
    fft,
    fftfreq,
    fftn,
    fftshift,
    hfft,
    ifft,
    ifftn,
    ifftshift,
    ihfft,
    irfft,
    irfftn,
    rfft,
    rfftfreq,
    rfftn,
)

__all__ = [
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]  # fmt: skip
