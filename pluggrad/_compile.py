"""``pluggrad.compile``: hand a function of Tensors, autograd included, to its backend's compiler.

Compiling is the backend's business (:meth:`Backend.compile <pluggrad.backends.Backend.compile>`;
the JAX backend traces into one ``jax.jit`` program, :mod:`pluggrad.backends.jax._compile`).
This module only picks, per call, the backend of the call's tensors and calls what that
backend compiled, so it imports no array library.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._core.tensor import Tensor, _make
from ._stateful import Scalar, StatefulFinder, lift_scalars, restore_scalars, threaded
from ._trace.compiled import compiler
from .backends import Backend, get_backend
from .ops.creation import tensor

__all__ = ["compile"]

# the default Backend.compile: pluggrad's tracer, for every backend without its own compiler
Backend.provide_compiler(compiler)


def compile(fn: Callable | None = None, *, disable: bool = False, **options: Any):  # noqa: A001
    """Compile `fn`, a function of Tensors that may compute gradients, for its tensors' backend.

    Each call goes to the compiler of the backend of its first Tensor argument (the active
    backend when there is none): :meth:`Backend.compile <pluggrad.backends.Backend.compile>`,
    asked once per backend.  On the ``jax`` backend, the first call traces `fn` with
    ``jax.jit``: the forward pass, any ``backward()`` and ``autograd.grad`` inside, and
    in-place updates of the arguments (an optimizer step under ``no_grad()``) become one
    compiled program, run by later calls with the same argument signature.  Every other
    backend (``numpy``, ``array_api_strict``, third-party ones: the default hook) uses
    pluggrad's tracer (:mod:`pluggrad._trace`): the first call runs `fn` once on recording
    arrays, and the kernel calls it made become a flat program, planned (dead values released
    after their last reader, constants computed once, NumPy results written in place with
    ``out=``) and replayed by later calls with the same signature, without building a graph.

    Usable as ``pluggrad.compile(fn)``, ``@pluggrad.compile`` or ``@pluggrad.compile()``.

    Parameters
    ----------
    fn : callable
        Takes Tensors, or tuples, lists and dicts of them (pytrees), plus other arguments, and
        returns Tensors or pytrees of them (other leaves are returned as the trace produced
        them).
    disable : bool
        Run `fn` eagerly on every backend (for debugging), as ``torch.compile`` does.
    **options
        Passed to the backend's ``compile``.  The ``jax`` backend takes ``in_shardings`` and
        ``out_shardings`` (``jax.jit``'s, for the function's positional arguments and its
        result) and ``donate=True`` (the buffers of the tensors a call replaces, such as an
        optimizer's parameters and state, are donated to the program); see
        ``docs/sharding.md``.  The tracer of the other backends takes ``exact=True``: every
        result bit-identical to the eager call's (see the Notes).

    Returns
    -------
    callable
        A function with `fn`'s signature.  ``.traces`` counts how many times `fn` was traced
        (by the backends that trace); ``.lower(*args, **kwargs)`` returns the program a call
        would run, not running it (on ``jax``: a ``jax.stages.Lowered``, whose
        ``.compile().as_text()`` is the HLO, collectives included).

    Notes
    -----
    Semantics of the compilers (``jax``'s and the tracer's), compared with running `fn`
    eagerly; where the tracer of the other backends differs, the last items say so:

    * **Arguments.** Tensor leaves of the arguments are the program's inputs.  Other leaves
      (numbers, strings, None...) are static: they must be hashable, and a new value traces
      again.  `fn` is traced again whenever the shapes, dtypes, ``requires_grad`` flags, the
      presence (or shape) of a ``.grad`` of the argument tensors, grad mode or the default
      dtype change.
    * **Side effects on arguments** are carried out: an argument modified in place (``w -= lr *
      w.grad`` under ``no_grad()``, ``w.copy_(v)``, ``w.data = ...``) gets its new data and its
      version counter advances as it would have; ``.grad`` is set by ``backward()``,
      accumulated into the existing ``.grad`` Tensor (the same object), zeroed by
      ``w.grad.zero_()`` or cleared by ``w.grad = None``.  Gradients written back never carry a
      graph.  An argument that becomes part of a graph inside `fn` (in-place under grad mode)
      is an error, since the graph cannot leave the program.
    * **Outputs** that require grad inside `fn` come back with a ``grad_fn``
      (``CompiledFunctionBackward``) leading to the argument tensors that require grad, as
      with ``torch.compile``: ``compiled(w).backward()`` fills ``w.grad``.  Its backward is the
      vector-Jacobian product of the compiled program (``jax.vjp``, compiled too), first order
      only (``create_graph=True`` through it raises: take higher derivatives inside `fn`), and
      it uses the arguments' values of the call.  Outputs are returned detached (no
      ``grad_fn``) when grad mode is off or when `fn` modified an argument in place (a training
      step: its gradients were computed inside).  An output that is an argument (or an
      argument's ``.grad``) is returned as that very Tensor.
    * **Modules and optimizers** that `fn` reaches (`fn` itself, its arguments, its closure and
      the globals its code names) take part like arguments: their parameters, buffers,
      gradients and optimizer state go into the program and come back updated, new state
      included (an optimizer's moments made at its first step, so the second call traces
      again); their settings are part of the cache key, except a float learning rate, which is
      an input (a scheduler changing it does not trace again).  A training step
      ``opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()`` is one program.
    * **Random draws** continue the streams of the generators they draw from (the default one,
      or a ``pluggrad.Generator`` of the user's), call after call, as eager draws do.  On
      ``jax`` a generator's key is an input of the program and its next key an output; a
      function that draws from a generator other than the default one is traced twice on its
      first call (the second time with that generator's key as an input), and a program that
      draws nothing takes no key.
    * **Other tensors** that `fn` reads (globals, closures) are compiled in as constants: pass
      the tensors `fn` updates or differentiates as arguments.  ``backward()`` inside `fn` must
      not reach a tensor made outside it that is not an argument or a module's.  Python side
      effects (printing, appending to lists) happen only while tracing.
    * **Values are abstract while tracing**: ``.item()``, ``bool(t)``, printing a tensor, or an
      ``if`` on a tensor's value raise a RuntimeError naming ``pluggrad.compile``; so do, on
      the tracer, operations whose result's shape depends on values (a boolean mask as an
      index, ``nonzero``, ``unique``).
    * **The tracer** (every backend but ``jax``) replays the kernels the eager call ran, in the
      same order, so results are bit-identical to eager ones, with one exception unless
      ``exact=True``: a product with a reciprocal, ``(1 / d) * e`` (how the gradient of ``e /
      d`` reaches the ``exp`` that made `e`, or ``d.reciprocal() * e``), is computed as
      ``e / d``, one rounding instead of two (within an ulp of eager's, closer to the exact
      value; finite where only ``1 / d`` overflows).  Its cache key adds, on NumPy,
      the arrays' strides, whether they own their memory and which share it (a program writes
      in place only into memory it knows to be free; an argument updated in place, or its
      ``.grad``, is written where it is, as eagerly).  Random draws are replayed (dropout
      continues the default generator's stream).  Outputs that would need a ``grad_fn`` (a
      differentiable forward function called with grad mode on, no argument updated in place)
      make that signature run eagerly from then on: the replayed program has no graph.  With
      ``PLUGGRAD_COMPILE_DEBUG=1`` the program fills every buffer it releases with NaN, so that
      a planner error shows in the results.
    """
    if fn is None:
        return functools.partial(compile, disable=disable, **options)
    if not callable(fn):
        raise TypeError(f"pluggrad.compile expects a callable, got {type(fn).__name__}")
    return CompiledFunction(fn, disable=disable, options=options)


class CompiledFunction:
    """The callable :func:`compile` returns: each call runs what the backend of its tensors
    compiled `fn` into (asked for once per backend)."""

    def __init__(self, fn: Callable, *, disable: bool = False, options: dict | None = None):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._threaded = threaded(fn)
        self._find_stateful = StatefulFinder(fn)
        self._disable = disable
        self._options = options or {}
        # what each backend compiled: `fn` itself, and `fn` threaded through the states of the
        # modules and optimizers it reaches (see pluggrad._stateful)
        self._by_backend: dict[tuple[Backend, bool], Callable] = {}

    def __repr__(self) -> str:
        return f"<pluggrad.compile of {self._fn!r}>"

    @property
    def traces(self) -> int:
        """How many times `fn` was traced, by all the backends that trace."""
        return sum(
            getattr(compiled, "traces", 0)
            for compiled in self._by_backend.values()
            if compiled is not self._fn and compiled is not self._threaded  # not run eagerly
        )

    def __call__(self, *args, **kwargs):
        if self._disable:
            return self._fn(*args, **kwargs)
        objects = self._find_stateful(args, kwargs)
        if not objects:
            return self._compiled(self._backend_of(args, kwargs), False)(*args, **kwargs)
        # modules and optimizers: their tensors go in and come out as the program's own
        states = [obj._compile_state() for obj in objects]
        backend = self._backend_of(args, kwargs, states)
        compiled = self._compiled(backend, True)
        if compiled is self._threaded:  # the backend runs it eagerly: nothing to thread
            return self._fn(*args, **kwargs)
        inputs = lift_scalars(states, _scalar_tensor)
        result, new_states = compiled(objects, inputs, args, kwargs)
        for obj, new, old in zip(objects, new_states, states):
            obj._load_compile_state(restore_scalars(new, old))
        return result

    def lower(self, *args, **kwargs):
        """The program the backend compiled for a call with these arguments, without running
        it (the ``jax`` backend's: a ``jax.stages.Lowered``); TypeError where the backend's
        compiler makes none (or with ``disable=True``)."""
        objects = self._find_stateful(args, kwargs)
        if objects:
            states = [obj._compile_state() for obj in objects]
            backend = self._backend_of(args, kwargs, states)
            compiled = self._compiled(backend, True)
            call: tuple = (objects, lift_scalars(states, _scalar_tensor), args, kwargs), {}
        else:
            backend = self._backend_of(args, kwargs)
            compiled, call = self._compiled(backend, False), (args, kwargs)
        lower = None if self._disable else getattr(compiled, "lower", None)
        if lower is None:
            raise TypeError(
                f"pluggrad.compile: {self!r} has no lowered program on the {backend.name} backend"
            )
        return lower(*call[0], **call[1])

    def _compiled(self, backend: Backend, with_state: bool) -> Callable:
        compiled = self._by_backend.get((backend, with_state))
        if compiled is None:
            fn = self._threaded if with_state else self._fn
            compiled = self._by_backend[backend, with_state] = backend.compile(fn, **self._options)
        return compiled

    @staticmethod
    def _backend_of(args: tuple, kwargs: dict, states: list | None = None) -> Backend:
        """The backend of the call's first tensor (in the arguments, then in the states of
        its modules and optimizers), else the active one."""
        if args and type(args[0]) is Tensor:  # (the usual call: its backend at once)
            return args[0]._backend
        for items in (args, kwargs.values(), states or ()):
            backend = _backend_of_first_tensor(items)
            if backend is not None:
                return backend
        return get_backend()


# The arrays of the numbers lifted lately, by backend, dtype and value, on backends whose arrays
# cannot be written: making a 0-d array from a float (~0.1 ms) costs more than dispatching a
# small step's whole program, so a constant learning rate is made into one once.  Each call
# still gets a Tensor of its own around it (distinct inputs, as fresh tensors would be).
_SCALAR_ARRAYS: dict = {}
_SCALAR_ARRAYS_MAX = 64


def _scalar_tensor(scalar: Scalar) -> Tensor:
    like = scalar.like
    backend, value = like._backend, scalar.value
    if backend.mutable:
        return tensor(value, dtype=like.dtype, backend=backend)
    key = (backend, like.dtype, type(value), repr(value))  # repr: -0.0 is not 0.0
    array = _SCALAR_ARRAYS.get(key)
    if array is None:
        if len(_SCALAR_ARRAYS) >= _SCALAR_ARRAYS_MAX:  # a schedule's values: keep the last ones
            _SCALAR_ARRAYS.clear()
        array = _SCALAR_ARRAYS[key] = tensor(value, dtype=like.dtype, backend=backend)._data
    return _make(array, backend)


_SEQUENCES = (tuple, list)


def _backend_of_first_tensor(items) -> Backend | None:
    """The backend of the first Tensor in `items`, searched depth first through tuples, lists
    and dicts (the containers a call's arguments usually come in), or None.

    A plain walk: this runs on every call of a compiled function, before the backend's own
    flattening, and needs no array library.
    """
    for item in items:
        if isinstance(item, Tensor):
            return item._backend
        if isinstance(item, _SEQUENCES):
            backend = _backend_of_first_tensor(item)
        elif isinstance(item, dict):
            backend = _backend_of_first_tensor(item.values())
        else:
            continue
        if backend is not None:
            return backend
    return None
