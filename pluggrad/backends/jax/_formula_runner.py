"""The JAX backend's :class:`FormulaRunner`: first-order derivative formulas as ``jax.jit``
programs, after a warm-up, with the values of their eager evaluation."""

from __future__ import annotations

import jax

__all__ = ["FormulaRunner"]


class FormulaRunner:
    """Evaluates first-order derivative formulas as ``jax.jit`` programs.

    Eagerly, a formula such as tanh's ``g * (1 - result * result)`` costs one JAX dispatch
    per operation, which dominates for small arrays; compiled, the whole formula is one
    dispatch.  A formula runs eagerly for its first `warmup` calls, then compiled, unless
    it returned its incoming gradient unchanged in all of them (``add``'s: compiling would
    add a dispatch where there was none) or it cannot be traced (Python control flow on
    values, unhashable non-array arguments): then it stays eager.  Arrays and Python numbers
    are traced (numbers as weak-typed scalars, so a changing scalar does not recompile);
    other arguments (dtypes, shapes, axes) are static.  A formula that fails to trace with
    numbers traced is retried with them static; a call whose static arguments cannot be hashed
    (indexing keys with slices) runs eagerly; a formula traced more than `max_traces` times
    (many shapes or static values) goes back to eager evaluation.
    """

    def __init__(self, ns, warmup: int = 8, max_traces: int = 16):
        self.ns = ns
        self.warmup = warmup
        self.max_traces = max_traces
        self._calls: dict = {}  # formula -> eager calls so far
        self._computes: set = set()  # formulas that returned something other than `g`
        self._compiled: dict = {}  # (formula, static mask) -> jitted function, or None: eager

    def __call__(self, formula, g, args: list):
        mask = tuple([not _traced(a) for a in args])
        compiled = self._compiled.get((formula, mask), _UNSEEN)
        if compiled is _UNSEEN:
            return self._first_calls(formula, g, args, mask)
        if compiled is not None:
            try:
                return compiled(g, *args)
            except Exception:  # e.g. an unhashable static argument (a key with slices): the
                pass  # eager call below computes it (or raises a real error again)
        return formula.fn(self.ns, g, *args)

    def _first_calls(self, formula, g, args: list, mask: tuple):
        calls = self._calls.get(formula, 0)
        if calls < self.warmup:
            self._calls[formula] = calls + 1
            result = formula.fn(self.ns, g, *args)
            if result is not g:
                self._computes.add(formula)
            return result
        key = (formula, mask)
        if formula in self._computes:
            all_static = tuple([not isinstance(a, jax.Array) for a in args])
            for static in dict.fromkeys((mask, all_static)):
                compiled = self._jit(formula, static, key)
                try:
                    result = compiled(g, *args)
                except Exception:  # untraceable, or a real error (which eager raises again)
                    continue
                self._compiled.setdefault(key, compiled)
                return result
        self._compiled[key] = None  # stays eager
        return formula.fn(self.ns, g, *args)

    def _jit(self, formula, static: tuple, key: tuple):
        """`formula` under ``jax.jit``; after `max_traces` traces (shapes, static values) the
        formula goes back to eager evaluation: compiling each new variant would cost more."""
        ns, fn, compiled, limit = self.ns, formula.fn, self._compiled, self.max_traces
        traces = [0]

        def program(g, *args):
            traces[0] += 1  # runs when JAX traces, not when the compiled program runs
            if traces[0] > limit:
                compiled[key] = None
            return fn(ns, g, *args)

        return jax.jit(program, static_argnums=tuple(i + 1 for i, s in enumerate(static) if s))


def _traced(arg) -> bool:
    """Whether a formula argument is traced (arrays, tuples of arrays, Python numbers; bools,
    being ints, too: a formula branching on one is retried with it static)."""
    if isinstance(arg, (jax.Array, int, float, complex)):
        return True
    return type(arg) is tuple and len(arg) > 0 and isinstance(arg[0], jax.Array)


_UNSEEN = object()
