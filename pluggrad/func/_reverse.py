"""Reverse-mode transforms of ``torch.func``: ``grad``, ``grad_and_value``, ``vjp``, ``jacrev``.

Each call differentiates ``func`` with respect to copies of its inputs (see
:mod:`pluggrad.func._common`), with :func:`pluggrad.autograd.grad` underneath; ``jacrev``
builds the Jacobian row by row with :func:`pluggrad.autograd.functional.jacobian` from one
evaluation of ``func``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._core.grad_mode import enable_grad, is_grad_enabled
from .._core.tensor import Tensor
from ..autograd.functional import _grads, _zeros_for_none, jacobian
from . import _pytree as pytree
from ._common import (
    Level,
    check_non_empty_tensor_output,
    check_not_complex,
    replace_args,
    slice_argnums,
    split_aux,
)

__all__ = ["grad", "grad_and_value", "vjp", "jacrev"]


def _gradients(outputs: list, inputs: list, cotangents: Any, **options: Any) -> list:
    """``autograd.grad`` of `outputs` w.r.t. `inputs`, zeros where an input is unused."""
    grads = _grads(outputs, inputs, cotangents, **options)
    return list(_zeros_for_none(grads, tuple(inputs), False, ""))


def _check_floating_outputs(flat_output: list) -> None:
    for out in flat_output:
        if not (out.is_floating_point() or out.dtype.is_complex):
            raise RuntimeError(
                "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                f"Tensor with dtype {out.dtype}"
            )


def grad_and_value(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """The gradient of `func` with respect to the arguments `argnums`, and `func`'s value.

    Parameters
    ----------
    func : callable
        A function returning a scalar Tensor (and, with `has_aux`, a second object).
    argnums : int or tuple of int, optional
        The positional arguments to differentiate with respect to.  Each may be a pytree
        (tuple, list, dict) of Tensors; the gradient has the same structure.
    has_aux : bool, optional
        `func` returns ``(output, aux)``; ``aux`` is handed back untouched (not differentiated).

    Returns
    -------
    callable
        ``wrapper(*args, **kwargs)`` returning ``(grad, output)``, or ``(grad, (output, aux))``
        with `has_aux`.  ``grad`` is one gradient for an int `argnums`, a tuple for a tuple.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        level = Level()
        with enable_grad():
            diff_args = level.differentiable_tree(slice_argnums(args, argnums, as_tuple=False))
            output = func(*replace_args(args, diff_args, argnums), **kwargs)
            output, aux = split_aux(output, "grad_and_value(f)(*args)", has_aux)
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            flat_diff, spec = pytree.tree_flatten(diff_args)
            flat_grads = _gradients(
                [output], flat_diff, None, create_graph=level.needs_graph([output])
            )
        grads = level.result(pytree.tree_unflatten(flat_grads, spec))
        if has_aux:
            return grads, (level.result(output), level.aux_result(aux))
        return grads, level.result(output)

    return wrapper


