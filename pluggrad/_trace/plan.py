"""What the planner's two emitters share: the rewrites of a trace before it is emitted, the
last reader of each buffer, which buffers share memory, and the names of a program's globals.

:func:`simplify` rewrites the live steps of a trace without changing a bit of any result:

* **products with ones** (the gradient of a sum, broadcast, times a buffer; ``1 / d``, which
  is ``d.reciprocal() * 1`` as in PyTorch) are that buffer:
  ``x * 1.0`` is ``x`` bit for bit (NaN, infinities and signed zeros included);
* **common subexpressions**: a call repeating an earlier one (the same kernel on the same
  buffers and arguments: ``gd * x`` twice in the gradient of ``x * x``, ``1 - t * t`` computed
  by two derivative formulas) is that earlier result.  Kernels are deterministic and the
  recorded steps are functional (a write makes a new buffer), so the result is the same array.

Neither rewrites a call whose result the program returns (two outputs stay two arrays) nor a
random draw.

One rewrite changes rounding, and is left out with ``exact=True``:

* **products with a reciprocal** are quotients: ``(1 / d) * e`` (the gradient of ``e / d``
  flowing into an ``exp`` that made `e`, or ``d.reciprocal() * e``) is ``e / d``, one
  correctly rounded division instead of two roundings, so the result is within an ulp of the
  eager one and closer to the exact value; where ``e / d`` is also computed (the quotient's
  own gradient) the two are then one call.  Where ``1 / d`` overflows or underflows and
  ``e / d`` does not, the quotient is finite where eager's product is not.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from ..backends import Backend
from .record import Recorder, Ref, Step, Traced

__all__ = [
    "NEVER",
    "Names",
    "Sharing",
    "is_broadcast",
    "last_uses",
    "live_steps",
    "simplify",
    "typed_scalars",
]

NEVER = math.inf  # the last use of a buffer the program returns


def live_steps(steps: list[Step], needed: set[int]) -> list[Step]:
    """The steps whose results reach `needed` (and every random draw), in order."""
    live = []
    for step in reversed(steps):
        if step.impure or any(n in needed for n in step.outs if n is not None):
            live.append(step)
            needed.update(step.reads)
    live.reverse()
    return live


def simplify(
    recorder: Recorder, steps: list[Step], out_set: set[int], exact: bool = False
) -> list[Step]:
    """`steps` without the products with ones and the repeated calls, with products of
    reciprocals as quotients unless `exact` (see the module's docstring); the steps after them
    read the buffers they stand for, and the calls no step reads any more are dropped."""
    backend = recorder.backend
    alias: dict[int, int] = {}
    seen: dict[tuple, int] = {}
    reciprocals: dict[int, int] = {}  # 1 / d -> d
    divide = backend.reuse_kernel(operator.truediv)
    result = []
    for step in steps:
        if alias:
            step = _renamed(step, alias)
        single = None if step.multi else step.outs[0]
        if step.impure or single is None:
            result.append(step)
            continue
        kernel = backend.reuse_kernel(step.fn) if not step.kwargs else None
        if kernel is not None and divide is not None and not exact:
            divisor = _reciprocal_of(kernel, step, recorder)
            if divisor is not None:
                reciprocals[single] = divisor
            elif reciprocals:
                step = _as_quotient(kernel, step, recorder, reciprocals, divide)
                kernel = backend.reuse_kernel(step.fn)
        if single in out_set:
            result.append(step)
            continue
        same = _times_one(kernel, step, recorder) if kernel is not None else None
        if same is not None:
            alias[single] = same
            continue
        key = (kernel or step.fn, _key(step.args), _key(step.kwargs))
        earlier = seen.get(key) if key[1] is not None and key[2] is not None else None
        if earlier is not None:
            alias[single] = earlier
            continue
        if key[1] is not None and key[2] is not None:
            seen[key] = single
        result.append(step)
    if reciprocals:  # (a reciprocal all of whose products became quotients is dead)
        result = live_steps(result, set(out_set))
    return _fold_negations(recorder, result, out_set)


def _is_one(obj: Any, recorder: Recorder) -> bool:
    """Whether `obj` is the number 1 or a constant buffer of ones."""
    if type(obj) in (int, float):
        return obj == 1
    if type(obj) is not Ref or obj.n not in recorder.constant:
        return False
    return bool((recorder.constant[obj.n] == 1).all())


def _reciprocal_of(kernel: Any, step: Step, recorder: Recorder) -> int | None:
    """`d` where `step` is ``1 / d`` or ``reciprocal(d)`` (a floating `d` of the result's shape
    and dtype), else None."""
    name = getattr(kernel, "__name__", "")
    if name == "reciprocal" and len(step.args) == 1:
        one, d = 1, step.args[0]
    elif name in ("divide", "true_divide") and len(step.args) == 2:
        one, d = step.args
    else:
        return None
    if type(d) is not Ref or not _is_one(one, recorder):
        return None
    values = recorder.values
    result, divisor = values[step.outs[0]], values[d.n]  # type: ignore[index]
    if result.dtype.kind != "f" or (divisor.shape, divisor.dtype) != (result.shape, result.dtype):
        return None
    ones = values[one.n] if type(one) is Ref else None
    if ones is not None and (ones.dtype != result.dtype or ones.ndim > result.ndim):
        return None
    return d.n


def _as_quotient(kernel, step: Step, recorder: Recorder, reciprocals: dict, divide) -> Step:
    """`step` as ``divide(e, d)`` where it is ``(1 / d) * e`` or ``e * (1 / d)`` with `e` a
    buffer of the reciprocal's dtype (the product's dtype and shape are then the quotient's), else
    `step` itself."""
    if getattr(kernel, "__name__", "") != "multiply" or len(step.args) != 2:
        return step
    values = recorder.values
    for this, other in (step.args, step.args[::-1]):
        if type(this) is Ref and this.n in reciprocals and type(other) is Ref:
            d = reciprocals[this.n]
            if values[other.n].dtype == values[this.n].dtype:
                args = (other, Ref(d))
                return Step(divide, args, {}, step.outs, False, None, False, _reads(args))
    return step


def _fold_negations(recorder: Recorder, steps: list[Step], out_set: set[int]) -> list[Step]:
    """`steps` with each negation that later steps can absorb dropped: ``-a`` read by
    products and quotients (their results then negated too, ``(-a) * b`` is ``-(a * b)``
    exactly) that end in sums or differences, which subtract instead (``b + (-a)`` *is*
    ``b - a`` in IEEE arithmetic).  Values are unchanged, signed zeros included; a NaN's sign
    may differ."""
    backend = recorder.backend
    kernels = {
        "add": backend.reuse_kernel(operator.add),
        "subtract": backend.reuse_kernel(operator.sub),
    }
    if None in kernels.values():
        return steps
    at = 0
    while at < len(steps):
        step = steps[at]
        if _kernel_name(backend, step) == "negative" and type(step.args[0]) is Ref:
            folded = _absorbed(recorder, steps, at, out_set, kernels)
            if folded is not None:
                steps = folded
                continue
        at += 1
    return steps


def _kernel_name(backend: Backend, step: Step) -> str:
    if step.multi or step.kwargs or step.impure:
        return ""
    return getattr(backend.reuse_kernel(step.fn), "__name__", "")


def _absorbed(recorder, steps, at, out_set, kernels) -> list[Step] | None:
    """`steps` without the negation at `at`, its sign carried to where it is absorbed, or
    None where some reader of a negated value cannot take it."""
    values = recorder.values
    neg = steps[at]
    r, a = neg.outs[0], neg.args[0].n
    if r in out_set or values[r].dtype.kind != "f" or values[a].dtype != values[r].dtype:
        return None
    signed = {r}  # buffers whose new value is minus their old one
    alias = {r: a}
    result = steps[:at]
    for step in steps[at + 1 :]:
        flips = [type(x) is Ref and x.n in signed for x in step.args]
        touched = sum(n in signed for n in step.reads)
        if not touched:
            result.append(_renamed(step, alias))
            continue
        name = _kernel_name(recorder.backend, step)
        out = step.outs[0]
        args = _substitute(step.args, alias)
        if sum(flips) != touched or len(args) != (1 if name == "negative" else 2):
            return None  # (read inside another argument, or by another kernel)
        if name == "negative":  # -(-a): a itself
            if out in out_set:
                return None
            alias[out] = args[0].n  # type: ignore[index]
            continue
        twice = name == "add" and all(flips) and step.args[0].n == step.args[1].n
        if name in ("multiply", "divide", "true_divide") or twice:
            if twice or sum(flips) % 2:  # (-a) + (-a) is -(a + a); (-a) * (-b) is a * b
                if out in out_set or values[out].dtype != values[r].dtype:
                    return None
                signed.add(out)
            result.append(Step(step.fn, args, {}, step.outs, False, None, False, _reads(args)))
            continue
        if name == "add" and not all(flips):  # b + (-a) is b - a
            args = args[::-1] if flips[0] else args
        elif name == "subtract" and flips == [False, True]:  # b - (-a) is b + a
            name = "subtract_"
        else:
            return None
        fn = kernels["subtract" if name == "add" else "add"]
        result.append(Step(fn, args, {}, step.outs, False, None, False, _reads(args)))
    return result


def _reads(args: tuple) -> list[int]:
    return [x.n for x in args if type(x) is Ref]


def _renamed(step: Step, alias: dict[int, int]) -> Step:
    if not any(n in alias for n in step.reads):
        return step
    args = _substitute(step.args, alias)
    kwargs = {k: _substitute(v, alias) for k, v in step.kwargs.items()}
    reads = [alias.get(n, n) for n in step.reads]
    return Step(step.fn, args, kwargs, step.outs, step.multi, step.kind, step.impure, reads)


def _substitute(obj: Any, alias: dict[int, int]) -> Any:
    kind = type(obj)
    if kind is Ref:
        return Ref(alias[obj.n]) if obj.n in alias else obj
    if kind is tuple or kind is list:
        return kind(_substitute(a, alias) for a in obj)
    if kind is dict:
        return {k: _substitute(v, alias) for k, v in obj.items()}
    if kind is slice:
        return slice(*(_substitute(a, alias) for a in (obj.start, obj.stop, obj.step)))
    return obj


def _key(obj: Any) -> Any:
    """A hashable key of a step's arguments: equal keys, equal calls (None: no key)."""
    kind = type(obj)
    if kind is Ref:
        return ("b", obj.n)
    if kind is float or kind is complex:  # by repr: -0.0 is not 0.0, a NaN is a NaN
        return (kind, repr(obj))
    if kind in (int, bool, str, type(None)):
        return (kind, obj)
    if kind is tuple or kind is list or kind is dict:
        items = obj.items() if kind is dict else enumerate(obj)
        keys = []
        for k, v in items:
            inner = _key(v)
            if inner is None:
                return None
            keys.append((k, inner))
        return (kind, tuple(keys))
    if kind is slice:
        return _key(("slice", obj.start, obj.stop, obj.step))
    return ("id", id(obj))  # an array made outside the trace, a dtype, a function


def _times_one(kernel: Any, step: Step, recorder: Recorder) -> int | None:
    """The buffer a product returns unchanged: ``x * c`` (either order) with `c` the number 1
    or a constant of ones and `x` a computed buffer of the result's shape and dtype, else None."""
    if getattr(kernel, "__name__", "") != "multiply" or len(step.args) != 2:
        return None
    values = recorder.values
    result = values[step.outs[0]]  # type: ignore[index]
    for this, other in (step.args, step.args[::-1]):
        if type(this) is not Ref or this.n in recorder.constant:
            continue
        value = values[this.n]
        if value.shape == result.shape and value.dtype == result.dtype and _is_one(other, recorder):
            return this.n
    return None


def typed_scalars(kernel, step: Step, values: list) -> tuple:
    """`step`'s arguments with its Python numbers as 0-d arrays of the result's dtype where
    that computes the same bits (checked on the traced values): a ufunc converts a Python
    number on every call (~1 us, as much as a cheap ufunc over a small block)."""
    args = step.args
    result = values[step.outs[0]]  # type: ignore[index]
    if result.dtype.kind not in "fc" or not any(type(a) in (int, float) for a in args):
        return args
    typed = tuple(np.asarray(a, dtype=result.dtype) if type(a) in (int, float) else a for a in args)
    real = [values[a.n] if type(a) is Ref else a for a in typed]
    with np.errstate(all="ignore"):
        again = np.asarray(kernel(*real))
    if again.dtype != result.dtype or again.tobytes() != np.asarray(result).tobytes():
        return args
    return typed


def last_uses(steps: list[Step], out_refs: list[int]) -> dict[int, float]:
    """Each buffer's last reader (step index); :data:`NEVER` for those the program returns."""
    last: dict[int, float] = {}
    for at, step in enumerate(steps):
        for n in step.outs:
            if n is not None:
                last.setdefault(n, at)  # (a result nobody reads dies where it is made)
        for n in step.reads:
            last[n] = at
    for n in out_refs:
        last[n] = NEVER
    return last


class Sharing:
    """Which buffers share memory (buffer -> the id of its memory's root) and which roots the
    program must never write: those of inputs (but `writable_inputs`), constants, outputs and
    the arrays made outside the trace that the steps read."""

    def __init__(self, recorder, steps, inputs, out_refs, writable_inputs, last):
        backend = recorder.backend
        values = recorder.values
        self.last = last
        group_of: dict[int, Any] = {}
        for n in inputs:
            group_of[n] = id(backend.memory_root(values[n]))
        for step in steps:
            for n in step.outs:
                if n is not None:
                    group_of[n] = id(backend.memory_root(values[n]))
        protected = {group_of[n] for n in inputs if n not in writable_inputs}
        protected.update(group_of[n] for n in out_refs if n in group_of)
        protected.update(id(backend.memory_root(v)) for v in recorder.constant.values())
        for step in steps:
            for value in _outside_arrays((step.args, step.kwargs), recorder.array_types):
                protected.add(id(backend.memory_root(value)))
        self.group_of = group_of
        self.protected = protected
        self.members: dict[Any, set[int]] = {}
        for n, root in group_of.items():
            self.members.setdefault(root, set()).add(n)

    def free_after(self, n: int, at: float) -> bool:
        """Whether buffer `n`'s memory is read by nothing after step `at` (nor outside)."""
        root = self.group_of.get(n)
        if root is None or root in self.protected:
            return False
        return all(self.last.get(m, -1) <= at for m in self.members[root])

    def can_write(self, backend: Backend, recorder: Recorder, step: Step, at: int) -> int | None:
        """The operand of elementwise `step` (the `at`-th) that its result may be written into:
        read once, by its last reader, in memory nothing reads after it, of the result's
        shape, dtype and layout; else None."""
        found = self.writable_operands(backend, recorder, step, at)
        return found[0] if found else None

    def writable_operands(self, backend, recorder: Recorder, step: Step, at: int) -> list[int]:
        """Every operand :meth:`can_write` may choose, in order."""
        result = recorder.values[step.outs[0]]  # type: ignore[index]
        return [
            arg.n
            for arg in step.args
            if type(arg) is Ref
            and self.last.get(arg.n) == at
            and step.reads.count(arg.n) == 1
            and self.free_after(arg.n, at)
            and _same_layout(backend, recorder.values[arg.n], result)
        ]

    def share(self, out: int, operand: int) -> None:
        """`out` is held in `operand`'s memory: so are the views made of it."""
        group_of, members = self.group_of, self.members
        old, new = group_of[out], group_of[operand]
        if old == new:
            return
        for m in members.pop(old, ()):
            group_of[m] = new
            members[new].add(m)
        if old in self.protected:
            self.protected.add(new)


def _outside_arrays(obj: Any, array_types: tuple) -> list:
    found = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, array_types):
            found.append(item)
    return found


