"""Shardings in the ``jax.jit`` programs of :func:`pluggrad.compile`: its ``in_shardings``,
``out_shardings`` and ``donate`` options, and the layouts a compiled step keeps.

A compiled call's program (:mod:`pluggrad.backends.jax._compile`) takes the arrays of the
argument tensors (those of the modules and optimizers it reaches included), their gradients and
a random key, and returns the outputs' arrays, the arguments' new arrays and their new
gradients.  The user's options speak of the user's function instead: ``in_shardings`` is a
prefix of its positional arguments (as ``jax.jit``'s is of its own), ``out_shardings`` a prefix
of its result.  :class:`Layout` maps them onto the program: ``in_shardings`` per argument
tensor, given to ``jax.jit``; ``out_shardings`` as sharding constraints on the output arrays
(what ``jax.jit``'s own ``out_shardings`` does).

Whatever the options, a tensor laid out over several devices keeps its layout through a
compiled step: its new array (an optimizer's in-place update) and its gradient are
constrained to the argument's sharding, so a sharded parameter stays sharded and its ``.grad``
has its sharding, as in eager mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
from jax.sharding import Sharding
from jax.tree_util import tree_leaves, tree_map, tree_unflatten

from ..._core.tensor import Tensor
from ..._stateful import threaded
from ..._trace.calls import ARRAY

__all__ = ["OPTIONS", "Donating", "Layout"]

#: the options the jax backend's compile takes
OPTIONS = ("in_shardings", "out_shardings", "donate")

# the code of the functions pluggrad.compile threads through modules' and optimizers' states:
# their user's arguments are their third argument, their user's result the first of theirs
_THREADED_CODE = threaded(len).__code__


def _is_spec_leaf(x: Any) -> bool:
    return x is None or isinstance(x, Sharding)


def _per_leaf(prefix: Any, tree: Any, option: str, of: str) -> list:
    """The sharding (or None) `prefix` gives each leaf of `tree`, in flattening order."""
    found: list = []

    def visit(sharding, subtree):
        found.extend([sharding] * len(tree_leaves(subtree)))

    try:
        tree_map(visit, prefix, tree, is_leaf=_is_spec_leaf)
    except ValueError as exc:
        raise ValueError(
            f"pluggrad.compile: {option} must be a Sharding, None, or a tuple, list or dict "
            f"of them matching the structure of the function's {of} ({exc})"
        ) from None
    return found


def _spread(sharding: Sharding | None) -> Sharding | None:
    """`sharding` if it lays an array out over several devices, else None (nothing to keep)."""
    if sharding is None or len(sharding.device_set) < 2:
        return None
    return sharding


class Layout:
    """The sharding options of one compiled function, and the layouts its calls keep."""

    __slots__ = ("in_shardings", "out_shardings", "donate", "threaded")

    def __init__(self, fn: Callable, in_shardings=None, out_shardings=None, donate=False):
        self.in_shardings = in_shardings
        self.out_shardings = out_shardings
        self.donate = bool(donate)
        self.threaded = getattr(fn, "__code__", None) is _THREADED_CODE

    def argument_shardings(self, leaves: list, treedef, tensors: list[Tensor]) -> list | None:
        """Per argument tensor, the sharding ``in_shardings`` gives it (None: unspecified),
        or None without ``in_shardings``."""
        if self.in_shardings is None:
            return None
        args, _ = tree_unflatten(treedef, leaves)
        user_args = args[2] if self.threaded else args
        prefix = self.in_shardings
        if not isinstance(prefix, (tuple, list)) or isinstance(prefix, Sharding):
            prefix = (prefix,) * len(user_args)  # one for every argument, as jax.jit takes it
        shardings = _per_leaf(
            tuple(prefix), tuple(user_args), "in_shardings", "positional arguments"
        )
        index = {id(t): i for i, t in enumerate(tensors)}
        per_tensor: list = [None] * len(tensors)
        for leaf, sharding in zip(tree_leaves(tuple(user_args)), shardings):
            if isinstance(leaf, Tensor) and sharding is not None:
                per_tensor[index[id(leaf)]] = sharding
        return per_tensor

    def constrain(self, plan, outer: list[Tensor], given: list | None, results: tuple) -> tuple:
        """The program's results (outputs, new datas, new gradients) with their shardings: a
        sharded argument's new array and gradient keep its sharding (or the one `given` by
        ``in_shardings``); outputs get ``out_shardings``."""
        out_arrays, new_datas, new_grads = (list(r) for r in results)

        def target(i: int, tensor: Tensor) -> Sharding | None:
            chosen = given[i] if given is not None else None
            if chosen is not None:
                return chosen
            return _spread(getattr(tensor._data, "sharding", None))

        for k, (i, _) in enumerate(plan.datas):
            new_datas[k] = _constrained(new_datas[k], target(i, outer[i]))
        k = 0
        for i, action, _ in plan.grads:
            if action not in ("update", "new"):
                continue
            grad = outer[i]._grad
            keep = target(i, outer[i])
            if action == "update" and grad is not None:  # the .grad's own layout, if spread
                keep = _spread(getattr(grad._data, "sharding", None)) or keep
            new_grads[k] = _constrained(new_grads[k], keep)
            k += 1
        if self.out_shardings is not None:
            self._constrain_outputs(plan, out_arrays)
        return out_arrays, new_datas, new_grads

    def _constrain_outputs(self, plan, out_arrays: list) -> None:
        tree = plan.out_tree
        if self.threaded:  # (result, states): the user's result is the first child
            tree = tree.children()[0]
        count = tree.num_leaves
        placeholder = tree_unflatten(tree, list(range(count)))
        shardings = _per_leaf(self.out_shardings, placeholder, "out_shardings", "result")
        for (kind, value), sharding in zip(plan.outputs[:count], shardings):
            if kind == ARRAY and sharding is not None:
                out_arrays[value] = jax.lax.with_sharding_constraint(out_arrays[value], sharding)


def _constrained(array, sharding: Sharding | None):
    return array if sharding is None else jax.lax.with_sharding_constraint(array, sharding)


class Donating:
    """A compiled call's program that donates the buffers it replaces (``donate=True``): the
    arrays of the arguments it updates in place and of the gradients it updates, whose old
    values nothing reads after the call.  Called as the plain program is, ``(datas, grads,
    keys)``, or ``(datas, grads)`` where it is `keyless`; the donated arrays travel as separate
    arguments of ``jax.jit``'s ``donate_argnums``."""

    __slots__ = ("jitted", "donated", "donated_grads")

    def __init__(self, program: Callable, plan, in_shardings: list | None, keyless: bool):
        self.donated = sorted({i for i, _ in plan.datas})
        self.donated_grads = [i for i, action, _ in plan.grads if action == "update"]
        donated, donated_grads = self.donated, self.donated_grads

        def split_program(datas, given, grads, given_grads, *keys):
            datas, grads = list(datas), list(grads)
            for i, array in zip(donated, given):
                datas[i] = array
            for i, array in zip(donated_grads, given_grads):
                grads[i] = array
            return program(datas, grads, *keys)

        shardings: tuple | None = None
        if in_shardings is not None:
            kept = [None if i in donated else s for i, s in enumerate(in_shardings)]
            shardings = (kept, [in_shardings[i] for i in donated], None, None)
            shardings += () if keyless else (None,)
        jit_options: dict = {"donate_argnums": (1, 3)}
        if shardings is not None:
            jit_options["in_shardings"] = shardings
        self.jitted = jax.jit(split_program, **jit_options)

    def _split(self, datas: list, grads: list) -> tuple:
        datas, grads = list(datas), list(grads)
        given = [datas[i] for i in self.donated]
        given_grads = [grads[i] for i in self.donated_grads]
        for i in self.donated:
            datas[i] = None
        for i in self.donated_grads:
            grads[i] = None
        return datas, given, grads, given_grads

    def __call__(self, datas: list, grads: list, *keys):
        return self.jitted(*self._split(datas, grads), *keys)

    def lower(self, datas: list, grads: list, *keys):
        return self.jitted.lower(*self._split(datas, grads), *keys)
