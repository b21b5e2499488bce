"""More of ``torch.nn.functional``'s pooling: ``max_unpool1d/2d/3d`` (the partial inverse of
max pooling, from the indices ``max_pool*(return_indices=True)`` gives), ``lp_pool1d/2d/3d``
(power-average pooling), ``adaptive_max_pool1d/2d/3d_with_indices`` and ``dropout3d``, with
PyTorch's output sizes, checks and messages.

All are compositions of differentiable operations, so every order of derivative works:

* unpooling scatters each input element to its index in a zero plane (``scatter``, the last
  written where indices repeat), its gradient that of ``scatter_add``: the output's gradient
  gathered at every index, as PyTorch's ``max_unpool`` backward;
* power-average pooling is PyTorch's own composition: ``avg_pool(x ** p)`` times the window's
  size, its sign kept through ``relu(|.|)``, to the power ``1 / p`` (``max_pool`` of ``|x|``
  for an infinite `p`).
"""

from __future__ import annotations

import math
import warnings

from .. import ops as _ops
from .._core.tensor import Tensor
from ..ops._autocast import full_precision
from ._pool import (
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from ._resample import _channel_dropout, _check_p

__all__ = [
    "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "dropout3d",
]  # fmt: skip


def _tuple(value, dims: int) -> tuple[int, ...]:
    """PyTorch's ``_single``/``_pair``/``_triple``: a sequence as it is, a number repeated."""
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * dims


def _unpool_output_size(x, kernel, stride, padding, output_size) -> list[int]:
    """PyTorch's ``_unpool_output_size``: ``(in - 1) * stride + kernel - 2 * padding`` on each
    axis, or `output_size` (its last ``len(kernel)`` entries) if it is within one stride of
    that."""
    dims = len(kernel)
    default = [
        (x.shape[x.ndim - dims + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
        for d in range(dims)
    ]
    if output_size is None:
        return default
    if len(output_size) == dims + 2:
        output_size = output_size[2:]
    if len(output_size) != dims:
        raise ValueError(
            f"output_size should be a sequence containing {dims} or {dims + 2} elements, but it "
            f"has a length of '{len(output_size)}'"
        )
    for d in range(dims):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < output_size[d] < high:
            raise ValueError(
                f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})'
            )
    return [int(s) for s in output_size]


def _max_unpool(x, indices, size: list[int], name: str, shown_dims: int) -> Tensor:
    """Scatter `x` ``(N, C, *in)`` or ``(C, *in)`` into zeros of spatial shape `size` at the
    flat positions `indices`; `name` and `shown_dims` word PyTorch's messages (``max_unpool1d``
    runs as ``max_unpooling2d`` on a trailing axis of one)."""
    dims = len(size)
    extra = shown_dims - dims  # the trailing unit axes PyTorch's 1-d form adds
    if x.ndim + extra not in (shown_dims + 1, shown_dims + 2):
        raise RuntimeError(
            f"Input to {name} should be a {shown_dims + 1}d or {shown_dims + 2}d Tensor, but got "
            f"a tensor with {x.ndim + extra} dimensions."
        )
    if indices.dtype.name != "int64":
        suffix = f" but got: {indices.type().split('.')[-1][:-6]}" if shown_dims == 2 else ""
        raise RuntimeError(f"elements in indices should be type int64{suffix}")
    if tuple(indices.shape) != tuple(x.shape):
        shape = [*x.shape] + [1] * extra
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({shape}) but "
            f"got indices tensor with shape: {[*indices.shape] + [1] * extra}"
        )
    volume = math.prod(size)
    backend = indices._backend
    if indices.numel() and backend.has_values(indices._data):
        values = backend.to_numpy(indices._data).reshape(-1)
        bad = values[(values < 0) | (values >= volume)]
        if bad.size:
            sizes = "x".join(str(s) for s in [*size] + [1] * extra)
            raise RuntimeError(
                f"Found an invalid max index: {int(bad[0])} (output volumes are of size {sizes})"
            )
    lead = tuple(x.shape[: x.ndim - dims])
    flat = _ops.reshape(x, (*lead, -1))
    where = _ops.reshape(indices, (*lead, -1))
    zeros = _ops.zeros((*lead, volume), dtype=x.dtype, device=x.device)
    # the values: the last element written at each index, as PyTorch's kernel; the gradient:
    # the output's gathered at the indices for every element (also those overwritten)
    gathered = _ops.scatter_add(zeros, -1, where, flat)
    out = _ops.scatter(zeros, -1, where, flat.detach()) + (gathered - gathered.detach())
    return _ops.reshape(out, (*lead, *size))


