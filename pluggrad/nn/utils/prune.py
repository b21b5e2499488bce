"""``pluggrad.nn.utils.prune``: pruning a module's tensors by a mask (PyTorch's
``torch.nn.utils.prune``).

Pruning ``module.<name>`` moves the parameter to ``<name>_orig``, stores the mask in the buffer
``<name>_mask`` and makes ``module.<name>`` the plain attribute ``<name>_orig * <name>_mask``,
recomputed before each forward by the pruning method, registered as a forward pre-hook.
Pruning a tensor again combines the methods in a :class:`PruningContainer` (the new mask only
prunes what the old one kept); :func:`remove` makes the pruned tensor the parameter again.

Which of several equal-magnitude entries ``l1_unstructured`` or ``ln_structured`` prunes is the
first found by the backend's ``topk``; PyTorch's CPU kernel may pick others among ties.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

from ... import ops as _ops
from ..._core.tensor import Tensor
from ..modules.module import Module
from ._prune_base import BasePruningMethod, PruningContainer
from .convert_parameters import parameters_to_vector

__all__ = [
    "BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
    "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask", "identity",
    "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
    "global_unstructured", "custom_from_mask", "remove", "is_pruned",
]  # fmt: skip

# the classes print (and PyTorch's messages name them) as members of this module, as in torch
BasePruningMethod.__module__ = PruningContainer.__module__ = __name__


class Identity(BasePruningMethod):
    """The pruning method that prunes nothing (the mask is all ones)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """`default_mask` unchanged."""
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> Any:  # type: ignore[override]
        """Register it on ``module.<name>``."""
        return super().apply(module, name)


def _zero_at(mask: Tensor, flat_indices: Tensor) -> Tensor:
    # PyTorch's ``mask.view(-1)[indices] = 0`` on a copy
    flat = mask.reshape(-1).clone()
    flat[flat_indices] = 0
    return flat.reshape(mask.shape)  # type: ignore[no-any-return]


class _Unstructured(BasePruningMethod):
    """The unstructured methods: prune the `amount` entries ranked first by ``_ranking``."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: int | float) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def _ranking(self, t: Tensor) -> tuple[Tensor, bool]:
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """`default_mask` with the `amount` entries of `t` ranked first set to zero."""
        tensor_size = t.nelement()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        mask = default_mask.clone()
        if nparams_toprune != 0:
            scores, largest = self._ranking(t)
            topk = _ops.topk(scores.reshape(-1), k=nparams_toprune, largest=largest)
            mask = _zero_at(mask, topk.indices)
        return mask


class RandomUnstructured(_Unstructured):
    """Prune `amount` entries chosen at random (PyTorch's draws: the largest of
    ``rand_like``).

    Parameters
    ----------
    amount : int or float
        How many entries (an int), or which fraction (a float in [0, 1]).
    """

    def _ranking(self, t: Tensor) -> tuple[Tensor, bool]:
        return _ops.rand_like(t), True

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float) -> Any:  # type: ignore[override]
        """Register it on ``module.<name>``."""
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prune the `amount` entries of smallest magnitude.

    Parameters
    ----------
    amount : int or float
        How many entries (an int), or which fraction (a float in [0, 1]).
    """

    def _ranking(self, t: Tensor) -> tuple[Tensor, bool]:
        return _ops.abs(t), False

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float,  # type: ignore[override]
              importance_scores: Any = None) -> Any:  # fmt: skip
        """Register it on ``module.<name>``."""
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


def _channel_mask(t: Tensor, dim: int, index: Tensor) -> Tensor:
    # ones on the channels `index` (a boolean mask or indices) along `dim`, zeros elsewhere
    mask = _ops.zeros_like(t)
    slc: list[Any] = [slice(None)] * len(t.shape)
    slc[dim] = index
    mask[tuple(slc)] = 1
    return mask


class RandomStructured(BasePruningMethod):
    """Prune `amount` channels along `dim`, chosen at random.

    Parameters
    ----------
    amount : int or float
        How many channels (an int), or which fraction (a float in [0, 1]).
    dim : int
        The dimension of the channels.
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, dim: int = -1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """`default_mask` with `amount` random channels of `t` along ``dim`` set to zero."""
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        if nparams_toprune == 0:
            return default_mask
        prob = _ops.rand(tensor_size)
        threshold = _ops.kthvalue(prob, k=nparams_toprune).values
        mask = _channel_mask(t, self.dim, prob > threshold)
        return mask * default_mask.to(dtype=mask.dtype)  # type: ignore[no-any-return]

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float,  # type: ignore[override]
              dim: int = -1) -> Any:  # fmt: skip
        """Register it on ``module.<name>``."""
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prune the `amount` channels along `dim` of smallest `n`-norm.

    Parameters
    ----------
    amount : int or float
        How many channels (an int), or which fraction (a float in [0, 1]).
    n : int, float, inf, -inf or "fro"
        The norm (as ``torch.norm``'s ``p``).
    dim : int
        The dimension of the channels.
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, n: Any, dim: int = -1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """`default_mask` with the channels of `t` of smallest norm set to zero."""
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        nparams_tokeep = tensor_size - nparams_toprune
        _validate_pruning_amount(nparams_toprune, tensor_size)
        norm = _compute_norm(t, self.n, self.dim)
        topk = _ops.topk(norm, k=nparams_tokeep, largest=True)
        if nparams_toprune == 0:
            return default_mask
        mask = _channel_mask(t, self.dim, topk.indices)
        return mask * default_mask.to(dtype=mask.dtype)  # type: ignore[no-any-return]

    @classmethod
    def apply(cls, module: Module, name: str, amount: int | float, n: Any,  # type: ignore[override]
              dim: int, importance_scores: Any = None) -> Any:  # fmt: skip
        """Register it on ``module.<name>``."""
        return super().apply(
            module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores
        )


class CustomFromMask(BasePruningMethod):
    """Prune by a given mask (zeros where pruned)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """`default_mask` times the given mask."""
        if default_mask.shape != self.mask.shape:
            raise AssertionError(
                f"default_mask shape {default_mask.shape} must match self.mask shape "
                f"{self.mask.shape}"
            )
        return default_mask * self.mask.to(dtype=default_mask.dtype)  # type: ignore[no-any-return]

    @classmethod
    def apply(cls, module: Module, name: str, mask: Tensor) -> Any:  # type: ignore[override]
        """Register it on ``module.<name>``."""
        return super().apply(module, name, mask=mask)


