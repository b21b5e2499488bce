"""The legacy modules ``torch.nn`` still exports: ``Container`` and ``NLLLoss2d`` (deprecated,
with PyTorch's warnings) and ``CrossMapLRN2d`` (Lua Torch's cross-channel local response
normalisation, with its forward and backward exactly as PyTorch's ``_functions.CrossMapLRN2d``
computes them)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ... import ops as _ops
from ..._core.tensor import Tensor
from ...autograd.function import Function
from .loss import NLLLoss
from .module import Module

__all__ = ["Container", "NLLLoss2d", "CrossMapLRN2d"]


class Container(Module):
    """Deprecated: a module holding the modules given by name (``nn.Module`` does all it
    does).

    Parameters
    ----------
    **kwargs : Module
        The submodules, registered under their keywords.
    """

    def __init__(self, **kwargs: Any) -> None:
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented in "
            "`nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class NLLLoss2d(NLLLoss):
    """Deprecated: :class:`NLLLoss` (which takes inputs of any number of dimensions)."""

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean") -> None:  # fmt: skip
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
            "more details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


def _window_counts(channels: int, size: int) -> np.ndarray:
    """How many times each channel's square enters each channel's sum in PyTorch's forward:
    its running sum adds the channel ``c + pre_pad - 1`` and (only from ``c > pre_pad``, so
    channel 0 is never taken out) removes the channel ``c - pre_pad``."""
    pre_pad = int((size - 1) / 2 + 1)
    counts = np.zeros((channels, channels))
    counts[0, : min(pre_pad, channels)] = 1
    for c in range(1, channels):
        counts[c] = counts[c - 1]
        if c < channels - pre_pad + 1:
            counts[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            counts[c, c - pre_pad] -= 1
    return counts


def _backward_window(channels: int, size: int) -> np.ndarray:
    """Which channels' ratios PyTorch's backward sums for each channel: ``c - s`` to
    ``c - s + size - 1`` with ``s = int(size - (size - 1) / 2)``."""
    shift = int(size - (size - 1) / 2)
    window = np.zeros((channels, channels))
    for c in range(channels):
        for other in range(max(c - shift, 0), min(c - shift + size, channels)):
            window[c, other] = 1
    return window


def _mix(matrix: np.ndarray, x: Tensor) -> Tensor:
    """``sum_j matrix[c, j] x[:, j]`` for each channel `c` of an ``(N, C, H, W)`` tensor."""
    weights = _ops.asarray(matrix, dtype=x.dtype, device=x.device)
    return _ops.einsum("cj,njhw->nchw", weights, x)


class _CrossMapLRN2dFunction(Function):
    """PyTorch's legacy ``CrossMapLRN2d`` function: its forward and its own backward."""

    @staticmethod
    def forward(ctx, input, size, alpha, beta, k):  # noqa: A002
        if input.ndim != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.")
        channels = input.shape[1]
        scale = _mix(_window_counts(channels, size), input * input) * (alpha / size) + k
        output = scale ** (-beta) * input
        ctx.save_for_backward(input, output, scale)
        ctx.size, ctx.alpha, ctx.beta = size, alpha, beta
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output, scale = ctx.saved_tensors  # noqa: A001
        ratio = grad_output * output / scale
        accumulated = _mix(_backward_window(input.shape[1], ctx.size), ratio)
        factor = 2 * ctx.alpha * ctx.beta / ctx.size
        grad_input = scale ** (-ctx.beta) * grad_output - factor * input * accumulated
        return grad_input, None, None, None, None


class CrossMapLRN2d(Module):
    """Local response normalisation across the channels of an ``(N, C, H, W)`` input, as Lua
    Torch's (``x / (k + alpha / size * sum of the neighbours' squares) ** beta``, the
    neighbours as PyTorch's running sum takes them).

    Parameters
    ----------
    size : int
        The number of channels in each sum.
    alpha, beta, k : float
        The scale, the exponent and the additive constant.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1) -> None:  # fmt: skip
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return _CrossMapLRN2dFunction.apply(input, self.size, self.alpha, self.beta, self.k)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