def _unpool(input, indices, kernel_size, stride, padding, output_size, dims: int, name: str):  # noqa: A002
    kernel = _tuple(kernel_size, dims)
    steps = kernel if stride is None else _tuple(stride, dims)
    pads = _tuple(padding, dims)
    size = _unpool_output_size(input, kernel, steps, pads, output_size)
    return _max_unpool(input, indices, size, name, max(dims, 2))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of :func:`max_pool1d`: each element of `input` ``(N, C, L)`` or
    ``(C, L)`` placed at its index in zeros of length ``(L - 1) * stride + kernel_size -
    2 * padding`` (or `output_size`, within one stride of it).

    Parameters
    ----------
    input : Tensor
        The pooled values.
    indices : Tensor
        int64 positions of the values, as ``max_pool1d(..., return_indices=True)`` gives them.
    kernel_size, stride, padding
        Those of the pooling (`stride` defaults to `kernel_size`).
    output_size : sequence of int, optional
        The output's length (or its whole shape).

    Returns
    -------
    Tensor
        The unpooled tensor; its gradient gathers the output's at `indices`.
    """
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpooling2d")


@full_precision
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of :func:`max_pool2d`: each element of `input` ``(N, C, H, W)`` or
    ``(C, H, W)`` placed at its flat index ``h * W_out + w`` in zero planes (see
    :func:`max_unpool1d` for the output's size).

    Parameters
    ----------
    input, indices : Tensor
        The pooled values and their int64 flat positions.
    kernel_size, stride, padding
        Those of the pooling (`stride` defaults to `kernel_size`).
    output_size : sequence of int, optional
        The planes' ``(H, W)`` (or the whole shape).

    Returns
    -------
    Tensor
        The unpooled tensor.
    """
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpooling2d")


@full_precision
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of :func:`max_pool3d`: each element of `input` ``(N, C, D, H, W)``
    or ``(C, D, H, W)`` placed at its flat index in zero volumes (see :func:`max_unpool1d`).

    Parameters
    ----------
    input, indices : Tensor
        The pooled values and their int64 flat positions.
    kernel_size, stride, padding
        Those of the pooling (`stride` defaults to `kernel_size`).
    output_size : sequence of int, optional
        The volumes' ``(D, H, W)`` (or the whole shape).

    Returns
    -------
    Tensor
        The unpooled tensor.
    """
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpooling3d")


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool, avg_pool, window):  # noqa: A002
    if norm_type == math.inf:
        return max_pool(_ops.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool(-_ops.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input**norm_type, kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input**norm_type, kernel_size, padding=0, ceil_mode=ceil_mode)
    exponent = 1.0 / norm_type
    return ((_ops.sign(out) * _ops.relu(_ops.abs(out))) * window) ** exponent


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:  # noqa: A002
    """Power-average pooling of `input` ``(N, C, L)`` or ``(C, L)``: ``(sum over the window of
    x ** norm_type) ** (1 / norm_type)`` (the maximum of ``|x|`` for an infinite
    `norm_type`).

    Parameters
    ----------
    input : Tensor
        The signal.
    norm_type : float
        The power `p`.
    kernel_size : int
        The window's length.
    stride : int, optional
        The step between windows (default `kernel_size`).
    ceil_mode : bool
        Whether a last partial window (starting inside the input) makes an output.

    Returns
    -------
    Tensor
        The pooled signal.
    """
    window = math.prod(_tuple(kernel_size, 1))
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool1d, avg_pool1d,
                    window)  # fmt: skip


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:  # noqa: A002
    """Power-average pooling of `input` ``(N, C, H, W)`` or ``(C, H, W)`` (see
    :func:`lp_pool1d`; `kernel_size` and `stride` are ints or pairs)."""
    window = math.prod(_tuple(kernel_size, 2))
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool2d, avg_pool2d,
                    window)  # fmt: skip


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:  # noqa: A002
    """Power-average pooling of `input` ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see
    :func:`lp_pool1d`; `kernel_size` and `stride` are ints or triples)."""
    window = math.prod(_tuple(kernel_size, 3))
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool3d, avg_pool3d,
                    window)  # fmt: skip


def adaptive_max_pool1d_with_indices(input, output_size, return_indices: bool = False):  # noqa: A002
    """``adaptive_max_pool1d(input, output_size, return_indices=True)``: the maxima and their
    positions, whatever `return_indices` says (as PyTorch)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices: bool = False):  # noqa: A002
    """``adaptive_max_pool2d(input, output_size, return_indices=True)``: the maxima and their
    flat positions in their planes."""
    return adaptive_max_pool2d(input, output_size, True)


@full_precision
def adaptive_max_pool3d_with_indices(input, output_size, return_indices: bool = False):  # noqa: A002
    """``adaptive_max_pool3d(input, output_size, return_indices=True)``: the maxima and their
    flat positions in their volumes."""
    return adaptive_max_pool3d(input, output_size, True)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of `input` ``(N, C, D, H, W)`` or ``(C, D, H, W)`` with probability
    `p`, scaling the others by ``1 / (1 - p)``, when `training`.

    Parameters
    ----------
    input : Tensor
        The volumes (other ranks are deprecated by PyTorch: a warning, then axis 0 is taken as
        the channels, as PyTorch does).
    p : float
        The probability of zeroing a channel.
    training : bool
        Whether to drop (the input itself is returned otherwise).
    inplace : bool
        Whether to change `input` in place.

    Returns
    -------
    Tensor
        The input with channels dropped.
    """
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    return _channel_dropout(input, p, training, inplace, batched=input.ndim == 5)
