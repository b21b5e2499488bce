"""The derivative-conventions table, computed by pluggrad on every installed backend.

Each case is a line of pluggrad code evaluated at a point where the function is not
differentiable (or its derivative is infinite); :func:`table` differentiates it with
``autograd.grad`` on each backend and renders the gradients as a Markdown table.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

import pluggrad as pg

# (what, code giving a scalar or tensor `f`, inputs, input to differentiate, PyTorch's rule)
CASES = [
    ("`abs` at 0", "pg.abs(x)", {"x": [-1.0, 0.0, 1.0]}, "x", "sign(x): 0 at 0"),
    ("`relu` at 0", "pg.relu(x)", {"x": [-1.0, 0.0, 1.0]}, "x", "1 where x > 0, so 0 at 0"),
    ("`sign`, `round`, `floor`", "pg.sign(x) + pg.round(x) + pg.floor(x)", {"x": [0.0, 0.5]},
     "x", "0 everywhere"),
    ("`sqrt` at 0", "pg.sqrt(x)", {"x": [0.0, 4.0]}, "x", "1 / (2 sqrt(x)): inf at 0"),
    ("`x ** 2` at 0", "x ** 2", {"x": [0.0]}, "x", "2x"),
    ("`x ** 0`", "x ** 0", {"x": [0.0, 2.0]}, "x", "0 everywhere, also at 0"),
    ("`x ** 0.5` at 0", "x ** 0.5", {"x": [0.0]}, "x", "inf"),
    ("`x ** y`, d/dy at x = 0", "x ** y", {"x": [0.0, 0.0], "y": [0.0, 2.0]}, "y",
     "x^y log x, taken as 0 where x = 0 and y >= 0"),
    ("`max` (full reduction), ties", "pg.max(x)", {"x": [1.0, 3.0, 3.0]}, "x",
     "split evenly between the tied elements"),
    ("`min` (full reduction), ties", "pg.min(x)", {"x": [1.0, 1.0, 3.0]}, "x",
     "split evenly between the tied elements"),
    ("`max(x, dim=0)`, ties", "pg.max(x, dim=0).values", {"x": [1.0, 3.0, 3.0]}, "x",
     "all to the element whose index is returned"),
    ("`maximum(x, y)`, x == y", "pg.maximum(x, y)", {"x": [2.0, 1.0], "y": [2.0, 3.0]}, "x",
     "half to each input where they are equal"),
    ("`minimum(x, y)`, x == y", "pg.minimum(x, y)", {"x": [2.0, 1.0], "y": [2.0, 3.0]}, "x",
     "half to each input where they are equal"),
    ("`clip(x, 0, 1)` at the bounds", "pg.clip(x, 0.0, 1.0)", {"x": [-1.0, 0.0, 1.0, 2.0]},
     "x", "1 where min <= x <= max (bounds included)"),
    ("`sort`, ties (weights 1, 2, 3)", "pg.sort(x) * pg.asarray([1.0, 2.0, 3.0])",
     {"x": [2.0, 1.0, 2.0]}, "x", "follows the stable permutation"),
    ("`prod` with one zero", "pg.prod(x)", {"x": [0.0, 2.0, 3.0]}, "x",
     "product of the others"),
    ("`prod` with two zeros", "pg.prod(x)", {"x": [0.0, 0.0, 3.0]}, "x", "0"),
    ("`linalg.vector_norm` at 0", "pg.linalg.vector_norm(x)", {"x": [0.0, 0.0]}, "x",
     "0 (not nan)"),
    ("`linalg.vector_norm(ord=inf)`, ties", "pg.linalg.vector_norm(x, ord=pg.inf)",
     {"x": [3.0, -3.0, 1.0]}, "x", "sign(x), split evenly between the tied elements"),
    ("`linalg.vector_norm(ord=1)` at 0", "pg.linalg.vector_norm(x, ord=1)",
     {"x": [0.0, -2.0]}, "x", "sign(x): 0 at 0"),
]  # fmt: skip


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


def gradient(code: str, inputs: dict, wrt: str, backend: str) -> str:
    """The gradient of ``code`` (summed) with respect to input ``wrt`` on `backend`, as text."""
    with pg.use_backend(backend), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # NumPy's "divide by zero" where the value is inf
        env = {name: pg.tensor(v, requires_grad=True) for name, v in inputs.items()}
        f = eval(code, {"pg": pg}, dict(env))  # eval: of the cases above, nothing else
        (g,) = pg.autograd.grad(f.sum(), env[wrt])
        return "[" + ", ".join(_fmt(v) for v in g.tolist()) + "]"


def installed_backends() -> list[str]:
    """The registered backends whose library imports here."""
    names = []
    preferred = ["numpy", "jax", "array_api_strict"]
    ordered = sorted(
        pg.available_backends(),
        key=lambda n: (n not in preferred, preferred.index(n) if n in preferred else 0, n),
    )
    for name in ordered:
        try:
            pg.backends.load_backend(name)
        except ImportError:
            continue
        names.append(name)
    return names


def table() -> str:
    """The Markdown table: one row per case, one column per installed backend."""
    backends = installed_backends()
    head = ["case", "code (`f`, summed)", "at", "gradient of", *[f"`{b}`" for b in backends]]
    head += ["backends agree", "PyTorch's rule"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for what, code, inputs, wrt, rule in CASES:
        values = [gradient(code, inputs, wrt, b) for b in backends]
        at = ", ".join(f"{k} = {_list(v)}" for k, v in inputs.items())
        agree = "yes" if len(set(values)) == 1 else "**no**"
        cells = [what, f"`{code}`", at, f"`{wrt}`", *values, agree, rule]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _list(values: list) -> str:
    return "[" + ", ".join(_fmt(v) for v in values) + "]"
