"""Derivatives of the primitives behind in-place operations (``fill_``, ``zero_``, ``copy_``)."""

from __future__ import annotations

from ._helpers import Entry

TABLE = {
    # the old value is overwritten: no gradient flows to it
    "fill": Entry(
        lambda args, params: "ZeroBackward0" if params.get("value") == 0 else "FillBackward2",
        x=lambda ns, g: ns.zeros_like(g),
    ),
    # x.copy_(src): src is broadcast and cast to x; the engine sums and casts its gradient back
    "copy_from": Entry(
        "CopyBackwards",
        x=lambda ns, g: ns.zeros_like(g),
        src=lambda ns, g: g,
    ),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
