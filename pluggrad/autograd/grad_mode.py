"""``torch.autograd.grad_mode``'s public names: grad mode and inference mode.

They are implemented in the lower layer (:mod:`pluggrad._core.grad_mode`), where the engine and
the operations read the flags.
"""

from __future__ import annotations

from .._core.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled",
]  # fmt: skip
