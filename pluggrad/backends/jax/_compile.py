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
3. On a miss, a pure function of the raw arrays is traced (``jax.make_jaxpr``): it makes a
   fresh leaf Tensor per argument tensor (same ``requires_grad``) holding the tracer, gives it
   a ``.grad`` holding the traced gradient array, runs `fn` on them, and returns the outputs'
   arrays, the final arrays of the arguments that were changed and their final gradients.
   What to write back where (the *plan*) is recorded while tracing.  The trace takes the
   keys of the generators it draws from (the default one's, and those of other
   ``pluggrad.Generator`` objects it meets: the first trace is then made again with theirs as
   inputs) and returns their next ones; ``jax.jit`` compiles it with the keys only if it draws
   random numbers (passing keys in and out costs a few microseconds per call).
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
import operator
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.extend.core import Var, jaxpr_as_fun
from jax.tree_util import tree_flatten, tree_leaves, tree_structure, tree_unflatten

from ..._core.grad_mode import set_grad_enabled
from ..._core.graph import FREED_MESSAGE, Node
from ..._core.tensor import Tensor
from ..._trace.calls import CONCRETE_ERROR, EntryCache, TracedCall, call_leaves, signature
from ...backends import Backend, get_backend
from ...ops.random import default_generator
from ._random import keys_given
from ._sharding import Donating, Layout

