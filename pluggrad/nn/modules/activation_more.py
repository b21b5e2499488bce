"""More activation functions of :mod:`pluggrad.nn.functional` as modules (PyTorch's ``CELU``,
``SELU``, ``Mish``, ``Hardswish``, ``PReLU``...), with PyTorch's constructor arguments and
``repr``."""

from __future__ import annotations

from typing import Any

from ..._core.tensor import Tensor
from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = [
    "CELU", "SELU", "Mish", "Softsign", "Softshrink", "Hardshrink", "Tanhshrink", "GLU",
    "Hardsigmoid", "Hardswish", "Threshold", "PReLU", "Softmax2d",
]  # fmt: skip


class _InplaceActivation(Module):
    function: Any

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return type(self).function(input, inplace=self.inplace)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class _Elementwise(Module):
    function: Any

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).function(input)  # type: ignore[no-any-return]


class CELU(Module):
    """``x`` above zero, ``alpha * (exp(x / alpha) - 1)`` below."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_InplaceActivation):
    """``scale * elu(x, alpha)`` with the self-normalizing constants."""

    function = F.selu


class Mish(_InplaceActivation):
    """``x * tanh(softplus(x))``."""

    function = F.mish

    def extra_repr(self) -> str:
        return ""


class Hardsigmoid(_InplaceActivation):
    """``relu6(x + 3) / 6``."""

    function = F.hardsigmoid

    def extra_repr(self) -> str:
        return ""


class Hardswish(_InplaceActivation):
    """``x * relu6(x + 3) / 6``."""

    function = F.hardswish

    def extra_repr(self) -> str:
        return ""


class Softsign(_Elementwise):
    """``x / (1 + |x|)``."""

    function = F.softsign


class Tanhshrink(_Elementwise):
    """``x - tanh(x)``."""

    function = F.tanhshrink


class Softshrink(Module):
    """``x - lambd`` above `lambd`, ``x + lambd`` below ``-lambd``, 0 between."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """``x`` where ``|x| > lambd``, 0 elsewhere."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.hardshrink(input, self.lambd)


class GLU(Module):
    """``a * sigmoid(b)``, `a` and `b` the halves of the input along `dim`."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """``x`` where ``x > threshold``, `value` elsewhere."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace}"


class PReLU(Module):
    """``x`` above zero, ``weight * x`` below, `weight` learned: one value, or one per channel
    (``num_parameters``), each starting at `init`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax2d(Module):
    """Softmax over the channels (axis -3) of a ``(C, H, W)`` or ``(N, C, H, W)`` input."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3, _stacklevel=5)
