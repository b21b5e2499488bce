"""``Size``: the shape of a tensor, PyTorch's ``torch.Size``."""

from __future__ import annotations

from typing import Any, SupportsIndex

from .._dtypes import shown_as

__all__ = ["Size"]


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``pluggrad.Size([2, 3])``.

    As ``torch.Size``, slicing it, adding a tuple to it (on either side) and repeating it give
    a ``Size`` again; indexing gives an int.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{shown_as()}.Size({list(self)})"

    def __getitem__(self, key: Any) -> Any:
        item = super().__getitem__(key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times: SupportsIndex) -> Size:
        return Size(tuple(self) * times)

    __rmul__ = __mul__

    def numel(self) -> int:
        """The number of elements a tensor of this shape has."""
        n = 1
        for d in self:
            n *= d
        return n
