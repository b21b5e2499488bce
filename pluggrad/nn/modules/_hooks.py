"""Calling a module, with its hooks: forward pre-hooks and hooks, and the full backward hooks
(``register_full_backward_hook``, ``register_full_backward_pre_hook``), as PyTorch runs them.

A backward hook sees the gradients with respect to the module's outputs and to its positional
tensor arguments.  As in PyTorch, the module's tensor arguments and outputs pass through an
identity :class:`~pluggrad.autograd.Function` (``BackwardHookFunctionBackward``) whose nodes
carry the hooks: the outputs' node records ``grad_output`` (and runs the pre-hooks, which may
replace it), the inputs' node calls the hooks with ``grad_input``, which they may replace.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

from ..._core.grad_mode import grad_enabled
from ..._core.hooks import RemovableHandle, add_hook
from ..._core.tensor import Tensor
from ...autograd.function import Function

__all__ = ["ModuleHooks"]


class BackwardHookFunction(Function):
    """The identity whose backward node (``BackwardHookFunctionBackward``) carries a module's
    backward hooks."""

    @staticmethod
    def forward(ctx, *args):  # type: ignore[no-untyped-def]
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):  # type: ignore[no-untyped-def]
        return grads


def _through_identity(values: tuple, on_node: Callable) -> tuple:
    """`values` with their tensors passed through :class:`BackwardHookFunction` (when one
    requires grad and grad mode is on), ``on_node`` called with the identity's node."""
    positions = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
    tensors = [values[i] for i in positions]
    if not (grad_enabled() and any(t.requires_grad for t in tensors)):
        return values
    passed = BackwardHookFunction.apply(*tensors)
    on_node(next(t.grad_fn for t in passed if t.grad_fn is not None))
    out = list(values)
    for i, t in zip(positions, passed):
        out[i] = t
    return tuple(out)


