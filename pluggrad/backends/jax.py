"""The JAX backend: arrays are ``jax.Array``, so kernels run through XLA on CPU, GPU or TPU.

JAX disables float64 unless ``jax_enable_x64`` is set.  pluggrad's default float dtype is float32
(as in PyTorch), so enabling 64-bit types changes nothing for code that does not ask for float64,
while ``dtype=pluggrad.float64`` then really is float64.  Loading this backend therefore turns
``jax_enable_x64`` on, once, and says so in the docs; set ``PLUGGRAD_JAX_X64=0`` before the first
use to keep JAX's 32-bit mode (float64 requests then fail with a clear error).
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from .._dtypes import float64
from ._base import Backend, along_axis_key

try:
    import jax
    import jax.numpy as jnp
except ImportError as exc:  # pragma: no cover - exercised only without jax installed
    raise ImportError("the 'jax' backend needs JAX: pip install 'pluggrad[jax]'") from exc

if os.environ.get("PLUGGRAD_JAX_X64", "1") != "0":
    jax.config.update("jax_enable_x64", True)


# Forward kernels called through ``jax.jit``.  ``jnp.multiply(x, 0.9)`` runs jax.numpy's type
# promotion in Python on every call; the jitted function takes JAX's C++ dispatch path instead
# (about 30% less per call on CPU, where small-op overhead dominates eager steps).  Results,
# weak-typed scalars included, are the same; unary functions are jitted by jax.numpy already.
_JITTED_KERNELS = ("add", "subtract", "multiply", "divide")


class FormulaRunner:
    """Evaluates first-order derivative formulas as ``jax.jit`` programs.

    Eagerly, a formula such as tanh's ``g * (1 - result * result)`` costs one JAX dispatch
    per operation (about 7 µs each on CPU for small arrays); compiled, the whole formula is one
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


class JaxBackend(Backend):
    """Arrays are immutable ``jax.Array`` objects; in-place updates replace them."""

    name = "jax"
    library = "jax"
    mutable = False
    xp = jnp
    array_type = type(jnp.zeros(()))

    def __init__(self) -> None:
        super().__init__()
        self._jitted = {name: jax.jit(getattr(jnp, name)) for name in _JITTED_KERNELS}
        self.kernels.update(self._jitted)
        self._tracing_depth = 0
        self.run_formula = FormulaRunner(self.formula_ns)

    @contextlib.contextmanager
    def tracing(self):
        """Use ``jax.numpy``'s own functions as kernels inside the block, a JAX trace (by
        ``pluggrad.compile``): there a jitted kernel would only nest one call per operation in
        the traced program, which XLA on CPU fuses less well."""
        self._tracing_depth += 1
        self.kernels.update({name: getattr(jnp, name) for name in self._jitted})
        runner, self.run_formula = self.run_formula, None
        try:
            yield
        finally:
            self._tracing_depth -= 1
            if self._tracing_depth == 0:
                self.kernels.update(self._jitted)
                self.run_formula = runner

    def native_dtype(self, dtype):
        return np.dtype(dtype.name)

    def asarray(self, obj, dtype=None):
        if dtype is float64 and not jax.config.jax_enable_x64:
            raise TypeError(
                "float64 needs JAX's 64-bit mode; unset PLUGGRAD_JAX_X64=0 to let pluggrad "
                "enable it"
            )
        return jnp.asarray(obj, dtype=None if dtype is None else self.to_native[dtype])

    def to_numpy(self, array):
        return np.asarray(array)

    def scatter_add(self, values, key, shape):
        return jnp.zeros(shape, dtype=values.dtype).at[key].add(values)

    def put_along_axis_add(self, values, indices, axis, shape):
        key = along_axis_key(jnp, indices, axis)
        return jnp.zeros(shape, dtype=values.dtype).at[key].add(values)

    # -- the standard's signed-zero special cases, where jax.numpy differs ---------------------

    @staticmethod
    def kernel_remainder(x1, x2):
        """``jnp.remainder`` with a zero result signed as `x2` (``remainder(-0.0, 1.0)`` is
        ``+0.0``, ``remainder(1.0, -1.0)`` is ``-0.0``), as the standard and NumPy have it."""
        r = jnp.remainder(x1, x2)
        if not jnp.issubdtype(r.dtype, jnp.floating):
            return r
        return jnp.where(r == 0, jnp.copysign(jnp.zeros_like(r), x2), r)

    @staticmethod
    def kernel_floor_divide(x1, x2):
        """``jnp.floor_divide`` with a zero result signed by the signs of the operands
        (``floor_divide(-1.0, -inf)`` is ``+0.0``, ``floor_divide(-0.0, 1.0)`` is ``-0.0``)."""
        q = jnp.floor_divide(x1, x2)
        if not jnp.issubdtype(q.dtype, jnp.floating):
            return q
        negative = jnp.logical_xor(jnp.signbit(x1), jnp.signbit(x2))
        zero = jnp.where(negative, -jnp.zeros_like(q), jnp.zeros_like(q))
        return jnp.where(q == 0, zero, q)

    @staticmethod
    def kernel_sign(x):
        """``jnp.sign`` with ``sign(-0.0) == +0.0`` for real floats (NumPy, PyTorch)."""
        s = jnp.sign(x)
        if not jnp.issubdtype(s.dtype, jnp.floating):
            return s
        return jnp.where(s == 0, jnp.zeros_like(s), s)

    def device_of(self, array):
        devices = array.devices()
        return next(iter(devices)) if len(devices) == 1 else devices


backend = JaxBackend()
