"""Derivatives of the creation functions that act on arrays (``tril``, ``triu``)."""

from __future__ import annotations

from ._helpers import Entry

TABLE = {
    "tril": Entry("TrilBackward0", x=lambda ns, g, k: ns.tril(g, k=k)),
    "triu": Entry("TriuBackward0", x=lambda ns, g, k: ns.triu(g, k=k)),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
