"""Random autograd graphs, written once and run by pluggrad and by PyTorch (the differential
oracle of ``test_random_graphs``).

A graph is plain data (JSON): float64 leaf inputs whose values are multiples of 0.5 (so that
``abs``, ``relu``, ``maximum``, ``amax``, ``max(dim)``, ``clamp`` and masks meet their ties and
zeros), then steps that each make one tensor from earlier ones: elementwise functions,
broadcasting binary operations, reductions with and without ``keepdim``, batched ``matmul``,
basic and advanced indexing, assignment into a clone, in-place operations, views (and in-place
changes through a view of a non-leaf), and a gradient hook on one intermediate.
:func:`graphs` is the hypothesis strategy that draws them; :func:`run` runs one with a
namespace ``T`` (``pluggrad`` or ``torch``, the same code) and reports what the test compares:
the outputs, gradients from ``backward()`` (and accumulated by a second one), from
``autograd.grad`` with given ``grad_outputs``, second derivatives, the hook's calls, and which
calls raise (a third ``backward()`` once the graph is freed, an in-place change of a saved
value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

# ---- operations ---------------------------------------------------------------------------------
# name -> fn(T, x); each keeps the shape and is defined (finite) everywhere
UNARY: dict[str, Callable] = {
    "sin": lambda T, x: T.sin(x),
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: T.sigmoid(x),
    "gauss": lambda T, x: T.exp(-x * x),
    "abs": lambda T, x: x.abs(),
    "relu": lambda T, x: T.relu(x),
    "square": lambda T, x: x**2,
    "neg": lambda T, x: -x,
    "soft_reciprocal": lambda T, x: 1 / (1 + x * x),
    "soft_sqrt": lambda T, x: T.sqrt(x * x + 1),
    "clamp": lambda T, x: x.clamp(-0.5, 0.5),
    "log1p_abs": lambda T, x: T.log1p(x.abs()),
    "scale": lambda T, x: 2.5 * x - 1,
    "cumsum": lambda T, x: T.cumsum(x, dim=-1),
}
# name -> fn(T, a, b) for shapes that broadcast together
BINARY: dict[str, Callable] = {
    "add": lambda T, a, b: a + b,
    "sub": lambda T, a, b: a - b,
    "mul": lambda T, a, b: a * b,
    "soft_div": lambda T, a, b: a / (1 + b * b),
    "maximum": lambda T, a, b: T.maximum(a, b),
    "minimum": lambda T, a, b: T.minimum(a, b),
    "where": lambda T, a, b: T.where(a > b, a, b),
    "hypot_soft": lambda T, a, b: T.hypot(a, b + 1.5),
}
# name -> fn(T, x, dim, keepdim)
REDUCTIONS: dict[str, Callable] = {
    "sum": lambda T, x, d, k: x.sum(dim=d, keepdim=k),
    "mean": lambda T, x, d, k: T.mean(x, dim=d, keepdim=k),
    "amax": lambda T, x, d, k: T.amax(x, dim=d, keepdim=k),
    "max_values": lambda T, x, d, k: x.max(dim=d, keepdim=k).values,
    "min_values": lambda T, x, d, k: T.min(x, d, k)[0],
    "logsumexp": lambda T, x, d, k: T.logsumexp(x, dim=d, keepdim=k),
    "norm": lambda T, x, d, k: x.norm(dim=d, keepdim=k),
    "prod": lambda T, x, d, k: x.prod(dim=d, keepdim=k),
}
SHAPES = [(3,), (2, 3), (3, 1), (1, 3), (2, 1, 3), (4,), (3, 3)]


def _broadcast(*shapes) -> tuple | None:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def _broadcast_known(*shapes) -> tuple:
    """The broadcast shape of shapes known to broadcast."""
    return tuple(np.broadcast_shapes(*shapes))


# ---- the strategy -------------------------------------------------------------------------------
@st.composite
def graphs(draw, max_steps: int = 6) -> dict:
    """A random graph (see the module's text), as JSON-ready data."""
    n_inputs = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(n_inputs)]
    halves = st.integers(-4, 4).map(lambda k: k / 2)
    inputs = [
        {"shape": list(s), "values": draw(st.lists(halves, min_size=math.prod(s),
                                                   max_size=math.prod(s)))}
        for s in shapes
    ]  # fmt: skip
    known = [tuple(s) for s in shapes]  # the shape of every tensor so far
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        step = draw(_step(known))
        steps.append(step)
        known.append(tuple(step["shape"]))
    last = len(known) - 1
    outputs = sorted({last, draw(st.integers(0, last))})
    weights = [
        draw(st.lists(halves.map(lambda h: h + 0.25), min_size=math.prod(known[i]),
                      max_size=math.prod(known[i])))
        for i in outputs
    ]  # fmt: skip
    candidates = [i for i in range(n_inputs, len(known)) if math.prod(known[i]) > 0]
    hook = draw(st.sampled_from(candidates)) if candidates and draw(st.booleans()) else None
    return {"inputs": inputs, "steps": steps, "outputs": outputs, "weights": weights,
            "hook": hook}  # fmt: skip


