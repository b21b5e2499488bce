"""``Conv1d`` and ``Conv2d``: learned convolutions over :func:`pluggrad.nn.functional.conv1d`
and ``conv2d``, initialised and printed as PyTorch's."""

from __future__ import annotations

import math
from typing import Any

from ..._core.tensor import Size, Tensor
from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = [
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
]  # fmt: skip

_PADDING_STRINGS = {"same", "valid"}
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _tuple(value: Any, n: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _ConvNd(Module):
    _dims: int
    _function: Any
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        self.dilation = _tuple(dilation, n)
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {_PADDING_STRINGS}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = _tuple(padding, n)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.padding_mode = padding_mode
        self.output_padding = (0,) * n
        self.transposed = self._transposed
        self.groups = groups
        if self.transposed:  # the transpose of a convolution from out_channels to in_channels
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weight and bias again, as the constructor does (PyTorch's
        ``kaiming_uniform_(a=sqrt(5))``, bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _explicit_padding(self) -> list[int]:
        """The padding as ``F.pad`` takes it (last dimension first, both sides)."""
        if self.padding == "valid":
            return [0] * (2 * self._dims)
        pads: list[int] = []
        for i in reversed(range(self._dims)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                pads += [total // 2, total - total // 2]
            else:
                pads += [self.padding[i], self.padding[i]]
        return pads

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        function = type(self)._function
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._explicit_padding(), mode=self.padding_mode)
            return function(padded, self.weight, self.bias, self.stride, 0, self.dilation,  # type: ignore[no-any-return]
                            self.groups)  # fmt: skip
        return function(input, self.weight, self.bias, self.stride, self.padding,  # type: ignore[no-any-return]
                        self.dilation, self.groups)  # fmt: skip

    def extra_repr(self) -> str:
        n = self._dims
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """A 1-D convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) inputs: weight
    ``(out_channels, in_channels / groups, kernel_size)``."""

    _dims = 1
    _function = staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """A 2-D convolution over ``(N, C_in, H, W)`` (or ``(C_in, H, W)``) inputs: weight
    ``(out_channels, in_channels / groups, kH, kW)``."""

    _dims = 2
    _function = staticmethod(F.conv2d)


class Conv3d(_ConvNd):
    """A 3-D convolution over ``(N, C_in, D, H, W)`` (or ``(C_in, D, H, W)``) inputs: weight
    ``(out_channels, in_channels / groups, kD, kH, kW)``."""

    _dims = 3
    _function = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)  # fmt: skip
        self.output_padding = _tuple(output_padding, self._dims)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:  # noqa: A002
        """The output padding that makes the output `output_size` (PyTorch's check of the
        sizes a transposed convolution can reach)."""
        n = self._dims
        if output_size is None:
            return self.output_padding  # type: ignore[no-any-return]
        output_size = list(output_size)
        non_spatial = 2 if input.ndim == n + 2 else 1
        if len(output_size) == non_spatial + n:
            output_size = output_size[non_spatial:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or "
                f"{non_spatial + n} elements (got {len(output_size)})"
            )
        low = [
            (input.shape[d + non_spatial] - 1) * self.stride[d] - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            for d in range(n)
        ]  # fmt: skip
        high = [size + s - 1 for size, s in zip(low, self.stride)]
        for size, a, b in zip(output_size, low, high):
            if not a <= size <= b:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{low} to {high} (for an input of {Size(input.shape[non_spatial:])})"
                )
        return tuple(size - a for size, a in zip(output_size, low))

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        output_padding = self._output_padding(input, output_size)
        return type(self)._function(  # type: ignore[no-any-return]
            input, self.weight, self.bias, self.stride, self.padding, output_padding,
            self.groups, self.dilation,
        )  # fmt: skip


class ConvTranspose1d(_ConvTransposeNd):
    """The transpose (gradient) of a 1-D convolution: weight ``(in_channels, out_channels /
    groups, kernel_size)``; ``output_size=`` in the call picks among the reachable sizes."""

    _dims = 1
    _function = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """The transpose (gradient) of a 2-D convolution: weight ``(in_channels, out_channels /
    groups, kH, kW)``; ``output_size=`` in the call picks among the reachable sizes."""

    _dims = 2
    _function = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """The transpose (gradient) of a 3-D convolution: weight ``(in_channels, out_channels /
    groups, kD, kH, kW)``; ``output_size=`` in the call picks among the reachable sizes."""

    _dims = 3
    _function = staticmethod(F.conv_transpose3d)
