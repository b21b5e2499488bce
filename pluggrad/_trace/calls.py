"""What the compilers behind :func:`pluggrad.compile` share, whatever they trace with.

A compiler runs the user's function once on *stand-ins*: fresh leaf Tensors holding the
abstract (or recording) arrays of its trace, one per argument tensor, with the same
``requires_grad`` and a ``.grad`` where the caller's tensor has one.  :class:`TracedCall` makes
them, runs the function, and records in a :class:`Plan` what the call changed: which arguments
got new data (and how many version bumps), which ``.grad`` were updated, set, cleared or made
aliases, and where each output comes from.  :meth:`TracedCall.write_back` then carries these
out on the caller's tensors after each run of the compiled program, as the eager call would
have.  :func:`signature` is the cache key of a call: a call with another key traces again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _dtypes
from .._core.grad_mode import grad_enabled
from .._core.tensor import Tensor, _make
from .._core.views import store
from ..backends._random import seeding_traced
from ..ops._args import is_array_like

__all__ = [
    "CONCRETE_ERROR",
    "EntryCache",
    "Plan",
    "Slot",
    "TracedCall",
    "call_leaves",
    "signature",
    "ARRAY",
]

CONCRETE_ERROR = (
    "pluggrad.compile: {name} needs the value of a tensor while it is being traced ({what}). "
    "Inside a compiled function tensors hold abstract values (JAX tracers): .item(), "
    ".tolist(), .numpy(), float()/int()/bool() of a tensor, printing one, or a Python `if` or "
    "loop on a tensor's value cannot be compiled. Compute with tensor operations instead (e.g. "
    "pluggrad.where), move that code out of the compiled function, or disable compilation "
    "with pluggrad.compile(fn, disable=True)."
)

# what an output leaf of the plan is
ARRAY, TENSOR_ARG, GRAD_OF, STATIC = range(4)


def call_leaves(args: tuple, kwargs: dict, flatten: Callable, tensors_def: Callable) -> tuple:
    """The leaves and tree structure of a call's ``(args, kwargs)``: ``flatten((args,
    kwargs))``, or at once when the arguments are plain tensors (``tensors_def(n)``: the
    structure of `n` of them), as most calls are."""
    if not kwargs:
        for arg in args:  # (a loop, not all() over a generator: this runs on every call)
            if type(arg) is not Tensor:
                break
        else:
            return list(args), tensors_def(len(args))
    return flatten((args, kwargs))


def signature(leaves: list, treedef, active, backend=None, abstract=None) -> tuple:
    """The cache key of a call, and its argument tensors (each object once, in order).

    `backend`, when given, is asked what its program depends on beyond shape and dtype: each
    array's :meth:`~pluggrad.backends.Backend.layout` (NumPy's strides: a replayed program
    writes in place only where its trace could) and which arrays share memory.  `abstract`,
    when given, maps an array to an object with its ``shape`` and ``dtype`` as plain
    attributes (JAX's ``aval``: a JAX array computes both in Python)."""
    sig: list = []
    tensors: list[Tensor] = []
    seen: dict[int, int] = {}
    grad_ids: list[int] = []
    for leaf in leaves:
        if type(leaf) is Tensor or isinstance(leaf, Tensor):  # (the exact type first: faster)
            position = seen.get(id(leaf))
            if position is not None:  # the same tensor twice: one input
                sig.append(position)
                continue
            seen[id(leaf)] = len(tensors)
            tensors.append(leaf)
            data = leaf._data
            grad = leaf._grad
            meta = data if abstract is None else abstract(data)
            # one flat tuple per tensor (this runs on every call of a compiled function)
            if grad is None:
                entry: tuple = (meta.shape, meta.dtype, leaf._requires_grad,
                                leaf._grad_fn is None, leaf._retains_grad,
                                not leaf._backward_hooks)  # fmt: skip
            else:
                grad_ids.append(id(grad))
                gdata = grad._data
                gmeta = gdata if abstract is None else abstract(gdata)
                entry = (meta.shape, meta.dtype, leaf._requires_grad, leaf._grad_fn is None,
                         leaf._retains_grad, not leaf._backward_hooks, gmeta.shape,
                         gmeta.dtype)  # fmt: skip
            sig.append(entry)
        else:
            try:
                hash(leaf)
            except TypeError:
                raise TypeError(
                    "pluggrad.compile: arguments that are not Tensors are static (part of the "
                    "cache key) and must be hashable; got an unhashable "
                    f"{type(leaf).__name__}. Pass arrays as pluggrad Tensors."
                ) from None
            sig.append((type(leaf), leaf))
    # a .grad that is one of the argument tensors (rare) is traced as that argument
    aliases = tuple(map(seen.get, grad_ids))
    key: tuple = (treedef, tuple(sig), aliases, grad_enabled(), _dtypes.get_default_dtype(), active)
    if backend is not None:
        key += (_placement(backend, tensors),)
    return key, tensors


def _placement(backend, tensors: list[Tensor]) -> tuple:
    """Per array of the call (each tensor's, then its gradient's), its layout and the first
    array whose memory it shares (its own number where none)."""
    roots: dict[int, int] = {}
    placed = []
    for t in tensors:
        grad = t._grad
        for array in (t._data,) if grad is None else (t._data, grad._data):
            root = id(backend.memory_root(array))
            placed.append((backend.layout(array), roots.setdefault(root, len(roots))))
    return tuple(placed)


class EntryCache(dict):
    """A compiled function's traced entries by cache key (:func:`signature`), the last one
    found kept aside: a loop calls with the same key again and again, and comparing the new key
    with the last one (made of the same shape tuples, dtypes and tree: identity checks, element
    by element) is quicker than hashing it for a lookup."""

    __slots__ = ("_last_key", "_last_entry")

    def __init__(self) -> None:
        super().__init__()
        self._last_key: tuple | None = None
        self._last_entry: Any = None

    def find(self, key: tuple) -> Any:
        """The entry of `key`, or None."""
        if key == self._last_key:
            return self._last_entry
        entry = self.get(key)
        if entry is not None:
            self._last_key, self._last_entry = key, entry
        return entry


class Slot:
    """A tensor's place among a call's argument leaves."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


class Plan:
    """What a traced call writes back to the caller's tensors and how it builds its outputs."""

    __slots__ = ("datas", "requires", "grads", "outputs", "out_tree", "diff_outputs", "attach")

    def __init__(self):
        self.datas: list[tuple[int, int]] = []  # (argument, version bumps)
        self.requires: list[tuple[int, bool]] = []  # (argument, new requires_grad)
        self.grads: list[tuple] = []  # (argument, "update" | "clear" | "new" | "alias", extra)
        self.outputs: list[tuple[int, Any]] = []
        self.out_tree: Any = None
        self.diff_outputs: list[int] = []  # outputs (among the arrays) that require grad
        self.attach = False


class TracedCall:
    """One traced signature of a compiled function: the stand-ins' recipe and, once traced,
    the :class:`Plan`.  Subclasses (one per compiler) add the program and call
    :meth:`trace` while tracing, :meth:`write_back` after each run."""

    def __init__(self, fn: Callable, backend, leaves: list, treedef, tensors: list[Tensor]):
        self.fn = fn
        self.backend = backend
        self.treedef = treedef
        # the argument leaves with tensors replaced by their index among `tensors`
        index = {id(t): i for i, t in enumerate(tensors)}
        self.template = [
            Slot(index[id(leaf)]) if isinstance(leaf, Tensor) else leaf for leaf in leaves
        ]
        self.requires = tuple(t._requires_grad for t in tensors)
        self.leaf_of = tuple(t._grad_fn is None for t in tensors)
        # a .grad that is itself one of the argument tensors is that input, not a new one
        self.grad_alias = tuple(
            None if t._grad is None else index.get(id(t._grad)) for t in tensors
        )
        self.grad_inputs = tuple(
            t._grad is not None and a is None for t, a in zip(tensors, self.grad_alias)
        )
        self.any_grad_inputs = any(self.grad_inputs)
        self.plan: Plan | None = None
        self.current: list[Tensor] | None = None  # the caller's tensors, while tracing

    def call_grads(self, tensors: list[Tensor]) -> list:
        """The arrays of the ``.grad`` of the call's tensors that are inputs (else None)."""
        if not self.any_grad_inputs:
            return [None] * len(tensors)
        return [t._grad._data if g else None for t, g in zip(tensors, self.grad_inputs)]  # type: ignore[union-attr]

    def trace(self, datas: list, grads: list, flatten: Callable, run: Callable) -> tuple:
        """Run the user's function on stand-ins holding `datas` and `grads` (the trace's
        arrays) through ``run(fn, args, kwargs)``; record the plan.  Returns the arrays of
        the outputs, of the arguments' new data and of their new gradients."""
        backend = self.backend
        requires, leaf_of, grad_alias = self.requires, self.leaf_of, self.grad_alias
        stand_ins = [_make(d, backend, r) for d, r in zip(datas, requires)]
        grad_ins: list[Tensor | None] = []
        for s, g, alias in zip(stand_ins, grads, grad_alias):
            if alias is not None:  # the .grad is itself one of the argument tensors
                s._grad = stand_ins[alias]
            elif g is not None:
                s._grad = _make(g, backend)
            grad_ins.append(s._grad)
        outer = self.current
        assert outer is not None, "the caller's tensors are set while tracing"
        for s, t in zip(stand_ins, outer):
            if t._backward_hooks:
                s._backward_hooks = t._backward_hooks
            if t._retains_grad:
                s._retains_grad = True
        leaves = [stand_ins[x.index] if type(x) is Slot else x for x in self.template]
        args, kwargs = self.treedef.unflatten(leaves)
        with seeding_traced():
            out = run(self.fn, args, kwargs)

        plan = Plan()
        # where each tensor object the caller will see comes from
        origin: dict[int, tuple] = {}
        for i, s in enumerate(stand_ins):
            origin.setdefault(id(s), (TENSOR_ARG, i))
        new_datas: list = []
        for i, (s, t) in enumerate(zip(stand_ins, outer)):
            if s._grad_fn is not None:
                raise RuntimeError(
                    f"pluggrad.compile: argument tensor {i} (shape {list(t.shape)}) was "
                    "modified in place by an operation recorded for autograd inside the "
                    "compiled function; its graph cannot leave the compiled program. Do the "
                    "in-place update under pluggrad.no_grad(), or return the new value instead."
                )
            if s._requires_grad != t._requires_grad:
                plan.requires.append((i, s._requires_grad))
            if s._data is not datas[i] or s._vc[0]:
                plan.datas.append((i, s._vc[0]))
                new_datas.append(s._data)
        new_grads: list = []
        for i, (s, t, g_in) in enumerate(zip(stand_ins, outer, grad_ins)):
            final = s._grad
            if final is g_in:
                if final is not None and grad_alias[i] is None:
                    if final._data is not grads[i] or final._vc[0]:
                        plan.grads.append((i, "update", final._vc[0]))
                        new_grads.append(final._data)
                    origin.setdefault(id(final), (GRAD_OF, i))
                continue
            if final is None:
                plan.grads.append((i, "clear", None))
            elif id(final) in origin:
                plan.grads.append((i, "alias", origin[id(final)]))
            else:
                if not leaf_of[i] and not t._retains_grad:
                    raise RuntimeError(
                        f"pluggrad.compile: backward() inside the compiled function reached "
                        f"argument tensor {i}, which is not a leaf (it has a grad_fn outside); "
                        "gradients cannot flow out of the compiled program. Pass a leaf (e.g. "
                        "its .detach().requires_grad_()) or use autograd.grad inside."
                    )
                plan.grads.append((i, "new", final._vc[0]))
                new_grads.append(final._data)
                origin[id(final)] = (GRAD_OF, i)

        out_leaves, plan.out_tree = flatten(out)
        out_arrays: list = []
        for leaf in out_leaves:
            if isinstance(leaf, Tensor):
                where = origin.get(id(leaf))
                if where is not None:
                    plan.outputs.append(where)
                else:
                    if leaf._requires_grad:
                        plan.diff_outputs.append(len(out_arrays))
                    plan.outputs.append((ARRAY, len(out_arrays)))
                    out_arrays.append(leaf._data)
            elif is_array_like(leaf):  # not a Tensor (the branch above)
                raise TypeError(
                    "pluggrad.compile: the compiled function returned a raw array; return "
                    "pluggrad Tensors (or numbers) instead"
                )
            else:
                plan.outputs.append((STATIC, leaf))
        # outputs get a graph back to the arguments (one CompiledFunctionBackward node) when
        # grad mode is on, unless an argument was modified in place (a training step)
        plan.attach = bool(plan.diff_outputs and any(requires) and not plan.datas)
        plan.attach = plan.attach and grad_enabled()
        self.plan = plan
        return out_arrays, new_datas, new_grads

    def write_back(self, tensors, out_arrays, new_datas, new_grads, graph=None):
        """Carry out the plan on the caller's `tensors` after a run of the program; return
        the outputs.  `graph` is ``(node, graph_of)`` when outputs get a grad_fn: the node and,
        per output array that requires grad, its output number."""
        plan = self.plan
        backend = self.backend
        for (i, bumps), array in zip(plan.datas, new_datas):
            t = tensors[i]
            if t._view is None:
                if array is not t._data:  # (a program may have written it in place)
                    # written into the tensor's own array where the backend can, as eagerly
                    t._data = backend.write_into(t._data, array)
            else:  # the elements of its views and base change with it
                store(t, array)
            t._vc[0] += bumps
        for i, value in plan.requires:
            tensors[i]._requires_grad = value
        k = 0
        for i, action, extra in plan.grads:
            t = tensors[i]
            if action == "update":
                if t._grad._data is not new_grads[k]:  # (a program may update it in place)
                    store(t._grad, new_grads[k])
                t._grad._vc[0] += extra
                k += 1
            elif action == "clear":
                t._grad = None
            elif action == "new":
                grad = t._grad = _make(new_grads[k], backend)
                grad._vc[0] = extra
                k += 1
            else:  # alias of another argument (or its gradient)
                kind, j = extra
                t._grad = tensors[j] if kind == TENSOR_ARG else tensors[j]._grad
        outputs = []
        for kind, value in plan.outputs:
            if kind == ARRAY:
                if graph is not None and value in graph[1]:
                    outputs.append(
                        _make(out_arrays[value], backend, True, graph[0], graph[1][value])
                    )
                else:
                    outputs.append(_make(out_arrays[value], backend))
            elif kind == TENSOR_ARG:
                outputs.append(tensors[value])
            elif kind == GRAD_OF:
                outputs.append(tensors[value]._grad)
            else:
                outputs.append(value)
        return plan.out_tree.unflatten(outputs)
