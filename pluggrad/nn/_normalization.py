"""``batch_norm`` and ``group_norm``: normalisation by statistics over the batch (with running
estimates updated in place) or over groups of channels, composed of differentiable operations
(so gradients of every order are those of the operations)."""

from __future__ import annotations

from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Size, Tensor

__all__ = ["batch_norm", "group_norm"]


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