__all__ = ["CompiledFunctionBackward", "JitCompiled", "fold_transposes"]

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
    tensors are on `backend`.  ``.traces`` counts how many times `fn` was traced.

    `options` are :func:`pluggrad.compile`'s ``in_shardings``, ``out_shardings`` and
    ``donate`` (see :mod:`pluggrad.backends.jax._sharding`)."""

    def __init__(self, fn: Callable, backend: Backend, **options):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.backend = backend
        self.layout = Layout(fn, **options)
        self._cache = EntryCache()
        self.traces = 0

    def __repr__(self) -> str:
        return f"<pluggrad.compile on {self.backend.name} of {self._fn!r}>"

    def __call__(self, *args, **kwargs):
        entry, tensors = self._entry(args, kwargs)
        return entry.call(tensors)

    def lower(self, *args, **kwargs) -> jax.stages.Lowered:
        """The program a call with these arguments runs, lowered (``jax.stages.Lowered``) and
        not run: ``.as_text()`` is its StableHLO, ``.compile().as_text()`` the HLO XLA runs,
        after partitioning over the devices (collectives included)."""
        entry, tensors = self._entry(args, kwargs)
        return entry.lower(tensors)

    def _entry(self, args: tuple, kwargs: dict) -> tuple:
        leaves, treedef = call_leaves(args, kwargs, tree_flatten, _tensors_def)
        key, tensors = signature(leaves, treedef, get_backend(), abstract=_AVAL)
        entry = self._cache.find(key)
        if entry is None:
            entry = self._cache[key] = _Entry(self, leaves, treedef, tensors)
        return entry, tensors


_AVAL = operator.attrgetter("aval")  # (the shape and dtype of a JAX array, read at once)


@functools.cache
def _tensors_def(n: int):
    """The tree structure of ``(args, {})`` with `n` tensors in `args`."""
    return tree_structure((("",) * n, {}))


class _Entry(TracedCall):
    """One traced signature: the jitted pure function and, once traced, what to write back."""

    def __init__(self, owner: JitCompiled, leaves, treedef, tensors):
        super().__init__(owner._fn, owner.backend, leaves, treedef, tensors)
        self.owner = owner
        # per argument tensor, the sharding in_shardings gives it (None: unspecified)
        self.in_shardings = owner.layout.argument_shardings(leaves, treedef, tensors)
        # the jitted program (or a Donating), made by the first call from its trace; it takes
        # the keys of `generators` only if it needs them (`keyless`: it draws no random numbers)
        self.jitted: Any = None
        self.keyless = False
        self.generators: list = [default_generator]
        self._strays: list = []  # other generators the last trace drew from
        self._first: tuple | None = None  # the first trace, until the jit that compiles it
        self._first_keys: list = []  # the keys the first trace was given
        self.jitted_vjp = jax.jit(self._vjp)
        self.differentiating = False  # tracing `_pure` for the backward of the outputs
        # donate=True: from the second call on, a program donating the buffers it replaces
        # (known once the first call's trace has recorded the plan); its trace is not counted
        self.donating = owner.layout.donate
        self.counting = True

    # -- the traced function ------------------------------------------------------------------
    def _sources(self) -> list:
        """The random sources (on this backend) of the generators the program draws from."""
        return [generator.source(self.backend) for generator in self.generators]

    def _keys(self) -> list:
        """The current keys (raw data) of the generators the program draws from."""
        return [source.key_data() for source in self._sources()]

    def _build(self, datas, grads) -> None:
        """Trace `_pure` (the first call), and make the jitted program that compiles this
        trace: without random keys where the trace does not need them."""
        keys = self._keys()
        self._first = _folded_trace(self._pure, datas, grads, keys)
        if self._strays:  # it drew from other generators: theirs become inputs too
            self.generators += self._strays
            keys = self._keys()
            self._first = self._retrace(datas, grads, keys)
        self._first_keys = keys
        self.keyless = not _needs_keys(self._first[0], len(self.generators))
        program = self._program_keyless if self.keyless else self._program
        if self.in_shardings is None:
            self.jitted = jax.jit(program)
        else:
            static = (None,) if self.keyless else (None, None)
            self.jitted = jax.jit(program, in_shardings=(self.in_shardings, *static))

    def _program(self, datas, grads, keys):
        """`_pure` as JAX traces it, with transposes folded into the matrix products (the first
        trace, made by `_build`, once; then traced again: JAX retraces for new layouts)."""
        traced, self._first = self._first, None
        if traced is None:
            traced = self._retrace(datas, grads, keys)
        closed, out_def = traced
        outs = jaxpr_as_fun(closed)(*tree_leaves((datas, grads, keys)))
        return tree_unflatten(out_def, outs)

    def _retrace(self, datas, grads, keys) -> tuple:
        """`_pure` traced again, which must draw from no generator it was not given."""
        traced = _folded_trace(self._pure, datas, grads, keys)
        if self._strays:
            raise RuntimeError(
                f"pluggrad.compile: {self._name()} drew random numbers from a generator when "
                "traced again that it did not draw from when first traced; a compiled function "
                "must draw from the same generators whenever its arguments have the same shapes "
                "and dtypes"
            )
        return traced

    def _name(self) -> str:
        fn = self.owner._fn
        return getattr(fn, "__qualname__", repr(fn))

    def _program_keyless(self, datas, grads):
        """`_program` of a function that draws no random numbers: the keys it is given are
        the first call's, constants that XLA drops, and no keys are returned."""
        if self._first is None:  # traced again: it must still draw nothing
            self._first = self._retrace(datas, grads, self._first_keys)
            if _needs_keys(self._first[0], len(self.generators)):
                self._first = None
                raise RuntimeError(
                    f"pluggrad.compile: {self._name()} drew random numbers when JAX traced it "
                    "again for arguments laid out differently, but not when it was first "
                    "traced; a compiled function must do the same whenever its arguments have "
                    "the same shapes and dtypes"
                )
        return self._program(datas, grads, self._first_keys)[:3]

    def _vjp(self, datas, grads, keys, cotangents):
        """Gradients of the differentiable outputs w.r.t. the arguments that require grad."""
        wrt = [i for i, r in enumerate(self.requires) if r]
        if keys is None:  # a keyless program's call
            keys = self._first_keys

        def outputs(*values):
            full = list(datas)
            for i, value in zip(wrt, values):
                full[i] = value
            out_arrays = self._program(full, grads, keys)[0]
            return [out_arrays[k] for k in self.plan.diff_outputs]

        _, pullback = jax.vjp(outputs, *[datas[i] for i in wrt])
        return pullback(list(cotangents))

    def _pure(self, datas, grads, keys):
        """Run the user's function on Tensors holding the tracers `datas` and `grads`, its
        generators drawing from the keys `keys` (inputs of the program and, split, outputs:
        draws inside differ from call to call, as eager ones do).  The generators it draws
        from that were not given keys are left as they were, and listed in `_strays`."""
        if not self.differentiating and self.counting:
            self.owner.traces += 1
        backend = self.backend
        sources = self._sources()

        def run(fn, args, kwargs):
            with backend.tracing():
                return fn(*args, **kwargs)

        with keys_given(sources, keys) as strays:
            results = self.trace(datas, grads, tree_flatten, run)
            new_keys = [jax.random.key_data(source._key) for source in sources]
        self._strays = list(dict.fromkeys(source.generator for source in strays))
        out_arrays, new_datas, new_grads = self.owner.layout.constrain(
            self.plan, self.current, self.in_shardings, results
        )
        return out_arrays, new_datas, new_grads, new_keys

    # -- a call ---------------------------------------------------------------------------------
    def call(self, tensors: list[Tensor]):
        datas = [t._data for t in tensors]
        # grad_inputs marks the tensors that have a .grad
        grads = self.call_grads(tensors)
        self.current = tensors  # read only if jax traces `_pure` (first call, or a retrace)
        keys = None
        try:
            if self.jitted is None:
                self._build(datas, grads)
            if self.keyless:
                out_arrays, new_datas, new_grads = self.jitted(datas, grads)
            else:
                sources = self._sources()
                keys = [source.key_data() for source in sources]
                out_arrays, new_datas, new_grads, new_keys = self.jitted(datas, grads, keys)
                for source, key in zip(sources, new_keys):
                    source.set_key_data(key)
        except _CONCRETE_ERRORS as exc:
            what = str(exc).strip().splitlines()[0]
            raise RuntimeError(CONCRETE_ERROR.format(name=self._name(), what=what)) from exc
        finally:
            self.current = None
        if self.donating and self.plan is not None:
            self.donating = False
            if not self.plan.attach:  # an output's backward reads the inputs: keep them
                program = self._program_keyless if self.keyless else self._program
                self.jitted = Donating(program, self.plan, self.in_shardings, self.keyless)
                self.counting = False
        return self._finish(tensors, out_arrays, new_datas, new_grads, (datas, grads, keys))

    def lower(self, tensors: list[Tensor]) -> jax.stages.Lowered:
        """The program of a call on `tensors`, lowered (traced if it was not)."""
        datas, grads = [t._data for t in tensors], self.call_grads(tensors)
        self.current = tensors
        try:
            if self.jitted is None:
                self._build(datas, grads)
            if self.keyless:
                return self.jitted.lower(datas, grads)
            return self.jitted.lower(datas, grads, self._keys())
        finally:
            self.current = None

    def _finish(self, tensors, out_arrays, new_datas, new_grads, inputs):
        plan = self.plan
        graph = None
        if plan.attach:
            node = CompiledFunctionBackward()
            node._init_node(
                tuple(
                    t._gradient_edge() if r else (None, 0) for t, r in zip(tensors, self.requires)
                )
            )
            node._backend = self.backend
            node._entry = self
            node._inputs = (*inputs, tensors)
            node._out_meta = [(out_arrays[k].shape, out_arrays[k].dtype) for k in plan.diff_outputs]
            node.num_outputs = len(plan.diff_outputs)
            graph = (node, {k: n for n, k in enumerate(plan.diff_outputs)})
        return self.write_back(tensors, out_arrays, new_datas, new_grads, graph)


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
        datas, grads, keys, tensors = self._inputs
        cotangents = [
            jnp.zeros(shape, dtype) if g is None else g
            for g, (shape, dtype) in zip(grad_outputs, self._out_meta)
        ]
        entry = self._entry
        entry.current, entry.differentiating = tensors, True
        try:  # `fn` is retraced (once) as it was called: with grad mode on
            with set_grad_enabled(True):
                wrt = iter(entry.jitted_vjp(datas, grads, keys, cotangents))
        finally:
            entry.current, entry.differentiating = None, False
        return tuple(next(wrt) if r else None for r in entry.requires)

    def release(self) -> None:
        self._inputs = None


