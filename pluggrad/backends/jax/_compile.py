"""The JAX path of :func:`pluggrad.compile`: a function of Tensors, autograd included, traced
into one ``jax.jit`` program (:meth:`JaxBackend.compile` returns a :class:`JitCompiled`).

On the JAX backend the kernels of every pluggrad operation are ``jax.numpy`` calls, and the
autograd engine only calls kernels and derivative formulas: so running a function on Tensors
whose arrays are JAX *tracers* records the forward pass, every ``backward()`` and
``autograd.grad`` inside it, and in-place updates of the arguments, as one XLA program.  The
Python bookkeeping of the graph (nodes, the engine's queue) then happens once per trace instead
of once per call.

How a call runs
---------------
1. The arguments (and keyword arguments) are flattened as a pytree (tuples, lists, dicts; JAX's
   ``tree_util``).  Tensor leaves are the dynamic inputs; every other leaf is *static*: part of
   the cache key, so it must be hashable, and a new value traces again.
2. The cache key is the tree structure, the static leaves, and for every tensor its shape,
   dtype, ``requires_grad``, whether it is a leaf, its hooks, and whether it has a ``.grad``
   (and that gradient's shape and dtype), which tensors are the same object, plus grad mode,
   the default dtype and the active backend.
3. On a miss, a pure function of the raw arrays is traced by ``jax.jit``: it makes a fresh leaf
   Tensor per argument tensor (same ``requires_grad``) holding the tracer, gives it a ``.grad``
   holding the traced gradient array, runs `fn` on them, and returns the outputs' arrays, the
   final arrays of the arguments that were changed and their final gradients.  What to write
   back where (the *plan*) is recorded while tracing.
4. The caller's tensors are updated as the eager call would have: an argument changed in place
   gets its new array and its version counter goes up by the number of in-place operations; its
   ``.grad`` is set, updated (the same Tensor object, as eager accumulation keeps it) or
   cleared.  Outputs that require grad get one ``CompiledFunctionBackward`` node, whose
   backward is the ``jax.vjp`` of the same program, jitted.

Before XLA compiles the traced program, :func:`fold_transposes` moves explicit transposes into
the matrix products that read them (pluggrad's backward formulas transpose, as PyTorch's do).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.extend.core import Var, jaxpr_as_fun
from jax.tree_util import tree_flatten, tree_leaves, tree_structure, tree_unflatten

from ... import _dtypes
from ..._core.grad_mode import grad_enabled, set_grad_enabled
from ..._core.graph import FREED_MESSAGE, Node
from ..._core.tensor import Tensor, _make
from ..._core.views import store
from ...backends import Backend, get_backend
from ...ops._args import is_array_like
from ...ops.random import default_generator

__all__ = ["CompiledFunctionBackward", "JitCompiled", "fold_transposes"]

_CONCRETE_ERROR = (
    "pluggrad.compile: {name} needs the value of a tensor while it is being traced ({what}). "
    "Inside a compiled function tensors hold abstract values (JAX tracers): .item(), "
    ".tolist(), .numpy(), float()/int()/bool() of a tensor, printing one, or a Python `if` or "
    "loop on a tensor's value cannot be compiled. Compute with tensor operations instead (e.g. "
    "pluggrad.where), move that code out of the compiled function, or disable compilation "
    "with pluggrad.compile(fn, disable=True)."
)


# the errors JAX raises when a traced value is used as a concrete one
_CONCRETE_ERRORS = (
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerArrayConversionError,
    jax.errors.TracerBoolConversionError,
    jax.errors.TracerIntegerConversionError,
)


class JitCompiled:
    """`fn` traced by ``jax.jit`` and cached per argument signature; what
    :meth:`JaxBackend.compile` returns, called by :func:`pluggrad.compile` for the calls whose
    tensors are on `backend`.  ``.traces`` counts how many times `fn` was traced."""

    def __init__(self, fn: Callable, backend: Backend):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.backend = backend
        self._cache: dict = {}
        self.traces = 0

    def __repr__(self) -> str:
        return f"<pluggrad.compile on {self.backend.name} of {self._fn!r}>"

    def __call__(self, *args, **kwargs):
        leaves, treedef = tree_flatten((args, kwargs))
        key, tensors = _signature(leaves, treedef, get_backend())
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Entry(self, leaves, treedef, tensors)
        return entry.call(tensors)


def _signature(leaves: list, treedef, active) -> tuple[tuple, list]:
    """The cache key of a call, and its argument tensors (each object once, in order)."""
    sig: list = []
    tensors: list[Tensor] = []
    seen: dict[int, int] = {}
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            position = seen.get(id(leaf))
            if position is not None:  # the same tensor twice: one input
                sig.append(position)
                continue
            seen[id(leaf)] = len(tensors)
            tensors.append(leaf)
            data = leaf._data
            grad = leaf._grad
            grad_sig = None if grad is None else (grad._data.shape, grad._data.dtype)
            sig.append(
                (
                    data.shape,
                    data.dtype,
                    leaf._requires_grad,
                    leaf._grad_fn is None,
                    leaf._retains_grad,
                    bool(leaf._backward_hooks),
                    grad_sig,
                )
            )
        else:
            try:
                hash(leaf)
            except TypeError:
                raise TypeError(
                    "pluggrad.compile: arguments that are not Tensors are static (part of the "
                    f"cache key) and must be hashable; got an unhashable {type(leaf).__name__}. "
                    "Pass arrays as pluggrad Tensors."
                ) from None
            sig.append((type(leaf), leaf))
    # a .grad that is one of the argument tensors (rare) is traced as that argument
    aliases = tuple(seen.get(id(t._grad)) for t in tensors if t._grad is not None)
    key = (treedef, tuple(sig), aliases, grad_enabled(), _dtypes.get_default_dtype(), active)
    return key, tensors


# what an output leaf of the plan is
_ARRAY, _TENSOR_ARG, _GRAD_OF, _STATIC = range(4)


class _Entry:
    """One traced signature: the jitted pure function and, once traced, what to write back."""

    __slots__ = (
        "owner", "backend", "treedef", "template", "jitted", "jitted_vjp", "plan", "requires",
        "leaf_of", "grad_alias", "grad_inputs", "current", "differentiating",
    )  # fmt: skip

    def __init__(self, owner: JitCompiled, leaves, treedef, tensors):
        self.owner = owner
        self.backend = owner.backend
        self.treedef = treedef
        # the argument leaves with tensors replaced by their index among `tensors`
        index = {id(t): i for i, t in enumerate(tensors)}
        self.template = [
            _Slot(index[id(leaf)]) if isinstance(leaf, Tensor) else leaf for leaf in leaves
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
        self.jitted = jax.jit(self._program)
        self.jitted_vjp = jax.jit(self._vjp)
        self.plan: _Plan | None = None
        self.current: list[Tensor] | None = None  # the caller's tensors, while tracing
        self.differentiating = False  # tracing `_pure` for the backward of the outputs

    # -- the traced function ------------------------------------------------------------------
    def _program(self, datas, grads, key):
        """`_pure` as JAX traces it, with transposes folded into the matrix products."""
        closed, out_shape = jax.make_jaxpr(self._pure, return_shape=True)(datas, grads, key)
        outs = jaxpr_as_fun(fold_transposes(closed))(*tree_leaves((datas, grads, key)))
        return tree_unflatten(tree_structure(out_shape), outs)

    def _vjp(self, datas, grads, key, cotangents):
        """Gradients of the differentiable outputs w.r.t. the arguments that require grad."""
        wrt = [i for i, r in enumerate(self.requires) if r]

        def outputs(*values):
            full = list(datas)
            for i, value in zip(wrt, values):
                full[i] = value
            out_arrays = self._program(full, grads, key)[0]
            return [out_arrays[k] for k in self.plan.diff_outputs]

        _, pullback = jax.vjp(outputs, *[datas[i] for i in wrt])
        return pullback(list(cotangents))

    def _pure(self, datas, grads, key):
        """Run the user's function on Tensors holding the tracers `datas` and `grads`, drawing
        random numbers from the key `key` (the default generator's, an input of the program
        and, split, an output: draws inside differ from call to call, as eager ones do)."""
        owner = self.owner
        if not self.differentiating:
            owner.traces += 1
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
        for s, t in zip(stand_ins, outer):
            if t._backward_hooks:
                s._backward_hooks = t._backward_hooks
            if t._retains_grad:
                s._retains_grad = True
        leaves = [stand_ins[x.index] if type(x) is _Slot else x for x in self.template]
        args, kwargs = tree_unflatten(self.treedef, leaves)
        source = default_generator.source(backend)
        outer_key, source._key = source._key, jax.random.wrap_key_data(key)
        try:
            with backend.tracing():
                out = owner._fn(*args, **kwargs)
            new_key = jax.random.key_data(source._key)
        finally:
            source._key = outer_key

        plan = _Plan()
        # where each tensor object the caller will see comes from
        origin: dict[int, tuple] = {}
        for i, s in enumerate(stand_ins):
            origin.setdefault(id(s), (_TENSOR_ARG, i))
        new_datas = []
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
        new_grads = []
        for i, (s, t, g_in) in enumerate(zip(stand_ins, outer, grad_ins)):
            final = s._grad
            if final is g_in:
                if final is not None and grad_alias[i] is None:
                    if final._data is not grads[i] or final._vc[0]:
                        plan.grads.append((i, "update", final._vc[0]))
                        new_grads.append(final._data)
                    origin.setdefault(id(final), (_GRAD_OF, i))
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
                origin[id(final)] = (_GRAD_OF, i)

        out_leaves, plan.out_tree = tree_flatten(out)
        out_arrays = []
        for leaf in out_leaves:
            if isinstance(leaf, Tensor):
                where = origin.get(id(leaf))
                if where is not None:
                    plan.outputs.append(where)
                else:
                    if leaf._requires_grad:
                        plan.diff_outputs.append(len(out_arrays))
                    plan.outputs.append((_ARRAY, len(out_arrays)))
                    out_arrays.append(leaf._data)
            elif is_array_like(leaf):  # not a Tensor (the branch above)
                raise TypeError(
                    "pluggrad.compile: the compiled function returned a raw array; return "
                    "pluggrad Tensors (or numbers) instead"
                )
            else:
                plan.outputs.append((_STATIC, leaf))
        # outputs get a graph back to the arguments (one CompiledFunctionBackward node) when
        # grad mode is on, unless an argument was modified in place (a training step)
        plan.attach = bool(plan.diff_outputs and any(requires) and not plan.datas)
        plan.attach = plan.attach and grad_enabled()
        self.plan = plan
        return out_arrays, new_datas, new_grads, new_key

    # -- a call ---------------------------------------------------------------------------------
    def call(self, tensors: list[Tensor]):
        datas = [t._data for t in tensors]
        # grad_inputs marks the tensors that have a .grad
        grads = [t._grad._data if g else None for t, g in zip(tensors, self.grad_inputs)]  # type: ignore[union-attr]
        self.current = tensors  # read only if jax traces `_pure` (first call, or a retrace)
        source = default_generator.source(self.backend)
        key = jax.random.key_data(source._key)
        try:
            out_arrays, new_datas, new_grads, new_key = self.jitted(datas, grads, key)
        except _CONCRETE_ERRORS as exc:
            fn = self.owner._fn
            name = getattr(fn, "__qualname__", repr(fn))
            what = str(exc).strip().splitlines()[0]
            raise RuntimeError(_CONCRETE_ERROR.format(name=name, what=what)) from exc
        finally:
            self.current = None
        source._key = jax.random.wrap_key_data(new_key)
        return self._finish(tensors, out_arrays, new_datas, new_grads, (datas, grads, key))

    def _finish(self, tensors, out_arrays, new_datas, new_grads, inputs):
        plan = self.plan
        backend = self.backend
        if plan.attach:
            node = CompiledFunctionBackward()
            node._init_node(
                tuple(
                    t._gradient_edge() if r else (None, 0) for t, r in zip(tensors, self.requires)
                )
            )
            node._backend = backend
            node._entry = self
            node._inputs = (*inputs, tensors)
            node._out_meta = [(out_arrays[k].shape, out_arrays[k].dtype) for k in plan.diff_outputs]
            node.num_outputs = len(plan.diff_outputs)
            graph_of = {k: n for n, k in enumerate(plan.diff_outputs)}
        for (i, bumps), array in zip(plan.datas, new_datas):
            t = tensors[i]
            if t._view is None:
                t._data = array
            else:  # the elements of its views and base change with it
                store(t, array)
            t._vc[0] += bumps
        for i, value in plan.requires:
            tensors[i]._requires_grad = value
        k = 0
        for i, action, extra in plan.grads:
            t = tensors[i]
            if action == "update":
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
                t._grad = tensors[j] if kind == _TENSOR_ARG else tensors[j]._grad
        outputs = []
        for kind, value in plan.outputs:
            if kind == _ARRAY:
                if plan.attach and value in graph_of:
                    outputs.append(_make(out_arrays[value], backend, True, node, graph_of[value]))
                else:
                    outputs.append(_make(out_arrays[value], backend))
            elif kind == _TENSOR_ARG:
                outputs.append(tensors[value])
            elif kind == _GRAD_OF:
                outputs.append(tensors[value]._grad)
            else:
                outputs.append(value)
        return plan.out_tree.unflatten(outputs)


class CompiledFunctionBackward(Node):
    """The backward node of the outputs of a compiled function that require grad.

    It holds the arguments' arrays of the call and runs the vector-Jacobian product of the
    compiled program (``jax.vjp``, itself jitted) with respect to the arguments that require
    grad.  First order only: a backward with ``create_graph=True`` through it raises.
    """

    __slots__ = ("_entry", "_inputs", "_out_meta", "num_outputs")

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        if self._inputs is None:
            raise RuntimeError(FREED_MESSAGE)
        if create_graph:
            raise RuntimeError(
                "pluggrad.compile: the outputs of a compiled function are differentiable once; "
                "for derivatives of higher order (create_graph=True), compute them inside the "
                "compiled function"
            )
        datas, grads, key, tensors = self._inputs
        cotangents = [
            jnp.zeros(shape, dtype) if g is None else g
            for g, (shape, dtype) in zip(grad_outputs, self._out_meta)
        ]
        entry = self._entry
        entry.current, entry.differentiating = tensors, True
        try:  # `fn` is retraced (once) as it was called: with grad mode on
            with set_grad_enabled(True):
                wrt = iter(entry.jitted_vjp(datas, grads, key, cotangents))
        finally:
            entry.current, entry.differentiating = None, False
        return tuple(next(wrt) if r else None for r in entry.requires)

    def release(self) -> None:
        self._inputs = None


class _Slot:
    """A tensor's place among a call's argument leaves."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


