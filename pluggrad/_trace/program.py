"""The planner: a recorded trace turned into one Python function of the backend's kernel calls.

:func:`build` takes the :class:`~pluggrad._trace.record.Recorder` of a trace, the buffers that
are the program's inputs and those it returns, and writes the source of a function that makes
exactly the recorded calls, nothing else (no Tensor, node or engine work), then compiles it
with ``exec``.  On the way it plans:

* **dead code**: a call none of whose results reaches an output is dropped (random draws
  excepted: they advance the generator);
* **constants**: buffers computed from no input, or from an input's shape and dtype only
  (``ones_like``: the cache key fixes them), were computed once while tracing; the program
  reads them as globals;
* **products with ones** (the gradient of a sum, broadcast, times a buffer) are that buffer:
  ``x * 1.0`` is ``x`` bit for bit;
* **dead buffers** are released (``del``) right after their last reader, so a step holds no
  more memory than its live values;
* **reuse**: where the backend writes arrays in place (:meth:`Backend.reuse_kernel
  <pluggrad.backends.Backend.reuse_kernel>`: NumPy's ufuncs with ``out=``), an elementwise
  call writes its result into an operand that dies at that call and whose memory nothing else
  reads: no other live buffer, input, constant or output shares it (the backend's
  :meth:`~pluggrad.backends.Backend.memory_root` says which buffers share memory).  Gradient
  accumulation and chains of elementwise operations then run in one buffer, and an argument
  updated in place by the function (an optimizer step) or its ``.grad`` (accumulation) is
  written in place, as the eager call writes it;
* **blocks**: a program whose every call is elementwise over one shape (the gradient of an
  elementwise function: W4) runs over flat blocks of :data:`BLOCK` elements, so that its
  temporaries stay in cache and take one block each; results are gathered into whole arrays
  (an argument updated in place is written block by block).  A constant that is one value
  broadcast (``ones_like`` then ``broadcast_to``: the gradient of a sum) is read as a 0-d
  array.

Results are bit-identical to eager ones: the same kernels run on the same values in the same
order (blocks are multiples of any SIMD width, so each element takes the same path).

With the environment variable ``PLUGGRAD_COMPILE_DEBUG=1`` the program also *poisons* every
buffer it releases whose memory the planner considers free (fills it with NaN, through
:meth:`Backend.poison <pluggrad.backends.Backend.poison>`): a buffer released or reused while
something still reads it then shows as NaN in the results, which the compile tests catch.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

from ..backends import Backend
from .record import Recorder, Ref, Step, Traced

__all__ = ["Program", "build", "debug_enabled"]


def debug_enabled() -> bool:
    """Whether programs poison the buffers they release (``PLUGGRAD_COMPILE_DEBUG=1``)."""
    return os.environ.get("PLUGGRAD_COMPILE_DEBUG", "") not in ("", "0")


_NEVER = math.inf  # the last use of a buffer the program returns


class Program:
    """A planned program: ``run(*inputs)`` returns the output arrays in order.  ``source`` is
    its Python text, ``steps`` the number of kernel calls it makes, ``reused`` how many write
    into an operand."""

    __slots__ = ("run", "source", "steps", "reused")

    def __init__(self, run: Callable, source: str, steps: int, reused: int):
        self.run = run
        self.source = source
        self.steps = steps
        self.reused = reused


def build(
    recorder: Recorder,
    inputs: list[int],
    outputs: list[Any],
    writable_inputs: frozenset[int] = frozenset(),
    debug: bool | None = None,
) -> Program:
    """Plan the recorded steps into a program of `inputs` (buffers) returning `outputs`
    (buffers as :class:`~pluggrad._trace.record.Traced`, or arrays made outside the trace).

    `writable_inputs` are inputs that the function replaces anyway (an argument updated in
    place, a ``.grad`` accumulated into) and that the caller's tensor owns: the program may
    write into them at their last use."""
    backend = recorder.backend
    debug = debug_enabled() if debug is None else debug
    out_refs = [o.n for o in outputs if type(o) is Traced]
    out_set = set(out_refs)
    steps = _live_steps(recorder.steps, set(out_refs))
    last = _last_uses(steps, out_refs)
    names = _Names(recorder)
    protected, group_of = _memory(backend, recorder, steps, inputs, out_refs, writable_inputs)
    members: dict[Any, set[int]] = {}
    for n, root in group_of.items():
        members.setdefault(root, set()).add(n)

    def free_after(n: int, at: int) -> bool:
        """Whether buffer `n`'s memory is read by nothing after step `at` (nor outside)."""
        root = group_of.get(n)
        if root is None or root in protected:
            return False
        return all(last.get(m, -1) <= at for m in members[root])

    lines: list[str] = []
    reused = 0
    holder: dict[int, str] = {}  # buffer -> the variable holding it
    for n in inputs:
        holder[n] = f"b{n}"
    shape = _blockable(backend, recorder, steps, inputs, outputs)
    sliced: list[int] = []  # the buffers a blocked program reads block by block
    if shape is not None:
        sliced = [n for n in inputs if recorder.values[n].shape == shape]
        for n in sorted({n for step in steps for n in step.reads if n in recorder.constant}):
            value = recorder.values[n]
            if value.shape == shape:
                if _is_broadcast(value):  # one value everywhere: read as a 0-d array
                    names.override[n] = value.reshape(-1)[:1].reshape(()).copy()
                else:
                    holder[n] = f"b{n}"
                    sliced.append(n)
    var_last: dict[str, float] = {}
    emitted: list[tuple[str, list[str]]] = []  # (line, variables it reads or writes)
    for at, step in enumerate(steps):
        args = names.expr(step.args, holder)
        kwargs = names.expr_kwargs(step.kwargs, holder)
        target = None
        kernel = None
        single = None if step.multi else step.outs[0]
        if single is not None and not step.kwargs:
            kernel = backend.reuse_kernel(step.fn)
        if kernel is not None and single is not None:
            out_value = recorder.values[single]
            for arg in step.args:
                if (
                    type(arg) is Ref
                    and last.get(arg.n) == at
                    and step.reads.count(arg.n) == 1
                    and free_after(arg.n, at)
                    and _same_layout(backend, recorder.values[arg.n], out_value)
                ):
                    target = arg.n
                    break
        used = [holder[n] for n in step.reads if n in holder]  # (not the constants)
        same = None
        if kernel is not None and single is not None and single not in out_set:
            same = _times_one(kernel, step, recorder, holder)

        def share(out: int, operand: int) -> None:
            """`out` is held in `operand`'s memory: so are the views made of it."""
            old, new = group_of[out], group_of[operand]
            for m in members.pop(old, ()):
                group_of[m] = new
                members[new].add(m)
            if old in protected:
                protected.add(new)

        if same is not None and single is not None:  # x * 1: x itself, bit for bit
            holder[single] = holder[same]
            share(single, same)
            emitted.append(("", used))
        elif target is not None and single is not None:
            var = holder[target]
            fn = names.glob(kernel)
            holder[single] = var
            share(single, target)
            emitted.append((f"{var} = {fn}({args}, out={var})", used))
            reused += 1
        else:
            fn = names.glob(step.fn)
            call = f"{fn}({args}{', ' if args and kwargs else ''}{kwargs})"
            outs = []
            for n in step.outs:
                if n is None:
                    outs.append("_")
                else:
                    holder[n] = f"b{n}"
                    outs.append(holder[n])
            if step.multi:
                lhs = ", ".join(outs) + ("," if len(outs) == 1 else "")
                emitted.append((f"{lhs} = {call}", used + [o for o in outs if o != "_"]))
            else:
                emitted.append((f"{outs[0]} = {call}", used + outs[:1]))
        for n in step.outs:
            if n is not None:
                var_last[holder[n]] = max(var_last.get(holder[n], -1), last.get(n, at))
        for n in step.reads:
            if n in holder:
                var_last[holder[n]] = max(var_last.get(holder[n], -1), last.get(n, at))
    returned = [names.output(o, holder) for o in outputs]
    # release each variable after its last reader, poisoned first in debug mode
    final: dict[str, int] = {}
    for index, (_, used) in enumerate(emitted):
        for var in used:
            if var_last.get(var, _NEVER) != _NEVER:
                final[var] = index
    released: dict[int, list[str]] = {}
    for var, index in final.items():
        released.setdefault(index, []).append(var)
    owner = {var: n for n, var in holder.items()}  # a variable's last buffer
    for index, (line, _) in enumerate(emitted):
        if line:
            lines.append(line)
        for var in sorted(released.get(index, ())):
            if debug and free_after(owner[var], index):
                lines.append(f"_poison({var})")
            lines.append(f"del {var}")
    names.env["_poison"] = backend.poison
    params = ", ".join(f"b{n}" for n in inputs)
    if shape is not None:
        lines, returned = _blocked(lines, inputs, outputs, holder, sliced, shape, names)
    body = "\n    ".join(lines + [f"return ({', '.join(returned)}{',' if returned else ''})"])
    source = f"def program({params}):\n    {body}\n"
    namespace = dict(names.env)
    exec(compile(source, "<pluggrad.compile program>", "exec"), namespace)
    return Program(namespace["program"], source, len(steps), reused)


