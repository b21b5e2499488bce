"""``pluggrad.fft``: the array API ``fft`` extension, differentiable.

Implemented in :mod:`pluggrad.ops.fft`; the transforms accept PyTorch's ``dim=`` beside the
standard's ``axis=``/``axes=`` and, like PyTorch, real input where the standard asks for complex.
"""

from __future__ import annotations

from ._torch_keywords import adapt_namespace
from .ops.fft import (
    fft,
    fft2,
    fftfreq,
    fftn,
    fftshift,
    hfft,
    hfft2,
    hfftn,
    ifft,
    ifft2,
    ifftn,
    ifftshift,
    ihfft,
    ihfft2,
    ihfftn,
    irfft,
    irfft2,
    irfftn,
    rfft,
    rfft2,
    rfftfreq,
    rfftn,
)

__all__ = [
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift", "hfftn", "ihfftn", "fft2", "ifft2", "rfft2",
    "irfft2", "hfft2", "ihfft2",
]  # fmt: skip

# PyTorch's keyword names (``torch.fft.fft(input=x, n=8)``) and ``out=``
adapt_namespace(globals(), "fft")
