"""The default compiler of :func:`pluggrad.compile` (``Backend.compile`` of every backend without
its own: ``numpy``, ``array_api_strict``, third-party ones): trace once, replay a flat program.

The first call with a new cache key (:func:`~pluggrad._trace.calls.signature`: the JAX path's,
plus the arrays' layout where the backend writes in place) runs the function once on stand-in
tensors whose arrays record (:mod:`.record`); its results are the call's results.  The recorded
kernel calls are planned into a program (:mod:`.program`), which later calls with the same key
run on their tensors' arrays, then write back outputs, arguments' new data, ``.grad`` and
version counters as the eager call would (:meth:`TracedCall.write_back
<pluggrad._trace.calls.TracedCall.write_back>`).

A signature whose outputs would need a ``grad_fn`` (a differentiable forward function called
with grad mode on, nothing updated in place) runs eagerly from then on: the replayed program
has no graph to give them.  A call made while another compiled call of the same backend is
being traced runs inline, inside that trace.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._core.tensor import Tensor
from ..backends import Backend, get_backend
from .calls import CONCRETE_ERROR, EntryCache, Slot, TracedCall, call_leaves, signature
from .program import Program, build
from .record import ConcreteValueError, Recorder, Traced, active_recorder, recording

__all__ = ["TracedCompiled", "compiler", "flatten"]


class TracedCompiled:
    """`fn` traced by pluggrad's recorder and replayed, cached per call signature.
    ``.traces`` counts how many times `fn` was traced; `exact` leaves out the planner's
    rewrites that change rounding."""

    def __init__(self, fn: Callable, backend: Backend, exact: bool = False):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.backend = backend
        self.exact = exact
        self._cache = EntryCache()
        self.traces = 0

    def __repr__(self) -> str:
        return f"<pluggrad.compile on {self.backend.name} of {self._fn!r}>"

    def __call__(self, *args, **kwargs):
        backend = self.backend
        if active_recorder(backend) is not None:  # inside another trace: part of it
            return self._fn(*args, **kwargs)
        leaves, treedef = call_leaves(args, kwargs, flatten, _tensors_def)
        key, tensors = signature(leaves, treedef, get_backend(), backend)
        entry = self._cache.find(key)
        if entry is None:
            entry = _Entry(self, leaves, treedef, tensors)
            result = entry.first_call(tensors)
            self._cache[key] = entry
            return result
        if entry.program is None:  # outputs that need a graph: eager
            return self._fn(*args, **kwargs)
        return entry.call(tensors)


def compiler(fn: Callable, backend: Backend, exact: bool = False, **options: Any) -> TracedCompiled:
    """``Backend.compile``'s default (registered with :meth:`Backend.provide_compiler`).  Its
    one option, ``exact=True``, makes every result bit-identical to the eager call's."""
    if options:
        raise TypeError(
            f"the {backend.name} backend's compile takes only the option exact; "
            f"got {', '.join(sorted(options))}"
        )
    if type(exact) is not bool:
        raise TypeError(f"pluggrad.compile: exact must be a bool, got {type(exact).__name__}")
    return TracedCompiled(fn, backend, exact)