def _same_layout(backend: Backend, operand: Any, result: Any) -> bool:
    return (
        backend.writable(operand)
        and operand.shape == result.shape
        and operand.dtype == result.dtype
        and backend.layout(operand) == backend.layout(result)
    )


def is_broadcast(value: Any) -> bool:
    """Whether `value` is one element broadcast (every stride 0, as ``broadcast_to`` makes)."""
    return value.ndim > 0 and not any(getattr(value, "strides", (1,)))


_LITERALS = (int, str, bool, type(None))


class Names:
    """The globals of a program's source: functions and constants, one name per object."""

    def __init__(self, recorder: Recorder):
        self.recorder = recorder
        self.env: dict[str, Any] = {}
        self._by_id: dict[int, str] = {}
        self.override: dict[int, Any] = {}  # constants read as another array (a 0-d one)

    def glob(self, obj: Any) -> str:
        name = self._by_id.get(id(obj))
        if name is None:
            name = self._by_id[id(obj)] = f"g{len(self._by_id)}"
            self.env[name] = obj
        return name

    def constant(self, n: int) -> str:
        return self.glob(self.override.get(n, self.recorder.constant[n]))

    def expr(self, args: tuple, holder: dict[int, str]) -> str:
        return ", ".join(self.one(a, holder) for a in args)

    def expr_kwargs(self, kwargs: dict, holder: dict[int, str]) -> str:
        return ", ".join(f"{k}={self.one(v, holder)}" for k, v in kwargs.items())

    def one(self, obj: Any, holder: dict[int, str]) -> str:
        kind = type(obj)
        if kind is Ref:
            n = obj.n
            return holder[n] if n in holder else self.constant(n)
        if kind in _LITERALS or (kind is float and math.isfinite(obj)):
            return repr(obj)
        if obj is Ellipsis:
            return "..."
        if kind is tuple:
            inner = ", ".join(self.one(a, holder) for a in obj)
            return f"({inner}{',' if len(obj) == 1 else ''})"
        if kind is list:
            return f"[{', '.join(self.one(a, holder) for a in obj)}]"
        if kind is dict and all(type(k) is str for k in obj):
            return "{" + ", ".join(f"{k!r}: {self.one(v, holder)}" for k, v in obj.items()) + "}"
        if kind is slice:
            return f"slice({self.one(obj.start, holder)}, {self.one(obj.stop, holder)}, " + (
                f"{self.one(obj.step, holder)})"
            )
        return self.glob(obj)

    def output(self, obj: Any, holder: dict[int, str]) -> str:
        """A returned value: a buffer, or a copy of a constant (a caller may write into it)."""
        if type(obj) is Traced:
            n = obj.n
            if n in holder:
                return holder[n]
            obj = self.recorder.constant[n]
        return f"{self.glob(self.recorder.backend.copy)}({self.glob(obj)})"
