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
import re
import weakref
from collections.abc import Sequence
from typing import Any

from ..backends import Backend
from .anomaly import anomaly_detection, forward_traceback
from .hooks import RemovableHandle, add_hook

_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


# Nodes that PyTorch implements in C++ outside its generated derivative code: their name()
# carries the C++ namespace, as in PyTorch (the class name, shown by repr, does not).
_CPP_NODES = frozenset(
    {"AccumulateGrad", "CopySlices", "CopyBackwards", "DelayedError", "GraphRoot", "Error"}
)


def modified_by_inplace_error(
    tensor, current: int, expected: int, producer: Node | None = None, output_nr: int = 0
) -> RuntimeError:
    """PyTorch's error for a tensor saved for backward and modified in place since, e.g.
    "... [torch.FloatTensor [2]], which is output 0 of Mul, is at version 1; expected version 0
    instead. ...".

    The node named (``Mul`` for ``MulBackward0``, ``Squeeze3`` for ``SqueezeBackward3``) is,
    as in PyTorch, `producer` for a saved output (the node that saved it) and otherwise the
    tensor's current ``grad_fn``; a leaf has none.
    """
    what = f"[torch.{tensor.dtype.torch_name}Tensor {list(tensor.shape)}]"
    if producer is None and isinstance(getattr(tensor, "_grad_fn", None), Node):
        producer, output_nr = tensor._grad_fn, tensor._output_nr
    if producer is not None:
        name = re.sub(r"Backward0?", "", producer.name())
        what += f", which is output {output_nr} of {name},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} is at version {current}; expected version {expected} instead. "
        "Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with pluggrad.autograd.set_detect_anomaly(True, check_nan=False)."
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
    next_functions: tuple[tuple[Node | None, int], ...]
    _backend: Backend
    _sequence_nr: int
    _key: int
    _pre_hooks: dict | None
    _post_hooks: dict | None
    _tensor_pre_hooks: dict[int, dict] | None  # output_nr -> that output tensor's hooks
    _retained: dict[int, weakref.ref] | None  # output_nr -> the tensor that retains its grad
    _metadata: dict | None

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
        if anomaly_detection.enabled:
            self._metadata = {"traceback_": forward_traceback()}

    # -- introspection --------------------------------------------------------------------------
    def name(self) -> str:
        """The node's name as PyTorch gives it, e.g. ``"MulBackward0"`` or
        ``"torch::autograd::AccumulateGrad"`` (nodes PyTorch writes by hand in C++)."""
        name = type(self).__name__
        return "torch::autograd::" + name if name in _CPP_NODES else name

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
        On an ``AccumulateGrad`` node ``grad_inputs`` is ``()`` and the hook runs after the
        leaf's ``.grad`` was updated and its post-accumulate-grad hooks ran.
        """
        self._post_hooks, handle = add_hook(self._post_hooks, fn)
        return handle

    def register_prehook(self, fn) -> RemovableHandle:
        """Register ``fn(grad_outputs)``, called before the node runs.

        It may return a tuple that replaces ``grad_outputs`` (the gradients the node receives).
        Node pre-hooks run after the hooks of the output tensors (``Tensor.register_hook``)
        and after ``retain_grad()`` stored their ``.grad``, as in PyTorch.
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
    def apply(self, grad_outputs: list, create_graph: bool) -> Sequence[Any]:
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


def rebase_history(tensor, node: Node, output_nr: int) -> None:
    """Make `tensor` (just modified in place) output `output_nr` of `node`.

    As in PyTorch, ``retain_grad()`` follows the tensor to its new ``grad_fn`` (``.grad`` is
    the gradient of the new value), while hooks registered with ``register_hook`` stay with the
    value they were registered on.
    """
    if tensor._retains_grad and tensor._grad_fn is not None:
        retained = tensor._grad_fn._retained
        if retained is not None:
            retained.pop(tensor._output_nr, None)
    tensor._grad_fn = node
    tensor._output_nr = output_nr
    tensor._requires_grad = True
    if tensor._retains_grad:
        node._retain_grad_of(output_nr, tensor)


# ---- saved tensor hooks ------------------------------------------------------------------------
# The (pack, unpack) pairs in force, innermost last; None when there are none.
saved_tensors_hooks_in_force: contextvars.ContextVar[tuple | None] = contextvars.ContextVar(
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
    outer = saved_tensors_hooks_in_force.get() or ()
    token = saved_tensors_hooks_in_force.set(outer + ((pack_hook, unpack_hook),))
    try:
        yield
    finally:
        saved_tensors_hooks_in_force.reset(token)


# ---- where a tensor without a graph came from ----------------------------------------------------
# id(tensor) -> (weak reference to it, how it lost its graph: "no_grad" or "detached").  A side
# table, so that the hot path of operations pays nothing for it; explain_missing_grad reads it.
_origins: dict[int, tuple[weakref.ref, str]] = {}


def remember_origin(tensor, origin: str) -> None:
    """Note that `tensor` was made without a graph although it could have had one."""
    key = id(tensor)
    _origins[key] = (weakref.ref(tensor, lambda _: _origins.pop(key, None)), origin)


def origin_of(tensor) -> str | None:
    """How `tensor` lost its graph (see :func:`remember_origin`), or None."""
    entry = _origins.get(id(tensor))
    if entry is not None and entry[0]() is tensor:
        return entry[1]
    return None


_RENAMED_NODE_CLASSES: dict[tuple[type, str], type] = {}


def rename_node(node: Node, name: str) -> None:
    """Give `node` PyTorch's name `name` (an in-place variant's: ``TBackward1`` for ``t_()``)
    by making it an instance of a subclass of its class, named so; nothing else changes."""
    cls = type(node)
    renamed = _RENAMED_NODE_CLASSES.get((cls, name))
    if renamed is None:
        renamed = type(name, (cls,), {"__slots__": ()})
        renamed.__module__ = cls.__module__
        _RENAMED_NODE_CLASSES[cls, name] = renamed
    node.__class__ = renamed
