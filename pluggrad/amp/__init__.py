"""``pluggrad.amp``: PyTorch's automatic mixed precision API, ``autocast`` and ``GradScaler``.

:class:`autocast` regions run PyTorch's lower-precision operations (matrix products, ``linear``,
convolutions) in ``bfloat16`` or ``float16`` and its float32 operations (losses, solvers,
FFTs) in float32, with the casts in the graph, on the backends whose library has the dtype
(NumPy: float16 only; JAX: both).  :class:`GradScaler` is complete (loss scaling, unscaling
with the non-finite check, skipped steps, the scale's growth and backoff, state dicts).
"""

from __future__ import annotations

from .autocast_mode import autocast, get_autocast_dtype, is_autocast_available, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = [
    "autocast", "GradScaler", "is_autocast_available", "is_autocast_enabled",
    "get_autocast_dtype",
]  # fmt: skip
