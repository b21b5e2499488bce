"""Forward-mode transforms of ``torch.func``: ``jvp``, ``linearize``, ``jacfwd``, ``hessian``.

pluggrad has no dual numbers, so Jacobian-vector products use the double-vjp trick (as
:func:`pluggrad.autograd.functional.jvp` does): with ``g(u) = J^T u`` built by
``autograd.grad(outputs, inputs, u, create_graph=True)`` for a dummy cotangent ``u``, the
product ``J t`` is the vjp of ``g`` with ``t``.  ``g`` is built once per evaluation of ``func``,
so ``linearize`` and ``jacfwd`` push every tangent through the same graph.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._core.grad_mode import enable_grad
from .._core.tensor import Tensor
from ..autograd.functional import _grads
from ..ops.creation import eye, zeros, zeros_like
from ..ops.manipulation import reshape, stack
from ..ops.random import get_rng_state
from . import _pytree as pytree
from ._common import (
    Level,
    check_list_of_tensors,
    check_non_empty_tensor_output,
    check_not_complex,
    replace_args,
    slice_argnums,
    split_aux,
)
from ._reverse import _gradients, jacrev
from ._vmap import check_randomness_arg, raise_random_in_error_mode

__all__ = ["jvp", "linearize", "jacfwd", "hessian"]

JVP = "jvp(f, primals, tangents)"


class _Pushforward:
    """``func``'s outputs at the inputs `diff`, and ``J t`` for any tangents ``t``."""

    def __init__(self, flat_output: list, diff: list, level: Level) -> None:
        self.flat_output = flat_output
        # one dummy cotangent per output that depends on anything: J^T u as a function of u
        self.live = [i for i, o in enumerate(flat_output) if o.requires_grad]
        self.cotangents = [level.fresh_leaf(zeros_like(flat_output[i])) for i in self.live]
        with enable_grad():
            pulled = _gradients([flat_output[i] for i in self.live], diff, self.cotangents,
                                create_graph=True, retain_graph=True)  # fmt: skip
        self.pulled = pulled if self.live else []

    def __call__(self, tangents: list, strict: bool, create_graph: bool) -> list:
        pairs = [(g, t) for g, t in zip(self.pulled, tangents) if g.requires_grad]
        found: list = [None] * len(self.live)
        if pairs:
            with enable_grad():
                found = list(_grads([p[0] for p in pairs], self.cotangents, [p[1] for p in pairs],
                                    create_graph=create_graph, retain_graph=True))  # fmt: skip
        result: list[Any] = [None] * len(self.flat_output)
        for i, value in zip(self.live, found):
            result[i] = value
        for i, value in enumerate(result):
            if value is None:
                if strict:
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): The output of f is independent "
                        "of the inputs. This is not allowed with strict=True."
                    )
                result[i] = zeros_like(self.flat_output[i])
        return result


def _check_tangent_shapes(flat_primals: list, flat_tangents: list) -> None:
    for p, t in zip(flat_primals, flat_tangents):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}."
            )


def _evaluate(func: Callable, args: tuple, argnums: Any, has_aux: bool, level: Level):
    """Call `func` on differentiable copies of the arguments `argnums` selects (all when
    None); returns ``(flat_primals, primals_spec, flat_output, output_spec, aux, push)``."""
    primals = args if argnums is None else slice_argnums(args, argnums)
    flat_primals, primals_spec = pytree.tree_flatten(primals)
    with enable_grad():
        diff = [level.differentiable(p) for p in flat_primals]
        tree = pytree.tree_unflatten(diff, primals_spec)
        if argnums is not None:
            tree = replace_args(args, tree if isinstance(argnums, tuple) else tree[0], argnums)
        output, aux = split_aux(func(*tree), JVP, has_aux)
        flat_output, output_spec = pytree.tree_flatten(output)
        check_non_empty_tensor_output(flat_output, JVP)
    return (
        flat_primals,
        primals_spec,
        flat_output,
        output_spec,
        aux,
        _Pushforward(flat_output, diff, level),
    )


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False):  # fmt: skip
    """`func`'s value at `primals` and its Jacobian-vector product with `tangents`.

    Parameters
    ----------
    func : callable
        A function of ``*primals`` returning a Tensor or a pytree of Tensors.
    primals : tuple
        The arguments (each a Tensor or pytree of Tensors).
    tangents : tuple
        Tangents of the same structure and shapes as `primals`.
    strict : bool, optional
        Raise if an output does not depend on the inputs.
    has_aux : bool, optional
        `func` returns ``(output, aux)``; ``aux`` is returned as a third value.

    Returns
    -------
    tuple
        ``(output, jvp_out)`` or ``(output, jvp_out, aux)``, ``jvp_out`` shaped as ``output``.
    """
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_primals, primals_spec = pytree.tree_flatten(primals)
    flat_tangents, tangents_spec = pytree.tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {primals_spec} and tangents with structure {tangents_spec}"
        )
    check_list_of_tensors(flat_primals, JVP, "primals")
    check_list_of_tensors(flat_tangents, JVP, "tangents")
    _check_tangent_shapes(flat_primals, flat_tangents)
    level = Level()
    _, _, flat_output, spec, aux, push = _evaluate(func, primals, None, has_aux, level)
    out = level.result(pytree.tree_unflatten(flat_output, spec))
    tangents_out = level.result(
        pytree.tree_unflatten(push(flat_tangents, strict, level.needs_graph(flat_output)), spec)
    )
    if has_aux:
        return out, tangents_out, level.aux_result(aux)
    return out, tangents_out


