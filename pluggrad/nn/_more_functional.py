"""``pdist``, ``channel_shuffle``, ``rrelu`` and ``feature_alpha_dropout`` of
:mod:`pluggrad.nn.functional`, as PyTorch's CPU kernels compute them, made of pluggrad's
differentiable operations.
"""

from __future__ import annotations

import math

from .. import _dtypes
from .. import ops as _ops
from .._core.grad_mode import no_grad
from .._core.tensor import Tensor
from ..ops.inplace import in_place
from ._resample import _check_p

__all__ = ["pdist", "channel_shuffle", "rrelu", "feature_alpha_dropout"]

_SELU_ALPHA_PRIME = 1.7580993408473766


def pdist(input, p: float = 2.0) -> Tensor:  # noqa: A002 - PyTorch's names throughout
    """The `p`-norm distance between each pair of rows of the ``(N, M)`` `input`: the upper
    triangle of ``cdist(input, input)`` without its diagonal, row by row (``N (N - 1) / 2``
    values).

    Raises
    ------
    RuntimeError
        For an input that is not 2-D or not floating point, or a negative `p` (PyTorch's
        messages).
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    rows, cols = _ops.triu_indices(input.shape[0], input.shape[0], 1)
    return _ops.linalg.vector_norm(input[rows] - input[cols], ord=p, axis=-1)


def channel_shuffle(input, groups: int) -> Tensor:  # noqa: A002
    """The channels (axis 1) of `input` taken from `groups` groups in turn: ``(N, g, C / g,
    *)`` with the two group axes swapped, as ``torch.channel_shuffle``.

    Raises
    ------
    RuntimeError
        For an input of fewer than 3 dimensions, `groups` not positive or not dividing the
        channels.
    """
    if input.ndim <= 2:
        raise RuntimeError(
            "channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    channels = input.shape[1]
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    if channels % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {channels} channels and "
            f"{groups} groups."
        )
    n, rest = input.shape[0], tuple(input.shape[2:])
    grouped = _ops.reshape(input, (n, groups, channels // groups, *rest))
    return _ops.reshape(_ops.swapaxes(grouped, 1, 2), tuple(input.shape))


def _rrelu_train(x: Tensor, lower: float, upper: float, generator) -> Tensor:
    """PyTorch's CPU kernel: one draw uniform on ``[lower, upper)`` in float64 for each
    element ``<= 0``, in order; the others pass unchanged."""
    negative = x <= 0
    with no_grad():
        count = int(_ops.sum(_ops.astype(negative, _dtypes.int64)).item())
        draws = _ops.empty((count,), dtype=_dtypes.float64, device=x.device)
        draws = draws.uniform_(lower, upper, generator=generator)
        noise = _ops.ones_like(x)
        noise[negative] = _ops.astype(draws, x.dtype)
    return x * noise


def rrelu_of(x: Tensor, lower: float, upper: float, training: bool, generator=None) -> Tensor:
    """``torch.rrelu``: random negative slopes in training, their mean otherwise."""
    if training:
        return _rrelu_train(x, float(lower), float(upper), generator)
    slope = (float(lower) + float(upper)) / 2
    return _ops.where(x > 0, x, x * slope)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False) -> Tensor:  # fmt: skip
    """Randomized leaky ReLU: ``x`` where positive, ``a x`` elsewhere, `a` drawn uniform on
    ``[lower, upper)`` for each element in training and ``(lower + upper) / 2`` otherwise."""
    if inplace:
        return in_place(input, rrelu_of, lower, upper, training)
    return rrelu_of(input, lower, upper, training)


def feature_alpha_dropped(x: Tensor, p: float) -> Tensor:
    """PyTorch's ``feature_alpha_dropout`` in training: alpha dropout of whole channels."""
    if x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1.0:
        return x * 0.0
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    with no_grad():  # PyTorch's noise: bernoulli_(1 - p), one draw per channel
        keep = _ops.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(1.0 - p)
    a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME**2 * p + 1) * (1 - p))
    b = (keep - 1) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p
    return x * (keep * a) + b


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False,  # noqa: A002
                          inplace: bool = False) -> Tensor:  # fmt: skip
    """Alpha dropout (SELU's) of whole channels (axis 1), when `training`."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if inplace:
        return in_place(input, feature_alpha_dropped, p)
    return feature_alpha_dropped(input, p)