# elements per block of a blocked program (float32: 64 KiB per temporary, a few in L2 cache);
# a multiple of any SIMD width, so every block but the last is processed as in a whole array
BLOCK = 16384


def _blockable(backend, recorder, steps, inputs, outputs) -> tuple | None:
    """The shape of a program that can run block by block, or None.

    Every step must be elementwise (the backend has a reuse kernel for it) with results of one
    shape, reading buffers of that shape (C-contiguous) or 0-d ones; every output is a result
    of that shape, and it has at least two blocks of elements.  Running such a program over
    flat slices keeps its temporaries in cache and its memory to one block per temporary;
    each element goes through the same kernels, so results are bit-identical."""
    if not steps:
        return None
    values = recorder.values
    shape = values[steps[0].outs[0]].shape if steps[0].outs[0] is not None else None
    if shape is None or math.prod(shape) < 2 * BLOCK:
        return None
    for step in steps:
        if step.multi or step.kwargs or step.impure or backend.reuse_kernel(step.fn) is None:
            return None
        if values[step.outs[0]].shape != shape:
            return None
        whole = False  # whether the step reads a buffer of the shape (not a broadcast)
        for arg in step.args:
            if type(arg) is Ref:
                value = values[arg.n]
                if value.shape != shape and value.ndim != 0:
                    return None
                if value.shape == shape and not value.flags.c_contiguous:
                    if not (arg.n in recorder.constant and _is_broadcast(value)):
                        return None
                else:
                    whole = whole or value.shape == shape
            elif isinstance(arg, recorder.array_types) and arg.ndim != 0:
                return None
        if not whole:
            return None
    made = {n for step in steps for n in step.outs}
    for out in outputs:
        if type(out) is not Traced or out.n not in made:
            return None
    return shape


