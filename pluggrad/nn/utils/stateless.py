"""``torch.nn.utils.stateless``: call a module with other tensors in place of its parameters
and buffers (:func:`functional_call`, deprecated by PyTorch in favour of
``torch.func.functional_call``, which is :func:`pluggrad.func.functional_call`).

The module's own tensors are swapped out for the call and swapped back afterwards, also when
the call raises.  Tied tensors (one tensor under several names) take the value given for any
of their names unless ``tie_weights=False``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

from ..._core.tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]

_MISSING: Any = object()  # marks a name the module did not have


def _swap_tensor(module: Module, name: str, tensor: Any) -> Any:
    """Put `tensor` (or, for ``_MISSING``, nothing) at `name`; return what was there."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    path, _, leaf = name.rpartition(".")
    owner = module.get_submodule(path)
    if leaf == "":
        raise KeyError('tensor name can\'t be empty string ""')
    for table in (owner._parameters, owner._buffers):
        if leaf in table:
            original = table[leaf]
            if tensor is _MISSING:
                del table[leaf]
            else:
                table[leaf] = tensor
            return original
    original = getattr(owner, leaf) if hasattr(owner, leaf) else _MISSING
    if original is not _MISSING and original is not None and not isinstance(original, Tensor):
        raise TypeError(f"attribute `{leaf}`: {original} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(owner, leaf, tensor)
    elif hasattr(owner, leaf):
        delattr(owner, leaf)
    return original


def _named_tensors(module: Module) -> dict[str, Tensor]:
    named: dict[str, Tensor] = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    return named


def _untie(module: Module, given: dict[str, Tensor]) -> dict[str, Tensor]:
    """`given` completed with every name tied to one of its names (PyTorch's
    ``_untie_named_tensors_map``)."""
    names_of: dict[int, set[str]] = {}
    for name, tensor in _named_tensors(module).items():
        names_of.setdefault(id(tensor), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    given_tied = {name for name in given if name in tied}
    for name in given_tied:
        names = tied[name]
        if len(names & given_tied) > 1 and len({id(given[n]) for n in names if n in given}) != 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(names)}, which are tied. "
                "Consider using tie_weights=False"
            )
    untied = dict(given)
    for name in given_tied:
        for other in tied[name]:
            untied[other] = given[name]
    return untied


@contextlib.contextmanager
def _reparametrize_module(
    module: Module,
    parameters_and_buffers: dict[str, Tensor],
    tie_weights: bool = False,
    strict: bool = False,
) -> Iterator[None]:
    """Within the block, `module` uses `parameters_and_buffers` in place of its own."""
    values = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        valid = set(_named_tensors(module))
        errors = []
        unexpected, missing = sorted(set(values) - valid), sorted(valid - set(values))
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError(
                "Error(s) in reparametrizing for {}:\n\t{}".format(
                    module._get_name(), "\n\t".join(errors)
                )
            )
    originals: dict[str, Any] = {}
    try:
        for name, tensor in values.items():
            originals[name] = _swap_tensor(module, name, tensor)
        yield
    finally:
        current = {name: _swap_tensor(module, name, t) for name, t in originals.items()}
        # a module that assigned to its tensors during the call: the caller's dict sees it
        parameters_and_buffers.update(
            {k: current[k] for k in parameters_and_buffers if k in current}
        )


def _functional_call(module: Module, parameters_and_buffers: dict[str, Tensor], args: Any = None,
                     kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                     strict: bool = False) -> Any:  # fmt: skip
    """Call `module` with `parameters_and_buffers` swapped in (without the deprecation)."""
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **kwargs)


def functional_call(module: Module, parameters_and_buffers: dict[str, Tensor], args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:  # fmt: skip
    """Call `module` with the tensors of `parameters_and_buffers` (by dotted name) in place of
    its parameters and buffers; deprecated as in PyTorch: use
    :func:`pluggrad.func.functional_call`.

    Parameters and result are those of :func:`pluggrad.func.functional_call` with a single
    dict.
    """
    warnings.warn(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be "
        "removed in a future version of PyTorch. Please use `torch.func.functional_call` "
        "instead which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)  # fmt: skip
