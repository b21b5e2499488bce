"""``torch.func.functional_call`` and ``stack_module_state``: modules as functions of their
parameters and buffers, for the transforms (``grad`` with respect to a dict of parameters,
``vmap`` over per-sample inputs or over an ensemble's stacked parameters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._core.tensor import Tensor
from ..nn.modules.batchnorm import _BatchNorm, _InstanceNorm
from ..nn.modules.module import Module
from ..nn.utils.stateless import _functional_call
from ..ops.manipulation import stack

__all__ = ["functional_call", "replace_all_batch_norm_modules_", "stack_module_state"]


def functional_call(module: Module, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:  # fmt: skip
    """Call `module` with the given tensors in place of its parameters and buffers.

    Parameters
    ----------
    module : Module
        The module; its own tensors are restored when the call returns or raises.
    parameter_and_buffer_dicts : dict or sequence of dict
        Tensors by dotted name (``"0.weight"``); several dicts must not share a key.
    args : object or tuple, optional
        Positional arguments of the call (a non-tuple is the single argument).
    kwargs : dict, optional
        Keyword arguments of the call.
    tie_weights : bool, optional
        A tensor the module holds under several names takes the value given for any of them.
    strict : bool, optional
        The names given must be exactly the module's parameters and buffers.

    Returns
    -------
    object
        What ``module(*args, **kwargs)`` returns.

    Examples
    --------
    Per-sample gradients of a model's loss:

    >>> params = {k: v.detach() for k, v in model.named_parameters()}  # doctest: +SKIP
    >>> def loss(p, x, t):  # doctest: +SKIP
    ...     return F.mse_loss(functional_call(model, p, (x[None],)), t[None])
    >>> vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ts)  # doctest: +SKIP
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        parameters_and_buffers = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries"
            )
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
        parameters_and_buffers = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(parameter_and_buffer_dicts)}"
        )
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)  # fmt: skip


def _stacked_leaf(tensors: list[Tensor], name: str) -> Tensor:
    flags = {t.requires_grad for t in tensors}
    if len(flags) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    return result.detach().requires_grad_() if flags == {True} else result


def stack_module_state(models: Sequence[Module]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """The parameters and buffers of `models` (of one class), stacked along a new first
    dimension, by name: ``(params, buffers)``, for ``vmap`` over an ensemble.

    The stacked parameters are new leaves (they require grad when the models' do), unrelated
    to the models' own, so an optimizer can take them directly.

    Parameters
    ----------
    models : sequence of Module
        Modules of the same class, all in training or all in eval mode.

    Returns
    -------
    tuple of dict
        ``(params, buffers)`` keyed by ``named_parameters``/``named_buffers`` names.
    """
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: _stacked_leaf([p[k] for p in all_params], k) for k in all_params[0]}
    buffers = {k: _stacked_leaf([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers


def replace_all_batch_norm_modules_(root: Module) -> Module:
    """Make every batch norm of `root` (itself included) normalise with the batch's own
    statistics, in place: ``vmap`` over a batch norm cannot update one set of running
    statistics from each sample.

    Parameters
    ----------
    root : Module
        The module; its batch norms that track running statistics lose them (``running_mean``,
        ``running_var`` and ``num_batches_tracked`` become None) and stop tracking them.

    Returns
    -------
    Module
        `root`.
    """
    for module in root.modules():
        # pluggrad's instance norms derive from _BatchNorm; PyTorch's, left alone, do not
        batch_norm = isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm)
        if batch_norm and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
