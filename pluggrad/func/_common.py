"""What the differentiating transforms share: ``argnums``, the differentiable copies of the
inputs (a transform's "level") and the checks of what ``func`` returns, in PyTorch's words.

A transform differentiates with respect to copies of its inputs that it makes itself, so that
the caller's tensors need not require grad.  An input that does not require grad becomes a
fresh leaf (``detach().requires_grad_()``); one that does (a tensor the caller, or an enclosing
transform, differentiates through) becomes a connected copy, so that the outer differentiation
sees through the inner one (``grad(grad(f))``).  Gradients are taken with ``create_graph``
while grad mode is on, and each result is detached on the way out unless it depends on
something other than the transform's own fresh leaves: the graph reaches the caller only when
the caller is differentiating through the transform, as with torch.func's levels.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from collections.abc import Callable
from typing import Any

from .._core.grad_mode import is_grad_enabled
from .._core.graph import AccumulateGrad
from .._core.tensor import Tensor
from ..ops.manipulation import clone
from . import _pytree as pytree

__all__ = ["Level", "slice_argnums", "replace_args", "check_non_empty_tensor_output",
           "check_list_of_tensors", "split_aux", "check_not_complex", "func_name"]  # fmt: skip


# Every fresh leaf a transform made, by id: (a weak reference to it, its level's serial number).
# A level numbered n counts the leaves of levels numbered n or more (its own, and those of the
# transforms nested inside it, which started after it) as internal when it decides whether a
# result reaches the caller's graph; the leaves of the levels around it are outside it.
_FRESH: dict[int, tuple[weakref.ref, int]] = {}
_SERIALS = itertools.count()


def _forget(key: int, _ref: object = None) -> None:
    _FRESH.pop(key, None)


class Level:
    """The differentiable copies one transform call makes, and how to hand results back."""

    def __init__(self) -> None:
        # whether the caller records a graph: the gradients are then made differentiable
        self.create_graph = is_grad_enabled()
        self.serial = next(_SERIALS)

    def differentiable(self, value: Any) -> Tensor:
        """The copy of `value` that the transform differentiates with respect to."""
        if not isinstance(value, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(value)}")
        if value.requires_grad and self.create_graph:
            return clone(value)
        return self.fresh_leaf(value.detach())

    def fresh_leaf(self, value: Tensor) -> Tensor:
        """`value` (a tensor without history) made a leaf that requires grad, of this level."""
        leaf = value.requires_grad_(True)
        key = id(leaf)
        _FRESH[key] = (weakref.ref(leaf, functools.partial(_forget, key)), self.serial)
        return leaf

    def _internal(self, leaf: Tensor) -> bool:
        entry = _FRESH.get(id(leaf))
        return entry is not None and entry[0]() is leaf and entry[1] >= self.serial

    def differentiable_tree(self, tree: Any) -> Any:
        return pytree.tree_map(self.differentiable, tree)

    def _reaches_outside(self, tensor: Tensor) -> bool:
        """Whether `tensor`'s graph leads to a leaf that is not one of this level's own."""
        if tensor.grad_fn is None:
            return tensor.requires_grad and not self._internal(tensor)
        seen: set[int] = set()
        stack = [tensor.grad_fn]
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, AccumulateGrad):
                if not self._internal(node.variable):
                    return True
                continue
            stack.extend(nxt for nxt, _ in node.next_functions)
        return False

    def needs_graph(self, outputs: list) -> bool:
        """Whether gradients of `outputs` must be differentiable: the caller records a graph
        and `outputs` depend on something outside this level (a result that depends only on
        the level's own leaves would be detached anyway, and so would its gradients, whose
        graph reaches only what the outputs' graph reaches)."""
        return self.create_graph and any(
            isinstance(o, Tensor) and o.requires_grad and self._reaches_outside(o) for o in outputs
        )

    def result(self, value: Any, create_graph: bool | None = None) -> Any:
        """`value` (a pytree) as the caller gets it: each tensor detached unless the caller is
        differentiating through it (and `create_graph`, by default the level's, is on)."""
        keep = self.create_graph if create_graph is None else create_graph

        def finish(v: Any) -> Any:
            if not isinstance(v, Tensor) or not v.requires_grad:
                return v
            if keep and self._reaches_outside(v):
                return v
            return v.detach()

        return pytree.tree_map(finish, value)

    def aux_result(self, aux: Any) -> Any:
        """The ``aux`` of a ``has_aux`` function as the caller gets it: Tensors only."""
        for leaf in pytree.tree_flatten(aux)[0]:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
        return self.result(aux)


# ---- argnums -----------------------------------------------------------------------------------
def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _wrap_argnums(argnums: Any, num_args: int) -> int | tuple[int, ...]:
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    if isinstance(argnums, tuple):
        return tuple(_wrap_argnum(a, num_args) for a in argnums)
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def slice_argnums(args: tuple, argnums: Any, as_tuple: bool = True) -> Any:
    """The arguments `argnums` selects: one (a 1-tuple when `as_tuple`) or a tuple of them."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    argnums = _wrap_argnums(argnums, len(args))
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return tuple(args[i] for i in argnums)
    return (args[argnums],) if as_tuple else args[argnums]


def replace_args(args: tuple, new: Any, argnums: Any) -> tuple:
    """`args` with the arguments `argnums` selects replaced by `new` (one value for an int)."""
    argnums = _wrap_argnums(argnums, len(args))
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    by_position = dict(zip(argnums, new))
    return tuple(by_position.get(i, a) for i, a in enumerate(args))


# ---- what func returns -------------------------------------------------------------------------
def split_aux(output: Any, api: str, has_aux: bool) -> tuple[Any, Any]:
    """``(output, aux)`` of a function called with ``has_aux`` (aux None without it)."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output


def check_non_empty_tensor_output(flat_output: list, api: str) -> None:
    if (len(flat_output) == 1 and flat_output[0] is None) or len(flat_output) < 1:
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = "
            f"{flat_output})"
        )
    for o in flat_output:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}"
            )


def check_list_of_tensors(values: list, api: str, argname: str) -> None:
    if len(values) == 0:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for v in values:
        if not isinstance(v, Tensor):
            raise RuntimeError(f"{api}: Expected {argname} to only contain Tensors, got {type(v)}")


def check_not_complex(api: str, tree: Any, is_input: bool) -> None:
    """jacrev and jacfwd take and return real tensors only."""
    for idx, value in enumerate(pytree.tree_flatten(tree)[0]):
        if isinstance(value, Tensor) and value.dtype.is_complex:
            which = "inputs" if is_input else "outputs"
            raise RuntimeError(
                f"{api}: Expected all {which} to be real but received complex tensor at "
                f"flattened input idx: {idx}"
            )


def func_name(func: Callable) -> str:
    """The name vmap's messages give `func` (torch's ``_get_name``)."""
    if hasattr(func, "__name__"):
        return str(func.__name__)
    if hasattr(func, "func") and hasattr(func, "args"):  # functools.partial
        return f"functools.partial({func_name(func.func)}, ...)"
    return repr(func)
