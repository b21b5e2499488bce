"""``affine_grid`` and ``grid_sample``: sampling an image at arbitrary points, PyTorch's
spatial-transformer functions.

``grid_sample`` follows PyTorch's CPU kernel (``grid_sampler_2d``) formula by formula: the
points' coordinates are unnormalized, folded into the image by the padding mode, and each
output is the sum over the four neighbouring pixels of the pixel's value times its bilinear
weight (``"bilinear"``) or the nearest pixel's value (``"nearest"``, halves to even).  Made of
differentiable operations, so the gradients with respect to the image and to the grid, and
their derivatives, follow; the neighbours' integer positions carry no gradient, as in PyTorch.
"""

from __future__ import annotations

import warnings

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.size import Size
from .._core.tensor import Tensor
from ..ops._autocast import full_precision

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_CORNERS_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _align_corners(align_corners) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _steps(n: int, align_corners: bool, like: Tensor) -> Tensor:
    """PyTorch's ``linspace_from_neg_one``: `n` coordinates across [-1, 1]."""
    if n <= 1:
        return _ops.zeros(1, dtype=like.dtype, device=like.device)
    steps = _ops.linspace(-1.0, 1.0, n, dtype=like.dtype, device=like.device)
    return steps if align_corners else steps * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None) -> Tensor:
    """The sampling grid of a batch of affine maps `theta` (``(N, 2, 3)`` for images of
    `size` ``(N, C, H, W)``, ``(N, 3, 4)`` for volumes ``(N, C, D, H, W)``): each output
    position's normalized ``(x, y[, z])`` coordinates mapped by its batch's matrix, shaped
    ``(N, H, W, 2)`` (``(N, D, H, W, 3)``)."""
    align = _align_corners(align_corners)
    given, size = size, tuple(int(s) for s in size)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {Size(size)}."
        )
    spatial = len(size) - 2
    n = size[0]
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (spatial, spatial + 1) or theta.shape[0] != n:
        shape = f"Nx{spatial}x{spatial + 1}"
        raise ValueError(
            f"Expected a batch of {spatial}D affine matrices of shape {shape} for size "
            f"{given}. Got {Size(theta.shape)}."
        )
    if any(s <= 0 for s in size[2:]):
        raise ValueError(f"Expected non-zero, positive output size. Got {list(size[2:])}")
    # base grid (..., spatial + 1): x along the last axis, then y (then z), then ones
    axes = [_steps(s, align, theta) for s in reversed(size[2:])]  # x (width) first
    grids = _ops.meshgrid(*reversed(axes), indexing="ij")  # (D,) H, W
    base = _ops.stack([*reversed(grids), _ops.ones_like(grids[0])], axis=-1)
    points = _ops.reshape(base, (1, -1, spatial + 1))
    out = _ops.matmul(points, _ops.matrix_transpose(theta))
    return _ops.reshape(out, (n, *size[2:], spatial))


def _unnormalize(coord: Tensor, size: int, align: bool) -> Tensor:
    if align:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """PyTorch's ``reflect_coordinates``: `coord` folded into [low, high] by reflections."""
    if twice_low == twice_high:
        return _ops.zeros_like(coord)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    offset = coord - low
    with no_grad():
        below = offset < 0
    distance = _ops.where(below, -offset, offset)  # PyTorch's slope +1 at 0 (abs has 0)
    extra = _ops.fmod(distance, span)
    with no_grad():
        even = _ops.remainder(_ops.floor(distance / span), 2) == 0
    return _ops.where(even, extra + low, span - extra + low)


def _clip(coord: Tensor, size: int) -> Tensor:
    """PyTorch's ``clip_coordinates``: `coord` within [0, size - 1], its slope 0 from the
    edges outward (the edges included, unlike ``clamp``'s)."""
    with no_grad():
        inside = (coord > 0) & (coord < size - 1)
        clipped = _ops.clamp(coord, 0, size - 1)
    return _ops.where(inside, coord, clipped)