def identity(module: Module, name: str) -> Module:
    """Prune nothing of ``module.<name>``, but reparametrize it as pruning does (a mask of
    ones in ``<name>_mask``, the parameter in ``<name>_orig``); returns `module`."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: int | float) -> Module:
    """Prune `amount` random entries of ``module.<name>`` (an int: how many; a float in
    [0, 1]: which fraction); returns `module`."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(
    module: Module, name: str, amount: int | float, importance_scores: Any = None
) -> Module:
    """Prune the `amount` entries of ``module.<name>`` of smallest magnitude (of
    `importance_scores`, if given).

    Parameters
    ----------
    module : Module
        The module.
    name : str
        The parameter to prune.
    amount : int or float
        How many entries (an int), or which fraction (a float in [0, 1]).
    importance_scores : Tensor, optional
        The scores ranking the entries (default: the parameter).

    Returns
    -------
    Module
        `module`, with ``<name>_orig``, ``<name>_mask`` and the pruning hook.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.nn.utils import prune
    >>> m = prune.l1_unstructured(torch.nn.Linear(2, 3), "weight", amount=0.5)
    >>> int(m.weight_mask.sum()), [n for n, _ in m.named_buffers()]
    (3, ['weight_mask'])
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: int | float, dim: int) -> Module:
    """Prune `amount` random channels of ``module.<name>`` along `dim`; returns `module`."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(
    module: Module, name: str, amount: int | float, n: Any, dim: int, importance_scores: Any = None
) -> Module:
    """Prune the `amount` channels of ``module.<name>`` along `dim` of smallest `n`-norm (of
    `importance_scores`, if given); returns `module`."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(
    parameters: Iterable[tuple[Module, str]],
    pruning_method: Any,
    importance_scores: dict | None = None,
    **kwargs: Any,
) -> None:
    """Prune the ``(module, name)`` `parameters` together: the method (an unstructured one,
    e.g. ``L1Unstructured``, built with `kwargs`) ranks all their entries at once.

    Parameters
    ----------
    parameters : iterable of (Module, str)
        The parameters.
    pruning_method : type
        An unstructured pruning method class.
    importance_scores : dict, optional
        Scores by ``(module, name)`` (default: the parameters).
    **kwargs
        The method's arguments (``amount``).

    Raises
    ------
    TypeError
        If `parameters` is not iterable, `importance_scores` is not a dict, or the method is
        not unstructured.
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    relevant_importance_scores = parameters_to_vector(
        [
            importance_scores.get((module, name), getattr(module, name))
            for module, name in parameters
        ]
    )
    default_mask = parameters_to_vector(
        [getattr(module, name + "_mask", _ops.ones_like(getattr(module, name)))
         for module, name in parameters]
    )  # fmt: skip
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
            f"{pruning_method} of type {method.PRUNING_TYPE}"
        )
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        param_mask = final_mask[pointer : pointer + num_param].view_as(param)
        custom_from_mask(module, name, mask=param_mask)
        pointer += num_param


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    """Prune ``module.<name>`` by `mask` (zeros where pruned); returns `module`."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent: the parameter holds the pruned
    values, and ``<name>_orig``, ``<name>_mask`` and the hook go.

    Raises
    ------
    ValueError
        If ``module.<name>`` is not pruned.
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(
        f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed"
    )


def is_pruned(module: Module) -> bool:
    """Whether `module` or a submodule has a pruning hook."""
    for _, submodule in module.named_modules():
        for hook in submodule._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False


def _validate_pruning_amount_init(amount: Any) -> None:
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and int(amount) < 0) or (
        not isinstance(amount, numbers.Integral) and (float(amount) > 1.0 or float(amount) < 0.0)
    ):
        raise ValueError(
            f"amount={amount} should either be a float in the range [0, 1] or a non-negative "
            "integer"
        )


def _validate_pruning_amount(amount: Any, tensor_size: int) -> None:
    if isinstance(amount, numbers.Integral) and int(amount) > tensor_size:
        raise ValueError(
            f"amount={amount} should be smaller than the number of parameters to "
            f"prune={tensor_size}"
        )


def _validate_structured_pruning(t: Tensor) -> None:
    shape = t.shape
    if len(shape) <= 1:
        raise ValueError(
            "Structured pruning can only be applied to multidimensional tensors. Found tensor "
            f"of shape {shape} with {len(shape)} dims"
        )


def _compute_nparams_toprune(amount: Any, tensor_size: int) -> int:
    # a fraction rounds to the nearest count (Python's round, as PyTorch)
    if isinstance(amount, numbers.Integral):
        return int(amount)
    return round(amount * tensor_size)


def _validate_pruning_dim(t: Tensor, dim: int) -> None:
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")


def _compute_norm(t: Tensor, n: Any, dim: int) -> Tensor:
    # the n-norm of every channel along `dim`
    dims = list(range(t.dim()))
    if dim < 0:
        dim = dims[dim]
    dims.remove(dim)
    return t.norm(p=n, dim=dims)  # type: ignore[no-any-return]
