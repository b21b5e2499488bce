"""Derivatives of sorting: the gradient of the sorted values goes back through the
permutation (PyTorch's scatter of a value-selecting function's gradient)."""

from __future__ import annotations

from ._helpers import Entry
from .reductions import scatter_along


def _selected_grad(ns, g, x_shape, axis, result):
    """``sort``/``topk``: each value's gradient to the position it was taken from."""
    g, indices = g[0], result[1]
    if len(x_shape) == 0:
        return g
    return scatter_along(ns, g, indices, axis, x_shape)


TABLE = {
    # torch.sort(x) is SortBackward0; its overload with stable= (always given by the array API's
    # sort) is SortBackward1
    "sort": Entry(
        lambda args, params: "SortBackward0" if params.get("stable") is None else "SortBackward1",
        saved_outputs=(1,),  # the indices only, as PyTorch: the values may change in place
        x=_selected_grad,
    ),
    "topk": Entry("TopkBackward0", saved_outputs=(1,), x=_selected_grad),
}

NONDIFFERENTIABLE: frozenset[str] = frozenset({"argsort"})
