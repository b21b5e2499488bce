"""``batch_norm``, ``instance_norm``, ``group_norm`` and ``rms_norm``: normalisation by
statistics over the batch (with running estimates updated in place), over each sample's
channels, over groups of channels, or by the root mean square of the trailing dimensions;
composed of differentiable operations (so gradients of every order are those of the
operations)."""

from __future__ import annotations

from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Size, Tensor
from ._pool import avg_pool2d

__all__ = [
    "batch_norm", "group_norm", "instance_norm", "local_response_norm", "rms_norm", "trailing_axes",
]  # fmt: skip


def _affine(out: Tensor, weight, bias, shape: tuple) -> Tensor:
    """`out` scaled by `weight` and shifted by `bias`, both per channel (reshaped to
    `shape`)."""
    if weight is not None:
        out = out * _ops.reshape(weight, shape)
    if bias is not None:
        out = out + _ops.reshape(bias, shape)
    return out


def batch_norm(input, running_mean, running_var, weight=None, bias=None,  # noqa: A002
               training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:  # fmt: skip
    """Normalise each channel (dimension 1) of `input` by its mean and biased variance over
    the batch and the other dimensions (``training``), or by `running_mean` and `running_var`.

    In training the running estimates, when given, are updated in place as PyTorch updates
    them: ``running = (1 - momentum) running + momentum stat``, with the unbiased variance.
    """
    if input.ndim < 2:
        raise ValueError(f"expected 2D or more input (got {input.ndim}D input)")
    channels = input.shape[1]
    shape = (1, channels) + (1,) * (input.ndim - 2)
    axes = (0, *range(2, input.ndim))
    if training:
        count = input.numel() // channels if channels else 0
        if count <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{Size(input.shape)}"
            )
        mean = _ops.mean(input, axis=axes, keepdims=True)
        centered = input - mean
        var = _ops.mean(centered * centered, axis=axes, keepdims=True)
        with no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(_ops.reshape(mean, (channels,)) * momentum)
            if running_var is not None:
                unbiased = _ops.reshape(var, (channels,)) * (count / (count - 1))
                running_var.mul_(1 - momentum).add_(unbiased * momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        centered = input - _ops.reshape(running_mean, shape)
        var = _ops.reshape(running_var, shape)
    return _affine(centered / _ops.sqrt(var + eps), weight, bias, shape)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:  # noqa: A002
    """Normalise each group of ``channels / num_groups`` channels of each sample by its mean
    and biased variance, then scale and shift per channel."""
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    n, channels = input.shape[0], input.shape[1]
    if channels % num_groups != 0:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    grouped = _ops.reshape(input, (n, num_groups, -1))
    mean = _ops.mean(grouped, axis=-1, keepdims=True)
    centered = grouped - mean
    var = _ops.mean(centered * centered, axis=-1, keepdims=True)
    out = _ops.reshape(centered / _ops.sqrt(var + eps), tuple(input.shape))
    return _affine(out, weight, bias, (1, channels) + (1,) * (input.ndim - 2))


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,  # noqa: A002
                  use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:  # fmt: skip
    """Normalise each channel of each sample by its own mean and biased variance over the
    positions (`use_input_stats`), or by `running_mean` and `running_var`; then scale and shift
    per channel.

    As PyTorch computes it: a batch normalisation of the ``(1, N * C, ...)`` reshaped input,
    whose per-instance running estimates are averaged over the batch into `running_mean` and
    `running_var` (in place)."""
    if input.ndim < 2:
        raise ValueError(f"expected 2D or more input (got {input.ndim}D input)")
    n, channels = input.shape[0], input.shape[1]
    spatial = input.numel() // (n * channels) if n * channels else 0
    if use_input_stats and spatial <= 1:
        raise ValueError(
            "Expected more than 1 spatial element when training, got input size "
            f"{Size(input.shape)}"
        )
    rows = (1, n * channels, *input.shape[2:])
    per_instance = [None if r is None else _ops.tile(r, (n,)) for r in (running_mean, running_var)]
    mean_rows, var_rows = per_instance
    out = batch_norm(_ops.reshape(input, rows), mean_rows, var_rows, None, None, use_input_stats,
                     momentum, eps)  # fmt: skip
    if use_input_stats:
        with no_grad():
            for running, updated in zip((running_mean, running_var), per_instance):
                if running is not None:
                    running.copy_(_ops.mean(_ops.reshape(updated, (n, channels)), axis=0))
    shape = (1, channels) + (1,) * (input.ndim - 2)
    return _affine(_ops.reshape(out, tuple(input.shape)), weight, bias, shape)


def trailing_axes(input: Tensor, normalized_shape, star: str = "*, ") -> tuple[int, ...]:  # noqa: A002
    """The axes of `input` that `normalized_shape` names (its last ones), after PyTorch's
    check of their sizes (``layer_norm``; ``rms_norm``, whose message writes the shape as
    ``[*3, 4]``: `star` ``"*"``)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[{star}{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    return tuple(range(input.ndim - len(shape), input.ndim))


def rms_norm(input, normalized_shape, weight=None, eps: float | None = None) -> Tensor:  # noqa: A002
    """``input / sqrt(mean(input ** 2) + eps) * weight`` over the last
    ``len(normalized_shape)`` axes; `eps` defaults to the machine epsilon of the input's
    dtype, as in PyTorch."""
    axes = trailing_axes(input, normalized_shape, star="*")
    if eps is None:
        eps = _ops.finfo(input.dtype).eps
    out = input * _ops.rsqrt(_ops.mean(input * input, axis=axes, keepdims=True) + eps)
    return out if weight is None else out * weight


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,  # noqa: A002
                        k: float = 1.0) -> Tensor:  # fmt: skip
    """``x / (k + alpha * mean of x**2 over `size` neighbouring channels) ** beta`` for inputs
    ``(N, C, ...)``: PyTorch's formulation (the squares zero-padded along the channels and
    averaged by a ``(size, 1)`` window)."""
    if input.ndim < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input (got "
            f"{input.ndim} dimensions)"
        )
    if input.numel() == 0:
        return input
    n, channels = input.shape[0], input.shape[1]
    squares = _ops.reshape(input * input, (n, 1, channels, -1))
    rest = squares.shape[-1]
    before, after = size // 2, (size - 1) // 2
    padded = _ops.concat([_ops.zeros((n, 1, before, rest), dtype=input.dtype, device=input.device),
                          squares,
                          _ops.zeros((n, 1, after, rest), dtype=input.dtype, device=input.device)],
                         axis=2)  # fmt: skip
    div = _ops.reshape(avg_pool2d(padded, (size, 1), stride=1), tuple(input.shape))
    return input / (div * alpha + k) ** beta
