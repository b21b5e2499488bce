"""Activation checkpointing: ``checkpoint(fn, *args, use_reentrant=False)``.

The block ``fn`` runs once in the forward pass without keeping the tensors its operations save
for backward; when backward first needs one of them, the block is run again (with grad mode on)
and the recomputed values are used.  Gradients are identical to those of ``fn(*args)``; memory
holds only the block's inputs and outputs between forward and backward.

* ``use_reentrant=False`` (recommended, as in PyTorch) keeps the block's graph and replaces its
  saved tensors through :func:`pluggrad.autograd.graph.saved_tensors_hooks`: it works with
  ``backward()`` and ``autograd.grad``, with parameters captured by ``fn`` and with outputs that
  do not require grad.  Derivatives of second order through a checkpointed block are not
  supported (the recomputed values are not connected to the outer graph).
* ``use_reentrant=True`` wraps the block in a custom Function whose backward recomputes the block
  and backpropagates through it; as in PyTorch it accumulates into parameters captured by ``fn``
  and must be used with ``backward()``, not ``autograd.grad``.
"""

from __future__ import annotations

import warnings

from .._core.grad_mode import enable_grad, no_grad
from .._core.graph import saved_tensors_hooks
from .._core.tensor import Tensor
from ..autograd.function import Function
from ..autograd.gradients import backward

__all__ = ["checkpoint"]


def checkpoint(function, *args, use_reentrant: bool | None = None, preserve_rng_state=True,
               determinism_check="default", debug=False, **kwargs):  # fmt: skip
    """Run ``function(*args, **kwargs)`` and recompute it in backward instead of storing its
    intermediate values.

    Parameters
    ----------
    function : callable
        The block to checkpoint.
    *args, **kwargs
        Its arguments.
    use_reentrant : bool
        Which implementation (see the module docstring).  As in PyTorch, omitting it warns and
        means True.
    preserve_rng_state, determinism_check, debug
        Accepted for PyTorch compatibility; pluggrad's operations are deterministic.

    Returns
    -------
    The block's outputs.
    """
    if use_reentrant is None:
        warnings.warn(
            "pluggrad.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "It defaults to True, as in PyTorch; use_reentrant=False is the recommended variant.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return CheckpointFunction.apply(function, *args)
    return _checkpoint_without_reentry(function, args, kwargs)


class _Recomputation:
    """The saved tensors of one checkpointed call, recomputed on first use."""

    def __init__(self, function, args, kwargs):
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.count = 0
        self.values: list | None = None

    def pack(self, tensor):
        self.count += 1
        return self.count - 1

    def unpack(self, index: int) -> Tensor:
        values = self.values
        if values is None:
            values = self.values = self.recompute()
        return values[index]

    def recompute(self) -> list:
        """Run the block again and return the tensors it saves, in the order it saves them."""
        values: list = []

        def keep(tensor):
            values.append(tensor)
            return len(values) - 1

        inputs = [
            a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
            for a in self.args
        ]
        with enable_grad(), saved_tensors_hooks(keep, values.__getitem__):
            self.function(*inputs, **self.kwargs)
        if len(values) != self.count:
            raise RuntimeError(
                "pluggrad.utils.checkpoint: recomputing the block saved "
                f"{len(values)} tensors, but the original run saved {self.count}; the block "
                "must compute the same operations each time it runs"
            )
        return values


def _checkpoint_without_reentry(function, args, kwargs):
    frame = _Recomputation(function, args, kwargs)
    with saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


class CheckpointFunction(Function):
    """The block as one custom Function: its backward reruns it and backpropagates."""

    @staticmethod
    def forward(ctx, function, *args):
        ctx.function = function
        ctx.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.others = args
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        with no_grad():
            return function(*args)

    @staticmethod
    def backward(ctx, *grads):

        args = list(ctx.others)
        detached = []
        for i, t in zip(ctx.tensor_positions, ctx.saved_tensors):
            args[i] = t.detach().requires_grad_(t.requires_grad)
            detached.append(args[i])
        with enable_grad():
            outputs = ctx.function(*args)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [
            (o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad
        ]
        if pairs:
            backward([o for o, _ in pairs], [g for _, g in pairs])
        input_grads = iter(t.grad if t.requires_grad else None for t in detached)
        return (None,) + tuple(
            next(input_grads) if isinstance(a, Tensor) else None for a in ctx.others
        )
