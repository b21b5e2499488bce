"""Activation primitives behind :mod:`pluggrad.nn.functional` that PyTorch computes as one
operation (no topic of the standard: :data:`pluggrad.ops.derivatives.INTERNAL`): ``gelu``
(``GeluBackward0``) and ``silu`` (``SiluBackward0``), in PyTorch's CPU kernels' order of
operations.  As one operation each, their backward is one formula instead of the derivatives
of the five or six elementwise operations they are made of; the formulas
(:mod:`pluggrad.ops.derivatives.activations`) are written with the namespace's operations, so
derivatives of every order work.
"""

from __future__ import annotations

from .._core.primitive import apply
from .._core.tensor import Tensor
from ._define import primitive
from .derivatives.activations import GELU_KAPPA, SQRT_2_OVER_PI, SQRT_HALF

__all__ = ["gelu", "silu"]


def _gelu_forward(backend, x, *, approximate):
    xp = backend.xp
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        inner = SQRT_2_OVER_PI * (x + GELU_KAPPA * (x * x * x))
        return 0.5 * x * (1 + xp.tanh(inner))
    return x * 0.5 * (1 + backend.special("erf", x * SQRT_HALF))


_GELU = primitive("gelu", ("x",), elementwise=True, forward=_gelu_forward)


def gelu(x: Tensor, approximate: str) -> Tensor:
    """PyTorch's ``gelu`` as one operation: ``x Φ(x)`` (`approximate` ``"none"``) or its tanh
    approximation (``"tanh"``).  ``nn.functional`` checks `approximate`."""
    return apply(_GELU, (x,), {"approximate": approximate})


def _silu_forward(backend, x):
    return x / (1 + backend.xp.exp(-x))  # PyTorch's kernel: x / (1 + exp(-x))


_SILU = primitive("silu", ("x",), elementwise=True, forward=_silu_forward)


def silu(x: Tensor) -> Tensor:
    """PyTorch's ``silu`` as one operation: ``x sigmoid(x)``."""
    return apply(_SILU, (x,))