def linearize(func: Callable, *primals: Any):
    """`func`'s value at `primals` and ``jvp_fn``, its linear approximation there.

    ``func`` is evaluated once; ``jvp_fn(*tangents)`` computes the Jacobian-vector product at
    `primals` for any tangents (of the structure, shapes and dtypes of `primals`) without
    evaluating it again.

    Returns
    -------
    tuple
        ``(output, jvp_fn)``.
    """
    level = Level()
    flat_primals, primals_spec, flat_output, spec, _, push = _evaluate(
        func, primals, None, False, level
    )

    def jvp_fn(*tangents: Any) -> Any:
        flat_tangents, tangents_spec = pytree.tree_flatten(tangents)
        if tangents_spec != primals_spec:
            raise RuntimeError(
                f"Expected the tangents {tangents_spec} to have the same argspec as the primals "
                f"{primals_spec}"
            )
        for idx, (p, t) in enumerate(zip(flat_primals, flat_tangents)):
            for what, mine, theirs in (("shape", t.shape, p.shape), ("dtype", t.dtype, p.dtype)):
                if mine != theirs:
                    raise RuntimeError(
                        f"tangent:{idx} with {what} {mine} in flattened pytree doesn't match the "
                        f"{what} {theirs} of the corresponding primal."
                    )
        return level.result(
            pytree.tree_unflatten(push(flat_tangents, False, level.needs_graph(flat_output)), spec)
        )

    return level.result(pytree.tree_unflatten(flat_output, spec)), jvp_fn


def _basis_columns(flat_primals: list) -> list[list[Tensor]]:
    """The standard basis of the inputs' concatenated elements: column ``c`` is one tangent
    per input, all zero but for a one at element ``c`` (in each input's dtype)."""
    sizes = [p.numel() for p in flat_primals]
    total = sum(sizes)
    identities = {p.dtype: eye(total, dtype=p.dtype) for p in flat_primals} if total else {}
    columns = []
    for c in range(total):
        tangents, start = [], 0
        for p, n in zip(flat_primals, sizes):
            row = identities[p.dtype][c, start : start + n]
            tangents.append(reshape(row, tuple(p.shape)))
            start += n
        columns.append(tangents)
    return columns


def jacfwd(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False, *,
           randomness: str = "error"):  # fmt: skip
    """The Jacobian of `func` with respect to the arguments `argnums`, column by column.

    Parameters
    ----------
    func : callable
        A function returning a Tensor or a pytree of Tensors (real, floating-point).
    argnums : int or tuple of int, optional
        The positional arguments to differentiate with respect to (pytrees of Tensors).
    has_aux : bool, optional
        `func` returns ``(output, aux)``; the wrapper then returns ``(jacobian, aux)``.
    randomness : {'error', 'different', 'same'}, optional
        As in :func:`vmap` over the basis: with ``'error'`` `func` may not draw random
        numbers; ``'same'`` evaluates `func` once for all columns; ``'different'`` once per
        column (each column's tangent then goes through its own random draw).

    Returns
    -------
    callable
        ``wrapper(*args)``, with :func:`jacrev`'s output structure.
    """

    @functools.wraps(func)
    def wrapper_fn(*args: Any) -> Any:
        check_not_complex("jacfwd", args, is_input=True)
        check_randomness_arg(randomness)
        level = Level()
        flat_primals, primals_spec = pytree.tree_flatten(slice_argnums(args, argnums))
        basis = _basis_columns(flat_primals)
        if randomness == "different" and basis:
            columns, flat_output, spec, aux = [], [], pytree.LEAF, None
            for c, tangents in enumerate(basis):  # a fresh evaluation, and draw, per column
                _, _, flat_output, spec, col_aux, push = _evaluate(
                    func, args, argnums, has_aux, level
                )
                check_not_complex("jacfwd", flat_output, is_input=False)
                columns.append(push(tangents, False, level.needs_graph(flat_output)))
                aux = col_aux if c == 0 else aux
        else:
            state = get_rng_state() if randomness == "error" else None
            _, _, flat_output, spec, aux, push = _evaluate(func, args, argnums, has_aux, level)
            if state is not None and not bool((get_rng_state() == state).all()):
                raise_random_in_error_mode()
            check_not_complex("jacfwd", flat_output, is_input=False)
            graph = level.needs_graph(flat_output)
            columns = [push(c, False, graph) for c in basis]
        per_output = []
        for i, out in enumerate(flat_output):
            blocks, start = [], 0
            for p in flat_primals:
                n, shape = p.numel(), tuple(out.shape)
                cols = [col[i] for col in columns[start : start + n]]
                block = stack(cols, dim=-1) if cols else zeros(*shape, 0, dtype=out.dtype)
                blocks.append(reshape(block, shape + tuple(p.shape)))
                start += n
            tree = pytree.tree_unflatten(blocks, primals_spec)
            per_output.append(tree[0] if isinstance(argnums, int) else tree)
        result = level.result(pytree.tree_unflatten(per_output, spec))
        return (result, level.aux_result(aux)) if has_aux else result

    return wrapper_fn


def hessian(func: Callable, argnums: int | tuple[int, ...] = 0):
    """The Hessian of the scalar `func` with respect to the arguments `argnums`:
    ``jacfwd(jacrev(func, argnums), argnums)``, as in PyTorch.

    Returns
    -------
    callable
        ``wrapper(*args)``; for one input of shape ``s`` a Tensor of shape ``s + s``.
    """
    return jacfwd(jacrev(func, argnums), argnums)
