"""``SyncBatchNorm``: batch normalisation whose statistics PyTorch gathers over the processes
of a ``torch.distributed`` group.

pluggrad has no process groups (its ``distributed`` shards arrays over devices within one
program), so a ``SyncBatchNorm`` computes what PyTorch's does when no process group is
initialised: batch normalisation of an input of any rank from 2, over the batch and every
position.  ``convert_sync_batchnorm`` turns a model's ``BatchNorm*d`` layers into
``SyncBatchNorm`` ones sharing their parameters and statistics, as PyTorch's.
"""

from __future__ import annotations

from typing import Any

from ..._core.tensor import Tensor
from .batchnorm import _BatchNorm, _InstanceNorm
from .module import Module

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation over the batch and the positions of an ``(N, C, *)`` input.

    Parameters
    ----------
    num_features : int
        The number of channels ``C``.
    eps, momentum, affine, track_running_stats, bias
        As :class:`BatchNorm1d`'s.
    process_group : Any, optional
        The group PyTorch synchronises over (kept; pluggrad has no process groups).
    device, dtype
        Where and in which dtype to make the parameters and statistics.
    """

    _dims = tuple(range(2, 65))  # any rank from 2 (PyTorch's tensors have at most 64)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:  # fmt: skip
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)  # fmt: skip
        self.process_group = process_group

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        return super().forward(input)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """`module` with each batch norm layer in it (itself included) replaced by a
        :class:`SyncBatchNorm` sharing its parameters, statistics and mode.

        Parameters
        ----------
        module : Module
            The model.
        process_group : Any, optional
            The group of the new layers.

        Returns
        -------
        Module
            `module` itself with its batch norms replaced, or the new layer if `module` is a
            batch norm.
        """
        output = module
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            layer: Any = cls(module.num_features, module.eps, module.momentum, module.affine,
                             module.track_running_stats, process_group,
                             bias=module.bias is not None)  # fmt: skip
            if module.affine:
                layer.weight = module.weight
                layer.bias = module.bias
            layer.running_mean = module.running_mean
            layer.running_var = module.running_var
            layer.num_batches_tracked = module.num_batches_tracked
            layer.training = module.training
            if hasattr(module, "qconfig"):
                layer.qconfig = module.qconfig
            output = layer
        for name, child in module.named_children():
            output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return output
