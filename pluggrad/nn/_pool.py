"""``torch.nn.functional``'s pooling: ``max_pool1d/2d/3d``, ``avg_pool1d/2d/3d``,
``adaptive_avg_pool1d/2d/3d``, ``adaptive_max_pool1d/2d/3d``, with PyTorch's output sizes
(``ceil_mode``), divisors (``count_include_pad``, ``divisor_override``), checks and messages.

All are compositions of differentiable operations, so every order of derivative works:

* max pooling gathers each window (``take`` of the flattened input, padding read as ``-inf``
  from an appended element) and takes the element PyTorch's kernel picks, with
  ``take_along_axis``: the first maximal element in the window's order, the last NaN if there
  is one, never the padding; the gradient goes to that element alone, as PyTorch's;
* average pooling is a convolution with a kernel of ones (one channel, the channels moved into
  the batch) divided by PyTorch's divisor at each output position;
* adaptive average pooling multiplies by averaging matrices (one per axis, PyTorch's windows
  ``floor(i * L / out)`` to ``ceil((i + 1) * L / out)``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..backends._base import conv_window_index
from ..ops._autocast import full_precision
from ..ops.convolution import convolution

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool3d", "max_pool3d_with_indices",
    "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
]  # fmt: skip


def _pair(value, dims: int, message: str) -> tuple[int, ...]:
    values = [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)]
    if len(values) == 1:
        values *= dims
    if len(values) != dims:
        raise RuntimeError(message)
    return tuple(values)


def _pool_args(function: str, kernel_size, stride, padding, dilation, dims: int):
    """Kernel, stride (the kernel's when omitted), padding and dilation, with PyTorch's messages
    (the 2-d functions name ``two ints``; the 1-d ones check through them)."""
    kind = {1: "one int", 2: "two ints", 3: "three ints"}[dims]
    must = "must be" if function == "avg_pool3d" else "must either be"  # PyTorch's two wordings
    kernel = _pair(
        kernel_size, dims, f"{function}: kernel_size {must} a single int, or a tuple of {kind}"
    )
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        steps = kernel
    else:
        steps = _pair(
            stride,
            dims,
            f"{function}: stride {must} omitted, a single int, or a tuple of {kind}",
        )
    pads = _pair(padding, dims, f"{function}: padding {must} a single int, or a tuple of {kind}")
    dilations = _pair(
        dilation, dims, f"{function}: dilation must be either a single int, or a tuple of {kind}"
    )
    if any(s == 0 for s in steps):
        raise RuntimeError("stride should not be zero")
    if any(p < 0 for p in pads):
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(pads)}")
    if any(k <= 0 for k in kernel):
        letters = "THW"[-dims:]
        detail = " ".join(f"k{a}: {k}" for a, k in zip(letters, kernel))
        raise RuntimeError(f"kernel size should be greater than zero, but got {detail}")
    if any(d <= 0 for d in dilations):
        letters = "THW"[-dims:]
        detail = " ".join(f"dilation{a}: {d}" for a, d in zip(letters, dilations))
        raise RuntimeError(f"dilation should be greater than zero, but got {detail}")
    for k, p, d in zip(kernel, pads, dilations):
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={p}, kernel_size={k} and dilation={d}"
            )
    return kernel, steps, pads, dilations


def _output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: with ``ceil_mode`` the last window must start in
    the input or its left padding."""
    numerator = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = numerator // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _layout(x, kernel, steps, pads, dilations, ceil_mode: bool):
    """The output's spatial shape, PyTorch's message if it is empty, and each axis's
    ``(lo, hi)`` padding that makes exactly that many windows."""
    spatial = list(x.shape[-len(kernel) :])
    out = [_output_size(*a, ceil_mode) for a in zip(spatial, kernel, steps, pads, dilations)]
    if any(o < 1 for o in out):
        planes = x.shape[-len(kernel) - 1]
        given = "x".join(map(str, [planes, *([1] if len(kernel) == 1 else []), *spatial]))
        made = "x".join(map(str, [planes, *([1] if len(kernel) == 1 else []), *out]))
        raise RuntimeError(
            f"Given input size: ({given}). Calculated output size: ({made}). "
            "Output size is too small"
        )
    padding = [
        (p, (o - 1) * s + (k - 1) * d + 1 - n - p)
        for n, k, s, p, d, o in zip(spatial, kernel, steps, pads, dilations, out)
    ]
    return out, padding


def _max_pool(x, kernel, steps, pads, dilations, ceil_mode, return_indices):
    """Max pooling of `x` ``(..., C, *spatial)`` (batch axes flattened by the caller)."""
    dims = len(kernel)
    out, padding = _layout(x, kernel, steps, pads, dilations, ceil_mode)
    spatial = tuple(x.shape[-dims:])
    table, _ = conv_window_index(spatial, kernel, steps, padding, (1,) * dims, dilations)
    return _max_over_windows(x, table, out, return_indices)


def _max_over_windows(x, table: np.ndarray, out: list[int], return_indices: bool):
    """The maximum of each window of `x`'s last ``len(out)`` axes: `table` holds, per output
    position, the flat positions of its window's elements (``prod(spatial)`` for padding, read
    as ``-inf``).  The gradient goes to the first maximal element (the last NaN), and the
    indices are flat positions in the plane."""
    dims = len(out)
    spatial = tuple(x.shape[-dims:])
    lead = tuple(x.shape[:-dims])
    size = math.prod(spatial)
    flat = _ops.reshape(x, (*lead, size))
    fill = _ops.full((*lead, 1), -math.inf, dtype=x.dtype, device=x.device)
    flat = _ops.concat([flat, fill], axis=-1)
    windows = _ops.take(flat, _ops.asarray(np.reshape(table, (-1,)), device=x.device), axis=-1)
    windows = _ops.reshape(windows, (*lead, *table.shape))
    with no_grad():
        values = windows.detach()
        valid = _ops.asarray(table != size, device=x.device)
        top = _ops.max(values, axis=-1, keepdims=True)
        first_max = _ops.argmax(_ops.astype((values == top) & valid, _dtypes.int32), axis=-1)
        nan = _ops.isnan(values)
        last_nan = (
            table.shape[1]
            - 1
            - _ops.argmax(_ops.flip(_ops.astype(nan, _dtypes.int32), axis=-1), axis=-1)
        )
        chosen = _ops.expand_dims(_ops.where(_ops.any(nan, axis=-1), last_nan, first_max), axis=-1)
    result = _ops.reshape(_ops.take_along_axis(windows, chosen, axis=-1), (*lead, *out))
    if not return_indices:
        return result
    positions = _ops.broadcast_to(_ops.asarray(table, device=x.device), tuple(windows.shape))
    indices = _ops.take_along_axis(positions, chosen, axis=-1)
    return result, _ops.reshape(indices, (*lead, *out))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):  # fmt: skip
    """The maximum of each window of `input` ``(N, C, H, W)`` or ``(C, H, W)``, the padding
    read as ``-inf``; with ``return_indices``, also the flat position (``h * W + w``) of each
    maximum in its plane."""
    args = _pool_args("max_pool2d", kernel_size, stride, padding, dilation, 2)
    if input.ndim not in (3, 4) or 0 in tuple(input.shape)[-3:]:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    return _max_pool(input, *args, bool(ceil_mode), bool(return_indices))


