"""The 3-d padding layers PyTorch has besides ``ConstantPad3d`` (``ZeroPad3d``,
``ReflectionPad3d``, ``ReplicationPad3d``, ``CircularPad3d``) and ``Dropout3d``, over
:func:`pluggrad.nn.functional.pad` and :func:`pluggrad.nn.functional.dropout3d`."""

from __future__ import annotations

from ..._core.tensor import Tensor
from .. import functional as F
from .dropout import Dropout
from .padding import ZeroPad1d, _PadNd

__all__ = ["ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d", "Dropout3d"]


class ZeroPad3d(ZeroPad1d):
    """Pad the last three axes with zeros (``padding``: an int, or ``(left, right, top,
    bottom, front, back)``)."""

    dims = 3


class ReflectionPad3d(_PadNd):
    """Pad the last three axes of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input with their
    reflection (the edge not repeated)."""

    mode = "reflect"
    dims = 3


class ReplicationPad3d(_PadNd):
    """Pad the last three axes of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input by repeating
    their edge values."""

    mode = "replicate"
    dims = 3


class CircularPad3d(_PadNd):
    """Pad the last three axes of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input by wrapping
    them around."""

    mode = "circular"
    dims = 3

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        if input.ndim not in (4, 5):  # PyTorch's _CircularPadNd checks the rank itself
            raise ValueError(f"expected 4D or 5D input (got {input.ndim}D input)")
        return super().forward(input)


class Dropout3d(Dropout):
    """During training, zero whole channels of an ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    input with probability `p`, scaling the others by ``1 / (1 - p)``."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout3d(input, self.p, self.training, self.inplace)
