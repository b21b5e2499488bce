"""``torch.nn.functional``'s fractional max pooling (Graham, *Fractional Max-Pooling*):
``fractional_max_pool2d/3d`` and their ``_with_indices`` forms.

Each plane's windows start at PyTorch's pseudo-random sequence of positions, drawn from its
``_random_samples`` (uniform in ``[0, 1)``, one per plane and axis, drawn with ``rand`` from
pluggrad's generator as PyTorch draws them when they are not given): for an axis of `n`
inputs, `m` outputs and a window of `k`, output `i < m - 1` starts at
``int((i + u) a) - int(u a)`` with ``a = (n - k) / (m - 1)``, computed in the input's dtype
as PyTorch's kernel does, and the last at ``n - k``.  The maximum of each window is taken by
:mod:`pluggrad.nn._pool`'s gather (the first maximal element, the last NaN), so the gradient
goes to that element and every order of derivative works.
"""

from __future__ import annotations

import math

import numpy as np

from .. import ops as _ops
from ..ops._autocast import full_precision
from ._pool import _max_over_windows

__all__ = [
    "fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]  # fmt: skip


def _tuple(value, dims: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims


def _intervals(samples: np.ndarray, size: int, out: int, pool: int) -> np.ndarray:
    """PyTorch's ``generate_intervals`` for every plane at once: the ``(planes, out)`` window
    starts of an axis, in the samples' dtype."""
    kind = samples.dtype.type
    starts = np.empty((samples.shape[0], out), dtype=np.int64)
    if out > 1:
        alpha = kind(size - pool) / kind(out - 1)
        steps = np.arange(out - 1, dtype=samples.dtype)[None, :]
        moved = ((steps + samples[:, None]) * alpha).astype(np.int64)
        starts[:, :-1] = moved - (samples * alpha).astype(np.int64)[:, None]
    if out > 0:
        starts[:, -1] = size - pool
    return starts


_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, samples, dims: int):  # noqa: A002
    name = f"fractional_max_pool{dims}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.ndim < dims + 1:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-input.ndim}, "
            f"{input.ndim - 1}], but got {-dims - 1})"
        )
    spatial = tuple(input.shape[-dims:])
    if output_size is None:
        if dims == 2 and isinstance(output_ratio, (tuple, list)) and len(output_ratio) > 2:
            raise ValueError(
                "fractional_max_pool2d requires output_ratio to either be a single Int or "
                "tuple of Ints."
            )
        ratios = _tuple(output_ratio, dims)
        output_size = [int(n * r) for n, r in zip(spatial, ratios)]
    sizes = [int(s) for s in _tuple(output_size, dims)]
    kernel = [int(k) for k in _tuple(kernel_size, dims)]
    batched = input.ndim == dims + 2
    channels = input.shape[-dims - 1]
    batch = input.shape[0] if batched else 1
    if samples is None:
        samples = _ops.rand(batch, channels, dims, dtype=input.dtype, device=input.device)
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != dims:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {dims}; got {samples.shape[2]}."
        )
    where = "fractional_max_pool3d_out()" if dims == 3 else "fractional_max_pool2d()"
    room = 0 if dims == 2 else 1  # PyTorch's 3-d kernel also wants a spare element
    for axis, n, o, k in zip(_AXES[dims], spatial, sizes, kernel):
        if o + k - 1 + room > n:
            raise RuntimeError(f"{where}: pool {axis} {k} too large relative to input {axis} {n}")
    drawn = np.asarray(samples.detach().tolist(), dtype=np.dtype(input.dtype.name))
    drawn = np.reshape(drawn[:batch], (batch * channels, dims))
    # PyTorch's kernels read a plane's samples backwards: the last axis (width) takes sample 0
    # in 2-d; in 3-d, time, height and width take samples 0, 1, 2
    order = (1, 0) if dims == 2 else (0, 1, 2)
    starts = [_intervals(drawn[:, s], n, o, k) for s, n, o, k in zip(order, spatial, sizes, kernel)]
    volume = math.prod(spatial)
    strides = [math.prod(spatial[a + 1 :]) for a in range(dims)]
    planes = batch * channels
    # the flat position of each (plane, output position, window element) in all the planes
    table = np.arange(planes).reshape((planes,) + (1,) * (2 * dims)) * volume
    for a in range(dims):
        offset = starts[a][:, :, None] + np.arange(kernel[a])[None, None, :]
        shape = [planes] + [1] * (2 * dims)
        shape[1 + a], shape[1 + dims + a] = sizes[a], kernel[a]
        table = table + np.reshape(offset * strides[a], shape)
    table = np.reshape(table, (planes * math.prod(sizes), math.prod(kernel)))
    flat = _ops.reshape(input, (1, planes * volume))
    values, indices = _max_over_windows(flat, table, [planes * math.prod(sizes)], True)
    lead = tuple(input.shape[:-dims])
    values = _ops.reshape(values, (*lead, *sizes))
    first = np.repeat(np.arange(planes) * volume, math.prod(sizes))
    indices = indices - _ops.asarray(first[None, :], dtype=indices.dtype, device=input.device)
    return values, _ops.reshape(indices, (*lead, *sizes))


@full_precision
def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None,  # noqa: A002
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples=None):  # fmt: skip
    """Fractional max pooling of `input` ``(N, C, H, W)`` or ``(C, H, W)``, and the flat
    positions (``h * W + w``) of the maxima in their planes.

    Parameters
    ----------
    input : Tensor
        The planes.
    kernel_size : int or (int, int)
        The window.
    output_size : int or (int, int), optional
        The output's ``(H, W)``.
    output_ratio : float or (float, float), optional
        The output's size as a fraction of the input's (when `output_size` is not given).
    return_indices : bool
        Unused: both are returned (the name PyTorch's function has).
    _random_samples : Tensor, optional
        ``(N, C, 2)`` samples in ``[0, 1)`` that place the windows (drawn when omitted).

    Returns
    -------
    (Tensor, Tensor)
        The maxima and their int64 positions.
    """
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                _random_samples, 2)  # fmt: skip


@full_precision
def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,  # noqa: A002
                          return_indices: bool = False, _random_samples=None):  # fmt: skip
    """Fractional max pooling of `input` ``(N, C, H, W)`` or ``(C, H, W)`` (see
    :func:`fractional_max_pool2d_with_indices`); with `return_indices`, also the positions.

    Parameters
    ----------
    input, kernel_size, output_size, output_ratio, _random_samples
        As :func:`fractional_max_pool2d_with_indices`.
    return_indices : bool
        Whether to return the positions of the maxima too.

    Returns
    -------
    Tensor or (Tensor, Tensor)
        The maxima (and their positions).
    """
    out = _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return out if return_indices else out[0]


@full_precision
def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None,  # noqa: A002
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples=None):  # fmt: skip
    """Fractional max pooling of `input` ``(N, C, D, H, W)`` or ``(C, D, H, W)``, and the flat
    positions of the maxima in their volumes (see
    :func:`fractional_max_pool2d_with_indices`; ``_random_samples`` is ``(N, C, 3)``)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                _random_samples, 3)  # fmt: skip


@full_precision
def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,  # noqa: A002
                          return_indices: bool = False, _random_samples=None):  # fmt: skip
    """Fractional max pooling of `input` ``(N, C, D, H, W)`` or ``(C, D, H, W)``; with
    `return_indices`, also the positions of the maxima."""
    out = _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return out if return_indices else out[0]
