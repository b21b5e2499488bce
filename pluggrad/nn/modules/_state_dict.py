"""``Module.load_state_dict``: every entry checked (keys, types, shapes) before anything is
copied, with PyTorch's messages, so a bad checkpoint leaves the module as it was."""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any

from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor
from ...ops.creation import asarray
from ..parameter import Parameter

__all__ = ["load_state_dict", "compile_state", "load_compile_state"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def load_state_dict(root: Any, state_dict: Mapping[str, Any], strict: bool, assign: bool) -> Any:
    """Load `state_dict` into the module `root` (see ``Module.load_state_dict``)."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    copies: list[tuple[Any, str, Tensor, Tensor]] = []
    # the modules' pre-hooks may rewrite their entries (older checkpoint formats), on a copy;
    # they get strict=True and report what they miss, as PyTorch's do, whatever `strict` is
    metadata = getattr(state_dict, "_metadata", None)
    state_dict = OrderedDict(state_dict)
    for prefix, module in root.named_modules(remove_duplicate=False):
        local_metadata = {} if metadata is None else metadata.get(prefix, {})
        prefix = f"{prefix}." if prefix else ""
        for hook in module._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, True, missing, unexpected, errors)
        _plan(module, state_dict, prefix, (missing, unexpected, errors, copies))
    if strict:
        if unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(root).__name__}:\n\t" + "\n\t".join(errors)
        )
    with no_grad():
        for module, name, target, value in copies:
            if not assign:
                target.copy_(value)
            elif isinstance(target, Parameter):
                setattr(module, name, Parameter(value, target.requires_grad))
            else:
                setattr(module, name, value)
    return _IncompatibleKeys(missing, unexpected)


def _plan(module: Any, state_dict: Mapping, prefix: str, out: tuple) -> None:
    """Check `module`'s own entries of `state_dict`; list the copies to make in `out`."""
    missing, unexpected, errors, copies = out
    persistent = {
        k: v for k, v in module._buffers.items() if k not in module._non_persistent_buffers_set
    }
    local = {
        k: v for k, v in itertools.chain(module._parameters.items(), persistent.items())
        if v is not None
    }  # fmt: skip
    for name, target in local.items():
        key = prefix + name
        if key not in state_dict:
            missing.append(key)  # reported (not raised) without `strict`, as PyTorch does
            continue
        value = state_dict[key]
        if not isinstance(value, Tensor):
            if not hasattr(value, "__array__") and not hasattr(value, "__dlpack__"):
                errors.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}"
                )
                continue
            value = asarray(value, backend=target._backend)
        if target.ndim == 0 and value.ndim == 1 and value.shape[0] == 1:
            value = value[0]  # PyTorch's compatibility with 0.3-era checkpoints
        if tuple(value.shape) != tuple(target.shape):
            errors.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {target.shape}."
            )
            continue
        copies.append((module, name, target, value))
    for key in state_dict:
        if not key.startswith(prefix):
            continue
        head, *rest = key[len(prefix) :].split(".", 1)
        if (rest and head not in module._modules) or (not rest and head not in local):
            unexpected.append(key)


def compile_state(root: Any) -> list:
    """The tensors of `root` and its submodules, with their names and training flags, in
    order: per module ``[[(name, parameter), ...], [(name, buffer), ...], training]`` (lists of
    pairs keep the order that ``parameters()`` and ``state_dict()`` follow)."""
    return [
        [list(m._parameters.items()), list(m._buffers.items()), m.training]
        for _, m in root.named_modules()
    ]


def load_compile_state(root: Any, state: list) -> None:
    """Make `root` and its submodules hold the tensors of `state` (see :func:`compile_state`)."""
    for (_, m), (params, buffers, training) in zip(root.named_modules(), state):
        d = m.__dict__
        d["_parameters"] = dict(params)
        d["_buffers"] = dict(buffers)
        d["training"] = training
