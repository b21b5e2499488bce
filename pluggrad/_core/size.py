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


class BroadcastError(RuntimeError, ValueError):
    """Shapes that do not broadcast together: PyTorch raises a RuntimeError, the array API
    standard a ValueError; this is both."""


def broadcast_mismatch(shapes) -> BroadcastError | None:
    """PyTorch's error for `shapes` that do not broadcast together, or None if they do.

    As PyTorch's ``infer_size``: the shapes are merged left to right, each compared with the
    merged shape so far from its last dimension on, so the error names the rightmost
    dimension (of the pair's broadcast shape) where two sizes differ and neither is 1."""
    merged: tuple[int, ...] = ()
    for shape in shapes:
        ndim = max(len(merged), len(shape))
        out = []
        for i in range(ndim - 1, -1, -1):
            offset = ndim - 1 - i
            size_a = merged[len(merged) - 1 - offset] if offset < len(merged) else 1
            size_b = shape[len(shape) - 1 - offset] if offset < len(shape) else 1
            if size_a != size_b and size_a != 1 and size_b != 1:
                return BroadcastError(
                    f"The size of tensor a ({size_a}) must match the size of tensor b "
                    f"({size_b}) at non-singleton dimension {i}"
                )
            out.append(size_b if size_a == 1 else size_a)
        merged = tuple(reversed(out))
    return None
