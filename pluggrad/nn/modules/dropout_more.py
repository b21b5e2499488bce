"""Channel dropout and SELU's dropout: ``Dropout1d``, ``Dropout2d`` and ``AlphaDropout``."""

from __future__ import annotations

from ..._core.tensor import Tensor
from .. import functional as F
from .dropout import Dropout

__all__ = ["Dropout1d", "Dropout2d", "AlphaDropout"]


class Dropout1d(Dropout):
    """During training, zero whole channels of an ``(N, C, L)`` or ``(C, L)`` input with
    probability `p`, scaling the others by ``1 / (1 - p)``."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """During training, zero whole channels of an ``(N, C, H, W)`` input with probability
    `p`, scaling the others by ``1 / (1 - p)``."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """During training, SELU's dropout (mean and variance kept)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.alpha_dropout(input, self.p, self.training)
