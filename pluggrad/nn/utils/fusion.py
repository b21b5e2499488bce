"""``pluggrad.nn.utils.fusion``: fold an evaluation-mode batch normalization into the
convolution or linear layer before it (PyTorch's ``torch.nn.utils.fusion``).

``bn(conv(x)) == fused_conv(x)`` with ``W' = W * gamma / sqrt(var + eps)`` (per output
channel) and ``b' = (b - mean) * gamma / sqrt(var + eps) + beta``.
"""

from __future__ import annotations

import copy
from typing import TypeVar

from ... import ops as _ops
from ..._core.tensor import Tensor
from ..modules.batchnorm import _BatchNorm
from ..modules.conv import _ConvNd
from ..modules.linear import Linear
from ..parameter import Parameter

__all__ = [
    "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights",
]  # fmt: skip

ConvT = TypeVar("ConvT", bound=_ConvNd)
LinearT = TypeVar("LinearT", bound=Linear)


def fuse_conv_bn_eval(conv: ConvT, bn: _BatchNorm, transpose: bool = False) -> ConvT:
    """A copy of `conv` computing ``bn(conv(x))`` (both in evaluation mode).

    Parameters
    ----------
    conv : Module
        A convolution (``Conv1d/2d/3d`` or, with `transpose`, ``ConvTranspose1d/2d/3d``).
    bn : Module
        The batch normalization after it, with running statistics.
    transpose : bool
        Whether `conv` is transposed (its output channels are the weight's dimension 1).

    Returns
    -------
    Module
        The fused convolution (a deep copy; `conv` is unchanged).

    Raises
    ------
    AssertionError
        If either module is in training mode, or `bn` tracks no running statistics.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils import fuse_conv_bn_eval
    >>> conv, bn = torch.nn.Conv2d(3, 4, 3).eval(), torch.nn.BatchNorm2d(4).eval()
    >>> x = torch.randn(1, 3, 5, 5)
    >>> bool(torch.allclose(fuse_conv_bn_eval(conv, bn)(x), bn(conv(x)), atol=1e-6))
    True
    """
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight, fused_conv.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias, transpose,
    )  # fmt: skip
    return fused_conv


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """The weight and bias of a convolution followed by a batch normalization, as one
    convolution's.

    Parameters
    ----------
    conv_w, conv_b : Tensor
        The convolution's weight and bias (None: zeros).
    bn_rm, bn_rv : Tensor
        The batch normalization's running mean and variance.
    bn_eps : float
        Its eps.
    bn_w, bn_b : Tensor or None
        Its affine weight and bias (None: ones and zeros).
    transpose : bool
        Whether the convolution is transposed.

    Returns
    -------
    tuple of Parameter
        ``(weight, bias)`` in the convolution's dtypes, requiring grad as `conv_w` and
        `conv_b` do.
    """
    conv_weight_dtype = conv_w.dtype
    conv_bias_dtype = conv_b.dtype if conv_b is not None else conv_weight_dtype
    if conv_b is None:
        conv_b = _ops.zeros_like(bn_rm)
    if bn_w is None:
        bn_w = _ops.ones_like(bn_rm)
    if bn_b is None:
        bn_b = _ops.zeros_like(bn_rm)
    bn_var_rsqrt = _ops.rsqrt(bn_rv + bn_eps)
    if transpose:
        shape = [1, -1] + [1] * (len(conv_w.shape) - 2)
    else:
        shape = [-1, 1] + [1] * (len(conv_w.shape) - 2)
    fused_conv_w = (conv_w * (bn_w * bn_var_rsqrt).reshape(shape)).to(dtype=conv_weight_dtype)
    fused_conv_b = ((conv_b - bn_rm) * bn_var_rsqrt * bn_w + bn_b).to(dtype=conv_bias_dtype)
    return (
        Parameter(fused_conv_w, conv_w.requires_grad),
        Parameter(fused_conv_b, conv_b.requires_grad),
    )


def fuse_linear_bn_eval(linear: LinearT, bn: _BatchNorm) -> LinearT:
    """A copy of `linear` computing ``bn(linear(x))`` (both in evaluation mode).

    The batch normalization's features must be the linear layer's outputs (or one feature,
    broadcast).

    Parameters
    ----------
    linear : Linear
        The linear layer.
    bn : Module
        The batch normalization after it, with running statistics.

    Returns
    -------
    Linear
        The fused layer (a deep copy; `linear` is unchanged).

    Raises
    ------
    AssertionError
        If either module is in training mode, the feature counts do not fit, or `bn` tracks
        no running statistics.
    """
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_linear = copy.deepcopy(linear)
    # bn works on the channels (N, C, ...), linear on the last dimension (..., H): the two
    # broadcast if bn has out_features features, or one
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight, fused_linear.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias,
    )  # fmt: skip
    return fused_linear


def fuse_linear_bn_weights(
    linear_w: Tensor,
    linear_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor,
    bn_b: Tensor,
) -> tuple[Parameter, Parameter]:
    """The weight and bias of a linear layer followed by a batch normalization, as one
    linear layer's.

    Parameters
    ----------
    linear_w, linear_b : Tensor
        The linear layer's weight and bias (None: zeros).
    bn_rm, bn_rv : Tensor
        The batch normalization's running mean and variance.
    bn_eps : float
        Its eps.
    bn_w, bn_b : Tensor
        Its affine weight and bias.

    Returns
    -------
    tuple of Parameter
        ``(weight, bias)`` in the linear layer's dtypes.
    """
    linear_weight_dtype = linear_w.dtype
    linear_bias_dtype = linear_b.dtype if linear_b is not None else linear_weight_dtype
    if linear_b is None:
        linear_b = _ops.zeros_like(bn_rm)
    bn_scale = bn_w * _ops.rsqrt(bn_rv + bn_eps)
    fused_w = linear_w * bn_scale.unsqueeze(-1).to(dtype=linear_weight_dtype)
    fused_b = ((linear_b - bn_rm) * bn_scale + bn_b).to(dtype=linear_bias_dtype)
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, linear_b.requires_grad)
