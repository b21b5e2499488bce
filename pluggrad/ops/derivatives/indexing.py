"""Derivatives of indexing: ``x[key]``, ``take``, ``take_along_axis`` (``gather``), and their
own backwards, scatter-adds whose derivatives are the gathers again."""

from __future__ import annotations

import math

from ._helpers import Entry


def _getitem_node(args, params) -> str:
    """PyTorch's name: that of the last indexing step which does something (indices apply left
    to right; slices over a whole axis are skipped, except in a key that is one slice)."""
    parts = params["key"] if isinstance(params["key"], tuple) else (params["key"],)
    if any(hasattr(p, "shape") or isinstance(p, bool) for p in parts):
        return "IndexBackward0"
    if len(parts) == 2 and isinstance(parts[0], slice) and parts[1] is Ellipsis:
        return "SliceBackward0"  # x[a:b], completed to x[a:b, ...]
    shape = args[0].shape
    skipped = len(shape) - sum(1 for p in parts if isinstance(p, (int, slice)))
    name, dim = "AliasBackward0", 0
    for p in parts:
        if p is None:
            name = "UnsqueezeBackward0"
        elif p is Ellipsis:
            dim += skipped
        elif isinstance(p, int):
            name, dim = "SelectBackward0", dim + 1
        else:
            if p.indices(shape[dim]) != (0, shape[dim], 1):
                name = "SliceBackward0"
            dim += 1
    return name


def _take_grad(ns, g, indices, axis, x_shape):
    """Backward of ``take``: the gradient rows added back at their indices."""
    if axis is None:  # x was read flat
        shape, axis = (math.prod(x_shape),), 0
    else:
        shape = tuple(x_shape)
    count = math.prod(indices.shape)
    flat = ns.reshape(indices, (count,))
    g = ns.reshape(g, shape[:axis] + (count,) + shape[axis + 1 :])
    index = ns.reshape(flat, (1,) * axis + (count,) + (1,) * (len(shape) - axis - 1))
    grad = ns.put_along_axis_add(g, ns.broadcast_to(index, tuple(g.shape)), axis, shape)
    return grad if shape == tuple(x_shape) else ns.reshape(grad, tuple(x_shape))


def gather(ns, g, indices, axis: int):
    """``take_along_axis(g, indices, axis)`` where `indices` may be shorter than `g` along the
    other axes (PyTorch's ``gather``): the backward of ``put_along_axis_add``."""
    if any(n != m for d, (n, m) in enumerate(zip(indices.shape, g.shape)) if d != axis):
        g = g[tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(indices.shape))]
    return ns.take_along_axis(g, indices, axis=axis)


TABLE = {
    # as_strided(x, size, stride, offset) reads x flat at the positions its geometry names
    "as_strided": Entry(
        "AsStridedBackward0",
        x=lambda ns, g, indices, x_shape: _take_grad(ns, g, indices, None, x_shape),
    ),
    "getitem": Entry(
        _getitem_node,
        x=lambda ns, g, key, x_shape: ns.scatter_add(g, key, x_shape),
    ),
    "scatter_add": Entry("IndexPutBackward0", values=lambda ns, g, key: ns.getitem(g, key)),
    # take(x, indices, axis=a) is PyTorch's index_select; take(x, indices) its (flat) take
    "take": Entry(
        lambda args, params: "TakeBackward0" if params["axis"] is None else "IndexSelectBackward0",
        x=_take_grad,
    ),
    # PyTorch's take_along_dim is its gather too
    "take_along_axis": Entry(
        "GatherBackward0",
        x=lambda ns, g, indices, axis, x_shape: ns.put_along_axis_add(g, indices, axis, x_shape),
    ),
    # PyTorch's scatter_add into zeros
    "put_along_axis_add": Entry(
        "ScatterAddBackward0",
        values=lambda ns, g, indices, axis: gather(ns, g, indices, axis),
    ),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset()
