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
* **rewrites** (:func:`~pluggrad._trace.plan.simplify`): products with the ones of a sum's
  gradient are their other operand, a call repeating an earlier one is its result, a
  negation read by products and quotients that end in sums is folded into those sums
  (``c + (-a) * b`` runs as ``c - a * b``), and, unless ``exact``, a product with a
  reciprocal is a quotient (``(1 / d) * e`` runs as ``e / d``);
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
* **blocks** (:mod:`~pluggrad._trace.blocks`): a program whose every call is elementwise over
  one shape (the gradient of an elementwise function: W4) runs over flat blocks sized to stay
  in cache, every call writing into an operand, the output's block or a scratch block
  allocated once per call.

Results are bit-identical to eager ones: the same kernels run on the same values in the same
order (blocks are multiples of any SIMD width, so each element takes the same path).  The
exceptions: the sign of a NaN where a negation was folded into a sum, and, unless ``exact``,
the last bit of a product with a reciprocal computed as a quotient (one rounding instead of
two).

With the environment variable ``PLUGGRAD_COMPILE_DEBUG=1`` the program also *poisons* every
buffer it releases whose memory the planner considers free (fills it with NaN, through
:meth:`Backend.poison <pluggrad.backends.Backend.poison>`): a buffer released or reused while
something still reads it then shows as NaN in the results, which the compile tests catch.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .blocks import BLOCK, blockable, blocked
from .plan import NEVER, Names, Sharing, last_uses, live_steps, simplify, typed_scalars
from .record import Recorder, Traced

__all__ = ["BLOCK", "Program", "build", "debug_enabled"]


def debug_enabled() -> bool:
    """Whether programs poison the buffers they release (``PLUGGRAD_COMPILE_DEBUG=1``)."""
    return os.environ.get("PLUGGRAD_COMPILE_DEBUG", "") not in ("", "0")


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
    exact: bool = False,
) -> Program:
    """Plan the recorded steps into a program of `inputs` (buffers) returning `outputs`
    (buffers as :class:`~pluggrad._trace.record.Traced`, or arrays made outside the trace).

    `writable_inputs` are inputs that the function replaces anyway (an argument updated in
    place, a ``.grad`` accumulated into) and that the caller's tensor owns: the program may
    write into them at their last use.  `exact` leaves out the rewrites that change rounding
    (see :mod:`.plan`)."""
    backend = recorder.backend
    debug = debug_enabled() if debug is None else debug
    out_refs = [o.n for o in outputs if type(o) is Traced]
    out_set = set(out_refs)
    steps = simplify(recorder, live_steps(recorder.steps, set(out_refs)), out_set, exact)
    names = Names(recorder)
    names.env["_poison"] = backend.poison
    params = ", ".join(f"b{n}" for n in inputs)
    shape = blockable(recorder, steps, outputs)
    if shape is not None:
        lines, returned, reused = blocked(
            recorder, steps, inputs, outputs, writable_inputs, names, debug, shape
        )
    else:
        lines, returned, reused = _whole(
            recorder, steps, inputs, outputs, writable_inputs, names, debug
        )
    body = "\n    ".join(lines + [f"return ({', '.join(returned)}{',' if returned else ''})"])
    source = f"def program({params}):\n    {body}\n"
    namespace = dict(names.env)
    exec(compile(source, "<pluggrad.compile program>", "exec"), namespace)
    return Program(namespace["program"], source, len(steps), reused)


def _whole(recorder, steps, inputs, outputs, writable_inputs, names, debug):
    """The body of a program over whole arrays: its lines, the expressions it returns and how
    many steps write into an operand."""
    backend = recorder.backend
    out_refs = [o.n for o in outputs if type(o) is Traced]
    last = last_uses(steps, out_refs)
    sharing = Sharing(recorder, steps, inputs, out_refs, writable_inputs, last)
    reused = 0
    holder: dict[int, str] = {n: f"b{n}" for n in inputs}  # buffer -> the variable holding it
    var_last: dict[str, float] = {}
    emitted: list[tuple[str, list[str]]] = []  # (line, variables it reads or writes)
    for at, step in enumerate(steps):
        args = names.expr(step.args, holder)
        kwargs = names.expr_kwargs(step.kwargs, holder)
        single = None if step.multi else step.outs[0]
        kernel = None
        if single is not None and not step.kwargs:
            kernel = backend.reuse_kernel(step.fn)
        target = None
        fn = backend.replay_kernel(step.fn)
        if kernel is not None:
            target = sharing.can_write(backend, recorder, step, at)
            typed = typed_scalars(kernel, step, recorder.values)
            if typed is not step.args:  # (Python numbers as 0-d arrays: the kernel's call)
                args, fn = names.expr(typed, holder), kernel
        used = [holder[n] for n in step.reads if n in holder]  # (not the constants)
        if target is not None and single is not None:
            var = holder[target]
            holder[single] = var
            sharing.share(single, target)
            emitted.append((f"{var} = {names.glob(kernel)}({args}, out={var})", used))
            reused += 1
        else:
            call = f"{names.glob(fn)}({args}{', ' if args and kwargs else ''}{kwargs})"
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
        for n in (*step.outs, *step.reads):
            if n is not None and n in holder:
                var_last[holder[n]] = max(var_last.get(holder[n], -1), last.get(n, at))
    returned = [names.output(o, holder) for o in outputs]
    # release each variable after its last reader, poisoned first in debug mode
    final: dict[str, int] = {}
    for index, (_, used) in enumerate(emitted):
        for var in used:
            if var_last.get(var, NEVER) != NEVER:
                final[var] = index
    released: dict[int, list[str]] = {}
    for var, index in final.items():
        released.setdefault(index, []).append(var)
    owner = {var: n for n, var in holder.items()}  # a variable's last buffer
    lines: list[str] = []
    for index, (line, _) in enumerate(emitted):
        if line:
            lines.append(line)
        for var in sorted(released.get(index, ())):
            if debug and sharing.free_after(owner[var], index):
                lines.append(f"_poison({var})")
            lines.append(f"del {var}")
    return lines, returned, reused