def _source_index(coord: Tensor, size: int, padding_mode: str, align: bool) -> Tensor:
    """PyTorch's ``grid_sampler_compute_source_index``."""
    coord = _unnormalize(coord, size, align)
    if padding_mode == "border":
        return _clip(coord, size)
    if padding_mode == "reflection":
        if align:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return _clip(coord, size)
    return coord


def _gather(flat: Tensor, ix: Tensor, iy: Tensor, height: int, width: int) -> Tensor:
    """The pixels of `flat` ``(N, C, H * W)`` at the integer positions ``(ix, iy)``
    ``(N, L)`` (float), 0 where a position falls outside the image, shaped ``(N, C, L)``."""
    with no_grad():
        inside = (ix >= 0) & (ix <= width - 1) & (iy >= 0) & (iy <= height - 1)
        x = _ops.astype(_ops.clamp(ix, 0, width - 1), _dtypes.int64)
        y = _ops.astype(_ops.clamp(iy, 0, height - 1), _dtypes.int64)
        index = _ops.expand_dims(y * width + x, axis=1)
        index = _ops.broadcast_to(index, (flat.shape[0], flat.shape[1], index.shape[-1]))
    values = _ops.take_along_axis(flat, index, axis=-1)
    # (where, not a product with the mask: PyTorch adds nothing for such a point, so its sum
    # stays +0 where a negative pixel times 0 would give -0)
    return _ops.where(_ops.expand_dims(inside, axis=1), values, 0.0)


@full_precision
def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros",  # noqa: A002
                align_corners=None) -> Tensor:  # fmt: skip
    """`input` ``(N, C, H, W)`` sampled at the normalized points of `grid` ``(N, H_out, W_out,
    2)`` (``x`` across the width, ``y`` down the height, ``-1`` and ``1`` the image's edges:
    its corner pixels' centres with `align_corners`, their outer edges without), shaped
    ``(N, C, H_out, W_out)``.

    `mode` ``"bilinear"`` or ``"nearest"``; `padding_mode` ``"zeros"`` (points outside read
    0), ``"border"`` (the nearest edge pixel) or ``"reflection"`` (the image mirrored at its
    edges).  Differentiable with respect to `input` and (bilinear) `grid`."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    align = _align_corners(align_corners)
    if input.ndim != 4:
        raise NotImplementedError(
            f"grid_sample: pluggrad samples 4-D inputs (N, C, H, W); got {input.ndim}-D"
        )
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: pluggrad has mode 'bilinear' and 'nearest'")
    if grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid to have size 2 in last dimension and the input's "
            f"batch size, but got grid with sizes {list(grid.shape)}"
        )
    n, c, height, width = input.shape
    out_h, out_w = grid.shape[1], grid.shape[2]
    points = _ops.reshape(grid, (n, out_h * out_w, 2))
    ix = _source_index(points[..., 0], width, padding_mode, align)
    iy = _source_index(points[..., 1], height, padding_mode, align)
    flat = _ops.reshape(input, (n, c, height * width))
    if mode == "nearest":
        out = _gather(flat, _ops.round(ix).detach(), _ops.round(iy).detach(), height, width)
        return _ops.reshape(out, (n, c, out_h, out_w))
    with no_grad():
        x0, y0 = _ops.floor(ix), _ops.floor(iy)
        x1, y1 = x0 + 1, y0 + 1
    corners = (
        (x0, y0, (x1 - ix) * (y1 - iy)),  # north-west
        (x1, y0, (ix - x0) * (y1 - iy)),  # north-east
        (x0, y1, (x1 - ix) * (iy - y0)),  # south-west
        (x1, y1, (ix - x0) * (iy - y0)),  # south-east
    )
    terms = [_gather(flat, cx, cy, height, width) * _ops.expand_dims(w, axis=1)
             for cx, cy, w in corners]  # fmt: skip
    out = terms[0] + terms[1] + terms[2] + terms[3]  # PyTorch's order
    return _ops.reshape(out, (n, c, out_h, out_w))
