"""Stateful objects in compiled functions: modules and optimizers threaded through a compiled
step as tensors in, tensors out.

A training step reads and updates tensors that live in objects (a model's parameters and
buffers, an optimizer's moments), not in its arguments.  An object takes part by defining two
methods:

``_compile_state()``
    Its tensors and settings as a pytree (dicts, lists, tuples; tensors and hashable values).
``_load_compile_state(state)``
    Hold the tensors of `state` (the same structure) from now on: references, not copies.

:class:`StatefulFinder` finds such objects among a call's arguments, in the function's
closure and among the globals its code reads, and :func:`threaded` turns the function into a
pure one of their states, which ``pluggrad.compile`` hands to the backend: on JAX the states'
tensors become inputs and outputs of the one compiled program (updated in place as arguments
are, new ones, such as an optimizer's first moments, made by the program), and their settings
(a learning rate, ``training``) part of the cache key, so a changed setting traces again.
"""

from __future__ import annotations

import dis
import functools
import types
from collections.abc import Callable
from typing import Any

__all__ = ["Scalar", "StatefulFinder", "threaded", "lift_scalars", "restore_scalars"]


class Scalar:
    """A number among an object's settings that a compiled program takes as an input (a 0-d
    tensor with the dtype and backend of `like`) rather than as a constant, so that changing it
    between calls (a learning-rate schedule) does not trace again."""

    __slots__ = ("value", "like")

    def __init__(self, value: float, like: Any) -> None:
        self.value = value
        self.like = like


# (these two run on every call of a compiled step, over every tensor and setting of its
# modules and optimizers: exact type tests, leaves tested before recursing, and subtrees
# without a Scalar returned as they are rather than rebuilt)
_CONTAINERS = frozenset((list, tuple, dict))


def lift_scalars(tree: Any, make: Callable[[Scalar], Any]) -> Any:
    """`tree` (dicts, lists, tuples) with each :class:`Scalar` replaced by ``make(scalar)``."""
    kind = type(tree)
    if kind is Scalar:
        return make(tree)
    if kind is dict:
        return {key: _lift(value, make) for key, value in tree.items()}
    if kind is list or kind is tuple:
        return _with_changes(tree, ((i, _lift(item, make)) for i, item in enumerate(tree)))
    return tree


def _holds_scalars(item: Any) -> bool:
    """Whether `item` is a Scalar or a container that may hold one (the rest is left as is)."""
    kind = type(item)
    return kind is Scalar or kind in _CONTAINERS


def _lift(item: Any, make: Callable[[Scalar], Any]) -> Any:
    return lift_scalars(item, make) if _holds_scalars(item) else item


def _with_changes(sequence: list | tuple, items) -> list | tuple:
    """`sequence` with the ``(index, item)`` pairs of `items` put in, rebuilt (as its own type)
    only where an item is not the one already there."""
    rebuilt = None
    for i, item in items:
        if item is not sequence[i]:
            if rebuilt is None:
                rebuilt = list(sequence)
            rebuilt[i] = item
    return sequence if rebuilt is None else type(sequence)(rebuilt)


def restore_scalars(new: Any, old: Any) -> Any:
    """`new` (a state after a call) with the :class:`Scalar` of `old` (the state before it) put
    back where `new` has the tensors they were lifted to (new entries of `new` kept as they are)."""
    kind = type(old)
    if kind is Scalar:
        return old
    if (kind is list or kind is tuple) and type(new) is kind:
        pairs = enumerate(zip(new, old))
        return _with_changes(
            new, ((i, restore_scalars(n, o)) for i, (n, o) in pairs if _holds_scalars(o))
        )
    if kind is dict and type(new) is dict:
        return {k: restore_scalars(v, old[k]) if k in old else v for k, v in new.items()}
    return new