@st.composite
def _step(draw, known: list) -> dict:
    index = draw(st.integers(0, len(known) - 1))
    shape = known[index]
    ndim = len(shape)
    kinds = ["unary", "binary", "reduce", "index", "inplace", "view"]
    if ndim >= 2:
        kinds.append("matmul")
    kind = draw(st.sampled_from(kinds))
    if kind == "binary":
        partners = [i for i, s in enumerate(known) if _broadcast(shape, s) is not None]
        other = draw(st.sampled_from(partners))
        op = draw(st.sampled_from(sorted(BINARY)))
        out = list(_broadcast_known(shape, known[other]))
        return {"op": op, "args": [index, other], "shape": out}
    if kind == "reduce" and ndim >= 1:
        op = draw(st.sampled_from(sorted(REDUCTIONS)))
        dim = draw(st.integers(-ndim, ndim - 1))
        keepdim = draw(st.booleans())
        out = list(shape)
        if keepdim:
            out[dim] = 1
        else:
            del out[dim]
        return {"op": op, "args": [index], "dim": dim, "keepdim": keepdim, "shape": out}
    if kind == "matmul":
        partners = [
            i for i, s in enumerate(known)
            if len(s) >= 2 and s[-1] == shape[-1] and _broadcast(shape[:-2], s[:-2]) is not None
        ]  # fmt: skip
        other = draw(st.sampled_from(partners))
        batch = _broadcast_known(shape[:-2], known[other][:-2])
        return {"op": "matmul_t", "args": [index, other],
                "shape": [*batch, shape[-2], known[other][-2]]}  # fmt: skip
    if kind == "index" and ndim >= 1 and shape[0] > 0:
        how = draw(st.sampled_from(["slice", "take", "mask", "setitem"]))
        if how == "slice":
            out = list(shape)
            out[0] = len(range(*slice(1, None).indices(shape[0])))
            return {"op": "slice", "args": [index], "shape": out}
        if how == "take":
            rows = draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4))
            return {"op": "take", "args": [index], "rows": rows, "shape": [len(rows), *shape[1:]]}
        if how == "mask":
            # x[x > 0] has a data-dependent length: its sum keeps the shapes known
            return {"op": "mask_sum", "args": [index], "shape": []}
        rows = draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=2, unique=True))
        source = draw(st.integers(0, len(known) - 1))
        return {"op": "setitem", "args": [index, source], "rows": rows, "shape": list(shape)}
    if kind == "inplace":
        partners = [i for i, s in enumerate(known) if _broadcast(shape, s) == shape]
        other = draw(st.sampled_from(partners))
        op = draw(st.sampled_from(["mul_", "add_", "view_mul_"]))
        return {"op": op, "args": [index, other], "shape": list(shape)}
    if kind == "view" and ndim >= 1:
        how = draw(st.sampled_from(["t", "flatten", "unsqueeze", "expand"] if ndim >= 2
                                   else ["flatten", "unsqueeze", "expand"]))  # fmt: skip
        if how == "t":
            out = [*shape[:-2], shape[-1], shape[-2]]
            return {"op": "transpose", "args": [index], "shape": out}
        if how == "flatten":
            return {"op": "flatten", "args": [index], "shape": [math.prod(shape)]}
        if how == "unsqueeze":
            return {"op": "unsqueeze", "args": [index], "shape": [1, *shape]}
        return {"op": "expand", "args": [index], "shape": [2, *shape]}
    op = draw(st.sampled_from(sorted(UNARY)))
    return {"op": op, "args": [index], "shape": list(shape)}


