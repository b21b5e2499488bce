"""More activations of :mod:`pluggrad.nn.functional`, as PyTorch defines them: ``celu``,
``selu``, ``mish``, ``softsign``, the shrinks, ``glu``, ``hardsigmoid``, ``hardswish``,
``threshold`` and ``prelu``, with PyTorch's derivatives at the kinks (``hardsigmoid``'s 0 at
±3, ``hardswish``'s 0 at -3 and 1 at 3, the shrinks' 0 at ±lambda)."""

from __future__ import annotations

from .. import ops as _ops
from .._core.tensor import Tensor
from ..ops._autocast import lower_precision
from ..ops.inplace import in_place
from ._losses import softplus_of

__all__ = [
    "celu", "selu", "mish", "softsign", "softshrink", "hardshrink", "tanhshrink", "glu",
    "hardsigmoid", "hardswish", "threshold", "prelu",
]  # fmt: skip

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _applied(function, input, inplace: bool, *args) -> Tensor:  # noqa: A002 - PyTorch's names
    return in_place(input, function, *args) if inplace else function(input, *args)


def _scaled_elu(x, alpha: float, scale: float, input_scale: float) -> Tensor:
    positive = x > 0
    negative = alpha * _ops.expm1(_ops.where(positive, 0.0, x) * input_scale)
    return _ops.where(positive, x * scale, negative * scale)


def celu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where positive, ``alpha (exp(x / alpha) - 1)`` elsewhere (derivative 1 at 0)."""
    return _applied(_scaled_elu, input, inplace, alpha, 1.0, 1.0 / alpha)


def selu(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``scale * elu(x, alpha)`` with the self-normalizing constants (derivative
    ``scale * alpha`` at 0, as PyTorch)."""
    return _applied(_scaled_elu, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def _mish(x) -> Tensor:
    return x * _ops.tanh(softplus_of(x))


def mish(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x tanh(softplus(x))``."""
    return _applied(_mish, input, inplace)


def softsign(input) -> Tensor:  # noqa: A002
    """``x / (1 + |x|)``."""
    return input / (_ops.abs(input) + 1)


def _check_lambd(input, lambd: float) -> None:  # noqa: A002
    if lambd < 0:
        name = {"float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}
        dtype = name.get(str(input.dtype).rsplit(".", 1)[-1], "Float")
        top = "1.79769e+308" if dtype == "Double" else "3.40282e+38"
        raise RuntimeError(
            f"lambda must be in range [0, {top}] for input dtype {dtype}, but found {lambd:g}"
        )


def softshrink(input, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``x - lambd`` above `lambd`, ``x + lambd`` below ``-lambd``, 0 between (gradient 0 at
    ``±lambd``, as PyTorch)."""
    _check_lambd(input, lambd)
    zero = _ops.zeros_like(input).detach()
    return _ops.where(input > lambd, input - lambd,
                      _ops.where(input < -lambd, input + lambd, zero))  # fmt: skip


def hardshrink(input, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    _check_lambd(input, lambd)
    return _ops.where((input > lambd) | (input < -lambd), input, _ops.zeros_like(input).detach())


def tanhshrink(input) -> Tensor:  # noqa: A002
    """``x - tanh(x)``."""
    return input - _ops.tanh(input)


def glu(input, dim: int = -1) -> Tensor:  # noqa: A002
    """``a * sigmoid(b)``, `a` and `b` the two halves of `input` along `dim`."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = dim % input.ndim
    size = input.shape[axis]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {size}")
    a = _ops.narrow(input, axis, 0, size // 2)
    b = _ops.narrow(input, axis, size // 2, size // 2)
    return a * _ops.sigmoid(b)


def _hardsigmoid(x) -> Tensor:
    inside = (x > -3.0) & (x < 3.0)
    return _ops.where(inside, x / 6 + 0.5, _ops.clamp(x / 6 + 0.5, 0.0, 1.0).detach())


def hardsigmoid(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``relu6(x + 3) / 6`` (gradient ``1/6`` strictly inside ``(-3, 3)``, 0 elsewhere)."""
    return _applied(_hardsigmoid, input, inplace)


def _hardswish(x) -> Tensor:
    # x * g(x), g = relu6(x + 3) / 6 with PyTorch's derivative (0 outside the open (-3, 3)):
    # the product keeps `x` saved by the last node, so the in-place form's gradient is right
    ramp = _ops.where(x < 3.0, (x + 3.0) / 6, _ops.ones_like(x).detach())
    return x * _ops.where(x <= -3.0, _ops.zeros_like(x).detach(), ramp)


def hardswish(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x relu6(x + 3) / 6``; as PyTorch, the derivative is ``x / 3 + 0.5`` strictly inside
    ``(-3, 3)``, 0 at -3 and 1 at 3."""
    return _applied(_hardswish, input, inplace)


def _threshold(x, threshold: float, value: float) -> Tensor:
    return _ops.where(x > threshold, x, _ops.full_like(x, value).detach())


def threshold(input, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """``x`` where ``x > threshold``, `value` elsewhere."""
    return _applied(_threshold, input, inplace, threshold, value)


@lower_precision
def prelu(input, weight) -> Tensor:  # noqa: A002
    """``x`` where positive, ``weight * x`` elsewhere; `weight` has one element or one per
    channel (axis 1, or axis 0 of a 1-D input)."""
    if weight.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")  # fmt: skip
    count = weight.numel()
    if count != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim >= 2 else input.shape[0]
        if count != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {count} and channel size = {channels}."
            )
        if input.ndim >= 2:
            weight = _ops.reshape(weight, (count,) + (1,) * (input.ndim - 2))
    return _ops.where(input > 0, input, weight * input)
