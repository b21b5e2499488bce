"""More pooling layers over :mod:`pluggrad.nn.functional`: ``MaxUnpool1d/2d/3d`` (the partial
inverse of max pooling), ``LPPool1d/2d/3d`` (power-average pooling) and
``FractionalMaxPool2d/3d``."""

from __future__ import annotations

from typing import Any

from ..._core.tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [
    "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d",
    "FractionalMaxPool2d", "FractionalMaxPool3d",
]  # fmt: skip


def _tuple(value: Any, dims: int) -> tuple:
    """PyTorch's ``_single``/``_pair``/``_triple``."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims


class _MaxUnpoolNd(Module):
    """Places each input element at its index (from the matching max pooling) in zeros."""

    _dims = 2
    _function: Any = staticmethod(F.max_unpool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._dims)
        self.stride = _tuple(stride if stride is not None else kernel_size, self._dims)
        self.padding = _tuple(padding, self._dims)

    def forward(self, input: Tensor, indices: Tensor,  # noqa: A002 - PyTorch's name
                output_size: Any = None) -> Tensor:  # fmt: skip
        return type(self)._function(input, indices, self.kernel_size, self.stride,  # type: ignore[no-any-return]
                                    self.padding, output_size)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool1d`: each value of an ``(N, C, L)`` input placed
    at its index in zeros of length ``(L - 1) * stride + kernel_size - 2 * padding`` (or the
    ``output_size`` given to the call).

    Parameters
    ----------
    kernel_size, stride, padding
        Those of the max pooling (`stride` defaults to `kernel_size`).
    """

    _dims = 1
    _function = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool2d` (see :class:`MaxUnpool1d`)."""

    _dims = 2
    _function = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool3d` (see :class:`MaxUnpool1d`)."""

    _dims = 3
    _function = staticmethod(F.max_unpool3d)


class _LPPoolNd(Module):
    """Power-average pooling: ``(sum over the window of x ** p) ** (1 / p)``."""

    _function: Any = staticmethod(F.lp_pool2d)

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._function(input, float(self.norm_type), self.kernel_size,  # type: ignore[no-any-return]
                                    self.stride, self.ceil_mode)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """Power-average pooling of ``(N, C, L)`` or ``(C, L)`` inputs (the maximum of ``|x|`` for
    an infinite `norm_type`).

    Parameters
    ----------
    norm_type : float
        The power `p`.
    kernel_size : int
        The window.
    stride : int, optional
        The step between windows (default `kernel_size`).
    ceil_mode : bool
        Whether a last partial window makes an output.
    """

    _function = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """Power-average pooling of ``(N, C, H, W)`` or ``(C, H, W)`` inputs (see
    :class:`LPPool1d`)."""

    _function = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """Power-average pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs (see
    :class:`LPPool1d`)."""

    _function = staticmethod(F.lp_pool3d)


class _FractionalMaxPoolNd(Module):
    _dims = 2
    _function: Any = staticmethod(F.fractional_max_pool2d)

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False,
                 _random_samples: Tensor | None = None) -> None:  # fmt: skip
        super().__init__()
        dims = self._dims
        self.kernel_size = _tuple(kernel_size, dims)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, dims) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, dims) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{type(self).__name__} requires specifying either an output size, or a "
                "pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return type(self)._function(input, self.kernel_size, self.output_size, self.output_ratio,
                                    self.return_indices,
                                    _random_samples=self._random_samples)  # fmt: skip


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling of ``(N, C, H, W)`` or ``(C, H, W)`` inputs: windows at
    pseudo-random steps that make the output `output_size` (or `output_ratio` of the input).

    Parameters
    ----------
    kernel_size : int or (int, int)
        The window.
    output_size : int or (int, int), optional
        The output's ``(H, W)``.
    output_ratio : float or (float, float), optional
        The output's size as a fraction (in ``(0, 1)``) of the input's.
    return_indices : bool
        Whether to return the positions of the maxima too.
    _random_samples : Tensor, optional
        ``(N, C, 2)`` samples placing the windows (a buffer; drawn at each call when None).
    """


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs (see
    :class:`FractionalMaxPool2d`; ``_random_samples`` is ``(N, C, 3)``)."""

    _dims = 3
    _function = staticmethod(F.fractional_max_pool3d)