# ---- running one --------------------------------------------------------------------------------
def _apply(T, step: dict, ts: list) -> Any:
    op, args = step["op"], [ts[i] for i in step["args"]]
    if op in UNARY:
        return UNARY[op](T, args[0])
    if op in BINARY:
        return BINARY[op](T, *args)
    if op in REDUCTIONS:
        return REDUCTIONS[op](T, args[0], step["dim"], step["keepdim"])
    x = args[0]
    if op == "matmul_t":
        return x @ args[1].transpose(-1, -2)
    if op == "slice":
        return x[1:]
    if op == "take":
        return x[T.tensor(step["rows"])]
    if op == "mask_sum":
        return x[x > 0].sum()
    if op == "setitem":  # into a clone; the rows get the other tensor's sum
        y = x.clone()
        y[T.tensor(step["rows"])] = args[1].sum()
        return y
    if op in ("mul_", "add_"):
        y = x * 1
        getattr(y, op)(args[1])
        return y
    if op == "view_mul_":  # an in-place change through a view of a non-leaf
        y = x * 1
        view = y[...] if y.ndim == 0 else y[: y.shape[0]]
        view.mul_(args[1])
        return y
    if op == "transpose":
        return x.transpose(-1, -2)
    if op == "flatten":
        return x.flatten()
    if op == "unsqueeze":
        return x.unsqueeze(0)
    if op == "expand":
        return x.unsqueeze(0).expand(2, *x.shape)
    raise ValueError(f"unknown step {op!r}")


def _flat(t) -> list | None:
    if t is None:
        return None
    # a copy first: PyTorch may hand a hook zeros with unallocated storage, which tolist refuses
    return [float(v) for v in np.asarray(t.detach().clone().reshape(-1).tolist(), dtype=np.float64)]


def _error(call: Callable) -> str | None:
    """The first words of the RuntimeError `call` raises (None if it returns)."""
    try:
        call()
    except RuntimeError as error:
        return " ".join(str(error).split()[:8])
    return None


def run(T, graph: dict) -> dict:
    """Run `graph` with the namespace `T` and report what it computes (see the module's text)."""
    inputs = [
        T.tensor(i["values"], dtype=T.float64).reshape(i["shape"]).requires_grad_()
        for i in graph["inputs"]
    ]
    ts: list = list(inputs)
    hook_calls: list = []
    report: dict[str, Any] = {}

    def hook(g):  # records what reaches it, and doubles it
        hook_calls.append(_flat(g))
        return g * 2

    try:
        for n, step in enumerate(graph["steps"], start=len(inputs)):
            ts.append(_apply(T, step, ts))
            if n == graph["hook"] and ts[-1].requires_grad:
                ts[-1].register_hook(hook)
    except (RuntimeError, IndexError) as error:
        report["forward_error"] = " ".join(str(error).split()[:8])
        return report
    outputs = [ts[i] for i in graph["outputs"]]
    weights = [T.tensor(w, dtype=T.float64).reshape(o.shape) for w, o in zip(graph["weights"],
                                                                           outputs)]  # fmt: skip
    report["values"] = [_flat(o) for o in outputs]
    report["shapes"] = [list(o.shape) for o in outputs]
    if not any(o.requires_grad for o in outputs):
        return report
    loss = sum((o * w).sum() for o, w in zip(outputs, weights) if o.requires_grad)
    report["grad_error"] = _error(lambda: _grads(T, report, outputs, weights, inputs))
    report["backward_error"] = _error(lambda: _backward(T, report, loss, inputs))
    report["hook_calls"] = hook_calls
    return report


def _grads(T, report: dict, outputs: list, weights: list, inputs: list) -> None:
    pairs = [(o, w) for o, w in zip(outputs, weights) if o.requires_grad]
    firsts = T.autograd.grad([o for o, _ in pairs], inputs, [w for _, w in pairs],
                             create_graph=True, allow_unused=True)  # fmt: skip
    report["grad"] = [_flat(g) for g in firsts]
    used = [(g, x) for g, x in zip(firsts, inputs) if g is not None and g.requires_grad]
    if not used:
        report["second"] = None
        return
    mixed = sum((g * T.cos(x)).sum() for g, x in used)  # v = cos(x): a fixed direction
    seconds = T.autograd.grad(mixed, inputs, allow_unused=True)
    report["second"] = [_flat(g) for g in seconds]


def _backward(T, report: dict, loss, inputs: list) -> None:
    loss.backward(retain_graph=True)
    report["backward"] = [_flat(x.grad) for x in inputs]
    loss.backward()  # accumulates
    report["accumulated"] = [_flat(x.grad) for x in inputs]
    report["third_backward_error"] = _error(loss.backward)  # the graph is freed now
