"""``pluggrad.amp``: PyTorch's automatic mixed precision API, ``autocast`` and ``GradScaler``.

pluggrad has no 16-bit floating dtype (the array API standard has none), so :class:`autocast`
cannot run a block in float16 or bfloat16: entered enabled, it warns and disables itself, as
PyTorch's autocast does for a dtype its device does not support, and the block runs in the
tensors' own dtypes.  :class:`GradScaler` is complete (loss scaling, unscaling with the
non-finite check, skipped steps, the scale's growth and backoff, state dicts), so training
scripts written for mixed precision run unchanged.
"""

from __future__ import annotations

from .autocast_mode import autocast, get_autocast_dtype, is_autocast_available, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = [
    "autocast", "GradScaler", "is_autocast_available", "is_autocast_enabled",
    "get_autocast_dtype",
]  # fmt: skip
