"""Padding layers over :func:`pluggrad.nn.functional.pad` (PyTorch's ``ConstantPad1d``,
``ZeroPad2d``, ``ReflectionPad1d``, ``ReplicationPad2d``, ``CircularPad1d``...)."""

from __future__ import annotations

from collections.abc import Sequence

from ..._core.tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
    "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
    "CircularPad1d", "CircularPad2d",
]  # fmt: skip


def _padding(padding: int | Sequence[int], dims: int) -> tuple[int, ...]:
    if isinstance(padding, int):
        return (padding,) * (2 * dims)
    padding = tuple(int(p) for p in padding)
    if len(padding) != 2 * dims:
        raise ValueError(
            f"Padding length must be {2 * dims}, but got {len(padding)} (padding={padding})"
        )
    return padding


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = _padding(padding, self.dims)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last axis with `value` (``padding``: an int or ``(left, right)``)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two axes with `value` (``(left, right, top, bottom)``)."""

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three axes with `value`."""

    dims = 3


class ZeroPad1d(_ConstantPadNd):
    """Pad the last axis with zeros."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pad the last two axes with zeros."""

    dims = 2


class ReflectionPad1d(_PadNd):
    """Pad the last axis with its reflection (the edge not repeated)."""

    mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two axes with their reflection."""

    mode = "reflect"
    dims = 2


class ReplicationPad1d(_PadNd):
    """Pad the last axis by repeating its edge values."""

    mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two axes by repeating their edge values."""

    mode = "replicate"
    dims = 2


class CircularPad1d(_PadNd):
    """Pad the last axis by wrapping it around."""

    mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last two axes by wrapping them around."""

    mode = "circular"
    dims = 2
