"""``explain_missing_grad``: say in words why a tensor's ``.grad`` is None.

The usual reasons, which PyTorch users meet daily: the tensor is not a leaf (only leaves
accumulate ``.grad`` unless ``retain_grad()`` was called), it does not require grad, it was
produced under ``no_grad`` from tensors that did (so it is a constant, cut from the graph), it
was detached, the output does not depend on it, or backward has not run yet.  pluggrad
remembers the two cases that leave no trace on the tensor itself (made under ``no_grad`` and
``detach()``) in a side table, so that the hot path of operations pays nothing for it.
"""

from __future__ import annotations

from .._core.graph import AccumulateGrad, origin_of
from .._core.tensor import Tensor

__all__ = ["explain_missing_grad"]


def _reaches(output: Tensor, tensor: Tensor) -> bool:
    """Whether a gradient of `output` can flow into `tensor`."""
    target = tensor._grad_fn
    stack = [output._grad_fn] if output._grad_fn is not None else []
    if target is None and output is tensor:
        return True
    seen = set()
    while stack:
        node = stack.pop()
        if node is target or type(node) is AccumulateGrad and node.variable is tensor:
            return True
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return False


def explain_missing_grad(tensor: Tensor, output: Tensor | None = None) -> str:
    """Explain why ``tensor.grad`` is None (or say that it is not).

    Parameters
    ----------
    tensor : Tensor
        The tensor whose ``.grad`` you expected.
    output : Tensor, optional
        The tensor you called ``backward()`` on; lets the check say whether `tensor` was used to
        compute it.

    Returns
    -------
    str
        One or two sentences naming the reason and the fix.
    """
    if tensor._grad is not None:
        return "The tensor has a gradient: .grad is set."
    origin = origin_of(tensor)
    if not tensor._requires_grad:
        if origin == "no_grad":
            return (
                "The tensor was computed under no_grad() (or set_grad_enabled(False)) from "
                "tensors that require grad, so it is a constant outside the graph. Compute it "
                "with grad mode enabled."
            )
        if origin == "detached":
            return (
                "The tensor was made by detach() (or .data), which cuts it from the graph. Use "
                "the original tensor, or call requires_grad_() on this one if you want it to be "
                "a new leaf."
            )
        return (
            "The tensor does not require grad. Set requires_grad=True on it (a floating-point "
            "leaf) before computing with it."
        )
    if tensor._grad_fn is not None and not tensor._retains_grad:
        return (
            f"The tensor is not a leaf (it was made by {tensor._grad_fn.name()}), and only leaves "
            "get a .grad. Call .retain_grad() on it before backward(), or use "
            "autograd.grad(output, tensor)."
        )
    if output is not None and not _reaches(output, tensor):
        return (
            "The output does not depend on this tensor through the graph (it was not used, or "
            "only through detached or no_grad computations), so no gradient reaches it."
        )
    return (
        "No backward pass has reached the tensor yet: call backward() on an output computed "
        "from it (a graph that was freed by an earlier backward needs retain_graph=True)."
    )