class _BackwardHooks:
    """One call's backward hooks: what the outputs' node saw, given to the inputs' node."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.n_inputs = 0
        self.input_positions: list[int] | None = None
        self.grad_outputs: tuple | None = None

    def _packed(self, positions: list[int], grads: tuple, size: int) -> tuple:
        out: list = [None] * size
        for i, g in zip(positions, grads):
            out[i] = g
        return tuple(out)

    def wrap_inputs(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]

        def on_node(node: Any) -> None:
            self.input_positions = positions
            node.register_hook(self._input_hook)

        return _through_identity(args, on_node)

    def _input_hook(self, grad_inputs: tuple, _grad_outputs: tuple) -> tuple | None:
        positions = self.input_positions or []
        grads = self._packed(positions, grad_inputs, self.n_inputs)
        changed = False
        for hook in list(self.module._backward_hooks.values()):
            out = hook(self.module, grads, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(grads):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(out)}, but expected {len(grads)}"
                )
            grads, changed = tuple(out), True
        self.grad_outputs = None
        return tuple(grads[i] for i in positions) if changed else None

    def wrap_outputs(self, result: Any) -> Any:
        single = isinstance(result, Tensor)
        outputs = (result,) if single else result
        if not isinstance(outputs, tuple):
            return result
        positions = [i for i, o in enumerate(outputs) if isinstance(o, Tensor)]
        n_outputs = len(outputs)

        def pre_hook(grad_outputs: tuple) -> tuple | None:
            grads = self._packed(positions, grad_outputs, n_outputs)
            changed = False
            for hook in list(self.module._backward_pre_hooks.values()):
                out = hook(self.module, grads)
                if out is None:
                    continue
                if len(out) != len(grads):
                    raise RuntimeError(
                        "Backward pre hook returned an invalid number of grad_output, got "
                        f"{len(out)}, but expected {len(grads)}"
                    )
                grads, changed = tuple(out), True
            self.grad_outputs = grads
            if self.input_positions is None:  # no input requires grad: the hooks run here
                nothing = (None,) * self.n_inputs
                for hook in list(self.module._backward_hooks.values()):
                    out = hook(self.module, nothing, grads)
                    if out is not None and any(g is not None for g in out):
                        raise RuntimeError(
                            "Backward hook for Modules where no input requires gradient "
                            "should always return None or None for all gradients."
                        )
                self.grad_outputs = None
            return tuple(grads[i] for i in positions) if changed else None

        wrapped = _through_identity(outputs, lambda node: node.register_prehook(pre_hook))
        return wrapped[0] if single else wrapped


class ModuleHooks:
    """The calling convention of :class:`~pluggrad.nn.Module`: ``module(*args)`` runs the
    forward pre-hooks, ``forward``, the forward hooks, and sets up the backward hooks."""

    _forward_hooks: dict
    _forward_pre_hooks: dict
    _backward_hooks: dict
    _backward_pre_hooks: dict
    _state_dict_hooks: dict
    _load_state_dict_pre_hooks: dict
    forward: Callable

    def _init_hooks(self) -> None:
        setattr_ = object.__setattr__
        for name in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                     "_backward_pre_hooks", "_state_dict_hooks",
                     "_load_state_dict_pre_hooks"):  # fmt: skip
            setattr_(self, name, OrderedDict())  # PyTorch's type: scripts print them
        for name in ("_forward_hooks_with_kwargs", "_forward_hooks_always_called",
                     "_forward_pre_hooks_with_kwargs"):  # fmt: skip
            setattr_(self, name, set())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (
            self._forward_hooks
            or self._forward_pre_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
        ):
            return self.forward(*args, **kwargs)
        for key, pre_hook in list(self._forward_pre_hooks.items()):
            if key in self._forward_pre_hooks_with_kwargs:  # type: ignore[attr-defined]
                changed = pre_hook(self, args, kwargs)
                if changed is not None:
                    if not (isinstance(changed, tuple) and len(changed) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {changed}."
                        )
                    args, kwargs = changed
            else:
                changed = pre_hook(self, args)
                if changed is not None:
                    args = changed if isinstance(changed, tuple) else (changed,)
        backward = None
        if self._backward_hooks or self._backward_pre_hooks:
            backward = _BackwardHooks(self)
            args = backward.wrap_inputs(args)
        try:
            result = self.forward(*args, **kwargs)
        except Exception:
            for key, hook in list(self._forward_hooks.items()):
                if key in self._forward_hooks_always_called:  # type: ignore[attr-defined]
                    self._run_forward_hook(key, hook, args, kwargs, None)
            raise
        for key, hook in list(self._forward_hooks.items()):
            changed = self._run_forward_hook(key, hook, args, kwargs, result)
            if changed is not None:
                result = changed
        return result if backward is None else backward.wrap_outputs(result)

    def _run_forward_hook(self, key: int, hook: Callable, args, kwargs, result) -> Any:
        if key in self._forward_hooks_with_kwargs:  # type: ignore[attr-defined]
            return hook(self, args, kwargs, result)
        return hook(self, args, result)

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` (``hook(module, args, kwargs)`` with `with_kwargs`)
        before each ``forward``; a value it returns replaces the arguments."""
        handle = _add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)  # type: ignore[attr-defined]
        return handle

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with
        `with_kwargs`) after each ``forward``; a value it returns replaces the output.  With
        `always_call` the hook also runs (with output None) when ``forward`` raises."""
        handle = _add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)  # type: ignore[attr-defined]
        if always_call:
            self._forward_hooks_always_called.add(handle.id)  # type: ignore[attr-defined]
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with respect to
        the module's positional tensor arguments are computed (``grad_input`` has one entry
        per positional argument, None for the others); a tuple it returns replaces
        ``grad_input``."""
        return _add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients with respect to the module's
        outputs are known; a tuple it returns replaces ``grad_output``."""
        return _add_hook(self._backward_pre_hooks, hook, prepend)

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict()``
        has filled in this module's entries (a dict it returns replaces the state dict):
        PyTorch's private hook, which its ``spectral_norm`` uses."""
        return _add_hook(self._state_dict_hooks, hook, False)

    def _register_load_state_dict_pre_hook(
        self, hook: Callable, with_module: bool = False
    ) -> RemovableHandle:
        """Call ``hook(state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` (the module first with `with_module`) before
        ``load_state_dict`` reads this module's entries; it may rewrite them (the state dict
        is the loader's copy): PyTorch's private hook, which its ``weight_norm`` and
        ``spectral_norm`` use to load checkpoints of older formats."""
        if with_module:
            return _add_hook(self._load_state_dict_pre_hooks, partial(hook, self), False)
        return _add_hook(self._load_state_dict_pre_hooks, hook, False)


def _add_hook(hooks: dict, hook: Callable, prepend: bool) -> RemovableHandle:
    """Add `hook` to the ordered `hooks`, last, or first with `prepend` (as Module's hooks)."""
    _, handle = add_hook(hooks, hook)
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks.update([items[-1], *items[:-1]])
    return handle