@full_precision
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):  # fmt: skip
    """The maximum of each window of `input` ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see
    max_pool2d; the indices are flat positions ``(d * H + h) * W + w`` in the volume)."""
    args = _pool_args("max_pool3d", kernel_size, stride, padding, dilation, 3)
    if input.ndim not in (4, 5) or 0 in tuple(input.shape)[-4:]:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    return _max_pool(input, *args, bool(ceil_mode), bool(return_indices))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):  # fmt: skip
    """The maximum of each window of `input` ``(N, C, L)`` or ``(C, L)`` (see max_pool2d)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(input.shape)}"
        )
    args = _pool_args("max_pool1d", kernel_size, stride, padding, dilation, 1)
    size = _output_size(input.shape[-1], *(a[0] for a in args), bool(ceil_mode))
    if size <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {size}")
    return _max_pool(input, *args, bool(ceil_mode), bool(return_indices))


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """``max_pool1d(..., return_indices=True)``: the maxima and their positions."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """``max_pool2d(..., return_indices=True)``: the maxima and their flat positions."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """``max_pool3d(..., return_indices=True)``: the maxima and their flat positions."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(x, kernel, steps, pads, ceil_mode, count_include_pad, divisor_override):
    dims = len(kernel)
    out, padding = _layout(x, kernel, steps, pads, (1,) * dims, ceil_mode)
    if divisor_override is not None and int(divisor_override) == 0:
        raise RuntimeError("divisor must be not zero")
    lead, spatial = tuple(x.shape[:-dims]), tuple(x.shape[-dims:])
    planes = _ops.reshape(x, (math.prod(lead), 1, *spatial))
    ones = _ops.ones((1, 1, *kernel), dtype=x.dtype, device=x.device)
    sums = convolution(planes, ones, stride=steps, padding=padding, lhs_dilation=(1,) * dims,
                       rhs_dilation=(1,) * dims)  # fmt: skip
    sums = _ops.reshape(sums, (*lead, *out))
    if divisor_override is not None:
        return sums / int(divisor_override)
    # PyTorch's divisor: the window clipped to the padded input, or to the input itself
    divisor = np.ones((), dtype=np.float64)
    for n, k, s, p, o in zip(spatial, kernel, steps, pads, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        divisor = np.multiply.outer(divisor, end - start)
    return sums / _ops.asarray(divisor, dtype=x.dtype, device=x.device)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True, divisor_override=None) -> Tensor:  # fmt: skip
    """The mean of each window of `input` ``(N, C, H, W)`` or ``(C, H, W)``, divided as
    PyTorch divides: by the window clipped to the padded input (``count_include_pad``), or to
    the input, or by ``divisor_override``."""
    kernel, steps, pads, _ = _pool_args("avg_pool2d", kernel_size, stride, padding, 1, 2)
    if input.ndim not in (3, 4):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(input.shape)}"
        )
    return _avg_pool(input, kernel, steps, pads, bool(ceil_mode), bool(count_include_pad),
                     divisor_override)  # fmt: skip


