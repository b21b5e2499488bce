"""More lazy modules: ``LazyBatchNorm1d/2d/3d``, ``LazyInstanceNorm1d/2d/3d`` and
``LazyConvTranspose1d/2d/3d``, whose number of channels is taken from their first input (see
:mod:`pluggrad.nn.modules.lazy`); until then the norms' statistics are
:class:`~pluggrad.nn.parameter.UninitializedBuffer`.

As PyTorch's: the norms' ``num_features`` is the size of the first input's axis 1 (for an
instance norm given an unbatched input too, which then fails the check of its channels, as it
does in PyTorch); lazy instance norms default to ``affine=True, track_running_stats=True``.
"""

from __future__ import annotations

from typing import Any

from ... import _dtypes
from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ...ops.creation import tensor
from ..parameter import UninitializedBuffer, UninitializedParameter
from .batchnorm import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)
from .conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .lazy import LazyModuleMixin, _LazyConvBase, is_lazy

__all__ = [
    "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
    "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d",
]  # fmt: skip


class _LazyNormBase(LazyModuleMixin):
    """PyTorch's ``_LazyNormBase``: a norm made with 0 features, its parameters and running
    statistics uninitialised until the first input gives their size."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:  # fmt: skip
        # made without parameters or statistics, then given uninitialised ones
        super().__init__(0, eps, momentum, False, False, device, dtype)
        this: Any = self  # a norm: its tensors are set through Module's __setattr__
        this.affine = affine
        this.track_running_stats = track_running_stats
        if affine:
            this.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                this.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            this.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            this.running_var = UninitializedBuffer(device=device, dtype=dtype)
            this.num_batches_tracked = tensor(0, dtype=_dtypes.int64, device=device)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:  # type: ignore[attr-defined]
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]  # noqa: A002
        if self.has_uninitialized_params():
            this: Any = self
            with no_grad():
                this.num_features = input.shape[1]
                for name in ("weight", "bias", "running_mean", "running_var"):
                    value = getattr(this, name)
                    if is_lazy(value):
                        value.materialize((this.num_features,))
                self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """A :class:`BatchNorm1d` whose ``num_features`` is taken from its first input.

    Parameters
    ----------
    eps, momentum, affine, track_running_stats, bias
        As :class:`BatchNorm1d`'s.
    device, dtype
        Where and in which dtype to make the parameters and statistics.
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """A :class:`BatchNorm2d` whose ``num_features`` is taken from its first input."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, BatchNorm3d):
    """A :class:`BatchNorm3d` whose ``num_features`` is taken from its first input."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, InstanceNorm1d):
    """An :class:`InstanceNorm1d` whose ``num_features`` is taken from its first input (with
    PyTorch's defaults for the lazy form: ``affine=True, track_running_stats=True``)."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, InstanceNorm2d):
    """An :class:`InstanceNorm2d` whose ``num_features`` is taken from its first input."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, InstanceNorm3d):
    """An :class:`InstanceNorm3d` whose ``num_features`` is taken from its first input."""

    cls_to_become = InstanceNorm3d


class _LazyConvTransposeNd(_LazyConvBase):
    """PyTorch's lazy transposed convolution: made from 0 channels, its weight ``(in_channels,
    out_channels / groups, *kernel_size)`` shaped by the first input."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device, dtype)  # fmt: skip
        self._uninitialized(out_channels, bias, device, dtype)

    def _weight_shape(self) -> tuple:
        this: Any = self
        return (this.in_channels, this.out_channels // this.groups, *this.kernel_size)

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        unbatched, batched = self._dims + 1, self._dims + 2
        if input.ndim not in (unbatched, batched):
            raise RuntimeError(
                f"Expected {unbatched}D (unbatched) or {batched}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )


class LazyConvTranspose1d(_LazyConvTransposeNd, ConvTranspose1d):
    """A :class:`ConvTranspose1d` whose ``in_channels`` is taken from its first input.

    Parameters
    ----------
    out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation
        As :class:`ConvTranspose1d`'s.
    padding_mode : str
        Only ``'zeros'``.
    device, dtype
        Where and in which dtype to make the parameters.
    """

    _dims = 1
    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeNd, ConvTranspose2d):
    """A :class:`ConvTranspose2d` whose ``in_channels`` is taken from its first input."""

    _dims = 2
    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeNd, ConvTranspose3d):
    """A :class:`ConvTranspose3d` whose ``in_channels`` is taken from its first input."""

    _dims = 3
    cls_to_become = ConvTranspose3d