class _Entry(TracedCall):
    """One traced signature and its program."""

    def __init__(self, owner: TracedCompiled, leaves, treedef, tensors):
        super().__init__(owner._fn, owner.backend, leaves, treedef, tensors)
        self.owner = owner
        self.program: Program | None = None
        self.has_grad = self.grad_inputs
        self.counts = (0, 0, 0)  # outputs, new datas, new grads

    def first_call(self, tensors: list[Tensor]):
        """Trace `fn` on this call's tensors, plan the program, and finish the call with the
        trace's own results."""
        owner = self.owner
        owner.traces += 1
        backend = self.backend
        recorder = Recorder(backend)
        datas = [recorder.buffer(t._data, False) for t in tensors]
        grads = [
            recorder.buffer(t._grad._data, False) if g else None  # type: ignore[union-attr]
            for t, g in zip(tensors, self.grad_inputs)
        ]
        self.current = tensors
        try:
            with recording(recorder):
                out_arrays, new_datas, new_grads = self.trace(datas, grads, flatten, _run)
        except ConcreteValueError as exc:
            name = getattr(owner._fn, "__qualname__", repr(owner._fn))
            raise RuntimeError(CONCRETE_ERROR.format(name=name, what=exc)) from None
        finally:
            self.current = None
        plan = self.plan
        assert plan is not None
        if plan.attach:  # the outputs need a grad_fn: this signature runs eagerly
            args, kwargs = self.treedef.unflatten(
                [tensors[x.index] if type(x) is Slot else x for x in self.template]
            )
            return owner._fn(*args, **kwargs)
        inputs = [d.n for d in datas] + [g.n for g in grads if g is not None]
        # what the call replaces anyway, where the caller's array may be written: in place
        writable = {datas[i].n for i, _ in plan.datas if tensors[i]._view is None}
        writable.update(
            grads[i].n  # type: ignore[union-attr]
            for i, action, _ in plan.grads
            if action == "update" and grads[i] is not None
        )
        writable = {n for n in writable if backend.writable(recorder.values[n])}
        self.counts = (len(out_arrays), len(new_datas), len(new_grads))
        self.program = build(
            recorder,
            inputs,
            [*out_arrays, *new_datas, *new_grads],
            frozenset(writable),
            exact=owner.exact,
        )
        # (a constant is the program's own: the caller gets a copy, as from the program)
        constant = recorder.constant
        values = [
            backend.copy(a.value) if type(a) is Traced and a.n in constant else _value(a)
            for a in (*out_arrays, *new_datas, *new_grads)
        ]
        return self._finish(tensors, values)

    def call(self, tensors: list[Tensor]):
        arrays = [t._data for t in tensors]
        arrays += [t._grad._data for t, g in zip(tensors, self.has_grad) if g]  # type: ignore[union-attr]
        return self._finish(tensors, self.program.run(*arrays))  # type: ignore[union-attr]

    def _finish(self, tensors: list[Tensor], values) -> Any:
        n_out, n_datas, _ = self.counts
        return self.write_back(
            tensors,
            values[:n_out],
            values[n_out : n_out + n_datas],
            values[n_out + n_datas :],
        )


def _run(fn: Callable, args: tuple, kwargs: dict) -> Any:
    return fn(*args, **kwargs)


def _value(array: Any) -> Any:
    return array.value if type(array) is Traced else array


# -- pytrees: tuples, lists, named tuples and dicts of leaves ------------------------------------
class TreeDef:
    """The structure of a flattened pytree (hashable: part of a cache key)."""

    __slots__ = ("node", "_hash")

    def __init__(self, node: Any):
        self.node = node
        self._hash = hash(node)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return type(other) is TreeDef and other.node == self.node

    def unflatten(self, leaves: list) -> Any:
        return _build(self.node, iter(leaves))


_LEAF = None


def flatten(tree: Any) -> tuple[list, TreeDef]:
    """The leaves of `tree` (depth first) and its :class:`TreeDef`."""
    leaves: list = []
    return leaves, TreeDef(_flatten(tree, leaves))


def _flatten(tree: Any, leaves: list) -> Any:
    kind = type(tree)
    if kind is tuple or kind is list:
        return (kind, None, tuple(_flatten(x, leaves) for x in tree))
    if kind is dict:
        keys = tuple(tree)
        return (dict, keys, tuple(_flatten(tree[k], leaves) for k in keys))
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a named tuple
        return (kind, None, tuple(_flatten(x, leaves) for x in tree))
    leaves.append(tree)
    return _LEAF


@functools.cache
def _tensors_def(n: int) -> TreeDef:
    """The :class:`TreeDef` of ``(args, {})`` with `n` leaves in `args` (as :func:`flatten`
    makes it)."""
    return flatten(((_LEAF,) * n, {}))[1]


def _build(node: Any, leaves) -> Any:
    if node is _LEAF:
        return next(leaves)
    kind, keys, children = node
    items = [_build(child, leaves) for child in children]
    if kind is dict:
        return dict(zip(keys, items))
    if kind is tuple or kind is list:
        return kind(items)
    return kind(*items)