@full_precision
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True, divisor_override=None) -> Tensor:  # fmt: skip
    """The mean of each window of `input` ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see
    avg_pool2d)."""
    kernel, steps, pads, _ = _pool_args("avg_pool3d", kernel_size, stride, padding, 1, 3)
    if input.ndim not in (4, 5) or 0 in tuple(input.shape)[-4:]:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    spatial = tuple(input.shape[-3:])
    if any(n < k for n, k in zip(spatial, kernel)):  # PyTorch checks the unpadded input
        raise RuntimeError(
            "input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} kH: {} kW: {})"
            .format(*spatial, *kernel)
        )  # fmt: skip
    return _avg_pool(input, kernel, steps, pads, bool(ceil_mode), bool(count_include_pad),
                     divisor_override)  # fmt: skip


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True) -> Tensor:  # fmt: skip
    """The mean of each window of `input` ``(N, C, L)`` or ``(C, L)`` (see avg_pool2d)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
            "#1 'self' (while checking arguments for avg_pool1d)"
        )
    kernel, steps, pads, _ = _pool_args("avg_pool1d", kernel_size, stride, padding, 1, 1)
    return _avg_pool(input, kernel, steps, pads, bool(ceil_mode), bool(count_include_pad), None)


def _averaging(size: int, out: int, dtype, device) -> Tensor:
    """The ``(out, size)`` matrix of PyTorch's adaptive windows' means."""
    matrix = np.zeros((out, size))
    for i, window in enumerate(_adaptive_windows(size, out)):
        matrix[i, window.start : window.stop] = 1.0 / len(window)
    return _ops.asarray(matrix, dtype=dtype, device=device)


def _adaptive_sizes(input, output_size, dims: int, function: str) -> list[int]:  # noqa: A002
    """The output's spatial sizes (None keeps the input's), after PyTorch's checks."""
    if input.ndim not in (dims + 1, dims + 2):
        if dims == 1:
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                f"argument #1 'self' (while checking arguments for {function})"
            )
        got = "got:" if "max" in function else "got"  # PyTorch's two spellings
        raise RuntimeError(
            f"{function}(): Expected {dims + 1}D or {dims + 2}D tensor, but {got} "
            f"{list(input.shape)}"
        )
    sizes = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size] * dims
    if len(sizes) != dims:
        if "max" in function and dims > 1:  # PyTorch's max pooling words it so
            raise RuntimeError(f"{function}(): internal error: output_size.size() must be {dims}")
        raise RuntimeError(f"{function}: output_size must be {dims}")
    spatial = tuple(input.shape[-dims:])
    return [n if o is None else int(o) for n, o in zip(spatial, sizes)]


