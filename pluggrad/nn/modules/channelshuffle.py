"""``ChannelShuffle``, ``RReLU`` and ``FeatureAlphaDropout``: the modules of
:func:`~pluggrad.nn.functional.channel_shuffle`, :func:`~pluggrad.nn.functional.rrelu` and
:func:`~pluggrad.nn.functional.feature_alpha_dropout`."""

from __future__ import annotations

from ..._core.tensor import Tensor
from .. import functional as F
from .dropout import Dropout
from .module import Module

__all__ = ["ChannelShuffle", "RReLU", "FeatureAlphaDropout"]


class ChannelShuffle(Module):
    """The channels of an ``(N, C, *)`` input taken from `groups` groups in turn."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class RReLU(Module):
    """Randomized leaky ReLU: negative slopes drawn uniform on ``[lower, upper)`` in training,
    their mean in evaluation."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace}"


class FeatureAlphaDropout(Dropout):
    """During training, SELU's dropout of whole channels (axis 1)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.feature_alpha_dropout(input, self.p, self.training)
