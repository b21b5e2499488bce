"""Lazy modules: ``LazyLinear``, ``LazyConv1d``, ``LazyConv2d``, ``LazyConv3d``, whose input
size is taken from the first input they see.

Until then their parameters are :class:`~pluggrad.nn.UninitializedParameter`; a forward pre-hook
materialises them on the first call, draws them as the eager module does, and turns the module
into that module (``LazyLinear`` becomes ``Linear``), as PyTorch's ``LazyModuleMixin`` does.
"""

from __future__ import annotations

from typing import Any

from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ..parameter import UninitializedBuffer, UninitializedParameter
from .conv import Conv1d, Conv2d, Conv3d
from .linear import Linear

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d"]


def is_lazy(value: Any) -> bool:
    """Whether `value` is an uninitialised parameter or buffer."""
    return isinstance(value, (UninitializedParameter, UninitializedBuffer))


class LazyModuleMixin:
    """Materialises a module's :class:`UninitializedParameter` attributes from its first input
    (``initialize_parameters``), then makes the module a ``cls_to_become``."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)  # type: ignore[attr-defined]

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or a buffer of the module is still uninitialised."""
        this: Any = self
        return any(is_lazy(t) for t in [*this._parameters.values(), *this._buffers.values()])

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialise the parameters for the input of the first forward."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self)}")


def _infer_parameters(module: Any, args: tuple) -> None:
    """The forward pre-hook: materialise, draw, become the eager module, remove the hook."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """A :class:`Linear` whose ``in_features`` is the last dimension of its first input.

    Parameters
    ----------
    out_features : int
        Size of each output sample.
    bias : bool
        Whether to learn an additive bias (default True).
    device, dtype
        Where and in which dtype to make the parameters.
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(0, 0, False)
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]  # noqa: A002
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvBase(LazyModuleMixin):
    """What PyTorch's lazy convolutions, plain and transposed, share: made from 0 channels
    (each subclass's ``__init__``), then ``in_channels`` and the parameters' shapes taken from
    the first input."""

    _dims: int

    def _uninitialized(self, out_channels: int, bias: bool, device: Any, dtype: Any) -> None:
        """The parameters before the first input (after the eager convolution's
        ``__init__``, whose parameters they replace)."""
        this: Any = self  # a Conv: its weight and bias are set through Module's __setattr__
        this.out_channels = out_channels
        this.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            this.bias = UninitializedParameter(device=device, dtype=dtype)

    def _weight_shape(self) -> tuple:
        this: Any = self
        return (this.out_channels, this.in_channels // this.groups, *this.kernel_size)

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        """Nothing: the plain convolution checks the input's rank itself."""

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:  # type: ignore[attr-defined]
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]  # noqa: A002
        if self.has_uninitialized_params():
            self._check_input(input)
            this: Any = self
            with no_grad():
                batched = input.ndim == self._dims + 2
                this.in_channels = input.shape[1 if batched else 0]
                if this.in_channels % this.groups != 0:
                    raise ValueError("in_channels must be divisible by groups")
                this.weight.materialize(self._weight_shape())
                if this.bias is not None:
                    this.bias.materialize((this.out_channels,))
                self.reset_parameters()


class _LazyConvNd(_LazyConvBase):
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        # PyTorch's: an eager convolution from 0 channels, its parameters then replaced
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device, dtype)  # fmt: skip
        self._uninitialized(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConvNd, Conv1d):
    """A :class:`Conv1d` whose ``in_channels`` is taken from its first input."""

    _dims = 1
    cls_to_become = Conv1d


class LazyConv2d(_LazyConvNd, Conv2d):
    """A :class:`Conv2d` whose ``in_channels`` is taken from its first input."""

    _dims = 2
    cls_to_become = Conv2d


class LazyConv3d(_LazyConvNd, Conv3d):
    """A :class:`Conv3d` whose ``in_channels`` is taken from its first input."""

    _dims = 3
    cls_to_become = Conv3d