def _adaptive_windows(n: int, out: int) -> list[range]:
    """PyTorch's adaptive windows of an axis of `n` for `out` outputs: ``floor(i n / out)`` to
    ``ceil((i + 1) n / out)``."""
    return [range((i * n) // out, -((-(i + 1) * n) // out)) for i in range(out)]


def _adaptive_max_pool(input, output_size, dims: int, function: str, return_indices: bool):  # noqa: A002
    sizes = _adaptive_sizes(input, output_size, dims, function)
    spatial = tuple(input.shape[-dims:])
    windows = [_adaptive_windows(n, o) for n, o in zip(spatial, sizes)]
    strides = [math.prod(spatial[a + 1 :]) for a in range(dims)]
    cells = []
    for per_axis in itertools.product(*windows):
        positions = itertools.product(*(
            [i * stride for i in window] for window, stride in zip(per_axis, strides)
        ))  # fmt: skip
        cells.append([sum(p) for p in positions])
    width = max(len(c) for c in cells)
    size = math.prod(spatial)
    table = np.array([c + [size] * (width - len(c)) for c in cells], dtype=np.int64)
    return _max_over_windows(input, table, sizes, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):  # noqa: A002
    """The maximum over PyTorch's adaptive windows of `input` ``(N, C, H, W)`` or
    ``(C, H, W)``, to ``output_size`` (an int, or a pair whose None keeps that axis); with
    `return_indices`, also the flat positions of the maxima in their planes."""
    return _adaptive_max_pool(input, output_size, 2, "adaptive_max_pool2d", return_indices)


@full_precision
def adaptive_max_pool3d(input, output_size, return_indices: bool = False):  # noqa: A002
    """The maximum over PyTorch's adaptive windows of `input` ``(N, C, D, H, W)`` or
    ``(C, D, H, W)``, to ``output_size`` (an int, or a triple whose None keeps that axis)."""
    return _adaptive_max_pool(input, output_size, 3, "adaptive_max_pool3d", return_indices)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):  # noqa: A002
    """The maximum over PyTorch's adaptive windows of `input` ``(N, C, L)`` or ``(C, L)``."""
    return _adaptive_max_pool(input, output_size, 1, "adaptive_max_pool1d", return_indices)


def _adaptive_avg_pool(input, output_size, dims: int, function: str) -> Tensor:  # noqa: A002
    sizes = _adaptive_sizes(input, output_size, dims, function)
    spatial = tuple(input.shape[-dims:])
    out = input
    for axis, (n, o) in enumerate(zip(spatial, sizes)):
        matrix = _averaging(n, o, input.dtype, input.device)
        moved = _ops.moveaxis(out, input.ndim - dims + axis, -1)
        out = _ops.moveaxis(_ops.matmul(moved, _ops.matrix_transpose(matrix)), -1,
                            input.ndim - dims + axis)  # fmt: skip
    return out


def adaptive_avg_pool2d(input, output_size) -> Tensor:  # noqa: A002
    """The mean over PyTorch's adaptive windows of `input` ``(N, C, H, W)`` or ``(C, H, W)``,
    to ``output_size`` (an int, or a pair whose None keeps that axis)."""
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


@full_precision
def adaptive_avg_pool3d(input, output_size) -> Tensor:  # noqa: A002
    """The mean over PyTorch's adaptive windows of `input` ``(N, C, D, H, W)`` or
    ``(C, D, H, W)``, to ``output_size`` (an int, or a triple whose None keeps that axis)."""
    return _adaptive_avg_pool(input, output_size, 3, "adaptive_avg_pool3d")


def adaptive_avg_pool1d(input, output_size) -> Tensor:  # noqa: A002
    """The mean over PyTorch's adaptive windows of `input` ``(N, C, L)`` or ``(C, L)``."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")