class _Plan:
    """What a traced call writes back to the caller's tensors and how it builds its outputs."""

    __slots__ = ("datas", "requires", "grads", "outputs", "out_tree", "diff_outputs", "attach")

    def __init__(self):
        self.datas: list[tuple[int, int]] = []  # (argument, version bumps)
        self.requires: list[tuple[int, bool]] = []  # (argument, new requires_grad)
        self.grads: list[tuple] = []  # (argument, "update" | "clear" | "new" | "alias", extra)
        self.outputs: list[tuple[int, Any]] = []
        self.out_tree = None
        self.diff_outputs: list[int] = []  # outputs (among the arrays) that require grad
        self.attach = False


def fold_transposes(closed):
    """`closed` (a ClosedJaxpr) with every ``dot_general`` that reads a ``transpose`` reading
    the transpose's operand instead, the permutation moved into its dimension numbers.

    pluggrad's backward formulas write ``x.mT @ g``, as PyTorch's do; XLA on CPU compiles a
    matrix-vector product of an explicitly transposed matrix into a slow elementwise loop (much
    slower than the same product with the dimension numbers changed, which is what ``jax.grad``
    emits).  A product is rewritten only when the free dimensions of the operand
    keep their order, so its result is unchanged; a transpose whose result is then unused is
    dropped by XLA.
    """
    jaxpr = closed.jaxpr
    source: dict = {}  # var made by a transpose -> (operand, permutation)
    eqns = []
    changed = False
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        if name == "transpose" and isinstance(eqn.invars[0], Var):
            operand, perm = eqn.invars[0], tuple(eqn.params["permutation"])
            if operand in source:  # a transpose of a transpose: one permutation
                operand, inner = source[operand]
                perm = tuple(inner[p] for p in perm)
            source[eqn.outvars[0]] = (operand, perm)
        elif name == "dot_general":
            (contract_l, contract_r), (batch_l, batch_r) = eqn.params["dimension_numbers"]
            dims = [[contract_l, batch_l], [contract_r, batch_r]]
            invars = list(eqn.invars)
            folded = False
            for k in (0, 1):
                if not isinstance(invars[k], Var) or invars[k] not in source:
                    continue
                operand, perm = source[invars[k]]
                contract, batch = dims[k]
                free = [perm[d] for d in range(len(perm)) if d not in contract and d not in batch]
                if free != sorted(free):
                    continue
                dims[k] = [tuple(perm[d] for d in contract), tuple(perm[d] for d in batch)]
                invars[k] = operand
                folded = True
            if folded:
                numbers = ((dims[0][0], dims[1][0]), (dims[0][1], dims[1][1]))
                params = {**eqn.params, "dimension_numbers": numbers}
                eqn = eqn.replace(invars=invars, params=params)
                changed = True
        eqns.append(eqn)
    return closed.replace(jaxpr=jaxpr.replace(eqns=eqns)) if changed else closed