def grad(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """The gradient transform: ``grad(f)(x)`` is the gradient of the scalar ``f(x)`` at `x`.

    Parameters
    ----------
    func : callable
        A function returning a scalar Tensor (and, with `has_aux`, a second object).
    argnums : int or tuple of int, optional
        The positional arguments to differentiate with respect to (pytrees of Tensors).
    has_aux : bool, optional
        `func` returns ``(output, aux)``; the wrapper then returns ``(grad, aux)``.

    Returns
    -------
    callable
        ``wrapper(*args, **kwargs)`` computing the gradient.  Transforms nest:
        ``grad(grad(f))`` is the second derivative, ``vmap(grad(f))`` per-sample gradients.

    Examples
    --------
    >>> import pluggrad as torch
    >>> from pluggrad.func import grad
    >>> grad(grad(torch.sin))(torch.tensor(0.5))  # -sin(0.5)
    tensor(-0.4794)
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        results = grad_and_value(func, argnums, has_aux=has_aux)(*args, **kwargs)
        if has_aux:
            gradients, (_, aux) = results
            return gradients, aux
        return results[0]

    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False):
    """`func`'s value at `primals` and a function computing vector-Jacobian products there.

    Parameters
    ----------
    func : callable
        A function of ``*primals`` returning a Tensor or a pytree of Tensors.
    *primals
        The arguments, each a Tensor or a pytree of Tensors; all are differentiated.
    has_aux : bool, optional
        `func` returns ``(output, aux)``; ``aux`` is returned as the third value.

    Returns
    -------
    tuple
        ``(output, vjp_fn)`` or ``(output, vjp_fn, aux)``.  ``vjp_fn(cotangents,
        retain_graph=True, create_graph=None)`` takes cotangents of the structure of
        ``output`` and returns a tuple with one gradient per primal.
    """
    level = Level()
    with enable_grad():
        diff = level.differentiable_tree(primals)
        output = func(*diff)
        output, aux = split_aux(output, "vjp(f, *primals)", has_aux)
        flat_output, output_spec = pytree.tree_flatten(output)
        check_non_empty_tensor_output(flat_output, "vjp(f, *primals)")
        _check_floating_outputs(flat_output)
    flat_diff, primals_spec = pytree.tree_flatten(diff)

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None):
        if create_graph is None:
            create_graph = is_grad_enabled()
        create_graph = create_graph and level.needs_graph(flat_output)
        flat_cotangents, cotangents_spec = pytree.tree_flatten(cotangents)
        if cotangents_spec != output_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {pytree.treespec_pprint(cotangents_spec)}"
                f", primal output: {pytree.treespec_pprint(output_spec)}"
            )
        with enable_grad():
            flat_grads = _gradients(
                flat_output, flat_diff, flat_cotangents,
                retain_graph=retain_graph, create_graph=create_graph,
            )  # fmt: skip
        return level.result(pytree.tree_unflatten(flat_grads, primals_spec), create_graph)

    if has_aux:
        return level.result(output), vjp_fn, level.aux_result(aux)
    return level.result(output), vjp_fn


def jacrev(func: Callable, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False):  # fmt: skip
    """The Jacobian of `func` with respect to the arguments `argnums`, by reverse mode.

    Parameters
    ----------
    func : callable
        A function returning a Tensor or a pytree of Tensors (real, floating-point).
    argnums : int or tuple of int, optional
        The positional arguments to differentiate with respect to (pytrees of Tensors).
    has_aux : bool, optional
        `func` returns ``(output, aux)``; the wrapper then returns ``(jacobian, aux)``.
    chunk_size : int, optional
        Accepted for PyTorch's signature (must be positive); pluggrad computes the rows one
        ``autograd.grad`` call at a time from a single evaluation of `func` in any case.

    Returns
    -------
    callable
        ``wrapper(*args)``: for an output ``o`` and input ``x`` a Tensor of shape
        ``o.shape + x.shape``; nested as ``output structure`` of ``argnums structure``.
    """
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args: Any) -> Any:
        check_not_complex("jacrev", args, is_input=True)
        level = Level()
        primals = level.differentiable_tree(slice_argnums(args, argnums))
        flat_primals, primals_spec = pytree.tree_flatten(primals)
        found: dict[str, Any] = {}

        def flat_func(*flat_inputs: Tensor) -> tuple:
            diff = pytree.tree_unflatten(flat_inputs, primals_spec)
            new_args = replace_args(args, diff if isinstance(argnums, tuple) else diff[0], argnums)
            output, found["aux"] = split_aux(func(*new_args), "vjp(f, *primals)", has_aux)
            flat_output, found["spec"] = pytree.tree_flatten(output)
            check_non_empty_tensor_output(flat_output, "vjp(f, *primals)")
            _check_floating_outputs(flat_output)
            check_not_complex("jacrev", flat_output, is_input=False)
            return tuple(flat_output)

        # blocks[i][j]: output i by input j; a graph only when the caller may differentiate it
        blocks = jacobian(flat_func, tuple(flat_primals), create_graph=level.create_graph)
        per_output = []
        for row in blocks:
            tree = pytree.tree_unflatten(list(row), primals_spec)
            per_output.append(tree[0] if isinstance(argnums, int) else tree)
        result = level.result(pytree.tree_unflatten(per_output, found["spec"]))
        if has_aux:
            return result, level.aux_result(found["aux"])
        return result

    return wrapper_fn
