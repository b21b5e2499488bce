"""``pluggrad.nn.utils.weight_norm``: weight normalization as a forward pre-hook (PyTorch's
deprecated ``torch.nn.utils.weight_norm``; :func:`~pluggrad.nn.utils.parametrizations.weight_norm`
is its replacement).

The weight is replaced by the parameters ``<name>_g`` (magnitude) and ``<name>_v`` (direction);
before each forward, ``module.<name>`` is recomputed from them as a plain tensor attribute.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from ... import ops as _ops
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter
from .parametrizations import _weight_norm
from .spectral_norm import _remove_hook

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]

_DEPRECATED = (
    "`torch.nn.utils.weight_norm` is deprecated in favor of "
    "`torch.nn.utils.parametrizations.weight_norm`."
)


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: recomputes ``module.<name>`` from
    ``<name>_g`` and ``<name>_v``.

    Parameters
    ----------
    name : str
        The weight's name.
    dim : int or None
        The dimension the norm keeps (-1 or None: the whole tensor's norm).
    """

    name: str
    dim: int

    def __init__(self, name: str, dim: int | None) -> None:
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module: Module) -> Any:
        """``g * v / ||v||`` from the module's ``<name>_g`` and ``<name>_v``."""
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        """Register the hook on `module` (see :func:`weight_norm`); warns that it is
        deprecated, as PyTorch does.

        Raises
        ------
        RuntimeError
            If `name` already has a weight_norm hook.
        ValueError
            If the weight is an uninitialized (lazy) parameter.
        """
        warnings.warn(_DEPRECATED, FutureWarning, stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}"
                )
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `WeightNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying weight normalization"
            )
        # the weight is removed from the parameter list; g and v replace it
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(_ops.norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        # recompute the weight before every forward
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        """Turn ``module.<name>`` back into a parameter of the current weight."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


T_module = TypeVar("T_module", bound=Module)


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Weight normalization by a forward pre-hook: ``w = g * v / ||v||`` with the
    parameters ``<name>_g`` and ``<name>_v`` replacing ``<name>`` (deprecated in PyTorch, which
    warns with a ``FutureWarning``; use :func:`pluggrad.nn.utils.parametrizations.weight_norm`).

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The weight's name.
    dim : int or None
        The dimension the norm keeps (one magnitude per slice along it); None for the whole
        tensor's norm.

    Returns
    -------
    Module
        `module`, with the hook.

    Examples
    --------
    >>> import warnings
    >>> import pluggrad as torch
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = torch.nn.utils.weight_norm(torch.nn.Linear(20, 40), name="weight")
    >>> m.weight_g.size(), m.weight_v.size()
    (pluggrad.Size([40, 1]), pluggrad.Size([40, 20]))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Remove the weight-normalization hook of ``module.<name>``; the weight becomes a
    parameter of its current value.

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The weight's name.

    Returns
    -------
    Module
        `module`.

    Raises
    ------
    ValueError
        If `module` has no weight_norm hook on `name`.
    """
    _remove_hook(module, WeightNorm, name, "weight_norm")
    return module