# types that are never stateful, known without a look at their attributes
_PLAIN = frozenset(
    {type(None), bool, int, float, str, tuple, types.ModuleType, types.FunctionType,
     types.BuiltinFunctionType, types.MethodType}
)  # fmt: skip

# whether objects of a type are stateful, per type met (a StatefulFinder runs on every call of
# a compiled function: one dictionary lookup per candidate once its type is known); cleared
# when full, since classes made on the fly (parametrized modules) would otherwise pile up
_KINDS: dict[type, bool] = {}
_KINDS_MAX = 4096


def _stateful_kind(kind: type) -> bool:
    known = _KINDS.get(kind)
    if known is None:
        if len(_KINDS) >= _KINDS_MAX:
            _KINDS.clear()
        known = _KINDS[kind] = (
            kind not in _PLAIN
            and hasattr(kind, "_compile_state")
            and not issubclass(kind, type)  # a class, not an instance
        )
    return known


def _is_stateful(obj: Any) -> bool:
    return _stateful_kind(type(obj))


@functools.lru_cache(maxsize=1024)
def _global_names(code: types.CodeType) -> tuple[str, ...]:
    """The names `code` reads as globals (``LOAD_GLOBAL``, ``LOAD_NAME``), each once."""
    loads = ("LOAD_GLOBAL", "LOAD_NAME")
    names = (i.argval for i in dis.get_instructions(code) if i.opname in loads)
    return tuple(dict.fromkeys(names))


class StatefulFinder:
    """``finder(args, kwargs)``: the stateful objects a call of `fn` can reach directly, each
    once, in a fixed order: `fn` itself or the object it is bound to, its arguments, its
    closure's cells, then the globals its code reads (not those of the functions it calls:
    pass those as arguments).  What the calls share is looked up once: whether `fn` or its
    bound object is stateful, its closure, the names of the globals it reads."""

    __slots__ = ("own", "cells", "names", "namespace")

    def __init__(self, fn: Callable):
        own = (fn, getattr(fn, "__self__", None))
        self.own = tuple({id(obj): obj for obj in own if _is_stateful(obj)}.values())
        self.cells = getattr(fn, "__closure__", None) or ()
        code = getattr(fn, "__code__", None)
        self.names = () if code is None else _global_names(code)
        self.namespace = getattr(fn, "__globals__", {})

    def __call__(self, args: tuple, kwargs: dict) -> tuple:
        # plain loops and a lookup per type: this runs on every call of a compiled function,
        # whose arguments are mostly tensors
        kinds = _KINDS
        found: list = []
        for group in (args, kwargs.values() if kwargs else (), self._cell_values(),
                      map(self.namespace.get, self.names)):  # fmt: skip
            for value in group:
                stateful = kinds.get(type(value))
                if stateful or (stateful is None and _stateful_kind(type(value))):
                    found.append(value)
        if not found and not self.own:
            return ()
        unique = {id(obj): obj for obj in self.own}
        for obj in found:
            unique.setdefault(id(obj), obj)
        return tuple(unique.values())

    def _cell_values(self) -> list:
        values = []
        for cell in self.cells:
            try:
                values.append(cell.cell_contents)  # (read at each call: it may be rebound)
            except ValueError:  # an empty cell
                continue
        return values


def threaded(fn: Callable) -> Callable:
    """`fn` as a function of ``(objects, states, args, kwargs)``: it gives each object its
    state, runs ``fn(*args, **kwargs)``, and returns ``(result, new_states)``, leaving the
    objects holding what they held before (the caller loads the new states)."""

    @functools.wraps(fn)
    def run(objects: tuple, states: list, args: tuple, kwargs: dict) -> tuple:
        before = [obj._compile_state() for obj in objects]
        try:
            for obj, state in zip(objects, states):
                obj._load_compile_state(state)
            result = fn(*args, **kwargs)
            return result, [obj._compile_state() for obj in objects]
        finally:
            for obj, state in zip(objects, before):
                obj._load_compile_state(state)

    return run
