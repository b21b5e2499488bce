"""``unfold`` (im2col) and ``fold`` (col2im): the sliding blocks of a batch of images as columns,
and the sum of columns back into images, PyTorch's ``nn.functional.unfold`` and ``fold``.

Both read the positions of every block's elements from one index table (the convolutions'
:func:`~pluggrad.backends._base.conv_window_index`, with a zero one past the image for padding):
``unfold`` gathers through it (``take``) and ``fold`` adds through it (``put_along_axis_add``),
so each is the other's derivative and gradients of every order follow from the operations.
"""

from __future__ import annotations

import math

import numpy as np

from .. import ops as _ops
from .._core.tensor import Tensor
from ..backends._base import conv_window_index
from ._pool import _pair

__all__ = ["fold", "unfold"]


def _two(value, name: str) -> tuple[int, ...]:
    return _pair(value, 2, f"{name} must be an int or a pair of ints")


def _geometry(kernel_size, dilation, padding, stride) -> list[tuple[int, ...]]:
    """Kernel size, dilation, padding and stride as pairs."""
    names = ("kernel_size", "dilation", "padding", "stride")
    return [_two(v, n) for v, n in zip((kernel_size, dilation, padding, stride), names)]


def _blocks(spatial, kernel, dilation, padding, stride) -> tuple[np.ndarray, tuple[int, ...]]:
    """The index table of the blocks of an image of `spatial` size, and their grid's shape
    (PyTorch's message where a dimension of the grid is empty)."""
    grid = tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, d, p, s in zip(spatial, kernel, dilation, padding, stride)
    )
    if any(g < 1 for g in grid):
        raise RuntimeError(
            f"Given input with spatial size {tuple(spatial)}, kernel_size={kernel}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
            f"blocks as {grid}, but its components must be at least one."
        )
    pads = [(p, p) for p in padding]
    table, _ = conv_window_index(tuple(spatial), kernel, stride, pads, (1, 1), dilation)
    return table, grid


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:  # noqa: A002
    """The sliding ``kernel_size`` blocks of `input` ``(N, C, H, W)`` (or ``(C, H, W)``) as the
    columns of ``(N, C * kh * kw, L)``: channel-major, then the kernel's positions in row-major
    order; padding reads zeros."""
    if 0 < input.ndim < 3:  # PyTorch reads the size of dimension 2 first
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{input.ndim}, "
            f"{input.ndim - 1}], but got 2)"
        )
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)"
        )
    kernel, dilation, padding, stride = _geometry(kernel_size, dilation, padding, stride)
    unbatched = input.ndim == 3
    x = _ops.expand_dims(input, axis=0) if unbatched else input
    n, c, h, w = x.shape
    table, grid = _blocks((h, w), kernel, dilation, padding, stride)
    flat = _ops.reshape(x, (n, c, h * w))
    flat = _ops.concat([flat, _ops.zeros((n, c, 1), dtype=x.dtype, device=x.device)], axis=-1)
    positions = _ops.asarray(np.reshape(table.T, (-1,)), device=x.device)  # kernel-major
    columns = _ops.reshape(_ops.take(flat, positions, axis=-1),
                           (n, c * math.prod(kernel), math.prod(grid)))  # fmt: skip
    return columns[0] if unbatched else columns


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:  # noqa: A002
    """The columns of `input` ``(N, C * kh * kw, L)`` (or ``(C * kh * kw, L)``) added into
    images ``(N, C, *output_size)`` at the blocks :func:`unfold` reads (overlaps sum; what
    falls on the padding is dropped)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
            f"{input.ndim}D)"
        )
    out = _two(output_size, "output_size")
    kernel, dilation, padding, stride = _geometry(kernel_size, dilation, padding, stride)
    unbatched = input.ndim == 2
    cols = _ops.expand_dims(input, axis=0) if unbatched else input
    n, rows, length = cols.shape
    per_block = math.prod(kernel)
    if rows % per_block:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={rows} and kernel_size={kernel}."
        )
    table, grid = _blocks(out, kernel, dilation, padding, stride)
    if length != math.prod(grid):
        raise RuntimeError(
            f"Given output_size={out}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {grid[0]} * {grid[1]} = "
            f"{math.prod(grid)}, but got input.size(2)={length}."
        )
    c = rows // per_block
    values = _ops.reshape(cols, (n, c, per_block * length))
    positions = np.broadcast_to(np.reshape(table.T, (1, 1, -1)), (n, c, per_block * length))
    size = out[0] * out[1]
    images = _ops.put_along_axis_add(values, _ops.asarray(positions, device=cols.device), -1,
                                     (n, c, size + 1))  # fmt: skip
    images = _ops.reshape(images[..., :size], (n, c, *out))
    return images[0] if unbatched else images
