"""Derivatives of indexing: ``x[key]`` and its own backward, a scatter-add."""

from __future__ import annotations

from ._helpers import Entry


def _getitem_node(args, params) -> str:
    parts = params["key"] if isinstance(params["key"], tuple) else (params["key"],)
    if any(hasattr(p, "shape") for p in parts):
        return "IndexBackward0"
    if any(isinstance(p, int) for p in parts):
        return "SelectBackward0"
    if any(p is None for p in parts):
        return "UnsqueezeBackward0"
    if any(isinstance(p, slice) for p in parts):
        return "SliceBackward0"
    return "AliasBackward0"


TABLE = {
    "getitem": Entry(
        _getitem_node,
        x=lambda ns, g, key, x_shape: ns.scatter_add(g, key, x_shape),
    ),
    "scatter_add": Entry("IndexPutBackward0", values=lambda ns, g, key: ns.getitem(g, key)),
}

NONDIFFERENTIABLE = frozenset()