def _times_one(kernel: Callable, step: Step, recorder: Recorder, holder: dict) -> int | None:
    """The buffer a product returns unchanged: ``x * c`` (either order) with `c` a constant of
    ones (the gradient of a sum, broadcast) and `x` a buffer of the result's shape and dtype
    (``x * 1.0`` is `x`, NaN, infinities and signed zeros included), else None."""
    if getattr(kernel, "__name__", "") != "multiply" or len(step.args) != 2:
        return None
    values, constant = recorder.values, recorder.constant
    result = values[step.outs[0]]  # type: ignore[index]
    for this, other in (step.args, step.args[::-1]):
        if type(this) is not Ref or this.n not in holder or type(other) is not Ref:
            continue
        ones = constant.get(other.n)
        value = values[this.n]
        if (
            ones is not None
            and value.shape == result.shape
            and value.dtype == result.dtype
            and bool((ones == 1).all())
        ):
            return this.n
    return None


def _is_broadcast(value: Any) -> bool:
    """Whether `value` is one element broadcast (every stride 0, as ``broadcast_to`` makes)."""
    return value.ndim > 0 and not any(getattr(value, "strides", (1,)))


def _blocked(lines, inputs, outputs, holder, sliced, shape, names):
    """`lines` (a program's body) run over flat blocks of the `sliced` buffers, the outputs
    gathered into whole arrays."""
    size = math.prod(shape)
    # the whole (0-d) inputs are read by every block: released by none
    whole_inputs = {f"b{n}" for n in inputs if n not in sliced}
    kept = {f"del {v}" for v in whole_inputs} | {f"_poison({v})" for v in whole_inputs}
    lines = [line for line in lines if line not in kept]
    head = []
    for n in sliced:
        constant = names.recorder.constant
        whole = names.glob(constant[n]) if n in constant else f"b{n}"
        head.append(f"F{n} = {whole}")
        head.append(f"f{n} = F{n}.reshape(-1)")
    inner = [f"b{n} = f{n}[_i:_i + {BLOCK}]" for n in sliced]
    full = {f"b{n}": f"F{n}" for n in sliced}
    gathered: dict[str, str] = {}
    new_returned = []
    empty = names.glob(names.recorder.backend.xp.empty)
    for out in outputs:
        var = holder[out.n]
        if var in full:  # written in place into an input, block by block
            new_returned.append(full[var])
            continue
        if var not in gathered:
            k = len(gathered)
            value = names.recorder.values[out.n]
            dtype = names.glob(value.dtype)
            head.append(f"O{k} = {empty}({shape!r}, dtype={dtype})")
            head.append(f"o{k} = O{k}.reshape(-1)")
            gathered[var] = f"O{k}"
            inner_copy = f"o{k}[_i:_i + {BLOCK}] = {var}"
            lines = lines + [inner_copy]
        new_returned.append(gathered[var])
    loop = [f"for _i in range(0, {size}, {BLOCK}):"]
    loop += ["    " + line for line in inner + lines]
    return head + loop, new_returned


def _live_steps(steps: list[Step], needed: set[int]) -> list[Step]:
    """The steps whose results reach `needed` (and every random draw), in order."""
    live = []
    for step in reversed(steps):
        if step.impure or any(n in needed for n in step.outs if n is not None):
            live.append(step)
            needed.update(step.reads)
    live.reverse()
    return live


def _last_uses(steps: list[Step], out_refs: list[int]) -> dict[int, float]:
    last: dict[int, float] = {}
    for at, step in enumerate(steps):
        for n in step.outs:
            if n is not None:
                last.setdefault(n, at)  # (a result nobody reads dies where it is made)
        for n in step.reads:
            last[n] = at
    for n in out_refs:
        last[n] = _NEVER
    return last


def _memory(backend, recorder, steps, inputs, out_refs, writable_inputs):
    """Which buffers share memory (buffer -> the id of its memory's root) and which roots the
    program must never write: those of inputs (but `writable_inputs`), constants, outputs and
    the arrays made outside the trace that the steps read."""
    values = recorder.values
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
    return protected, group_of


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


_LITERALS = (int, str, bool, type(None))


class _Names:
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
