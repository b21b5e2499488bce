"""Programs that run block by block: a trace whose every call is elementwise over one shape
(the gradient of an elementwise function: W4) runs over flat slices of :data:`BLOCK` elements.

Every call writes its result with the backend's reuse kernel (NumPy's ufunc with ``out=``):
into an operand that dies at that call where :meth:`Sharing.can_write
<pluggrad._trace.plan.Sharing.can_write>` allows it (a chain of elementwise calls then runs in
one buffer, an argument updated in place is written where it is), into the block of the
output it ends in (so no block is copied out), or else into a scratch block allocated once
per call: buffers whose lifetimes do not overlap share one (an interval allocation, per
dtype).  A step's temporaries thus stay in cache and take one block each, and the loop
allocates nothing.  A constant that is one value broadcast (``ones_like`` then
``broadcast_to``: the gradient of a sum) is read as a 0-d array.

Each element goes through the same kernels in the same order as in the whole arrays, and a
block is a multiple of any SIMD width, so results are bit-identical to eager ones.  In debug
mode a scratch block is poisoned (NaN) as soon as its last reader has run.
"""

from __future__ import annotations

import math
from typing import Any

from .plan import NEVER, Names, Sharing, is_broadcast, last_uses, typed_scalars
from .record import Recorder, Ref, Step, Traced

__all__ = ["BLOCK", "blockable", "blocked"]

# elements per block at least (float32: 64 KiB per temporary), a multiple of any SIMD width,
# so that every block but the last is processed as in a whole array; blocks are larger where
# the blocks a step works on (inputs, outputs, scratch) fit :data:`CACHE` bytes: fewer kernel
# calls, whose cost per call (~1 us) matters next to a cheap ufunc over a block (~4 us)
BLOCK = 16384
CACHE = 1 << 20  # bytes: half an L2 cache of current x86 server cores
_GRAIN = 4096  # (a block's size is a multiple of it)


def blockable(recorder: Recorder, steps: list[Step], outputs: list) -> tuple | None:
    """The shape of a program that can run block by block, or None.

    Every step must be elementwise (the backend has a reuse kernel for it) with results of one
    shape, reading buffers of that shape (C-contiguous) or 0-d ones; every output is a result
    of that shape, and it has at least two blocks of elements."""
    if not steps:
        return None
    backend = recorder.backend
    values = recorder.values
    shape = values[steps[0].outs[0]].shape if steps[0].outs[0] is not None else None
    if shape is None or math.prod(shape) < 2 * BLOCK:
        return None
    for step in steps:
        if step.multi or step.kwargs or step.impure or backend.reuse_kernel(step.fn) is None:
            return None
        if values[step.outs[0]].shape != shape:  # type: ignore[index]
            return None
        whole = False  # whether the step reads a buffer of the shape (not a broadcast)
        for arg in step.args:
            if type(arg) is Ref:
                value = values[arg.n]
                if value.shape != shape and value.ndim != 0:
                    return None
                if value.shape == shape and not value.flags.c_contiguous:
                    if not (arg.n in recorder.constant and is_broadcast(value)):
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