def _folded_trace(pure: Callable, datas, grads, keys) -> tuple:
    """``pure(datas, grads, keys)`` traced (a ClosedJaxpr, transposes folded into the matrix
    products), and the tree structure of its results."""
    closed, out_shape = jax.make_jaxpr(pure, return_shape=True)(datas, grads, keys)
    return fold_transposes(closed), tree_structure(out_shape)


def _needs_keys(closed, count: int) -> bool:
    """Whether a traced program needs its `count` random keys (its last inputs): whether it
    draws random numbers, reads a generator's state, or sets it.  One that does none returns
    the keys it was given (its last outputs), only wrapped into typed keys and unwrapped."""
    jaxpr = closed.jaxpr
    keys_in = jaxpr.invars[-count:]
    made_by = {out: eqn for eqn in jaxpr.eqns for out in eqn.outvars}
    for key_in, new_key in zip(keys_in, jaxpr.outvars[-count:]):
        while new_key is not key_in:
            eqn = made_by.get(new_key) if isinstance(new_key, Var) else None
            if eqn is None or eqn.primitive.name not in ("random_wrap", "random_unwrap"):
                return True
            new_key = eqn.invars[0]
    # what the other results need, and what has effects (callbacks), reads a key or not
    live = {v for v in jaxpr.outvars[:-count] if isinstance(v, Var)}
    for eqn in reversed(jaxpr.eqns):
        if eqn.effects or not live.isdisjoint(eqn.outvars):
            live.update(v for v in eqn.invars if isinstance(v, Var))
    return not live.isdisjoint(keys_in)


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
