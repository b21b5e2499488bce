"""Graph nodes: the backward functions that the engine runs.

Every operation that records a graph creates one :class:`Node` (named as PyTorch names it:
``MulBackward0``, ``PowBackward0``, ...).  ``next_functions`` points at the nodes of the
operation's inputs: their own ``grad_fn``, or for a leaf that requires grad its
:class:`AccumulateGrad` node, or ``(None, 0)`` for an input that needs no gradient.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import weakref

from .anomaly_mode import STATE as ANOMALY
from .anomaly_mode import forward_traceback
from .hooks import RemovableHandle, add_hook

_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """A backward function in the autograd graph.

    Attributes
    ----------
    next_functions : tuple of (Node or None, int)
        For each input of the forward operation, the node its gradient flows to and which of
        that node's outputs the input was.
    """

    __slots__ = (
        "next_functions",
        "_backend",
        "_sequence_nr",
        "_key",
        "_pre_hooks",
        "_post_hooks",
        "_tensor_pre_hooks",
        "_retained",
        "_metadata",
        "__weakref__",
    )

    num_outputs = 1  # how many outputs the forward operation had (gradients this node takes)
    _KEY_OFFSET = 0

    def _init_node(self, next_functions: tuple) -> None:
        self.next_functions = next_functions
        self._sequence_nr = sequence_nr = next(_sequence)
        # the engine's ready-queue key: most recent node first, AccumulateGrad before all others
        self._key = -sequence_nr - self._KEY_OFFSET
        self._pre_hooks = None
        self._post_hooks = None
        self._tensor_pre_hooks = None
        self._retained = None
        self._metadata = None
        if ANOMALY[0]:
            self._metadata = {"traceback_": forward_traceback()}

    # -- introspection --------------------------------------------------------------------------
    def name(self) -> str:
        """The node's name, e.g. ``"MulBackward0"``."""
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        """A dict for the user's own annotations (kept with the node)."""
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- hooks ----------------------------------------------------------------------------------
    def register_hook(self, fn) -> RemovableHandle:
        """Register ``fn(grad_inputs, grad_outputs)``, called after the node ran.

        It may return a tuple that replaces ``grad_inputs`` (the gradients the node produced).
        """
        self._post_hooks, handle = add_hook(self._post_hooks, fn)
        return handle

    def register_prehook(self, fn) -> RemovableHandle:
        """Register ``fn(grad_outputs)``, called before the node runs.

        It may return a tuple that replaces ``grad_outputs`` (the gradients the node receives).
        """
        self._pre_hooks, handle = add_hook(self._pre_hooks, fn)
        return handle

    def _add_tensor_pre_hook(self, output_nr: int, fn) -> RemovableHandle:
        """Hook of the tensor that is this node's output `output_nr` (``Tensor.register_hook``)."""
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        hooks, handle = add_hook(self._tensor_pre_hooks.get(output_nr), fn)
        self._tensor_pre_hooks[output_nr] = hooks
        return handle

    def _retain_grad_of(self, output_nr: int, tensor) -> None:
        """Make the engine store this output's gradient into `tensor.grad` (``retain_grad``)."""
        if self._retained is None:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)

    # -- running --------------------------------------------------------------------------------
    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        """Return the gradients for ``next_functions`` given the gradients of the outputs."""
        raise TypeError(f"{self.name()} cannot be applied")  # every concrete node overrides it

    def release(self) -> None:
        """Free what the node saved for backward (called after it ran unless retain_graph)."""


class AccumulateGrad(Node):
    """The sink of a leaf tensor that requires grad: adds incoming gradients to ``.grad``.

    The engine runs it before any other ready node, as PyTorch does.

    Attributes
    ----------
    variable : Tensor
        The leaf whose ``.grad`` this node accumulates into.
    """

    __slots__ = ("variable",)
    _KEY_OFFSET = 1 << 62  # run before any operation node

    def __init__(self, variable) -> None:
        self._init_node(())
        self._backend = variable._backend
        self.variable = variable


# ---- saved tensor hooks ------------------------------------------------------------------------
# The (pack, unpack) pairs in force, innermost last; None when there are none.
SAVED_TENSORS_HOOKS: contextvars.ContextVar[tuple | None] = contextvars.ContextVar(
    "pluggrad_saved_tensors_hooks", default=None
)


@contextlib.contextmanager
def saved_tensors_hooks(pack_hook, unpack_hook):
    """Replace how operations save tensors for backward, inside the ``with`` block.

    ``pack_hook(tensor)`` is called when an operation saves a tensor and may return any object;
    ``unpack_hook(packed)`` is called when backward needs it and must return a tensor with the
    same values.  As ``torch.autograd.graph.saved_tensors_hooks``: use it to offload saved
    tensors, compress them, or (as ``pluggrad.utils.checkpoint`` does) recompute them.
    """
    outer = SAVED_TENSORS_HOOKS.get() or ()
    token = SAVED_TENSORS_HOOKS.set(outer + ((pack_hook, unpack_hook),))
    try:
        yield
    finally:
        SAVED_TENSORS_HOOKS.reset(token)