def blocked(
    recorder: Recorder,
    steps: list[Step],
    inputs: list[int],
    outputs: list,
    writable_inputs: frozenset[int],
    names: Names,
    debug: bool,
    shape: tuple,
) -> tuple[list[str], list[str], int]:
    """The body of a blocked program (its lines, the expressions it returns, and how many
    steps write into an operand)."""
    backend = recorder.backend
    values, constant = recorder.values, recorder.constant
    out_refs = [o.n for o in outputs]
    last = last_uses(steps, out_refs)
    sharing = Sharing(recorder, steps, inputs, out_refs, writable_inputs, last)
    size = math.prod(shape)
    holder = {n: f"b{n}" for n in inputs}
    sliced = [n for n in inputs if values[n].shape == shape]
    for n in sorted({n for step in steps for n in step.reads if n in constant}):
        if values[n].shape == shape:
            if is_broadcast(values[n]):  # one value everywhere: read as a 0-d array
                names.override[n] = values[n].reshape(-1)[:1].reshape(()).copy()
            else:
                holder[n] = f"b{n}"
                sliced.append(n)
    head: list[str] = []
    inner: list[str] = []
    for n in sliced:
        head.append(f"F{n} = {names.constant(n) if n in constant else f'b{n}'}")
        head.append(f"f{n} = F{n}.reshape(-1)")
        inner.append(f"b{n} = f{n}[_i:_j]")

    # which memory each result is written into: an operand's (one class: a chain), or its own
    klass: dict[int, int] = {}  # buffer -> its class
    members: list[list[int]] = []
    options = [sharing.writable_operands(backend, recorder, s, at) for at, s in enumerate(steps)]
    targets: list[int | None] = [found[0] if found else None for found in options]
    _steer(backend, steps, options, targets, out_refs)
    for at, step in enumerate(steps):
        r: int = step.outs[0]  # type: ignore[assignment]
        target = targets[at]
        if target is None:
            klass[r] = len(members)
            members.append([r])
            continue
        sharing.share(r, target)
        if target not in klass:  # an input's memory, written block by block
            klass[target] = len(members)
            members.append([target])
        klass[r] = klass[target]
        members[klass[target]].append(r)

    # where each class lives: an input's block, an output's block or a scratch block
    location: dict[int, str] = {}
    whole: dict[int, str] = {}  # an output's class -> its whole array
    returned: list[str] = []
    empty = names.glob(backend.xp.empty)
    for out in outputs:
        c = klass[out.n]
        first = members[c][0]
        if first in sliced:  # an input updated in place: returned whole
            returned.append(f"F{first}")
            continue
        if c not in location:
            k = len(location)
            head.append(f"O{k} = {empty}({shape!r}, dtype={names.glob(values[out.n].dtype)})")
            head.append(f"o{k} = O{k}.reshape(-1)")
            location[c], whole[c] = f"o{k}[_i:_j]", f"O{k}"
        returned.append(whole[c])
    scratch, released = _scratch(members, location, steps, last, values, klass, sliced)
    per_element = sum(values[n].dtype.itemsize for n in sliced)
    per_element += sum(values[o.n].dtype.itemsize for o in outputs)
    per_element += sum(dtype.itemsize for _, dtype in scratch)
    block = max(BLOCK, CACHE // per_element // _GRAIN * _GRAIN)
    block = min(block, size)
    for name, dtype in scratch:
        head.append(f"{name} = {empty}(({block},), dtype={names.glob(dtype)})")
    body = []
    for at, step in enumerate(steps):
        r = step.outs[0]  # type: ignore[assignment]
        target = targets[at]
        kernel = backend.reuse_kernel(step.fn)
        args = names.expr(typed_scalars(kernel, step, values), holder)
        where = holder[target] if target is not None else location[klass[r]]
        holder[r] = f"b{r}"
        body.append(f"b{r} = {names.glob(kernel)}({args}, out={where})")
        if debug:
            body.extend(f"_poison({name})" for name in released.get(at, ()))
    loop = [f"for _i in range(0, {size}, {block}):", f"    _j = _i + {block}"]
    if size % block:  # the last block is shorter: so are the scratch blocks
        loop += [f"    if _j > {size}:", f"        _j = {size}"]
        loop += [f"        {name} = {name}[:{size % block}]" for name, _ in scratch]
    loop += ["    " + line for line in inner + body]
    return head + loop, returned, sum(t is not None for t in targets)


# kernels that compute for long enough per element to hide the first write into cold memory
_EXPENSIVE = frozenset(
    {"sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
     "arcsinh", "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
     "power", "float_power", "sqrt", "cbrt", "logaddexp", "logaddexp2", "hypot"}
)  # fmt: skip


def _steer(backend, steps: list[Step], options: list, targets: list, out_refs: list) -> None:
    """Choose, among the operands a step may write into, those that make each output's chain
    start with an expensive call (a transcendental function): the first write into the
    output's block, cold memory, then overlaps with computing instead of stalling a cheap
    call (W4: ``1 / d`` written into the output cost as much as a ``sin``).  An output
    whose chain runs in an input's memory (updated in place) is left as it is."""
    made = {step.outs[0]: at for at, step in enumerate(steps)}
    expensive = [
        getattr(backend.reuse_kernel(step.fn), "__name__", "") in _EXPENSIVE for step in steps
    ]
    starts_costly: dict[int, bool] = {}  # whether a chain can end in this buffer from one
    for at, step in enumerate(steps):
        costly = expensive[at] or any(starts_costly.get(n, False) for n in options[at])
        starts_costly[step.outs[0]] = costly  # type: ignore[index]
    for out in out_refs:
        n = out
        while n in made and targets[made[n]] is not None:  # the chain as chosen so far
            n = targets[made[n]]
        if n not in made:  # in an input's memory
            continue
        n = out
        while n in made:
            at = made[n]
            pick = next((c for c in options[at] if starts_costly.get(c, False)), None)
            if pick is None:
                if expensive[at]:  # the chain starts here
                    targets[at] = None
                break
            targets[at] = n = pick


def _scratch(members, location, steps, last, values, klass, sliced):
    """Scratch blocks for the classes without a place: ``(name, dtype)`` of each, and the
    class-to-name assignment written into `location`; also, per step, the scratch blocks
    free after it (poisoned in debug mode).  Classes whose lifetimes do not overlap share a
    block (first fit, in the order they start)."""
    start = {}
    for at, step in enumerate(steps):
        start.setdefault(klass[step.outs[0]], at)
    scratch: list[tuple[str, Any]] = []
    free_from: list[float] = []  # per scratch block: the first step that may write it
    released: dict[int, list[str]] = {}
    for c, group in enumerate(members):
        if c in location or group[0] in sliced:
            continue
        end = max(last.get(m, start[c]) for m in group)
        assert end != NEVER, "a class ending in an output has the output's place"
        dtype = values[group[0]].dtype
        for i, (_, kind) in enumerate(scratch):
            if kind == dtype and free_from[i] <= start[c]:
                break
        else:
            i = len(scratch)
            scratch.append((f"S{i}", dtype))
            free_from.append(0)
        free_from[i] = end + 1
        location[c] = scratch[i][0]
        released.setdefault(int(end), []).append(scratch[i][0])
    return scratch, released
